"""Rows pasted from a spreadsheet into the stage table: update or add stages in one edit."""

from __future__ import annotations

import csv
import io
from typing import Any

from pydantic import ValidationError

from vsmapper.errors import VSMapperError, quoted
from vsmapper.io.table_import import (
    STAGE_HEADERS,
    Cell,
    Problems,
    StageRow,
    Table,
    _lookup,
    _split_header,
    header_place,
    read_stage_rows,
)
from vsmapper.io.tables import END_OF_FLOW
from vsmapper.io.typed import unit_given_twice
from vsmapper.model.document import Document, slug
from vsmapper.model.duration import parse_estimate
from vsmapper.model.kinds import guessed_kind_and_phase
from vsmapper.model.stream import KINDS, PHASES, Flow, Stage
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
    "Wait kind",
)


def has_header(first: list[str]) -> bool:
    """Whether the first pasted row names columns rather than holding a stage: it names the
    Stage column among more names it knows than it does not, and what it does not know could
    hold no stage's field (a "Quality" column, not "creation" or "2h")."""
    lookup = _lookup(STAGE_HEADERS)
    cells = [cell for cell in first if cell.strip()]
    known = [lookup.get(_split_header(cell)[0]) for cell in cells]
    unknown = [cell for cell, column in zip(cells, known, strict=True) if column is None]
    return (
        "Stage" in known
        and len(unknown) < len(cells) - len(unknown)
        and not any(_is_field(cell) for cell in unknown)
    )


def header_row(rows: list[list[str]]) -> int | None:
    """Which pasted row names the columns: the first, or one under a title; None when the
    rows have no header."""
    place = header_place(rows)
    return place if has_header(rows[place]) else None


def _names_columns(rows: list[list[str]]) -> bool:
    """Whether the first row is a header VSMapper cannot read: past its first cell (a stage's
    name, if it is a stage) it holds words no stage's field takes, over rows with values."""
    fields = [cell for cell in rows[0][1:] if cell.strip()]
    return (
        bool(fields)
        and not any(_is_field(cell) for cell in fields)
        and any(_is_value(cell) for row in rows[1:] for cell in row[1:] if cell.strip())
    )


def _is_field(cell: str) -> bool:
    """Whether a cell could hold a stage's field: a number, a duration, a phase or a kind."""
    return cell.strip().lower() in PHASES or cell.strip().lower() in KINDS or _is_value(cell)


def _is_value(cell: str) -> bool:
    """Whether a cell holds a number or a duration."""
    try:
        parse_estimate(cell)
    except ValueError:
        return False
    return True


def clipboard_rows(text: str) -> list[list[str]]:
    """Excel's clipboard text as rows of cells; a blank line is a row of one blank cell.

    Read as Excel writes it (tab-separated, quoted where a cell holds a tab, a quote or a
    line break), so a multi-line note copied from the table pastes back as one cell.
    """
    reader = csv.reader(io.StringIO(text, newline=""), dialect="excel-tab")
    return [row or [""] for row in reader]


def pasted_table(text: str) -> Table:
    """Excel's clipboard text as a table, with the usual column order when it has no header."""
    rows = [row for row in clipboard_rows(text) if any(cell.strip() for cell in row)]
    if not rows:
        raise VSMapperError("nothing to paste: copy rows of a stage table first")
    numbered = list(enumerate(rows, start=1))
    header = header_row(rows)
    if header is None:
        width = max(len(row) for row in rows)
        if width > len(COLUMN_ORDER):
            raise VSMapperError(
                f"pasted rows have {width} columns; without a header row the "
                f"columns must be, in order: {', '.join(COLUMN_ORDER)}"
            )
        if _names_columns(rows):
            # What to do first: a status bar cut this message after the row it quoted.
            named = [quoted(cell.strip()) for cell in rows[0] if cell.strip()]
            names = ", ".join(named[:3]) + (", …" if len(named) > 3 else "")
            raise VSMapperError(
                "no Stage column: name the columns in the first row (Stage, Process time, "
                "Wait time…), or paste rows without names in the order "
                f"{', '.join(COLUMN_ORDER)} (the first row named {names})"
            )
        # The columns' names go above, as row 0: the user's rows keep their own numbers.
        numbered.insert(0, (0, list(COLUMN_ORDER[:width])))
    # What is above the header (a title) is left out; the rows keep their numbers.
    return Table(
        [(number, [Cell(value) for value in row]) for number, row in numbered[header or 0 :]]
    )


def paste_rows(document: Document, text: str, after: str | None = None) -> None:
    """Update the stages the rows name and add the others, continuing the stream.

    Blank cells leave an existing stage's field as it is. A Next cell sets the stage's
    successors. A new row without one continues the chain from the row above it (for the
    first row, from ``after``, else the map's last stage): it is spliced in between that
    stage and what followed it, placed after it in the stage order, and takes its phase
    unless the row gives one. Any problem refuses the whole paste, as do rows that change
    nothing. The rows are worked into a copy of the map and committed as one change,
    checked once.
    """
    stream = document.stream
    table = pasted_table(text)
    problems = Problems("paste", "pasted")
    rows = read_stage_rows(table, stream.calendar, problems)
    for row in rows:  # pasted is typed: "2d 3d" is a range with its dash missed
        for field, column in (("process_time", "Process time"), ("wait_time", "Wait time")):
            estimate = row.fields.get(field)
            problem = estimate and unit_given_twice(estimate, estimate.text)
            if problem:
                problems.add(f"row {row.row}, {column}: {problem}")
    problems.raise_any()
    by_name = {stage.name.strip().casefold(): stage.id for stage in stream.stages}
    fresh = document.fresh_ids()
    ids = []
    for row in rows:
        name = row.fields["name"].casefold()
        if name not in by_name:
            by_name[name] = fresh.fresh(slug(row.fields["name"]))
        ids.append(by_name[name])
    existing = {stage.id for stage in stream.stages}
    start = after if after in existing else (stream.stages[-1].id if stream.stages else None)
    before = [ids[index - 1] if index else start for index in range(len(rows))]
    pasted = _PastedMap(document)
    for index, row in enumerate(rows):
        new = ids[index] not in existing
        previous = before[index]
        if new:
            fields = row.fields
            before_phase = pasted.stages[previous].phase if previous in pasted.stages else None
            fields["kind"], fields["phase"] = guessed_kind_and_phase(
                fields["name"], fields.get("kind"), fields.get("phase"), before_phase or "creation"
            )
        pasted.apply(row, ids[index], by_name, problems, previous if new else None)
    problems.raise_any()
    explicit = {ids[index] for index, row in enumerate(rows) if row.next is not None}
    for index, row in enumerate(rows):
        previous = before[index]
        if row.next is not None:
            pasted.set_successors(row, ids[index], by_name, problems)
        elif ids[index] not in existing and previous and previous != ids[index]:
            if previous in explicit:
                pasted.follow(previous, ids[index])
            else:
                pasted.splice(previous, ids[index])
    problems.raise_any()
    stages, flows = pasted.ordered_stages(), pasted.flows()
    if stages == stream.stages and flows == stream.flows:
        names = ", ".join(quoted(row.fields["name"]) for row in rows[:3])
        more = f" and {len(rows) - 3} more" if len(rows) > 3 else ""
        raise VSMapperError(
            f"nothing changed: the map already has {names}{more} as pasted (rows update "
            "the stages they name; rename a row to add it as a new stage)"
        )
    try:
        document.replace_stages(stages, flows, "paste")
    except VSMapperError as error:
        problems.add(str(error).removeprefix("paste: "))
    problems.raise_any()


class _PastedMap:
    """The stages and flows of a map as a paste changes them, before it is checked once."""

    def __init__(self, document: Document) -> None:
        stream = document.stream
        self.stages = {stage.id: stage for stage in stream.stages}
        self._order = [stage.id for stage in stream.stages]
        self._placed_after: dict[str | None, list[str]] = {}
        """New stages by the stage each went in after (None: at the end), latest last."""
        self._successors: dict[str, list[str]] = {}
        for flow in stream.flows:
            self._successors.setdefault(flow.source, []).append(flow.target)
        self._untouched = list(stream.flows)
        self._touched: dict[str, None] = {}
        """Stages whose flows the paste set, in the order it last set them."""

    def apply(
        self,
        row: StageRow,
        stage_id: str,
        by_name: dict[str, str],
        problems: Problems,
        after: str | None,
    ) -> None:
        """Update the stage with the row's filled cells, or add it after ``after``."""
        fields: dict[str, Any] = {
            k: v for k, v in row.fields.items() if v is not None and k != "id"
        }
        if row.rework_to is not None:
            target = by_name.get(row.rework_to.casefold(), row.rework_to)
            fields["rework_to"] = None if target == stage_id else target
        try:
            found = self.stages.get(stage_id)
            if found is None:
                self.stages[stage_id] = Stage.model_validate({**fields, "id": stage_id})
                self._placed_after.setdefault(after, []).append(stage_id)
            else:
                self.stages[stage_id] = found.replaced(**fields)
        except ValidationError as error:
            for message in validation_messages(error):
                problems.add(f"row {row.row}: {message}")

    def ordered_stages(self) -> list[Stage]:
        """Every stage in the user's order, each new one right after the stage it went after.

        A stage added after the same one later goes before those added earlier, as
        inserting at the place after it does.
        """
        ordered: list[str] = []
        pending = [*reversed(self._placed_after.get(None, [])), *reversed(self._order)]
        while pending:
            stage_id = pending.pop()
            ordered.append(stage_id)
            pending += self._placed_after.get(stage_id, [])
        return [self.stages[stage_id] for stage_id in ordered]

    def flows(self) -> list[Flow]:
        """The flows: those the paste left alone in their order, then the ones it set."""
        kept = [flow for flow in self._untouched if flow.source not in self._touched]
        return kept + [
            Flow(source=source, target=target)
            for source in self._touched
            for target in self._successors.get(source, [])
        ]

    def _set(self, stage_id: str, targets: list[str]) -> None:
        # The same successors keep their flows where they were: a row pasted back unchanged
        # moved its flow to the end of the list, a change the map then had to be saved for.
        targets = list(dict.fromkeys(targets))
        if stage_id not in self._touched and targets == self._successors.get(stage_id, []):
            return
        self._successors[stage_id] = targets
        self._touched.pop(stage_id, None)
        self._touched[stage_id] = None

    def splice(self, before: str, stage_id: str) -> None:
        """Put ``stage_id`` between ``before`` and the stages ``before`` flowed into."""
        onward = [target for target in self._successors.get(before, []) if target != stage_id]
        self._set(stage_id, self._successors.get(stage_id, []) + onward)
        self._set(before, [stage_id])

    def follow(self, before: str, stage_id: str) -> None:
        """Let ``before`` flow into ``stage_id`` as well."""
        targets = self._successors.get(before, [])
        if stage_id not in targets:
            self._set(before, [*targets, stage_id])

    def set_successors(
        self, row: StageRow, source: str, by_name: dict[str, str], problems: Problems
    ) -> None:
        """Make the stages the row's Next cell names the only ones ``source`` flows into."""
        targets = []
        for name in row.next or []:
            if name == END_OF_FLOW:
                continue
            target = by_name.get(name.casefold())
            if target is None:
                problems.add(f"row {row.row}, Next: no stage is called '{name}'")
            elif target == source:
                problems.add(
                    f"row {row.row}, Next: a stage cannot be its own next stage; "
                    "use Rework to for work sent back"
                )
            else:
                targets.append(target)
        self._set(source, targets)
