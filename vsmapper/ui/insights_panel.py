"""Where AI would matter and what the map says: the leverage ranking and the insight cards.

It also holds what the AI panels share: a panel that follows the analysis, its heading, how
deltas are written and coloured, and the line that shows a refused edit.
"""

from __future__ import annotations

import heapq
import html
import math
from collections.abc import Sequence
from typing import NamedTuple, cast

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    Qt,
    QTimer,
    Signal,
    SignalInstance,
)
from PySide6.QtGui import QBrush, QFont, QFontMetrics, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHeaderView,
    QLabel,
    QLayout,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from vsmapper.analysis import FlowAnalysis, StageSensitivity, sensitivity
from vsmapper.analysis.flow import overloaded
from vsmapper.analysis.insights import Insight, PhaseShare, hourglass, insights
from vsmapper.analysis.queues import QueueChange, relief_text
from vsmapper.model.duration import share_text
from vsmapper.model.stream import Scenario, Stage, ValueStream
from vsmapper.ui import theme
from vsmapper.ui.background import Latest
from vsmapper.ui.docks import InView
from vsmapper.ui.focus import scroller
from vsmapper.ui.stage_names import NameDelegate
from vsmapper.ui.units import (
    NOISE,
    UNBOUNDED,
    WORSE,
    change_color,
    duration_text,
    money_text,
    signed_duration,
    signed_number,
)
from vsmapper.ui.workspace import Workspace

REFRESH_DELAY_MS = 300
"""How long a panel waits after an edit before it recomputes: a burst of edits costs one."""
OFF_THREAD_STAGES = 400
"""From this many stages on, the findings are worked out off the GUI thread (about 0.1 s at
1,000 stages): the map stays responsive, and a result for a map since changed is dropped."""
PANEL_POINT_SIZE = 12
"""Body text of the panels: readable from the back of a workshop room."""
HEADING_POINT_SIZE = 14
PROBLEM_SHOWN_MS = 8000
MAX_COLUMN_CHARACTERS = 28
"""Wider cells (a long note or constraint name) are elided; the tooltip has the whole text."""
MOST_NAME_CHARACTERS = 60
"""A column of stage names grows to its longest name up to this many characters; a longer
name is cut in the middle."""
MEASURED_NAMES = 50
"""The longest names, in characters, measured to find the widest."""
SEVERITY_COLORS = {
    "critical": theme.CONSTRAINT,
    "warning": theme.OVERLOADED,
    "info": theme.SELECTION,
}
SEVERITY_TINTS = {"critical": "#fdecec", "warning": "#fff5e6", "info": "#eef4ff"}

CARD_STRIP = 6
"""Width of the severity colour down a card's left edge."""

STAGE_ROLE = Qt.ItemDataRole.UserRole
"""Item data holding the stage id a row is about."""
BAR_ROLE = Qt.ItemDataRole.UserRole + 1
"""Item data holding the share (0..1) a cell's background bar fills."""
BAR_COLOR_ROLE = Qt.ItemDataRole.UserRole + 2
ROOT = QModelIndex()
"""The parent of a table model's cells."""


# --- words and colours ------------------------------------------------------------------


def overload_text(overflowing: Sequence[QueueChange]) -> str:
    """The stages that overflow and their loads: ``overloaded: Code review 117%``; one
    overloaded today already says so, so that an idea is not blamed for it."""
    loads = ", ".join(
        f"{change.stage} {change.utilization_after or 0:.0%}"
        + (" (already)" if overloaded(change.utilization_before) else "")
        for change in overflowing
    )
    return f"overloaded: {loads}"


def panel_font(point_size: float = PANEL_POINT_SIZE, bold: bool = False) -> QFont:
    """The application's font at a projector-friendly size."""
    result = QFont()
    result.setPointSizeF(point_size)
    result.setBold(bold)
    return result


def text_label(
    text: str = "",
    color: str = theme.INK,
    point_size: float = PANEL_POINT_SIZE,
    bold: bool = False,
    parent: QWidget | None = None,
    rich: bool = False,
) -> QLabel:
    """A word-wrapped label in a colour, with its own font; plain text unless ``rich``.

    The font is set on the label itself because Qt drops the inherited one from a widget
    that has (or sits in) a style sheet.
    """
    label = QLabel(text, parent)
    label.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setFont(panel_font(point_size, bold))
    label.setStyleSheet(f"color: {color};")
    return label


def section_label(text: str = "") -> QLabel:
    """A bold caption above a part of a panel."""
    label = text_label(text, theme.INK_SOFT, bold=True)
    label.setContentsMargins(0, 6, 0, 0)
    return label


def prepare_table(table: QTableView, row_height: float = 1.75) -> None:
    """Rows ``row_height`` lines high, whole-row selection, the panels' font: every table's look."""
    table.setFont(panel_font())
    table.setAlternatingRowColors(True)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setWordWrap(False)
    table.verticalHeader().setDefaultSectionSize(round(table.fontMetrics().height() * row_height))


def fit_columns(table: QTableView, max_characters: int = MAX_COLUMN_CHARACTERS) -> None:
    """Size columns to their contents, but no wider than ``max_characters``; longer text elides."""
    table.resizeColumnsToContents()
    widest = table.fontMetrics().averageCharWidth() * max_characters
    for column in range(table.model().columnCount()):
        table.setColumnWidth(column, min(widest, table.columnWidth(column)))


def fit_name_column(table: QTableView, column: int) -> None:
    """Make a column of stage names as wide as its longest, on every row and not only those
    in view, before the free text of the last column, which takes what is left.

    A column the user made wider stays so; a name longer than ``MOST_NAME_CHARACTERS`` is cut
    in the middle.
    """
    if not isinstance(table.itemDelegateForColumn(column), NameDelegate):
        table.setItemDelegateForColumn(column, NameDelegate(table))
    model, plain = table.model(), table.fontMetrics()
    # Names by font, each font's metrics made once: a metrics object and a measure for each
    # of 2,000 rows took 40 ms of every redraw.
    names: dict[str, tuple[QFontMetrics, set[str]]] = {}
    for row in range(model.rowCount()):
        index = model.index(row, column)
        font = index.data(Qt.ItemDataRole.FontRole)
        key = font.key() if isinstance(font, QFont) else ""
        if key not in names:
            names[key] = (QFontMetrics(font) if isinstance(font, QFont) else plain, set())
        names[key][1].add(str(index.data()))
    widest = max(
        (
            metrics.horizontalAdvance(text)
            for metrics, texts in names.values()
            # The widest name is among the longest: the rest need no measuring.
            for text in heapq.nlargest(MEASURED_NAMES, texts, key=len)
        ),
        default=0,
    )
    # The text's margins in a cell, as the style draws them.
    margin = table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table) + 1
    most = plain.averageCharWidth() * MOST_NAME_CHARACTERS
    wanted = min(widest + 2 * margin + 2, most)
    table.setColumnWidth(column, max(table.columnWidth(column), wanted))


def filled_item(table: QTableWidget, row: int, column: int) -> QTableWidgetItem:
    """The item of a cell the panel has filled."""
    item = table.item(row, column)
    assert item is not None
    return item


def clear_layout(layout: QLayout) -> None:
    """Empty ``layout``, deleting the widgets it held."""
    while layout.count():
        item = layout.takeAt(0)
        widget = None if item is None else item.widget()
        if widget is not None:
            widget.deleteLater()


class Heading(QLabel):
    """What a view shows, "Current state" or "Scenario: …", tinted when it is a scenario."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setFont(panel_font(HEADING_POINT_SIZE, bold=True))
        # A long scenario name wraps instead of widening the dock.
        self.setWordWrap(True)

    def show_label(self, workspace: Workspace, detail: str = "") -> None:
        """Name what ``workspace`` shows, with an optional detail after it."""
        scenario = workspace.scenario is not None
        ink, fill = (theme.AI, theme.AI_FILL) if scenario else (theme.INK, theme.BOX_HEADER)
        self.setStyleSheet(
            f"QLabel {{ color: {ink}; background: {fill}; border-radius: 5px; padding: 5px 10px; }}"
        )
        self.setText(workspace.label + (f"  ·  {detail}" if detail else ""))


class ProblemLabel(QLabel):
    """A refused edit, shown in red beside the field for a few seconds."""

    def __init__(self, parent: QWidget | None = None, edited: SignalInstance | None = None) -> None:
        super().__init__(parent)
        if edited is not None:
            # An edit that went through answers the problem: it stayed beside a good edit.
            edited.connect(self._on_edit)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(True)
        self.setFont(panel_font(bold=True))
        self.setStyleSheet(f"color: {WORSE};")
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()
        self._timer = QTimer(self, singleShot=True, interval=PROBLEM_SHOWN_MS)
        self._timer.timeout.connect(self.hide)

    def show_problem(self, message: str) -> None:
        """Show ``message`` until the next edit or a few seconds have passed."""
        self.setText(message)
        self.show()
        self._timer.start()

    def _on_edit(self, *_: object) -> None:
        self.hide()


class FollowingPanel(QWidget):
    """A panel redrawn from the analysis a moment after the map or the shown scenario changes.

    Redraws wait ``REFRESH_DELAY_MS`` so a burst of edits costs one, and wait while the panel
    is hidden or its dock is tabbed away (``InView``), so a panel nobody looks at costs
    nothing until it comes into view.
    """

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.setFont(panel_font())
        self.heading = Heading(self)
        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(10, 10, 10, 10)
        self.column.setSpacing(8)
        self.column.addWidget(self.heading)
        self._stale = True
        self._in_view = InView(self, self._catch_up)
        self._timer = QTimer(self, singleShot=True, interval=REFRESH_DELAY_MS)
        self._timer.timeout.connect(self._catch_up)
        workspace.refreshed.connect(self._schedule)
        workspace.scenarioChanged.connect(self._schedule)

    @property
    def in_view(self) -> bool:
        """Whether the panel can be seen: shown, and its dock not tabbed away."""
        return bool(self._in_view)

    def _schedule(self) -> None:
        self._stale = True
        if self.in_view:
            self._timer.start()

    def _catch_up(self) -> None:
        """Redraw if the map changed since the last redraw and the panel can be seen."""
        if self._stale and self.in_view:
            self.refresh()

    @property
    def stale(self) -> bool:
        """Whether the map or the shown scenario changed since the last redraw."""
        return self._stale

    def refresh(self) -> None:
        """Redraw now from the document and the shown scenario."""
        self._timer.stop()
        self._stale = False
        self.heading.show_label(self.workspace, self.redraw())

    def redraw(self) -> str:
        """Fill the panel from the workspace; returns a detail for the heading."""
        raise NotImplementedError


class BarDelegate(QStyledItemDelegate):
    """Draws a soft bar under a cell's text, as long as the share in ``BAR_ROLE``: below the
    line, never over its figures."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        share = index.data(BAR_ROLE)
        if share:
            bar = self.bar_rect(option.rect, option.fontMetrics.height())
            bar.setWidth(max(3, round(bar.width() * min(1.0, share))))
            painter.save()
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(theme.color(index.data(BAR_COLOR_ROLE) or theme.FLOW, 150))
            painter.drawRoundedRect(bar, 2, 2)
            painter.restore()
        super().paint(painter, option, index)

    @staticmethod
    def bar_rect(cell: QRect, line_height: int) -> QRect:
        """Where a full bar goes in ``cell``: the strip between its centred line of text and
        its bottom edge."""
        below_text = cell.top() + (cell.height() + line_height) // 2 + 1
        return QRect(
            cell.left() + 3, below_text, cell.width() - 6, max(2, cell.bottom() - below_text - 1)
        )


def read_only_item(text: str, tooltip: str = "") -> QTableWidgetItem:
    """A table cell the user can select and copy but not edit."""
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    if tooltip:
        item.setToolTip(tooltip)
    return item


def percent_of(hours: float, total: float) -> float:
    """``hours`` as a percentage of ``total`` (0 when there is no total)."""
    return 100 * hours / total if total > 0 else 0.0


# --- where AI would matter ---------------------------------------------------------------

LEVERS = (
    ("halve_process_hours", "Halve process time", theme.PROCESS),
    ("halve_wait_hours", "Halve wait", theme.WAIT),
    ("perfect_pca_hours", "%C&A to 100%", theme.REWORK),
)


def lever_phrase(lever: str, stage: str) -> str:
    """How a sentence names one lever at one stage."""
    return {
        "halve_process_hours": f"halving the process time of {stage}",
        "halve_wait_hours": f"halving the wait before {stage}",
        "perfect_pca_hours": f"getting {stage} to 100% complete and accurate",
    }[lever]


def best_lever(found: StageSensitivity) -> tuple[str, float]:
    """A stage's biggest lever and its saving; on a tie the cheaper change (wait) wins."""
    candidates = [
        (name, getattr(found, name))
        for name in ("halve_wait_hours", "halve_process_hours", "perfect_pca_hours")
    ]
    return max(candidates, key=lambda item: item[1])


def leverage_sentence(
    stream: ValueStream, ranked: Sequence[StageSensitivity], analysis: FlowAnalysis
) -> str:
    """Where AI is aimed against where a change would matter, in one sentence.

    AI is aimed at the stage with the most AI opportunities marked (of several marked alike,
    the one whose process time matters most), or at coding when none are: the stage AI tools
    usually speed up. The sentence says which of these it is.
    """
    total = analysis.expected_lead_time_hours
    if not ranked or total <= 0:
        return "Give the stages times to see where a change would shorten lead time."
    by_id = {found.stage_id: found for found in ranked}
    marked = [stage for stage in stream.stages if stage.ai]
    aimed_id: str | None = None
    if marked:
        most = max(len(stage.ai) for stage in marked)
        tied = [stage.id for stage in marked if len(stage.ai) == most]
        aimed_id = max(tied, key=lambda stage_id: by_id[stage_id].halve_process_hours)
        why = (
            "where AI is marked"
            if len(marked) == 1
            else "where most AI is marked"
            if len(tied) == 1
            else "the AI-marked stage where it matters most"
        )
    else:
        aimed_id = next((stage.id for stage in stream.stages if stage.kind == "coding"), None)
        why = "where AI tools usually help"
    best = ranked[0]
    lever, saved = best_lever(best)
    best_clause = f"{lever_phrase(lever, best.stage)} by {percent_of(saved, total):.1f}%"
    if aimed_id is None:
        return f"{best_clause[0].upper()}{best_clause[1:]}: the biggest single lever."
    aimed = by_id[aimed_id]
    aimed_share = percent_of(aimed.halve_process_hours, total)
    opening = (
        f"Halving the process time of {aimed.stage} ({why}) would cut expected lead time by "
        f"{aimed_share:.1f}%"
    )
    if aimed.stage_id == best.stage_id and lever == "halve_process_hours":
        return f"{opening}, more than any other single change."
    return f"{opening}; {best_clause}."


class RankedRow(NamedTuple):
    """One stage of the ranking as the table shows it."""

    found: StageSensitivity
    texts: tuple[str, ...]
    best: str | None
    """The stage's best lever, shown bold; None when no lever saves anything."""
    constraint: bool
    marked: bool


# A model rather than a table of items: a redraw costs one pass over the stages instead of
# a Qt item and a handful of calls per cell, and Qt asks only the rows in view what they show.
class LeverageModel(QAbstractTableModel):
    """The ranking behind the leverage table: texts made once per redraw, tooltips when asked."""

    HEADERS = ("Stage", *(title for _, title, _ in LEVERS), "AI marked here")
    SHOWN_ROLES = frozenset(
        (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
            Qt.ItemDataRole.FontRole,
            Qt.ItemDataRole.ForegroundRole,
            Qt.ItemDataRole.BackgroundRole,
            Qt.ItemDataRole.TextAlignmentRole,
            STAGE_ROLE,
            BAR_ROLE,
            BAR_COLOR_ROLE,
        )
    )

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[RankedRow] = []
        self._stream: ValueStream | None = None
        self._total = 0.0
        self._largest = 0.0
        self._bold = panel_font(bold=True)
        self._constraint_looks: dict[int, object] = {
            Qt.ItemDataRole.ForegroundRole: QBrush(theme.color(theme.CONSTRAINT)),
            Qt.ItemDataRole.BackgroundRole: QBrush(theme.color(theme.CONSTRAINT_TINT)),
            Qt.ItemDataRole.FontRole: self._bold,
        }
        self._marked = QBrush(theme.color(theme.AI))
        self._unmarked = QBrush(theme.color(theme.MUTED))

    def show_ranking(
        self,
        stream: ValueStream,
        ranked: Sequence[StageSensitivity],
        total: float,
        constraint: str | None,
        marked: dict[str, str],
    ) -> None:
        """Show ``ranked`` of ``total`` hours, with the AI ``marked`` at each stage by id."""
        self._stream, self._total = stream, total
        self._largest = max((found.best_hours for found in ranked), default=0.0)
        rows = [
            self._row(stream, found, total, found.stage_id == constraint, marked)
            for found in ranked
        ]
        # Rows added or taken at the end, not a reset: the selection and current cell stay.
        shown = len(self.rows)
        if len(rows) < shown:
            self.beginRemoveRows(ROOT, len(rows), shown - 1)
            del self.rows[len(rows) :]
            self.endRemoveRows()
        elif len(rows) > shown:
            self.beginInsertRows(ROOT, shown, len(rows) - 1)
            self.rows.extend(rows[shown:])
            self.endInsertRows()
        self.rows = rows
        if rows:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(rows) - 1, len(self.HEADERS) - 1)
            )

    @staticmethod
    def _row(
        stream: ValueStream,
        found: StageSensitivity,
        total: float,
        constraint: bool,
        marked: dict[str, str],
    ) -> RankedRow:
        savings = [
            f"{percent_of(saved, total):.1f}%  ·  {duration_text(stream, saved)}"
            if saved > NOISE
            else "—"
            for saved in (getattr(found, lever) for lever, _, _ in LEVERS)
        ]
        best, best_saved = best_lever(found)
        names = marked.get(found.stage_id, "")
        return RankedRow(
            found,
            (found.stage + ("  ◆ constraint" if constraint else ""), *savings, names or "—"),
            best if best_saved > NOISE else None,
            constraint,
            bool(names),
        )

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = ROOT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = ROOT) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return super().headerData(section, orientation, role)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        # Qt asks every role of every cell in view on each paint: answer the shown ones only.
        if role not in self.SHOWN_ROLES:
            return None
        row = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return row.texts[column]
        if role == STAGE_ROLE:
            return row.found.stage_id
        if column == 0:
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"{row.found.stage}\nClick to select this stage on the map"
            return self._constraint_looks.get(role) if row.constraint else None
        if column > len(LEVERS):
            if role == Qt.ItemDataRole.ForegroundRole:
                return self._marked if row.marked else self._unmarked
            return None
        lever, title, bar_color = LEVERS[column - 1]
        saved = getattr(row.found, lever)
        if role == BAR_ROLE:
            return saved / self._largest if saved > NOISE else 0.0
        if role == BAR_COLOR_ROLE:
            return bar_color
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight
        if role == Qt.ItemDataRole.FontRole:
            return self._bold if lever == row.best else None
        if role == Qt.ItemDataRole.ToolTipRole:
            assert self._stream is not None
            return (
                f"{title} at {row.found.stage}: expected lead time "
                f"{signed_duration(self._stream, -saved)} of "
                f"{duration_text(self._stream, self._total)}"
            )
        return None


class LeverageView(FollowingPanel):
    """Every stage ranked by how much expected lead time would fall if it improved."""

    stageRequested = Signal(str)

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(workspace, parent)
        self.explanation = text_label(point_size=PANEL_POINT_SIZE + 2, parent=self)
        self.model = LeverageModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setItemDelegate(BarDelegate(self.table))
        prepare_table(self.table)
        header = self.table.horizontalHeader()
        # Measuring every cell on every edit costs the square of the rows: size once instead.
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self._sized = False
        self.table.verticalHeader().setToolTip("Rank: the biggest lever first")
        self.table.clicked.connect(self._on_clicked)
        note = text_label(
            "Each figure: how much expected lead time (with rework) would fall "
            "from that one change alone. Bold: the stage's best lever.",
            theme.MUTED,
            parent=self,
        )
        layout = self.column
        layout.addWidget(self.explanation)
        layout.addWidget(self.table, 1)
        layout.addWidget(note)

    def ranked_stage_ids(self) -> list[str]:
        """The stage ids in the order shown."""
        return [row.found.stage_id for row in self.model.rows]

    def redraw(self) -> str:
        stream = self.workspace.displayed_stream
        analysis = self.workspace.analysis()
        overflowing = self.workspace.overflowing
        if overflowing:
            # No lead time to save from: only relieving the overload changes it.
            ranked: Sequence[StageSensitivity] = ()
            self.explanation.setText(f"{relief_text(overflowing)}.")
        else:
            ranked = sensitivity(stream)
            self.explanation.setText(leverage_sentence(self.workspace.stream, ranked, analysis))
        scenario = self.workspace.scenario
        marked = {
            stage.id: ", ".join(self._marked_names(stage, scenario))
            for stage in self.workspace.stream.stages
            if stage.ai
        }
        self.model.show_ranking(
            stream,
            ranked,
            analysis.expected_lead_time_hours,
            analysis.constraint.stage_id if analysis.constraint else None,
            marked,
        )
        if not self._sized and ranked:
            # Sized once to the contents; after that the widths are the user's.
            fit_columns(self.table)
            self._sized = True
        fit_name_column(self.table, 0)
        return "where a change would shorten lead time"

    @staticmethod
    def _marked_names(stage: Stage, scenario: Scenario | None) -> list[str]:
        """The AI opportunities marked at a stage; "(off)" for those a shown scenario lacks."""
        return [
            opportunity.name
            + ("" if scenario is None or opportunity.id in scenario.ai else " (off)")
            for opportunity in stage.ai
        ]

    def _on_clicked(self, index: QModelIndex) -> None:
        self.stageRequested.emit(index.data(STAGE_ROLE))


# --- insights ----------------------------------------------------------------------------


class InsightCard(QFrame):
    """One finding: its severity's colour, title and text, and links to the stages it names."""

    stageRequested = Signal(str)

    def __init__(
        self, insight: Insight, stage_names: dict[str, str], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.insight = insight
        strong = SEVERITY_COLORS[insight.severity]
        severity = text_label(insight.severity.upper(), strong, PANEL_POINT_SIZE - 3, True, self)
        self.title_label = text_label(insight.title, theme.INK, PANEL_POINT_SIZE + 1, True, self)
        self.text_label = text_label(insight.text, theme.INK_SOFT, parent=self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 8, 10, 10)
        layout.setSpacing(4)
        layout.addWidget(severity)
        layout.addWidget(self.title_label)
        layout.addWidget(self.text_label)
        if insight.stage_ids:
            self.setCursor(Qt.CursorShape.PointingHandCursor)
            self.setToolTip("Click to select the stage on the map")
            links = " · ".join(
                f'<a href="{html.escape(stage_id)}" style="color: '
                f'{theme.SELECTION};">'
                f"{html.escape(stage_names.get(stage_id, stage_id))}</a>"
                for stage_id in insight.stage_ids
            )
            self.links_label = text_label(
                f"Select on the map: {links}", theme.MUTED, parent=self, rich=True
            )
            self.links_label.linkActivated.connect(self.stageRequested)
            layout.addWidget(self.links_label)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(theme.color(SEVERITY_COLORS[self.insight.severity]))
        painter.drawRoundedRect(self.rect(), 6, 6)
        painter.setBrush(theme.color(SEVERITY_TINTS[self.insight.severity]))
        painter.drawRoundedRect(self.rect().adjusted(CARD_STRIP, 0, 0, 0), 5, 5)
        painter.end()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.insight.stage_ids:
            self.stageRequested.emit(self.insight.stage_ids[0])
        super().mouseReleaseEvent(event)


def findings(
    stream: ValueStream, scenario: Scenario | None
) -> tuple[list[Insight], list[PhaseShare]]:
    """What the Insights panel shows: the findings and the phases' shares."""
    return insights(stream, scenario), hourglass(stream, scenario)


class InsightsPanel(FollowingPanel):
    """The map's findings in plain language, most urgent first, and time against AI by phase."""

    stageRequested = Signal(str)

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(workspace, parent)
        self._cards_host = QWidget()
        self._cards = QVBoxLayout(self._cards_host)
        self._cards.setContentsMargins(0, 0, 4, 0)
        self._cards.setSpacing(8)
        scroll = scroller(self._cards_host, self)
        self.phases = QTableWidget(0, 3, self)
        self.phases.setHorizontalHeaderLabels(["Phase", "Time share", "AI ideas"])
        for column, tip in enumerate(
            (
                "",
                "The phase's share of expected lead time today, along the expected critical path",
                "AI opportunities marked in the phase (in a scenario: the ones it enables) and "
                "the change of expected lead time with all of them, applied to the map as it is "
                "today",
            )
        ):
            header = self.phases.horizontalHeaderItem(column)
            if tip and header is not None:
                header.setToolTip(tip)
        self.phases.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.phases.setItemDelegate(BarDelegate(self.phases))
        self.phases.verticalHeader().hide()
        prepare_table(self.phases, row_height=1.5)
        self.phases.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.phases.horizontalHeader().setStretchLastSection(True)
        self.phases.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout = self.column
        layout.addWidget(scroll, 1)
        layout.addWidget(section_label("Where the time is, and where the AI is"))
        layout.addWidget(self.phases)
        self._finder = Latest(self)
        self._finder.ready.connect(self._on_found)
        self._finder.failed.connect(self._on_failed)

    def cards(self) -> list[InsightCard]:
        """The cards shown, most urgent first."""
        found = []
        for index in range(self._cards.count()):
            item = self._cards.itemAt(index)
            if item is not None and isinstance(card := item.widget(), InsightCard):
                found.append(card)
        return found

    def redraw(self) -> str:
        stream, scenario = self.workspace.stream, self.workspace.scenario
        if len(stream.stages) < OFF_THREAD_STAGES:
            return self._show(stream, *findings(stream, scenario))
        self._finder.request((stream, scenario), lambda: findings(stream, scenario))
        return "working out the findings…"

    @property
    def working(self) -> bool:
        """Whether findings are being worked out off the GUI thread."""
        return self._finder.running

    def _is_current(self, key: object) -> bool:
        """Whether findings asked for with ``key`` are for the map as it is now; if not, the
        panel asks again (a move of boxes replaces the map without a refresh)."""
        stream, scenario = cast(tuple[ValueStream, Scenario | None], key)
        if stream is self.workspace.stream and scenario is self.workspace.scenario:
            return True
        self._stale = True
        self._catch_up()
        return False

    def _on_found(self, key: object, found: object) -> None:
        if self._is_current(key):
            stream = self.workspace.stream
            shown = cast(tuple[list[Insight], list[PhaseShare]], found)
            self.heading.show_label(self.workspace, self._show(stream, *shown))

    def _on_failed(self, key: object, message: str) -> None:
        if self._is_current(key):
            self.heading.show_label(
                self.workspace, f"the findings could not be worked out: {message}"
            )

    def _show(self, stream: ValueStream, found: list[Insight], shares: list[PhaseShare]) -> str:
        """Show findings and phase shares worked out for ``stream``; a detail for the heading."""
        clear_layout(self._cards)
        names = {stage.id: stage.name for stage in stream.stages}
        for insight in found:
            card = InsightCard(insight, names, self._cards_host)
            card.stageRequested.connect(self.stageRequested)
            self._cards.addWidget(card)
        if not found:
            empty = text_label(
                "No findings yet: give the stages times to see where the time goes.", theme.MUTED
            )
            self._cards.addWidget(empty)
        self._cards.addStretch(1)
        self._fill_phases(stream, shares)
        warnings = sum(insight.severity != "info" for insight in found)
        counted = f"{len(found)} finding{'s' * (len(found) != 1)}"
        return counted + (f", {warnings} to act on" if warnings else "")

    def _fill_phases(self, stream: ValueStream, shares: list[PhaseShare]) -> None:
        total = math.fsum(share.expected_hours for share in shares)
        self.phases.setRowCount(len(shares))
        # A scenario's view counts its AI ideas; the time is where it is today.
        time = self.phases.horizontalHeaderItem(1)
        if time is not None:
            time.setText("Time today" if self.workspace.scenario else "Time share")
        for row, share in enumerate(shares):
            strong = theme.PHASE_COLORS[share.phase].strong
            phase = read_only_item(share.phase.capitalize(), f"{share.stages} stages")
            phase.setForeground(QBrush(theme.color(theme.PHASE_COLORS[share.phase].label)))
            phase.setFont(panel_font(bold=True))
            portion = read_only_item(
                f"{share_text(share.share)} · {duration_text(stream, share.expected_hours)}"
            )
            portion.setData(BAR_ROLE, share.share)
            portion.setData(BAR_COLOR_ROLE, strong)
            delta = share.expected_lead_time_delta_hours
            effect = UNBOUNDED if delta is None else signed_duration(stream, delta)
            change = (
                effect
                if delta is None
                else f"{effect} ({signed_number(percent_of(delta, total))}%)"
            )
            # Count and effect in one column, the cost in the tip: four columns did not fit
            # a projector's dock, and the effect was the one cut off.
            ideas = read_only_item(
                f"{share.opportunities} · {effect}" if share.opportunities else "—",
                f"{share.opportunities} AI idea{'s' * (share.opportunities != 1)} for "
                f"{money_text(share.monthly_cost, stream.currency)} a month: expected lead "
                f"time {change} with all of them, applied to the map as it is today"
                if share.opportunities
                else "",
            )
            tone = WORSE if delta is None else change_color(delta)
            if tone and share.opportunities:
                ideas.setForeground(QBrush(theme.color(tone)))
            for column, item in enumerate((phase, portion, ideas)):
                self.phases.setItem(row, column, item)
        rows = self.phases.verticalHeader().defaultSectionSize() * len(shares)
        self.phases.setFixedHeight(rows + self.phases.horizontalHeader().sizeHint().height() + 4)
