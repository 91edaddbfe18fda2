"""Future-state scenarios: create and edit them, and compare each with the current state."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QFont, QGuiApplication, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCommandLinkButton,
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from vsmapper.analysis import FlowAnalysis, ScenarioComparison, compare
from vsmapper.analysis.fixes import Fix, fixes, troubled_stage
from vsmapper.analysis.flow import overloaded
from vsmapper.analysis.queues import QueueChange, stage_names
from vsmapper.analysis.scenario import FutureState, future_state
from vsmapper.errors import VSMapperError
from vsmapper.io.typed import typed_value
from vsmapper.model.document import Change, Document
from vsmapper.model.duration import share_text, three_figures
from vsmapper.model.stream import (
    Scenario,
    StageOverride,
    ValueStream,
)
from vsmapper.ui import theme
from vsmapper.ui.cell_tabs import TabsThroughEditableCells
from vsmapper.ui.commands import try_perform
from vsmapper.ui.docks import InView
from vsmapper.ui.insights_panel import (
    FollowingPanel,
    Heading,
    ProblemLabel,
    clear_layout,
    fit_columns,
    overload_text,
    panel_font,
    percent_of,
    prepare_table,
    read_only_item,
    section_label,
    text_label,
)
from vsmapper.ui.opportunities import (
    ROOT,
    CheckedTableModel,
    CheckedTextDelegate,
    opportunity_effect_text,
)
from vsmapper.ui.units import (
    NO_COSTS,
    NOISE,
    UNBOUNDED,
    WORSE,
    changes_against,
    coloured,
    cost_text,
    duration_text,
    literal_label,
    money_text,
    percent_text,
    rolled_pca_text,
    shown_points,
    signed_duration,
    signed_money,
    signed_number,
    spreadsheet_change,
    spreadsheet_figures,
    spreadsheet_number,
    spreadsheet_text,
)
from vsmapper.ui.workspace import Workspace

ALL_AI_IDEAS = "All AI ideas"
KEY_ROLE = Qt.ItemDataRole.UserRole
TIP = Qt.ItemDataRole.ToolTipRole


class OverrideColumn(NamedTuple):
    """A column of the stage overrides: the field, its name in words, its short title, a
    value to type in it and about the widest one it shows."""

    field: str
    label: str
    title: str
    example: str
    widest: str


OVERRIDE_COLUMNS = (
    OverrideColumn("process_time", "process time", "Process", "2-5d", "1w 2.5d"),
    OverrideColumn("wait_time", "wait time", "Wait", "2-5d", "1w 2.5d"),
    OverrideColumn("pca", "%C&A", "%C&A", "97", "100%"),
    OverrideColumn("people", "people", "People", "3", "12.5"),
    OverrideColumn("availability", "availability", "Avail.", "50%", "100%"),
)
"""In this order, beside the stage names in the rows' header."""


def override_text(field: str, value: Any) -> str:
    """An override's value as its cell shows it: ``2-5d``, ``97%``, ``2.5``, ``50%``."""
    if field == "pca":
        return f"{value:g}%"
    if field == "people":
        return f"{value:g}"
    if field == "availability":
        return f"{value * 100:g}%"
    return str(value.text)


# --- stage overrides ---------------------------------------------------------------------


class OverrideTableModel(CheckedTableModel):
    """One scenario's stage overrides: every stage, with its override or, greyed, its value."""

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.scenario_id: str | None = None
        self._applied_state: tuple[ValueStream, Scenario, FutureState] | None = None
        self._rows = self.rowCount()
        workspace.changed.connect(self._on_change)

    def show_scenario(self, scenario_id: str | None) -> None:
        """Show the overrides of this scenario (None: nothing)."""
        if scenario_id != self.scenario_id:
            self.beginResetModel()
            self.scenario_id = scenario_id
            self._rows = self.rowCount()
            self.endResetModel()

    def _on_change(self, _change: object) -> None:
        # Edits arrive from inside setData; a reset there would pull the editor's row away.
        if self.rowCount() == self._rows:
            if self._rows:
                self.dataChanged.emit(
                    self.index(0, 0), self.index(self._rows - 1, len(OVERRIDE_COLUMNS) - 1)
                )
                self.headerDataChanged.emit(Qt.Orientation.Vertical, 0, self._rows - 1)
            return
        self.beginResetModel()
        self._rows = self.rowCount()
        self.endResetModel()

    @property
    def scenario(self) -> Scenario | None:
        """The scenario edited, while it exists."""
        if self.scenario_id is None:
            return None
        for scenario in self.workspace.stream.scenarios:
            if scenario.id == self.scenario_id:
                return scenario
        return None

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = ROOT) -> int:
        if parent.isValid() or self.scenario is None:
            return 0
        return len(self.workspace.stream.stages)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = ROOT) -> int:
        return 0 if parent.isValid() else len(OVERRIDE_COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Vertical:
            # The stage's name heads its row, so it stays in view as the table scrolls sideways.
            shown = role in (Qt.ItemDataRole.DisplayRole, TIP) and section < self.rowCount()
            return self.workspace.stream.stages[section].name if shown else None
        column = OVERRIDE_COLUMNS[section]
        # Short titles: the panel is narrow, and the stage's name needs the room.
        if role == Qt.ItemDataRole.DisplayRole:
            return column.title
        if role == TIP:
            return column.label[0].upper() + column.label[1:]
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEditable

    def _override(self, row: int) -> StageOverride | None:
        scenario = self.scenario
        stage_id = self.workspace.stream.stages[row].id
        return scenario.overrides.get(stage_id) if scenario else None

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        scenario = self.scenario
        if not index.isValid() or scenario is None:
            return None
        stage = self.workspace.stream.stages[index.row()]
        column = OVERRIDE_COLUMNS[index.column()]
        field, label = column.field, column.label
        override = self._override(index.row())
        value = getattr(override, field) if override else None
        if role == Qt.ItemDataRole.EditRole:
            return "" if value is None else override_text(field, value)
        if value is None:
            return self._as_if_not_overridden(stage.id, column, role, scenario)
        if role == Qt.ItemDataRole.DisplayRole:
            return override_text(field, value)
        if role == Qt.ItemDataRole.FontRole:
            return panel_font(bold=True)
        if role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(theme.color(theme.AI))
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"Overridden in {scenario.name}; clear the cell to use the stage's own {label}"
        return None

    def _as_if_not_overridden(
        self, stage_id: str, column: OverrideColumn, role: int, scenario: Scenario
    ) -> Any:
        """A blank cell shows, greyed, what the stage has in the scenario: with its AI, its
        other overrides and its queues' response, as the map shows it."""
        if role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(theme.color(theme.MUTED))
        if role == Qt.ItemDataRole.FontRole:
            italic = QFont(panel_font())
            italic.setItalic(True)
            return italic
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        stream, field = self.workspace.stream, column.field
        state = self._applied(scenario)
        plain = state.stream.stage(stage_id)
        if field == "wait_time" and state.queue(stage_id).overflowing:
            shown = UNBOUNDED
        elif field in ("process_time", "wait_time"):
            calendar = stream.calendar
            likely = getattr(plain, field).likely_hours(
                calendar.hours_per_day, calendar.days_per_week
            )
            shown = duration_text(stream, likely)
        else:
            shown = override_text(field, getattr(plain, field))
        if role == Qt.ItemDataRole.DisplayRole:
            return shown
        return (
            f"No override: {shown} (the stage's {column.label} in this scenario). "
            f"Type a value such as {column.example} to override it."
        )

    def _applied(self, scenario: Scenario) -> FutureState:
        """The scenario applied to the map, worked out once per edit."""
        stream = self.workspace.stream
        found = self._applied_state
        if found is None or found[0] is not stream or found[1] is not scenario:
            found = self._applied_state = (stream, scenario, future_state(stream, scenario))
        return found[2]

    def _value(self, index: QModelIndex | QPersistentModelIndex, text: str) -> Any:
        """The override ``text`` means (None for blank), checked as the map would check it."""
        text = text.strip()
        if not text:
            return None
        stream = self.workspace.stream
        stage = stream.stages[index.row()]
        column = OVERRIDE_COLUMNS[index.column()]
        where = f"{stage.name}: {column.label} override"
        # Read and checked as the stage's own field is: "85%", "50%" or "0.5", "2-5d".
        try:
            return typed_value(stage, column.field, text, stream.calendar)
        except ValueError as error:
            raise VSMapperError(f"{where}: {error}") from None

    def setData(
        self,
        index: QModelIndex | QPersistentModelIndex,
        value: Any,
        role: int = Qt.ItemDataRole.EditRole,
    ) -> bool:
        scenario = self.scenario
        if role != Qt.ItemDataRole.EditRole or scenario is None:
            return False
        try:
            parsed = self._value(index, str(value))
        except VSMapperError as error:
            self.problem.emit(str(error))
            return False
        stage = self.workspace.stream.stages[index.row()]
        column = OVERRIDE_COLUMNS[index.column()]
        field, label = column.field, column.label
        old = scenario.overrides.get(stage.id) or StageOverride()
        if getattr(old, field) == parsed:
            return False
        changed = old.replaced(**{field: parsed})
        overrides = {**scenario.overrides, stage.id: changed}
        if changed == StageOverride():
            del overrides[stage.id]
        words = (
            f"Clear {label} override of {stage.name} in {scenario.name}"
            if parsed is None
            else f"Override {label} of {stage.name} in {scenario.name}"
        )
        problem = try_perform(
            self.workspace.undo_stack,
            self.workspace.document,
            words,
            lambda document: document.set_scenario_field(scenario.id, "overrides", overrides),
        )
        if problem:
            self.problem.emit(problem)
            return False
        return True


# --- the panel ---------------------------------------------------------------------------


def sync_items(
    widget: QListWidget, keys: list[str], show: Callable[[QListWidgetItem, int], None]
) -> None:
    """Make a list show one item per key, reusing its items while the keys stay the same.

    The lists change from inside their own items' signals (a tick, a rename), where deleting
    the item would pull it from under Qt; ``show`` fills each item, without signals.
    """
    widget.blockSignals(True)
    if [widget.item(row).data(KEY_ROLE) for row in range(widget.count())] != keys:
        widget.clear()
        for key in keys:
            item = QListWidgetItem()
            item.setData(KEY_ROLE, key)
            widget.addItem(item)
    for row in range(widget.count()):
        show(widget.item(row), row)
    widget.blockSignals(False)


def _figures(value: float) -> str:
    """A measured figure as people read it: 7.18, 10.8, 1,077."""
    return f"{three_figures(value):,.10g}"


def ai_ideas(count: int) -> str:
    """``1 AI idea``, ``3 AI ideas``."""
    return f"{count} AI idea{'s' * (count != 1)}"


def all_ai_ideas(scenarios: list[Scenario]) -> Scenario | None:
    """The scenario made by "Create “All AI ideas”", found by its name."""
    for scenario in scenarios:
        if scenario.name.strip().casefold() == ALL_AI_IDEAS.casefold():
            return scenario
    return None


class OverrideTable(TabsThroughEditableCells, QTableView):
    """The overrides: values in columns wide enough for "1w 2.5d" and their titles, each row
    headed by its stage's name, which stays in view as a narrow dock scrolls sideways. The
    names take the width left, at least ``NAME_SAMPLE``'s; longer ones elide."""

    NAME_SAMPLE = "Security review"
    """About the least of a name the rows' header shows whole."""

    def __init__(self, model: OverrideTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        # Fixed widths, not sized to every row: that walks the whole map on each change.
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        names = self.verticalHeader()
        names.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        names.setTextElideMode(Qt.TextElideMode.ElideRight)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        header = self.horizontalHeader()
        titles, margin = header.fontMetrics(), 2 * header.fontMetrics().averageCharWidth()
        for place, column in enumerate(OVERRIDE_COLUMNS):
            value = self.fontMetrics().horizontalAdvance(column.widest)
            header.resizeSection(place, max(value, titles.horizontalAdvance(column.title)) + margin)
        values = sum(header.sectionSize(place) for place in range(header.count()))
        least = self.verticalHeader().fontMetrics().horizontalAdvance(self.NAME_SAMPLE) + margin
        room = self.width() - 2 * self.frameWidth() - values
        if self.verticalScrollBar().isVisible():
            room -= self.verticalScrollBar().width()
        self.verticalHeader().setFixedWidth(max(least, room))


class ScenariosPanel(QWidget):
    """Create, rename, duplicate and delete scenarios, and choose what each one changes.

    "All AI ideas" is an ordinary scenario made in one click, never changed behind the
    user's back: a future state someone has presented stays as it was. When opportunities
    are marked later, the same button offers to add them, as one undoable step.
    """

    problem = Signal(str)

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.setFont(panel_font())
        self.heading = Heading(self)

        self.scenario_list = QListWidget(self)
        self.scenario_list.setMaximumHeight(self.fontMetrics().height() * 8)
        # A long name ("Coding assistant, 30% more changes") wraps instead of being cut.
        self.scenario_list.setWordWrap(True)
        self.scenario_list.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed)
        self.scenario_list.currentItemChanged.connect(self._on_current_scenario)
        self.scenario_list.itemChanged.connect(self._on_renamed)
        self.scenario_list.itemActivated.connect(
            lambda item: workspace.show_scenario(item.data(KEY_ROLE))
        )
        delete_key = QShortcut(QKeySequence.StandardKey.Delete, self.scenario_list)
        delete_key.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete_key.activated.connect(self.delete_selected)
        self.new_button = self._button("New", self.new_scenario, "A scenario with no changes yet")
        self.duplicate_button = self._button(
            "Duplicate", self.duplicate_selected, "A copy of the selected scenario"
        )
        self.rename_button = self._button("Rename", self.rename_selected, "Rename (F2)")
        self.delete_button = self._button(
            "Delete", self.delete_selected, "Delete the selected scenario (Delete)"
        )
        self.show_button = self._button(
            "Show on canvas",
            self.toggle_shown,
            "Show this future state on the canvas and in the panels",
        )
        self.all_ai_button = self._button("", self.create_all_ai_ideas)
        self.all_ai_button.setFont(panel_font(bold=True))
        self.all_ai_button.setStyleSheet(f"QPushButton {{ color: {theme.AI}; }}")
        self.all_ai_button.setToolTip(
            "One click: a scenario that enables every AI opportunity marked on the map. It is "
            "yours to edit and is never changed without you; when new AI opportunities are "
            "marked, this button offers to add them."
        )

        self.ai_caption = section_label("")
        self.ai_list = QListWidget(self)
        self.ai_list.setWordWrap(True)
        self.ai_list.itemChanged.connect(self._on_ai_toggled)
        self.no_ai_hint = text_label(
            "No AI opportunities marked yet: mark them at a stage, in the AI opportunities panel.",
            theme.MUTED,
            parent=self,
        )
        self.overrides = OverrideTableModel(workspace, self)
        self.override_table = OverrideTable(self.overrides, self)
        self.override_table.setItemDelegate(CheckedTextDelegate(self.override_table))
        prepare_table(self.override_table)
        self.override_table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.demand = QDoubleSpinBox(self)
        self.demand.setRange(0, 100)
        self.demand.setDecimals(2)
        self.demand.setSingleStep(0.1)
        self.demand.setPrefix("×")
        self.demand.setKeyboardTracking(False)
        self.demand.valueChanged.connect(self._on_demand_changed)
        self.demand_hint = text_label("", theme.MUTED, parent=self)
        self.problem_label = ProblemLabel(self, workspace.changed)
        self.problem.connect(self.problem_label.show_problem)
        self.overrides.problem.connect(self.problem)

        self.editor = QWidget(self)
        editor_layout = QVBoxLayout(self.editor)
        editor_layout.setContentsMargins(0, 0, 0, 0)
        editor_layout.addWidget(self.ai_caption)
        editor_layout.addWidget(self.ai_list, 2)
        editor_layout.addWidget(self.no_ai_hint)
        editor_layout.addWidget(section_label("Stage overrides (blank: as the stage is, greyed)"))
        editor_layout.addWidget(self.override_table, 3)
        demand_row = QHBoxLayout()
        demand_row.addWidget(QLabel("Demand"))
        demand_row.addWidget(self.demand)
        demand_row.addWidget(self.demand_hint, 1)
        editor_layout.addLayout(demand_row)
        self.fix_title = section_label("What would fix it")
        self.fix_note = text_label("", theme.MUTED, parent=self)
        self.fix_rows = QVBoxLayout()
        self.fix_buttons: list[QCommandLinkButton] = []
        self.fixes: list[Fix] = []
        editor_layout.addWidget(self.fix_title)
        editor_layout.addWidget(self.fix_note)
        editor_layout.addLayout(self.fix_rows)

        list_buttons = QVBoxLayout()
        for button in (
            self.new_button,
            self.duplicate_button,
            self.rename_button,
            self.delete_button,
        ):
            list_buttons.addWidget(button)
        list_buttons.addStretch(1)
        list_row = QHBoxLayout()
        list_row.addWidget(self.scenario_list, 1)
        list_row.addLayout(list_buttons)
        # One above the other: side by side they made the panel wider than a projector's dock.
        action_row = QVBoxLayout()
        action_row.addWidget(self.show_button)
        action_row.addWidget(self.all_ai_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.addWidget(self.heading)
        layout.addWidget(section_label("Future-state scenarios"))
        layout.addLayout(list_row)
        layout.addLayout(action_row)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.problem_label)

        self._stale = False
        self._in_view = InView(self, self._catch_up)
        workspace.changed.connect(self._on_document_changed)
        workspace.scenarioChanged.connect(self._on_shown_changed)
        self._on_shown_changed()

    def _button(self, text: str, slot: Callable[[], object], tip: str = "") -> QPushButton:
        button = QPushButton(text, self)
        button.setToolTip(tip)
        # clicked(bool) must not reach the slot as an argument.
        button.clicked.connect(lambda: slot())
        return button

    # --- what is shown -------------------------------------------------------------

    @property
    def document(self) -> Document:
        """The open map's document."""
        return self.workspace.document

    def selected_scenario(self) -> Scenario | None:
        """The scenario selected in the list."""
        self._fill_if_stale()
        item = self.scenario_list.currentItem()
        if item is None:
            return None
        scenario_id = item.data(KEY_ROLE)
        return next((s for s in self.workspace.stream.scenarios if s.id == scenario_id), None)

    def select_scenario(self, scenario_id: str) -> None:
        """Select a scenario in the list, to edit it."""
        self._fill_if_stale()
        for row in range(self.scenario_list.count()):
            if self.scenario_list.item(row).data(KEY_ROLE) == scenario_id:
                self.scenario_list.setCurrentRow(row)
                return

    def _on_document_changed(self, change: Change) -> None:
        # Where the boxes are is no part of a scenario.
        if change.kind != "positions":
            self._stale = True
            self._catch_up()

    def _catch_up(self) -> None:
        """Show the document as it is now if it changed and the panel can be seen."""
        if self._in_view:
            self._fill_if_stale()

    def _fill_if_stale(self) -> None:
        if self._stale:
            self._fill()

    def _fill(self, *_: object) -> None:
        """Show the document as it is now, keeping the selection."""
        self._stale = False
        # The shown scenario renamed is still the one shown: the heading kept its old name.
        self.heading.show_label(self.workspace, "on the canvas")
        selected = self.selected_scenario()
        shown = self.workspace.scenario
        scenarios = self.workspace.stream.scenarios

        def show(item: QListWidgetItem, row: int) -> None:
            is_shown = shown is not None and scenarios[row].id == shown.id
            item.setText(scenarios[row].name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
            item.setFont(panel_font(bold=is_shown))
            item.setForeground(QBrush(theme.color(theme.AI if is_shown else theme.INK)))
            item.setToolTip(
                "Shown on the canvas"
                if is_shown
                else "Double-click or Enter to show it on the canvas; F2 renames"
            )

        sync_items(self.scenario_list, [scenario.id for scenario in scenarios], show)
        if selected is not None and self.scenario_list.currentItem() is None:
            self.select_scenario(selected.id)
        if self.scenario_list.currentItem() is None and self.scenario_list.count():
            self.scenario_list.setCurrentRow(0)
        self._fill_editor()

    def _on_current_scenario(self, *_: object) -> None:
        self._fill_editor()

    def _fill_editor(self) -> None:
        scenario = self.selected_scenario()
        stream = self.workspace.stream
        self.editor.setEnabled(scenario is not None)
        for button in (self.duplicate_button, self.rename_button, self.delete_button):
            button.setEnabled(scenario is not None)
        self._update_show_button()
        self._update_all_ai_button()
        self.overrides.show_scenario(scenario.id if scenario else None)
        opportunities = stream.opportunities()

        def show(item: QListWidgetItem, row: int) -> None:
            stage, opportunity = opportunities[row]
            effect = opportunity_effect_text(opportunity, stream)
            item.setText(f"{opportunity.name}  ·  {stage.name}\n{effect}")
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            enabled = scenario is not None and opportunity.id in scenario.ai
            item.setCheckState(Qt.CheckState.Checked if enabled else Qt.CheckState.Unchecked)

        sync_items(self.ai_list, [opportunity.id for _, opportunity in opportunities], show)
        self._fill_fixes(scenario)
        self.ai_list.setVisible(bool(opportunities))
        self.no_ai_hint.setVisible(not opportunities)
        if scenario is None:
            self.ai_caption.setText("AI opportunities enabled")
        else:
            enabled_count = sum(o.id in scenario.ai for _, o in opportunities)
            self.ai_caption.setText(
                f"AI opportunities enabled in {scenario.name} "
                f"({enabled_count} of {len(opportunities)})"
            )
        self.demand.blockSignals(True)
        self.demand.setValue(scenario.demand_factor if scenario else 1.0)
        self.demand.blockSignals(False)
        demand = stream.demand_per_week
        self.demand_hint.setText(
            "the map has no demand: set one in Map settings for this to matter"
            if demand is None
            else f"{_figures(demand * self.demand.value())} items a week (now {_figures(demand)})"
        )

    def _on_shown_changed(self) -> None:
        self.heading.show_label(self.workspace, "on the canvas")
        # The shown scenario's name is bold: the list is filled again, once, before the
        # shown scenario is selected in it.
        self._stale = True
        shown = self.workspace.scenario
        if shown is None:
            self._fill()
        else:
            self.select_scenario(shown.id)

    def _update_show_button(self) -> None:
        scenario = self.selected_scenario()
        shown = self.workspace.scenario
        showing = scenario is not None and shown is not None and shown.id == scenario.id
        self.show_button.setText("Show current state" if showing else "Show on canvas")
        self.show_button.setEnabled(scenario is not None or shown is not None)

    def _update_all_ai_button(self) -> None:
        ids = [o.id for _, o in self.workspace.stream.opportunities()]
        existing = all_ai_ideas(self.workspace.stream.scenarios)
        if existing is None:
            self.all_ai_button.setText(f"Create “{ALL_AI_IDEAS}”")
            self.all_ai_button.setVisible(bool(ids))
            return
        missing = [i for i in ids if i not in existing.ai]
        self.all_ai_button.setText(
            literal_label(f"Add {ai_ideas(len(missing))} to “{existing.name}”")
        )
        self.all_ai_button.setVisible(bool(missing))

    # --- edits ---------------------------------------------------------------------

    def _perform(self, text: str, edit: Callable[[Document], object]) -> bool:
        problem = try_perform(self.workspace.undo_stack, self.document, text, edit)
        if problem:
            self.problem.emit(problem)
        return problem is None

    def _fill_fixes(self, scenario: Scenario | None) -> None:
        """The levers that bring the scenario's most troubled queue back, best first."""
        clear_layout(self.fix_rows)
        self.fix_buttons, self.fixes = [], []
        stream = self.workspace.stream
        troubled = None
        if scenario is not None:
            troubled = troubled_stage(future_state(stream, scenario).queues)
        for widget in (self.fix_title, self.fix_note):
            widget.setVisible(troubled is not None)
        if scenario is None or troubled is None:
            return
        busy = troubled.utilization_after or 0.0
        self.fix_note.setText(
            f"{troubled.stage} is overloaded at {busy:.0%}: its queue grows without bound."
            if troubled.overflowing
            else f"{troubled.stage}'s queue grows from "
            f"{duration_text(stream, troubled.wait_before_hours)} to "
            f"{duration_text(stream, troubled.wait_after_hours)} at {busy:.0%} busy."
        )
        self.fixes = fixes(stream, scenario, troubled.stage_id)
        for fix in self.fixes:
            outcome = (
                "still unbounded"
                if fix.lead_time_hours is None
                else f"lead time {duration_text(stream, fix.lead_time_hours)}"
            )
            # The description wraps to the column, where a plain button's one line widened
            # the panel past it and pushed the list's buttons out of sight.
            button = QCommandLinkButton(fix.lever, f"{fix.description} → {outcome}", self)
            button.setToolTip(f"Create the scenario '{fix.scenario.name}' (undoable)")
            button.clicked.connect(lambda _checked=False, chosen=fix: self.create_fix(chosen))
            self.fix_rows.addWidget(button)
            self.fix_buttons.append(button)

    def create_fix(self, fix: Fix) -> None:
        """Add the fix's scenario as one undo step and select it; shown on the canvas when the
        troubled scenario was (an undo shows that one again)."""
        troubled, shown = self.selected_scenario(), self.workspace.scenario
        on_canvas = troubled is not None and shown is not None and troubled.id == shown.id
        scenario = fix.scenario.replaced(id=self.document.unique_id(fix.scenario.name, "scenario"))
        if self._add(scenario, f"Add scenario {scenario.name}") and on_canvas:
            self.workspace.show_scenario(scenario.id)

    def _add(self, scenario: Scenario, text: str) -> bool:
        """Add ``scenario`` as one undo step and select it; whether it was added."""
        if not self._perform(text, lambda document: document.add_scenario(scenario)):
            return False
        self.select_scenario(scenario.id)
        return True

    def new_scenario(self) -> None:
        """Ask for a name, then add an empty scenario of that name and select it."""
        taken = {s.name for s in self.workspace.stream.scenarios}
        number = len(taken) + 1
        while f"Scenario {number}" in taken:
            number += 1
        typed, accepted = QInputDialog.getText(
            self,
            "New scenario",
            "Name of the future state (e.g. “AI review and test generation”):",
            text=f"Scenario {number}",
        )
        name = " ".join(typed.split())
        if not accepted:
            return
        if not name:
            self.problem.emit("A scenario needs a name: none was added")
            return
        self._add(
            Scenario(id=self.document.unique_id(name, "scenario"), name=name),
            f"Add scenario {name}",
        )

    def duplicate_selected(self) -> None:
        """Add a copy of the selected scenario."""
        scenario = self.selected_scenario()
        if scenario is None:
            return
        name = f"{scenario.name} (copy)"
        copy = scenario.replaced(id=self.document.unique_id(name, "scenario"), name=name)
        self._add(copy, f"Duplicate scenario {scenario.name}")

    def rename_selected(self) -> None:
        """Start renaming the selected scenario in the list."""
        item = self.scenario_list.currentItem()
        if item is not None:
            self.scenario_list.editItem(item)

    def _on_renamed(self, item: QListWidgetItem) -> None:
        scenario_id = item.data(KEY_ROLE)
        old = self.document.scenario(scenario_id)
        name = item.text().strip()
        if name == old.name:
            return
        if not self._perform(
            f"Rename scenario {old.name} to {name}",
            lambda d: d.set_scenario_field(scenario_id, "name", name),
        ):
            self._fill()

    def delete_selected(self) -> None:
        """Delete the selected scenario."""
        scenario = self.selected_scenario()
        if scenario is not None:
            self._perform(
                f"Delete scenario {scenario.name}",
                lambda document: document.remove_scenario(scenario.id),
            )

    def toggle_shown(self) -> None:
        """Show the selected scenario on the canvas, or the current state if it is shown."""
        scenario = self.selected_scenario()
        shown = self.workspace.scenario
        showing = scenario is not None and shown is not None and shown.id == scenario.id
        self.workspace.show_scenario(None if showing or scenario is None else scenario.id)

    def create_all_ai_ideas(self) -> None:
        """Create "All AI ideas" enabling every opportunity, or add the ones it lacks."""
        ids = [o.id for _, o in self.workspace.stream.opportunities()]
        existing = all_ai_ideas(self.workspace.stream.scenarios)
        if existing is None:
            scenario = Scenario(
                id=self.document.unique_id(ALL_AI_IDEAS, "scenario"), name=ALL_AI_IDEAS, ai=ids
            )
            self._add(scenario, f"Create scenario {ALL_AI_IDEAS}")
            return
        missing = [i for i in ids if i not in existing.ai]
        if missing and self._perform(
            f"Add {ai_ideas(len(missing))} to {existing.name}",
            lambda d: d.set_scenario_field(existing.id, "ai", [*existing.ai, *missing]),
        ):
            self.select_scenario(existing.id)

    def _on_ai_toggled(self, item: QListWidgetItem) -> None:
        scenario = self.selected_scenario()
        if scenario is None:
            return
        ai_id = item.data(KEY_ROLE)
        name = self.document.opportunity(ai_id).name
        if item.checkState() == Qt.CheckState.Checked:
            ai, text = [*scenario.ai, ai_id], f"Enable {name} in {scenario.name}"
        else:
            ai, text = [a for a in scenario.ai if a != ai_id], f"Disable {name} in {scenario.name}"
        if ai != scenario.ai and not self._perform(
            text, lambda d: d.set_scenario_field(scenario.id, "ai", ai)
        ):
            self._fill_editor()

    def _on_demand_changed(self, value: float) -> None:
        scenario = self.selected_scenario()
        if scenario is None or value == scenario.demand_factor:
            return
        if not self._perform(
            f"Change demand factor of {scenario.name}",
            lambda d: d.set_scenario_field(scenario.id, "demand_factor", value),
        ):
            self._fill_editor()


# --- the comparison ----------------------------------------------------------------------

COMPARED_FIGURES = {
    "lead_time": "Lead time",
    "expected_lead_time": "Expected lead time",
    "flow_efficiency": "Flow efficiency",
    "rolled_pca": "Rolled %C&A",
    "cost_per_item": "Cost per item",
}
"""The figures compared in numbers, as ``MEASURES`` names them, in its order."""
MEASURES = (
    "Lead time",
    "Expected lead time",
    "Flow efficiency",
    "Rolled %C&A",
    "Constraint",
    "Cost per item",
    "AI cost per month",
)


def measure_values(
    stream: ValueStream,
    analysis: FlowAnalysis,
    monthly_ai_cost: float | None,
    overflowing: Sequence[QueueChange] = (),
) -> list[str]:
    """One state's figures, in the order of ``MEASURES``; with stages ``overflowing`` it is
    unbounded: no lead time, and no constraint but the overload to fix."""
    unbounded = bool(overflowing)
    constraint = analysis.constraint
    return [
        UNBOUNDED if unbounded else duration_text(stream, analysis.lead_time_hours),
        UNBOUNDED if unbounded else duration_text(stream, analysis.expected_lead_time_hours),
        "—" if unbounded else percent_text(analysis.flow_efficiency, 1),
        rolled_pca_text(analysis.rolled_pca),
        f"none: {stage_names(overflowing)} overloaded"
        if unbounded
        else f"{constraint.stage} ({share_text(constraint.share)})"
        if constraint
        else "—",
        cost_text(analysis.cost_per_item, stream),
        "—" if monthly_ai_cost is None else money_text(monthly_ai_cost, stream.currency),
    ]


def measure_deltas(
    stream: ValueStream, comparison: ScenarioComparison
) -> list[tuple[str, str | None]]:
    """A scenario's changes against the current state with their colours, as ``MEASURES``."""
    current, future = comparison.current, comparison.future
    lead = comparison.lead_time_delta_hours
    expected = comparison.expected_lead_time_delta_hours
    changes = changes_against(stream, current, future)
    same = (current.constraint and current.constraint.stage_id) == (
        future.constraint and future.constraint.stage_id
    )
    moved = ("same" if same else "moved", None)
    if lead is None or expected is None or comparison.flow_efficiency_delta is None:
        timing = [(overload_text(comparison.overflowing), WORSE), (UNBOUNDED, WORSE), ("—", None)]
        moved = ("—", None)
    else:
        expected_pct = percent_of(expected, current.expected_lead_time_hours)
        timing = [
            coloured(
                f"{signed_duration(stream, lead)} "
                f"({signed_number(comparison.lead_time_delta_pct or 0.0)}%)",
                lead,
            ),
            coloured(
                f"{signed_duration(stream, expected)} ({signed_number(expected_pct)}%)", expected
            ),
            changes["flow_efficiency"],
        ]
    return [
        *timing,
        changes["rolled_pca"],
        moved,
        changes.get("cost_per_item", (NO_COSTS, None)),
        coloured(
            signed_money(comparison.monthly_ai_cost, stream.currency), comparison.monthly_ai_cost
        ),
    ]


def queue_rows(comparisons: list[ScenarioComparison]) -> list[tuple[str, str]]:
    """(stage id, stage name) of every stage whose load or wait some scenario changes."""
    rows: dict[str, str] = {}
    for comparison in comparisons:
        for change in comparison.queues:
            if change.utilization_before is None:
                continue
            if (
                change.overflowing
                or abs(change.wait_after_hours - change.wait_before_hours) >= NOISE
                or abs((change.utilization_after or 0.0) - change.utilization_before) >= NOISE
            ):
                rows.setdefault(change.stage_id, change.stage)
    if not rows:
        return []
    order = {change.stage_id: place for place, change in enumerate(comparisons[0].queues)}
    return sorted(rows.items(), key=lambda row: order[row[0]])


def busy_text(utilization: float | None) -> str:
    """A stage's utilization as the comparison shows it, overloads unmistakable."""
    if utilization is None:
        return "—"
    return (
        f"OVERLOADED {percent_text(utilization)}"
        if overloaded(utilization)
        else percent_text(utilization)
    )


def queue_values(
    stream: ValueStream, change: QueueChange, before: bool
) -> tuple[list[str], list[tuple[str, str | None]]]:
    """A stage's busy share and wait in one state, then their changes (for a scenario)."""
    if before:
        return [
            busy_text(change.utilization_before),
            duration_text(stream, change.wait_before_hours),
        ], []
    busy_delta = shown_points(change.utilization_before or 0.0, change.utilization_after or 0.0)
    wait_delta = change.wait_after_hours - change.wait_before_hours
    values = [
        busy_text(change.utilization_after),
        UNBOUNDED if change.overflowing else duration_text(stream, change.wait_after_hours),
    ]
    deltas = [
        coloured(signed_number(busy_delta, 0, " pts"), busy_delta),
        (UNBOUNDED, WORSE)
        if change.overflowing
        else coloured(signed_duration(stream, wait_delta), wait_delta),
    ]
    return values, deltas


SHOWN = "▶ "
"""Before the name of the scenario the map shows, in the comparison's header."""
COMPARISON_CHARACTERS = 40
"""Widest column of the comparison, in characters: a stage's name with "(23%)" or ": busy"
stays whole (the table scrolls sideways instead)."""


class ScenarioComparisonView(FollowingPanel):
    """The current state beside every scenario, with each scenario's changes coloured."""

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(workspace, parent)
        self.comparisons: list[ScenarioComparison] = []
        self._scrolled_to: str | None = None
        """The scenario last scrolled into view."""
        self.table = QTableWidget(self)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        # Each measure heads its row, so it stays in view as the table scrolls to the scenarios.
        measures = self.table.verticalHeader()
        measures.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        prepare_table(self.table, row_height=1.55)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.empty = text_label(
            "No future-state scenarios yet. Create one in the Scenarios "
            "panel to compare it with the current state here.",
            theme.MUTED,
            parent=self,
        )
        copy = QPushButton("Copy table", self)
        copy.setToolTip("Copy the comparison as tab-separated text, for a spreadsheet or a plan")
        copy.clicked.connect(self.copy_to_clipboard)
        note = text_label(
            "Δ: the scenario minus the current state. Green is better, red worse.",
            theme.MUTED,
            parent=self,
        )
        footer = QHBoxLayout()
        footer.addWidget(note, 1)
        footer.addWidget(copy)
        layout = self.column
        layout.addWidget(self.empty)
        layout.addWidget(self.table, 1)
        layout.addLayout(footer)

    def redraw(self) -> str:
        stream = self.workspace.stream
        shown = self.workspace.scenario
        self.comparisons = [compare(stream, scenario) for scenario in stream.scenarios]
        self.empty.setVisible(not self.comparisons)
        self.table.setVisible(bool(self.comparisons))
        self.table.clear()
        queues = queue_rows(self.comparisons)
        measures = [*MEASURES]
        for _, name in queues:
            measures += [f"{name}: busy", f"{name}: wait"]
        self.table.setRowCount(len(measures))
        self.table.setColumnCount(1 + 2 * len(self.comparisons))
        shown_id = shown.id if shown is not None else None
        self.table.setHorizontalHeaderLabels(self._headers(shown_id))
        current = self.comparisons[0].current if self.comparisons else None
        for row, measure in enumerate(measures):
            title = read_only_item(measure)
            title.setFont(panel_font(bold=True))
            self.table.setVerticalHeaderItem(row, title)
        if current is not None:
            values = measure_values(stream, current, None)
            for stage_id, _ in queues:
                values += queue_values(stream, self.comparisons[0].queue(stage_id), True)[0]
            self._fill_column(0, values, None)
        for number, comparison in enumerate(self.comparisons):
            column = 1 + 2 * number
            values = measure_values(
                stream, comparison.future, comparison.monthly_ai_cost, comparison.overflowing
            )
            deltas = measure_deltas(stream, comparison)
            for stage_id, _ in queues:
                queue_value, queue_delta = queue_values(stream, comparison.queue(stage_id), False)
                values += queue_value
                deltas += queue_delta
            highlight = (
                theme.AI_FILL if shown is not None and shown.id == comparison.scenario_id else None
            )
            self._fill_column(column, values, highlight)
            for row, (text, tone) in enumerate(deltas):
                item = read_only_item(text)
                item.setFont(panel_font(bold=True))
                item.setForeground(QBrush(theme.color(tone or theme.MUTED)))
                self._align(item)
                self.table.setItem(row, column + 1, item)
        fit_columns(self.table, COMPARISON_CHARACTERS)
        if shown_id != self._scrolled_to:
            # The scenario just shown, and its change, in view: the last one sat off to the
            # right. Sideways only, and not on every edit: the table jumped as one was made.
            self._scrolled_to = shown_id
            ids = [comparison.scenario_id for comparison in self.comparisons]
            if shown_id in ids:
                self._scroll_to_column(1 + 2 * ids.index(shown_id))
        count = len(self.comparisons)
        return f"{count} scenario{'s' * (count != 1)} against the current state"

    def _headers(self, shown_id: str | None = None) -> list[str]:
        """The columns' titles, the scenario ``shown_id`` marked as the one the map shows."""
        headers = ["Current state"]
        for comparison in self.comparisons:
            marker = SHOWN if comparison.scenario_id == shown_id else ""
            # The Δ names its scenario too: scrolled sideways, the column beside it may not show.
            headers += [marker + comparison.scenario, f"Δ {comparison.scenario}"]
        return headers

    def _scroll_to_column(self, column: int) -> None:
        """Scroll sideways until ``column`` and the one after it show, the first whole."""
        table, rows = self.table, self.table.verticalScrollBar()
        kept = rows.value()
        model = table.model()
        table.scrollTo(model.index(0, column + 1))
        table.scrollTo(model.index(0, column))
        rows.setValue(kept)

    def _fill_column(self, column: int, values: list[str], highlight: str | None) -> None:
        for row, text in enumerate(values):
            item = read_only_item(text, text)
            self._align(item)
            if highlight:
                item.setBackground(QBrush(theme.color(highlight)))
            self.table.setItem(row, column, item)

    @staticmethod
    def _align(item: Any) -> None:
        item.setTextAlignment(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight)

    def as_rows(self) -> list[list[str]]:
        """The comparison as shown: a header row, then one row per measure, named first;
        the scenarios by their names alone, whichever the map shows."""
        columns = range(self.table.columnCount())
        table = self.table
        rows = [["", *self._headers()]]
        for row in range(table.rowCount()):
            named = _text(table.verticalHeaderItem(row))
            rows.append([named, *(_text(table.item(row, column)) for column in columns)])
        return rows

    def number_rows(self) -> list[list[str]]:
        """The comparison's figures as numbers a spreadsheet computes with, in the shown
        table's columns: a header row, then one row per figure with its unit. An unbounded
        state has no lead time to write."""
        if not self.comparisons:
            return []
        stream = self.workspace.stream
        current = spreadsheet_figures(self.comparisons[0].current, stream)
        keys = [key for key in COMPARED_FIGURES if key in current]
        today = [current[key][0] for key in keys]
        columns = [[*map(spreadsheet_number, today), ""]]
        for comparison in self.comparisons:
            bounded = comparison.lead_time_delta_hours is not None
            found = spreadsheet_figures(comparison.future, stream, bounded)
            future = [found[key][0] for key in keys]
            changes = map(spreadsheet_change, today, future)
            ai = spreadsheet_number(comparison.monthly_ai_cost)
            columns.append([*map(spreadsheet_number, future), ai])
            columns.append([*changes, ai])
        names = [*(COMPARED_FIGURES[key] for key in keys), "AI cost per month"]
        units = [*(current[key][1] for key in keys), stream.currency]
        rows = [["In numbers", *self.as_rows()[0][1:], "Unit"]]
        for row, (name, unit) in enumerate(zip(names, units, strict=True)):
            rows.append([name, *(column[row] for column in columns), unit])
        return rows

    def copy_to_clipboard(self) -> None:
        """Put the comparison on the clipboard as tab-separated text: as shown, for a plan
        or a slide, then in numbers, for a spreadsheet."""
        if self.stale:
            self.refresh()
        rows = [*self.as_rows(), [], *self.number_rows()]
        text = "\n".join(spreadsheet_text("\t".join(row)) for row in rows)
        QGuiApplication.clipboard().setText(text)


def _text(item: QTableWidgetItem | None) -> str:
    """What a cell shows; blank where there is no item."""
    return "" if item is None else item.text()
