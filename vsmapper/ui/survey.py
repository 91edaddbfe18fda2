"""An estimate round from phones: its window, with the spread of the answers, and its QR code."""

from __future__ import annotations

import io
import math
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPaintEvent,
    QPen,
    QPixmap,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractScrollArea,
    QDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from vsmapper.errors import counted
from vsmapper.ui.commands import EditCommand, is_done, made_at, try_perform
from vsmapper.ui.dialogs import resize_for_screen
from vsmapper.ui.docks import centre_on_screen
from vsmapper.ui.insights_panel import ProblemLabel, panel_font, prepare_table, read_only_item
from vsmapper.workshop.merge import (
    DELETED,
    FIELD_WORDS,
    StageMerge,
    SurveyMerge,
    TimeSpread,
    apply_merge,
    holds_merge,
    merge_checks,
    stages_gone,
)

if TYPE_CHECKING:
    from vsmapper.ui.workspace import Workspace
    from vsmapper.workshop.server import SurveyRound

POLL_INTERVAL_MS = 400
SHOW_AGAIN = "Workshop ▸ Estimate round from phones (Ctrl+Shift+E)"
DISAGREE_COLOR = QColor("#c53030")
WAIT_COLOR = QColor("#b7791f")
WORK_COLOR = QColor("#2f855a")
SELECTED_COLOR = QColor("#e0ecff")
ROW_PITCH = 34
LABEL_WIDTH = 190.0
"""The spread chart's stage names, left of its time scale."""
CHART_MARGIN = 4.0
AXIS_COLOR = QColor("#64748b")
AXIS_MARKS = ((1 / 6, "10m"), (1, "1h"), (8, "1 day"), (40, "1 week"), (160, "4 weeks"))
CHECK_COLUMN = "Check before applying"
COLUMNS = ["Stage", "Answers", "Wait", "Work", "%C&A", "Pain points", "Disagree", CHECK_COLUMN]
CHECK_NAMES = 5
"""The most stages the line above the answers names as to be checked before applying."""
TIPPED = ("Stage", "Pain points")
"""The columns whose cells show the stage's pain points as a tooltip."""
QUIET_ZONE = 3
"""Modules of white around a QR code, which scanners need to find it."""
WINDOW_QR_SIDE = 120
"""The most pixels the round's window gives its QR code: the room scans the one beside the
map, and the answers table needs the height at 1280×720."""


def qr_pixmap(text: str, side: int, ratio: float = 1.0) -> QPixmap:
    """A QR code of ``text`` at most ``side`` pixels wide, black on white with a quiet zone,
    each module whole pixels of a screen of this device pixel ``ratio``: sharp, not blurred."""
    import segno

    code = segno.make(text, error="m")
    modules = code.symbol_size(border=QUIET_ZONE)[0]
    picture = io.BytesIO()
    scale = max(1, int(side * ratio) // modules)
    code.save(picture, kind="png", scale=scale, border=QUIET_ZONE)
    pixmap = QPixmap()
    pixmap.loadFromData(picture.getvalue(), "PNG")
    pixmap.setDevicePixelRatio(ratio)
    return pixmap


# --- the spread chart ------------------------------------------------------------------------


class SpreadChart(QAbstractScrollArea):
    """Per stage, each answer's likely wait and work on a log scale; disagreement in red. The
    rows scroll between the key and the time axis, which stay in view as a sheet's header."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.merge: SurveyMerge | None = None
        self.selected: set[int] = set()
        """The rows of the stages selected in the answers, shaded."""
        self._hours: tuple[float, float] | None = None
        """The log10 of the shortest and longest likely hours, with a margin."""
        self._key_bottom = 0.0
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.verticalScrollBar().setSingleStep(ROW_PITCH)

    def set_merge(self, merge: SurveyMerge) -> None:
        """Show these merged answers."""
        self.merge = merge
        values = [
            value
            for stage in merge.stages
            for spread in (stage.wait_time, stage.process_time)
            if spread is not None
            for value in spread.likelies
            if value > 0
        ]
        self._hours = (
            (math.log10(min(values)) - 0.2, math.log10(max(values)) + 0.2) if values else None
        )
        self._fit_rows()
        self.viewport().update()

    def select(self, rows: Iterable[int]) -> None:
        """Shade these stages' rows, as the answers' table selects them."""
        self.selected = set(rows)
        self.viewport().update()

    def small_font(self) -> QFont:
        """The key's and the time axis's font."""
        return QFont(self.font().family(), 9)

    def key_pieces(self) -> list[tuple[QRectF, str, QColor]]:
        """The key's marks and words where they go, wrapped to the chart's width: on one
        line, it ran past the right edge of the chart beside the pain points."""
        metrics = QFontMetricsF(self.small_font())
        space, gap = metrics.horizontalAdvance(" "), metrics.horizontalAdvance("   ")
        x, y = CHART_MARGIN, CHART_MARGIN
        pieces: list[tuple[QRectF, str, QColor]] = []
        for mark, colour, meaning in (*SPREAD_KEY, ("", AXIS_COLOR, KEY_NOTE)):
            width = metrics.horizontalAdvance(mark) + space if mark else 0.0
            entry = width + metrics.horizontalAdvance(meaning)
            if x > CHART_MARGIN and x + entry > self.viewport().width() - CHART_MARGIN:
                x, y = CHART_MARGIN, y + metrics.height()
            if mark:
                pieces.append((QRectF(x, y, width, metrics.height()), mark, colour))
            pieces.append(
                (QRectF(x + width, y, entry - width, metrics.height()), meaning, AXIS_COLOR)
            )
            x += entry + gap
        return pieces

    def rows_rect(self) -> QRectF:
        """The band the rows scroll in, under the key and over the time axis."""
        top = self._key_bottom + 2
        axis = QFontMetricsF(self.small_font()).height() + CHART_MARGIN
        bottom = min(top + self._rows_height(), self.viewport().height() - axis)
        return QRectF(0, top, self.viewport().width(), max(bottom - top, 0))

    def _rows_height(self) -> int:
        return (len(self.merge.stages) if self.merge else 0) * ROW_PITCH + 4

    def row_top(self, row: int) -> float:
        """Where a stage's row starts in the chart, as the rows are scrolled."""
        return self.rows_rect().top() + 2 + row * ROW_PITCH - self.verticalScrollBar().value()

    def scroll_to(self, row: int) -> None:
        """Scroll the rows until this stage's shows."""
        bar, shown = self.verticalScrollBar(), int(self.rows_rect().height())
        top = row * ROW_PITCH
        bar.setValue(min(max(bar.value(), top + ROW_PITCH + 4 - shown), top))

    def x_of(self, hours: float) -> float:
        """Where ``hours`` stand on the chart's log scale."""
        low, high = self._hours or (0.0, 1.0)
        left, right = LABEL_WIDTH + 10, self.viewport().width() - 16.0
        position = (math.log10(max(hours, 10**low)) - low) / max(high - low, 1e-9)
        return left + position * (right - left)

    def axis_labels(self) -> list[tuple[QRectF, str, float]]:
        """The time axis's labels under the rows, each whole inside the chart, and the x of
        its line: at the chart's edge, "4 weeks" was cut, and descenders by its bottom."""
        if self._hours is None:
            return []
        metrics = QFontMetricsF(self.small_font())
        top = self.rows_rect().bottom()
        low, high = self._hours
        labels: list[tuple[QRectF, str, float]] = []
        for hours, label in AXIS_MARKS:
            if low <= math.log10(hours) <= high:
                x = self.x_of(hours)
                width = metrics.horizontalAdvance(label) + 4
                left = min(max(x - width / 2, 0.0), self.viewport().width() - width)
                rect = QRectF(left, top, width, metrics.height())
                # On a narrow chart, a label that would run into the one before is left out.
                if not labels or not rect.intersects(labels[-1][0]):
                    labels.append((rect, label, x))
        return labels

    def _fit_rows(self) -> None:
        """Scroll as far as the rows run past the room the key, at this width, and the axis
        leave them."""
        self._key_bottom = max(rect.bottom() for rect, _, _ in self.key_pieces())
        shown = int(self.rows_rect().height())
        self.verticalScrollBar().setRange(0, max(self._rows_height() - shown, 0))
        self.verticalScrollBar().setPageStep(shown)

    def resizeEvent(self, event: QResizeEvent) -> None:
        # Narrower, the key may take another line; shorter, fewer rows show.
        super().resizeEvent(event)
        self._fit_rows()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self.viewport())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.viewport().rect(), QColor("#ffffff"))
        merge = self.merge
        if merge is None:
            painter.end()
            return
        painter.setFont(self.small_font())
        for rect, text, colour in self.key_pieces():
            painter.setPen(colour)
            painter.drawText(rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)
        band = self.rows_rect()
        # Rules between the rows and what stays: a row scrolled half away goes under them.
        painter.setPen(QPen(QColor("#cbd5e1"), 1))
        for y in (band.top(), band.bottom()):
            painter.drawLine(QPointF(0, y), QPointF(band.right(), y))
        for rect, label, x in self.axis_labels():
            painter.setPen(QPen(QColor("#e2e8f0"), 1))
            painter.drawLine(QPointF(x, band.top() + 2), QPointF(x, band.bottom()))
            painter.setPen(AXIS_COLOR)
            painter.drawText(rect, Qt.AlignmentFlag.AlignHCenter, label)
        painter.setClipRect(band)
        painter.setFont(QFont(self.font().family(), 10))
        for row, stage in enumerate(merge.stages):
            top = self.row_top(row)
            if top + ROW_PITCH < band.top() or top - 2 > band.bottom():
                continue
            if row in self.selected:
                painter.fillRect(QRectF(0, top - 2, band.width(), ROW_PITCH), SELECTED_COLOR)
            painter.setPen(DISAGREE_COLOR if stage.disagreement else QColor("#1e293b"))
            painter.drawText(
                QRectF(4, top, LABEL_WIDTH, 28),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                painter.fontMetrics().elidedText(
                    f"{stage.name} ({stage.answers})",
                    Qt.TextElideMode.ElideMiddle,
                    int(LABEL_WIDTH),
                ),
            )
            for offset, name, colour in (
                (8, "wait_time", WAIT_COLOR),
                (20, "process_time", WORK_COLOR),
            ):
                spread: TimeSpread | None = getattr(stage, name)
                if spread is None:
                    continue
                y = top + offset
                disagree = name in stage.disagreement
                painter.setPen(QPen(DISAGREE_COLOR if disagree else colour, 3))
                painter.drawLine(
                    QPointF(self.x_of(min(spread.likelies)), y),
                    QPointF(self.x_of(max(spread.likelies)), y),
                )
                painter.setBrush(colour)
                painter.setPen(Qt.PenStyle.NoPen)
                for value in spread.likelies:
                    painter.drawEllipse(QPointF(self.x_of(value), y), 3.5, 3.5)
                painter.setPen(QPen(QColor("#1e293b"), 2))
                painter.drawLine(
                    QPointF(self.x_of(spread.likely), y - 6),
                    QPointF(self.x_of(spread.likely), y + 6),
                )
        painter.end()


SPREAD_KEY = (
    ("●", WAIT_COLOR, "wait"),
    ("●", WORK_COLOR, "work"),
    ("|", QColor("#1e293b"), "merged likely"),
    ("―", DISAGREE_COLOR, "disagree"),
)
"""The chart's key: each mark in its colour and what it is; answers on a log scale."""
KEY_NOTE = "each answer's likely time, log scale"


# --- the estimate round window ---------------------------------------------------------------


class SurveyWindow(QDialog):
    """Opens an estimate round, shows its address and what arrives, and applies the merge."""

    roundChanged = Signal()

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # A tool window without a minimize button: minimized, the window manager took the
        # main window down with it and the projector went black. It is put away instead
        # (Hide, Esc, its close button) and the round goes on.
        self.setWindowFlags(
            Qt.WindowType.Tool
            | Qt.WindowType.CustomizeWindowHint
            | Qt.WindowType.WindowTitleHint
            | Qt.WindowType.WindowMaximizeButtonHint
            | Qt.WindowType.WindowCloseButtonHint
        )
        self.setWindowTitle("Estimate round")
        self.workspace = workspace
        self.round: SurveyRound | None = None
        self._shown_merge: SurveyMerge | None = None
        self._applies: list[tuple[int, EditCommand, SurveyMerge]] = []
        """Each apply of this round: the undo index it was made at, its step, its answers."""

        self.stage_list = QListWidget(self)
        self.stage_list.setMaximumHeight(130)
        self.fill_stages()
        from vsmapper.workshop.server import lan_address

        self.host_edit = QLineEdit(lan_address(), self)
        self.host_edit.setToolTip(
            "The network interface participants reach; 127.0.0.1 is this machine only"
        )
        # Alt+O, Alt+C, Alt+A: a coach at a projector reaches them without the mouse.
        self.open_button = QPushButton("&Open round", self)
        self.close_button = QPushButton("&Close round", self)
        self.apply_button = QPushButton("&Apply merge", self)
        self.hide_button = QPushButton("&Hide", self)
        self.hide_button.setToolTip(
            f"Put this window away; the round goes on. {SHOW_AGAIN} brings it back"
        )
        self.address_label = QLabel(self)
        self.address_label.setTextFormat(Qt.TextFormat.PlainText)
        self.address_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.address_label.setFont(QFont(self.font().family(), 16, QFont.Weight.Bold))
        self.qr_label = QLabel(self)
        self.count_label = QLabel("No round open", self)
        self.check_label = QLabel(self)
        self.check_label.setTextFormat(Qt.TextFormat.PlainText)
        self.check_label.setWordWrap(True)
        self.check_label.setStyleSheet(f"color: {DISAGREE_COLOR.name()}")
        self.check_label.hide()
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        # Tab leaves the answers for the buttons; inside, it went from cell to cell for ever.
        self.table.setTabKeyNavigation(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        prepare_table(self.table, row_height=1.5)
        # A row per stage: the chart scrolls instead of taking the table's room.
        self.chart = SpreadChart(self)
        # Plain text: what participants send is never read as markup.
        self.pains_view = QPlainTextEdit(self)
        self.pains_view.setReadOnly(True)
        self.pains_view.setFont(panel_font())
        self.pains_view.setPlaceholderText(
            "Pain points sent from phones show here; select a stage for its own"
        )
        self.table.itemSelectionChanged.connect(self._show_pains)
        self.problem_label = ProblemLabel(self)

        # What to ask and where, shown until the round opens; then its QR code and address
        # take their place. Both at once left the table four rows on a 1280×720 projector.
        self.setup = QWidget(self)
        setup = QHBoxLayout(self.setup)
        setup.setContentsMargins(0, 0, 0, 0)
        setup.addWidget(QLabel("Stages:", self), 0, Qt.AlignmentFlag.AlignTop)
        setup.addWidget(self.stage_list, 1)
        serve = QVBoxLayout()
        serve.addWidget(QLabel("Serve on:", self))
        serve.addWidget(self.host_edit)
        serve.addStretch(1)
        setup.addLayout(serve)
        self.address_row = QWidget(self)
        address = QHBoxLayout(self.address_row)
        address.setContentsMargins(0, 0, 0, 0)
        address.addWidget(self.qr_label)
        address.addWidget(self.address_label, 1)
        words = QVBoxLayout()
        words.addWidget(self.setup)
        words.addWidget(self.address_row)
        words.addWidget(self.count_label)
        words.addWidget(self.check_label)
        buttons = QVBoxLayout()
        for button in (self.open_button, self.close_button, self.apply_button, self.hide_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        top = QHBoxLayout()
        top.addLayout(words, 1)
        top.addLayout(buttons)
        # The answers take the room; the chart below them scrolls, and gives way when dragged.
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.addWidget(self.table)
        below = QSplitter(Qt.Orientation.Horizontal)
        below.addWidget(self.chart)
        below.addWidget(self.pains_view)
        # In proportion: stretch factors share only what the size hints leave, which left
        # the chart too narrow to read.
        below.setSizes([600, 400])
        self.splitter.addWidget(below)
        self.splitter.setStretchFactor(0, 4)
        self.splitter.setStretchFactor(1, 1)
        self._room_dragged = False
        self.splitter.splitterMoved.connect(self._on_room_dragged)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.problem_label)

        self.open_button.clicked.connect(self.open_round)
        self.close_button.clicked.connect(self.close_round)
        self.apply_button.clicked.connect(self.apply_merge)
        self.hide_button.clicked.connect(self.put_away)
        self._timer = QTimer(self, interval=POLL_INTERVAL_MS)
        self._timer.timeout.connect(self.poll)
        # Undo and redo of an apply, and any other edit, change what the map holds.
        workspace.refreshed.connect(self._follow_map)
        # Wide enough for the checks' words beside the answers, on 1280 pixels or more.
        resize_for_screen(self, 1040, 760)
        # Placed by hand: a tool window is placed where the program says, and Qt's own
        # placement put its title bar above a 1280×720 screen.
        centre_on_screen(self)
        self._show_state()

    def fill_stages(self) -> None:
        """List the map's stages as they are now, ticked but for those unticked before."""
        items = (self.stage_list.item(row) for row in range(self.stage_list.count()))
        unticked = {
            item.data(Qt.ItemDataRole.UserRole)
            for item in items
            if item.checkState() == Qt.CheckState.Unchecked
        }
        self.stage_list.clear()
        for stage in self.workspace.stream.stages:
            item = QListWidgetItem(stage.name, self.stage_list)
            item.setData(Qt.ItemDataRole.UserRole, stage.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            ticked = stage.id not in unticked
            item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)

    def chosen_stage_ids(self) -> list[str]:
        """The ids of the stages ticked for the round."""
        return [
            item.data(Qt.ItemDataRole.UserRole)
            for item in (self.stage_list.item(row) for row in range(self.stage_list.count()))
            if item.checkState() == Qt.CheckState.Checked
        ]

    def answers_not_applied(self) -> bool:
        """Whether the answers so far are not all in the map yet: applied, then edited in the
        map, they are."""
        self.poll()
        merge = self._shown_merge
        applied = self.applied()
        return (
            merge is not None
            and bool(merge.responses)
            and merge != applied
            and not holds_merge(self.workspace.stream, merge, applied)
        )

    def _show_state(self) -> None:
        """Enable what can be done now, and say whether the map holds the answers shown."""
        is_open = self.round is not None
        self.open_button.setEnabled(not is_open)
        self.setup.setVisible(not is_open)
        self.address_row.setVisible(is_open)
        self.close_button.setEnabled(is_open)
        merge = self._shown_merge
        if merge is None:
            self.apply_button.setEnabled(False)
            return
        held = bool(merge.responses) and holds_merge(self.workspace.stream, merge, self.applied())
        self.apply_button.setEnabled(bool(merge.responses) and not held)
        answered = counted(merge.responses, "participant")
        self.count_label.setText(
            f"The map holds the answers of {answered}" if held else f"{answered} answered"
        )
        # Beside Apply merge, the stages to look at first, each with why.
        checks = merge_checks(self.workspace.stream, merge)
        self._show_checks(merge, checks)
        # Applied, the stages deleted since the round opened are all left to say.
        to_check = [
            stage
            for stage in merge.stages
            if stage.id in checks and (not held or DELETED in checks[stage.id])
        ]
        # A few names: with dozens, the line took the table's room on a projector.
        names = [stage.name for stage in to_check[:CHECK_NAMES]]
        if len(to_check) > CHECK_NAMES:
            names.append(f"{len(to_check) - CHECK_NAMES} more")
        heading = "Not in the map, left out" if held else "Check before applying"
        self.check_label.setText(f"{heading}: {', '.join(names)}" if names else "")
        self.check_label.setToolTip(
            "\n".join(f"{stage.name}: {'; '.join(checks[stage.id])}" for stage in to_check)
        )
        self.check_label.setVisible(bool(to_check))

    def _show_checks(self, merge: SurveyMerge, checks: dict[str, tuple[str, ...]]) -> None:
        """Say, per stage, where a merged value is far from the map as it is now or rests on
        one answer: "5200w" from one phone went into the map in plain black, the lead time
        with it."""
        column = COLUMNS.index(CHECK_COLUMN)
        for row, stage in enumerate(merge.stages[: self.table.rowCount()]):
            said = "; ".join(checks.get(stage.id, ()))
            # Whole in its tooltip: the last column elides on a projector's narrow screen.
            item = read_only_item(said, said)
            if said or stage.disagreement:
                item.setForeground(DISAGREE_COLOR)
            self.table.setItem(row, column, item)

    def _follow_map(self) -> None:
        # Comparing a merge with the map costs 30 ms at 2,000 stages: only while it is seen.
        if self.isVisible():
            self._show_state()

    def showEvent(self, event: QShowEvent) -> None:
        self._show_state()
        super().showEvent(event)

    def open_round(self) -> None:
        """Start serving the page for the ticked stages."""
        stage_ids = self.chosen_stage_ids()
        if not stage_ids:
            self._say("Tick at least one stage to ask about.")
            return
        host = self.host_edit.text().strip() or "127.0.0.1"
        from vsmapper.workshop.server import SurveyRound

        try:
            self.round = SurveyRound(self.workspace.stream, stage_ids, host=host)
        except OSError as exc:
            self._say(f"Serve on: cannot serve on {host} ({exc.strerror or exc})")
            return
        self.round.start()
        self._applies = []  # a pain point deleted after the last round may come again
        self.address_label.setText(self.round.address)
        self.qr_label.setPixmap(
            qr_pixmap(self.round.address, WINDOW_QR_SIDE, self.devicePixelRatioF())
        )
        self._timer.start()
        self.poll()
        self._show_state()
        self.roundChanged.emit()

    def close_round(self) -> None:
        """Stop serving; the answers so far stay shown and can still be applied."""
        if self.round is None:
            return
        self._timer.stop()
        self.poll()
        self.round.stop()
        self.round = None
        self.address_label.clear()
        self.qr_label.clear()
        # The next round asks about the map as it is now: a stage added during this one was
        # left out of it.
        self.fill_stages()
        self._show_state()
        self.roundChanged.emit()

    def poll(self) -> None:
        """Show what has arrived since the last look."""
        if self.round is None:
            return
        merge = self.round.merge()
        if merge != self._shown_merge:
            self.show_merge(merge)

    def show_merge(self, merge: SurveyMerge) -> None:
        """Fill the table and the chart: counts and ranges, never who said what."""
        self._shown_merge = merge
        if self.table.rowCount() != len(merge.stages):
            self.table.setRowCount(len(merge.stages))
            self._share_room()
        for row, stage in enumerate(merge.stages):
            cells = [
                stage.name,
                str(stage.answers),
                _spread_text(stage.wait_time),
                _spread_text(stage.process_time),
                "" if stage.pca is None else f"{stage.pca:g}%",
                str(len(stage.pains)) if stage.pains else "",
                ", ".join(FIELD_WORDS[name] for name in stage.disagreement),
            ]
            tip = pains_text([stage])
            for column, text in enumerate(cells):
                item = read_only_item(text, tip if COLUMNS[column] in TIPPED else "")
                if stage.disagreement:
                    item.setForeground(DISAGREE_COLOR)
                self.table.setItem(row, column, item)
        self.chart.set_merge(merge)
        self._show_pains()
        self._show_state()

    def _show_pains(self) -> None:
        """The selected stage's pain points, or every stage's when none is selected."""
        merge = self._shown_merge
        if merge is None:
            return
        rows = [index.row() for index in self.table.selectionModel().selectedRows()]
        stages = [merge.stages[row] for row in rows if row < len(merge.stages)]
        # The chart follows the selection: with a dozen stages, the one asked about was
        # scrolled out of sight below.
        self.chart.select(rows)
        if rows:
            self.chart.scroll_to(min(rows))
        text = pains_text(stages or merge.stages)
        if stages and not text:
            text = f"No pain points for {stages[0].name} yet"
        if text != self.pains_view.toPlainText():
            self.pains_view.setPlainText(text)

    def _on_room_dragged(self) -> None:
        self._room_dragged = True

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        # A maximized window gives the chart what the rows do not need, unless the user
        # shared the room by hand.
        if not self._room_dragged and self.table.rowCount():
            self._share_room()

    def _share_room(self) -> None:
        """Give the table the height of its rows, up to four fifths; the chart the rest."""
        total = sum(self.splitter.sizes())
        rows = self.table.verticalHeader().length() + self.table.horizontalHeader().height()
        wanted = rows + 2 * self.table.frameWidth()
        table = min(wanted, total * 4 // 5)
        self.splitter.setSizes([table, total - table])

    def apply_merge(self) -> None:
        """Put the merged estimates and pain points into the map as one undo step."""
        merge = self._shown_merge
        if merge is None or not merge.responses:
            self._say("No answers yet.")
            return
        gone = stages_gone(self.workspace.stream, merge)
        index = self.workspace.undo_stack.index()
        problem = try_perform(
            self.workspace.undo_stack,
            self.workspace.document,
            "Apply estimate round",
            lambda document: apply_merge(document, merge, self.applied()),
        )
        made = None if problem else made_at(self.workspace.undo_stack, index)
        if made is not None:
            self._applies.append((index, made, merge))
        self._say(problem or "")
        if not problem and gone:
            names = ", ".join(f"“{name}”" for name in gone)
            self._say(f"Applied but for {names}: deleted from the map since the round opened")
        self._show_state()

    def applied(self) -> SurveyMerge | None:
        """The answers of this round's last apply still done: one undone took its pain points
        away by undo, not by the coach, and applied again they come back; redone, it counts
        again."""
        stack = self.workspace.undo_stack
        for index, command, merge in reversed(self._applies):
            if is_done(stack, index, command):
                return merge
        return None

    def _say(self, message: str) -> None:
        from vsmapper.ui.main_window import MainWindow

        if message:
            self.problem_label.show_problem(message)
        else:
            self.problem_label.hide()
        window = self.parent()
        if message and isinstance(window, MainWindow):
            window.show_problem(message)

    def put_away(self) -> None:
        """Hide the window; an open round goes on, its QR code beside the map."""
        from vsmapper.ui.main_window import MainWindow

        self.hide()
        window = self.parent()
        if isinstance(window, MainWindow):
            # The keys go back to the map: hidden, the window left none with the focus, and a
            # presenter's clicker did nothing.
            window.activateWindow()
            window.raise_()
        # Not while presenting: over the map, it hid the figures the room reads.
        if (
            self.round is not None
            and isinstance(window, MainWindow)
            and not window.view.is_presenting()
        ):
            window.show_message(
                f"The estimate round goes on, its QR code beside the map: {SHOW_AGAIN} "
                "shows its window",
                10000,
            )

    def reject(self) -> None:
        """Esc and the close button put the window away, as Hide does: the round goes on."""
        self.put_away()

    def changeEvent(self, event: QEvent) -> None:
        # A window manager that minimizes it anyway takes the main window along: both stay up.
        if event.type() == QEvent.Type.WindowStateChange and self.isMinimized():
            self.setWindowState(self.windowState() & ~Qt.WindowState.WindowMinimized)
            QTimer.singleShot(0, self, self._restore_after_minimize)
        super().changeEvent(event)

    def _restore_after_minimize(self) -> None:
        window = self.parentWidget()
        if window is not None and window.isMinimized():
            window.setWindowState(window.windowState() & ~Qt.WindowState.WindowMinimized)
        self.put_away()


def _spread_text(spread: TimeSpread | None) -> str:
    # What Apply merge writes into the map, as the Stages table then shows it.
    return "" if spread is None else spread.text


def pains_text(stages: Iterable[StageMerge]) -> str:
    """Each stage's pain points as sent, one sent by several once with how many sent it."""
    blocks = []
    for stage in stages:
        if stage.pains:
            lines = [f"{stage.name}: {counted(len(stage.pains), 'pain point')}"]
            lines += [
                f"• {pain}" + (f" (×{times})" if times > 1 else "")
                for pain, times in Counter(stage.pains).items()
            ]
            blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
