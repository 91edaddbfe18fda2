"""Export a map as an Excel workbook whose totals are live formulas (docs/file-format.md)."""

from __future__ import annotations

import contextlib
import io
import os
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from itertools import chain, repeat, zip_longest
from typing import TYPE_CHECKING, NamedTuple, cast

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.compat import safe_string
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

from vsmapper.analysis import FlowAnalysis, analyze
from vsmapper.analysis.forecast import Forecast
from vsmapper.analysis.graph import flow_graph, longest_out_of
from vsmapper.errors import VSMapperError, quoted
from vsmapper.io.atomic import save_error, write_atomically
from vsmapper.io.exports import CURRENT_STATE
from vsmapper.io.tables import (
    AI_COLUMNS,
    CONSTRAINT,
    EFFICIENCY_FORMAT,
    HOURS_FORMAT,
    LEAD_TIME_AFTER,
    LEAD_TIME_FROM_HERE,
    LONGEST_FROM_FIRST_STAGES,
    MAP_ORDER,
    MONEY_FORMAT,
    NEXT_ON_PATH,
    ON_CRITICAL_PATH,
    PCA,
    PLAN_TABLE_COLUMNS,
    PROCESS_HOURS,
    SCENARIO_COLUMNS,
    SETTINGS_LABELS,
    SHARE_FORMAT,
    STAGE,
    STAGE_COLUMNS,
    STATUS_COLUMNS,
    WAIT_HOURS,
    WORKBOOK_STAGE_COLUMNS,
    Column,
    Row,
    ai_rows,
    as_exported,
    plan_rows,
    scenario_rows,
    settings_values,
    stage_rows,
    status_rows,
)
from vsmapper.model import ValueStream
from vsmapper.model.stream import KINDS, MIN_SHARE, NO_COSTS, PHASES

if TYPE_CHECKING:
    from vsmapper.history.measure import Measurement

SUMMARY_LABELS = (
    "Lead time (h)",
    "Process time (h)",
    "Wait time (h)",
    "Flow efficiency",
    "Rolled %C&A",
    "Expected lead time (h)",
    "Constraint",
)
RESORT = "Sort Stages by Map order to recalculate"
"""What the Summary's lead, process and wait time and flow efficiency say while the Stages
rows are in another order than the map's."""
EXCEL_TEXT_LIMIT = 32_767
EXCEL_FORMULA_LIMIT = 8_192
"""The longest formula Excel reads; a longer one makes it call the file damaged."""
MAX_CHART_STAGES = 60
"""A bar chart of more stages than this is unreadable; the table still has them all."""
MAX_PATH_SHOWN = 40
PROCESS_COLOR, WAIT_COLOR = "2F855A", "E0A526"
CRITICAL_FILL = PatternFill("solid", fgColor="DCE7F5")
CONSTRAINT_FILL = PatternFill("solid", fgColor="FDE2E2")
BOLD = Font(bold=True)
CONSTRAINT_FONT = Font(bold=True, color="C53030")
NOTE_FONT = Font(italic=True, color="4A5568")
COMPUTED_FORECAST = (
    "As exported: VSMapper ran this forecast; edits in the Stages sheet do not change it"
)
HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="top")
TABLE_STYLE = "TableStyleMedium2"


@dataclass(frozen=True, eq=False)
class RowMark:
    """How a table row stands out: a fill on its first cell or across it, a first-cell font.

    Compared by identity: rows share a few marks, whose styles are looked up once each.
    """

    fill: PatternFill | None = None
    font: Font | None = None
    across: bool = False


PLAIN = RowMark()
CONSTRAINT_ROW = RowMark(CONSTRAINT_FILL, CONSTRAINT_FONT, across=True)


class _SheetWriter:
    """Rows into one write-only sheet, text kept as text and numbers formatted."""

    def __init__(self, workbook: Workbook, title: str, widths: Sequence[float]) -> None:
        self.sheet = workbook.create_sheet(title)
        for place, width in enumerate(widths, start=1):
            self.sheet.column_dimensions[get_column_letter(place)].width = width
        self.rows = 0
        self.body = ""
        """Rows written as sheet XML by ``table``, put into the sheet after the save."""
        self.cached: dict[str, float] = {}
        """Formula cells' values by coordinate, put into the sheet after the save: readers that
        calculate nothing (a preview, pandas) show them."""

    def cell(
        self,
        value: object,
        number_format: str | None = None,
        font: Font | None = None,
        fill: PatternFill | None = None,
        alignment: Alignment | None = None,
    ) -> object:
        """A value ready to append: plain when it needs nothing, else a styled cell."""
        formula_like = isinstance(value, str) and value.startswith("=")
        if not (
            formula_like
            or font
            or fill
            or alignment
            or (number_format and isinstance(value, int | float))
        ):
            return value
        cell = WriteOnlyCell(self.sheet, value)
        if formula_like:
            cell.data_type = "s"
        if number_format and isinstance(value, int | float):
            cell.number_format = number_format
        for name, style in (("font", font), ("fill", fill), ("alignment", alignment)):
            if style is not None:
                setattr(cell, name, style)
        return cell

    def formula(self, text: str, number_format: str, font: Font | None = None) -> WriteOnlyCell:
        """A live formula cell."""
        cell = WriteOnlyCell(self.sheet, text)
        cell.number_format = number_format
        if font is not None:
            cell.font = font
        return cell

    def append(self, values: Sequence[object]) -> None:
        """One more row."""
        # A table's rows go into the sheet after openpyxl saves it: a row written below
        # them now would come before them in the file, which Excel calls damaged.
        if self.body:
            raise RuntimeError(f"{self.sheet.title}: a table must be the last thing on its sheet")
        self.sheet.append(list(values))
        self.rows += 1

    def table(
        self,
        columns: Sequence[Column],
        rows: Sequence[Sequence[object]],
        name: str,
        marks: Sequence[RowMark] = (),
    ) -> None:
        """A header and rows as an Excel table with a frozen header, filtered and banded."""
        last_cell = f"{get_column_letter(len(columns))}{len(rows) + 1}"
        # Without a stated size, openpyxl's reader parses the whole sheet once to find it;
        # the write-only writer states one when the sheet can tell it before its first row.
        self.sheet.calculate_dimension = lambda: f"A1:{last_cell}"
        self.sheet.freeze_panes = "B2"
        self.append([self._header(column) for column in columns])
        self.body = self._rows_xml(columns, rows, marks)
        self.rows += len(rows)
        if rows:
            table = Table(displayName=name, ref=f"A1:{last_cell}")
            table.tableColumns = [
                TableColumn(id=place, name=column.title)
                for place, column in enumerate(columns, start=1)
            ]
            table.tableStyleInfo = TableStyleInfo(name=TABLE_STYLE, showRowStripes=True)
            # Through the table list: add_table would warn that write-only sheets lack the
            # column names, which are given above.
            self.sheet.tables.add(table)

    def _header(self, column: Column) -> object:
        """A column's header cell, with its note when it has one."""
        cell = self.cell(column.title, font=BOLD, alignment=HEADER_ALIGNMENT)
        if column.note:
            cast(WriteOnlyCell, cell).comment = Comment(column.note, "VSMapper")
        return cell

    def _rows_xml(
        self, columns: Sequence[Column], rows: Sequence[Sequence[object]], marks: Sequence[RowMark]
    ) -> str:
        """Table rows as the sheet's XML, styled as ``cell`` styles them, under the header.

        openpyxl builds an element tree per cell; the cells of a big map's tables are
        formatted as text here instead, the same XML at a fraction of the time.
        """
        letters = [get_column_letter(place) for place in range(1, len(columns) + 1)]
        styles: dict[RowMark, list[tuple[str, str]]] = {}
        parts: list[str] = []
        for number, (row, mark) in enumerate(
            zip(rows, chain(marks, repeat(PLAIN)), strict=False), start=self.rows + 1
        ):
            if mark not in styles:
                styles[mark] = [
                    (
                        self._style_attribute(None, mark, first),
                        self._style_attribute(column.number_format, mark, first),
                    )
                    for first, column in zip(
                        [True] + [False] * (len(columns) - 1), columns, strict=True
                    )
                ]
            parts.append(f'<row r="{number}">')
            for value, letter, (text_style, number_style) in zip(
                row, letters, styles[mark], strict=True
            ):
                parts.append(_cell_xml(f"{letter}{number}", value, text_style, number_style))
            parts.append("</row>")
        return "".join(parts)

    def _style_attribute(self, number_format: str | None, mark: RowMark, first: bool) -> str:
        """The ``s`` attribute of a table cell in a row so marked: ``' s="7"'``, or ''."""
        cell = WriteOnlyCell(self.sheet)
        if number_format:
            cell.number_format = number_format
        if first and mark.font is not None:
            cell.font = mark.font
        if (first or mark.across) and mark.fill is not None:
            cell.fill = mark.fill
        return f' s="{cell.style_id}"' if cell.has_style else ""


class Formula(NamedTuple):
    """A table cell's live formula and the value it computes, for readers that compute nothing."""

    text: str
    value: float


def _cell_xml(reference: str, value: object, text_style: str, number_style: str) -> str:
    """One cell as openpyxl writes it: text inline, numbers as ``%.16g``, empty if styled."""
    if isinstance(value, Formula):
        text = value.text.removeprefix("=").replace("&", "&amp;").replace("<", "&lt;")
        return f'<c r="{reference}"{number_style}><f>{text.replace(">", "&gt;")}</f><v>{safe_string(value.value)}</v></c>'
    if value is None:
        return f'<c r="{reference}"{text_style} t="n" />' if text_style else ""
    if isinstance(value, str):
        if not value:
            return f'<c r="{reference}"{text_style} t="inlineStr" />'
        text = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        stripped = value.strip()
        space = ' xml:space="preserve"' if stripped and stripped != value else ""
        return f'<c r="{reference}"{text_style} t="inlineStr"><is><t{space}>{text}</t></is></c>'
    if isinstance(value, bool):
        return f'<c r="{reference}"{number_style} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, date):
        value = to_excel(value)  # a serial day number under the column's date format
    if isinstance(value, int | float):
        number = safe_string(value)
        content = f"<v>{number}</v>" if number else "<v />"
        return f'<c r="{reference}"{number_style} t="n">{content}</c>'
    raise TypeError(f"a table cell cannot hold {type(value).__name__}")


class _TextTable(NamedTuple):
    """Rows of the user's text to check, and how a message names a row and a column."""

    noun: str
    columns: Sequence[str]
    rows: Sequence[Row]
    name_column: int
    """The column whose value names the row: a stage's name, an opportunity's id."""


def _check_text(path: str | os.PathLike[str], tables: Sequence[_TextTable]) -> None:
    """Refuse text Excel cannot hold, rather than write a workbook it calls damaged."""
    for table in tables:
        for row in table.rows:
            for title, text in zip(table.columns, row, strict=False):
                if not isinstance(text, str):
                    continue
                problem = _excel_text_problem(text)
                if problem is not None:
                    name = row[table.name_column]
                    subject = f"{table.noun} {quoted(name)} " if table.noun else ""
                    raise VSMapperError(f"{os.fspath(path)}: {subject}{title.lower()}: {problem}")


def _excel_text_problem(text: str) -> str | None:
    """Why an Excel cell cannot hold ``text``, or None."""
    if len(text) > EXCEL_TEXT_LIMIT:
        return (
            f"the text {quoted(text)} is {len(text):,} characters long; "
            f"an Excel cell holds at most {EXCEL_TEXT_LIMIT:,}"
        )
    if ILLEGAL_CHARACTERS_RE.search(text):
        return (
            f"the text {quoted(text)} holds control characters that Excel cannot store; remove them"
        )
    return None


STAGE_TABLE = "StageTable"
VALIDATED_ROWS = 20_000
"""Rows of ``Stages`` whose Phase, Kind and %C&A cells check what is typed in them."""


def _stage_column(column: Column) -> str:
    """One column of the ``Stages`` table as a structured reference, ``StageTable[[%C&A]]``.

    A structured reference covers the rows a user adds to the table, so the Summary's totals
    count them; the double brackets allow any character in the title but the escaped ones.
    """
    title = "".join(f"'{mark}" if mark in "[]#'" else mark for mark in column.title)
    return f"{STAGE_TABLE}[[{title}]]"


MOST_ARGUMENTS = 255
"""The most arguments Excel takes in one call; longer lists are split into nested calls."""


def _call(function: str, arguments: Sequence[str]) -> str:
    """``function`` of ``arguments`` as formula text, nested where Excel needs it."""
    if len(arguments) <= MOST_ARGUMENTS:
        return f"{function}({','.join(arguments)})"
    groups = [
        arguments[start : start + MOST_ARGUMENTS]
        for start in range(0, len(arguments), MOST_ARGUMENTS)
    ]
    return _call(function, [_call(function, group) for group in groups])


def _within_limit(cell: object) -> object:
    """The cell, or its value where its formula is too long for Excel."""
    if isinstance(cell, Formula) and len(cell.text) > EXCEL_FORMULA_LIMIT:
        return cell.value
    return cell


def _with_path_formulas(
    stream: ValueStream, analysis: FlowAnalysis, rows: Sequence[Row]
) -> tuple[list[list[object]], bool]:
    """The Stages rows with formulas that find the critical path again from their times, and
    whether they all could: a formula too long for Excel is written as its value.

    A stage's lead time from here is its wait and process plus the longest lead time from
    here of its successors. The path starts at the first stage without predecessors whose
    lead time from here is the longest and goes on, stage by stage, to the first successor
    (in the analysis's order) with the longest: the analysis's own rule for ties, so the
    path is one path and no time on it counts twice. Flows do not change in a workbook, so
    the references that follow them are fixed at export, and hold while the rows stay in
    map order.
    """
    graph = flow_graph(stream)
    letter = {
        column.title: get_column_letter(place)
        for place, column in enumerate(WORKBOOK_STAGE_COLUMNS, start=1)
    }
    process, wait, here, after, next_row, so_far, critical = (
        letter[column.title]
        for column in (
            PROCESS_HOURS,
            WAIT_HOURS,
            LEAD_TIME_FROM_HERE,
            LEAD_TIME_AFTER,
            NEXT_ON_PATH,
            LONGEST_FROM_FIRST_STAGES,
            ON_CRITICAL_PATH,
        )
    )
    from_here, following = longest_out_of(
        graph, [analysis.stages[number].elapsed_hours for number in graph.order]
    )
    sheet_row = [number + 2 for number in graph.order]
    """The sheet row of the stage at each position."""
    longest = f"${so_far}${len(rows) + 1}"
    longest_so_far = 0.0
    critical_place = STAGE_COLUMNS.index(ON_CRITICAL_PATH)
    written: list[list[object]] = []
    follows_edits = True
    for number, (row, metrics) in enumerate(zip(rows, analysis.stages, strict=True)):
        place, line = graph.positions[number], number + 2
        successors, predecessors = graph.successors[place], graph.predecessors[place]
        after_cell: object = 0
        next_cell: object = None
        if successors:
            after_cell = Formula(
                "=" + _call("MAX", [f"{here}{sheet_row[later]}" for later in successors]),
                max(from_here[later] for later in successors),
            )
            next_cell = sheet_row[successors[0]]
        if len(successors) > 1:
            last = len(successors)
            firsts = [
                f"IF({here}{sheet_row[later]}={after}{line},{rank},{last})"
                for rank, later in enumerate(successors[:-1], start=1)
            ]
            choices = ";".join(str(sheet_row[later]) for later in successors)
            next_cell = Formula(
                f"=INDEX({{{choices}}},{_call('MIN', [*firsts, str(last)])})",
                sheet_row[following[place]],
            )
        starts: list[str] = []
        if predecessors:
            so_far_cell: object = Formula(f"={so_far}{line - 1}", longest_so_far) if line > 2 else 0
        else:
            longest_so_far = max(longest_so_far, from_here[place])
            so_far_cell = Formula(
                f"=MAX({so_far}{line - 1},{here}{line})" if line > 2 else f"={here}{line}",
                longest_so_far,
            )
            starts.append(
                f"AND({here}{line}={longest},{so_far}{line - 1}<{longest})"
                if line > 2
                else f"{here}{line}={longest}"
            )
        comes_from = [
            f"{critical}{sheet_row[before]}=1"
            if len(graph.successors[before]) == 1
            else f"AND({critical}{sheet_row[before]}=1,{next_row}{sheet_row[before]}={line})"
            for before in predecessors
        ]
        on_path = int(metrics.on_critical_path)
        if not starts and len(predecessors) == 1 and len(graph.successors[predecessors[0]]) == 1:
            critical_cell = Formula(f"={critical}{sheet_row[predecessors[0]]}", on_path)
        else:
            critical_cell = Formula(f"=IF({_call('OR', [*starts, *comes_from])},1,0)", on_path)
        path_cells = [
            Formula(f"={process}{line}+{wait}{line}+{after}{line}", from_here[place]),
            after_cell,
            next_cell,
            so_far_cell,
            critical_cell,
        ]
        kept = [_within_limit(cell) for cell in path_cells]
        follows_edits = follows_edits and kept == path_cells
        written.append([*row[:critical_place], number + 1, *kept, *row[critical_place + 1 :]])
    return written, follows_edits


def _mark_critical_rows(sheet: object, count: int) -> None:
    """Each stage's name bold and shaded while its On critical path says 1, edits or not;
    the constraint's keeps its own fill and font."""
    if not count:
        return
    critical, constraint = (
        get_column_letter(WORKBOOK_STAGE_COLUMNS.index(column) + 1)
        for column in (ON_CRITICAL_PATH, as_exported(CONSTRAINT))
    )
    rule = FormulaRule(
        formula=[f"AND(${critical}2=1,${constraint}2<>1)"], fill=CRITICAL_FILL, font=BOLD
    )
    sheet.conditional_formatting.add(f"A2:A{count + 1}", rule)  # type: ignore[attr-defined]


def _validate_stages(sheet: object) -> None:
    """Drop-down lists for Phase and Kind and a range check for %C&A, as the map file has."""
    rules = {
        "Phase": DataValidation(
            type="list", formula1=f'"{",".join(PHASES)}"', allow_blank=True, showDropDown=False
        ),
        "Kind": DataValidation(
            type="list", formula1=f'"{",".join(KINDS)}"', allow_blank=True, showDropDown=False
        ),
        PCA.title: DataValidation(
            type="decimal",
            operator="between",
            formula1=str(MIN_SHARE),
            formula2="100",
            allow_blank=True,
        ),
    }
    titles = [column.title for column in WORKBOOK_STAGE_COLUMNS]
    for title, rule in rules.items():
        letter = get_column_letter(titles.index(title) + 1)
        rule.error = f"{title}: {_ALLOWED[title]}"
        rule.errorTitle = f"Not a {title}"
        rule.showErrorMessage = True
        rule.add(f"{letter}2:{letter}{VALIDATED_ROWS + 1}")
        sheet.data_validations.append(rule)  # type: ignore[attr-defined]


_ALLOWED = {
    "Phase": f"one of {', '.join(PHASES)}",
    "Kind": f"one of {', '.join(KINDS)}",
    PCA.title: f"percent complete and accurate, {MIN_SHARE:g} to 100",
}


def _hours_text(stream: ValueStream) -> str:
    calendar = stream.calendar
    return (
        f"{calendar.hours_per_day:g} h a day, {calendar.days_per_week:g} days a week "
        "(times in hours are working hours)"
    )


def _state_text(shown: str) -> str:
    """What the workbook holds, and the scenario shown in the app when it was written."""
    if shown == CURRENT_STATE:
        return shown
    return (
        f"{CURRENT_STATE}: the map as it is, every scenario on the Scenarios sheet. "
        f"Shown when exported: {shown}; its figures are in its row there"
    )


def money_format(currency: str) -> str:
    """An amount with its currency after it, as the app writes it: ``1,250.00 USD``."""
    return f'{MONEY_FORMAT} "{currency.replace(chr(34), "")}"'


def _in_currency(columns: Sequence[Column], currency: str) -> list[Column]:
    """The columns, those of money showing ``currency`` after the amount and wider for it."""
    return [
        replace(
            column, number_format=money_format(currency), width=column.width + len(currency) + 1
        )
        if column.number_format == MONEY_FORMAT
        else column
        for column in columns
    ]


def _write_summary(
    writer: _SheetWriter,
    stream: ValueStream,
    analysis: FlowAnalysis,
    label: str,
    stages_sheet: object,
    follows_edits: bool,
) -> None:
    """Label/value rows whose totals are formulas over ``Stages``, and facts beside them;
    ``follows_edits`` says whether its critical path is all formulas."""
    count = len(stream.stages)
    process, wait = _stage_column(PROCESS_HOURS), _stage_column(WAIT_HOURS)
    critical, pca = _stage_column(ON_CRITICAL_PATH), _stage_column(PCA)
    order = _stage_column(MAP_ORDER)
    # The path's formulas refer to rows in map order; a row added below has no Map order.
    unsorted = f'SUMPRODUCT(({order}<>"")*({order}<>ROW({order})-1))>0'
    formulas: list[str | int] = (
        [
            *(
                f'=IF({unsorted},"{RESORT}",{total})'
                for total in (
                    f"SUMPRODUCT({process}+{wait},{critical})",
                    f"SUMPRODUCT({process},{critical})",
                    f"SUMPRODUCT({wait},{critical})",
                    "IF(B1>0,B2/B1,0)",
                )
            ),
            # A product of thousands of fractions underflows; a sum of logarithms does not.
            # 1 or less is a fraction, as the import reads it: "90%" typed in Excel is 0.9.
            f"=EXP(SUMPRODUCT(LN({pca}/100^({pca}>1))))",
        ]
        if count
        else [0, 0, 0, 0, 1]
    )
    formats = [HOURS_FORMAT] * 3 + [EFFICIENCY_FORMAT, SHARE_FORMAT]
    constraint = analysis.constraint
    names = {metrics.id: metrics.name for metrics in analysis.stages}
    path = [names[stage_id] for stage_id in analysis.critical_path]
    shown_path = " → ".join(path[:MAX_PATH_SHOWN])
    if len(path) > MAX_PATH_SHOWN:
        shown_path += f" → … ({len(path) - MAX_PATH_SHOWN:,} more)"
    bottleneck = analysis.capacity_bottleneck
    computed = (
        analysis.lead_time_hours,
        analysis.process_time_hours,
        analysis.wait_time_hours,
        analysis.flow_efficiency,
        analysis.rolled_pca,
    )
    values: list[object] = [
        *(
            value if isinstance(value, int) else (value, number_format, result)
            for value, number_format, result in zip(formulas, formats, computed, strict=True)
        ),
        writer.cell(analysis.expected_lead_time_hours, HOURS_FORMAT, BOLD),
        writer.cell(constraint.stage if constraint else "—", font=CONSTRAINT_FONT),
    ]
    path_note = (
        "which follows edits of the times"
        if follows_edits
        else "as exported: it no longer follows edits of the times, since a stage has more "
        "flows than an Excel formula can hold"
    )
    notes = [
        "Σ process + wait time of the stages on the critical path (Stages › On critical path), "
        f"{path_note}. The path's formulas need the Stages rows in Map order: sorted "
        f'otherwise, these four cells say "{RESORT}"',
        "Σ process time on the critical path",
        "Σ wait time on the critical path",
        "Process time ÷ lead time",
        "Product of every stage's %C&A: the share of items that need no rework",
        "As exported: lead time plus the expected rework, computed by VSMapper; "
        "edits in Stages do not change it",
        f"As exported: {constraint.reason}" if constraint else "As exported",
    ]
    facts = [
        ("Map", stream.name),
        ("State", _state_text(label)),
        ("Exported", f"{datetime.now():%Y-%m-%d %H:%M} by VSMapper"),
        ("Working time", _hours_text(stream)),
        # A number a spreadsheet can reckon with, in the map's currency; "not set" without costs.
        (
            "Cost per item (as exported)",
            writer.cell(analysis.cost_per_item, money_format(stream.currency))
            if stream.has_costs()
            else NO_COSTS,
        ),
        (
            "Capacity bottleneck (as exported)",
            "— (no demand given)"
            if bottleneck is None
            else f"{bottleneck.stage} at {bottleneck.utilization:.0%} of capacity",
        ),
        ("Critical path (as exported)", shown_path),
    ]
    for label_text, value, note, (fact, fact_value) in zip(
        SUMMARY_LABELS, values, notes, facts, strict=True
    ):
        if isinstance(value, tuple):
            text, number_format, result = value
            value = writer.formula(text, number_format, BOLD)
            writer.cached[f"B{writer.rows + 1}"] = result  # the row appended next
        writer.append(
            [
                writer.cell(label_text, font=BOLD),
                value,
                writer.cell(note),
                None,
                writer.cell(fact, font=BOLD),
                writer.cell(fact_value) if isinstance(fact_value, str) else fact_value,
            ]
        )
    if 0 < count <= MAX_CHART_STAGES:
        writer.sheet.add_chart(_time_chart(stages_sheet, count), "A10")


def _time_chart(stages_sheet: object, count: int) -> BarChart:
    """Process against wait time per stage, as stacked bars read from ``Stages``."""
    chart = BarChart()
    chart.type, chart.grouping, chart.overlap = "bar", "stacked", 100
    chart.title = "Where the time goes: wait and process time per stage (likely hours)"
    chart.y_axis.title = "working hours"
    chart.x_axis.scaling.orientation = "maxMin"
    chart.y_axis.crosses = "max"
    chart.x_axis.delete = chart.y_axis.delete = False
    for column, color in ((WAIT_HOURS, WAIT_COLOR), (PROCESS_HOURS, PROCESS_COLOR)):
        place = WORKBOOK_STAGE_COLUMNS.index(column) + 1
        data = Reference(stages_sheet, min_col=place, min_row=1, max_row=count + 1)
        chart.add_data(data, titles_from_data=True)
        chart.series[-1].graphicalProperties.solidFill = color
        chart.series[-1].graphicalProperties.line.solidFill = color
    place = WORKBOOK_STAGE_COLUMNS.index(STAGE) + 1
    chart.set_categories(Reference(stages_sheet, min_col=place, min_row=2, max_row=count + 1))
    chart.gapWidth = 40
    chart.width, chart.height = 26, max(8, 0.55 * count + 3)
    return chart


def _write_forecast(writer: _SheetWriter, forecast: Forecast, label: str) -> None:
    """The forecast's percentiles, each stage's criticality and the histogram with its chart."""
    figures = [
        ("Trials", forecast.trials, "#,##0"),
        ("Seed", forecast.seed, "0"),
        ("Method", forecast.method, None),
        ("Mean (h)", forecast.mean_hours, HOURS_FORMAT),
        ("P50 (h)", forecast.p50_hours, HOURS_FORMAT),
        ("P85 (h)", forecast.p85_hours, HOURS_FORMAT),
        ("P95 (h)", forecast.p95_hours, HOURS_FORMAT),
        ("Nominal lead time (h)", forecast.nominal_lead_time_hours, HOURS_FORMAT),
        ("Forecast of", label, None),
    ]
    for figure, value, number_format in figures:
        writer.append([writer.cell(figure, font=BOLD), writer.cell(value, number_format)])
    # Beside a Summary whose lead time follows edits, this one looked live too.
    writer.append([writer.cell(COMPUTED_FORECAST, font=NOTE_FONT)])
    header = writer.rows + 1
    writer.append(
        [
            writer.cell(title, font=BOLD, alignment=HEADER_ALIGNMENT)
            for title in (
                "Stage",
                "Criticality (share of trials on the critical path)",
                None,
                "From (h)",
                "To (h)",
                "Trials",
            )
        ]
    )
    criticality = [
        (forecast.stage_names[stage_id], share) for stage_id, share in forecast.criticality.items()
    ]
    bins = list(
        zip(
            forecast.histogram_edges,
            forecast.histogram_edges[1:],
            forecast.histogram_counts,
            strict=False,
        )
    )
    for stage, bin_range in zip_longest(criticality, bins):
        name, share = stage or (None, None)
        low, high, trials = bin_range or (None, None, None)
        writer.append(
            [
                writer.cell(name),
                writer.cell(share, SHARE_FORMAT),
                None,
                writer.cell(low, HOURS_FORMAT),
                writer.cell(high, HOURS_FORMAT),
                trials,
            ]
        )
    chart = BarChart()
    chart.title = "Lead-time forecast: trials per lead time (working hours)"
    chart.legend = None
    chart.gapWidth = 10
    chart.x_axis.delete = chart.y_axis.delete = False
    chart.add_data(
        Reference(writer.sheet, min_col=6, min_row=header, max_row=header + len(bins)),
        titles_from_data=True,
    )
    chart.set_categories(
        Reference(writer.sheet, min_col=5, min_row=header + 1, max_row=header + len(bins))
    )
    chart.series[0].graphicalProperties.solidFill = "3B82F6"
    chart.width, chart.height = 22, 10
    writer.sheet.add_chart(chart, "H2")


MEASURED_SHEET = "Measured flow"
MEASURED_WIDTHS = [26, 17, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12]
MEASURED_STAGE_HEADERS = (
    "Stage",
    "Items measured",
    "Measured wait P10 (h)",
    "Measured wait P50 (h)",
    "Measured wait P90 (h)",
    "Measured process P10 (h)",
    "Measured process P50 (h)",
    "Measured process P90 (h)",
    "Measured %C&A",
    "Map wait (h)",
    "Map process (h)",
    "Map %C&A",
    "Throughput per week",
    "Waiting items (WIP)",
)
DATE_TIME_FORMAT = "yyyy-mm-dd hh:mm"


def _formatted(writer: _SheetWriter, value: object, number_format: str | None) -> object:
    """A number or a date in its format (``_SheetWriter.cell`` formats numbers only)."""
    if isinstance(value, date) and number_format:
        cell = WriteOnlyCell(writer.sheet, value)
        cell.number_format = number_format
        return cell
    return writer.cell(value, number_format)


def _write_measured_flow(
    writer: _SheetWriter, stream: ValueStream, measurement: Measurement
) -> None:
    """Flow metrics of a work-item history, each stage measured against the map, weekly throughput."""
    flow = measurement.flow_time
    figures: list[tuple[str, object, str | None]] = [
        ("Window from", measurement.since, DATE_TIME_FORMAT),
        ("Window to", measurement.until, DATE_TIME_FORMAT),
        ("Items", measurement.items, "#,##0"),
        ("Done items", measurement.done_items, "#,##0"),
        ("Flow time P50 (h)", flow.p50, HOURS_FORMAT),
        ("Flow time P85 (h)", flow.p85, HOURS_FORMAT),
        ("Flow time P95 (h)", flow.p95, HOURS_FORMAT),
        ("Flow time mean (h)", flow.mean, HOURS_FORMAT),
        ("Throughput per week", measurement.flow_velocity_per_week, "0.0#"),
        ("Flow efficiency", measurement.flow_efficiency, SHARE_FORMAT),
        ("Flow load (items)", measurement.flow_load, "0.0#"),
    ]
    for label, value, number_format in figures:
        writer.append([writer.cell(label, font=BOLD), _formatted(writer, value, number_format)])
    writer.append([])
    writer.append(
        [
            writer.cell(title, font=BOLD, alignment=HEADER_ALIGNMENT)
            for title in MEASURED_STAGE_HEADERS
        ]
    )
    calendar = stream.calendar
    drawn = {stage.id: stage for stage in stream.stages}
    for found in measurement.stages:
        stage = drawn.get(found.id)
        hours = calendar.hours_per_day, calendar.days_per_week
        values: list[tuple[object, str | None]] = [
            (found.name, None),
            (found.items, "#,##0"),
            *((value, HOURS_FORMAT) for value in (found.wait.p10, found.wait.p50, found.wait.p90)),
            *(
                (value, HOURS_FORMAT)
                for value in (found.process.p10, found.process.p50, found.process.p90)
            ),
            # Whole percents, as the Measured flow panel shows it.
            (found.pca, "0"),
            (stage.wait_time.likely_hours(*hours) if stage else None, HOURS_FORMAT),
            (stage.process_time.likely_hours(*hours) if stage else None, HOURS_FORMAT),
            (stage.pca if stage else None, PCA.number_format),
            (found.throughput_per_week, "0.0#"),
            (found.wip, "0.0#"),
        ]
        writer.append([writer.cell(value, number_format) for value, number_format in values])
    if not measurement.weekly_done:
        return
    writer.append([])
    header = writer.rows + 1
    writer.append([writer.cell(title, font=BOLD) for title in ("Week from", "Items done")])
    for week, count in measurement.weekly_done:
        writer.append([_formatted(writer, week, "yyyy-mm-dd"), count])
    chart = BarChart()
    chart.title = "Throughput: items done per week"
    chart.legend = None
    chart.gapWidth = 30
    chart.x_axis.delete = chart.y_axis.delete = False
    last = header + len(measurement.weekly_done)
    chart.add_data(
        Reference(writer.sheet, min_col=2, min_row=header, max_row=last), titles_from_data=True
    )
    chart.set_categories(Reference(writer.sheet, min_col=1, min_row=header + 1, max_row=last))
    chart.series[0].graphicalProperties.solidFill = PROCESS_COLOR
    chart.width, chart.height = 22, 10
    writer.sheet.add_chart(chart, f"D{header}")


def export_xlsx(
    stream: ValueStream,
    path: str | os.PathLike[str],
    forecast: Forecast | None = None,
    label: str = CURRENT_STATE,
    measurement: Measurement | None = None,
) -> None:
    """Write the map as an Excel workbook to ``path`` atomically; ``label`` names the state
    shown in the app (the forecast's, when given).

    Sheets: ``Summary``, ``Stages``, ``AI opportunities``, ``Scenarios``, ``Forecast`` (when
    a forecast is given), ``Measured flow`` (when a measurement of work-item history is
    given) and ``Settings``; the workbook imports back as the same map.
    """
    workbook = Workbook(write_only=True)
    buffer = io.BytesIO()
    try:
        writers = _fill_workbook(path, workbook, stream, forecast, label, measurement)
        workbook.save(buffer)
    except OSError as error:
        # A write-only workbook keeps each sheet in a temporary file, which a full disk
        # breaks as well.
        _discard_sheets(workbook)
        raise save_error(path, error) from None
    write_atomically(path, _finished(buffer.getvalue(), writers))


def _finished(packed: bytes, writers: Sequence[_SheetWriter]) -> bytes:
    """The saved workbook with each table's rows put into its sheet, after the header row,
    and each formula's value in its cell."""
    by_path = {writer.sheet.path.lstrip("/"): writer for writer in writers}
    repacked = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(packed)) as source,
        zipfile.ZipFile(repacked, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for member in source.infolist():
            data = source.read(member)
            writer = by_path.get(member.filename)
            if writer is not None and writer.body:
                head, end, tail = data.rpartition(b"</sheetData>")
                data = b"".join((head, writer.body.encode(), end, tail))
            for coordinate, value in (writer.cached if writer is not None else {}).items():
                # openpyxl writes a formula's value empty: <c r="B1" ...><f>…</f><v /></c>.
                data = re.sub(
                    rb'(<c r="' + coordinate.encode() + rb'"[^>]*><f>[^<]*</f>)<v */>',
                    rb"\g<1><v>" + repr(float(value)).encode() + rb"</v>",
                    data,
                    count=1,
                )
            target.writestr(member, data)
    return repacked.getvalue()


def _discard_sheets(workbook: Workbook) -> None:
    """Close and remove a failed workbook's sheet files now.

    Left to the garbage collector, each half-written sheet prints an "Exception ignored"
    traceback on the console.
    """
    for sheet in workbook.worksheets:
        for stream in (getattr(sheet, "_rows", None), getattr(sheet._writer, "xf", None)):
            with contextlib.suppress(Exception):
                stream.close()  # type: ignore[union-attr]
        with contextlib.suppress(Exception):
            sheet._writer.cleanup()


def _fill_workbook(
    path: str | os.PathLike[str],
    workbook: Workbook,
    stream: ValueStream,
    forecast: Forecast | None,
    label: str,
    measurement: Measurement | None = None,
) -> list[_SheetWriter]:
    """Write the whole workbook row by row, in write-only mode; its sheets' writers."""
    analysis = analyze(stream)
    stage_table, ai_table = stage_rows(stream, analysis), ai_rows(stream)
    scenario_table, settings = scenario_rows(stream), settings_values(stream)
    plan_table, status_table = plan_rows(stream), status_rows(stream)
    measured_names: list[Row] = (
        [[found.name] for found in measurement.stages] if measurement else []
    )
    # All the user's text is in these rows; checked before the first sheet is begun.
    _check_text(
        path,
        [
            _TextTable("", SETTINGS_LABELS, [settings], 0),
            _TextTable("stage", [column.title for column in STAGE_COLUMNS], stage_table, 0),
            _TextTable("AI opportunity", [column.title for column in AI_COLUMNS], ai_table, 1),
            _TextTable("scenario", [c.title for c in SCENARIO_COLUMNS], scenario_table, 0),
            _TextTable("plan item at", [c.title for c in PLAN_TABLE_COLUMNS], plan_table, 1),
            _TextTable("status", [c.title for c in STATUS_COLUMNS], status_table, 0),
            _TextTable("measured stage", ["Name"], measured_names, 0),
        ],
    )
    workbook.properties.title = stream.name
    workbook.properties.subject = label
    workbook.properties.description = stream.description or None
    workbook.properties.creator = "VSMapper"
    stage_columns, ai_columns, scenario_columns = (
        _in_currency(columns, stream.currency)
        for columns in (WORKBOOK_STAGE_COLUMNS, AI_COLUMNS, SCENARIO_COLUMNS)
    )
    summary = _SheetWriter(workbook, "Summary", [24, 40, 62, 3, 34, 60])
    stages = _SheetWriter(workbook, "Stages", [column.width for column in stage_columns])
    opportunities = _SheetWriter(workbook, "AI opportunities", [c.width for c in ai_columns])
    scenarios = _SheetWriter(workbook, "Scenarios", [column.width for column in scenario_columns])
    # Where a tracker's statuses go, so that next month's export measures in one step.
    statuses = (
        _SheetWriter(workbook, "Statuses", [c.width for c in STATUS_COLUMNS])
        if status_table
        else None
    )
    plan = (
        _SheetWriter(workbook, "Improvement plan", [c.width for c in PLAN_TABLE_COLUMNS])
        if plan_table
        else None
    )
    forecast_sheet = (
        _SheetWriter(workbook, "Forecast", [26, 14, 3, 12, 12, 10]) if forecast else None
    )
    measured_sheet = (
        _SheetWriter(workbook, MEASURED_SHEET, MEASURED_WIDTHS) if measurement else None
    )
    settings_sheet = _SheetWriter(workbook, "Settings", [18, 60])
    stage_cells, follows_edits = _with_path_formulas(stream, analysis, stage_table)
    _write_summary(summary, stream, analysis, label, stages.sheet, follows_edits)
    constraint = analysis.constraint.stage_id if analysis.constraint else None
    stages.table(
        stage_columns,
        stage_cells,
        STAGE_TABLE,
        [CONSTRAINT_ROW if metrics.id == constraint else PLAIN for metrics in analysis.stages],
    )
    _validate_stages(stages.sheet)
    _mark_critical_rows(stages.sheet, len(stage_table))
    opportunities.table(ai_columns, ai_table, "AIOpportunityTable")
    scenarios.table(scenario_columns, scenario_table, "ScenarioTable")
    if statuses is not None:
        statuses.table(STATUS_COLUMNS, status_table, "StatusTable")
    if plan is not None:
        plan.table(PLAN_TABLE_COLUMNS, plan_table, "ImprovementPlanTable")
    if forecast_sheet is not None and forecast is not None:
        _write_forecast(forecast_sheet, forecast, label)
    if measured_sheet is not None and measurement is not None:
        _write_measured_flow(measured_sheet, stream, measurement)
    for label_text, value in zip(SETTINGS_LABELS, settings, strict=True):
        settings_sheet.append(
            [settings_sheet.cell(label_text, font=BOLD), settings_sheet.cell(value)]
        )
    return [
        summary,
        stages,
        opportunities,
        scenarios,
        *(sheet for sheet in (statuses, plan) if sheet is not None),
    ]
