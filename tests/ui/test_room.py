"""The map read from the back of the room: wrapped lanes, readable names, presentation mode."""

from __future__ import annotations

import itertools
import random
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QObject, QRect, QRectF, QStandardPaths, Qt
from PySide6.QtGui import QFontMetricsF, QImage, QPainter, QPainterPathStroker
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QScrollBar, QStyleOptionGraphicsItem
from pytestqt.qtbot import QtBot

from benchmarks.maps import synthetic_map
from tests.ui.conftest import WindowFactory
from vsmapper.analysis import analyze
from vsmapper.analysis.queues import fix_first_text, relief_text
from vsmapper.cli import example_map_path, main
from vsmapper.io.mapfile import load_map, map_from_data
from vsmapper.layout import Room, lane_of
from vsmapper.model import ValueStream
from vsmapper.model.stream import Note
from vsmapper.ui import theme
from vsmapper.ui.canvas import MapScene
from vsmapper.ui.canvas.items import (
    ROW_VALUE_SIZE,
    SELF_REWORK_LABEL,
    AIBadgeItem,
    PhaseBandsItem,
    readable_pixels,
    tag_rect,
)
from vsmapper.ui.canvas.strips import PAD
from vsmapper.ui.canvas.view import MapView, PresentationBanner, banner_title
from vsmapper.ui.main_window import MainWindow
from vsmapper.ui.units import WORSE

ROOT = Path(__file__).resolve().parents[2]
PLATFORM = ROOT / "resources" / "examples" / "platform-team.vsm.json"
EXAMPLE = ROOT / "resources" / "examples" / "idea-to-production.vsm.json"
SCREENS = [((1280, 720), 12.0), ((1920, 1080), 18.0)]


class ResizeCounter(QObject):
    """Counts the resize events of the widgets it watches."""

    def __init__(self, counted: list[None]) -> None:
        super().__init__()
        self._counted = counted

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self._counted.append(None)
        return False


@pytest.fixture
def platform() -> ValueStream:
    """Twenty stages with a parallel pair and two rework loops, one back to an earlier lane."""
    stream = load_map(PLATFORM)
    assert len(stream.stages) == 20
    return stream


def presenting(qtbot: QtBot, stream: ValueStream, size: tuple[int, int]) -> MapView:
    """A view of ``stream`` at ``size`` pixels in presentation mode, as on a projector."""
    scene = MapScene()
    scene.show_map(stream, analyze(stream))
    view = MapView(scene)
    qtbot.addWidget(view)
    view.resize(*size)
    view.show()
    qtbot.waitExposed(view)
    view.set_presentation(True)
    view.fit()
    return view


def name_pixels(view: MapView, stage_id: str) -> float:
    """How tall a stage's name is on the screen: its font size times the view's scale."""
    return view.map_scene().stage_item(stage_id).title_size() * view.transform().m11()


@pytest.mark.parametrize(("size", "least"), SCREENS)
def test_a_box_s_figures_read_from_the_back_of_the_room_as_its_name_does(
    qtbot: QtBot, size: tuple[int, int], least: float
) -> None:
    view = presenting(qtbot, load_map(EXAMPLE), size)
    # Before, at 11 pixels on a 1280×720 projector, OCR missed whole boxes' figures.
    assert ROW_VALUE_SIZE * view.transform().m11() >= least


@pytest.mark.parametrize(("size", "least"), SCREENS)
def test_every_name_reads_from_the_back_of_the_room(
    qtbot: QtBot, platform: ValueStream, size: tuple[int, int], least: float
) -> None:
    view = presenting(qtbot, platform, size)
    viewport = QRectF(view.viewport().rect())
    for stage in platform.stages:
        item = view.map_scene().stage_item(stage.id)
        assert name_pixels(view, stage.id) >= least, stage.name
        assert item.shown_title().replace("\n", " ") == stage.name
        on_screen = view.mapFromScene(item.box_rect()).boundingRect()
        assert viewport.contains(QRectF(on_screen)), stage.name
    assert len(view.map_scene().lanes()) >= 3


@pytest.mark.parametrize(("size", "least"), SCREENS)
def test_the_agenda_and_a_rounds_qr_code_sit_beside_the_map_never_on_it(
    qtbot: QtBot, platform: ValueStream, size: tuple[int, int], least: float
) -> None:
    window = MainWindow(platform, PLATFORM, remember_layout=False)
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    window.toggle_presentation(True, full_screen=False)
    window.workshop.overlay.show_round("http://192.168.100.200:54321/s/Ab3dE9xkQ2")
    window.resize(*size)
    QApplication.processEvents()
    view = window.view
    assert (view.width(), view.height()) == size
    panels = [window.workshop.agenda, window.workshop.overlay]
    viewport = view.viewport().geometry()
    for panel in panels:
        assert panel.isVisible() and not panel.geometry().intersects(viewport)
        assert view.rect().contains(panel.geometry())
    for stage in platform.stages:
        item = view.map_scene().stage_item(stage.id)
        assert name_pixels(view, stage.id) >= least, stage.name
        on_screen = view.mapFromScene(item.box_rect()).boundingRect()
        assert view.viewport().rect().contains(on_screen), stage.name


def test_a_huge_map_keeps_readable_names_and_scrolls_down(qtbot: QtBot) -> None:
    count = 60
    stream = ValueStream.model_validate(
        {
            "format": "vsmapper",
            "version": 1,
            "name": "Sixty stages",
            "stages": [
                {"id": f"s{i}", "name": f"Stage {i}", "wait_time": "1d"} for i in range(count)
            ],
        }
    )
    view = presenting(qtbot, stream, (1280, 720))
    assert min(name_pixels(view, f"s{i}") for i in range(count)) >= 12
    assert view.verticalScrollBar().maximum() > 0
    assert view.verticalScrollBar().value() == view.verticalScrollBar().minimum()
    viewport = QRectF(view.viewport().rect())
    first = view.mapFromScene(view.map_scene().stage_item("s0").box_rect()).boundingRect()
    assert viewport.contains(QRectF(first))


def test_a_map_too_big_to_read_whole_is_wrapped_for_the_room_and_not_again(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    # The scroll bar coming and going once resized the view, and so wrapped the map anew,
    # hundreds of times over: seconds on a projector before the room saw the map.
    window = make_window(synthetic_map(150), shown=True, size=(1280, 720))
    view, scene = window.view, window.scene
    layouts: list[None] = []
    resizes: list[None] = []
    scene.mapShown.connect(lambda: layouts.append(None))
    view.viewport().installEventFilter(counter := ResizeCounter(resizes))
    window.menus.presentation_action.trigger()
    QApplication.processEvents()
    assert view.verticalScrollBar().isVisible() and view.verticalScrollBar().maximum() > 0
    # Wrapped for the window without its docks and bars, then once more full screen; the
    # view resized a few times (mode, banner, docks), where both were hundreds.
    assert len(layouts) <= 2 and len(resizes) <= 10, (len(layouts), len(resizes))
    shown = view.mapFromScene(scene.content_rect()).boundingRect()
    assert shown.right() <= view.viewport().width() + 1
    # The bar runs the view's whole height: the banner's constraint card ended under it.
    banner = view.findChild(PresentationBanner)
    assert banner is not None and banner.isVisible()
    bar = view.verticalScrollBar()
    assert banner.geometry().right() < bar.mapTo(view, bar.rect().topLeft()).x()

    layouts.clear()
    docks_shown = [title for title, dock in window.docks.items() if dock.isVisible()]
    window.menus.presentation_action.trigger()  # back
    QApplication.processEvents()
    assert len(layouts) == 1, len(layouts)
    assert window.menuBar().isVisible() and not view.is_presenting()
    assert docks_shown == [] and window.docks["Metrics"].isVisible()
    view.viewport().removeEventFilter(counter)


def test_the_lanes_run_in_flow_order(qtbot: QtBot, platform: ValueStream) -> None:
    view = presenting(qtbot, platform, (1280, 720))
    scene = view.map_scene()
    lanes = scene.lanes()

    def place(stage_id: str) -> tuple[int, float]:
        box = scene.stage_item(stage_id).box_rect()
        return lane_of(lanes, box.center().y()), box.left()

    for flow in platform.flows:
        assert place(flow.source) < place(flow.target), (flow.source, flow.target)
    first_of_each_lane = {}
    for stage in platform.stages:
        lane, x = place(stage.id)
        first_of_each_lane.setdefault(lane, x)
    assert set(first_of_each_lane.values()) == {0.0}


def test_a_flow_into_the_next_lane_runs_down_and_back(qtbot: QtBot, platform: ValueStream) -> None:
    view = presenting(qtbot, platform, (1280, 720))
    scene = view.map_scene()
    lanes = scene.lanes()
    crossing = [
        flow
        for flow in platform.flows
        if lane_of(lanes, scene.stage_item(flow.source).box_rect().center().y())
        != lane_of(lanes, scene.stage_item(flow.target).box_rect().center().y())
    ]
    assert len(crossing) >= len(lanes) - 1
    for flow in crossing:
        source = scene.stage_item(flow.source).box_rect()
        target = scene.stage_item(flow.target).box_rect()
        route = scene.flow_item(flow.source, flow.target).sceneBoundingRect()
        assert route.right() > source.right() + 10
        assert route.left() < target.left() - 60
        assert route.top() <= source.center().y() and route.bottom() >= target.center().y()


def test_a_rework_loop_to_an_earlier_lane_goes_back_up_with_its_rate(
    qtbot: QtBot, platform: ValueStream
) -> None:
    view = presenting(qtbot, platform, (1280, 720))
    scene = view.map_scene()
    lanes = scene.lanes()
    loops = [stage for stage in platform.stages if stage.rework_to and stage.pca < 100]
    across = [
        stage
        for stage in loops
        if lane_of(lanes, scene.stage_item(stage.id).box_rect().center().y())
        > lane_of(lanes, scene.stage_item(stage.rework_to).box_rect().center().y())
    ]
    assert across, "the example map should loop back across lanes"
    for stage in across:
        loop = scene.rework_item(stage.id)
        target = scene.stage_item(stage.rework_to).box_rect()
        assert loop.sceneBoundingRect().top() < target.top()
        assert loop.sceneBoundingRect().bottom() >= scene.stage_item(stage.id).box_rect().top()
        assert loop.label.startswith(f"{100 - stage.pca:g}% rework")


@pytest.mark.parametrize(
    ("size", "present"),
    [((1200, 600), False), ((1300, 400), False), ((1280, 720), True), ((1920, 1080), True)],
)
def test_no_rework_line_strikes_through_a_boxs_own_rework_rate(
    qtbot: QtBot, platform: ValueStream, size: tuple[int, int], present: bool
) -> None:
    view = presenting(qtbot, platform, size)
    if not present:
        view.set_presentation(False)
        view.fit()
    scene = view.map_scene()
    rates = [
        SELF_REWORK_LABEL.translated(scene.stage_item(stage.id).box_rect().topLeft())
        for stage in platform.stages
        if scene.stage_item(stage.id).face.self_rework
    ]
    assert rates
    for stage in platform.stages:
        if stage.rework_to in (None, stage.id) or stage.pca == 100:
            continue
        line = scene.rework_item(stage.id).line()
        points = [line.pointAtPercent(step / 400) for step in range(401)]
        struck = [rate for rate in rates if any(rate.contains(point) for point in points)]
        assert not struck, f"{stage.name}'s loop runs through a rate at {struck[0]}"


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_loop_rates_cover_no_other_rate_nor_a_phase_s_name(
    qtbot: QtBot, size: tuple[int, int]
) -> None:
    # As measured from a tracker: QA sends work back to Coding over Code review's own loop,
    # and Coding writes a rate of its own.
    example = load_map(EXAMPLE)
    stages = [
        stage.replaced(pca=86.5, rework_to="coding") if stage.id == "qa" else stage
        for stage in example.stages
    ]
    stream = example.replaced(stages=stages)
    scene = presenting(qtbot, stream, size).map_scene()
    rates = [
        SELF_REWORK_LABEL.translated(scene.stage_item(stage.id).box_rect().topLeft())
        for stage in stream.stages
        if scene.stage_item(stage.id).face.self_rework
    ]
    for stage in stream.stages:
        if stage.rework_to not in (None, stage.id) and stage.pca < 100:
            label = scene.rework_item(stage.id).label_rect()
            assert not any(label.intersects(rate) for rate in rates), stage.name
    # A loop over a stacked column deepens its lane's band over the foot of the names of
    # the lane above, which it cut off: they are written over every band.
    bands_item = next(item for item in scene.items() if isinstance(item, PhaseBandsItem))
    area, scale = bands_item.boundingRect(), 3
    image = QImage((area.size() * scale).toSize(), QImage.Format.Format_ARGB32)
    image.fill(0)
    painter = QPainter(image)
    painter.scale(scale, scale)
    painter.translate(-area.topLeft())
    bands_item.paint(painter, QStyleOptionGraphicsItem())
    painter.end()
    bands = scene.phase_bands()
    for number, band in enumerate(bands):
        name = band.name_rect()
        label = theme.color(theme.PHASE_COLORS[band.phase].label)
        for later in bands[number + 1 :]:
            if name is None or not later.rect.intersects(name):
                continue
            cut = later.rect.intersected(name).translated(-area.topLeft())
            pixels = [
                image.pixelColor(x, y)
                for x in range(int(cut.left() * scale), int(cut.right() * scale))
                for y in range(int(cut.top() * scale), int(cut.bottom() * scale))
            ]
            assert any(
                abs(pixel.red() - label.red()) + abs(pixel.green() - label.green()) < 40
                and abs(pixel.blue() - label.blue()) < 40
                for pixel in pixels
            ), band.phase


def test_loops_back_to_the_first_lane_stay_under_the_title(qtbot: QtBot) -> None:
    stages = [{"id": f"s{n}", "name": f"Stage {n}", "process_time": "1d"} for n in range(7)]
    for source, target in (("s1", "s0"), ("s4", "s3"), ("s6", "s3")):
        stages[int(source[1])] |= {"pca": 80, "rework_to": target}
    stream = ValueStream.model_validate({"name": "Loops", "stages": stages})
    scene = MapScene()
    scene.show_map(stream, analyze(stream))
    view = MapView(scene)
    qtbot.addWidget(view)
    view.resize(1200, 800)
    view.show()
    view.fit()
    assert len(scene.lanes()) >= 2
    # The title sits above the phase bands: a loop inside them never meets it.
    bands_top = min(band.rect.top() for band in scene.phase_bands())
    labels = []
    for source in ("s1", "s4", "s6"):
        loop = scene.rework_item(source)
        assert loop.line().boundingRect().top() >= bands_top
        assert loop.label_rect().top() >= bands_top
        labels.append(loop.label_rect())
    assert not any(a.intersects(b) for a, b in itertools.combinations(labels, 2))


def branches(seed: int) -> ValueStream:
    """Columns of one to three parallel stages; the lowest stage of a column sends work back
    to an earlier stage, and a later stage to the lowest stage of an earlier column."""
    rng = random.Random(seed)
    columns: list[list[dict[str, Any]]] = []
    flows = []
    for number in range(rng.randint(7, 10)):
        width = 1 if number == 0 else rng.choice((1, 2, 2, 3))
        count = sum(map(len, columns))
        column = [
            {"id": f"s{count + row}", "name": f"Stage {count + row}", "process_time": "4h"}
            | (
                {"ai": [{"id": f"ai{count + row}", "name": "Assistant"}]}
                if rng.random() < 0.4
                else {}
            )
            for row in range(width)
        ]
        previous = columns[-1] if columns else []
        flows += [{"from": a["id"], "to": b["id"]} for a in previous for b in column]
        columns.append(column)
    stacked = [number for number, column in enumerate(columns) if len(column) > 1]
    source_column = rng.choice(stacked[1:] or stacked)
    columns[source_column][-1] |= {
        "pca": 80,
        "rework_to": rng.choice([s["id"] for c in columns[:source_column] for s in c]),
    }
    target_column = rng.choice([n for n in stacked if n < len(columns) - 1])
    later = rng.choice([c[0] for c in columns[target_column + 1 :]])
    if "rework_to" not in later:
        later |= {"pca": 85, "rework_to": columns[target_column][-1]["id"]}
    # Rates of the boxes' own loops, which no other loop may cross.
    for stage in rng.sample([s for c in columns for s in c if "pca" not in s], 3):
        stage["pca"] = 90
    stages = [stage for column in columns for stage in column]
    return ValueStream.model_validate(
        {"name": f"Branches {seed}", "stages": stages, "flows": flows}
    )


def loop_crossings(scene: MapScene, stream: ValueStream) -> list[str]:
    """What a rework loop's line or rate covers: another box, a pill or badge, another rate."""
    stroker = QPainterPathStroker()
    stroker.setWidth(2.4)
    body = AIBadgeItem.RADIUS * 0.78
    crossed = []
    for stage in stream.stages:
        if stage.rework_to in (None, stage.id) or stage.pca == 100:
            continue
        loop = scene.rework_item(stage.id)
        line = stroker.createStroke(loop.line())
        for other in stream.stages:
            box = scene.stage_item(other.id)
            covered = (
                [(box.box_rect(), "box")] if other.id not in (stage.id, stage.rework_to) else []
            )
            covered += [
                (tag_rect(text, n).translated(box.pos()), "pill")
                for n, (text, _) in enumerate(box.face.tags)
            ]
            if other.id != stage.rework_to:
                # A loop lands on its target's top beside that box's own rate and AI badge;
                # one over a box passes a unit over the tip of its badge's burst.
                covered += [
                    (badge.mapRectToScene(QRectF(-body, -body, 2 * body, 2 * body)), "badge")
                    for badge in box.childItems()
                ]
                if box.face.self_rework:
                    covered += [(SELF_REWORK_LABEL.translated(box.pos()), "rate")]
            if other.id != stage.id and other.rework_to not in (None, other.id) and other.pca < 100:
                covered += [(scene.rework_item(other.id).label_rect(), "loop's rate")]
            for rect, what in covered:
                if line.intersects(rect):
                    crossed.append(f"{stage.name}'s loop crosses {other.name}'s {what}")
                elif what in ("box", "badge", "rate") and loop.label_rect().intersects(rect):
                    crossed.append(f"{stage.name}'s rate covers {other.name}'s {what}")
    return crossed


@pytest.mark.parametrize(
    ("size", "present"), [((1920, 1080), True), ((1280, 720), True), ((1600, 900), False)]
)
def test_a_loop_from_a_parallel_stage_climbs_beside_the_boxes_over_it(
    qtbot: QtBot, size: tuple[int, int], present: bool
) -> None:
    # Security review, drawn under QA testing, sent work back to Code review straight up
    # through QA testing's box and its rate.
    example = load_map(EXAMPLE)
    stages = [
        stage.replaced(rework_to="review") if stage.id == "security" else stage
        for stage in example.stages
    ]
    maps = [example.replaced(stages=stages), *(branches(seed) for seed in range(6))]
    for stream in maps:
        view = presenting(qtbot, stream, size)
        if not present:
            view.set_presentation(False)
            view.fit()
        assert loop_crossings(view.map_scene(), stream) == [], stream.name


def test_the_timeline_ladder_wraps_with_the_lanes(qtbot: QtBot, platform: ValueStream) -> None:
    scene = MapScene()
    analysis = analyze(platform)
    scene.show_map(platform, analysis)
    lanes = scene.lanes()
    assert len(lanes) >= 2
    steps = scene.timeline_steps()
    assert [step.name for step in steps] == [
        next(m.name for m in analysis.stages if m.id == stage_id)
        for stage_id in analysis.critical_path
    ]
    assert {step.lane for step in steps} == set(range(len(lanes)))
    for step, stage_id in zip(steps, analysis.critical_path, strict=True):
        box = scene.stage_item(stage_id).box_rect()
        assert step.lane == lane_of(lanes, box.center().y())
        assert step.process_start == box.left()
    for before, after in itertools.pairwise(steps):
        assert (after.lane, after.wait_start) >= (before.lane, before.wait_start)


def test_every_box_sits_on_the_band_of_its_phase(platform: ValueStream) -> None:
    scene = MapScene()
    scene.show_map(platform, analyze(platform))
    bands = scene.phase_bands()
    for stage in platform.stages:
        box = scene.stage_item(stage.id).box_rect()
        assert any(band.phase == stage.phase and band.rect.contains(box) for band in bands)
    labelled = [band.phase for band in bands if band.name_bottom is not None]
    assert sorted(labelled) == sorted({stage.phase for stage in platform.stages})


def test_a_dragged_box_keeps_its_place_in_the_wrapped_map(platform: ValueStream) -> None:
    stages = list(platform.stages)
    stages[3] = stages[3].model_copy(update={"position": (2500.0, -400.0)})
    stream = platform.model_copy(update={"stages": stages})
    scene = MapScene()
    scene.show_map(stream, analyze(stream))
    assert scene.stage_item(stages[3].id).pos().toTuple() == (2500.0, -400.0)
    automatic = MapScene()
    automatic.show_map(platform, analyze(platform))
    assert (
        scene.stage_item(stages[4].id).pos().toTuple()
        == automatic.stage_item(stages[4].id).pos().toTuple()
    )


LONG_NAMES = [
    "Discovery",
    "Release train packaging and artifact signing pipeline",
    "要件定義レビューと承認プロダクトオーナーによる最終確認と合意形成",
]


def presented_banner(
    qtbot: QtBot, stream: ValueStream, size: tuple[int, int], scenario: str | None
) -> tuple[MainWindow, PresentationBanner]:
    """A window presenting ``scenario`` of ``stream`` (None: the current state) at ``size``."""
    window = MainWindow(stream, EXAMPLE, remember_layout=False)
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    window.toggle_presentation(True, full_screen=False)
    window.workspace.show_scenario(scenario)
    window.workspace.refresh_now()
    banner = window.view.findChild(PresentationBanner)
    assert banner is not None and banner.isVisible()
    return window, banner


@pytest.mark.parametrize("size", [size for size, _ in SCREENS])
@pytest.mark.parametrize("scenario", [None, "ai-across-the-stream"])
@pytest.mark.parametrize("name", LONG_NAMES)
def test_every_banner_figure_reads_at_least_as_large_as_the_changes_against_today(
    qtbot: QtBot, size: tuple[int, int], scenario: str | None, name: str
) -> None:
    example = load_map(EXAMPLE)
    stages = [
        stage.model_copy(update={"name": name}) if stage.id == "discovery" else stage
        for stage in example.stages
    ]
    window, banner = presented_banner(
        qtbot, example.model_copy(update={"stages": stages}), size, scenario
    )
    cards = banner.cards()
    assert [card.figure for card in cards] == list(window.scene.headline().figures)
    assert cards[-1].figure.value == name
    assert any(card.figure.change for card in cards) == (scenario is not None)
    least = banner.least_pixels()
    # The least size reads from the back of the room.
    assert least >= readable_pixels(window.view.height())
    for card in cards:
        # Before, a scenario's lead time took two 9-pixel lines ("34w / 0.5d") beside a
        # 13-pixel change, and its flow efficiency 6 pixels.
        assert card.value_font.pixelSize() >= least, card.figure.caption
        assert card.change_font.pixelSize() <= card.value_font.pixelSize()
        assert QRectF(banner.rect()).contains(card.rect)
        room = card.value_rect.width()
        if card.figure.change:
            room -= QFontMetricsF(card.change_font).horizontalAdvance(card.figure.change)
        metrics = QFontMetricsF(card.value_font)
        if card.figure.name:
            lines = card.value.split("\n")
            assert len(lines) <= 2 and all(
                metrics.horizontalAdvance(line) <= room for line in lines
            )
            # Whole, or its start and "…"; broken at a space, or anywhere in Japanese.
            shown = card.value.replace("\n", " " if " " in name else "")
            assert shown == name or (shown.endswith("…") and name.startswith(shown[:-1]))
        else:
            assert card.value == card.figure.value
            assert metrics.horizontalAdvance(card.value) <= room, card.figure.caption
        caption = QFontMetricsF(card.caption_font)
        # "EXPECTED, WITH REWORK" lost its K beside a long Japanese name.
        assert card.caption == card.figure.caption
        assert caption.horizontalAdvance(card.caption) <= card.value_rect.width()


def test_the_banner_of_an_overloaded_scenario_names_the_stage_to_fix(qtbot: QtBot) -> None:
    example = load_map(EXAMPLE)
    scenarios = [
        scenario.model_copy(update={"demand_factor": 3.0})
        if scenario.id == "more-changes"
        else scenario
        for scenario in example.scenarios
    ]
    window, banner = presented_banner(
        qtbot, example.model_copy(update={"scenarios": scenarios}), (1280, 720), "more-changes"
    )
    overflowing = window.workspace.overflowing
    assert [change.stage for change in overflowing][:2] == ["UX design", "Coding"]
    # The words the Metrics panel uses to say what to do first.
    assert relief_text(overflowing).startswith(f"{fix_first_text(overflowing)}:")
    cards = banner.cards()
    assert cards[0].value == "unbounded"
    # Before, the banner said only "unbounded", with no card naming a stage.
    assert cards[-1].figure.value == fix_first_text(overflowing)
    assert cards[-1].value.startswith("Fix UX design, Coding")
    assert cards[-1].caption == "OVERLOADED · THEIR QUEUES GROW WITHOUT BOUND"
    assert cards[-1].value_font.pixelSize() >= banner.least_pixels()


def test_the_banner_shortens_the_maps_name_before_the_state_shown(qtbot: QtBot) -> None:
    # Flipping through scenarios, the room reads which one is shown: its name stays whole.
    metrics = QFontMetricsF(theme.font(40, bold=True))
    name = "Idea to production: a web product team"
    label = "Scenario: AI review and tests, more review and design time, 30% more changes"
    assert banner_title(name, "Current state", metrics, 10_000) == f"{name}  ·  Current state"
    width = metrics.horizontalAdvance(f"Idea to…  ·  {label}") + 1
    title = banner_title(name, label, metrics, width)
    assert title.startswith("Idea") and title.endswith(f"…  ·  {label}")
    assert metrics.horizontalAdvance(title) <= width
    narrow = banner_title(name, label, metrics, metrics.horizontalAdvance(label) / 2)
    assert narrow.startswith("Scenario: AI review") and narrow.endswith("…")


def test_a_blank_map_names_no_constraint() -> None:
    stream = load_map(ROOT / "resources" / "templates" / "blank.vsm.json")
    scene = MapScene()
    scene.show_map(stream, analyze(stream))
    assert not any("CONSTRAINT" in figure.caption for figure in scene.headline().figures)
    for stage in stream.stages:
        assert not scene.stage_item(stage.id).face.constraint


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")
def test_ocr_reads_every_name_at_720p(qtbot: QtBot, platform: ValueStream, tmp_path: Path) -> None:
    view = presenting(qtbot, platform, (1280, 720))
    shot = tmp_path / "room.png"
    assert view.grab().save(str(shot))
    text = subprocess.run(
        # Sparse text: a diagram is not a page of paragraphs.
        ["tesseract", str(shot), "-", "--psm", "11"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    words = set(re.findall(r"[a-z]+", text.lower()))
    missing = [
        stage.name
        for stage in platform.stages
        if not set(re.findall(r"[a-z]+", stage.name.lower())) <= words
    ]
    assert not missing


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_screenshot_of_presentation_mode_at_a_size(
    tmp_path: Path, qapp: QApplication, size: tuple[int, int]
) -> None:
    QStandardPaths.setTestModeEnabled(True)
    out = tmp_path / "room.png"
    width, height = size
    assert (
        main(
            [
                "--screenshot",
                str(out),
                str(PLATFORM),
                "--size",
                f"{width}x{height}",
                "--presentation",
            ]
        )
        == 0
    )
    image = QImage(str(out))
    assert (image.width(), image.height()) == size
    # Presentation: no menu bar or panels, the banner's constraint in its red on top.
    constraint = theme.color(theme.CONSTRAINT).rgb()
    top = [image.pixel(x, y) for x in range(0, width, 3) for y in range(0, height // 5, 3)]
    assert constraint in top


@pytest.mark.parametrize(
    ("size", "complaint"),
    [
        ("12x", "not a size"),
        ("0x720", "200 to 8000"),
        ("1280*720", "not a size"),
        ("9000x100", "200 to 8000"),
    ],
)
def test_a_bad_screenshot_size_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], size: str, complaint: str
) -> None:
    out = tmp_path / "room.png"
    assert main(["--screenshot", str(out), "--size", size]) == 2
    error = capsys.readouterr().err
    assert error.startswith("vsmapper: error:") and complaint in error
    assert error.count("\n") == 1
    assert not out.exists()


def test_presentation_without_a_screenshot_is_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--presentation"]) == 2
    assert "--screenshot" in capsys.readouterr().err


WORKSHOP_NOTES = [
    ("discovery", "pain", "Monthly prioritisation meeting"),
    ("discovery", "pain", "Prioritisation only happens monthly; urgent items bypass it"),
    ("discovery", "kaizen", "Weekly 30-min triage instead of monthly meeting"),
    ("coding", "pain", "Specs change mid-sprint"),
    ("review", "pain", "PRs wait for the one senior dev"),
    ("review", "pain", "Review waits on approvals again"),
    ("qa", "kaizen", "Automate the regression suite"),
    ("approval", "pain", "CAB meets only on Thursdays"),
    ("deploy", "pain", "Pipeline flaky; reruns needed"),
]
"""What a workshop put on the bundled example: three stages with two notes or more."""


def presenting_with_notes(
    make_window: WindowFactory, size: tuple[int, int], notes: list[tuple[str, str, str]]
) -> MainWindow:
    """The example with these (stage, kind, text) notes, presenting at ``size``."""
    window = make_window(load_map(EXAMPLE), shown=True, size=size)
    for number, (stage, kind, text) in enumerate(notes):
        window.workspace.document.add_note(Note(id=f"n{number}", stage=stage, kind=kind, text=text))
    window.workspace.refresh_now()
    window.toggle_presentation(True, full_screen=False)
    QApplication.processEvents()
    return window


@pytest.mark.parametrize(("size", "least"), SCREENS)
def test_a_map_with_a_workshops_notes_fits_the_room_whole(
    make_window: WindowFactory, size: tuple[int, int], least: float
) -> None:
    window = presenting_with_notes(make_window, size, WORKSHOP_NOTES)
    view, scene = window.view, window.scene
    # The even cut into three lanes put the notes' rows and the stacked boxes' depth in
    # three lanes' heights: the last lane was cut off under a scroll bar.
    assert not view.verticalScrollBar().isVisible()
    shown = view.mapFromScene(scene.content_rect()).boundingRect()
    assert view.viewport().rect().contains(shown)
    for stage in window.workspace.stream.stages:
        assert name_pixels(view, stage.id) >= least, stage.name
    # Too many to stand on the map in type the room reads: listed beside it, kaizen bursts
    # first, each kind in map order.
    assert window.workshop.notes_layer.items == {}
    listed = [(note.stage, note.kind, note.text) for note in window.workshop.note_list.listed]
    order = [stage.id for stage in window.workspace.stream.stages]
    in_order = sorted(WORKSHOP_NOTES, key=lambda note: (note[1] != "kaizen", order.index(note[0])))
    assert len(listed) >= 6 and listed == in_order[: len(listed)]
    assert_listed_notes_read_in_the_room(window, least)
    # Listed again while in view (an edit, a resize): it kept no height, its new labels
    # shown only once the event loop got to them.
    height = window.workshop.note_list.height()
    window.workspace.refresh_now()
    assert window.workshop.note_list.height() == height
    assert_listed_notes_read_in_the_room(window, least)


def assert_listed_notes_read_in_the_room(window: MainWindow, least: float) -> None:
    """The notes beside the map are in view, clear of the strip's other panels, in type at
    least as large as a stage's name must be."""
    listing = window.workshop.note_list
    assert listing.isVisible() and listing.listed
    view = window.view
    viewport = view.viewport().geometry()
    strip = QRect(
        viewport.right() + 1, viewport.top(), listing.width() + 2 * PAD, viewport.height()
    )
    assert strip.contains(listing.geometry())
    for other in (window.workshop.agenda, window.workshop.overlay):
        assert not other.isVisible() or not other.geometry().intersects(listing.geometry())
    texts = [label for label in listing.findChildren(QLabel) if label.isVisible()]
    for label in texts:
        assert label.fontInfo().pixelSize() >= least * 0.9, label.text()
    shown = {label.text().removeprefix("✓ ") for label in texts}
    assert {note.text for note in listing.listed} <= shown


def test_a_few_notes_stand_on_the_map_and_none_beside_it(make_window: WindowFactory) -> None:
    window = presenting_with_notes(make_window, (1280, 720), WORKSHOP_NOTES[:2])
    assert window.scene.note_style().on_map
    assert len(window.workshop.notes_layer.items) == 2
    assert not window.workshop.note_list.isVisible()
    window.toggle_presentation(False)
    assert not window.workshop.note_list.isVisible()


def test_notes_stacked_over_one_stage_are_listed_beside_a_map_they_would_shrink(
    qtbot: QtBot,
) -> None:
    # Six pain points over Code review (and three notes elsewhere) stood on the map in large
    # type, readable but the map shrunk to two thirds of its size: its figures were 10 px
    # high and a third of the room stayed empty.
    names = ["Intake", "Triage", "UX design", "Coding", "Code review", "QA testing", "Release"]
    stages = [
        {"id": f"s{n}", "name": name, "wait_time": "1d", "pca": 90} for n, name in enumerate(names)
    ]
    pains = ["PRs too big", "Flaky CI", "No checklist", "Context switching", "QA env", "Seniors"]
    stages[4] |= {"rework_to": "s3"}
    notes = [{"id": f"n{n}", "stage": "s4", "kind": "pain", "text": p} for n, p in enumerate(pains)]
    notes += [
        {"id": "k", "stage": "s1", "kind": "kaizen", "text": "Release train every week"},
        {"id": "u", "stage": "s2", "kind": "pain", "text": "Design waits for research"},
        {"id": "q", "stage": "s5", "kind": "kaizen", "text": "Automate the regression suite"},
    ]
    data = {"format": "vsmapper", "version": 2, "name": "N", "stages": stages}
    shown = []
    for stream in (map_from_data(data), map_from_data(data | {"notes": notes})):
        scene = MapScene()
        scene.set_room(Room(1010, 612, least_scale=0.5, comfortable_scale=0.75))  # 1280×720's
        scene.set_presentation(True)
        scene.show_map(stream, analyze(stream))
        shown.append((scene.note_style().on_map, scene.fit_rect().size()))
    (_, plain), (on_map, noted) = shown
    assert not on_map and noted == plain  # the map as large as without them


def test_the_maps_own_notes_count_in_the_height_it_is_wrapped_for(qtbot: QtBot) -> None:
    stream = load_map(EXAMPLE)
    noted = stream.model_copy(update={"notes": [Note(id="n", kind="kaizen", text="Flow review")]})
    room = Room(1280, 600, least_scale=0.5, comfortable_scale=0.75)
    lanes = []
    for shown in (stream, noted):
        scene = MapScene()
        scene.show_map(shown, analyze(shown))
        scene.set_presentation(True, room)
        lanes.append(len(scene.lanes()))
    # Their row over the map's top leaves the lanes less height: fewer, wider lanes.
    assert lanes[1] < lanes[0]


@pytest.mark.parametrize(("size", "least"), SCREENS)
def test_beside_a_rounds_qr_code_the_notes_listed_show_whole(
    make_window: WindowFactory, size: tuple[int, int], least: float
) -> None:
    # Two notes side by side over the last box of a lane reach past the lane's end.
    notes = [*WORKSHOP_NOTES, ("approval", "pain", "CAB meets only on Thursdays")]
    window = presenting_with_notes(make_window, size, notes)
    listing = window.workshop.note_list
    before = len(listing.listed)
    # A short address keeps the strip as wide: the list must be fitted again all the same.
    window.workshop.overlay.show_round("http://10.0.0.5:8000/s/Ab3dE9xkQ2")
    QApplication.processEvents()
    view = window.view
    for stage in window.workspace.stream.stages:
        assert name_pixels(view, stage.id) >= least, stage.name
    # Over the code and the agenda, as many as there is room for, and how many more.
    assert_listed_notes_read_in_the_room(window, least)
    hidden = len(notes) - len(listing.listed)
    assert 0 < len(listing.listed) < before and hidden > 0
    more = [label.text() for label in listing.findChildren(QLabel) if label.isVisible()][-1]
    assert more == f"+{hidden} more"
    window.workshop.overlay.show_round(None)
    QApplication.processEvents()
    assert len(listing.listed) == before
    assert_listed_notes_read_in_the_room(window, least)


def test_a_scenario_s_headline_says_what_it_changes_against_today(
    make_window: WindowFactory,
) -> None:
    window = make_window(load_map(example_map_path()), shown=True)
    workspace = window.workspace
    workspace.show_scenario("coding-assistant-only")
    workspace.refresh_now()
    window.menus.presentation_action.trigger()  # the room lays the map out again
    lead, efficiency, expected, constraint = window.scene.headline().figures
    # The room saw "10w 0.6d" and had to remember today's lead time to see the loss.
    assert (lead.value, lead.change) == ("10w 0.6d", "+4.8d vs today")
    # 13.2% against today's 15.9%, as Compare scenarios puts it (−2.75 rounded read −2.8).
    assert (efficiency.value, efficiency.change) == ("13.2%", "−2.7 pts vs today")
    assert lead.change_color == WORSE
    assert expected.change == "+1w 1.9d vs today" and constraint.change == ""
    workspace.show_scenario(None)
    workspace.refresh_now()
    assert all(figure.change == "" for figure in window.scene.headline().figures)


def test_notes_added_while_presenting_still_leave_the_map_whole(
    make_window: WindowFactory,
) -> None:
    window = make_window(load_map(EXAMPLE), shown=True, size=(1280, 720))
    window.toggle_presentation(True, full_screen=False)
    QApplication.processEvents()
    # As Apply merge puts a round's pain points on the map in front of the room.
    for number, (stage, kind, text) in enumerate(WORKSHOP_NOTES):
        window.workspace.document.add_note(Note(id=f"n{number}", stage=stage, kind=kind, text=text))
    window.workspace.refresh_now()
    QApplication.processEvents()
    view = window.view
    # The last lane ran off the bottom of the screen until the view was fitted again.
    shown = view.mapFromScene(window.scene.content_rect()).boundingRect()
    assert view.viewport().rect().contains(shown)


def test_a_map_too_big_to_read_whole_keeps_its_scroll_when_it_grows(
    make_window: WindowFactory,
) -> None:
    window = make_window(synthetic_map(150), shown=True, size=(1280, 720))
    window.toggle_presentation(True, full_screen=False)
    QApplication.processEvents()
    bar = window.view.verticalScrollBar()
    assert bar.isVisible()
    bar.setValue(bar.maximum())  # the room looks at the end of the stream
    stage = window.workspace.stream.stages[-1].id
    window.workspace.document.add_note(Note(id="n", stage=stage, kind="pain", text="Slow"))
    window.workspace.refresh_now()
    QApplication.processEvents()
    # Fitted again, it went back to its top.
    assert bar.value() > bar.maximum() // 2


def presenting_a_big_map(make_window: WindowFactory) -> tuple[MainWindow, MapView, QScrollBar]:
    """A 150-stage map presented at 1280×720, its view and the view's vertical scroll bar."""
    window = make_window(synthetic_map(150), shown=True, size=(1280, 720))
    window.toggle_presentation(True, full_screen=False)
    QApplication.processEvents()
    return window, window.view, window.view.verticalScrollBar()


def test_presenting_the_map_scrolls_to_each_stage_the_arrow_keys_select(
    make_window: WindowFactory,
) -> None:
    window, view, bar = presenting_a_big_map(make_window)
    assert bar.isVisible() and bar.value() == bar.minimum()
    zoom = view.zoom()
    view.setFocus()
    window.select([window.workspace.stream.stages[0].id])
    selected = []
    for key in [Qt.Key.Key_Right] * 60 + [Qt.Key.Key_Left] * 60:
        QTest.keyClick(view, key)
        view.finish_scrolling()
        (stage_id,) = window.selected_ids
        selected.append(stage_id)
        shown = view.mapToScene(view.viewport().rect()).boundingRect()
        # Page Up and Down belong to the agenda: rows below the screen were out of reach.
        assert shown.contains(window.scene.stage_item(stage_id).sceneBoundingRect()), stage_id
        if len(selected) == 60:
            assert bar.value() > bar.minimum()
    assert len(set(selected)) == 61 and selected[-1] == window.workspace.stream.stages[0].id
    assert bar.value() == bar.minimum()
    # Scrolled only: the room keeps the size the map was fitted at.
    assert view.zoom() == zoom


def test_presenting_a_refresh_leaves_the_map_where_the_room_scrolled_it(
    make_window: WindowFactory,
) -> None:
    window, _view, bar = presenting_a_big_map(make_window)
    window.select([window.workspace.stream.stages[0].id])
    bar.setValue(bar.maximum())
    window.workspace.refresh_now()  # as a scenario shown or an edit does
    window.view.finish_scrolling()
    # It went back to the selected stage at the top, away from what the room looked at.
    assert bar.value() == bar.maximum()


def test_presenting_a_box_chosen_with_the_pointer_does_not_scroll(
    make_window: WindowFactory,
) -> None:
    window, view, bar = presenting_a_big_map(make_window)
    # A box half under the screen's bottom edge, clicked on its half in view.
    item = window.scene.stage_item(window.workspace.stream.stages[40].id)
    box = item.box_rect()
    bar.setValue(bar.value() + view.mapFromScene(box.center()).y() - view.viewport().height())
    shown = view.mapToScene(view.viewport().rect()).boundingRect()
    assert shown.intersects(box) and not shown.contains(box)
    point = view.mapFromScene(box.intersected(shown).center())
    before = bar.value()
    assert view.itemAt(point) is item
    QTest.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    view.finish_scrolling()
    QTest.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    view.finish_scrolling()
    # Scrolling under the held button would drag the box along with the map.
    assert window.selected_ids == [window.workspace.stream.stages[40].id]
    assert bar.value() == before
