"""Spreadsheet rows into a map (docs/file-format.md): headers and their synonyms, cells, problems.

The CSV and Excel readers only turn a file into ``Table`` rows; this module reads them
alike, so the two formats accept exactly the same sheets.
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import functools
import itertools
import json
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple, TypeGuard

from pydantic import ValidationError

from vsmapper.errors import VSMapperError, printable, quoted
from vsmapper.io.tables import AI_COLUMNS, END_OF_FLOW, SCENARIO_COLUMNS, WORKBOOK_STAGE_COLUMNS
from vsmapper.model import (
    AIOpportunity,
    Calendar,
    Estimate,
    Flow,
    Scenario,
    SideEffect,
    Stage,
    StageOverride,
    ValueStream,
    parse_estimate,
)
from vsmapper.model.document import FreshIds, slug
from vsmapper.model.duration import (
    LONGEST,
    TooLongError,
    decimal_comma_hint,
    format_number,
    looks_computed,
    read_decimal,
)
from vsmapper.model.kinds import guessed_kind_and_phase
from vsmapper.model.stream import STATUS_STATES, Phase, map_problems
from vsmapper.model.text import plain_text
from vsmapper.model.validation import validation_messages

MAX_LISTED_PROBLEMS = 20
MAX_EXACT_INTEGER = 10**15
"""A cell's integer past this is past every bound, and too long to be read as a float."""


@dataclass(frozen=True)
class UnsavedFormula:
    """A workbook's formula stored without its result, as files written by scripts are."""

    text: str

    def problem(self) -> str:
        """Why the cell cannot be read, and what to do."""
        return (
            f"a formula with no saved result ({quoted(self.text)}); open and save the workbook "
            "in Excel or LibreOffice, which store it, then import again"
        )


@dataclass(frozen=True)
class ErrorValue:
    """A workbook cell holding a formula's error, such as ``#NAME?``, rather than a value."""

    text: str

    def problem(self) -> str:
        """Why the cell cannot be read, and what to do."""
        return f"holds the error {quoted(self.text)}; correct its formula in the workbook"


UnreadableValue = UnsavedFormula | ErrorValue
CellValue = str | float | int | bool | datetime | date | time | timedelta | UnreadableValue | None


class Cell(NamedTuple):
    """A cell as read: its value, and whether the sheet shows it as a percentage."""

    value: CellValue
    percent: bool = False


@dataclass(frozen=True)
class Table:
    """The rows of one sheet, each with its row number in the sheet; the first is the header."""

    rows: list[tuple[int, list[Cell]]]
    sheet: str = ""
    """The sheet's name in messages; '' for the stage table, whose rows need no sheet name."""
    separator: str = ""
    """What a CSV file's cells were split at; '' for a sheet, whose cells cannot spill over."""

    @property
    def where(self) -> str:
        """The start of a message about this sheet: 'AI opportunities, ' or ''."""
        return f"{self.sheet}, " if self.sheet else ""


@dataclass(frozen=True)
class Workbook:
    """The tables an import reads: the stages, and our own export's other sheets if present."""

    stages: Table
    settings: Table | None = None
    ai: Table | None = None
    scenarios: Table | None = None
    statuses: Table | None = None


@dataclass(frozen=True)
class Settings:
    """Map-level values an import takes from a ``Settings`` sheet or the command line."""

    name: str | None = None
    description: str | None = None
    hours_per_day: float | None = None
    days_per_week: float | None = None
    demand_per_week: float | None = None
    hourly_cost: float | None = None
    currency: str | None = None

    def over(self, other: Settings) -> Settings:
        """These settings where given, ``other``'s elsewhere."""
        return Settings(
            **{
                name: mine if mine is not None else getattr(other, name)
                for name, mine in vars(self).items()
            }
        )


MAX_LISTED_NOTICES = 10


class Problems:
    """The problems an import found: all are counted, the first 20 are listed."""

    def __init__(
        self, source: str, action: str = "imported", notices: list[str] | None = None
    ) -> None:
        self.source = source
        self.action = action
        self.lines: list[str] = []
        self.notices = [] if notices is None else notices
        """What was read in a way the user should know of, though nothing is wrong."""
        self._noticed = 0
        self._summary_at: int | None = None

    def add(self, line: str) -> None:
        """Note one problem."""
        self.lines.append(line)

    def notice(self, line: str) -> None:
        """Note how something was read, for the user to check; past the first
        ``MAX_LISTED_NOTICES``, one line counts the rest (3,000 rows made a message box
        taller than the screen)."""
        self._noticed += 1
        if self._noticed <= MAX_LISTED_NOTICES:
            self.notices.append(printable(line))
            return
        summary = f"… and {self._noticed - MAX_LISTED_NOTICES:,} more notes like these"
        if self._summary_at is None:
            self._summary_at = len(self.notices)
            self.notices.append(summary)
        else:
            self.notices[self._summary_at] = summary

    def check(self, where: str, read: Callable[..., Any], *arguments: Any) -> Any:
        """``read(*arguments)``, or None after noting its ``ValueError`` at ``where``."""
        try:
            return read(*arguments)
        except ValueError as error:
            self.add(f"{where}: {error}")
            return None

    def raise_any(self) -> None:
        """One ``VSMapperError`` listing the problems, if there are any: nothing is imported."""
        if not self.lines:
            return
        count = len(self.lines)
        listed = "" if count <= MAX_LISTED_PROBLEMS else f" (the first {MAX_LISTED_PROBLEMS})"
        found = "1 problem" if count == 1 else f"{count} problems"
        raise VSMapperError(
            f"{self.source}: {found}{listed}; nothing was {self.action}",
            details=self.lines[:MAX_LISTED_PROBLEMS],
        )


# Canonical column → the other headers it may have. Headers are compared without case, spaces,
# underscores or a bracketed unit; "(text)" marks the exact-text twin of a time column.
STAGE_HEADERS: dict[str, tuple[str, ...]] = {
    "Stage": ("step", "name", "process", "stage name"),
    "Id": ("stage id",),
    "Phase": (),
    "Kind": ("type",),
    # C/T, the classic value stream map's cycle time: the work on one item at the step.
    "Process time": ("pt", "touch time", "work time", "processing time", "cycle time", "c/t"),
    "Wait time": ("wt", "queue time", "delay", "wait"),
    "Lead time": ("lt", "step lead time", "elapsed time"),
    "%C&A": ("pca", "c&a", "complete and accurate", "percent complete and accurate", "quality"),
    "Rework to": ("rework",),
    "People": ("headcount", "fte"),
    "Availability": (),
    "Hourly cost": ("rate",),
    "Next": ("successors", "next stages"),
    "Notes": ("note",),
    "WIP": ("work in progress",),
    "Throughput per week": ("throughput",),
    "Position x": (),
    "Position y": (),
    "Wait kind": ("wait type",),
    "Map order": (),
}
TEXT_TWINS = {"Process time": "Process time (text)", "Wait time": "Wait time (text)"}
AI_HEADERS: dict[str, tuple[str, ...]] = {
    "Stage": ("step",),
    "Id": (),
    "Practice": (),
    "Name": ("ai opportunity", "opportunity"),
    "Process time factor": ("pt factor",),
    "Wait time factor": ("wt factor",),
    "%C&A delta": ("pca delta",),
    "Monthly cost": (),
    "Status": (),
    "Confidence": (),
    "Note": ("notes",),
    "Also": ("side effects",),
}
SCENARIO_HEADERS: dict[str, tuple[str, ...]] = {
    "Scenario": ("name",),
    "Id": (),
    "Enabled AI": ("ai",),
    "Overrides": (),
    "Demand factor": (),
}
STATUS_HEADERS: dict[str, tuple[str, ...]] = {"Status": (), "Stage": (), "State": ()}
SETTINGS_NAMES: dict[str, tuple[str, ...]] = {
    "Name": ("map", "map name"),
    "Description": (),
    "Hours per day": ("working hours per day", "hours/day"),
    "Days per week": ("working days per week", "days/week"),
    "Demand per week": ("demand", "items per week"),
    "Hourly cost": ("rate",),
    "Currency": (),
}
TIME_COLUMNS = ("Process time", "Wait time", "Lead time")
COMPUTED_COLUMNS = frozenset(
    _key_of_title
    for columns in (WORKBOOK_STAGE_COLUMNS, AI_COLUMNS, SCENARIO_COLUMNS)
    for column in columns
    for _key_of_title in (re.sub(r"[\s_]+", "", column.title.split("(")[0].lower()),)
)
"""Columns our own export adds for people (leverage, share...); an import skips them silently."""
LONGEST_HEADER_COMPARED = 40
"""Longer header texts are not compared for misspellings: they are notes, not column names."""


def _key(text: str) -> str:
    """A header as compared: no case, spaces or underscores."""
    return re.sub(r"[\s_]+", "", text.lower())


def _split_header(header: str) -> tuple[str, str]:
    """``'Process time (h)'`` → ``('processtime', 'h')``: the name and what is in brackets.

    Plain string search, so a header of any length takes time in proportion to its length.
    """
    text = header.strip()
    start = text.rfind("(") if text.endswith(")") else -1
    if start < 0 or ")" in text[start + 1 : -1]:
        return _key(text), ""
    return _key(text[:start]), text[start + 1 : -1].strip().lower()


FIGURE_COLUMNS = frozenset(
    {
        "Process time",
        "Wait time",
        "Lead time",
        "%C&A",
        "People",
        "Availability",
        "Hourly cost",
        "WIP",
        "Throughput per week",
    }
)
"""The stage table's columns of numbers and times; the others hold names and words."""


def figure_columns(header: Sequence[object]) -> set[int]:
    """Where a header row puts the stage table's columns of numbers and times."""
    lookup = _lookup(STAGE_HEADERS)
    return {
        place
        for place, name in enumerate(header)
        if isinstance(name, str) and lookup.get(_split_header(name)[0]) in FIGURE_COLUMNS
    }


def _lookup(names: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Compared header → canonical column."""
    return {
        _key(alias): column for column, aliases in names.items() for alias in (column, *aliases)
    }


HEADER_SEARCH_ROWS = 5
"""How many of a stage table's first rows (blank ones not counted) may hold its header."""


def header_place(rows: Iterable[Sequence[CellValue]]) -> int:
    """Which row of a stage table names its columns: the first that is not blank, unless it
    names no Stage column and one of the next few names Stage and another column (a title
    above the header)."""
    first, seen = 0, 0
    for place, row in enumerate(rows):
        if all(_is_blank(value) for value in row):
            continue
        names = stage_columns_named(row)
        if "Stage" in names and (not seen or len(names) > 1):
            return place
        first = place if not seen else first
        seen += 1
        if seen == HEADER_SEARCH_ROWS:
            break
    return first


def stage_columns_named(row: Sequence[CellValue]) -> set[str]:
    """The stage table's columns a row names, as a header row names them."""
    lookup = _lookup(STAGE_HEADERS)
    return {
        lookup[name]
        for value in row
        if isinstance(value, str)
        and (name := _split_header(value.strip().removeprefix("#"))[0]) in lookup
    }


@dataclass(frozen=True)
class Header:
    """Where each known column is in a sheet, and the unit a time column's bare numbers have."""

    places: dict[str, int]
    units: dict[str, str] = field(default_factory=dict)


def read_header(
    table: Table, names: dict[str, tuple[str, ...]], problems: Problems, required: str
) -> Header | None:
    """Find the known columns of ``table``; unknown ones are left alone (they may be notes)."""
    if not table.rows:
        problems.add(
            f"{table.where}the sheet is empty; the first row must hold the column "
            f"names, with at least '{required}'"
        )
        return None
    row, cells = table.rows[0]
    lookup = _lookup(names)
    places: dict[str, int] = {}
    units: dict[str, str] = {}
    unknown: list[str] = []
    for place, cell in enumerate(cells):
        if not isinstance(cell.value, str) or not cell.value.strip():
            continue
        # A leading '#' marks the header row in some tools' exports ('# Stage, LT, PT').
        text = cell.value.strip().removeprefix("#") if place == 0 else cell.value
        if not text.strip() or text.strip() == "#":
            continue
        name, bracket = _split_header(text)
        column = lookup.get(name)
        if column is None:
            if name not in COMPUTED_COLUMNS:
                _unknown_column(table, row, place, text, lookup, problems, unknown)
            continue
        if column in TEXT_TWINS and bracket == "text":
            column = TEXT_TWINS[column]
        elif column in TIME_COLUMNS and bracket:
            unit = problems.check(f"{table.where}row {row}, {cell.value.strip()}", _unit, bracket)
            units[column] = unit or ""
        if column is None:
            continue
        if column in places:
            problems.add(
                f"{table.where}row {row}: two columns are {column} "
                f"({_letter(places[column])} and {_letter(place)}); keep one"
            )
        places.setdefault(column, place)
    if required not in places:
        known = ", ".join(names)
        problems.add(
            f"{table.where}row {row}: no '{required}' column; the first row must name "
            f"the columns ({known})"
        )
        return None
    if unknown:
        many = len(unknown) > 1
        problems.notice(
            f"{table.where}{'columns' if many else 'column'} {', '.join(unknown)} "
            f"{'are' if many else 'is'} not read (VSMapper does not know "
            f"{'them' if many else 'it'}); {'their' if many else 'its'} values were left out"
        )
    if "Lead time" in places and "Wait time" in places:
        problems.add(
            f"{table.where}row {row}: both a Wait time and a Lead time column; give one "
            "(the wait is read as lead time − process time)"
        )
    return Header(places, units)


def _unknown_column(
    table: Table,
    row: int,
    place: int,
    text: str,
    lookup: dict[str, str],
    problems: Problems,
    unknown: list[str],
) -> None:
    """A misspelt column name is a problem ("did you mean"); any other is noted and skipped."""
    name = _split_header(text)[0]
    close = (
        difflib.get_close_matches(name, lookup, n=1, cutoff=0.8)
        if len(name) <= LONGEST_HEADER_COMPARED
        else []
    )
    if close:
        problems.add(
            f"{table.where}row {row}, column {_letter(place)}: {quoted(text.strip())} is not "
            f"a column VSMapper knows; did you mean '{lookup[close[0]]}'?"
        )
    else:
        unknown.append(f"{_letter(place)} {quoted(text.strip())}")


def _unit(bracket: str) -> str:
    """The unit a header's bracket gives bare numbers: '' for hours, else e.g. 'd' or 'days'."""
    try:
        one = parse_estimate(f"1{bracket}")
    except ValueError:
        raise ValueError(f"'({bracket})' is not a unit of time; use (h), (d), (w) or (m)") from None
    return "" if one.likely_hours() == 1 else bracket


def _letter(place: int) -> str:
    """Column letter of a 0-based place: 0 → A, 27 → AB."""
    letters = ""
    place += 1
    while place:
        place, rest = divmod(place - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _is_blank(value: CellValue) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: CellValue) -> str:
    """A cell as text; numbers as they were written."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return format_number(value) if math.isfinite(value) else str(value)
    return "" if value is None else str(value)


def read_number(cell: Cell) -> float | int:
    """A number written in a cell or as text."""
    value = cell.value
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"{_text(value)!r} is not a number")
    if isinstance(value, str):
        value = read_decimal(value)
    if isinstance(value, int) and abs(value) > MAX_EXACT_INTEGER:
        value = float("inf") if value > 0 else float("-inf")
    if not math.isfinite(value):
        raise ValueError(f"{quoted(_text(value))} is not a finite number")
    # Whole numbers stay whole, so the model's messages say 0 and 30 rather than 0.0 and 30.0.
    return int(value) if float(value).is_integer() and abs(value) < MAX_EXACT_INTEGER else value


_PERCENT_DECIMAL_COMMA = re.compile(r"\d+,\d{1,2}%?")
"""``92,5``: a percentage never groups thousands, so a comma before one or two digits is a
decimal one, as a phone's keypad in many languages types it."""


def percent_number(cell: Cell) -> tuple[float | int, bool]:
    """A number and whether it was written as a percentage (``85%`` or a % cell)."""
    text = cell.value.strip() if isinstance(cell.value, str) else ""
    if _PERCENT_DECIMAL_COMMA.fullmatch(text):
        text = text.replace(",", ".")
        cell = Cell(text, cell.percent)
    if text.endswith("%"):
        try:
            return read_number(Cell(text[:-1])), True
        except ValueError:
            hint = decimal_comma_hint(text)
            advice = f" ({hint})" if hint else ""
            raise ValueError(f"{text!r} is not a percentage{advice}") from None
    number = read_number(cell)
    return (number * 100, True) if cell.percent else (number, False)


def read_pca(cell: Cell, fraction_scale: float = 1) -> float | int:
    """%C&A in percent: ``85``, ``85%`` or 0.85 in a cell shown as a percentage.

    ``fraction_scale`` multiplies a plain number: 100 when the column holds fractions.
    """
    number, marked = percent_number(cell)
    # Rounded so that 0.9 reads as 90, not 90.00000000000001.
    return number if marked else round(number * fraction_scale, 9)


def read_availability(cell: Cell) -> float | int:
    """Availability as a fraction: ``0.5``, ``50`` or ``50%``."""
    number, percent = percent_number(cell)
    share = number / 100 if percent or number > 1 else number
    if share > 1:
        raise ValueError(
            f"{quoted(_text(cell.value))} is more than 100 %: availability is the share of "
            "their time the people give this stage (50% or 0.5)"
        )
    return share


def read_duration(cell: Cell, unit: str) -> Estimate:
    """A duration; a bare number counts in the column's ``unit`` (hours when none is given),
    a cell shown as a time (``04:30``, ``[h]:mm``) in hours and minutes whatever the unit."""
    value = cell.value
    if isinstance(value, time):
        return _clock_time(value.hour * 60 + value.minute + value.second / 60)
    if isinstance(value, timedelta) and value >= timedelta(0):
        return _clock_time(value.total_seconds() / 60)
    if isinstance(value, date):
        day = value.date() if isinstance(value, datetime) and value.time() == time() else value
        raise ValueError(
            f"{quoted(day)} is a date: Excel turns 1-3 into a date; format the column as Text "
            "and type 1-3d"
        )
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"{_text(value)!r} is not a duration (try 3d, 4h, 90m, 2-5d)")
    if isinstance(value, int) and abs(value) > MAX_EXACT_INTEGER:
        raise ValueError("the number is too long; durations are at most 100 years (876,600 hours)")
    if isinstance(value, int | float):
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"{_text(value)!r} is not a duration; durations are 0 or more")
        if not unit:
            return Estimate.read(float(value))
        value = format_number(value)
    text = value.strip()
    clock = _CLOCK.fullmatch(text)
    if clock:
        # As a CSV writes a cell shown as a time: what the cell showed.
        hours, minutes, seconds = clock.groups()
        try:
            return _clock_time(int(hours) * 60 + int(minutes) + int(seconds or 0) / 60)
        except TooLongError:
            raise TooLongError(f"{quoted(text)} is too long; {LONGEST}") from None
    if unit and not re.search(r"[a-zA-Z]", text):
        text += unit
    try:
        return _estimate(text)
    except TooLongError:
        raise  # a duration past its bounds says so ("at most 100 years")
    except ValueError:
        # A bare "1,200" is hours, and is advised as "1,200h" is.
        unit_written = text if re.search(r"[a-zA-Z]", text) else f"{text}h"
        advice = decimal_comma_hint(unit_written) or "try 3d, 4h, 90m, 2-5d"
        raise ValueError(f"{value.strip()!r} is not a duration ({advice})") from None


_CLOCK = re.compile(r"(\d{1,6}):([0-5]\d)(?::([0-5]\d))?")
"""Hours and minutes (and seconds, to the nearest minute, as in a time cell) as a sheet shows
a time: ``04:30``, ``126:05``, ``4:30:00``."""


def _clock_time(minutes: float) -> Estimate:
    """A time cell's hours and minutes as people write them: ``2h 20m``, ``20m``, ``4h``."""
    hours, rest = divmod(round(minutes), 60)
    text = (f"{hours}h" if hours else "") + (f"{rest}m" if rest or not hours else "")
    return _estimate(text)


@functools.lru_cache(maxsize=4096)
def _estimate(text: str) -> Estimate:
    """``parse_estimate``, once per text: sheets repeat a few durations thousands of times."""
    return parse_estimate(text)


def read_text(cell: Cell) -> str:
    """A cell's text without surrounding spaces, on one line and without control characters."""
    return _one_line(_text(cell.value))


def _one_line(text: str) -> str:
    # A cell written with Alt+Enter holds a line break, which a name, id or choice never has;
    # text without one (or a control character) keeps its spaces, as the map file has them.
    if text.isprintable() or not any(_breaks_a_line(char) for char in text):
        return text.strip()
    return plain_text(text)


def _breaks_a_line(char: str) -> bool:
    """A line break, or a control or format character such as a bidi override."""
    return unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp")


def _kept_text(cell: Cell | None) -> str | None:
    """Free text as it is, spaces and all; None for an empty cell."""
    return None if cell is None or cell.value is None else _text(cell.value)


def read_choice(cell: Cell) -> str:
    """A keyword such as a phase or kind, in lower case."""
    return read_text(cell).lower()


def read_names(cell: Cell) -> list[str]:
    """Names or ids separated by ``;``."""
    return [name for part in _text(cell.value).split(";") if (name := _one_line(part))]


@dataclass
class StageRow:
    """One stage as read, before its references to other stages are resolved."""

    row: int
    fields: dict[str, Any]
    next: list[str] | None
    rework_to: str | None
    map_order: float | int | None = None
    id_made: bool = False
    """Whether the id was made from the name, the sheet giving none."""


class _Resolver:
    """Finds stages by the names and ids other cells use: a name, an id, then an old name."""

    def __init__(self, rows: Sequence[StageRow], problems: Problems) -> None:
        self.by_name: dict[str, list[StageRow]] = {}
        self.by_folded: dict[str, list[StageRow]] = {}
        for row in rows:
            self.by_name.setdefault(row.fields["name"], []).append(row)
            self.by_folded.setdefault(row.fields["name"].casefold(), []).append(row)
        self.ids = {row.fields["id"] for row in rows}
        written = [row for row in rows if not row.id_made]
        given = Counter(row.fields["id"] for row in written)
        # A shared Id is refused anyway, and would leave an old name two stages to mean.
        self.by_written_id = {
            row.fields["id"]: row for row in written if given[row.fields["id"]] == 1
        }
        self.has_ids = bool(written)
        self.problems = problems
        self._noticed: set[tuple[str, str]] = set()

    def __call__(self, reference: str, where: str) -> str:
        """The id of the stage ``reference`` names in the cell ``where`` ('row 5, Next')."""
        named = self.by_name.get(reference) or self.by_folded.get(reference.casefold()) or []
        if len(named) == 1:
            return named[0].fields["id"]
        if reference in self.ids:
            return reference
        if named:
            rows = " and ".join(str(row.row) for row in named[:2])
            raise ValueError(
                f"'{reference}' names more than one stage (rows {rows}); "
                "write the stage's Id instead"
            )
        # '(end)' ends a row's flow, whatever stage has the Id 'end'.
        old_name = reference.casefold() != END_OF_FLOW
        renamed = self.by_written_id.get(slug(reference, "")) if old_name else None
        if renamed is not None:
            # A new name that was another stage's: names moved between stages, and a cell
            # naming one may mean either.
            moved = self.by_written_id.get(slug(renamed.fields["name"], ""))
            if moved is not None and moved is not renamed:
                raise ValueError(
                    f"'{reference}' is not a stage in this sheet, and stages were renamed to "
                    f"each other's names ({quoted(renamed.fields['name'])}, row {renamed.row}, "
                    f"was the name of row {moved.row}, Id '{moved.fields['id']}'): write the "
                    "stages' Ids in these cells"
                )
            self._note_renamed(reference, renamed, where)
            return renamed.fields["id"]
        if self.has_ids:
            raise ValueError(
                f"'{reference}' is not a stage in this sheet (a stage renamed in the Stages "
                "sheet keeps its old name in the Next, Rework to, AI opportunities, "
                "Scenarios and Statuses cells: write its new name or its Id there)"
            )
        raise ValueError(f"'{reference}' is not a stage in this sheet")

    def at(self, where: str) -> Callable[[str], str]:
        """This resolver for the cell ``where``, as the JSON cells' readers call it."""
        return functools.partial(self, where=where)

    def _note_renamed(self, reference: str, row: StageRow, where: str) -> None:
        """Say that ``reference``, a name no stage has, was read as the stage ``row``."""
        if (where, reference) in self._noticed:
            return
        self._noticed.add((where, reference))
        name, stage_id = row.fields["name"], row.fields["id"]
        why = "" if slug(name) == stage_id else ", renamed in the Stages sheet"
        self.problems.notice(
            f"{where}: {quoted(reference)} is taken as {quoted(name)} (row {row.row}, "
            f"Id '{stage_id}'){why}"
        )


MAX_NAMES_NOTED = 5


def _note_shared_names(resolve: _Resolver, problems: Problems) -> None:
    """Name the stage names that more than one row gives: each row is a stage of its own."""
    shared = [rows for name, rows in resolve.by_folded.items() if name and len(rows) > 1]
    if not shared:
        return
    listed = "; ".join(
        f"{quoted(rows[0].fields['name'])} ({_row_list([row.row for row in rows])})"
        for rows in shared[:MAX_NAMES_NOTED]
    )
    more = f"; and {len(shared) - MAX_NAMES_NOTED} more" if len(shared) > MAX_NAMES_NOTED else ""
    problems.notice(
        f"Stage names given to more than one row: {listed}{more}. Each row was imported as a "
        "stage of its own; give each its own name, as Next and Rework to find stages by name"
    )


def _add_validation(
    problems: Problems, where: str, error: ValidationError, columns: dict[str, str]
) -> None:
    """The model's complaints about one row, each under the column it came from."""
    for message in validation_messages(error):
        name, _, what = message.partition(": ")
        field_name = re.split(r"[.\[]", name)[0]
        problems.add(f"{where}, {columns.get(field_name, name)}: {what}")


def read_map(
    source: str,
    workbook: Workbook,
    name: str,
    given: Settings,
    notices: list[str] | None = None,
) -> ValueStream:
    """A validated map from read tables, or one ``VSMapperError`` listing every problem.

    ``given`` settings (from the command line) win over the workbook's; ``name`` is the
    map's name when the workbook gives none. How something was read that the user should
    check (columns left out, %C&A read as fractions) is added to ``notices``.
    """
    problems = Problems(source, notices=notices)
    written = read_settings(workbook.settings, problems) if workbook.settings else Settings()
    settings = given.over(written)
    calendar = _calendar(settings, problems)
    # Times are checked against their exact text under the calendar they were written with;
    # a file with no Settings (a CSV) was written with the one it is read with.
    file_calendar = _calendar(written, Problems(source)) if workbook.settings else calendar
    # Our export of a map with no stages is a header and a Settings sheet: it imports back.
    stage_rows = read_stage_rows(
        workbook.stages, file_calendar, problems, may_be_empty=workbook.settings is not None
    )
    rows = _in_map_order(_without_a_total(stage_rows, problems), problems)
    # Without Kind and Phase columns, the AI suggestions and side effects, and the phase
    # shares, go by what the names say, as for a stage typed on the map.
    phase: Phase = "ideation"
    for row in rows:
        fields = row.fields
        fields["kind"], fields["phase"] = guessed_kind_and_phase(
            fields["name"], fields["kind"], fields["phase"], phase
        )
        phase = fields["phase"]
    resolve = _Resolver(rows, problems)
    _note_shared_names(resolve, problems)
    flows = _flows(rows, resolve, problems)
    _note_unled_rows(rows, flows, problems)
    opportunities, ai_ids = (
        _opportunities(workbook.ai, resolve, problems) if workbook.ai else ({}, set())
    )
    scenarios = (
        _scenarios(workbook.scenarios, resolve, ai_ids, problems) if workbook.scenarios else []
    )
    statuses = _statuses(workbook.statuses, resolve, problems) if workbook.statuses else {}
    data: dict[str, Any] = {
        "statuses": statuses,
        "name": settings.name or name,
        "description": settings.description or "",
        "calendar": calendar,
        "demand_per_week": settings.demand_per_week,
        "hourly_cost": settings.hourly_cost or 0,
        "currency": settings.currency or "USD",
        "flows": flows,
        "scenarios": scenarios,
    }
    # A valid map, as most are, is built by the model at once; a refused one is read again
    # a stage at a time, so that each problem is named by its row.
    if not problems.lines:
        with contextlib.suppress(ValueError):
            data["stages"] = [
                _stage_fields(
                    row,
                    opportunities,
                    row.rework_to and resolve(row.rework_to, f"row {row.row}, Rework to"),
                )
                for row in rows
            ]
            return _versioned(ValueStream.model_validate(data))
    data["stages"] = []
    for row in rows:
        where = f"row {row.row}, Rework to"
        rework_to = row.rework_to and problems.check(where, resolve, row.rework_to, where)
        try:
            data["stages"].append(
                Stage.model_validate(_stage_fields(row, opportunities, rework_to))
            )
        except ValidationError as error:
            _add_validation(problems, f"row {row.row}", error, STAGE_FIELDS)
    problems.raise_any()
    try:
        return _versioned(ValueStream.model_validate(data))
    except ValidationError as error:
        # The model names only its first broken rule between stages; list them all.
        stream = ValueStream.model_construct(**data)
        found = map_problems(stream)
        for problem in found:
            problems.add(_sheet_place(problem, stream, rows))
        if not found:
            _add_validation(problems, "Settings", error, SETTINGS_FIELDS)
    problems.raise_any()
    raise AssertionError("a refused map always names its problem")


def _stage_fields(
    row: StageRow, opportunities: dict[str, list[AIOpportunity]], rework_to: str | None
) -> dict[str, Any]:
    """The fields the model makes a stage of: those read, its AI opportunities, its rework."""
    fields = dict(row.fields, ai=opportunities.get(row.fields["id"], []), rework_to=rework_to)
    return {key: value for key, value in fields.items() if value is not None}


def _versioned(stream: ValueStream) -> ValueStream:
    """The map, marked as file version 2 when it uses a key only version 2 has."""
    return stream.model_copy(update={"version": 2}) if stream.needs_version_2() else stream


STAGE_FIELDS = {
    "name": "Stage",
    "id": "Id",
    "phase": "Phase",
    "kind": "Kind",
    "process_time": "Process time",
    "wait_time": "Wait time",
    "pca": "%C&A",
    "rework_to": "Rework to",
    "people": "People",
    "availability": "Availability",
    "hourly_cost": "Hourly cost",
    "notes": "Notes",
    "wip": "WIP",
    "throughput_per_week": "Throughput per week",
    "position": "Position x",
    "wait_kind": "Wait kind",
}
"""Stage field → the column a problem with it is reported under."""
AI_FIELDS = {
    "id": "Id",
    "practice": "Practice",
    "name": "Name",
    "process_time_factor": "Process time factor",
    "wait_time_factor": "Wait time factor",
    "pca_delta": "%C&A delta",
    "monthly_cost": "Monthly cost",
    "status": "Status",
    "confidence": "Confidence",
    "note": "Note",
    "also": "Also",
}
SCENARIO_FIELDS = {
    "id": "Id",
    "name": "Scenario",
    "ai": "Enabled AI",
    "overrides": "Overrides",
    "demand_factor": "Demand factor",
}
SETTINGS_FIELDS = {
    "name": "Name",
    "description": "Description",
    "hours_per_day": "Hours per day",
    "days_per_week": "Days per week",
    "demand_per_week": "Demand per week",
    "hourly_cost": "Hourly cost",
    "currency": "Currency",
}


def _calendar(settings: Settings, problems: Problems) -> Calendar:
    given = {"hours_per_day": settings.hours_per_day, "days_per_week": settings.days_per_week}
    try:
        return Calendar.model_validate({k: v for k, v in given.items() if v is not None})
    except ValidationError as error:
        _add_validation(problems, "Settings", error, SETTINGS_FIELDS)
        return Calendar()


def read_settings(table: Table, problems: Problems) -> Settings:
    """Label/value rows such as ``Name``, ``Hours per day`` (see ``SETTINGS_NAMES``)."""
    lookup = _lookup(SETTINGS_NAMES)
    numbers = {"Hours per day", "Days per week", "Demand per week", "Hourly cost"}
    found: dict[str, Any] = {}
    rows: dict[str, int] = {}
    for row, cells in table.rows:
        if len(cells) < 2 or not isinstance(cells[0].value, str):
            continue
        label = lookup.get(_split_header(cells[0].value)[0])
        if label is None and not _is_blank(cells[1].value):
            _unknown_setting(cells[0].value, row, lookup, problems)
            continue
        if label is not None and label in rows:
            problems.add(
                f"Settings, row {row}, {label}: given twice (row {rows[label]} too); keep one "
                "(otherwise the last would silently win)"
            )
            continue
        if label is not None:
            rows[label] = row
        if label is not None and isinstance(cells[1].value, UnreadableValue):
            problems.add(f"Settings, row {row}, {label}: {cells[1].value.problem()}")
        elif label in numbers and not _is_blank(cells[1].value):
            found[label] = problems.check(f"Settings, row {row}, {label}", read_number, cells[1])
        elif label is not None:
            found[label] = _kept_text(cells[1])
    return Settings(
        name=(found.get("Name") or "").strip() or None,
        description=found.get("Description"),
        hours_per_day=found.get("Hours per day"),
        days_per_week=found.get("Days per week"),
        demand_per_week=found.get("Demand per week"),
        hourly_cost=found.get("Hourly cost"),
        currency=(found.get("Currency") or "").strip() or None,
    )


def _unknown_setting(text: str, row: int, lookup: dict[str, str], problems: Problems) -> None:
    """A misspelt setting is a problem ("did you mean"): "Hours per dya" left every day 8
    hours; any other label with a value is noted and left out."""
    close = difflib.get_close_matches(_split_header(text)[0][:100], lookup, n=1, cutoff=0.7)
    if close:
        problems.add(
            f"Settings, row {row}: {quoted(text.strip())} is not a setting VSMapper knows; "
            f"did you mean '{lookup[close[0]]}'?"
        )
    else:
        problems.notice(
            f"Settings, row {row}: {quoted(text.strip())} left out: VSMapper reads "
            f"{', '.join(SETTINGS_NAMES)}"
        )


class _RowReader:
    """The cells of one data row by column; problems are noted under its row and column."""

    def __init__(
        self, table: Table, header: Header, row: int, cells: list[Cell], problems: Problems
    ) -> None:
        self.row, self.where = row, f"{table.where}row {row}"
        self.header, self.problems = header, problems
        width = len(cells)
        self.cells = {
            column: cells[place] for column, place in header.places.items() if place < width
        }
        self.unreadable: dict[str, str] = {}
        """The text of each cell refused as unreadable, by column."""
        for column, cell in self.cells.items():
            if isinstance(cell.value, UnreadableValue):
                self.add(column, cell.value.problem())
                self.unreadable[column] = cell.value.text
                self.cells[column] = EMPTY

    def cell(self, column: str) -> Cell:
        """The cell under ``column``; an empty one when the sheet has no such column."""
        return self.cells.get(column, EMPTY)

    def is_blank(self, column: str) -> bool:
        """Whether the cell under ``column`` is missing or empty."""
        return _is_blank(self.cells.get(column, EMPTY).value)

    def read(self, column: str, parse: Callable[..., Any], *arguments: Any) -> Any:
        """``parse(cell, *arguments)``; None for a blank cell or after noting its problem."""
        cell = self.cells.get(column, EMPTY)
        if _is_blank(cell.value):
            return None
        try:
            return parse(cell, *arguments)
        except ValueError as error:
            self.add(column, str(error))
            return None

    def add(self, column: str, problem: str) -> None:
        """Note a problem with this row's ``column``."""
        self.problems.add(f"{self.where}, {column}: {problem}")

    def time(self, column: str, written_under: Calendar) -> Estimate | None:
        """A stage time from its hours column and its exact-text twin.

        The text keeps ranges and units, so it wins while it agrees with the hours beside it
        under the calendar it was ``written_under``. Where the two differ, the hours win, as
        the workbook's formulas count them, and a notice says so; a text that is not a
        duration is a problem.
        """
        twin = TEXT_TWINS[column]
        unit = self.header.units.get(column, "")
        text = self.read(twin, read_duration, "")
        calendar = written_under.hours_per_day, written_under.days_per_week
        hours = self.cell(column).value
        # The usual case, the text beside the hours it was exported with: no estimate needs
        # to be made of the hours.
        if (
            text is not None
            and not unit
            and _plain_hours(hours)
            and _agree(text.likely_hours(*calendar), float(hours))
        ):
            return text
        number = self.read(column, read_duration, unit)
        if number is None or text is None:
            return text if number is None else number
        if _agree(text.likely_hours(*calendar), number.likely_hours(*calendar)):
            return text
        self.problems.notice(
            f"{self.where}, {twin}: {quoted(text.text)} differs from the {column} beside it "
            f"({_text(hours)}); the {column} was read, as the workbook's formulas count it: "
            f"to use the text, clear the {column} cell"
        )
        return number


EMPTY = Cell(None)


def _plain_hours(value: CellValue) -> TypeGuard[int | float]:
    """Whether a cell holds a number ``read_duration`` takes as that many hours."""
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and 0 <= value <= MAX_EXACT_INTEGER
    )


def _agree(text_hours: float, hours: float) -> bool:
    """Whether a time's text and its hours say the same: exactly, or to the three figures a
    text is written with beside hours a program computed (a scenario's)."""
    tolerance = THREE_FIGURES if looks_computed(hours) else 1e-9
    return math.isclose(text_hours, hours, rel_tol=tolerance, abs_tol=1e-9)


THREE_FIGURES = 5e-3
"""How far a time written to three figures may be from the exact one: half its last figure."""


def _row_readers(table: Table, header: Header, problems: Problems) -> list[_RowReader]:
    """The rows under the header that have anything in a known column."""
    places = header.places.values()
    return [
        _RowReader(table, header, row, cells, problems)
        for row, cells in table.rows[1:]
        if any(place < len(cells) and not _is_blank(cells[place].value) for place in places)
    ]


TOTAL_NAMES = frozenset(
    {
        "total",
        "totals",
        "sum",
        "σ",  # Greek capital sigma, casefolded
        "∑",  # the summation sign
        "grand total",
        "subtotal",
        "overall",
        "lead time",
        "total lead time",
    }
)
"""What a last row that adds the stages up is called, as ``is_total_name`` compares it."""


def is_total_name(name: str) -> bool:
    """Whether a Stage cell is just a word for a total: ``Total``, ``TOTAL:``, ``Σ``, ``Lead time``."""
    words = re.sub(r"[\s:.]+$", "", name.casefold()).split()
    return " ".join(words) in TOTAL_NAMES


def _without_a_total(rows: list[StageRow], problems: Problems) -> list[StageRow]:
    """The rows but a last one that adds the stages up: named so, and no stage's next."""
    if len(rows) < 2 or not is_total_name(rows[-1].fields["name"]):
        return rows  # a total adds up the stages above it
    last = rows[-1]
    name = last.fields["name"]
    folded = name.casefold()
    if any(
        folded in {reference.casefold() for reference in row.next or []}
        or (row.rework_to or "").casefold() == folded
        for row in rows
    ):
        return rows  # a stage of the stream after all
    problems.notice(
        f"row {last.row} ({quoted(name)}) left out: a sheet's total, not a stage (the map "
        "adds its stages up itself)"
    )
    return rows[:-1]


def read_stage_rows(
    table: Table, file_calendar: Calendar, problems: Problems, may_be_empty: bool = False
) -> list[StageRow]:
    """Every stage row read into model fields, with ids given or made from the names; a
    header with no rows under it is refused unless the table ``may_be_empty``."""
    table = _from_header(table, problems)
    header = read_header(table, STAGE_HEADERS, problems, "Stage")
    if header is None:
        return []
    misread = _cells_past_the_header(table, problems)
    rows: list[StageRow] = []
    readers = [
        reader for reader in _row_readers(table, header, problems) if reader.row not in misread
    ]
    if not readers and not misread:
        _no_stage_rows(table, problems, may_be_empty)
    pca_scale = _pca_scale(readers, problems)
    for reader in readers:
        # A name refused as unreadable stands as its text, not as a blank name refused again.
        name = read_text(reader.cell("Stage")) or reader.unreadable.get("Stage", "")
        fields: dict[str, Any] = {
            "name": name,
            "id": reader.read("Id", read_text),
            "phase": reader.read("Phase", read_choice),
            "kind": reader.read("Kind", read_choice),
            "process_time": reader.time("Process time", file_calendar),
            "wait_time": reader.time("Wait time", file_calendar),
            "pca": reader.read("%C&A", read_pca, pca_scale),
            "people": reader.read("People", read_number),
            "availability": reader.read("Availability", read_availability),
            "hourly_cost": reader.read("Hourly cost", read_number),
            "notes": _kept_text(reader.cell("Notes")),
            "wip": reader.read("WIP", read_number),
            "throughput_per_week": reader.read("Throughput per week", read_number),
            "wait_kind": reader.read("Wait kind", read_choice),
        }
        if "Lead time" in header.places:
            fields["wait_time"] = _wait_from_lead_time(
                reader, fields["process_time"], file_calendar
            )
        position = [reader.read(column, read_number) for column in ("Position x", "Position y")]
        if None not in position:
            fields["position"] = tuple(position)
        elif position != [None, None]:
            reader.add("Position x", "give both Position x and Position y, or neither")
        rows.append(
            StageRow(
                row=reader.row,
                fields=fields,
                next=None if reader.is_blank("Next") else read_names(reader.cell("Next")),
                rework_to=reader.read("Rework to", read_text),
                map_order=_number_or_none(reader.cell("Map order")),
            )
        )
    _give_ids(rows, problems)
    return rows


def _no_stage_rows(table: Table, problems: Problems, may_be_empty: bool) -> None:
    """Refuse a header with no rows under it, in one line when nothing else is wrong; a
    table that ``may_be_empty`` (our export of a map with no stages) only says so."""
    if may_be_empty:
        problems.notice(f"{table.where}no stage rows under the header: the map has no stages")
        return
    problem = f"{table.where}no stage rows under the header; put one row per stage under it"
    if problems.lines:
        problems.add(problem)
        return
    raise VSMapperError(f"{problems.source}: {problem}")


def _cells_past_the_header(table: Table, problems: Problems) -> set[int]:
    """The CSV rows with more cells than the header, each a problem: misread, as where a
    decimal comma split a number in two. Values under no column name (a sheet's, or a CSV
    row no wider than its header) are left out with a notice, as unknown columns are."""
    header = table.rows[0][1]
    named = len(header)
    while named and _is_blank(header[named - 1].value):
        named -= 1
    unnamed = [place for place in range(named) if _is_blank(header[place].value)]
    misread: set[int] = set()
    left_out: dict[int, list[int]] = {}
    for row, cells in table.rows[1:]:
        width = len(cells)
        while width and _is_blank(cells[width - 1].value):
            width -= 1
        if table.separator and width > len(header):
            problems.add(
                f"row {row}: {width} cells, but the header names {named} columns "
                f"({_spilled_cell_hint(table.separator)})"
            )
            misread.add(row)
            continue
        for place in [*unnamed, *range(named, width)]:
            if place < width and not _is_blank(cells[place].value):
                left_out.setdefault(place, []).append(row)
    if left_out:
        many = len(left_out) > 1
        rows = sorted({row for found in left_out.values() for row in found})
        problems.notice(
            f"{table.where}{'columns' if many else 'column'} "
            f"{', '.join(_letter(place) for place in sorted(left_out))} "
            f"{'have' if many else 'has'} no header, so {'their' if many else 'its'} values "
            f"were left out ({_row_list(rows)})"
        )
    return misread


def _spilled_cell_hint(separator: str) -> str:
    """What may have made a CSV row wider than its header, and what to write instead."""
    if separator == ",":
        return "a decimal comma? write 1.5, not 1,5; a comma in a name or note? quote the cell"
    shown = "a tab" if separator == "\t" else f"a '{separator}'"
    return f"{shown} in a name or note? quote the cell"


def _number_or_none(cell: Cell) -> float | int | None:
    """The number in a cell, or None for any other value."""
    try:
        return read_number(cell)
    except ValueError:
        return None


def _in_map_order(rows: list[StageRow], problems: Problems) -> list[StageRow]:
    """The rows by their Map order when each has its own, as the export numbers them.

    A sheet sorted by another column then imports as the same map: a blank Next leads to
    the stage below in the map, not in the sheet. With a blank or a number given twice,
    the rows are read in the sheet's order, which is noted when the numbers given said
    otherwise (a row added under an export's, without a number, reads as it stands).
    """
    orders = [row.map_order for row in rows if row.map_order is not None]
    if len(orders) == len(rows) and len(set(orders)) == len(orders):
        return sorted(rows, key=lambda row: row.map_order or 0)
    if all(before <= after for before, after in itertools.pairwise(orders)):
        return rows
    seen: dict[float | int, StageRow] = {}
    for row in rows:
        if row.map_order is None:
            broken = "has no Map order"
        elif row.map_order in seen:
            other = seen[row.map_order]
            broken = f"has the Map order of row {other.row} ({quoted(other.fields['name'])})"
        else:
            seen[row.map_order] = row
            continue
        problems.notice(
            f"row {row.row} ({quoted(row.fields['name'])}) {broken}, so the stages are "
            "read in the sheet's order, not by Map order"
        )
        break
    return rows


def _from_header(table: Table, problems: Problems) -> Table:
    """The table from its header row on; what is above it (a title) is left out and named."""
    start = header_place([cell.value for cell in cells] for _, cells in table.rows)
    above = [
        (row, text)
        for row, cells in table.rows[:start]
        for text in [" ".join(read_text(cell) for cell in cells).strip()]
        if text
    ]
    if above:
        problems.notice(
            f"{table.where}row {table.rows[start][0]} was read as the header: "
            f"{_row_list([row for row, _ in above])} above it ({quoted(above[0][1])}) left out"
        )
    return dataclasses.replace(table, rows=table.rows[start:]) if start else table


def _wait_from_lead_time(
    reader: _RowReader, process: Estimate | None, calendar: Calendar
) -> Estimate | None:
    """The wait a step's lead time implies: lead time − process time, in hours."""
    lead = reader.read("Lead time", read_duration, reader.header.units.get("Lead time", ""))
    if lead is None:
        return None
    week = calendar.hours_per_day, calendar.days_per_week
    lead_hours = lead.likely_hours(*week)
    process_hours = process.likely_hours(*week) if process is not None else 0.0
    if lead_hours < process_hours:
        reader.add(
            "Lead time",
            f"{lead.text} is shorter than the Process time {process.text if process else 0}; "
            "a step's lead time is its wait plus its process time",
        )
        return None
    return Estimate.hours_value(lead_hours - process_hours)


def _pca_scale(readers: Sequence[_RowReader], problems: Problems) -> float:
    """100 when no plain %C&A is more than 1 (0.95 for 95%, 1 for 100%), else 1; fractions
    beside percentages are a problem.

    Values written with '%' or in a cell shown as a percentage say what they mean and
    are left out of the decision. A 1 beside percentages is 1%, as the export writes it.
    """
    fractions: list[int] = []
    percents: list[int] = []
    fractions_or_ones = False
    for reader in readers:
        cell = reader.cell("%C&A")
        if cell is None or _is_blank(cell.value):
            continue
        try:
            number, marked = percent_number(cell)
        except ValueError:
            continue
        if marked or number <= 0:
            continue
        if number < 1:
            fractions.append(reader.row)
        elif number > 1:
            percents.append(reader.row)
        fractions_or_ones = fractions_or_ones or number <= 1
    if fractions and percents:
        problems.add(
            f"%C&A: {_row_list(fractions)} {'looks' if len(fractions) == 1 else 'look'} like "
            f"fractions (0.95) and {_row_list(percents)} like percentages (95); write them "
            "all one way"
        )
        return 1
    # A column of 1s is 100% each: read as 1%, it made rework a hundred times more.
    if fractions_or_ones and not percents:
        problems.notice(
            "%C&A: every value is 1 or less, so they were read as fractions (0.95 = 95%, 1 = 100%)"
        )
        return 100
    return 1


def _row_list(rows: Sequence[int]) -> str:
    """``row 4``, ``rows 2, 3, 5`` or ``rows 2, 3, 5, 7, 11 and 4 more``."""
    shown = ", ".join(str(row) for row in rows[:5])
    if len(rows) == 1:
        return f"row {shown}"
    return f"rows {shown}" if len(rows) <= 5 else f"rows {shown} and {len(rows) - 5} more"


def _give_ids(rows: list[StageRow], problems: Problems) -> None:
    """Check that given ids are unique, and make the missing ones from the stage names."""
    taken: dict[str, int] = {}
    for row in rows:
        given = row.fields["id"]
        if given is not None and given in taken:
            problems.add(
                f"row {row.row}, Id: '{given}' is also the id of row {taken[given]}; "
                "ids must be unique"
            )
        elif given is not None:
            taken[given] = row.row
    ids = FreshIds(taken)
    for row in rows:
        if row.fields["id"] is None:
            row.fields["id"] = ids.fresh(slug(row.fields["name"]))
            row.id_made = True


def _flows(rows: list[StageRow], resolve: _Resolver, problems: Problems) -> list[Flow]:
    """Flows from the Next column; a blank Next leads to the next row (in map order)."""
    flows: dict[tuple[str, str], None] = {}
    for place, row in enumerate(rows):
        source = row.fields["id"]
        if row.next is None:
            if place + 1 < len(rows):
                flows[source, rows[place + 1].fields["id"]] = None
            continue
        for reference in row.next:
            try:
                target = resolve(reference, f"row {row.row}, Next")
            except ValueError as error:
                if reference.casefold() != END_OF_FLOW:
                    problems.add(f"row {row.row}, Next: {error}")
                continue
            if target == source:
                problems.add(
                    f"row {row.row}, Next: a stage cannot be its own next stage; "
                    "use Rework to for work sent back"
                )
            else:
                flows[source, target] = None
    return [Flow(source=source, target=target) for source, target in flows]


def _note_unled_rows(rows: list[StageRow], flows: list[Flow], problems: Problems) -> None:
    """Name each row between the first and the last with a blank Next that no stage leads
    to, where the stream has another start: put between rows whose Next cells name each
    other, it starts a second path of the stream."""
    led_to = {flow.target for flow in flows}
    if sum(row.fields["id"] not in led_to for row in rows) < 2:
        return  # the stream's one start, wherever the sheet has it
    # Not the last row: its blank Next leads nowhere either way, and the app's own export of
    # a stage not yet connected ends so.
    for place, row in enumerate(rows[1:-1], start=1):
        if row.next is None and row.fields["id"] not in led_to:
            before = rows[place - 1]
            problems.notice(
                f"row {row.row} ({quoted(row.fields['name'])}): no stage leads to it, so it "
                "starts a path of its own; to put it in the stream, name it in the Next cell "
                f"of the stage before it (row {before.row}, {quoted(before.fields['name'])})"
            )


def _sheet_place(problem: str, stream: ValueStream, rows: list[StageRow]) -> str:
    """A map-level problem about ``stages[3] 'Name'.field`` told as ``row 5, Column``."""
    if problem.startswith("flows: they form a cycle"):
        return _cycle(stream, rows)
    match = re.match(r"stages\[(\d+)\] ", problem)
    if match is None:
        return problem
    index = int(match.group(1))
    prefix = f"stages[{index}] '{stream.stages[index].name}'."
    if not problem.startswith(prefix):
        return problem
    name, _, what = problem[len(prefix) :].partition(": ")
    return f"row {rows[index].row}, {STAGE_FIELDS.get(name, name)}: {what}"


def _cycle(stream: ValueStream, rows: list[StageRow]) -> str:
    """A cycle of flows told by the rows and columns that make it."""
    import networkx as nx

    by_id = {row.fields["id"]: row for row in rows}
    loop = [by_id[source] for source, _ in nx.find_cycle(stream.graph())]
    names = " → ".join(row.fields["name"] for row in [*loop, loop[0]])
    return (
        f"{_row_list(sorted(row.row for row in loop))}, Next: they form a cycle ({names}); flows "
        "must only go forward (a blank Next is the stage below; use Rework to for work sent "
        "back)"
    )


def _opportunities(
    table: Table, resolve: _Resolver, problems: Problems
) -> tuple[dict[str, list[AIOpportunity]], set[str]]:
    """AI opportunities by stage id, in the sheet's order, and the id of every row.

    A row refused for its own cells keeps its id, so that a scenario enabling it is not
    refused too: only the row's own problem is named.
    """
    header = read_header(table, AI_HEADERS, problems, "Stage")
    if header is None:
        return {}, set()
    found: dict[str, list[AIOpportunity]] = {}
    taken: dict[str, int] = {}
    ids = FreshIds()
    for reader in _row_readers(table, header, problems):
        stage_id = reader.read("Stage", _stage_named, resolve.at(f"{reader.where}, Stage"))
        if reader.is_blank("Stage"):
            reader.add("Stage", "is blank; name the stage this AI opportunity is for")
        values = {
            "practice": reader.read("Practice", read_text),
            "name": reader.read("Name", read_text),
            "process_time_factor": reader.read("Process time factor", read_number),
            "wait_time_factor": reader.read("Wait time factor", read_number),
            "pca_delta": reader.read("%C&A delta", read_number),
            "monthly_cost": reader.read("Monthly cost", read_number),
            "status": reader.read("Status", read_choice),
            "confidence": reader.read("Confidence", read_choice),
            "note": _kept_text(reader.cell("Note")),
            "also": reader.read("Also", _also, resolve.at(f"{reader.where}, Also")),
        }
        ai_id = reader.read("Id", read_text) or ids.fresh(slug(values["name"] or "", "ai"))
        if ai_id in taken:
            reader.add(
                "Id",
                f"'{ai_id}' is also the id of row {taken[ai_id]}; AI opportunity "
                "ids must be unique",
            )
        taken.setdefault(ai_id, reader.row)
        ids.take(ai_id)
        try:
            opportunity = AIOpportunity.model_validate(
                {"id": ai_id, **{key: value for key, value in values.items() if value is not None}}
            )
        except ValidationError as error:
            _add_validation(problems, reader.where, error, AI_FIELDS)
            continue
        if stage_id is not None:
            found.setdefault(stage_id, []).append(opportunity)
    return found, set(taken)


def _statuses(table: Table, resolve: _Resolver, problems: Problems) -> dict[str, Any]:
    """Where each tracker status belongs on the map: a stage (blank for none) and a state.
    A Statuses sheet of the team's own, without VSMapper's columns, is left out with a note."""
    header = read_header(table, STATUS_HEADERS, Problems(""), "Status")
    if header is None or not {"Status", "State"} <= header.places.keys():
        problems.notice(
            "the Statuses sheet is left out: it has no Status and State columns as VSMapper "
            "writes them"
        )
        return {}
    found: dict[str, Any] = {}
    for reader in _row_readers(table, header, problems):
        status, state = reader.read("Status", _kept_text), reader.read("State", read_choice)
        where = f"{reader.where}, Stage"
        stage = reader.read("Stage", read_text)
        if not (status or "").strip():
            reader.add("Status", "the status is blank")
        elif status in found:
            reader.add("Status", f"{quoted(status)} is given twice; keep one")
        if not state:
            reader.add("State", f"the state is blank; write one of {', '.join(STATUS_STATES)}")
        elif state not in STATUS_STATES:
            reader.add("State", f"{quoted(state)} is not one of {', '.join(STATUS_STATES)}")
        found[status or ""] = {
            "stage": stage and problems.check(where, resolve, stage, where),
            "state": state,
        }
    return found


def _scenarios(
    table: Table, resolve: _Resolver, ai_ids: set[str], problems: Problems
) -> list[Scenario]:
    """Scenario definitions: name, id, enabled AI ids, overrides as JSON, demand factor."""
    header = read_header(table, SCENARIO_HEADERS, problems, "Scenario")
    if header is None:
        return []
    found: list[Scenario] = []
    taken: dict[str, int] = {}
    ids = FreshIds()
    for reader in _row_readers(table, header, problems):
        name = read_text(reader.cell("Scenario"))
        scenario_id = reader.read("Id", read_text) or ids.fresh(slug(name, "scenario"))
        if scenario_id in taken:
            reader.add(
                "Id",
                f"'{scenario_id}' is also the id of row {taken[scenario_id]}; "
                "scenario ids must be unique",
            )
        taken.setdefault(scenario_id, reader.row)
        ids.take(scenario_id)
        enabled = reader.read("Enabled AI", read_names) or []
        for ai_id in enabled:
            if ai_id not in ai_ids:
                reader.add(
                    "Enabled AI",
                    f"'{ai_id}' is not the id of an AI opportunity in the AI opportunities sheet",
                )
        demand = reader.read("Demand factor", read_number)
        try:
            found.append(
                Scenario.model_validate(
                    {
                        "id": scenario_id,
                        "name": name,
                        "ai": enabled,
                        "overrides": reader.read(
                            "Overrides", _overrides, resolve.at(f"{reader.where}, Overrides")
                        )
                        or {},
                        **({} if demand is None else {"demand_factor": demand}),
                    }
                )
            )
        except ValidationError as error:
            _add_validation(problems, reader.where, error, SCENARIO_FIELDS)
    return found


def _stage_named(cell: Cell, resolve: Callable[[str], str]) -> str:
    """The id of the stage a cell names."""
    return resolve(read_text(cell))


def _also(cell: Cell, resolve: Callable[[str], str]) -> list[SideEffect]:
    """``[{"stage": "Code review", "process_time_factor": 1.5}]``, stages named or by id."""
    example = '[{"stage": "Code review", "process_time_factor": 1.5, "pca_delta": -5}]'
    try:
        data = json.loads(_text(cell.value))
    except ValueError as error:
        raise ValueError(f"not valid JSON ({error}); write e.g. {example}") from None
    if not isinstance(data, list) or not all(
        isinstance(item, dict) and isinstance(item.get("stage"), str) for item in data
    ):
        raise ValueError(
            f"must be a JSON list of side effects, each with its stage, e.g. {example}"
        )
    effects: list[SideEffect] = []
    for item in data:
        try:
            effects.append(SideEffect.model_validate({**item, "stage": resolve(item["stage"])}))
        except ValidationError as error:
            raise ValueError(f"'{item['stage']}': {validation_messages(error)[0]}") from None
    return effects


def _overrides(cell: Cell, resolve: Callable[[str], str]) -> dict[str, StageOverride]:
    """``{"Code review": {"wait_time": "1d", "pca": 95}}``, stages named or by id."""
    example = '{"Code review": {"wait_time": "1d", "pca": 95}}'
    try:
        data = json.loads(_text(cell.value))
    except RecursionError:
        raise ValueError(f"nested too deeply to be overrides; write e.g. {example}") from None
    except ValueError as error:
        raise ValueError(f"not valid JSON ({error}); write e.g. {example}") from None
    if not isinstance(data, dict):
        raise ValueError(f"must be a JSON object, e.g. {example}")
    overrides: dict[str, StageOverride] = {}
    for reference, override in data.items():
        try:
            overrides[resolve(reference)] = StageOverride.model_validate(override)
        except ValidationError as error:
            raise ValueError(f"'{reference}': {validation_messages(error)[0]}") from None
    return overrides
