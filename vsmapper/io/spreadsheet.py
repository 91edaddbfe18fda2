"""Import a map from an Excel workbook or a CSV file, refusing hostile files quickly and safely."""

from __future__ import annotations

import contextlib
import csv
import functools
import io
import os
import re
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from vsmapper.errors import VSMapperError, counted, read_error
from vsmapper.io.bounded import read_bounded
from vsmapper.io.collector import collection_paused
from vsmapper.io.mapfile import IMPORT_SUFFIXES
from vsmapper.io.table_import import (
    EMPTY,
    HEADER_SEARCH_ROWS,
    Cell,
    ErrorValue,
    Settings,
    Table,
    UnsavedFormula,
    Workbook,
    figure_columns,
    header_place,
    read_map,
    stage_columns_named,
)
from vsmapper.io.tables import unguard_csv_text
from vsmapper.model import ValueStream

MAX_FILE_BYTES = 50 * 2**20
MAX_UNPACKED_BYTES = 200 * 2**20
MAX_PACKING_RATIO = 100
"""Ordinary sheets pack 5 to 30 times; a zip bomb packs thousands of times."""
RATIO_CHECKED_FROM_BYTES = 2**20
"""Small members may pack well for innocent reasons, and cannot hurt."""
MAX_ZIP_MEMBERS = 10_000
MAX_ROWS = 20_000
MAX_COLUMNS = 100
STAGES_SHEET, SETTINGS_SHEET, AI_SHEET, SCENARIOS_SHEET, STATUSES_SHEET, PLAN_SHEET = (
    "Stages",
    "Settings",
    "AI opportunities",
    "Scenarios",
    "Statuses",
    "Improvement plan",
)
CSV_DELIMITERS = (",", ";", "\t")


def import_spreadsheet(
    path: str | os.PathLike[str],
    hours_per_day: float | None = None,
    days_per_week: float | None = None,
    demand_per_week: float | None = None,
    notices: list[str] | None = None,
) -> ValueStream:
    """A map from a ``.xlsx`` or ``.csv`` file by docs/file-format.md; the given settings win.

    Any problem is one ``VSMapperError``; a sheet with errors lists them (up to 20) in its
    ``details`` and imports nothing. What the user should check about how the sheet was
    read (columns left out, %C&A read as fractions) is added to ``notices``.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in IMPORT_SUFFIXES:
        raise VSMapperError(
            f"{path}: import reads .xlsx and .csv files, not '{suffix or path.name}'"
        )
    _check_file(path)
    given = Settings(
        hours_per_day=hours_per_day, days_per_week=days_per_week, demand_per_week=demand_per_week
    )
    with collection_paused():
        workbook = _csv_tables(path, notices) if suffix == ".csv" else _xlsx_tables(path, notices)
        return read_map(str(path), workbook, path.stem, given, notices)


def file_size(path: Path, what: str) -> int:
    """The size of a file to read, or one clear error when it is missing or a folder."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise VSMapperError(f"{path}: no such file") from None
    except OSError as error:
        raise read_error(path, error) from None
    if path.is_dir():
        raise VSMapperError(f"{path}: is a folder, not {what}")
    return size


def _check_file(path: Path) -> None:
    """The file exists and is not a folder."""
    file_size(path, "a spreadsheet")


def _read_file(path: Path) -> bytes:
    """The bytes of a spreadsheet, refused past ``MAX_FILE_BYTES``."""
    try:
        return read_bounded(path, MAX_FILE_BYTES, "spreadsheets")
    except OSError as error:
        raise read_error(path, error) from None


def _too_big(path: Path, rows: int, columns: int) -> None:
    """Refuse a sheet with more rows or columns than any map has."""
    if rows > MAX_ROWS + 1:
        raise VSMapperError(
            f"{path}: a sheet has {rows:,} rows; at most {MAX_ROWS:,} stages "
            "(rows under the header) are imported"
        )
    if columns > MAX_COLUMNS:
        raise VSMapperError(
            f"{path}: a sheet has {columns:,} columns; at most {MAX_COLUMNS} are read"
        )


# --- CSV -------------------------------------------------------------------------------------


def _csv_records(
    path: Path, text: str, delimiter: str, strict: bool
) -> list[tuple[int, list[str]]]:
    """Each row of a CSV text with the line it ends on. Strict first: a quote that never
    closes took every line after it into one cell, silently; anything else strict refuses
    (a space after a closing quote) is read as it always was."""
    records: list[tuple[int, list[str]]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=strict)
    try:
        for fields in reader:
            _too_big(path, len(records) + 1, len(fields))
            records.append((reader.line_num, fields))
    except csv.Error as error:
        if "end of data" in str(error):
            start = records[-1][0] + 1 if records else 1
            raise VSMapperError(
                f'{path}: line {start}: a cell opens with a quote (") that never closes, '
                "so every line after it would be read into that cell"
            ) from None
        if strict:
            return _csv_records(path, text, delimiter, strict=False)
        raise VSMapperError(
            f"{path}: line {reader.line_num}: not readable as CSV ({error})"
        ) from None
    return records


def _csv_tables(path: Path, notices: list[str] | None = None) -> Workbook:
    """The stage table of a CSV file: UTF-8 (with or without BOM), comma, semicolon or tab,
    or the separator Excel's ``sep=;`` first line names.

    Semicolons are what a spreadsheet writes where a comma is the decimal mark: there, a
    number or time written with one (``1,5h``, ``99,5``) is read with a point.
    """
    try:
        data = _read_file(path)
    except OSError as error:
        raise read_error(path, error) from None
    problem = not_text(data)
    if problem:
        raise VSMapperError(f"{path}: {problem}")
    text = data.decode("utf-8-sig")
    first_lines = text.split("\n", HEADER_SEARCH_ROWS)[:HEADER_SEARCH_ROWS]
    named = re.fullmatch(r"sep=([^\r\n])\r?", first_lines[0])
    delimiter = named.group(1) if named else _delimiter(first_lines)
    records = _csv_records(path, text, delimiter, strict=True)
    if named:  # Excel's "sep=;" line names the separator, no row
        records = [(line, fields) for line, fields in records if line != 1]
    header = header_place(fields for _, fields in records)
    figures = figure_columns(records[header][1]) if delimiter == ";" and records else set()
    decimal_commas = 0
    for _, fields in records[header + 1 :]:
        for place in figures & set(range(len(fields))):
            written = _with_decimal_point(fields[place])
            decimal_commas += written != fields[place]
            fields[place] = written
    if decimal_commas and notices is not None:
        notices.append(
            f"Read {counted(decimal_commas, 'number')} with a decimal comma (1,5 as 1.5): the file is "
            "separated by semicolons, as where a comma is the decimal mark."
        )
    return Workbook(
        Table(
            [
                (line, [Cell(unguard_csv_text(field)) for field in fields])
                for line, fields in records
            ],
            separator=delimiter,
        )
    )


def _delimiter(first_lines: list[str]) -> str:
    """The separator that makes a header row of one of the first lines (a title above it has
    none), else the one the first line has most of."""
    for line in first_lines:
        for delimiter in CSV_DELIMITERS:
            names = stage_columns_named([cell.strip().strip('"') for cell in line.split(delimiter)])
            if "Stage" in names and len(names) > 1:
                return delimiter
    return max(CSV_DELIMITERS, key=first_lines[0].count)


def not_text(data: bytes, whole: bool = True) -> str | None:
    """Why a .csv file is not text (what it is, and what to do), or None when it is.

    Without ``whole`` the data is the file's start, which may end inside a character.
    """
    if data.startswith(b"PK\x03\x04"):
        return "an Excel workbook (.xlsx) named .csv; rename it .xlsx to import it"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "an old Excel .xls file named .csv; in Excel save it as .xlsx or 'CSV UTF-8'"
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if whole or error.start < len(data) - 3:
            return "not UTF-8 text; in Excel save it as 'CSV UTF-8'"
    return None


_NUMBER_WITH_UNIT = re.compile(r"(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?[a-z%]*", re.IGNORECASE)
"""One part of a number or time: ``1,5h``, ``99,5%``, ``3d``, ``1.200,50``."""


def _with_decimal_point(field: str) -> str:
    """A semicolon-separated file's number or time (``1,5h``, ``2,5-3d``, ``1.200,50``) with
    its decimal commas as points and no points grouping thousands; one whose comma could
    group thousands (``1,250``) is left to say so."""
    if "," not in field:
        return field
    parts = re.split(r"[\s/-]+", field.strip())
    if not all(_NUMBER_WITH_UNIT.fullmatch(part) for part in parts):
        return field
    # Beside a decimal comma, a point groups thousands: then the comma cannot.
    if "." not in field and _GROUPED_THOUSANDS.search(field):
        return field
    return re.sub(r"(\d),(\d)", r"\1.\2", field.replace(".", ""))


_GROUPED_THOUSANDS = re.compile(r"\d,\d{3}(?!\d)")


# --- Excel -----------------------------------------------------------------------------------


def _check_zip(path: Path, archive_bytes: io.BytesIO) -> None:
    """Refuse a file that is not a zip, or whose members would unpack far past its size.

    Done before openpyxl reads anything, from the sizes the zip declares; Python's zip
    reader never unpacks a member past its declared size.
    """
    if not zipfile.is_zipfile(archive_bytes):
        raise VSMapperError(
            f"{path}: not an Excel workbook (an .xlsx file is a zip archive); "
            "if it is an old .xls file, save it as .xlsx"
        )
    try:
        with zipfile.ZipFile(archive_bytes) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise VSMapperError(f"{path}: a damaged Excel workbook ({error})") from None
    if len(members) > MAX_ZIP_MEMBERS:
        raise VSMapperError(f"{path}: the workbook holds {len(members):,} parts; refused as unsafe")
    unpacked = sum(member.file_size for member in members)
    if unpacked > MAX_UNPACKED_BYTES:
        raise VSMapperError(
            f"{path}: the workbook would unpack to {unpacked / 2**20:,.0f} MB; "
            f"over {MAX_UNPACKED_BYTES // 2**20} MB is refused as unsafe"
        )
    for member in members:
        packed = max(member.compress_size, 1)
        if (
            member.file_size > RATIO_CHECKED_FROM_BYTES
            and member.file_size / packed > MAX_PACKING_RATIO
        ):
            raise VSMapperError(
                f"{path}: the workbook part {member.filename} would unpack "
                f"{member.file_size / packed:,.0f} times its size; refused "
                "as a likely zip bomb"
            )


@contextlib.contextmanager
def read_workbook(path: Path) -> Iterator[Any]:
    """An openpyxl workbook opened to read values, closed afterwards; whatever a hostile
    file makes openpyxl do comes out as one error naming the file."""
    archive_bytes = io.BytesIO(_read_file(path))
    _check_zip(path, archive_bytes)
    try:
        import openpyxl  # only a workbook needs it, and it takes a while to import

        workbook = openpyxl.load_workbook(archive_bytes, read_only=True, data_only=True)
        try:
            yield workbook
        finally:
            workbook.close()
    except VSMapperError:
        raise
    except Exception as error:  # a hostile file may break openpyxl in any way at all
        text = str(error).strip()
        reason = text.splitlines()[0][:200] if text else type(error).__name__
        raise VSMapperError(f"{path}: not a readable Excel workbook ({reason})") from None


def _xlsx_tables(path: Path, notices: list[str] | None = None) -> Workbook:
    """The stage table of a workbook (the sheet ``Stages``, else the first) and its settings,
    AI opportunities and scenarios when it has those sheets; ``notices`` says what is not
    read back."""
    with read_workbook(path) as workbook:
        sheets = {sheet.title.strip().casefold(): sheet for sheet in workbook.worksheets}
        if not sheets:
            raise VSMapperError(f"{path}: the workbook has no worksheets")
        plan = sheets.get(PLAN_SHEET.casefold())
        # The plan went silently: a round trip through a workbook lost a workshop's notes.
        if notices is not None and plan is not None and _holds_rows(plan):
            notices.append(
                f"the {PLAN_SHEET} sheet is not read back; its pain points and kaizen "
                "bursts stay in the map file (.vsm.json) it was exported from"
            )

        def table(name: str, where: str = "") -> Table | None:
            sheet = sheets.get(name.casefold())
            return None if sheet is None else Table(_sheet_rows(path, sheet), where)

        stage_sheet = sheets.get(STAGES_SHEET.casefold(), workbook.worksheets[0])
        return Workbook(
            Table(_sheet_rows(path, stage_sheet, _percent_styles(stage_sheet))),
            table(SETTINGS_SHEET, SETTINGS_SHEET),
            table(AI_SHEET, AI_SHEET),
            table(SCENARIOS_SHEET, SCENARIOS_SHEET),
            table(STATUSES_SHEET, STATUSES_SHEET),
        )


def _holds_rows(sheet: Any) -> bool:
    """Whether a read-only sheet has a row with a value under its header."""
    rows = sheet.iter_rows(min_row=2, max_row=3, values_only=True)
    return any(value not in (None, "") for row in rows for value in row)


def _sheet_rows(
    path: Path, sheet: Any, shown_as_percent: Callable[[Any], bool] | None = None
) -> list[tuple[int, list[Cell]]]:
    """Every row of a read-only sheet, numbered as the sheet numbers them.

    The size the sheet declares is ignored (other tools write 1,048,576 rows for 13): rows
    are counted as they are read, up to the last that holds data, against the same limits.
    Fractions in cells whose style is ``shown_as_percent`` are marked; only stages have
    percentages.
    """
    rows: list[tuple[int, list[Cell]]] = []
    empty = 0
    for number, parsed in _parsed_rows(sheet):
        # As openpyxl's own rows: a row numbered before one read is dropped, one left out is
        # empty.
        if number <= len(rows):
            continue
        # Only the last row may be an empty one past the limit, as LibreOffice writes row
        # 1,048,576 after a row is deleted: any other past it stops the read.
        _too_big(path, empty, 0)
        cells = _cells(path, number, parsed, shown_as_percent)
        if not cells:
            empty = number
            continue
        _too_big(path, number, 0)
        rows.extend((left_out, []) for left_out in range(len(rows) + 1, number))
        rows.append((number, cells))
    return rows


def _parsed_rows(sheet: Any) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    """The rows of a read-only sheet as openpyxl parses them: each cell's column, value
    and style id.

    The sheet's own rows make an object of every cell and pad each row to the widest it
    may be, only for the column, value and style id to be taken out again here.
    """
    from openpyxl.worksheet._reader import WorkSheetParser

    workbook = sheet.parent
    with sheet._get_source() as source:
        parser = WorkSheetParser(
            source,
            sheet._shared_strings,
            data_only=workbook.data_only,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        parser.parse_row = _with_unsaved_formulas(parser.parse_row)
        yield from parser.parse()


def _with_unsaved_formulas(
    parse_row: Callable[[Any], tuple[int, list[dict[str, Any]]]],
) -> Callable[[Any], tuple[int, list[dict[str, Any]]]]:
    """``parse_row``, with each formula that has no saved result marked as such.

    Reading values, openpyxl takes such a formula for an empty cell. Only a row holding
    formulas is looked at again, and in it only its numeric cells without a value: a
    formula whose result is empty text is stored as text.
    """
    from openpyxl.worksheet._reader import FORMULA_TAG

    in_a_cell = f"*/{FORMULA_TAG}"

    def parse(row: Any) -> tuple[int, list[dict[str, Any]]]:
        number, cells = parse_row(row)
        if row.find(in_a_cell) is not None:
            for element, cell in zip(row, cells, strict=True):
                formula = element.find(FORMULA_TAG)
                if cell["value"] is None and cell["data_type"] == "n" and formula is not None:
                    cell["value"] = UnsavedFormula(f"={formula.text or ''}")
        return number, cells

    return parse


def _percent_styles(sheet: Any) -> Callable[[Any], bool]:
    """Whether a style id of ``sheet`` shows numbers as percentages, looked up once per id."""
    from openpyxl.cell.read_only import ReadOnlyCell

    @functools.cache
    def shown_as_percent(style_id: Any) -> bool:
        return "%" in (ReadOnlyCell(sheet, 1, 1, None, style_id=style_id).number_format or "")

    return shown_as_percent


def _cells(
    path: Path,
    number: int,
    parsed: list[dict[str, Any]],
    shown_as_percent: Callable[[Any], bool] | None,
) -> list[Cell]:
    """A parsed row's cells in their columns, up to its last value.

    0.85 in a cell shown as a percentage is marked, since it means 85. Only a fraction's
    style is looked up: that is all a percentage can mean here.
    """
    cells = [EMPTY] * MAX_COLUMNS
    width = 0
    for cell in parsed:
        column, value = cell["column"], cell["value"]
        if column > MAX_COLUMNS:
            # Any value past them, however far: one in column 105 was left out unsaid.
            if value is None:
                continue
            raise VSMapperError(
                f"{path}: a sheet has more than {MAX_COLUMNS} columns (row {number}); "
                f"at most {MAX_COLUMNS} are read"
            )
        if cell["data_type"] == "e":
            value = ErrorValue(str(value))
        cells[column - 1] = Cell(
            value,
            shown_as_percent is not None
            and isinstance(value, float | int)
            and 0 < value <= 1
            and shown_as_percent(cell["style_id"]),
        )
        if column > width:
            width = column
    while width and cells[width - 1].value is None:
        width -= 1
    return cells[:width]
