"""The map scene: a read-mostly view of a value stream that reports gestures as signals."""

from __future__ import annotations

import bisect
import contextlib
import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QObject, QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtWidgets import (
    QGraphicsScene,
    QGraphicsSceneContextMenuEvent,
    QGraphicsSceneMouseEvent,
)

from vsmapper.analysis import FlowAnalysis, StageMetrics
from vsmapper.analysis.queues import QueueChange
from vsmapper.layout import Edge, Point, layout
from vsmapper.model import Stage, ValueStream
from vsmapper.model.stream import PHASES, Calendar
from vsmapper.ui import theme
from vsmapper.ui.canvas.items import (
    BOX,
    GRID,
    FlowItem,
    HeaderItem,
    PhaseBandsItem,
    ReworkItem,
    StageFace,
    StageItem,
    TimelineItem,
    TimelineStep,
    TitleEditor,
    TotalsRow,
)
from vsmapper.ui.canvas.queues import QueueBadgeItem, queue_badge_text
from vsmapper.ui.units import show_hours

CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹", "CNY": "¥"}
REWORK_RISE = 62.0
"""How far a rework loop's top rises above the highest box under it."""
REWORK_STEP = 34.0
"""Extra rise for each loop nested inside another, so their labels do not collide."""
SCENE_MARGIN = 40.0
"""Room around the picture to pan into."""

HoursFormat = Callable[[float], str]


def hours_format(calendar: Calendar) -> HoursFormat:
    """Working hours as readable text under the map's calendar."""
    return lambda value: show_hours(value, calendar.hours_per_day, calendar.days_per_week)


@dataclass(frozen=True)
class KeyFigure:
    """One headline number for presentation: caption, value and colour."""

    caption: str
    value: str
    color: str


@dataclass(frozen=True)
class Headline:
    """What the map is, which state it shows, and its key numbers."""

    title: str
    label: str
    figures: tuple[KeyFigure, ...]


class MapScene(QGraphicsScene):
    """The map drawn in value-stream notation; it never edits the document.

    ``show_map`` builds the items the first time and then updates them in place.
    Gestures come out as signals, which the window turns into undo commands.
    """

    stagesMoved = Signal(dict)
    stageRenamed = Signal(str, str)
    selectionChangedIds = Signal(list)
    stageContextMenuRequested = Signal(str, QPoint)
    stageActivated = Signal(str)
    mapShown = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.exporting = False
        self._stages: dict[str, StageItem] = {}
        self._flows: dict[Edge, FlowItem] = {}
        self._reworks: dict[str, ReworkItem] = {}
        self._queue_badges: dict[str, QueueBadgeItem] = {}
        self._unbounded = False
        self._rework_targets: dict[str, tuple[str, str, int]] = {}
        self._attached: dict[str, list[Edge]] = {}
        self._order: list[str] = []
        self._layout_key: object = None
        self._laid_out: dict[str, Point] = {}
        self._corners: dict[str, Point] = {}
        self._sorted_corners: list[Point] | None = None
        self._press_positions: dict[str, QPointF] = {}
        self._quiet = False
        self._presenting = False
        self._editor: TitleEditor | None = None
        self._headline = Headline("", "", ())
        self._bands = PhaseBandsItem()
        self._header = HeaderItem()
        self._timeline = TimelineItem()
        for item in (self._bands, self._header, self._timeline):
            self.addItem(item)
        self.selectionChanged.connect(self._report_selection)

    # -- public API ---------------------------------------------------------------------------

    def show_map(
        self,
        stream: ValueStream,
        analysis: FlowAnalysis,
        label: str = "Current state",
        queues: Sequence[QueueChange] = (),
    ) -> None:
        """Show ``stream`` with its ``analysis``, changing only what differs from last time.

        ``queues`` are a scenario's queue changes: growing and overloaded queues get a badge,
        and an overload shows lead time as unbounded.
        """
        with self._quietly():
            metrics = {stage_metrics.id: stage_metrics for stage_metrics in analysis.stages}
            self._unbounded = any(change.overflowing for change in queues)
            self._place_stages(stream, analysis, metrics)
            self._place_queue_badges(queues)
            self._place_flows(stream, analysis)
            self._place_reworks(stream)
            self._place_frame(stream, analysis, label)
        self.mapShown.emit()

    def select_stages(self, ids: list[str]) -> None:
        """Select exactly these stages, without reporting it back as a user selection."""
        wanted = set(ids)
        with self._quietly():
            for stage_id, item in self._stages.items():
                item.setSelected(stage_id in wanted)

    def selected_ids(self) -> list[str]:
        """Selected stage ids in map order."""
        return [stage_id for stage_id in self._order if self._stages[stage_id].isSelected()]

    def stage_item(self, stage_id: str) -> StageItem:
        """The box of one stage."""
        return self._stages[stage_id]

    def flow_item(self, source: str, target: str) -> FlowItem:
        """The arrow of one flow."""
        return self._flows[source, target]

    def rework_item(self, stage_id: str) -> ReworkItem:
        """The rework loop leaving one stage for an earlier one."""
        return self._reworks[stage_id]

    def headline(self) -> Headline:
        """Title, state label and key numbers, for the presentation banner."""
        return self._headline

    def set_presentation(self, on: bool) -> None:
        """Hide the title block and the timeline; the view shows the numbers in large type."""
        self._presenting = on
        self._header.setVisible(not on)
        self._timeline.setVisible(not on and bool(self._order))
        self._fit_scene_rect()

    def content_rect(self) -> QRectF:
        """The picture's extent: title, map and timeline as far as they are shown."""
        rect = QRectF()
        for item in (self._header, self._bands, self._timeline):
            if item.isVisible():
                rect = rect.united(item.sceneBoundingRect())
        return rect

    @contextlib.contextmanager
    def export_mode(self) -> Iterator[None]:
        """Paint without selection and hover, as a picture for others."""
        self.exporting = True
        try:
            yield
        finally:
            self.exporting = False

    # -- building -----------------------------------------------------------------------------

    @contextlib.contextmanager
    def _quietly(self) -> Iterator[None]:
        """Selection changes made by the program, not by the user: not reported."""
        self._quiet = True
        try:
            yield
        finally:
            self._quiet = False

    def _layout(self, stream: ValueStream) -> dict[str, Point]:
        ids = tuple(stage.id for stage in stream.stages)
        edges = tuple((flow.source, flow.target) for flow in stream.flows)
        fixed = {stage.id: stage.position for stage in stream.stages if stage.position is not None}
        key = (ids, edges, tuple(fixed.items()))
        if key != self._layout_key:
            self._laid_out = layout(ids, edges, fixed, GRID)
            self._layout_key = key
        return self._laid_out

    def _place_stages(
        self, stream: ValueStream, analysis: FlowAnalysis, metrics: dict[str, StageMetrics]
    ) -> None:
        ids = [stage.id for stage in stream.stages]
        for stage_id in self._stages.keys() - set(ids):
            self.removeItem(self._stages.pop(stage_id))
        positions = self._layout(stream)
        names = {stage.id: stage.name for stage in stream.stages}
        hours = hours_format(stream.calendar)
        for stage in stream.stages:
            item = self._stages.get(stage.id)
            if item is None:
                item = StageItem(stage.id)
                self._stages[stage.id] = item
                self.addItem(item)
            item.set_face(_stage_face(stage, metrics[stage.id], analysis, names, hours))
            item.setPos(*positions[stage.id])
        self._order = ids
        self._corners = {stage_id: positions[stage_id] for stage_id in ids}
        self._sorted_corners = None

    def queue_badge(self, stage_id: str) -> QueueBadgeItem | None:
        """The queue badge over a stage, if the shown scenario gives it one."""
        return self._queue_badges.get(stage_id)

    def _place_queue_badges(self, queues: Sequence[QueueChange]) -> None:
        wanted = {}
        for change in queues:
            text = queue_badge_text(change)
            if text is not None and change.stage_id in self._stages:
                wanted[change.stage_id] = (change, text)
        for stage_id in self._queue_badges.keys() - wanted.keys():
            badge = self._queue_badges.pop(stage_id)
            if badge.scene() is self:
                self.removeItem(badge)
        for stage_id, (change, text) in wanted.items():
            badge = self._queue_badges.get(stage_id)
            if badge is None or badge.parentItem() is not self._stages[stage_id]:
                badge = self._queue_badges[stage_id] = QueueBadgeItem(self._stages[stage_id])
            badge.set_change(change, text)

    def _place_flows(self, stream: ValueStream, analysis: FlowAnalysis) -> None:
        edges = [(flow.source, flow.target) for flow in stream.flows]
        for edge in self._flows.keys() - set(edges):
            self.removeItem(self._flows.pop(edge))
        critical = set(itertools.pairwise(analysis.critical_path))
        self._attached = {stage_id: [] for stage_id in self._order}
        for edge in edges:
            item = self._flows.get(edge)
            if item is None:
                item = FlowItem()
                self._flows[edge] = item
                self.addItem(item)
            item.critical = edge in critical
            self._route_flow(edge)
            self._attached[edge[0]].append(edge)
            self._attached[edge[1]].append(edge)

    def _route_flow(self, edge: Edge) -> None:
        source, target = (self._box(stage_id) for stage_id in edge)
        self._flows[edge].set_route(
            QPointF(source.right(), source.center().y()),
            QPointF(target.left(), target.center().y()),
            self._flows[edge].critical,
        )

    def _place_reworks(self, stream: ValueStream) -> None:
        names = {stage.id: stage.name for stage in stream.stages}
        loops = {
            stage.id: (
                stage.rework_to,
                f"{_number(100 - stage.pca)}% rework → {names[stage.rework_to]}",
            )
            for stage in stream.stages
            if stage.rework_to not in (None, stage.id) and stage.pca < 100
        }
        for stage_id in self._reworks.keys() - loops.keys():
            self.removeItem(self._reworks.pop(stage_id))
        spans = {
            stage_id: sorted((self._corners[stage_id][0], self._corners[target][0]))
            for stage_id, (target, _) in loops.items()
        }
        levels: dict[str, int] = {}
        for stage_id in sorted(loops, key=lambda s: (spans[s][1] - spans[s][0], s)):
            low, high = spans[stage_id]
            inner = [
                levels[other]
                for other in levels
                if spans[other][0] <= high and low <= spans[other][1]
            ]
            levels[stage_id] = max(inner, default=-1) + 1
        self._rework_targets = {
            stage_id: (target, label, levels[stage_id])
            for stage_id, (target, label) in loops.items()
        }
        for stage_id in loops:
            if stage_id not in self._reworks:
                self._reworks[stage_id] = ReworkItem()
                self.addItem(self._reworks[stage_id])
            self._route_rework(stage_id)

    def _route_rework(self, stage_id: str) -> None:
        target_id, label, level = self._rework_targets[stage_id]
        source, target = self._box(stage_id), self._box(target_id)
        highest = self._highest_top(
            min(source.left(), target.left()), max(source.right(), target.right())
        )
        self._reworks[stage_id].set_route(
            QPointF(source.left() + source.width() * 0.45, source.top()),
            QPointF(target.left() + target.width() * 0.76, target.top()),
            highest - REWORK_RISE - REWORK_STEP * level,
            label,
        )

    def _highest_top(self, left: float, right: float) -> float:
        """The top of the highest box overlapping the span from ``left`` to ``right``."""
        if self._sorted_corners is None:
            self._sorted_corners = sorted(self._corners.values())
        boxes = self._sorted_corners
        start = bisect.bisect_left(boxes, (left - BOX.width(), float("-inf")))
        stop = bisect.bisect_right(boxes, (right, float("inf")))
        return min((y for _, y in boxes[start:stop]), default=0.0)

    def _box(self, stage_id: str) -> QRectF:
        """Where a stage's box is now, in scene coordinates."""
        x, y = self._corners[stage_id]
        return QRectF(x, y, BOX.width(), BOX.height())

    def _follow_drag(self) -> None:
        """Keep flows and loops attached to the boxes being dragged."""
        moved = set()
        for stage_id in self._press_positions:
            item = self._stages[stage_id]
            if self._corners[stage_id] != (item.x(), item.y()):
                self._corners[stage_id] = (item.x(), item.y())
                moved.add(stage_id)
        if not moved:
            return
        self._sorted_corners = None
        for edge in {edge for stage_id in moved for edge in self._attached[stage_id]}:
            self._route_flow(edge)
        for source, (target, _, _) in self._rework_targets.items():
            if source in moved or target in moved:
                self._route_rework(source)

    def _place_frame(self, stream: ValueStream, analysis: FlowAnalysis, label: str) -> None:
        """Phase bands, the title block and the timeline, around wherever the boxes are."""
        hours = hours_format(stream.calendar)
        self._headline = _headline(stream, analysis, label, hours, self._unbounded)
        if not self._order:
            self._bands.set_bands([])
            self._header.setPos(0, 0)
            self._header.set_text(
                stream.name,
                label,
                "No stages yet: add the first stage of the stream to start the map",
            )
            self._timeline.setVisible(False)
            self._fit_scene_rect()
            return
        bands = self._band_rects(stream)
        left = min(rect.left() for _, rect in bands)
        right = max(rect.right() for _, rect in bands)
        top = min(rect.top() for _, rect in bands)
        bottom = max(rect.bottom() for _, rect in bands)
        self._bands.set_bands(bands)
        self._header.set_text(stream.name, label, _subtitle(analysis, hours, self._unbounded))
        self._header.setPos(left, top - self._header.height() - 18)
        steps = self._timeline_steps(analysis, hours)
        self._timeline.set_timeline(
            left, right, steps, _totals(stream, analysis, hours, self._unbounded)
        )
        self._timeline.setPos(0, bottom + 44)
        self._timeline.setVisible(not self._presenting)
        self._fit_scene_rect()

    def _fit_scene_rect(self) -> None:
        """The scrollable area: what is shown, with a margin to pan into."""
        self.setSceneRect(
            self.content_rect().adjusted(-SCENE_MARGIN, -SCENE_MARGIN, SCENE_MARGIN, SCENE_MARGIN)
        )

    def _band_rects(self, stream: ValueStream) -> list[tuple[str, QRectF]]:
        """One band per phase that has stages, spanning its stages' columns, touching its
        neighbours, and tall enough for every box, loop and tag."""
        spans: dict[str, list[float]] = {}
        top, bottom = float("inf"), float("-inf")
        for stage in stream.stages:
            box = self._box(stage.id)
            span = spans.setdefault(stage.phase, [box.left() - GRID.column_gap, box.right()])
            span[0] = min(span[0], box.left() - GRID.column_gap)
            span[1] = max(span[1], box.right())
            bounds = self._stages[stage.id].boundingRect().translated(box.topLeft())
            top, bottom = min(top, bounds.top()), max(bottom, bounds.bottom())
        for loop in self._reworks.values():
            top = min(top, loop.sceneBoundingRect().top())
        top -= 48
        bottom += 24
        phases = [phase for phase in PHASES if phase in spans]
        for before, after in itertools.pairwise(phases):
            if spans[before][0] < spans[after][0] and spans[before][1] < spans[after][1]:
                middle = (spans[before][1] + spans[after][0]) / 2
                spans[before][1] = spans[after][0] = middle
        spans[phases[-1]][1] += 48
        return [
            (phase, QRectF(spans[phase][0], top, spans[phase][1] - spans[phase][0], bottom - top))
            for phase in phases
        ]

    def _timeline_steps(self, analysis: FlowAnalysis, hours: HoursFormat) -> list[TimelineStep]:
        """Ladder steps under their boxes where the path runs left to right, else evenly."""
        metrics = {stage_metrics.id: stage_metrics for stage_metrics in analysis.stages}
        steps: list[TimelineStep] = []
        path = [stage_id for stage_id in analysis.critical_path if stage_id in self._stages]
        end = self._box(path[0]).left() - GRID.column_gap if path else 0.0
        for stage_id in path:
            box = self._box(stage_id)
            start = box.left() if box.left() >= end + GRID.column_gap / 2 else end + GRID.column_gap
            stage_metrics = metrics[stage_id]
            steps.append(
                TimelineStep(
                    name=stage_metrics.name,
                    wait=hours(stage_metrics.wait_time_hours),
                    process=hours(stage_metrics.process_time_hours),
                    wait_start=end,
                    process_start=start,
                    process_end=start + GRID.box_width,
                )
            )
            end = start + GRID.box_width
        return steps

    # -- gestures -----------------------------------------------------------------------------

    def _report_selection(self) -> None:
        if not self._quiet:
            self.selectionChangedIds.emit(self.selected_ids())

    def _stage_at(self, scene_position: QPointF) -> StageItem | None:
        """The box under a point, also when the point is on one of its badges."""
        for item in self.items(scene_position):
            while item is not None and not isinstance(item, StageItem):
                item = item.parentItem()
            if item is not None:
                return item
        return None

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        """Remember where the selected boxes were, to report a drag once on release."""
        super().mousePressEvent(event)
        self._press_positions = {}
        if event.button() == Qt.MouseButton.LeftButton:
            self._press_positions = {
                stage_id: item.pos() for stage_id, item in self._stages.items() if item.isSelected()
            }
            if self.mouseGrabberItem() in self._stages.values():
                self.mouseGrabberItem().setCursor(Qt.CursorShape.ClosedHandCursor)

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        """Drag boxes with their flows and loops attached."""
        super().mouseMoveEvent(event)
        if self._press_positions:
            self._follow_drag()

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        """Report the boxes a drag moved, as one change."""
        grabber = self.mouseGrabberItem()
        super().mouseReleaseEvent(event)
        if grabber in self._stages.values():
            grabber.setCursor(Qt.CursorShape.OpenHandCursor)
        moved = {
            stage_id: (round(item.pos().x()), round(item.pos().y()))
            for stage_id, start in self._press_positions.items()
            if (item := self._stages.get(stage_id)) is not None and item.pos() != start
        }
        self._press_positions = {}
        if moved and event.button() == Qt.MouseButton.LeftButton:
            self.stagesMoved.emit(moved)

    def mouseDoubleClickEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        """Double-click on a title renames in place; elsewhere on a box activates it."""
        item = self._stage_at(event.scenePos())
        if item is None or self._editor is not None or event.button() != Qt.MouseButton.LeftButton:
            super().mouseDoubleClickEvent(event)
            return
        if item.title_rect().contains(item.mapFromScene(event.scenePos())):
            self.start_rename(item.stage_id)
        else:
            self.stageActivated.emit(item.stage_id)
        event.accept()

    def start_rename(self, stage_id: str) -> None:
        """Open the inline editor on a stage's title."""
        item = self._stages[stage_id]

        def done(text: str | None) -> None:
            self._editor = None
            if text and text != item.name:
                self.stageRenamed.emit(stage_id, text)

        if self._editor is not None:
            self._editor.finish(commit=True)
        self._editor = TitleEditor(item, done)
        self._editor.start()

    def contextMenuEvent(self, event: QGraphicsSceneContextMenuEvent) -> None:
        """Ask for the menu of the stage under the pointer, or of the empty canvas ("")."""
        item = self._stage_at(event.scenePos())
        if item is not None and not item.isSelected():
            self.clearSelection()
            item.setSelected(True)
        self.stageContextMenuRequested.emit(item.stage_id if item else "", event.screenPos())
        event.accept()


def _number(value: float) -> str:
    """A count or percentage without needless decimals: 15, 12.5."""
    return f"{round(value, 1):g}"


def _money(amount: float, currency: str) -> str:
    symbol = CURRENCY_SYMBOLS.get(currency.upper())
    return f"{symbol} {amount:,.0f}" if symbol else f"{amount:,.0f} {currency}"


def _stage_face(
    stage: Stage,
    metrics: StageMetrics,
    analysis: FlowAnalysis,
    names: dict[str, str],
    hours: HoursFormat,
) -> StageFace:
    """What one box shows, from the stage and its metrics."""
    constraint = analysis.constraint is not None and analysis.constraint.stage_id == stage.id
    tags: list[tuple[str, str]] = []
    if constraint:
        tags.append(
            (f"CONSTRAINT · {analysis.constraint.share:.0%} of lead time", theme.CONSTRAINT)
        )
    if metrics.utilization is not None and metrics.utilization >= 1:
        tags.append((f"OVERLOADED · {metrics.utilization:.0%} busy", theme.OVERLOADED))
    people = _number(stage.people)
    if stage.availability < 1:
        people += f" · {stage.availability:.0%}"
    self_rework = None
    rework_line = ""
    if stage.pca < 100:
        target = stage.rework_to or stage.id
        rework_line = f"\n{_number(100 - stage.pca)}% rework → {names[target]}"
        if target == stage.id:
            self_rework = f"{_number(100 - stage.pca)}% rework"
    ai_tooltip = "AI opportunities" + "".join(
        f"\n• {opportunity.name} ({opportunity.status}): PT ×{opportunity.process_time_factor:g}, "
        f"WT ×{opportunity.wait_time_factor:g}, %C&A {opportunity.pca_delta:+g}"
        for opportunity in stage.ai
    )
    tooltip = (
        f"{stage.name}\nWait {stage.wait_time.text} (likely "
        f"{hours(metrics.wait_time_hours)}) · process {stage.process_time.text} (likely "
        f"{hours(metrics.process_time_hours)}){rework_line}"
    )
    if stage.notes:
        tooltip += f"\n{stage.notes}"
    return StageFace(
        name=stage.name,
        process=hours(metrics.process_time_hours),
        pca=f"{_number(stage.pca)}%",
        people=people,
        wait=hours(metrics.wait_time_hours),
        tags=tuple(tags),
        self_rework=self_rework,
        ai_count=len(stage.ai),
        ai_tooltip=ai_tooltip,
        tooltip=tooltip,
        constraint=constraint,
    )


UNBOUNDED = "unbounded"


def _subtitle(analysis: FlowAnalysis, hours: HoursFormat, unbounded: bool = False) -> str:
    parts = [
        f"Lead time {UNBOUNDED if unbounded else hours(analysis.lead_time_hours)}",
        f"process time {hours(analysis.process_time_hours)}",
        "flow efficiency —" if unbounded else f"flow efficiency {analysis.flow_efficiency:.1%}",
        f"rolled %C&A {analysis.rolled_pca:.0%}",
    ]
    if analysis.constraint is not None:
        parts.append(
            f"constraint: {analysis.constraint.stage} "
            f"({analysis.constraint.share:.0%} of expected lead time)"
        )
    return "  ·  ".join(parts)


def _totals(
    stream: ValueStream, analysis: FlowAnalysis, hours: HoursFormat, unbounded: bool = False
) -> list[TotalsRow]:
    return [
        TotalsRow(
            "Lead time", UNBOUNDED if unbounded else hours(analysis.lead_time_hours), strong=True
        ),
        TotalsRow("Process time", hours(analysis.process_time_hours), strong=True),
        TotalsRow(
            "Flow efficiency", "—" if unbounded else f"{analysis.flow_efficiency:.1%}", strong=True
        ),
        TotalsRow(
            "Expected lead time (rework)",
            UNBOUNDED if unbounded else hours(analysis.expected_lead_time_hours),
        ),
        TotalsRow("Cost per item", _money(analysis.cost_per_item, stream.currency)),
    ]


def _headline(
    stream: ValueStream,
    analysis: FlowAnalysis,
    label: str,
    hours: HoursFormat,
    unbounded: bool = False,
) -> Headline:
    if unbounded:
        figures = [
            KeyFigure("LEAD TIME · OVERLOADED", UNBOUNDED, theme.CONSTRAINT),
            KeyFigure("FLOW EFFICIENCY", "—", theme.PROCESS),
            KeyFigure("EXPECTED, WITH REWORK", UNBOUNDED, theme.INK_SOFT),
        ]
    else:
        figures = [
            KeyFigure("LEAD TIME", hours(analysis.lead_time_hours), theme.INK),
            KeyFigure("FLOW EFFICIENCY", f"{analysis.flow_efficiency:.1%}", theme.PROCESS),
            KeyFigure(
                "EXPECTED, WITH REWORK", hours(analysis.expected_lead_time_hours), theme.INK_SOFT
            ),
        ]
    if analysis.constraint is not None:
        figures.append(
            KeyFigure(
                f"CONSTRAINT · {analysis.constraint.share:.0%} OF LEAD TIME",
                analysis.constraint.stage,
                theme.CONSTRAINT,
            )
        )
    return Headline(stream.name, label, tuple(figures))
