"""The map scene: a read-mostly view of a value stream that reports gestures as signals."""

from __future__ import annotations

import bisect
import contextlib
import itertools
import math
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import NamedTuple

from PySide6.QtCore import QObject, QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsScene,
    QGraphicsSceneContextMenuEvent,
    QGraphicsSceneMouseEvent,
)

from vsmapper.analysis import Constraint, FlowAnalysis, StageMetrics
from vsmapper.analysis.flow import overloaded
from vsmapper.analysis.queues import QueueChange, fix_first_text
from vsmapper.layout import Edge, Lane, Placement, Point, Room, lane_of, wrapped_layout
from vsmapper.layout.flow import make_room
from vsmapper.layout.loops import loop_levels, loop_runs
from vsmapper.layout.notes import BESIDE, ON_SCREEN, PRESENTED, NoteStyle, map_notes_height
from vsmapper.layout.wrap import NEAR_TIE
from vsmapper.model import Flow, Stage, ValueStream
from vsmapper.model.document import name_taken
from vsmapper.model.duration import share_text
from vsmapper.model.stream import Calendar
from vsmapper.ui import theme
from vsmapper.ui.canvas.interactions import InlineRename, SceneGesture, scene_gesture
from vsmapper.ui.canvas.items import (
    BOX,
    CORNER_RADIUS,
    GRID,
    Band,
    FlowItem,
    HeaderItem,
    PhaseBandsItem,
    ReworkItem,
    StageFace,
    StageItem,
    TimelineItem,
    TimelineStep,
    TotalsRow,
    pills_room,
    tag_rect,
)
from vsmapper.ui.canvas.queues import QueueBadgeItem, queue_badge_text
from vsmapper.ui.units import (
    UNBOUNDED,
    changes_against,
    cost_text,
    display_unit,
    percent_text,
    rolled_pca_text,
    show_hours,
    signed_duration,
)

REWORK_RISE = 32.0
"""How far a rework loop's top rises above the highest box under it: its label stays in the
room the lane keeps over its boxes (higher, it covered the phase names of the lane above)."""
REWORK_MARGIN = 8.0
"""Room between a loop's line and the top of the band it runs over."""
BRIDGE_DROP = 30.0
"""How far under the boxes a flow that skips boxes of its row runs: below a box's first pill."""
BRIDGE_INSET = 24.0
"""How far from its boxes such a flow turns down and up again."""
SCENE_MARGIN = 40.0
"""Room around the picture to pan into."""
FIT_MARGIN = 16.0
"""White around the picture when it is fitted to a view."""
HEADER_GAP = 18.0
TIMELINE_GAP = 44.0
ENDLESS_WAIT = "∞"
"""The wait in front of a stage whose queue grows without bound."""
NOTES_MOST_SHRINK = 0.7
"""Presenting, notes stand on the map only while it shows at least this share as large as
with them listed beside it."""
PRESENTATION_ROOM = Room()
"""What the map is laid out for until a view, a picture or a page says otherwise: a 16:9
screen."""

HoursFormat = Callable[[float], str]
LadderPlace = tuple[str, int, float, float]
"""Where a timeline step goes: its stage, ladder row, wait start and process start."""


def hours_format(calendar: Calendar) -> HoursFormat:
    """Working hours as readable text under the map's calendar."""
    return lambda value: show_hours(value, calendar.hours_per_day, calendar.days_per_week)


@dataclass(frozen=True)
class KeyFigure:
    """One headline number for presentation: caption, value and colour, and in a scenario
    its change against today in green (better) or red (worse)."""

    caption: str
    value: str
    color: str
    change: str = ""
    change_color: str = theme.INK_SOFT
    name: bool = False
    """Words, not a number: short of room, the banner breaks them or ends them with "…"."""


@dataclass(frozen=True)
class Headline:
    """What the map is, which state it shows, and its key numbers."""

    title: str
    label: str
    figures: tuple[KeyFigure, ...]


class MapScene(QGraphicsScene):
    """The map drawn in value-stream notation; it never edits the document.

    ``show_map`` builds the items the first time and then updates them in place.
    Gestures (``interactions.py``) come out as signals, which the window turns into undo
    commands.
    """

    stagesMoved = Signal(dict)
    flowDrawn = Signal(str, str)
    stageRenamed = Signal(str, str)
    stageFieldTyped = Signal(str, str, str)
    selectionChangedIds = Signal(list)
    stageContextMenuRequested = Signal(str, QPoint)
    stageActivated = Signal(str)
    mapShown = Signal()
    typingRefused = Signal(str)
    refusalWithdrawn = Signal()
    """A refused value was left with Esc: why it was refused is old news."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.exporting = False
        self._stages: dict[str, StageItem] = {}
        self._faces: dict[str, tuple[FaceInputs, StageFace]] = {}
        self._flows: dict[Edge, FlowItem] = {}
        self._rises: dict[Edge, QRectF] = {}
        """Where a flow that runs under the boxes of its row rises into its target."""
        self._reworks: dict[str, ReworkItem] = {}
        self._queue_badges: dict[str, QueueBadgeItem] = {}
        self._unbounded = False
        self._rework_targets: dict[str, tuple[str, str, int]] = {}
        self._attached: dict[str, list[Edge]] = {}
        self._order: list[str] = []
        self._layout_key: object = None
        self._edges: tuple[list[Flow] | None, tuple[Edge, ...]] = (None, ())
        self._automatic_key: object = None
        self._automatic: Placement | None = None
        self._lowered: tuple[tuple[str, float], ...] = ()
        """Stages with more than one pill, and the room the lane keeps below them for it."""
        self._laid_out: dict[str, Point] = {}
        self._right_edge = 0.0
        self._moved: set[str] = set()
        """The boxes the last ``show_map`` put somewhere else."""
        self._lanes: tuple[Lane, ...] = ()
        self._room = PRESENTATION_ROOM
        self._shown: (
            tuple[ValueStream, FlowAnalysis, str, tuple[QueueChange, ...], FlowAnalysis | None]
            | None
        ) = None
        self._corners: dict[str, Point] = {}
        self._sorted_corners: dict[Lane | None, list[Point]] = {}
        # What the flows and loops were last routed for: an edit that moves no box and
        # changes no flow, loop or critical path keeps their routes.
        self._flows_key: object = None
        self._reworks_key: object = None
        self._bands_key: object = None
        # Where the timeline's steps go, per layout and critical path, and the steps shown.
        self._ladder_key: object = None
        self._ladder: list[LadderPlace] = []
        self._ladder_steps: dict[str, tuple[StageFace, LadderPlace, TimelineStep]] = {}
        self._idle = SceneGesture(self)
        self._gesture: SceneGesture | None = None
        self.rename = InlineRename(self)
        self._quiet = False
        self._presenting = False
        self._headline = Headline("", "", ())
        self._bands = PhaseBandsItem()
        self._header = HeaderItem()
        self._timeline = TimelineItem()
        self._notes: list[QGraphicsItem] = []
        self.figures_typed_here = True
        """Whether a box's process time, wait and %C&A can be typed on it: not while a scenario
        shows, whose figures come from the current state and the scenario's changes."""
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
        today: FlowAnalysis | None = None,
    ) -> None:
        """Show ``stream`` with its ``analysis``, changing only what differs from last time.

        ``queues`` are a scenario's queue changes: growing and overloaded queues get a badge,
        and an overload shows lead time as unbounded. ``today``, the current state's
        analysis, gives a scenario's headline figures their change.
        """
        self._shown = (stream, analysis, label, tuple(queues), today)
        with self._quietly():
            metrics = {stage_metrics.id: stage_metrics for stage_metrics in analysis.stages}
            self._unbounded = any(change.overflowing for change in queues)
            badges = _badge_texts(queues, {stage.id for stage in stream.stages})
            self._place_stages(stream, analysis, metrics, badges)
            self._place_queue_badges(badges)
            self._place_flows(stream, analysis)
            self._place_reworks(stream)
            self._place_frame(stream, analysis, label)
        self.mapShown.emit()

    def show_moved(self, stream: ValueStream) -> None:
        """Show the map with its boxes where ``stream`` puts them; ``stream`` differs from the
        shown map in nothing else, so the boxes' faces and the analysis stay as they are."""
        if self._shown is None:
            return
        _, analysis, label, queues, today = self._shown
        self._shown = (stream, analysis, label, queues, today)
        with self._quietly():
            self._place_boxes(self._order, self._layout(stream))
            self._place_flows(stream, analysis)
            self._place_reworks(stream)
            self._place_frame(stream, analysis, label)
        self.mapShown.emit()

    def select_stages(self, ids: list[str]) -> None:
        """Select exactly these stages, without reporting it back as a user selection."""
        wanted = set(ids) & self._stages.keys()
        # Asked after every edit: only the boxes whose selection differs are touched.
        selected = {item.stage_id for item in self.selectedItems() if isinstance(item, StageItem)}
        if selected == wanted:
            return
        with self._quietly():
            for stage_id in selected - wanted:
                self._stages[stage_id].setSelected(False)
            for stage_id in wanted - selected:
                self._stages[stage_id].setSelected(True)

    def selected_ids(self) -> list[str]:
        """Selected stage ids in map order."""
        return [stage_id for stage_id in self._order if self._stages[stage_id].isSelected()]

    def selected_stage_items(self) -> list[StageItem]:
        """The selected boxes, in map order."""
        return [self._stages[stage_id] for stage_id in self.selected_ids()]

    def stage_item_or_none(self, stage_id: str) -> StageItem | None:
        """A stage's box, or None once the map no longer has the stage."""
        return self._stages.get(stage_id)

    def shown_stage(self, stage_id: str) -> Stage | None:
        """The stage as the shown map has it."""
        return self._shown[0].stage(stage_id) if self._shown else None

    def typing_problem(self, stage_id: str, field: str, text: str) -> str | None:
        """Why a stage of the shown map cannot take ``text`` typed for ``field``: no name, a
        name another stage has (``document.name_taken``), a value the map would refuse."""
        if not self._shown:
            return None
        stream = self._shown[0]
        if field == "name":
            if not text.strip():
                return "a stage needs a name (Esc keeps the one it has)"
            return name_taken(stream.stages, stage_id, text)
        # Here, not at the top: the spreadsheet readers are not needed for the first frame.
        from vsmapper.io.typed import typed_value

        try:
            typed_value(stream.stage(stage_id), field, text, stream.calendar)
        except ValueError as error:
            return str(error)
        return None

    def notes_box(self, stage_id: str) -> Point:
        """The corner a stage's notes stand over: its box's, raised to its lane's top row when
        the box sits lower (between stacked boxes); a box placed by hand keeps its notes."""
        box = self.stage_item(stage_id).pos()
        x, y = box.x(), box.y()
        stage = self.shown_stage(stage_id)
        if self._automatic is None or stage is None or stage.position is not None:
            return x, y
        return x, y - self._automatic.drops.get(stage_id, 0.0)

    def notes_per_row(self, stage_id: str) -> int:
        """How many of a stage's notes stand side by side: one under a box stacked over it."""
        if self._automatic is None:
            return self.note_style().per_row
        return self._automatic.notes_per_row(stage_id)

    def note_style(self) -> NoteStyle:
        """How notes stand: on the map, larger presenting for the back of the room, or beside
        it (``on_map`` False) when that would not let the map show whole."""
        return self._automatic.note_style if self._automatic else ON_SCREEN

    def has_stage(self, stage_id: str) -> bool:
        """Whether a stage is shown."""
        return stage_id in self._stages

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

    def set_presentation(self, on: bool, room: Room | None = None) -> None:
        """Hide the title block and the timeline (the view shows the numbers in large type),
        laid out for ``room`` when given: one layout for both changes."""
        self._presenting = on
        self._header.setVisible(not on)
        self._timeline.setVisible(not on and bool(self._order))
        if room is not None:
            self._room = room
        self._show_again()
        self._fit_scene_rect()

    def is_presenting(self) -> bool:
        """Whether the title block and timeline are hidden for presentation."""
        return self._presenting

    def set_room(self, room: Room) -> None:
        """Lay the map out for a view of this size; the lanes change only when they must."""
        if room != self._room:
            self._room = room
            self._show_again()

    def room(self) -> Room:
        """What the map is laid out for now."""
        return self._room

    def timeline_steps(self) -> tuple[TimelineStep, ...]:
        """The ladder's steps under the map, one ladder row per lane."""
        return self._timeline.steps()

    def phase_bands(self) -> list[Band]:
        """The phase bands behind the boxes."""
        return self._bands.bands()

    def lanes(self) -> tuple[Lane, ...]:
        """The wrapped rows of the automatic layout, top to bottom."""
        return self._lanes

    def _show_again(self) -> None:
        """Lay out and draw the last map again, after the room or the mode changed."""
        if self._shown is not None:
            self.show_map(*self._shown)

    def fit_rect(self) -> QRectF:
        """What a view shows when it fits the map: the picture with a thin margin."""
        return self.content_rect().adjusted(-FIT_MARGIN, -FIT_MARGIN, FIT_MARGIN, FIT_MARGIN)

    def set_notes(self, notes: list[QGraphicsItem]) -> None:
        """The pain points and kaizen bursts on the map: part of the picture, to fit and show."""
        self._notes = notes
        self._fit_scene_rect()

    def content_rect(self) -> QRectF:
        """The picture's extent: title, map, timeline and notes as far as they are shown."""
        rect = QRectF()
        for item in (self._header, self._bands, self._timeline, *self._notes):
            if item.isVisible():
                rect = rect.united(item.sceneBoundingRect())
        return rect

    @contextlib.contextmanager
    def export_mode(self) -> Iterator[None]:
        """Paint without selection and hover, as a picture for others.

        Items are drawn afresh, not from their cached screen pictures: a picture for others
        keeps vector shapes and text (SVG, PDF) at any size. Within an export, as around
        every page of a long map, it costs nothing more.
        """
        if self.exporting:
            yield
            return
        self.exporting = True
        cached = [
            item for item in self.items() if item.cacheMode() != QGraphicsItem.CacheMode.NoCache
        ]
        for item in cached:
            item.setCacheMode(QGraphicsItem.CacheMode.NoCache)
        try:
            yield
        finally:
            self.exporting = False
            for item in cached:
                item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

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
        # An edit of a stage keeps the map's list of flows: its edges are read once.
        if self._edges[0] is not stream.flows:
            self._edges = (stream.flows, tuple((flow.source, flow.target) for flow in stream.flows))
        edges = self._edges[1]
        fixed = {stage.id: stage.position for stage in stream.stages if stage.position is not None}
        loops = tuple(_drawn_loops(stream).items())
        noted = tuple(
            sorted(
                (stage_id, tuple(note.kind for note in notes))
                for stage_id, notes in stream.stage_notes().items()
            )
        )
        lowered = self._lowered
        # The lanes and the automatic places depend on the flows, the room, the notes and the
        # pills alone; boxes placed by hand only push automatic ones aside (``make_room``), so
        # a move keeps them.
        above = tuple(note.kind for note in stream.notes if note.stage is None)
        header = self._header.height()
        automatic_key: tuple[object, ...] = (ids, edges, self._room, self._presenting, header)
        automatic_key += (above, noted, lowered, loops)
        if automatic_key != self._automatic_key or self._automatic is None:
            # Presenting, notes in larger type when the map still shows whole at a readable
            # size, with a little to spare (the view fits with a margin), and not much smaller
            # than without them; else listed beside it, the map as large as without them: six
            # notes stacked over one box left its figures 10 px high, a third of the room empty.
            def placed(style: NoteStyle) -> Placement:
                return wrapped_layout(
                    ids,
                    edges,
                    None,
                    GRID,
                    self._layout_room(above if style.on_map else (), style),
                    notes=dict(noted) if style.on_map else {},
                    footroom=dict(lowered),
                    loops=dict(loops),
                    note_style=style,
                )

            if self._presenting and (noted or above):
                on_map, beside = placed(PRESENTED), placed(BESIDE)
                readable = on_map.scale * NEAR_TIE >= self._room.least_scale
                fits = readable and on_map.scale >= NOTES_MOST_SHRINK * beside.scale
                self._automatic = on_map if fits else beside
            else:
                self._automatic = placed(ON_SCREEN)  # else the same places
            self._automatic_key = automatic_key
        key = (automatic_key, tuple(fixed.items()))
        if key != self._layout_key:
            self._laid_out = make_room(ids, self._automatic.corners, fixed, GRID)
            self._lanes = self._automatic.lanes
            per_lane = max(
                (lane.last_column - lane.first_column + 1 for lane in self._lanes), default=0
            )
            self._right_edge = (
                (per_lane - 1) * GRID.column_pitch + GRID.box_width if per_lane else 0.0
            )
            self._layout_key = key
        return self._laid_out

    def _layout_room(self, above: Sequence[str], style: NoteStyle) -> Room:
        """The room the lanes are laid out for: the view's, less what the picture holds
        beside the lanes (the map's own notes, of kinds ``above``, in a row over its top, the
        title and the timeline)."""
        over = map_notes_height(above, style)
        room = replace(self._room, margin=FIT_MARGIN, extra_height=over)
        if self._presenting:
            return room
        return replace(
            room,
            extra_height=over
            + self._header.height()
            + HEADER_GAP
            + TIMELINE_GAP
            + TimelineItem.height_for(1, 5),
            height_per_lane=TimelineItem.LANE_PITCH,
        )

    def _place_stages(
        self,
        stream: ValueStream,
        analysis: FlowAnalysis,
        metrics: dict[str, StageMetrics],
        badges: dict[str, tuple[QueueChange, str]],
    ) -> None:
        ids = [stage.id for stage in stream.stages]
        for stage_id in self._stages.keys() - set(ids):
            # Its queue badge is a child of the box, deleted with it.
            self._queue_badges.pop(stage_id, None)
            self.removeItem(self._stages.pop(stage_id))
        names = {stage.id: stage.name for stage in stream.stages}
        hours = hours_format(stream.calendar)
        found = _marked(analysis, self._unbounded)
        # The red queue badge says it: an overload tag too read as two overloads.
        overflowing = {stage_id for stage_id, (change, _) in badges.items() if change.overflowing}
        unit = display_unit()
        faces: dict[str, tuple[FaceInputs, StageFace]] = {}
        for stage in stream.stages:
            # Everything a face is made of (not where it is): an edit rebuilds only the faces
            # it changes. An unchanged stage is the same object, so its fields are compared
            # only for the stages an edit replaced.
            shown = metrics[stage.id]
            figures = (
                (shown.utilization, shown.wait_time_hours, shown.process_time_hours),
                found.share if found and found.stage_id == stage.id else None,
                stage.id in overflowing,
                names.get(stage.rework_to or stage.id),
                stream.calendar,
                unit,
            )
            known = self._faces.get(stage.id)
            same_stage = known is not None and known[0].stage is stage
            if known is not None and same_stage and known[0].figures == figures:
                faces[stage.id] = known
                continue
            item = self._stages.get(stage.id)
            if item is None:
                item = StageItem(stage.id)
                self._stages[stage.id] = item
                self.addItem(item)
            fields = known[0].fields if known is not None and same_stage else _face_fields(stage)
            inputs = FaceInputs(stage, fields, figures)
            face = (
                known[1]
                if known is not None and known[0][1:] == inputs[1:]
                else _stage_face(stage, shown, found, names, hours, stage.id in overflowing)
            )
            faces[stage.id] = (inputs, face)
            item.set_face(face)
        self._faces = faces
        self._order = ids
        # A second pill under a box needs room the lane keeps below it for one.
        pills = {
            stage_id: len(face.tags) + (stage_id in badges) for stage_id, (_, face) in faces.items()
        }
        self._lowered = tuple(
            (stage_id, pills_room(count)) for stage_id, count in pills.items() if count > 1
        )
        self._place_boxes(ids, self._layout(stream))

    def _place_boxes(self, ids: list[str], positions: dict[str, Point]) -> None:
        """Put the boxes at their corners and note which ones moved."""
        corners = {stage_id: positions[stage_id] for stage_id in ids}
        if corners == self._corners:
            # Every box is where it was (a drag keeps ``_corners`` where the dragged boxes
            # are): an edit of a big map does not place thousands of boxes again.
            self._moved = set()
            return
        for stage_id in ids:
            self._stages[stage_id].setPos(*positions[stage_id])
        self._moved = {
            stage_id for stage_id in ids if self._corners.get(stage_id) != corners[stage_id]
        }
        self._corners = corners
        if self._moved:
            self._sorted_corners = {}

    def queue_badge(self, stage_id: str) -> QueueBadgeItem | None:
        """The queue badge under a stage, if the shown scenario gives it one."""
        return self._queue_badges.get(stage_id)

    def _place_queue_badges(self, wanted: dict[str, tuple[QueueChange, str]]) -> None:
        for stage_id in self._queue_badges.keys() - wanted.keys():
            self.removeItem(self._queue_badges.pop(stage_id))
        for stage_id, (change, text) in wanted.items():
            box = self._stages[stage_id]
            badge = self._queue_badges.get(stage_id)
            if badge is None:
                badge = self._queue_badges[stage_id] = QueueBadgeItem(box)
            badge.set_change(change, text, box.tag_count())

    def _place_flows(self, stream: ValueStream, analysis: FlowAnalysis) -> None:
        edges = [(flow.source, flow.target) for flow in stream.flows]
        for edge in self._flows.keys() - set(edges):
            self.removeItem(self._flows.pop(edge))
            self._rises.pop(edge, None)
        critical = set(itertools.pairwise(analysis.critical_path))
        key = (self._lanes, tuple(edges), frozenset(critical))
        if key == self._flows_key:
            # Moved boxes take only their own flows along.
            for edge in {edge for moved in self._moved for edge in self._attached.get(moved, ())}:
                self._route_flow(edge)
            return
        self._flows_key = key
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
        # From corners, not rectangles: a move of many boxes routes hundreds of flows.
        (left, top), (target_left, target_top) = self._corners[edge[0]], self._corners[edge[1]]
        right, bottom = left + GRID.box_width, top + GRID.box_height
        middle = GRID.box_height / 2
        detour = None
        if target_left < right and target_top > bottom:
            lane = lane_of(self._lanes, target_top + middle)
            gap = self._lanes[lane].top - GRID.lane_gap / 2 if self._lanes else target_top
            if not bottom < gap < target_top:
                gap = (bottom + target_top) / 2
            detour = (
                max(right, self._lanes_right()) + GRID.lane_end / 2,
                gap,
                min(target_left, self._lanes_left()) - GRID.column_gap + 10,
            )
        self._rises.pop(edge, None)
        if abs(target_top - top) < 0.5 and target_left - right > GRID.column_gap + 1:
            # Over the boxes between, a straight line would hide behind them: under them.
            rise = target_left - BRIDGE_INSET
            detour = (right + BRIDGE_INSET, bottom + BRIDGE_DROP, rise)
            # With the rounded corner it turns up at.
            self._rises[edge] = QRectF(
                rise - CORNER_RADIUS - 2, top + middle, CORNER_RADIUS + 4, middle + BRIDGE_DROP + 2
            )
        flow = self._flows[edge]
        flow.set_route(
            (right, top + middle), (target_left, target_top + middle), flow.critical, detour
        )

    def _lanes_left(self) -> float:
        """The left edge of the lanes' boxes."""
        return 0.0

    def _lanes_right(self) -> float:
        """The right edge of the widest lane's boxes."""
        return self._right_edge

    def _place_reworks(self, stream: ValueStream) -> None:
        targets, names = _drawn_loops(stream), {stage.id: stage.name for stage in stream.stages}
        loops = {
            stage.id: (target, f"{_number(100 - stage.pca)}% rework → {names[target]}")
            for stage in stream.stages
            if (target := targets.get(stage.id))
        }
        for stage_id in self._reworks.keys() - loops.keys():
            self.removeItem(self._reworks.pop(stage_id))
        key = (self._layout_key, tuple(loops.items()))
        if key == self._reworks_key:
            return
        self._reworks_key = key
        # A loop back to an earlier lane runs over both lanes from their left edge: it must
        # rise over the loops of either lane it passes, or its line would cross their labels.
        left = self._lanes_left()
        levels = loop_levels(
            {
                stage_id: loop_runs(
                    (self._lane_of(stage_id), self._corners[stage_id][0]),
                    (self._lane_of(target), self._corners[target][0]),
                    left,
                )
                for stage_id, (target, _) in loops.items()
            }
        )
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
        start = QPointF(source.left() + source.width() * 0.45, source.top())
        end = QPointF(target.left() + target.width() * 0.76, target.top())
        # From or to a box under another of its column, a loop runs up beside the column,
        # not through the boxes, rates and pills over it.
        leave = self._corners[stage_id] if self._under_a_box(stage_id, start.x()) else None
        land = self._corners[target_id] if self._under_a_box(target_id, end.x()) else None
        source_lane, target_lane = self._lane_of(stage_id), self._lane_of(target_id)
        if source_lane == target_lane or not self._lanes:
            highest = self._highest_top(
                min(source.left(), target.left()),
                max(source.right(), target.right()),
                self._lanes[source_lane] if self._lanes else None,
            )
            self._reworks[stage_id].set_route(
                start,
                end,
                highest - REWORK_RISE - GRID.loop_step * level,
                label,
                leave=leave,
                land=land,
            )
            return
        # As high as a loop within one lane: lower, it would strike through the rates of
        # the boxes' own small loops.
        rise = REWORK_RISE + GRID.loop_step * level
        self._reworks[stage_id].set_route(
            start,
            end,
            self._highest_top(self._lanes_left(), source.right(), self._lanes[source_lane]) - rise,
            label,
            (
                self._lanes_left() - GRID.column_gap + 2,
                self._highest_top(self._lanes_left(), target.right(), self._lanes[target_lane])
                - rise,
            ),
            leave,
            land,
        )

    def _under_a_box(self, stage_id: str, x: float) -> bool:
        """Whether a box of the stage's lane stands over its box where a line up from ``x`` runs."""
        if not self._sorted_corners:
            self._sort_corners()
        top = self._corners[stage_id][1]
        lane = self._lanes[self._lane_of(stage_id)] if self._lanes else None
        boxes = self._sorted_corners.get(lane, [])
        start = bisect.bisect_left(boxes, (x - BOX.width(), float("-inf")))
        stop = bisect.bisect_right(boxes, (x, float("inf")))
        return any(left < x and y < top for left, y in boxes[start:stop])

    def _lane_of(self, stage_id: str) -> int:
        """The lane a stage's box is in now."""
        return lane_of(self._lanes, self._corners[stage_id][1] + GRID.box_height / 2)

    def _highest_top(self, left: float, right: float, lane: Lane | None = None) -> float:
        """The top of the highest box overlapping the span from ``left`` to ``right`` (in
        ``lane`` when given)."""
        if not self._sorted_corners:
            self._sort_corners()
        boxes = self._sorted_corners.get(lane, [])
        start = bisect.bisect_left(boxes, (left - BOX.width(), float("-inf")))
        stop = bisect.bisect_right(boxes, (right, float("inf")))
        return min(
            (y for _, y in boxes[start:stop]),
            default=lane.top + lane.headroom + lane.loop_room + GRID.lane_top if lane else 0.0,
        )

    def _sort_corners(self) -> None:
        """The boxes' corners sorted, all of them and per lane: a long map asks for hundreds
        of loops, so they are sorted once per layout."""
        ordered = sorted(self._corners.values())
        by_lane: dict[Lane | None, list[Point]] = {None: ordered}
        for corner in ordered:
            middle = corner[1] + GRID.box_height / 2
            if self._lanes:
                lane = self._lanes[lane_of(self._lanes, middle)]
                if lane.contains(middle):
                    by_lane.setdefault(lane, []).append(corner)
        self._sorted_corners = by_lane

    def _box(self, stage_id: str) -> QRectF:
        """Where a stage's box is now, in scene coordinates."""
        x, y = self._corners[stage_id]
        return QRectF(x, y, BOX.width(), BOX.height())

    def follow_drag(self, dragged: Iterable[str]) -> None:
        """Keep flows and loops attached to the boxes being dragged."""
        moved = set()
        for stage_id in dragged:
            item = self._stages[stage_id]
            if self._corners[stage_id] != (item.x(), item.y()):
                self._corners[stage_id] = (item.x(), item.y())
                moved.add(stage_id)
        if not moved:
            return
        self._sorted_corners = {}
        self._reworks_key = None
        for edge in {edge for stage_id in moved for edge in self._attached[stage_id]}:
            self._route_flow(edge)
        for source, (target, _, _) in self._rework_targets.items():
            if source in moved or target in moved:
                self._route_rework(source)

    def _place_frame(self, stream: ValueStream, analysis: FlowAnalysis, label: str) -> None:
        """Phase bands, the title block and the timeline, around wherever the boxes are."""
        hours = hours_format(stream.calendar)
        queues, today = self._shown[3:] if self._shown else ((), None)
        overflowing = [change for change in queues if change.overflowing]
        self._headline = _headline(stream, analysis, label, hours, overflowing, today)
        if not self._order:
            self._bands.set_bands([])
            self._bands_key = None
            self._header.setPos(0, 0)
            self._header.set_text(
                stream.name,
                label,
                "No stages yet: add the first stage of the stream to start the map",
            )
            self._timeline.setVisible(False)
            self._fit_scene_rect()
            return
        # Pills deepen a band and narrow a phase's name: the constraint's tag moves with edits.
        pills = tuple((i, face.tags) for i, (_, face) in self._faces.items() if face.tags)
        badges = tuple((i, badge.text) for i, badge in self._queue_badges.items())
        phases = tuple(s.phase for s in stream.stages)
        rises = tuple(self._rises)
        bands_key = (self._layout_key, phases, self._reworks_key, pills, badges, rises)
        if bands_key != self._bands_key or self._reworks_key is None:
            self._bands.set_bands(self._band_rects(stream))
            self._bands_key = bands_key
        bands = self._bands.bands()
        left = min(band.rect.left() for band in bands)
        right = max(band.rect.right() for band in bands)
        top = min(band.rect.top() for band in bands)
        bottom = max(band.rect.bottom() for band in bands)
        change = (
            signed_duration(stream, analysis.lead_time_hours - today.lead_time_hours)
            if today and not self._unbounded
            else ""
        )
        self._header.set_text(
            stream.name, label, _subtitle(analysis, hours, self._unbounded, change)
        )
        self._header.setPos(left, top - self._header.height() - HEADER_GAP)
        steps = self._timeline_steps(analysis)
        self._timeline.set_timeline(
            left, right, steps, _totals(stream, analysis, hours, self._unbounded)
        )
        self._timeline.setPos(0, bottom + TIMELINE_GAP)
        self._timeline.setVisible(not self._presenting)
        self._fit_scene_rect()

    def _fit_scene_rect(self) -> None:
        """The scrollable area: what is shown, with a margin to pan into."""
        self.setSceneRect(
            self.content_rect().adjusted(-SCENE_MARGIN, -SCENE_MARGIN, SCENE_MARGIN, SCENE_MARGIN)
        )

    def _band_rects(self, stream: ValueStream) -> list[Band]:
        """Per lane, one band per run of slots of one phase, each slot the box and the wait in
        front of it; a phase's name on its first band. Tall enough for every box and loop."""
        lanes = self._lanes or (Lane(0.0, 0.0, 0, 0),)
        # Corners, not rectangles: every move of a box draws the bands of the whole map again.
        members: list[list[tuple[float, str]]] = [[] for _ in lanes]
        # What a phase's name gives way to: pills, and a flow rising from under the boxes.
        pills: list[list[QRectF]] = [[*self._rises.values()] for _ in lanes]
        extents = [[lane.top, lane.bottom] for lane in lanes]
        height, middle = GRID.box_height, GRID.box_height / 2
        for stage in stream.stages:
            x, y = self._corners[stage.id]
            number = lane_of(lanes, y + middle)
            members[number].append((x, stage.phase))
            hung = (
                self._pill_rects(stage.id, x, y)
                if stage.id in self._queue_badges or self._faces[stage.id][1].tags
                else []
            )
            pills[number] += hung
            deepest = max((pill.bottom() for pill in hung), default=y)
            extents[number][0] = min(extents[number][0], y - GRID.lane_top)
            extents[number][1] = max(extents[number][1], y + height + GRID.lane_bottom, deepest)
        for stage_id, loop in self._reworks.items():
            own = self._lane_of(stage_id)
            extents[own][0] = min(extents[own][0], loop.apex() - REWORK_MARGIN)
            # It runs, and writes its rate, over its target's lane too: its own, or an earlier.
            target = self._lane_of(self._rework_targets[stage_id][0])
            top = min(loop.label_rect().top(), loop.line().boundingRect().top() - REWORK_MARGIN)
            extents[target][0] = min(extents[target][0], top)
        bands: list[Band] = []
        labelled: set[str] = set()
        for number, lane_members in enumerate(members):
            runs: list[list] = []
            lane_members.sort(key=lambda member: member[0])
            for x, phase in lane_members:
                left, right = x - GRID.column_gap, x + GRID.box_width
                if runs and (left < runs[-1][2] or (runs[-1][0] == phase and left <= runs[-1][2])):
                    runs[-1][2] = max(runs[-1][2], right)
                else:
                    runs.append([phase, left, right])
            if runs:
                runs[-1][2] += GRID.lane_end - 8
            top, bottom = extents[number]
            name_bottom = lanes[number].bottom
            for phase, left, right in runs:
                rect = QRectF(left, top, right - left, bottom - top)
                if phase in labelled:
                    bands.append(Band(phase, rect, None))
                    continue
                labelled.add(phase)
                # The name gives way to a pill hanging beside it, under the first slot's box.
                band = Band(phase, rect, name_bottom)
                name = band.name_rect()
                assert name is not None
                beside = [
                    pill.left() - 4 - name.left()
                    for pill in pills[number]
                    if pill.right() > name.left()
                    and pill.top() < name.bottom()
                    and pill.bottom() > name.top()
                ]
                bands.append(band._replace(name_room=min(beside, default=math.inf)))
        return bands

    def _pill_rects(self, stage_id: str, x: float, y: float) -> list[QRectF]:
        """Where a box at ``x``, ``y`` hangs its pills, its queue badge among them."""
        item = self._stages[stage_id]
        texts = [text for text, _colour in item.face.tags] if item.face else []
        badge = self._queue_badges.get(stage_id)
        if badge is not None:
            texts.append(badge.text)
        return [tag_rect(text, index).translated(x, y) for index, text in enumerate(texts)]

    def _timeline_steps(self, analysis: FlowAnalysis) -> list[TimelineStep]:
        """Ladder steps under their boxes, one ladder row per lane, where the path runs left
        to right; evenly where it does not. A step whose box's face and place are unchanged
        is the same object as before, so the timeline compares it at a glance."""
        steps: list[TimelineStep] = []
        known, shown = self._ladder_steps, {}
        for place in self._ladder_places(analysis.critical_path):
            stage_id, lane, wait_start, process_start = place
            # The box's face already wrote the stage's times.
            face = self._faces[stage_id][1]
            last = known.get(stage_id)
            if last is not None and last[0] is face and last[1] == place:
                step = last[2]
            else:
                step = TimelineStep(
                    name=face.name,
                    wait=face.wait,
                    process=face.process,
                    wait_start=wait_start,
                    process_start=process_start,
                    process_end=process_start + GRID.box_width,
                    lane=lane,
                )
            shown[stage_id] = (face, place, step)
            steps.append(step)
        self._ladder_steps = shown
        return steps

    def _ladder_places(self, critical_path: Sequence[str]) -> list[LadderPlace]:
        """Each ladder step's stage, ladder row, wait start and process start, worked out once
        per layout and critical path."""
        key = (self._layout_key, tuple(critical_path))
        if key == self._ladder_key:
            return self._ladder
        places: list[LadderPlace] = []
        lane, end = -1, 0.0
        for stage_id in critical_path:
            if stage_id not in self._stages:
                continue
            x, y = self._corners[stage_id]
            number = max(lane, lane_of(self._lanes, y + GRID.box_height / 2))
            if number != lane:
                lane, end = number, x - GRID.column_gap
            start = x if x >= end + GRID.column_gap / 2 else end + GRID.column_gap
            places.append((stage_id, lane, end, start))
            end = start + GRID.box_width
        self._ladder_key, self._ladder = key, places
        return places

    # -- gestures -----------------------------------------------------------------------------

    def _report_selection(self) -> None:
        if not self._quiet:
            self.selectionChangedIds.emit(self.selected_ids())

    def stage_at(self, scene_position: QPointF) -> StageItem | None:
        """The box under a point, also when the point is on one of its badges."""
        for item in self.items(scene_position):
            while item is not None and not isinstance(item, StageItem):
                item = item.parentItem()
            if item is not None:
                return item
        return None

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        """Begin the gesture the press means (``interactions.scene_gesture``)."""
        self._gesture = scene_gesture(self, event)
        self._gesture.press(event)

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        """Hand the move to the gesture under way."""
        (self._gesture or self._idle).move(event)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        """End the gesture under way."""
        gesture, self._gesture = self._gesture, None
        (gesture or self._idle).release(event)

    def mouseDoubleClickEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        """Double-click on a title renames in place; elsewhere on a box activates it."""
        item = self.stage_at(event.scenePos())
        if item is None or self.rename.active or event.button() != Qt.MouseButton.LeftButton:
            super().mouseDoubleClickEvent(event)
            return
        if item.title_rect().contains(item.mapFromScene(event.scenePos())):
            self.start_rename(item.stage_id)
        else:
            self.stageActivated.emit(item.stage_id)
        event.accept()

    def start_rename(self, stage_id: str, field: str = "name") -> None:
        """Open the inline editor on a stage's name, or on its process time, wait or %C&A."""
        self.rename.start(stage_id, field)

    def contextMenuEvent(self, event: QGraphicsSceneContextMenuEvent) -> None:
        """Ask for the menu of a note under the pointer (its own), of the stage under it, or of
        the empty canvas ("")."""
        event.ignore()
        super().contextMenuEvent(event)
        if event.isAccepted():
            return
        item = self.stage_at(event.scenePos())
        if item is not None and not item.isSelected():
            self.clearSelection()
            item.setSelected(True)
        self.stageContextMenuRequested.emit(item.stage_id if item else "", event.screenPos())
        event.accept()


def _badge_texts(
    queues: Sequence[QueueChange], stage_ids: Collection[str]
) -> dict[str, tuple[QueueChange, str]]:
    """The queue badge each stage of the map gets from a scenario's queue changes."""
    texts = {}
    for change in queues:
        text = queue_badge_text(change)
        if text is not None and change.stage_id in stage_ids:
            texts[change.stage_id] = (change, text)
    return texts


def _drawn_loops(stream: ValueStream) -> dict[str, str]:
    """The rework loops drawn on the map: from a stage to the one it sends work back to."""
    return {
        stage.id: stage.rework_to
        for stage in stream.stages
        if stage.rework_to not in (None, stage.id) and stage.pca < 100
    }


def _number(value: float) -> str:
    """A count or percentage without needless decimals: 15, 12.5, 0.85 (as typed, not 0.8)."""
    return f"{round(value, 2):g}"


class FaceInputs(NamedTuple):
    """What a box's face was made from: the stage, the fields it shows, and its figures."""

    stage: Stage
    fields: dict[str, object]
    figures: tuple[object, ...]


def _face_fields(stage: Stage) -> dict[str, object]:
    """The stage's fields that its face shows: all but where the box is."""
    fields = stage.fields()
    del fields["position"]
    return fields


def _stage_face(
    stage: Stage,
    metrics: StageMetrics,
    found: Constraint | None,
    names: dict[str, str],
    hours: HoursFormat,
    overflowing: bool = False,
) -> StageFace:
    """What one box shows, from the stage, its metrics and the constraint marked."""
    constraint = found is not None and found.stage_id == stage.id
    tags: list[tuple[str, str]] = []
    if found is not None and constraint:
        # Its share is of expected lead time: beside the lead time in the headline, "of lead
        # time" made 34% read as wrong against the 38% the figures gave.
        tags.append((f"CONSTRAINT · {share_text(found.share)}", theme.CONSTRAINT))
    if overloaded(metrics.utilization) and not overflowing:
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
    if overflowing:
        tooltip += "\nIts queue grows without bound: more work comes than it can do"
    if stage.notes:
        tooltip += f"\n{stage.notes}"
    return StageFace(
        name=stage.name,
        process=hours(metrics.process_time_hours),
        pca=f"{_number(stage.pca)}%",
        people=people,
        # An overloaded stage's queue has no wait to write: its wait as today read as one.
        wait=ENDLESS_WAIT if overflowing else hours(metrics.wait_time_hours),
        tags=tuple(tags),
        self_rework=self_rework,
        ai_count=len(stage.ai),
        ai_tooltip=ai_tooltip,
        tooltip=tooltip,
        constraint=constraint,
    )


def _marked(analysis: FlowAnalysis, unbounded: bool) -> Constraint | None:
    """The constraint to mark: none beside an unbounded lead time, of which it has no share."""
    return None if unbounded else analysis.marked_constraint


def _subtitle(
    analysis: FlowAnalysis, hours: HoursFormat, unbounded: bool = False, change: str = ""
) -> str:
    """The line under the map's title; ``change`` is the lead time's against today."""
    against = f" ({change} vs today)" if change else ""
    parts = [
        f"Lead time {UNBOUNDED if unbounded else hours(analysis.lead_time_hours)}{against}",
        f"process time {hours(analysis.process_time_hours)}",
        "flow efficiency —" if unbounded else f"flow efficiency {analysis.flow_efficiency:.1%}",
        f"rolled %C&A {rolled_pca_text(analysis.rolled_pca)}",
    ]
    found = _marked(analysis, unbounded)
    if found is not None:
        parts.append(f"constraint: {found.stage} ({share_text(found.share)} of expected lead time)")
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
        TotalsRow("Cost per item", cost_text(analysis.cost_per_item, stream)),
    ]


def _headline(
    stream: ValueStream,
    analysis: FlowAnalysis,
    label: str,
    hours: HoursFormat,
    overflowing: Sequence[QueueChange] = (),
    today: FlowAnalysis | None = None,
) -> Headline:
    unbounded = bool(overflowing)
    if unbounded:
        # No constraint has a share of an unbounded lead time: the room is told what to fix.
        load = (
            f"GETS {overflowing[0].utilization_after or 0.0:.0%} OF ITS CAPACITY"
            if len(overflowing) == 1
            else "THEIR QUEUES GROW WITHOUT BOUND"
        )
        figures = [
            KeyFigure("LEAD TIME · OVERLOADED", UNBOUNDED, theme.CONSTRAINT),
            KeyFigure("FLOW EFFICIENCY", "—", theme.PROCESS),
            KeyFigure("EXPECTED, WITH REWORK", UNBOUNDED, theme.INK_SOFT),
            KeyFigure(
                f"OVERLOADED · {load}",
                fix_first_text(overflowing),
                theme.CONSTRAINT,
                name=True,
            ),
        ]
    else:
        figures = [
            KeyFigure("LEAD TIME", hours(analysis.lead_time_hours), theme.INK),
            KeyFigure("FLOW EFFICIENCY", percent_text(analysis.flow_efficiency, 1), theme.PROCESS),
            KeyFigure(
                "EXPECTED, WITH REWORK", hours(analysis.expected_lead_time_hours), theme.INK_SOFT
            ),
        ]
        if today is not None:
            changes = changes_against(stream, today, analysis)
            keys = ("lead_time", "flow_efficiency", "expected_lead_time")
            figures = [
                replace(figure, change=f"{shown} vs today", change_color=color or theme.INK_SOFT)
                for figure, (shown, color) in zip(
                    figures, (changes[key] for key in keys), strict=True
                )
            ]
    found = _marked(analysis, unbounded)
    if found is not None:
        figures.append(
            KeyFigure(
                f"CONSTRAINT · {share_text(found.share)} OF EXPECTED LEAD TIME",
                found.stage,
                theme.CONSTRAINT,
                name=True,
            )
        )
    return Headline(stream.name, label, tuple(figures))
