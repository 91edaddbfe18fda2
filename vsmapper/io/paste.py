"""Rows pasted from a spreadsheet into the stage table: update or add stages in one edit."""

from __future__ import annotations

import csv
import io
from typing import Any

from pydantic import ValidationError

from vsmapper.errors import VSMapperError
from vsmapper.io.table_import import (
    STAGE_HEADERS,
    Cell,
    Problems,
    StageRow,
    Table,
    _lookup,
    _split_header,
    read_stage_rows,
)
from vsmapper.io.tables import END_OF_FLOW
from vsmapper.model.document import Document
from vsmapper.model.stream import Stage
from vsmapper.model.validation import validation_messages

COLUMN_ORDER = (
    "Stage",
    "Phase",
    "Kind",
    "Process time",
    "Wait time",
    "%C&A",
    "Rework to",
    "People",
    "Availability",
    "Hourly cost",
    "Next",
    "Notes",
)


def _has_header(first: list[str]) -> bool:
    """Whether the first pasted row names columns rather than holding a stage."""
    lookup = _lookup(STAGE_HEADERS)
    known = [lookup.get(_split_header(cell)[0]) for cell in first if cell.strip()]
    return "Stage" in known and all(known)


def pasted_table(text: str) -> Table:
    """Excel's clipboard text as a table, with the usual column order when it has no header.

    Read as Excel writes it (tab-separated, quoted where a cell holds a tab, a quote or a
    line break), so a multi-line note copied from the table pastes back as one cell.
    """
    reader = csv.reader(io.StringIO(text, newline=""), dialect="excel-tab")
    rows = [row for row in reader if any(cell.strip() for cell in row)]
    if not rows:
        raise VSMapperError("nothing to paste: copy rows of a stage table first")
    if not _has_header(rows[0]):
        width = max(len(row) for row in rows)
        if width > len(COLUMN_ORDER):
            raise VSMapperError(
                f"pasted rows have {width} columns; without a header row the "
                f"columns must be, in order: {', '.join(COLUMN_ORDER)}"
            )
        rows.insert(0, list(COLUMN_ORDER[:width]))
    return Table(
        [(number, [Cell(value) for value in row]) for number, row in enumerate(rows, start=1)]
    )


def paste_rows(document: Document, text: str, after: str | None = None) -> None:
    """Update the stages the rows name and add the others, continuing the stream.

    Blank cells leave an existing stage's field as it is. A Next cell sets the stage's
    successors. A new row without one continues the chain from the row above it (for the
    first row, from ``after``, else the map's last stage): it is spliced in between that
    stage and what followed it, placed after it in the stage order, and takes its phase
    unless the row gives one. Any problem refuses the whole paste.
    """
    stream = document.stream
    table = pasted_table(text)
    problems = Problems("paste", "pasted")
    rows = read_stage_rows(table, stream.calendar, problems)
    problems.raise_any()
    by_name = {stage.name.strip().casefold(): stage.id for stage in stream.stages}
    ids = [by_name.get(row.fields["name"].casefold()) or "" for row in rows]
    for index, row in enumerate(rows):
        if not ids[index]:
            ids[index] = document.unique_id(row.fields["name"])
            by_name[row.fields["name"].casefold()] = ids[index]
    existing = {stage.id for stage in stream.stages}
    start = after if after in existing else (stream.stages[-1].id if stream.stages else None)
    before = [ids[index - 1] if index else start for index in range(len(rows))]
    for index, row in enumerate(rows):
        new = ids[index] not in existing
        previous = before[index]
        if new and row.fields.get("phase") is None and previous:
            row.fields["phase"] = _phase_of(document, previous, rows, ids)
        _apply_row(document, row, ids[index], by_name, problems, before[index] if new else None)
    problems.raise_any()
    explicit = {ids[index] for index, row in enumerate(rows) if row.next is not None}
    for index, row in enumerate(rows):
        previous = before[index]
        if row.next is not None:
            _set_successors(document, row, ids[index], by_name, problems)
        elif ids[index] not in existing and previous and previous != ids[index]:
            if previous in explicit:
                _follow(document, row, previous, ids[index], problems)
            else:
                _splice(document, row, previous, ids[index], problems)
    problems.raise_any()


def _phase_of(document: Document, stage_id: str, rows: list[StageRow], ids: list[str]) -> Any:
    """The phase a stage has or is about to get from the paste."""
    if stage_id in ids:
        phase = rows[ids.index(stage_id)].fields.get("phase")
        if phase is not None:
            return phase
    return document.stage(stage_id).phase


def _splice(
    document: Document, row: StageRow, before: str, stage_id: str, problems: Problems
) -> None:
    """Put ``stage_id`` between ``before`` and the stages ``before`` flowed into."""
    flows = document.stream.flows
    onward = [f.target for f in flows if f.source == before and f.target != stage_id]
    own = [f.target for f in flows if f.source == stage_id]
    try:
        document.set_successors(stage_id, own + onward)
        document.set_successors(before, [stage_id])
    except VSMapperError as error:
        problems.add(f"row {row.row}, Next: {error}")


def _apply_row(
    document: Document,
    row: StageRow,
    stage_id: str,
    by_name: dict[str, str],
    problems: Problems,
    after: str | None = None,
) -> None:
    fields: dict[str, Any] = {k: v for k, v in row.fields.items() if v is not None and k != "id"}
    if row.rework_to is not None:
        target = by_name.get(row.rework_to.casefold(), row.rework_to)
        fields["rework_to"] = None if target == stage_id else target
    try:
        existing = {s.id: s for s in document.stream.stages}.get(stage_id)
        if existing is None:
            index = document.stage_index(after) + 1 if after else None
            document.insert_stage(Stage.model_validate({**fields, "id": stage_id}), index)
        else:
            document.replace_stage(existing.replaced(**fields))
    except ValidationError as error:
        for message in validation_messages(error):
            problems.add(f"row {row.row}: {message}")
    except VSMapperError as error:
        problems.add(f"row {row.row}: {error}")


def _follow(
    document: Document, row: StageRow, before: str, stage_id: str, problems: Problems
) -> None:
    if any(f.source == before and f.target == stage_id for f in document.stream.flows):
        return
    try:
        document.connect(before, stage_id)
    except VSMapperError as error:
        problems.add(f"row {row.row}, Next: {error}")


def _set_successors(
    document: Document, row: StageRow, source: str, by_name: dict[str, str], problems: Problems
) -> None:
    targets = []
    for name in row.next or []:
        if name == END_OF_FLOW:
            continue
        target = by_name.get(name.casefold())
        if target is None:
            problems.add(f"row {row.row}, Next: no stage is called '{name}'")
        else:
            targets.append(target)
    try:
        document.set_successors(source, targets)
    except VSMapperError as error:
        problems.add(f"row {row.row}, Next: {error}")
