"""Export the stage table as CSV that Excel and LibreOffice open as it is.

UTF-8 with a byte-order mark: without it Excel reads a CSV in the computer's legacy code
page and garbles every non-ASCII name (é, ü, →, 日本); LibreOffice and our import read the
mark and drop it. Commas and CRLF line ends, as Excel writes CSV itself.
"""

from __future__ import annotations

import csv
import io
import os

from vsmapper.analysis import analyze
from vsmapper.errors import VSMapperError
from vsmapper.io.atomic import write_atomically
from vsmapper.io.tables import STAGE_COLUMNS, guard_csv_text, stage_rows
from vsmapper.model import ValueStream
from vsmapper.model.duration import format_number


def _field(value: str | float | None) -> str:
    """A value as CSV text: numbers exactly, text guarded against running as a formula."""
    if value is None:
        return ""
    if isinstance(value, str):
        return guard_csv_text(value)
    return format_number(value)


def csv_text(stream: ValueStream) -> str:
    """The stage table as CSV text, header first."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(column.title for column in STAGE_COLUMNS)
    writer.writerows(
        [_field(value) for value in row] for row in stage_rows(stream, analyze(stream))
    )
    return buffer.getvalue()


def export_csv(stream: ValueStream, path: str | os.PathLike[str]) -> None:
    """Write the stage table to ``path`` atomically."""
    try:
        write_atomically(path, csv_text(stream).encode("utf-8-sig"))
    except OSError as error:
        raise VSMapperError(f"{path}: cannot be saved ({error.strerror or error})") from None
