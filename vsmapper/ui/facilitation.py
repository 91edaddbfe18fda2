"""A workshop's agenda and timer in presentation mode, the notes beside a long map, and a
guided start for a new map."""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QContextMenuEvent, QFont, QKeyEvent, QMouseEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from vsmapper.model.document import FreshIds, slug
from vsmapper.model.kinds import guessed_stages
from vsmapper.model.stream import Note, ValueStream
from vsmapper.ui import theme
from vsmapper.ui.canvas.notes import (
    KAIZEN_EDGE,
    KAIZEN_FILL,
    PAIN_EDGE,
    PAIN_FILL,
    TEXT_COLOR,
    shown_text,
)

AGENDA = (
    ("Current state", "Walk the map: is every stage, wait and loop there?"),
    ("Constraint", "Where does the time go? The red stage holds the most."),
    ("Future state", "Pick a scenario: what would change, and by how much?"),
    ("Plan", "Kaizen bursts: who does what by when?"),
)
PLAN_STEP = len(AGENDA) - 1
"""The step whose kaizen bursts are listed beside the map with their owners and dates."""


# Narrow, beside a map wrapped to fill a 16:9 screen's height; a taller screen gets the
# agenda wider and its type larger, in step.
SCREEN_HEIGHT = 720
"""The screen height the agenda's sizes below are for: a projector's 1280×720."""
AGENDA_WIDTH = 240
"""The agenda's width in pixels."""
TITLE_POINTS = 13
"""The size of the step's title and the clock."""
TEXT_POINTS = 10
"""The size of the prompt and the buttons."""
NOTE_POINTS = 11
"""The size of a note's text listed beside the map."""


def screen_scale(height: int) -> float:
    """How much larger the room's type is on a screen this high than at 720 pixels."""
    return max(1.0, height / SCREEN_HEIGHT)


def framed_beside_the_map(frame: QFrame, name: str) -> None:
    """The look of a panel beside the projected map: white, a hairline, round corners."""
    # Named, so that the style reaches the frame and not the labels in it.
    frame.setObjectName(name)
    frame.setStyleSheet(
        f"#{name} {{ background: rgba(255, 255, 255, 230); border: 1px solid {theme.HAIRLINE};"
        " border-radius: 6px; }"
    )


class AgendaOverlay(QFrame):
    """The workshop's step and its timer, small, beside the projected map."""

    stepChanged = Signal(int)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        framed_beside_the_map(self, "agenda-overlay")
        self.step = 0
        self._scale = 0.0
        self._presenting = False
        parent.installEventFilter(self)
        self._started: float | None = None
        self._elapsed = 0.0
        self.step_label = QLabel(self)
        self.step_label.setWordWrap(True)
        self.prompt_label = QLabel(self)
        self.prompt_label.setStyleSheet("color: #475569;")
        self.prompt_label.setWordWrap(True)
        self.clock_label = QLabel("0:00", self)
        self.back_button = QPushButton("◀", self)
        self.next_button = QPushButton("▶", self)
        self.timer_button = QPushButton("Start", self)
        for button, tip in (
            (self.back_button, "Previous step (Page Up, as a presenter's clicker sends)"),
            (self.next_button, "Next step (Page Down)"),
            (self.timer_button, "Start or pause the step's timer"),
        ):
            button.setToolTip(tip)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        row = QHBoxLayout()
        row.addWidget(self.back_button)
        row.addWidget(self.clock_label, 1, Qt.AlignmentFlag.AlignCenter)
        row.addWidget(self.timer_button)
        row.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addWidget(self.step_label)
        layout.addWidget(self.prompt_label)
        layout.addLayout(row)
        self.back_button.clicked.connect(self.previous_step)
        self.next_button.clicked.connect(self.next_step)
        self.timer_button.clicked.connect(self.toggle_timer)
        self._ticker = QTimer(self, interval=1000)
        self._ticker.timeout.connect(self._show_clock)
        self.size_for_screen(SCREEN_HEIGHT)
        self.go_to(0)
        self.hide()

    def size_for_screen(self, screen_height: int) -> None:
        """Type and width in step with the screen: the back row reads it as the map."""
        scale = screen_scale(screen_height)
        if scale == self._scale:
            return
        self._scale = scale
        family = self.font().family()
        # Each its own: the frame's style sheet keeps its font from reaching them.
        for widget in (self.prompt_label, self.back_button, self.timer_button, self.next_button):
            widget.setFont(QFont(family, round(TEXT_POINTS * scale)))
        for label in (self.step_label, self.clock_label):
            label.setFont(QFont(family, round(TITLE_POINTS * scale), QFont.Weight.Bold))
        for button in (self.back_button, self.next_button):
            button.setFixedWidth(round(36 * scale))
        self.setFixedWidth(round(AGENDA_WIDTH * scale))
        # The layout takes the new type first, or the frame keeps the old height and clips.
        layout = self.layout()
        if layout is not None:
            layout.activate()
        self.adjustSize()

    def next_step(self) -> None:
        """Go on to the next step, if there is one."""
        self.go_to(self.step + 1)

    def previous_step(self) -> None:
        """Go back to the previous step, if there is one."""
        self.go_to(self.step - 1)

    def go_to(self, step: int) -> None:
        """Show agenda step ``step`` (clamped) with its timer at zero."""
        self.step = max(0, min(step, len(AGENDA) - 1))
        title, prompt = AGENDA[self.step]
        self.step_label.setText(f"{self.step + 1}/{len(AGENDA)}  {title}")
        self.prompt_label.setText(prompt)
        self.back_button.setEnabled(self.step > 0)
        self.next_button.setEnabled(self.step < len(AGENDA) - 1)
        self.adjustSize()
        self._elapsed = 0.0
        if self._started is not None:
            self._started = time.monotonic()
        self._show_clock()
        self.stepChanged.emit(self.step)

    def toggle_timer(self) -> None:
        """Start or pause the step's timer."""
        if self._started is None:
            self._started = time.monotonic()
            self._ticker.start()
            self.timer_button.setText("Pause")
        else:
            self._elapsed += time.monotonic() - self._started
            self._started = None
            self._ticker.stop()
            self.timer_button.setText("Start")
        self._show_clock()

    def elapsed_seconds(self) -> float:
        """How long the step's timer has run."""
        running = time.monotonic() - self._started if self._started is not None else 0.0
        return self._elapsed + running

    def _show_clock(self) -> None:
        minutes, seconds = divmod(int(self.elapsed_seconds()), 60)
        self.clock_label.setText(f"{minutes}:{seconds:02d}")

    def set_presenting(self, on: bool) -> None:
        """Show in presentation mode only, sized for the window's height (a full screen's)."""
        self._presenting = on
        if on:
            self.size_for_screen(self.window().height())
            self.show()
            self.raise_()
        else:
            self.hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # The window goes full screen after presentation starts. Followed as the view takes
        # its new size, before the view wraps the map for it: so the map is wrapped once.
        if self._presenting and event.type() == QEvent.Type.Resize:
            self.size_for_screen(self.window().height())
        return False


NOTE_STYLES = {
    kind: f"background: {fill.name()}; border: {edge}px solid {colour.name()};"
    f" padding: 2px 4px; color: {TEXT_COLOR.name()};"
    for kind, fill, edge, colour in (
        ("pain", PAIN_FILL, 1, PAIN_EDGE),
        ("kaizen", KAIZEN_FILL, 2, KAIZEN_EDGE),
    )
}
"""A listed note in its colours on the map: a sticky note, or a kaizen burst's red edge."""
MUTED = f"color: {theme.INK_SOFT};"
"""Where a listed note stands, and who does it by when."""
LEAST_NOTE_PIXELS = 24
"""No listed note is less tall: a list this high holds at most its height over this."""


def who_and_when(note: Note) -> str:
    """Who does a kaizen burst by when, as the plan says: "Ana · by 12 Dec"."""
    who = note.owner.strip() or "no owner yet"
    return f"{who} · by {note.due.day} {note.due:%b %Y}" if note.due else f"{who} · no date yet"


class NoteList(QFrame):
    """The map's notes, listed beside it while presenting a map too long to hold them in type
    the room reads; as many as the strip has room for, and how many more. A right click on
    one gives its menu, a double-click edits it, as on the map."""

    noteMenuRequested = Signal(str, QPoint)
    noteActivated = Signal(str)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        framed_beside_the_map(self, "note-list")
        self.listed: list[Note] = []
        """The notes in the list, without those it had no room for."""
        self._labels: dict[QLabel, str] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        self.hide()

    def show_notes(
        self, notes: list[tuple[str, Note]], room: int, screen_height: int, plan: bool = False
    ) -> None:
        """List ``notes``, under the name of the stage each stands at, in type for a screen
        this high, as many as ``room`` pixels hold; for the ``plan``, who does each by when."""
        layout = self.layout()
        assert layout is not None
        while layout.count():
            item = layout.takeAt(0)
            if item is not None and (widget := item.widget()) is not None:
                widget.hide()
                widget.deleteLater()
        self._labels = {}
        scale = screen_scale(screen_height)
        family = self.font().family()
        width = round(AGENDA_WIDTH * scale)
        small = QFont(family, round(TEXT_POINTS * scale))
        bold = QFont(family, round(NOTE_POINTS * scale), QFont.Weight.Bold)
        rows: list[list[QLabel]] = []  # a note's text, after its stage's name if it is first
        for number, (where, note) in enumerate(notes[: max(1, room // LEAST_NOTE_PIXELS)]):
            row = (
                [self._label(where, small, MUTED)]
                if number == 0 or notes[number - 1][0] != where
                else []
            )
            done = "✓ " if note.status == "done" else ""
            text = self._label(done + shown_text(note), bold, NOTE_STYLES[note.kind])
            self._labels[text] = note.id
            row.append(text)
            if plan:
                row.append(self._label(who_and_when(note), small, MUTED))
            rows.append(row)
        more = self._label("", small)

        def height_showing(count: int) -> int:
            for number, row in enumerate(rows):
                for label in row:
                    label.setVisible(number < count)
            hidden = len(notes) - count
            more.setText(f"+{hidden} more" if hidden else "")
            more.setVisible(bool(hidden))
            layout.activate()
            return self.heightForWidth(width)

        # The most notes that fit, found in halves: each trial lays the whole list out.
        fitting, too_many = 0, len(rows) + 1
        while too_many - fitting > 1:
            middle = (fitting + too_many) // 2
            fitting, too_many = (
                (middle, too_many) if height_showing(middle) <= room else (fitting, middle)
            )
        self.listed = [note for _, note in notes[:fitting]]
        self.setFixedSize(width, height_showing(fitting))

    def _label(self, text: str, font: QFont, style: str = "") -> QLabel:
        label = QLabel(text, self)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        label.setFont(font)
        label.setStyleSheet(style)
        layout = self.layout()
        assert layout is not None
        layout.addWidget(label)
        label.show()  # now, not when the event loop gets to it: it counts in the height
        return label

    def note_at(self, where: QPoint) -> str | None:
        """The id of the note listed at ``where``, if one is."""
        child = self.childAt(where)
        return self._labels.get(child) if isinstance(child, QLabel) else None

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        note_id = self.note_at(event.pos())
        if note_id:
            self.noteMenuRequested.emit(note_id, event.globalPos())

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        note_id = self.note_at(event.position().toPoint())
        if note_id:
            self.noteActivated.emit(note_id)


class GuidedMapDialog(QDialog):
    """A new map stage by stage, walked from delivery back to the request, or forward."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New guided workshop map")
        self.name_edit = QLineEdit("Our value stream", self)
        self.backward_button = QRadioButton("From delivery back to the request", self)
        self.forward_button = QRadioButton("From the request forward to delivery", self)
        self.backward_button.setChecked(True)
        self._direction = QButtonGroup(self)
        self._direction.addButton(self.backward_button)
        self._direction.addButton(self.forward_button)
        self.prompt = QLabel(self)
        self.prompt.setWordWrap(True)
        self.stage_edit = QLineEdit(self)
        self.add_button = QPushButton("Add stage", self)
        self.remove_button = QPushButton("Remove last", self)
        self.stage_list = QListWidget(self)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Create map")
        entry = QHBoxLayout()
        entry.addWidget(self.stage_edit, 1)
        entry.addWidget(self.add_button)
        entry.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Map name:", self))
        layout.addWidget(self.name_edit)
        layout.addWidget(self.backward_button)
        layout.addWidget(self.forward_button)
        layout.addWidget(self.prompt)
        layout.addLayout(entry)
        layout.addWidget(self.stage_list, 1)
        layout.addWidget(self.buttons)
        self.add_button.clicked.connect(self.add_stage)
        self.stage_edit.installEventFilter(self)
        self.remove_button.clicked.connect(self.remove_last)
        self.backward_button.toggled.connect(self._update)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.add_button.setAutoDefault(False)
        self._update()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Enter in the stage's field adds the stage, as the room calls out one after another;
        on an empty field it creates the map."""
        if (
            watched is self.stage_edit
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            if self.stage_edit.text().strip() or not self.names():
                self.add_stage()
            else:
                self.accept()
            return True
        return super().eventFilter(watched, event)

    def names(self) -> list[str]:
        """The stage names as entered."""
        return [self.stage_list.item(row).text() for row in range(self.stage_list.count())]

    def add_stage(self) -> None:
        """Add the typed stage name to the walk."""
        name = self.stage_edit.text().strip()
        if name:
            self.stage_list.addItem(name)
            self.stage_edit.clear()
        self._update()

    def remove_last(self) -> None:
        """Take back the last stage entered."""
        if self.stage_list.count():
            self.stage_list.takeItem(self.stage_list.count() - 1)
        self._update()

    def _update(self) -> None:
        backward = self.backward_button.isChecked()
        names = self.names()
        if not names:
            question = (
                "Where does the work reach the customer? Name the last stage (e.g. Deploy)."
                if backward
                else "Where does a request first arrive? Name the first stage (e.g. Idea intake)."
            )
        else:
            question = (
                f"What happens just before “{names[-1]}”? Add it, or press Enter again to "
                "create the map."
                if backward
                else f"What happens right after “{names[-1]}”? Add it, or press Enter again to "
                "create the map."
            )
        self.prompt.setText(question)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(names))

    def stream(self) -> ValueStream:
        """The new map: the stages in flow order, chained."""
        names = self.names()
        if self.backward_button.isChecked():
            names.reverse()
        fresh = FreshIds()
        ids = [fresh.fresh(slug(name)) for name in names]
        stages = [stage.model_dump() for stage in guessed_stages(names, ids)]
        name = self.name_edit.text().strip() or "Our value stream"
        # From plain data, so the stages chain in the order walked.
        return ValueStream.model_validate({"name": name, "stages": stages})
