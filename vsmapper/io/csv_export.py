"""Export the stage table as CSV that Excel and LibreOffice open as it is.

UTF-8 with a byte-order mark: without it Excel reads a CSV in the computer's legacy code
page and garbles every non-ASCII name (é, ü, →, 日本); LibreOffice and our import read the
mark and drop it. Commas and CRLF line ends, as Excel writes CSV itself.
"""

from __future__ import annotations

import csv
import io
import os
from datetime import date

from vsmapper.analysis import analyze
from vsmapper.io.atomic import write_atomically
from vsmapper.io.tables import (
    MAP_ORDER,
    PLAN_TABLE_COLUMNS,
    STAGE_COLUMNS,
    Column,
    Row,
    guard_csv_text,
    plan_rows,
    stage_rows,
)
from vsmapper.model import ValueStream
from vsmapper.model.duration import format_number


def _field(value: str | float | date | None) -> str:
    """A value as CSV text: numbers exactly, dates as YYYY-MM-DD, text guarded against
    running as a formula."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return guard_csv_text(value)
    return format_number(value)


def _table_text(columns: tuple[Column, ...], rows: list[Row]) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(column.title for column in columns)
    writer.writerows([_field(value) for value in row] for row in rows)
    return buffer.getvalue()


def csv_text(stream: ValueStream) -> str:
    """The stage table as CSV text, header first, each row numbered by its Map order."""
    rows = stage_rows(stream, analyze(stream))
    # The Map order last: a sheet sorted by another column still imports as the same map.
    return _table_text(
        (*STAGE_COLUMNS, MAP_ORDER), [[*row, place] for place, row in enumerate(rows, start=1)]
    )


def plan_csv_text(stream: ValueStream) -> str:
    """The improvement plan (pain points and kaizen bursts) as CSV text, header first."""
    return _table_text(PLAN_TABLE_COLUMNS, plan_rows(stream))


def export_csv(stream: ValueStream, path: str | os.PathLike[str], notes: bool = False) -> None:
    """Write the stage table, or with ``notes`` the improvement plan, to ``path`` atomically."""
    text = plan_csv_text(stream) if notes else csv_text(stream)
    write_atomically(path, text.encode("utf-8-sig"))
