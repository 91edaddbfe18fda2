"""The Workshop menu: estimate rounds from phones, pain points, kaizen bursts, the plan.

The round's window (ui/survey.py) and the plan's panel (ui/plan_panel.py) load when first
opened: the first window waits for neither."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer
from PySide6.QtGui import (
    QAction,
    QFont,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
)
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from vsmapper.errors import counted
from vsmapper.model.document import Change
from vsmapper.ui import settings
from vsmapper.ui.canvas.notes import NoteLayer
from vsmapper.ui.canvas.strips import PAD
from vsmapper.ui.docks import PanelDock
from vsmapper.ui.facilitation import (
    AGENDA_WIDTH,
    PLAN_STEP,
    SCREEN_HEIGHT,
    AgendaOverlay,
    GuidedMapDialog,
    NoteList,
    screen_scale,
)
from vsmapper.ui.units import literal_label
from vsmapper.workshop.plan import KIND_LABELS

if TYPE_CHECKING:
    from vsmapper.ui.main_window import MainWindow
    from vsmapper.ui.plan_panel import ImprovementPlanPanel
    from vsmapper.ui.survey import SurveyWindow


# --- the presentation overlay ----------------------------------------------------------------


QR_SHARE = AGENDA_WIDTH / SCREEN_HEIGHT
"""The QR code beside the map takes up to a third of the window's height (as wide as the
agenda while presenting) and of the view's width: projected, a phone a few metres from the
wall reads a code a quarter to a third of the screen high."""
ADDRESS_POINTS = 12
"""The address under the code at 720 pixels high, larger on taller screens: those who type
it read it from the back row."""


REFIT_ON = (QEvent.Type.Resize, QEvent.Type.DevicePixelRatioChange)


class RoundOverlay(QWidget):
    """The round's QR code and address beside the projected map."""

    def __init__(self, parent: QAbstractScrollArea) -> None:
        super().__init__(parent)
        self.view = parent
        self.round_address: str | None = None
        self._fitted: tuple[str, int, float] | None = None
        parent.installEventFilter(self)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.qr = QLabel(self)
        self.address = QLabel(self)
        self.address.setTextFormat(Qt.TextFormat.PlainText)
        self.address.setStyleSheet("background: white; padding: 4px;")
        self.address.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.qr, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.address, 0, Qt.AlignmentFlag.AlignHCenter)
        self.hide()

    def show_round(self, address: str | None) -> None:
        """Show ``address`` and its QR code, or hide with None."""
        self.round_address = address
        if address is None:
            self.hide()
            return
        # On two lines, so that the strip beside the map stays narrow.
        self.address.setText(address.replace("/s/", "\n/s/", 1))
        self.fit_qr()
        self.show()
        self.raise_()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # The code follows the view's size (a window made full screen to present, a dock)
        # and its screen's pixels (a window moved from the laptop to the projector).
        if event.type() in REFIT_ON and self.round_address is not None:
            self.fit_qr()
        return False

    def fit_qr(self) -> None:
        """The largest QR code of the address its share allows, the address under it in view."""
        from vsmapper.ui.survey import qr_pixmap

        assert self.round_address is not None
        points = round(ADDRESS_POINTS * screen_scale(self.window().height()))
        if self.address.font().pointSize() != points:
            self.address.setFont(QFont(self.font().family(), points, QFont.Weight.Bold))
        view = self.view
        words = self.sizeHint().height() - self.qr.sizeHint().height()
        # Less the scroll bar even while it is away: a zoom that brought it would cut the code.
        room = view.height() - view.horizontalScrollBar().sizeHint().height() - 2 * PAD - words
        side = min(int(self.window().height() * QR_SHARE), int(view.width() * QR_SHARE), room)
        fitted = (self.round_address, side, self.devicePixelRatioF())
        # A view is resized often (docks, the splitter): a code is made only for a new size.
        if fitted != self._fitted:
            self._fitted = fitted
            self.qr.setPixmap(qr_pixmap(*fitted))
        self.adjustSize()


# --- the menu --------------------------------------------------------------------------------


class Workshop:
    """Adds the Workshop menu, the notes layer and the overlays to a window."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        workspace = window.workspace
        self.workspace = workspace
        self.survey_window: SurveyWindow | None = None
        self.notes_layer = NoteLayer(window.scene, lambda: workspace.stream)
        # Beside the map, never on it: a stage under them could not be seen.
        self.overlay = RoundOverlay(window.view)
        self.agenda = AgendaOverlay(window.view)
        self.blank = BlankScreen(window)
        self.note_list = NoteList(window.view)
        window.view.side_strip.add(self.overlay)
        window.view.side_strip.add(self.agenda)
        window.view.side_strip.add(self.note_list)
        window.presentingChanged.connect(self.agenda.set_presenting)
        window.presentingChanged.connect(lambda _on: self.list_notes())
        window.scene.mapShown.connect(self.list_notes)
        self.agenda.stepChanged.connect(lambda _step: self.list_notes())
        # A round's code shown or gone under the list leaves it another height to fill.
        window.view.side_strip.changed.connect(self._list_notes_for_new_room)
        self._listed_room = 0
        self.note_list.noteMenuRequested.connect(self.show_note_menu)
        self.note_list.noteActivated.connect(self.edit_note_text)
        self.notes_layer.noteMenuRequested.connect(self.show_note_menu)
        self.notes_layer.noteActivated.connect(self.edit_note_text)
        window.presentingChanged.connect(self._put_round_away)
        workspace.changed.connect(self._on_document_changed)
        # Closed by the user (View menu or its close button), the plan stays closed.
        self.dock.menu_action.triggered.connect(
            lambda: settings.PLAN_CLOSED.set(self.dock.isHidden())
        )
        self.dock.closed.connect(lambda: settings.PLAN_CLOSED.set(True))
        # Once the window has put its docks back as the user left them.
        QTimer.singleShot(0, window, self.bring_plan_into_view)

        def action(text: str, slot: Callable[[], object], shortcut: str | None = None) -> QAction:
            made = QAction(text, window)
            if shortcut:
                made.setShortcut(QKeySequence(shortcut))
            made.setStatusTip(text.replace("&", "").rstrip("…"))
            made.triggered.connect(slot)
            window.addAction(made)
            return made

        self.survey_action = action(
            "&Estimate round from phones…", self.open_survey, "Ctrl+Shift+E"
        )
        self.add_pain_action = action(
            "Add &pain point…", lambda: self.add_note("pain"), "Ctrl+Shift+P"
        )
        self.add_kaizen_action = action(
            "Add &kaizen burst…", lambda: self.add_note("kaizen"), "Ctrl+Shift+K"
        )
        self.plan_action = action("&Improvement plan", self.go_to_plan)
        self.guided_action = action("New &guided workshop map…", self.new_guided_map)
        # In presentation mode only, where a presenter's clicker sends Page Down and Up, and
        # "b" or "." to blank the screen; T is the presenter's own, for the agenda's timer.
        self.next_step_action = action("&Next agenda step", self.agenda.next_step, "PgDown")
        self.previous_step_action = action(
            "P&revious agenda step", self.agenda.previous_step, "PgUp"
        )
        self.timer_action = action(
            "Start or pause the step's &timer", self.agenda.toggle_timer, "T"
        )
        self.blank_action = action("&Blank the screen", self.blank.cover)
        self.blank_action.setShortcuts([QKeySequence("B"), QKeySequence(".")])
        self.presenting_actions = [
            self.next_step_action,
            self.previous_step_action,
            self.timer_action,
            self.blank_action,
        ]
        for presenting_action in self.presenting_actions:
            presenting_action.setEnabled(False)
            window.presentingChanged.connect(presenting_action.setEnabled)
        # Leaving presentation mode, by Esc or the menu, leaves no black screen behind.
        window.presentingChanged.connect(self.blank.follow_presentation)
        self.stage_actions = [self.add_pain_action, self.add_kaizen_action]
        menu = QMenu("&Workshop", window)
        window.menuBar().insertMenu(window.menus.help_menu.menuAction(), menu)
        menu.addAction(self.guided_action)
        menu.addSeparator()
        menu.addAction(self.survey_action)
        menu.addSeparator()
        menu.addActions([self.add_pain_action, self.add_kaizen_action, self.plan_action])
        menu.addSeparator()
        menu.addActions(self.presenting_actions)
        self.menu = menu

    @property
    def dock(self) -> PanelDock:
        """The Improvement plan's dock (the window docks it with its other panels)."""
        return self.window.docks["Improvement plan"]

    @property
    def plan(self) -> ImprovementPlanPanel:
        """The improvement plan panel, made when first needed."""
        return cast("ImprovementPlanPanel", self.dock.panel())

    def open_survey(self) -> SurveyWindow:
        """Show the estimate round window (one per map window)."""
        if self.survey_window is None:
            from vsmapper.ui.survey import SurveyWindow

            self.survey_window = SurveyWindow(self.workspace, self.window)
            self.survey_window.roundChanged.connect(self._on_round_changed)
            # F5 from the round's window presents, which puts the window away.
            self.survey_window.addAction(self.window.menus.presentation_action)
        elif self.survey_window.round is None:
            self.survey_window.fill_stages()
        self.survey_window.show()
        self.survey_window.raise_()
        self.survey_window.activateWindow()
        return self.survey_window

    def _put_round_away(self, presenting: bool) -> None:
        # The room sees the map, the round's QR code beside it; Ctrl+Shift+E brings it back.
        if presenting and self.survey_window is not None:
            self.survey_window.hide()

    def _on_document_changed(self, change: Change) -> None:
        # Another map was opened: a round asked about the old one's stages.
        if change.kind == "reset":
            self.bring_plan_into_view()
        if change.kind == "reset" and self.survey_window is not None:
            if self.survey_window.round is not None:
                self.window.show_message(
                    "The estimate round ended: its questions were about the map just closed", 10000
                )
            self.survey_window.close_round()
            self.survey_window.fill_stages()

    def confirm_end_round(self) -> bool:
        """Ask before another map ends the open round; True when it is fine to go on."""
        survey = self.survey_window
        if survey is None or survey.round is None:
            return True
        answered = counted(survey.round.responses, "participant")
        # A room's answers went with the window: the question said nothing of them.
        unapplied = (
            " Their answers are not in the map yet: ending the round drops them (Keep the "
            "round, then Apply merge)."
            if survey.answers_not_applied()
            else ""
        )
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Estimate round open",
            f"End the estimate round on “{self.workspace.stream.name}”? {answered} answered "
            f"so far; the page on their phones stops.{unapplied}",
            QMessageBox.StandardButton.NoButton,
            self.window,
        )
        # Keeping the round is the default: Enter or Esc never ends a room's round.
        keep = box.addButton("&Keep the round", QMessageBox.ButtonRole.RejectRole)
        end = box.addButton("&End the round", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        box.exec()
        ended = box.clickedButton() is end
        box.deleteLater()
        return ended

    def _on_round_changed(self) -> None:
        survey = self.survey_window
        self.overlay.show_round(survey.round.address if survey and survey.round else None)

    def add_note(self, kind: str) -> str | None:
        """Ask for the note's text and add it to the selected stage (or the whole map)."""
        selected = self.window.selected_ids
        stage_id = selected[0] if selected else None
        where = self.workspace.document.stage(stage_id).name if stage_id else "the whole map"
        text, ok = QInputDialog.getText(
            self.window, KIND_LABELS[kind], literal_label(f"{KIND_LABELS[kind]} for {where}:")
        )
        if not ok or not text.strip():
            return None
        note_id = self.plan.add_note(kind, stage_id, text.strip())
        # Never over the room's view while presenting: the burst shows on the map there.
        if note_id and kind == "kaizen" and not self.window.menus.presentation_action.isChecked():
            self.show_plan()
        return note_id

    def show_note_menu(self, note_id: str, where: QPoint) -> QMenu:
        """A note's own menu on the map: edit its text, remove it, or find it in the plan."""
        menu = QMenu(self.window)
        menu.addAction("&Edit text…", lambda: self.edit_note_text(note_id))
        menu.addAction("&Remove", lambda: self.plan.remove_notes([note_id]))
        # Presenting, the plan would cover the room's map.
        if not self.window.menus.presentation_action.isChecked():
            menu.addSeparator()
            menu.addAction("Show in the &Improvement plan", lambda: self.show_in_plan(note_id))
        menu.popup(where)
        return menu

    def edit_note_text(self, note_id: str) -> None:
        """Ask for a note's new text, as the note was added."""
        note = self.workspace.document.note(note_id)
        text, ok = QInputDialog.getText(
            self.window,
            KIND_LABELS[note.kind],
            literal_label(f"{KIND_LABELS[note.kind]}:"),
            text=note.text,
        )
        if ok and text.strip() and text.strip() != note.text:
            self.plan.set_field(note_id, "text", text.strip())

    def show_in_plan(self, note_id: str) -> None:
        """The Improvement plan in front, the keys on the note's row."""
        self.go_to_plan()
        self.plan.select_note(note_id)

    def new_guided_map(self) -> bool:
        """Start a new map by naming its stages in order, walking back from delivery."""
        dialog = GuidedMapDialog(self.window)
        if not dialog.exec() or not self.window.file.confirm_replace():
            return False
        stream = dialog.stream()
        self.window.file.load(stream, None)
        # As after Ctrl+N: the keys act on the first stage at once, not after an arrow key.
        self.window.editor.select([stage.id for stage in stream.stages[:1]])
        return True

    def list_notes(self) -> None:
        """Presenting, list beside the map the notes it has no room for, kaizen bursts first
        (a short list hid the plan's under pain points), each kind in map order; or at the
        agenda's Plan step its kaizen bursts with who does each by when."""
        window = self.window
        stream = self.workspace.stream
        plan = self.agenda.step == PLAN_STEP
        beside = plan or not window.scene.note_style().on_map
        if not window.view.is_presenting() or not beside or not stream.notes:
            self.note_list.hide()  # and an edit on screen spends nothing here
            return
        by_stage = stream.stage_notes()
        notes = [
            (stage.name, note) for stage in stream.stages for note in by_stage.get(stage.id, [])
        ]
        notes += [("The whole map", note) for note in stream.notes if note.stage is None]
        notes.sort(key=lambda listed: listed[1].kind != "kaizen")  # stable: map order stays
        if plan:
            notes = [(where, note) for where, note in notes if note.kind == "kaizen"]
        if not notes:
            self.note_list.hide()
            return
        self._listed_room = window.view.side_strip.room_for(self.note_list)
        self.note_list.show_notes(notes, self._listed_room, window.height(), plan)
        self.note_list.show()
        self.note_list.raise_()

    def _list_notes_for_new_room(self) -> None:
        strip = self.window.view.side_strip
        if self.note_list.isVisible() and strip.room_for(self.note_list) != self._listed_room:
            self.list_notes()

    def show_plan(self) -> None:
        """Show and raise the improvement plan."""
        settings.PLAN_CLOSED.set(False)
        self.window.show_dock("Improvement plan")

    def go_to_plan(self) -> None:
        """Show and raise the improvement plan, the keys in its table: chosen from the menu
        by keyboard, the plan came up and the keys stayed where they were."""
        self.show_plan()
        self.plan.take_keys()

    def bring_plan_into_view(self) -> None:
        """Show the Improvement plan's tab for a map with notes, unless the user closed the
        plan, and say what is in it; it was easy to miss, hidden in the View menu. For a map
        without notes, the Stages table comes in front of an empty plan."""
        notes: Counter[str] = Counter(note.kind for note in self.workspace.stream.notes)
        presenting = self.window.menus.presentation_action.isChecked()
        stages = self.window.docks["Stages"]
        if (
            not notes
            and self.dock.in_view()
            and self.dock in self.window.tabifiedDockWidgets(stages)
        ):
            # An empty plan, in front as the last session left it, hid the Stages table.
            stages.raise_()
        if not notes or not self.dock.isHidden() or presenting or settings.PLAN_CLOSED.get():
            return
        self.dock.show()
        held = " and ".join(
            f"{notes[kind]} {label.lower()}{'s' if notes[kind] > 1 else ''}"
            for kind, label in KIND_LABELS.items()
            if notes[kind]
        )
        self.window.show_message(f"This map has {held}: see the Improvement plan tab", 10000)

    def shutdown(self) -> None:
        """Close any open round: the server never outlives its window."""
        if self.survey_window is not None:
            self.survey_window.close_round()


MODIFIER_KEYS = frozenset(
    {Qt.Key.Key_Shift, Qt.Key.Key_Control, Qt.Key.Key_Alt, Qt.Key.Key_Meta, Qt.Key.Key_AltGr}
)


class BlankScreen(QWidget):
    """A black screen over the whole window while presenting, as a clicker's "b" asks: the
    room looks at the people, not the map. Any key or click brings the map back."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.hide()
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Over the whole window as it changes, to another projector's size.
        if isinstance(watched, QWidget) and event.type() == QEvent.Type.Resize:
            self.setGeometry(watched.rect())
        return False

    def follow_presentation(self, on: bool) -> None:
        """Leaving presentation mode, by Esc or the menu, leaves no black screen behind."""
        if not on:
            self.hide()

    def paintEvent(self, event: QPaintEvent) -> None:
        QPainter(self).fillRect(self.rect(), Qt.GlobalColor.black)

    def cover(self) -> None:
        """Black out the window until a key or a click."""
        parent = self.parentWidget()
        assert parent is not None
        self.setGeometry(parent.rect())
        self.raise_()
        self.show()
        self.setFocus()

    def event(self, event: QEvent) -> bool:
        # Every key is the blank screen's own: the Page Down that brings the map back must
        # not also step the agenda behind it.
        if event.type() == QEvent.Type.ShortcutOverride:
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # A modifier alone (the Alt of Alt+Tab) is no presenter's click.
        if event.key() not in MODIFIER_KEYS:
            self._uncover(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._uncover(event)

    def _uncover(self, event: QEvent) -> None:
        event.accept()
        self.hide()
        parent = self.parentWidget()
        if isinstance(parent, QMainWindow):
            # The map takes the keys again: Page Down goes on with the agenda.
            view = parent.centralWidget()
            if view is not None:
                view.setFocus()
