"""The key numbers of the shown map, large enough to read from the back of a room."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QVBoxLayout, QWidget

from vsmapper.analysis import FlowAnalysis, FutureState
from vsmapper.analysis.queues import relief_text, unbounded_reason
from vsmapper.model.duration import share_text
from vsmapper.model.stream import ValueStream
from vsmapper.ui import theme
from vsmapper.ui.units import (
    NO_COSTS_TIP,
    changes_against,
    cost_text,
    rolled_pca_text,
    show_hours,
    spreadsheet_change,
    spreadsheet_figures,
    spreadsheet_number,
    spreadsheet_text,
)
from vsmapper.ui.workspace import Workspace

FIGURES = [
    ("lead_time", "Lead time"),
    ("process_time", "Process time"),
    ("flow_efficiency", "Flow efficiency"),
    ("rolled_pca", "Rolled %C&A"),
    ("expected_lead_time", "Expected lead time"),
    ("cost_per_item", "Cost per item"),
]


def status_text(
    analysis: FlowAnalysis, stream: ValueStream, future: FutureState | None = None
) -> str:
    """One line for the status bar: lead time, flow efficiency, the constraint."""
    if future is not None and future.unbounded:
        return "Lead time unbounded: " + unbounded_reason(future.overflowing)
    hours = stream.calendar.hours_per_day, stream.calendar.days_per_week
    parts = [
        f"Lead time {show_hours(analysis.lead_time_hours, *hours)}",
        f"flow efficiency {analysis.flow_efficiency:.1%}",
    ]
    constraint = analysis.marked_constraint
    if constraint:
        parts.append(f"constraint: {constraint.stage} ({share_text(constraint.share)})")
    return "  ·  ".join(parts)


def _set_color(label: QLabel, color: str) -> None:
    """Colour a label's text; a style sheet set again, even unchanged, costs a restyle."""
    sheet = f"color: {color};"
    if label.styleSheet() != sheet:
        label.setStyleSheet(sheet)


def _label(size: int, bold: bool = False, color: str = theme.INK) -> QLabel:
    label = QLabel()
    font = label.font()
    font.setPixelSize(size)
    font.setBold(bold)
    label.setFont(font)
    _set_color(label, color)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    # A right click anywhere gives the panel's menu: copying one figure was all it offered.
    label.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
    return label


class MetricsPanel(QWidget):
    """Lead time, flow efficiency, the constraint and the rest, for what is shown."""

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.heading = _label(15, True, theme.AI)
        grid = QGridLayout()
        grid.setHorizontalSpacing(18)
        grid.setVerticalSpacing(2)
        self.values: dict[str, QLabel] = {}
        self.changes: dict[str, QLabel] = {}
        """Under each figure while a scenario is shown, its change against today."""
        for index, (key, title) in enumerate(FIGURES):
            row, column = divmod(index, 2)
            caption = _label(12, color=theme.MUTED)
            caption.setText(title.upper())
            self.values[key] = _label(26, True)
            self.changes[key] = _label(13, True)
            self.changes[key].hide()
            for place, label in enumerate((caption, self.values[key], self.changes[key])):
                grid.addWidget(label, row * 3 + place, column)
        self.constraint = _label(15, True, theme.CONSTRAINT)
        self.reason = _label(13, color=theme.INK_SOFT)
        self.capacity = _label(13, color=theme.INK_SOFT)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(grid)
        layout.addWidget(line)
        layout.addWidget(self.constraint)
        layout.addWidget(self.reason)
        layout.addWidget(self.capacity)
        layout.addStretch(1)
        self._numbers: dict[str, tuple[str, str, str]] = {}
        """Each figure as a plain number, its unit and its change against today, for a
        spreadsheet."""
        self.copy_action = QAction("&Copy the key figures", self)
        self.copy_action.setStatusTip("Every figure as a table, for a spreadsheet or a slide")
        self.copy_action.triggered.connect(self.copy_figures)
        self.addAction(self.copy_action)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        workspace.refreshed.connect(self.refresh)
        workspace.scenarioChanged.connect(self.refresh)
        self.refresh()

    def figures_text(self) -> str:
        """The panel's figures as tab-separated rows for a spreadsheet or a slide: the state
        shown; each figure as shown, as a number a spreadsheet computes with and its unit,
        and its change against today while a scenario is shown; then the constraint."""
        changed = any(not label.isHidden() for label in self.changes.values())
        header = ["Figure", "Shown", "Value", "Unit"]
        header += ["Change vs today, shown", "Change vs today"] * changed
        rows = [[self.heading.text()], header]
        for key, title in FIGURES:
            value, unit, change = self._numbers.get(key, ("", "", ""))
            row = [title, self.values[key].text(), value, unit]
            shown = spreadsheet_text(self.changes[key].text().removesuffix(" vs today"))
            rows.append(row + [shown, change] * changed)
        rows += [[label.text()] for label in (self.constraint, self.capacity) if label.text()]
        return "\n".join("\t".join(row).rstrip("\t") for row in rows) + "\n"

    def copy_figures(self) -> None:
        """Copy the key figures for a spreadsheet or a slide."""
        QGuiApplication.clipboard().setText(self.figures_text())

    def refresh(self) -> None:
        """Show the analysis of what the workspace shows."""
        analysis = self.workspace.analysis()
        stream = self.workspace.displayed_stream
        calendar = stream.calendar.hours_per_day, stream.calendar.days_per_week
        self.heading.setText(self.workspace.label)

        def duration(hours: float) -> tuple[str, str]:
            return show_hours(hours, *calendar), f"{hours:,.2f} working hours"

        shown = {
            "lead_time": duration(analysis.lead_time_hours),
            "process_time": duration(analysis.process_time_hours),
            "flow_efficiency": (
                f"{analysis.flow_efficiency:.1%}",
                "process time ÷ lead time on the critical path",
            ),
            "rolled_pca": (
                rolled_pca_text(analysis.rolled_pca),
                "share of items that pass every stage without rework",
            ),
            "expected_lead_time": duration(analysis.expected_lead_time_hours),
            "cost_per_item": (
                cost_text(analysis.cost_per_item, stream),
                f"{analysis.cost_per_item:,.2f} {stream.currency}"
                if stream.has_costs()
                else NO_COSTS_TIP,
            ),
        }
        overflowing = self.workspace.overflowing
        if overflowing:
            why = unbounded_reason(overflowing)
            for key in ("lead_time", "expected_lead_time"):
                shown[key] = ("unbounded", why)
            shown["flow_efficiency"] = ("—", why)
        for key, (text, tip) in shown.items():
            self.values[key].setText(text)
            self.values[key].setToolTip(tip)
            _set_color(self.values[key], theme.CONSTRAINT if text == "unbounded" else theme.INK)
        today = None if overflowing else self.workspace.today()
        changes = changes_against(stream, today, analysis) if today else {}
        then = spreadsheet_figures(today, stream) if today else {}
        self._numbers = {
            key: (
                spreadsheet_number(value),
                unit,
                spreadsheet_change(then[key][0], value) if key in changes else "",
            )
            for key, (value, unit) in spreadsheet_figures(analysis, stream, not overflowing).items()
            if value is not None
        }
        for key, label in self.changes.items():
            text, color = changes.get(key, ("", None))
            label.setText(f"{text} vs today" if text else "")
            label.setVisible(bool(text))
            _set_color(label, color or theme.INK_SOFT)
        # No red alarm on a map whose stages take no time yet: the reason says what to enter.
        constraint = None if overflowing else analysis.marked_constraint
        self.constraint.setText(
            f"Constraint: {constraint.stage} ({share_text(constraint.share)} of expected lead time)"
            if constraint
            else "No constraint: lead time is unbounded"
            if overflowing
            else "No constraint yet"
            if analysis.stages
            else "No stages yet"
        )
        _set_color(self.constraint, theme.CONSTRAINT if constraint else theme.MUTED)
        self.reason.setText(
            f"{relief_text(overflowing)}."
            if overflowing
            else analysis.constraint.reason
            if analysis.constraint
            else ""
        )
        bottleneck = analysis.capacity_bottleneck
        if bottleneck is None:
            self.capacity.setText("Set a demand (map settings) to see capacity.")
            _set_color(self.capacity, theme.MUTED)
        else:
            state = (
                "OVERLOADED: its queue grows without bound"
                if bottleneck.overloaded
                else "within capacity"
            )
            self.capacity.setText(
                f"Capacity bottleneck: {bottleneck.stage} at {bottleneck.utilization:.0%} — {state}"
            )
            color = theme.CONSTRAINT if bottleneck.overloaded else theme.INK_SOFT
            _set_color(self.capacity, color)
