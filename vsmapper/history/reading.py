"""Read a tracker's work-item history from CSV or Excel in any of its three layouts."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Literal

import polars as pl

from vsmapper.errors import VSMapperError, read_error
from vsmapper.io.bounded import read_bounded
from vsmapper.io.spreadsheet import CSV_DELIMITERS, _check_file, file_size, not_text, read_workbook
from vsmapper.io.typed import AmbiguousDateError, typed_date

Layout = Literal["transitions", "intervals", "wide"]
HISTORY_SUFFIXES = (".csv", ".xlsx")
MAX_CSV_BYTES = 2 * 2**30
MAX_CELL_CHARACTERS = 1_000
MAX_STATUSES = 500
"""Real workflows have tens of statuses; thousands mean the wrong column was read."""
MAX_LISTED_ERRORS = 20
MAX_LISTED_COLUMNS = 12
DATE_FORMS = (
    "try 2024-03-12, 2024-03-12 14:30, 2024-03-12T14:30:00+02:00, 12/Mar/24 2:30 PM or "
    "13/03/2024 14:30, day or month first as the column shows by a day over 12"
)
EARLIEST, LATEST = datetime(1970, 1, 1), datetime(2100, 1, 1)
"""The timestamps a tracker writes: a year outside them is a typo (2204 for 2024), and years
past 9999 or before 1 are beyond what the measure can count in."""

# Azure DevOps names its fields "State", "Changed Date" or "System.ChangedDate" (read as
# "system changeddate"), and its Analytics "WorkItemId" and "ChangedDate".
SYNONYMS: dict[str, tuple[str, ...]] = {
    "item": (
        "item",
        "key",
        "issue key",
        "id",
        "work item",
        "work item id",
        "issue",
        "issue id",
        "system id",
        "workitemid",
    ),
    "at": (
        "at",
        "timestamp",
        "date",
        "changed",
        "created",
        "changed at",
        "changed date",
        "time",
        "changeddate",
        "system changeddate",
        "state change date",
        "state changed date",
    ),
    "to": (
        "to",
        "to status",
        "status",
        "new status",
        "to state",
        "new state",
        "state",
        "system state",
    ),
    "from": ("from", "from status", "old status", "from state"),
    "type": (
        "type",
        "issue type",
        "work item type",
        "item type",
        "workitemtype",
        "system workitemtype",
    ),
    "title": ("title", "summary", "name"),
    "status": ("status", "stage", "state"),
    "entered": ("entered", "entered at", "start", "started", "start date"),
    "exited": ("exited", "exited at", "end", "ended", "end date"),
}


@dataclass(frozen=True)
class History:
    """Status changes of work items: one row per item entering a status.

    ``events`` has ``item`` (text) and its ``item_code``, ``at`` (naive datetime; offsets
    converted to UTC), ``status`` (an enumeration of the names found; null when the item
    left every status, as at the end of its last interval), ``type`` (text or null) and
    ``seq`` (file order, which breaks timestamp ties) and ``first_entry`` (the item's first
    entry into that status); sorted by item code, time and file order, without repeated
    statuses.
    """

    source: str
    layout: Layout
    events: pl.DataFrame
    workflow_order: tuple[str, ...] = ()
    """The statuses in the order of a wide file's columns; empty for the other layouts."""

    @property
    def statuses(self) -> list[str]:
        """Every status name the history uses, in name order (the codes of ``status``)."""
        dtype = self.events.schema["status"]
        assert isinstance(dtype, pl.Enum)
        return dtype.categories.to_list()

    @property
    def status_count(self) -> int:
        """How many status names the history uses."""
        return len(self.statuses)

    @property
    def span(self) -> tuple[datetime, datetime]:
        """The first and the last timestamp."""
        at = pl.col("at")
        first, last = self.events.select(at.min().alias("first"), at.max().alias("last")).row(0)
        return first, last

    @property
    def items(self) -> int:
        """How many distinct work items the history holds."""
        return self.events["item_code"].n_unique()


def first_in_item(value: pl.Expr, kinds: int) -> pl.Expr:
    """Whether a row of ``History.events`` is its item's first with ``value`` (below ``kinds``).

    A null value is never first.
    """
    key = pl.col("item_code").cast(pl.Int64) * (kinds + 1) + value.cast(pl.Int64).fill_null(kinds)
    # Not elementwise: the whole column at once, never batch by batch.
    return key.map_batches(_first_occurrences, return_dtype=pl.Boolean) & value.is_not_null()


def _first_occurrences(keys: pl.Series) -> pl.Series:
    """Whether each key appears here for the first time.

    Keys grow with the item, so they are nearly sorted already: a stable sort (timsort)
    takes a few passes, several times faster than hashing every key.
    """
    import numpy as np

    values = keys.to_numpy()
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    first = np.ones(len(values), dtype=bool)
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    found = np.empty(len(values), dtype=bool)
    found[order] = first
    return pl.Series(keys.name, found)


def _header_key(text: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.casefold()).split())


def _find(headers: list[str], role: str) -> str | None:
    """The header playing ``role``, by its canonical name or a synonym."""
    wanted = SYNONYMS[role]
    for synonym in wanted:
        for header in headers:
            if _header_key(header) == synonym:
                return header
    return None


# --- dates -----------------------------------------------------------------------------------

_NORMALISE = (
    (r"^(\d{4}-\d{1,2}-\d{1,2})[Tt ]\s*", "${1} "),
    (r"\s*[Zz]$", "+00:00"),
    (r"\s*(?:UTC|GMT)$", "+00:00"),
    (r"(\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*([+-]\d{2}):?(\d{2})$", "${1}${2}:${3}"),
    (r"^(\d{4}-\d{1,2}-\d{1,2} \d{1,2}:\d{2})($|[+-].*$)", "${1}:00${2}"),
    (r"^(\d{4}-\d{1,2}-\d{1,2})$", "${1} 00:00:00"),
)
_NAIVE_FORMS = (
    "%Y-%m-%d %H:%M:%S%.f",
    "%d/%b/%y %I:%M %p",
    "%d/%b/%y %I:%M:%S %p",
    "%d/%b/%Y %I:%M %p",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
)


# Whole seconds read twice as fast as with an optional fraction, so they are tried first.
_DIRECT_FORMS = (
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%SZ",
    "%Y-%m-%dT%H:%M:%S%:z",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%S%.fZ",
    "%Y-%m-%d %H:%M:%S%.fZ",
    "%Y-%m-%dT%H:%M:%S%.f%:z",
    "%Y-%m-%dT%H:%M:%S%.f%z",
    "%Y-%m-%d %H:%M:%S%.f%:z",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d",
    *_NAIVE_FORMS[1:],
)
SAMPLE_SIZE = 200


def _with_form(text: pl.Series, form: str) -> pl.Series:
    """``text`` read in one form, offsets converted to UTC and dropped; null where it fails."""
    # The cache of unique values only slows down columns of mostly distinct timestamps.
    parsed = text.str.to_datetime(form, strict=False, time_unit="us", cache=False)
    if isinstance(parsed.dtype, pl.Datetime) and parsed.dtype.time_zone is not None:
        parsed = parsed.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
    return parsed


def _any_form(text: pl.Series) -> pl.Series:
    """Every form tried on every value, after normalising separators and offsets."""
    normalised = text.to_frame("text").select(_normalised(pl.col("text")))["text"]
    forms = [_with_form(normalised, "%Y-%m-%d %H:%M:%S%.f%:z")]
    forms += [_with_form(normalised, form) for form in _NAIVE_FORMS]
    return pl.select(pl.coalesce(forms)).to_series()


def _normalised(text: pl.Expr) -> pl.Expr:
    text = text.str.strip_chars()
    for pattern, replacement in _NORMALISE:
        text = text.str.replace(pattern, replacement)
    return text


def parse_timestamp_series(values: pl.Series, day_first: bool | None = None) -> pl.Series:
    """Naive datetimes from every date form the contract reads, in the years a tracker
    writes; null where none matches."""
    parsed = _any_timestamps(values, day_first)
    plausible = parsed.is_between(EARLIEST, LATEST, closed="left")
    return parsed if plausible.fill_null(True).all() else parsed.set(~plausible, None)


def _any_timestamps(values: pl.Series, day_first: bool | None = None) -> pl.Series:
    """Naive datetimes from every date form the contract reads, in any year.

    The form that reads most of a sample is applied to the whole column at once; only the
    values it cannot read go through every form, so a million timestamps parse in one pass.
    """
    sample = values.drop_nulls().head(SAMPLE_SIZE)
    best, best_read = _DIRECT_FORMS[0], -1
    for form in _DIRECT_FORMS:
        read = int(_with_form(sample, form).is_not_null().sum())
        if read > best_read:
            best, best_read = form, read
        if read == sample.len():
            break
    parsed = _with_form(values, best).alias(values.name)
    if parsed.null_count() != values.null_count():
        failed = (parsed.is_null() & values.is_not_null()).arg_true()
        parsed = parsed.scatter(failed, _any_form(values.gather(failed)))
    if parsed.null_count() != values.null_count():
        failed = (parsed.is_null() & values.is_not_null()).arg_true()
        parsed = parsed.scatter(failed, _numeric_dates(values.gather(failed), day_first))
    return parsed


_NUMERIC_DATE = r"^\s*(\d{1,2})([/.])(\d{1,2})[/.](\d{4})(?:[ T]+(\d{1,2}:\d{2}(?::\d{2})?))?\s*$"
"""``13/11/2023 14:12``, ``11/13/2023``, ``13.11.2023``: day and month in either order."""


def numeric_date_order(text: pl.Series) -> bool | None:
    """Whether dates written with numbers only put the day first (True), the month (False),
    or cannot tell (None): ``08/11/2023`` is 8 November in most of the world and 11 August
    in the US, and a day over 12 (``13/11/2023``) tells; dots always put the day first."""
    parts = text.str.extract_groups(_NUMERIC_DATE)
    first, second = parts.struct.field("1").cast(pl.Int32), parts.struct.field("3").cast(pl.Int32)
    day_first = bool((first > 12).any()) or bool((parts.struct.field("2") == ".").any())
    month_first = bool((second > 12).any())
    return None if day_first == month_first else day_first


def _numeric_dates(text: pl.Series, day_first: bool | None = None) -> pl.Series:
    """Dates written with numbers only, in the order given, or else the one ``text`` shows;
    unread where neither tells."""
    parts = text.str.extract_groups(_NUMERIC_DATE)
    first, second = parts.struct.field("1").cast(pl.Int32), parts.struct.field("3").cast(pl.Int32)
    if day_first is None:
        day_first = numeric_date_order(text)
    if day_first is None:
        return pl.Series(text.name, [None] * text.len(), dtype=pl.Datetime("us"))
    day, month = (first, second) if day_first else (second, first)
    time = parts.struct.field("5").fill_null("00:00")
    iso = pl.select(
        pl.format(
            "{}-{}-{} {}",
            parts.struct.field("4"),
            month.cast(pl.String).str.zfill(2),
            day.cast(pl.String).str.zfill(2),
            pl.when(time.str.count_matches(":") == 1).then(time + ":00").otherwise(time),
        )
    ).to_series()
    return iso.str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False, time_unit="us").alias(text.name)


def parse_date_text(text: str, where: str) -> datetime:
    """One timestamp from the command line or a dialog, in any form a history may use."""
    value = parse_timestamp_series(pl.Series([text], dtype=pl.String))[0]
    if value is not None:
        return value
    try:
        typed_date(text)
    except AmbiguousDateError as ambiguous:  # which two days, as the plan's due dates say
        raise VSMapperError(f"{where}: {ambiguous}") from None
    except ValueError:
        pass
    raise VSMapperError(f"{where}: {_not_a_date(text)}")


# --- reading tables --------------------------------------------------------------------------


def read_history(path: str | Path) -> History:
    """Read a ``.csv`` or ``.xlsx`` history; any unreadable row fails the whole read."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in HISTORY_SUFFIXES:
        raise VSMapperError(
            f"{path}: work-item history is read from .csv or .xlsx files, "
            f"not '{suffix or path.name}'"
        )
    table, skipped = _csv_table(path) if suffix == ".csv" else (_xlsx_table(path), 0)
    return history_from_table(table, str(path), skipped)


def _csv_table(path: Path) -> tuple[pl.DataFrame, int]:
    """Every cell of a CSV file as text, from its header on, and the lines above the header
    (Excel's ``sep=;`` line, a title with fewer separators than the header)."""
    size = file_size(path, "a history file")
    if size > MAX_CSV_BYTES:
        raise VSMapperError(
            f"{path}: the file is {size / 2**30:.1f} GB; histories over "
            f"{MAX_CSV_BYTES // 2**30} GB are refused (export a shorter period)"
        )
    source: Path | io.BytesIO = path
    try:
        if path.is_file():
            with path.open("rb") as stream:
                head = stream.read(65_536)
        else:
            # A device or a pipe tells no size and is read once: read it here, within the limit.
            data = read_bounded(path, MAX_CSV_BYTES, "histories")
            source, head = io.BytesIO(data), data[:65_536]
    except OSError as error:
        raise read_error(path, error) from None
    # UTF-16 (Excel's "Unicode Text") was read on, its column names garbled.
    problem = not_text(head, whole=len(head) < 65_536)
    if problem:
        raise VSMapperError(f"{path}: {problem}")
    text = head.decode("utf-8-sig", errors="replace")
    delimiter, skipped = _header_line(text.split("\n", TITLE_ROWS + 1)[: TITLE_ROWS + 1])
    try:
        return pl.read_csv(
            source,
            separator=delimiter,
            skip_rows=skipped,
            infer_schema=False,
            encoding="utf8",
            raise_if_empty=True,
        ), skipped
    except pl.exceptions.NoDataError:
        raise VSMapperError(f"{path}: the file is empty; a history needs a header row") from None
    except pl.exceptions.ComputeError as error:
        reason = str(error).strip().splitlines()[0][:200]
        if "utf-8" in reason.casefold() or "utf8" in reason.casefold():
            raise VSMapperError(
                f"{path}: not UTF-8 text; in Excel save it as 'CSV UTF-8'"
            ) from None
        raise VSMapperError(f"{path}: not readable as CSV ({reason})") from None
    except (pl.exceptions.PolarsError, OSError) as error:
        reason = str(error).strip().splitlines()[0][:200] if str(error).strip() else ""
        raise VSMapperError(
            f"{path}: not readable as CSV ({reason or type(error).__name__})"
        ) from None


def _header_line(lines: list[str]) -> tuple[str, int]:
    """The separator, and how many lines are above the header: the header is the first line
    that names an item column, else the first; a ``sep=;`` line names the separator."""
    named = re.fullmatch(r"sep=([^\r\n])\r?", lines[0]) if lines else None
    above = 1 if named else 0
    candidates = (named.group(1),) if named else CSV_DELIMITERS
    for place, line in enumerate(lines[above:]):
        for delimiter in candidates:
            if _find([cell.strip().strip('"') for cell in line.split(delimiter)], "item"):
                return delimiter, above + place
    first = lines[above] if len(lines) > above else ""
    return (candidates[0] if named else max(CSV_DELIMITERS, key=first.count)), above


def _xlsx_cell_text(value: object) -> str | None:
    """A cell as text; dates and Excel serial numbers as ISO timestamps."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return _excel_serial_text(value)
    text = str(value)
    return text if text.strip() else None


def _excel_serial_text(value: float) -> str:
    """An Excel serial date (days since 1899-12-30) as an ISO timestamp, or the number."""
    from openpyxl.utils.datetime import from_excel

    if 1 <= value < 2_958_466:
        moment = from_excel(value)
        if isinstance(moment, datetime):
            return moment.isoformat(sep=" ")
    return repr(value)


def _xlsx_table(path: Path) -> pl.DataFrame:
    """Every cell of a workbook's first sheet as text."""
    _check_file(path)
    with read_workbook(path) as workbook:
        if not workbook.worksheets:
            raise VSMapperError(f"{path}: the workbook has no worksheets")
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise VSMapperError(f"{path}: the sheet is empty; a history needs a header row")
        names = _unique_headers([str(cell) if cell is not None else "" for cell in header])
        columns: list[list[str | None]] = [[] for _ in names]
        for row in rows:
            for index, column in enumerate(columns):
                column.append(_xlsx_cell_text(row[index]) if index < len(row) else None)
    return pl.DataFrame(
        {
            name: pl.Series(name, column, dtype=pl.String)
            for name, column in zip(names, columns, strict=True)
        }
    )


def _unique_headers(names: list[str]) -> list[str]:
    """The names with a name given again told apart, as the CSV reader tells them apart."""
    seen: dict[str, int] = {}
    unique = []
    for name in names:
        base = name.strip() or "(blank)"
        count = seen.get(base, 0)
        seen[base] = count + 1
        unique.append(base if count == 0 else f"{base}{AGAIN}{count - 1}")
    return unique


AGAIN = "_duplicated_"
"""What the CSV reader adds to a column name given again, with a count from 0."""


def _given_again(headers: list[str], columns: list[str]) -> str | None:
    """The first of ``columns`` named as another column of ``headers`` is, by that name."""
    for column in columns:
        base, again, count = column.rpartition(AGAIN)
        if again and count.isdigit() and base in headers:
            return base
    return None


TITLE_ROWS = 4
"""Rows a header may sit under: a tracker's or a person's title, a date, a blank line."""


def _under_title(table: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """The table under its header, when a title pushed the header below the first row (as
    some trackers' exports do), and how many rows were above it; else the table as read."""
    if _find(table.columns, "item") is not None:
        return table, 0
    for place, row in enumerate(table.head(TITLE_ROWS).iter_rows()):
        names = _unique_headers([value or "" for value in row])
        if _find(names, "item") is not None:
            body = table.slice(place + 1)
            return body.rename(dict(zip(body.columns, names, strict=True))), place + 1
    return table, 0


# --- layouts ---------------------------------------------------------------------------------


def history_from_table(table: pl.DataFrame, source: str, skipped: int = 0) -> History:
    """Tell the layout from the headers and turn the rows into status changes; ``skipped``
    lines of the file were above the table."""
    table, above = _under_title(table)
    above += skipped
    headers = table.columns
    table = table.with_row_index("seq")
    item = _find(headers, "item")
    if item is None:
        raise VSMapperError(
            f"{source}: no item column among {_listed(headers)}; a history needs a column "
            "'Item' (or Key, Issue key, ID, Work item)"
        )
    kind = _find(headers, "type")
    # Rows blank in every cell (a spreadsheet's trailing ",,,") are no items; numbered
    # first, the rows left keep the file's own numbers. Only a blank item can start one.
    if (table[item].str.strip_chars().fill_null("") == "").any():
        table = table.filter(
            pl.any_horizontal(pl.col(headers).str.strip_chars().fill_null("") != "")
        )
    table = table.with_columns(
        pl.col("seq").cast(pl.Int64), (pl.col("seq").cast(pl.Int64) + 2 + above).alias("row")
    )
    entered, status = _find(headers, "entered"), _find(headers, "status")
    at, to = _find(headers, "at"), _find(headers, "to")
    if entered is not None and status is not None:
        layout: Layout = "intervals"
        events = _intervals(table, source, item, status, entered, _find(headers, "exited"), kind)
        order: tuple[str, ...] = ()
    elif at is not None and to is not None:
        layout = "transitions"
        events = _transitions(table, source, item, at, to, kind)
        order = ()
    else:
        not_statuses = {item, kind, _find(headers, "title")}
        status_columns = [header for header in headers if header not in not_statuses]
        # A column of names, not dates, means the file fits no layout: one line says so,
        # where reading it as wide would call every one of its cells "not a date".
        undated = next(
            (column for column in status_columns if _holds_no_dates(table[column])), None
        )
        if not status_columns or undated is not None:
            why = f" ('{undated[:60]}' holds no dates)" if undated is not None else ""
            raise VSMapperError(
                f"{source}: cannot tell the layout from the columns {_listed(headers)}{why}; "
                "give 'Item', 'At', 'To' (a row per status change), 'Item', 'Status', "
                "'Entered', 'Exited' (a row per visit), or 'Item' and a column per status "
                "holding the date the item entered it"
            )
        twice = _given_again(headers, status_columns)
        if twice is not None:
            raise VSMapperError(
                f"{source}: two columns are '{twice[:60]}'; a status has one column of the "
                "dates items entered it: keep one"
            )
        layout = "wide"
        events = _wide(table, source, item, status_columns, kind)
        order = tuple(status_columns)
    statuses = _checked_statuses(events, source)
    return History(source, layout, _in_item_order(events, statuses), order)


def _listed(headers: list[str]) -> str:
    """Column names as a user would look for them in the file, the first dozen of them."""
    shown = ", ".join(f"'{header[:60]}'" for header in headers[:MAX_LISTED_COLUMNS])
    return shown if len(headers) <= MAX_LISTED_COLUMNS else f"{shown} … ({len(headers)} in all)"


def _holds_no_dates(values: pl.Series) -> bool:
    """Whether a column has text and none of its first values reads as a date."""
    text = values.drop_nulls().str.strip_chars()
    sample = text.filter(text != "").head(SAMPLE_SIZE)
    if sample.len() == 0 or bool(sample.str.contains(_NUMERIC_DATE).any()):
        # Dates in numbers whose order the sample does not show are still dates.
        return False
    return parse_timestamp_series(sample).null_count() == sample.len()


def _in_item_order(events: pl.DataFrame, statuses: list[str]) -> pl.DataFrame:
    """Each item's status changes in time order (file order breaks ties), repeats dropped.

    Trackers export items one after another in time order, so the rows are checked first
    and sorted only when they are not. A row that repeats the status the item is already
    in (a duplicate row, or a change to the same status) is not a new visit. Items get
    integer codes (their place in this order), which group far faster than their names,
    and statuses become an enumeration of the few names found. ``first_entry`` flags
    each item's first entry into each status.
    """
    run = pl.col("item").rle_id()
    at, seq = pl.col("at"), pl.col("seq")
    later = (at > at.shift(1)) | ((at == at.shift(1)) & (seq > seq.shift(1)))
    in_order = events.select(
        pl.col("item").rle().struct.field("value").is_unique().all()
        & ((run != run.shift(1)) | later).all()
    ).item()
    if not in_order:
        events = events.sort("item", "at", "seq")
    coded = events.with_columns(run.cast(pl.UInt32).alias("item_code")).set_sorted("item_code")
    changes = pl.col("item_code").ne_missing(pl.col("item_code").shift(1)) | pl.col(
        "status"
    ).ne_missing(pl.col("status").shift(1))
    status = pl.col("status")
    return (
        coded.lazy()
        .filter(changes)
        .select("item", "item_code", "at", status.cast(pl.Enum(statuses)), "type", "seq")
        .with_columns(first_in_item(status.to_physical(), len(statuses)).alias("first_entry"))
        .collect()
    )


def _text_columns(
    table: pl.DataFrame, source: str, required: dict[str, str], kind: str | None
) -> pl.DataFrame:
    """Stripped text of the ``required`` columns (role → header) and of the type column.

    Refused, naming rows, where a required cell is blank or any cell is huge; a blank type
    is null. The checks look at each column's distinct values (its runs for items, which
    come one after another), and a column is stripped only when one of them needs it.
    """
    columns = {**required, **({"type": kind} if kind else {})}
    expressions = []
    for role, column in columns.items():
        values = _distinct(table[column], runs=role == "item")
        stripped = values.str.strip_chars()
        if role in required and bool((values.is_null() | (stripped == "")).any()):
            _refuse(
                table,
                source,
                column,
                pl.col(column).is_null() | (pl.col(column).str.strip_chars() == ""),
                _saying(f"the {role} is blank"),
            )
        # Bytes are at least characters: only a long one in bytes needs counting.
        if bool((values.str.len_bytes() > MAX_CELL_CHARACTERS).any()):
            _refuse_huge(table, source, column)
        text = pl.col(column)
        if bool(stripped.ne_missing(values).any()):
            text = text.str.strip_chars()
        if role == "type" and bool((stripped == "").any()):
            text = _blank_as_null(text)
        expressions.append(text.alias(role))
    if kind is None:
        expressions.append(pl.lit(None, pl.String).alias("type"))
    return table.select(*expressions, "seq")


def _distinct(values: pl.Series, runs: bool) -> pl.Series:
    """Every value of a column, each at least once: its distinct values, or its runs."""
    return values.rle().struct.field("value") if runs else values.unique()


def _saying(reason: str) -> Callable[[str], str]:
    """A reason for ``_refuse`` that does not depend on the cell."""
    return lambda _value: reason


def _blank_as_null(text: pl.Expr) -> pl.Expr:
    return pl.when(text == "").then(None).otherwise(text)


def _refuse_huge(table: pl.DataFrame, source: str, column: str) -> None:
    _refuse(
        table,
        source,
        column,
        pl.col(column).str.len_chars() > MAX_CELL_CHARACTERS,
        lambda value: (
            f"{len(value):,} characters is too long for a name (at most {MAX_CELL_CHARACTERS:,})"
        ),
    )


def _timestamps(
    table: pl.DataFrame,
    source: str,
    column: str,
    *,
    blank_allowed: bool = False,
    day_first: bool | None = None,
) -> pl.Series:
    """The column parsed as timestamps, after checking every non-blank cell reads; dates in
    numbers in the order ``day_first`` gives, else the one the column shows."""
    parsed = parse_timestamp_series(table[column], day_first)
    if parsed.null_count() == 0:
        return parsed
    text = pl.col(column).str.strip_chars()
    blank = text.is_null() | (text == "")
    unread = pl.lit(parsed).is_null()
    _refuse(
        table,
        source,
        column,
        unread & ~blank if blank_allowed else unread,
        lambda value: "the date is blank" if not (value or "").strip() else _not_a_date(value),
    )
    return parsed


def _not_a_date(text: str) -> str:
    """Why ``text`` is not read as a timestamp: no form reads it, or its year is not one a
    tracker writes."""
    if _any_timestamps(pl.Series([text], dtype=pl.String)).is_not_null().any():
        return f"'{text[:60]}' is not a year a tracker writes ({EARLIEST.year}–{LATEST.year - 1})"
    return f"'{text[:60]}' is not a date ({DATE_FORMS})"


def _refuse(
    table: pl.DataFrame,
    source: str,
    column: str,
    bad: pl.Expr,
    reason: Callable[[str], str],
) -> None:
    """Fail with the first bad rows, naming their row and column."""
    mask = table.select(bad.fill_null(False)).to_series()
    count = mask.sum()
    if not count:
        return
    found = table.filter(mask).select("row", column).head(MAX_LISTED_ERRORS)
    lines = [f"row {row}, {column}: {reason(value or '')}" for row, value in found.iter_rows()]
    more = f" ({count:,} rows in all)" if count > 1 else ""
    # The first row is the message; the details list the others, each once.
    raise VSMapperError(f"{source}: {lines[0]}{more}", lines[1:])


def _file_date_order(table: pl.DataFrame, columns: list[str]) -> bool | None:
    """The order of dates in numbers over all ``columns``: one column of a file may hold
    only dates that do not tell (05/03/2024) while another shows it (20/04/2024)."""
    return numeric_date_order(pl.concat([table[column] for column in columns]))


def _transitions(
    table: pl.DataFrame, source: str, item: str, at: str, to: str, kind: str | None
) -> pl.DataFrame:
    texts = _text_columns(table, source, {"item": item, "status": to}, kind)
    return texts.with_columns(_timestamps(table, source, at).alias("at")).select(
        "item", "at", "status", "type", "seq"
    )


def _intervals(
    table: pl.DataFrame,
    source: str,
    item: str,
    status: str,
    entered: str,
    exited: str | None,
    kind: str | None,
) -> pl.DataFrame:
    texts = _text_columns(table, source, {"item": item, "status": status}, kind)
    day_first = _file_date_order(table, [entered, *([exited] if exited else [])])
    visits = texts.select(
        "item",
        _timestamps(table, source, entered, day_first=day_first).alias("at"),
        (
            _timestamps(table, source, exited, blank_allowed=True, day_first=day_first)
            if exited
            else pl.lit(None, dtype=pl.Datetime("us"))
        ).alias("exited"),
        "status",
        "type",
        (pl.col("seq") * 2).alias("seq"),
    )
    backwards = visits.filter(pl.col("exited") < pl.col("at"))
    if not backwards.is_empty():
        row = backwards["seq"][0] // 2 + 2
        raise VSMapperError(f"{source}: row {row}, {exited}: the item exits before it enters")
    # Where an item leaves a status and enters no other, it leaves the stream: a null status.
    last_exits = (
        visits.sort("item", "at", "seq")
        .group_by("item", maintain_order=True)
        .last()
        .filter(pl.col("exited").is_not_null())
        .select(
            "item",
            pl.col("exited").alias("at"),
            pl.lit(None, dtype=pl.String).alias("status"),
            "type",
            (pl.col("seq") + 1).alias("seq"),
        )
    )
    return pl.concat([visits.drop("exited"), last_exits])


def _wide(
    table: pl.DataFrame,
    source: str,
    item: str,
    status_columns: list[str],
    kind: str | None,
) -> pl.DataFrame:
    width = len(status_columns)
    day_first = _file_date_order(table, status_columns)
    items = _text_columns(table, source, {"item": item}, kind).select(
        "item",
        "type",
        "seq",
        *(
            _timestamps(table, source, column, blank_allowed=True, day_first=day_first).alias(
                f"\x00{index}"
            )
            for index, column in enumerate(status_columns)
        ),
    )
    long = items.unpivot(
        index=["item", "type", "seq"], variable_name="column", value_name="at"
    ).filter(pl.col("at").is_not_null())
    position = pl.col("column").str.slice(1).cast(pl.Int64)
    names = {f"\x00{index}": column for index, column in enumerate(status_columns)}
    return long.select(
        "item",
        "at",
        pl.col("column").replace_strict(names, return_dtype=pl.String).alias("status"),
        "type",
        (pl.col("seq") * width + position).alias("seq"),
    )


def _checked_statuses(events: pl.DataFrame, source: str) -> list[str]:
    """Every status name, in name order, once the history is known to be measurable."""
    if events.is_empty():
        raise VSMapperError(f"{source}: the history has no rows under its header")
    found = events["status"].drop_nulls().unique()
    if found.len() > MAX_STATUSES:
        raise VSMapperError(
            f"{source}: the history has {found.len():,} different statuses; at most "
            f"{MAX_STATUSES} are measured (is the status column the right one?)"
        )
    return sorted(found.to_list())
