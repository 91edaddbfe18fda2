"""Marking AI opportunities: the catalog's suggestions for a stage and the table of all of them."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from vsmapper.analysis import analyze
from vsmapper.analysis.insights import OpportunityEffect, opportunity_effects
from vsmapper.analysis.queues import unbounded_reason
from vsmapper.analysis.scenario import future_state
from vsmapper.catalog import (
    Practice,
    load_catalog,
    opportunity_from_practice,
    side_effect_targets,
    side_effects_for,
    suggest,
)
from vsmapper.errors import VSMapperError
from vsmapper.model.document import Change
from vsmapper.model.duration import decimal_comma_hint, read_decimal, share_text
from vsmapper.model.stream import MAX_FACTOR, AIOpportunity, Scenario, Stage, ValueStream
from vsmapper.model.validation import validation_messages
from vsmapper.ui import theme
from vsmapper.ui.cell_tabs import TabsThroughEditableCells
from vsmapper.ui.choice_delegate import ChoiceDelegate
from vsmapper.ui.commands import try_perform
from vsmapper.ui.dialogs import resize_for_screen
from vsmapper.ui.insights_panel import (
    PANEL_POINT_SIZE,
    ROOT,
    FollowingPanel,
    ProblemLabel,
    fit_columns,
    fit_name_column,
    overload_text,
    panel_font,
    percent_of,
    prepare_table,
    text_label,
)
from vsmapper.ui.side_effects import SideEffectsDialog
from vsmapper.ui.units import (
    UNBOUNDED,
    WORSE,
    change_color,
    duration_text,
    literal_label,
    money_text,
    signed_duration,
    signed_number,
)
from vsmapper.ui.workspace import Workspace

STATUSES = ("idea", "pilot", "adopted")
CONFIDENCES = ("low", "medium", "high")
DISCLAIMER_LEAD = "Defaults are assumptions — change them."


def factor_text(factor: float) -> str:
    """``×0.8``, ``×0.75``, ``×1.0``."""
    text = f"{factor:.2f}".rstrip("0")
    return f"×{text}0" if text.endswith(".") else f"×{text}"


def points_text(points: float, unit: str = " pts") -> str:
    """A %C&A change in percentage points: ``+3 pts``, ``−2 pts``, ``±0 pts``."""
    return signed_number(points, 0 if points == round(points) else 1, unit)


def effect_text(process_factor: float, wait_factor: float, pca_delta: float) -> str:
    """``process ×0.8, wait ×1.0, %C&A −2 pts``."""
    return (
        f"process {factor_text(process_factor)}, wait {factor_text(wait_factor)}, "
        f"%C&A {points_text(pca_delta)}"
    )


def opportunity_effect_text(opportunity: AIOpportunity, stream: ValueStream) -> str:
    """An opportunity's assumed effect at its stage, and where it has side effects."""
    # Said where it is chosen: the coding assistant's cost at Code review made it slower.
    text = effect_text(
        opportunity.process_time_factor, opportunity.wait_time_factor, opportunity.pca_delta
    )
    also = side_effect_stages(opportunity, stream)
    return f"{text}; also changes {also}" if also else text


def side_effect_stages(opportunity: AIOpportunity, stream: ValueStream) -> str:
    """The names of the stages an opportunity has side effects at; "" for none."""
    names = {stage.id: stage.name for stage in stream.stages}
    return ", ".join(names.get(effect.stage, effect.stage) for effect in opportunity.also)


def read_number(text: str, what: str, example: str) -> float:
    """A number typed the way people write it: ``0.8``, ``×0.8``, ``−2 pts``, ``1,200 USD``."""
    cleaned = re.sub(r"^[×xX*$€£]|pts?$|points?$|[A-Za-z$€£]+$|\s", "", text.strip()).replace(
        "−", "-"
    )
    try:
        number = read_decimal(cleaned)
    except ValueError:
        advice = decimal_comma_hint(cleaned) or f"type e.g. {example}"
        message = f"{what}: '{text.strip()}' is not a number; {advice}"
        raise VSMapperError(message) from None
    # A whole number stays whole, so that a refusal quotes it as typed ("-1", not "-1.0").
    return int(number) if number.is_integer() else number


class CheckedTableModel(QAbstractTableModel):
    """A table whose cells read typed text one way, both while it is typed and when it is
    committed, so what is shown and what is done agree."""

    problem = Signal(str)

    def _value(self, index: QModelIndex | QPersistentModelIndex, text: str) -> Any:
        """What ``text`` means in this cell; ``VSMapperError`` when it cannot mean anything."""
        raise NotImplementedError

    def problem_with(self, index: QModelIndex | QPersistentModelIndex, text: str) -> str | None:
        """Why ``text`` would be refused in this cell, or None."""
        try:
            self._value(index, text)
        except VSMapperError as error:
            return str(error)
        return None


class CheckedTextDelegate(QStyledItemDelegate):
    """A line editor that turns red with the reason while what is typed would be refused, as
    its ``CheckedTableModel`` says."""

    def createEditor(
        self,
        parent: QWidget,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> QWidget:
        editor = QLineEdit(parent)
        editor.setFrame(False)
        model = index.model()
        assert isinstance(model, CheckedTableModel)

        def check(text: str) -> None:
            problem = model.problem_with(index, text)
            editor.setToolTip(problem or "")
            editor.setStyleSheet(
                f"QLineEdit {{ background: {theme.CONSTRAINT_TINT}; }}" if problem else ""
            )

        editor.textChanged.connect(check)
        return editor


# --- adding one --------------------------------------------------------------------------


def _practice_details(practice: Practice, stream: ValueStream, stage_id: str) -> str:
    """A practice's summary, assumed effect, cost, side effects on this map, risks and
    evidence as HTML."""
    effect = practice.effect

    def span(low: float, high: float, text: Callable[[float], str]) -> str:
        return text(low) if low == high else f"{text(low)} to {text(high)}"

    low, high = effect.pca_delta.range
    ranges = (
        f"process {span(*effect.process_time_factor.range, factor_text)}, "
        f"wait {span(*effect.wait_time_factor.range, factor_text)}, "
        f"%C&A {span(low, high, lambda points: points_text(points, ''))} pts"
    )
    default = effect_text(
        effect.process_time_factor.default,
        effect.wait_time_factor.default,
        effect.pca_delta.default,
    )
    risks = "".join(f"<li>{html.escape(risk)}</li>" for risk in practice.risks)
    evidence = "".join(
        f"<li>{html.escape(item.claim)}<br><span style='color:{theme.MUTED}'>"
        f"— {html.escape(item.source)}</span></li>"
        for item in practice.evidence
    )
    stage = stream.stage(stage_id).name
    # Named as they will land on this map: a side effect with no stage of its kind after
    # this one is left out when adding, which the list said nothing of.
    side_effects = "".join(
        (
            f"<li><b>{html.escape(target.name)}</b> ({item.kind}): "
            if target is not None
            else f"<li><i>No {item.kind} stage after {html.escape(stage)}, so left out "
            f"(give a later stage the kind {item.kind} in Properties)</i>: "
        )
        + effect_text(
            item.process_time_factor.default,
            item.wait_time_factor.default,
            item.pca_delta.default,
        )
        + f" — {html.escape(item.basis)}<br><span style='color:{theme.MUTED}'>"
        f"— {html.escape(item.source)}</span></li>"
        for item, target in side_effect_targets(practice, stream, stage_id)
    )
    if side_effects:
        side_effects = (
            "<p><b>Assumed side effects on later stages</b> (editable after adding)</p>"
            f"<ul>{side_effects}</ul>"
        )
    return (
        f"<h3 style='margin:0'>{html.escape(practice.name)}</h3>"
        f"<p>{html.escape(practice.summary)}</p>"
        f"<p><b>Default effect:</b> {default}<br>"
        f"<b>Plausible range:</b> {ranges}<br>"
        f"<b>Monthly cost:</b> {money_text(practice.monthly_cost.usd, 'USD')} "
        f"<span style='color:{theme.MUTED}'>({html.escape(practice.monthly_cost.basis)})</span>"
        f"</p>{side_effects}<p><b>Risks</b></p><ul>{risks}</ul>"
        f"<p><b>Evidence</b></p><ul>{evidence}</ul>"
    )


CUSTOM_DETAILS = (
    "<h3 style='margin:0'>Custom opportunity</h3><p>Your own idea for AI at this stage. "
    "Name it and give its assumed effect: a process or wait factor of 0.8 means 20% less "
    "time, 1 means no change; the %C&A change is in percentage points.</p>"
)


class AddOpportunityDialog(QDialog):
    """Choose an AI practice from the catalog (or a custom idea) and mark it at a stage."""

    added = Signal(str)
    """The id of the opportunity just marked."""

    def __init__(self, workspace: Workspace, stage_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.stage: Stage = workspace.document.stage(stage_id)
        self.catalog = load_catalog()
        self.suggestions = suggest(self.catalog, self.stage)
        self.setWindowTitle(f"Add an AI opportunity to {self.stage.name}")
        self.setFont(panel_font())
        resize_for_screen(self, 1100, 760)

        disclaimer = text_label(
            f"<b>{DISCLAIMER_LEAD}</b> {html.escape(self.catalog.disclaimer)}",
            theme.WAIT_TEXT,
            PANEL_POINT_SIZE - 1,
            rich=True,
        )
        disclaimer.setStyleSheet(
            f"background: {theme.WAIT_FILL}; color: {theme.WAIT_TEXT};"
            " border-radius: 5px; padding: 8px 10px;"
        )
        title = text_label(
            f"AI at <b>{html.escape(self.stage.name)}</b> "
            f"<span style='color:{theme.MUTED}'>({self.stage.kind}, "
            f"{self.stage.phase}): {len(self.suggestions)} suggestions, best "
            "fit first</span>",
            point_size=PANEL_POINT_SIZE + 2,
            rich=True,
        )

        self.choices = QListWidget()
        self.choices.setSpacing(2)
        self.choices.setWordWrap(True)
        self.choices.setMinimumWidth(340)
        others = len(self.catalog.practices) - len(self.suggestions)
        self.show_all = QCheckBox(f"Show the {others} other practices, made for other stages")
        self.show_all.toggled.connect(self._fill_choices)
        self.details = QTextBrowser()
        self.details.setOpenLinks(False)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.choices, 1)
        left_layout.addWidget(self.show_all)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self.details)
        splitter.setSizes([380, 700])

        self.name = QLineEdit()
        self.name.setPlaceholderText("Name the AI idea, e.g. Test data generator")
        # Up to the map's own bound, as the table takes them: at 10, a typed 150 became 10.
        self.process_factor = self._spin(0, MAX_FACTOR, 2, 0.05, "×")
        self.wait_factor = self._spin(0, MAX_FACTOR, 2, 0.05, "×")
        self.pca_delta = self._spin(-100, 100, 1, 1, "", " pts")
        self.monthly_cost = self._spin(0, 10_000_000, 0, 50, "", f" {workspace.stream.currency}")
        figures = QHBoxLayout()
        for caption, box in (
            ("Process time", self.process_factor),
            ("Wait time", self.wait_factor),
            ("%C&A", self.pca_delta),
            ("Cost per month", self.monthly_cost),
        ):
            figures.addWidget(QLabel(caption))
            figures.addWidget(box)
            figures.addSpacing(10)
        figures.addStretch(1)
        form = QFormLayout()
        form.addRow("&Name", self.name)
        form.addRow("Your figures", figures)
        self.preview = text_label(point_size=PANEL_POINT_SIZE + 1, rich=True)
        self.problem = ProblemLabel()

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(
            literal_label(f"Add to {self.stage.name}")
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        layout.addWidget(disclaimer)
        layout.addWidget(title)
        layout.addWidget(splitter, 1)
        layout.addLayout(form)
        layout.addWidget(self.preview)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)

        self.choices.currentItemChanged.connect(self._on_choice)
        for box in (self.process_factor, self.wait_factor, self.pca_delta, self.monthly_cost):
            box.valueChanged.connect(self._update_preview)
        self._fill_choices()

    def _spin(
        self, low: float, high: float, decimals: int, step: float, prefix: str, suffix: str = ""
    ) -> QDoubleSpinBox:
        box = QDoubleSpinBox()
        box.setRange(low, high)
        box.setDecimals(decimals)
        box.setSingleStep(step)
        box.setPrefix(prefix)
        box.setSuffix(suffix)
        box.setGroupSeparatorShown(decimals == 0)
        box.setMinimumWidth(110)
        return box

    def _fill_choices(self) -> None:
        marked = {opportunity.practice for opportunity in self.stage.ai}
        shown = list(self.suggestions)
        if self.show_all.isChecked():
            shown += [p for p in self.catalog.practices if p not in self.suggestions]
        self.choices.clear()
        custom = QListWidgetItem("✎  Custom opportunity\nyour own idea and figures")
        custom.setForeground(QBrush(theme.color(theme.AI)))
        self.choices.addItem(custom)
        for practice in shown:
            effect = practice.effect
            note = "   (already marked here)" if practice.id in marked else ""
            item = QListWidgetItem(
                f"{practice.name}{note}\n"
                + effect_text(
                    effect.process_time_factor.default,
                    effect.wait_time_factor.default,
                    effect.pca_delta.default,
                )
            )
            item.setData(Qt.ItemDataRole.UserRole, practice.id)
            self.choices.addItem(item)
        for row in range(self.choices.count()):
            self.choices.item(row).setSizeHint(QSize(0, round(self.fontMetrics().height() * 2.9)))
        # The best fit, unless nothing fits the stage.
        self.choices.setCurrentRow(1 if shown else 0)

    @property
    def practice(self) -> Practice | None:
        """The chosen practice, or None for a custom opportunity."""
        item = self.choices.currentItem()
        practice_id = item.data(Qt.ItemDataRole.UserRole) if item else None
        return self.catalog.practice(practice_id) if practice_id else None

    def choose(self, practice_id: str | None) -> None:
        """Pick a practice by id, or the custom opportunity with None."""
        for row in range(self.choices.count()):
            if self.choices.item(row).data(Qt.ItemDataRole.UserRole) == practice_id:
                self.choices.setCurrentRow(row)
                return
        raise KeyError(practice_id)

    def _on_choice(self) -> None:
        practice = self.practice
        if practice is None:
            self.details.setHtml(CUSTOM_DETAILS)
            values = ("", 1.0, 1.0, 0.0, 0.0)
        else:
            self.details.setHtml(_practice_details(practice, self.workspace.stream, self.stage.id))
            effect = practice.effect
            values = (
                practice.name,
                effect.process_time_factor.default,
                effect.wait_time_factor.default,
                effect.pca_delta.default,
                practice.monthly_cost.usd,
            )
        self.name.setText(values[0])
        for box, value in zip(
            (self.process_factor, self.wait_factor, self.pca_delta, self.monthly_cost),
            values[1:],
            strict=True,
        ):
            box.blockSignals(True)
            box.setValue(value)
            box.blockSignals(False)
        self._update_preview()

    def opportunity(self) -> AIOpportunity:
        """The opportunity as chosen and adjusted, with a fresh id."""
        name = self.name.text().strip()
        if not name:
            raise VSMapperError("Name the AI opportunity before adding it")
        document = self.workspace.document
        opportunity_id = document.unique_id(name, fallback="ai")
        practice = self.practice
        base = (
            opportunity_from_practice(
                practice, opportunity_id, self.workspace.stream, self.stage.id
            )
            if practice
            else AIOpportunity(id=opportunity_id, name=name)
        )
        return base.replaced(
            name=name,
            process_time_factor=self.process_factor.value(),
            wait_time_factor=self.wait_factor.value(),
            pca_delta=self.pca_delta.value(),
            monthly_cost=self.monthly_cost.value(),
        )

    def _update_preview(self) -> None:
        stream = self.workspace.stream
        preview = AIOpportunity(
            id=self.workspace.document.unique_id("preview", fallback="ai"),
            name="preview",
            process_time_factor=self.process_factor.value(),
            wait_time_factor=self.wait_factor.value(),
            pca_delta=self.pca_delta.value(),
            also=side_effects_for(self.practice, stream, self.stage.id) if self.practice else [],
        )
        stages = [
            stage.model_copy(update={"ai": [*stage.ai, preview]})
            if stage.id == self.stage.id
            else stage
            for stage in stream.stages
        ]
        with_it = stream.model_copy(update={"stages": stages})
        current = analyze(stream)
        state = future_state(with_it, Scenario(id=preview.id, name="preview", ai=[preview.id]))
        total = current.expected_lead_time_hours
        if state.unbounded:
            change = (
                f"<b style='color:{WORSE}'>{UNBOUNDED}</b>: "
                f"{html.escape(unbounded_reason(state.overflowing))}"
            )
        else:
            expected = analyze(state.stream).expected_lead_time_hours - total
            tone = change_color(expected) or theme.INK_SOFT
            change = (
                f"<b style='color:{tone}'>{signed_duration(stream, expected)} "
                f"({signed_number(percent_of(expected, total))}%)</b> "
                f"of {duration_text(stream, total)}"
            )
        text = (
            f"Applied alone to the current state: expected lead time {change}, for "
            f"{money_text(self.monthly_cost.value(), stream.currency)} a month."
        )
        constraint = current.constraint
        if constraint is not None and constraint.stage_id != self.stage.id:
            share = current.stage(self.stage.id).share
            text += (
                f" {html.escape(self.stage.name)} holds {share_text(share)} of it; the constraint "
                f"is {html.escape(constraint.stage)} ({share_text(constraint.share)})."
            )
        self.preview.setText(text)

    def accept(self) -> None:
        """Mark the opportunity as one undo step; a refusal keeps the dialog open."""
        try:
            opportunity = self.opportunity()
        except VSMapperError as error:
            self.problem.show_problem(str(error))
            self.name.setFocus()
            return
        stage_id = self.stage.id
        problem = try_perform(
            self.workspace.undo_stack,
            self.workspace.document,
            f"Add AI opportunity {opportunity.name} to {self.stage.name}",
            lambda document: document.add_opportunity(stage_id, opportunity),
        )
        if problem:
            self.problem.show_problem(problem)
            return
        super().accept()
        self.added.emit(opportunity.id)


# --- the table of all opportunities ------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of the opportunities table: what it shows and which field it edits."""

    title: str
    field: str | None = None
    label: str = ""
    """How an undo text names the field."""
    example: str = ""
    tooltip: str = ""


COLUMNS = (
    Column("Stage"),
    Column("AI opportunity", "name", "name"),
    Column(
        "Lead time alone",
        tooltip="What this opportunity alone would do to expected lead "
        "time (with rework), applied to the current state",
    ),
    Column(
        "Process ×",
        "process_time_factor",
        "process time factor",
        "0.8",
        "Factor on the stage's process time: 0.8 is 20% less, 1 no change",
    ),
    Column(
        "Wait ×",
        "wait_time_factor",
        "wait time factor",
        "0.9",
        "Factor on the wait in front of the stage: 0.9 is 10% less, 1 no change",
    ),
    Column(
        "%C&A",
        "pca_delta",
        "%C&A change",
        "+3 or −2",
        "Change of the stage's percent complete and accurate, in percentage points",
    ),
    Column("Cost / month", "monthly_cost", "monthly cost", "400"),
    Column("Status", "status", "status", tooltip="idea, pilot or adopted"),
    Column("Confidence", "confidence", "confidence", tooltip="low, medium or high"),
    Column("Note", "note", "note"),
)
NUMBER_FIELDS = {"process_time_factor", "wait_time_factor", "pca_delta", "monthly_cost"}
STAGE_COLUMN, EFFECT_COLUMN = 0, 2
STATUS_COLUMN, CONFIDENCE_COLUMN = 7, 8


class OpportunityTableModel(CheckedTableModel):
    """Every AI opportunity in the map, one row each, edited through undoable commands."""

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.rows: list[tuple[Stage, AIOpportunity]] = workspace.stream.opportunities()
        self.effects: dict[str, OpportunityEffect] = {}
        workspace.changed.connect(self._on_change)
        workspace.scenarioChanged.connect(self._restyle)

    def _on_change(self, _change: Change) -> None:
        rows = self.workspace.stream.opportunities()
        if [o.id for _, o in rows] == [o.id for _, o in self.rows]:
            self.rows = rows
            self._restyle()
        else:
            self.beginResetModel()
            self.rows = rows
            self.endResetModel()

    def _restyle(self) -> None:
        if self.rows:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self.rows) - 1, len(COLUMNS) - 1)
            )

    def set_effects(self, effects: list[OpportunityEffect]) -> None:
        """Show these modelled effects in the lead-time column."""
        self.effects = {effect.opportunity_id: effect for effect in effects}
        if self.rows:
            self.dataChanged.emit(
                self.index(0, EFFECT_COLUMN), self.index(len(self.rows) - 1, EFFECT_COLUMN)
            )

    def opportunity_id(self, row: int) -> str:
        """The id of the opportunity in ``row``."""
        return self.rows[row][1].id

    def row_of(self, opportunity_id: str) -> int | None:
        """The row showing an opportunity, if any."""
        for row, (_, opportunity) in enumerate(self.rows):
            if opportunity.id == opportunity_id:
                return row
        return None

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = ROOT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = ROOT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section].title
        if role == Qt.ItemDataRole.ToolTipRole:
            return COLUMNS[section].tooltip or None
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return base | Qt.ItemFlag.ItemIsEditable if COLUMNS[index.column()].field else base

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        stage, opportunity = self.rows[index.row()]
        column = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(stage, opportunity, column, index.column())
        if role == Qt.ItemDataRole.EditRole:
            value = getattr(opportunity, column.field) if column.field else None
            return f"{value:g}" if isinstance(value, float) else value
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._foreground(opportunity, index.column())
        if role == Qt.ItemDataRole.FontRole and index.column() == 1:
            return panel_font(bold=True)
        if role == Qt.ItemDataRole.TextAlignmentRole and (
            column.field in NUMBER_FIELDS or index.column() == EFFECT_COLUMN
        ):
            return Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(stage, opportunity, index.column())
        return None

    def _display(
        self, stage: Stage, opportunity: AIOpportunity, column: Column, number: int
    ) -> str:
        stream = self.workspace.stream
        match column.field:
            case None if number == STAGE_COLUMN:
                return stage.name
            case None:
                effect = self.effects.get(opportunity.id)
                if effect is None:
                    return "…"
                if effect.overflowing:
                    return overload_text(effect.overflowing)
                return (
                    f"{signed_duration(stream, effect.expected_lead_time_delta_hours or 0.0)} "
                    f"({signed_number(effect.expected_lead_time_delta_pct or 0.0)}%)"
                )
            case "process_time_factor" | "wait_time_factor":
                return factor_text(getattr(opportunity, column.field))
            case "pca_delta":
                return points_text(opportunity.pca_delta)
            case "monthly_cost":
                return money_text(opportunity.monthly_cost, stream.currency)
            case field:
                return str(getattr(opportunity, field))

    def _foreground(self, opportunity: AIOpportunity, number: int) -> QBrush | None:
        scenario = self.workspace.scenario
        if scenario is not None and opportunity.id not in scenario.ai:
            return QBrush(theme.color(theme.MUTED))
        if number == EFFECT_COLUMN and opportunity.id in self.effects:
            expected = self.effects[opportunity.id].expected_lead_time_delta_hours
            tone = WORSE if expected is None else change_color(expected)
            return QBrush(theme.color(tone or theme.MUTED))
        return None

    def _tooltip(self, stage: Stage, opportunity: AIOpportunity, number: int) -> str | None:
        effect = self.effects.get(opportunity.id)
        if number == EFFECT_COLUMN and effect is not None:
            stream = self.workspace.stream
            rolled = f"rolled %C&A {signed_number(100 * effect.rolled_pca_delta)} pts"
            also = side_effect_stages(opportunity, stream)
            alone = f"Applied alone, its side effects at {also} too" if also else "Applied alone"
            if effect.overflowing:
                return (
                    f"{alone}: {unbounded_reason(effect.overflowing)}; lead time "
                    f"{UNBOUNDED}, {rolled}"
                )
            lead = signed_duration(stream, effect.lead_time_delta_hours or 0.0)
            return (
                f"{alone}: lead time {lead} "
                f"({signed_number(effect.lead_time_delta_pct or 0.0)}%), expected lead time "
                f"{signed_duration(stream, effect.expected_lead_time_delta_hours or 0.0)} "
                f"({signed_number(effect.expected_lead_time_delta_pct or 0.0)}%), {rolled}"
            )
        if number == STAGE_COLUMN:
            return stage.name
        scenario = self.workspace.scenario
        if scenario is not None and opportunity.id not in scenario.ai:
            return f"Not enabled in the scenario {scenario.name}"
        if COLUMNS[number].field == "note":
            return opportunity.note or None
        return COLUMNS[number].tooltip or None

    def _value(self, index: QModelIndex | QPersistentModelIndex, text: str) -> Any:
        """What ``text`` means in this cell, checked as the model would check it."""
        column = COLUMNS[index.column()]
        opportunity = self.rows[index.row()][1]
        value: Any = text
        if column.field in NUMBER_FIELDS:
            value = read_number(text, f"{opportunity.name}: {column.label}", column.example)
        assert column.field is not None
        try:
            opportunity.replaced(**{column.field: value})
        except ValidationError as error:
            # The model names the field by its id; say it the way the table does.
            reason = validation_messages(error)[0].split(": ", 1)[-1]
            raise VSMapperError(f"{opportunity.name}: {column.label}: {reason}") from None
        return value

    def setData(
        self,
        index: QModelIndex | QPersistentModelIndex,
        value: Any,
        role: int = Qt.ItemDataRole.EditRole,
    ) -> bool:
        column = COLUMNS[index.column()]
        if role != Qt.ItemDataRole.EditRole or column.field is None:
            return False
        opportunity = self.rows[index.row()][1]
        text = str(value).strip() if column.field != "note" else str(value)
        try:
            parsed = self._value(index, text)
        except VSMapperError as error:
            self.problem.emit(str(error))
            return False
        if parsed == getattr(opportunity, column.field):
            return False
        words = (
            f"Rename AI opportunity {opportunity.name} to {parsed}"
            if column.field == "name"
            else f"Change {column.label} of {opportunity.name}"
        )
        field, ai_id = column.field, opportunity.id
        problem = try_perform(
            self.workspace.undo_stack,
            self.workspace.document,
            words,
            lambda document: document.set_opportunity_field(ai_id, field, parsed),
        )
        if problem:
            self.problem.emit(problem)
            return False
        return True


class OpportunityTable(TabsThroughEditableCells, QTableView):
    """The AI opportunities, one a row; Tab goes from field to field."""


class OpportunitiesPanel(FollowingPanel):
    """Every AI opportunity in the map, editable in place, with what each would do alone."""

    problem = Signal(str)

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(workspace, parent)
        self._current_stage: str | None = None
        self._sized = False
        self.model = OpportunityTableModel(workspace, self)
        self.table = OpportunityTable(self)
        self.table.setModel(self.model)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.table.setItemDelegate(CheckedTextDelegate(self.table))
        self.table.setItemDelegateForColumn(
            STATUS_COLUMN, ChoiceDelegate(lambda _cell: [(s, s) for s in STATUSES], self.table)
        )
        self.table.setItemDelegateForColumn(
            CONFIDENCE_COLUMN,
            ChoiceDelegate(lambda _cell: [(c, c) for c in CONFIDENCES], self.table),
        )
        self.table.verticalHeader().hide()
        prepare_table(self.table)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.model.modelReset.connect(self._update_buttons)

        self.add_button = QPushButton(self)
        self.add_button.clicked.connect(self.open_add_dialog)
        self.remove_button = QPushButton("Remove", self)
        self.remove_button.setToolTip("Remove the selected AI opportunity (Delete)")
        self.remove_button.clicked.connect(self.remove_selected)
        remove_key = QShortcut(QKeySequence.StandardKey.Delete, self.table)
        remove_key.setContext(Qt.ShortcutContext.WidgetShortcut)
        remove_key.activated.connect(self.remove_selected)
        self.side_effects_button = QPushButton("Side effects…", self)
        self.side_effects_button.setToolTip(
            "What the selected opportunity also changes at other stages"
        )
        self.side_effects_button.clicked.connect(self.open_side_effects)
        self.summary = text_label("", theme.INK_SOFT, parent=self)
        buttons = QHBoxLayout()
        # Add… comes last: its text names the stage, and a longer one must not move the
        # buttons after it under a click aimed at them.
        buttons.addWidget(self.remove_button)
        buttons.addWidget(self.side_effects_button)
        buttons.addWidget(self.add_button)
        buttons.addStretch(1)
        self.problem_label = ProblemLabel(self, workspace.changed)
        self.problem.connect(self.problem_label.show_problem)
        self.model.problem.connect(self.problem)
        note = text_label(
            "Lead time alone: each opportunity applied by itself to the current "
            "state, in expected lead time. Catalog figures are assumptions: "
            "change them to your own. Double-click a cell to edit.",
            theme.MUTED,
            parent=self,
        )
        layout = self.column
        layout.addLayout(buttons)
        # A line of its own: beside a long "Add AI opportunity to …" it wrapped, and the
        # table under it moved.
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.problem_label)
        layout.addWidget(note)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        workspace.changed.connect(self._on_document_changed)
        self._update_buttons()

    def set_current_stage(self, stage_id: str | None) -> None:
        """The stage that Add… marks an opportunity at (the one selected on the map)."""
        self._current_stage = stage_id
        self._update_buttons()

    def selected_opportunity(self) -> str | None:
        """The id of the selected opportunity, if any."""
        rows = self.table.selectionModel().selectedRows()
        return self.model.opportunity_id(rows[0].row()) if rows else None

    def select_opportunity(self, opportunity_id: str) -> None:
        """Select an opportunity's row."""
        row = self.model.row_of(opportunity_id)
        if row is not None:
            self.table.selectRow(row)

    def _target_stage(self) -> str | None:
        """Where Add… marks: the stage selected on the map, else the selected row's stage."""
        known = {stage.id for stage in self.workspace.stream.stages}
        if self._current_stage in known:
            return self._current_stage
        selected = self.selected_opportunity()
        # The map's selection may reach the panel before its table hears of a new map: its
        # rows may still be of the map replaced.
        stage_id = next((stage.id for stage, o in self.model.rows if o.id == selected), None)
        return stage_id if stage_id in known else None

    def _on_document_changed(self, change: Change) -> None:
        # Moving boxes changes no stage or opportunity that the buttons offer.
        if change.kind != "positions":
            self._update_buttons()

    def _update_buttons(self, *_: object) -> None:
        target = self._target_stage()
        if target is None:
            self.add_button.setText("Add AI opportunity…")
            self.add_button.setToolTip("Select a stage on the map first")
        else:
            name = self.workspace.stream.stage(target).name
            self.add_button.setText(literal_label(f"Add AI opportunity to {name}…"))
            self.add_button.setToolTip(f"Suggestions from the AI practice catalog for {name}")
        self.add_button.setEnabled(target is not None)
        self.remove_button.setEnabled(self.selected_opportunity() is not None)
        self.side_effects_button.setEnabled(self.selected_opportunity() is not None)
        rows = self.model.rows
        cost = sum(opportunity.monthly_cost for _, opportunity in rows)
        self.summary.setText(
            f"{len(rows)} AI opportunit{'y' if len(rows) == 1 else 'ies'}, "
            f"{money_text(cost, self.workspace.stream.currency)} a month if all were adopted"
            if rows
            else "No AI opportunities marked yet"
        )

    def open_add_dialog(self) -> AddOpportunityDialog | None:
        """Open the catalog's suggestions for the target stage; returns without waiting."""
        target = self._target_stage()
        if target is None:
            return None
        dialog = AddOpportunityDialog(self.workspace, target, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.added.connect(self.select_opportunity)
        dialog.open()
        return dialog

    def open_side_effects(self) -> SideEffectsDialog | None:
        """Edit the selected opportunity's side effects; returns without waiting."""
        selected = self.selected_opportunity()
        if selected is None:
            return None
        dialog = SideEffectsDialog(self.workspace, selected, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def remove_selected(self) -> None:
        """Remove the selected opportunity as one undo step."""
        selected = self.selected_opportunity()
        if selected is None:
            return
        stage = next(stage for stage, o in self.model.rows if o.id == selected)
        name = self.workspace.document.opportunity(selected).name
        problem = try_perform(
            self.workspace.undo_stack,
            self.workspace.document,
            f"Remove AI opportunity {name} from {stage.name}",
            lambda document: document.remove_opportunity(selected),
        )
        if problem:
            self.problem.emit(problem)

    def redraw(self) -> str:
        self.model.set_effects(opportunity_effects(self.workspace.stream))
        if not self._sized and self.model.rows:
            # Sized once to the contents; after that the widths are the user's.
            fit_columns(self.table)
            self._sized = True
        fit_name_column(self.table, STAGE_COLUMN)
        scenario = self.workspace.scenario
        if scenario is None:
            return "AI opportunities on the map"
        enabled = sum(o.id in scenario.ai for _, o in self.model.rows)
        return f"{enabled} of {len(self.model.rows)} enabled here"
