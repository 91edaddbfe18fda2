"""The map canvas: automatic layout, the scene as a view of the map, gestures, export."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import defusedxml.ElementTree as ElementTree
import numpy
import pytest
import shiboken6
from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QFontInfo,
    QFontMetricsF,
    QImage,
    QMouseEvent,
    QPainter,
    QPixmapCache,
    QWheelEvent,
)
from PySide6.QtWidgets import QApplication, QStyleOptionGraphicsItem
from pytestqt.qtbot import QtBot

from benchmarks.maps import synthetic_map
from vsmapper.analysis import analyze
from vsmapper.cli import example_map_path
from vsmapper.errors import VSMapperError
from vsmapper.io.mapfile import load_map, parse_map_text
from vsmapper.layout import Grid
from vsmapper.model import ValueStream
from vsmapper.model.document import Document
from vsmapper.ui import theme
from vsmapper.ui.canvas import MapScene, MapView, render_image, save_png, save_svg
from vsmapper.ui.canvas.items import (
    BOX,
    MIN_TITLE_PIXELS,
    READABLE_DETAIL,
    SELF_REWORK_LABEL,
    TITLE_SIZES,
    StageFace,
    StageItem,
    TimelineItem,
    tag_rect,
)
from vsmapper.ui.canvas.view import RELAYOUT_DELAY_MS

GRID = Grid()

CHECKOUT: dict[str, Any] = {
    "format": "vsmapper",
    "version": 1,
    "name": "Checkout feature",
    "hourly_cost": 90,
    "currency": "EUR",
    "demand_per_week": 4,
    "stages": [
        {
            "id": "intake",
            "name": "Idea intake",
            "phase": "ideation",
            "process_time": "1h",
            "people": 2,
        },
        {
            "id": "refine",
            "name": "Refinement",
            "phase": "ideation",
            "process_time": "4h",
            "wait_time": "5d",
            "pca": 80,
            "people": 3,
            "ai": [
                {"id": "ai-stories", "name": "Story drafting", "process_time_factor": 0.5},
                {"id": "ai-criteria", "name": "Acceptance criteria", "pca_delta": 10},
            ],
        },
        {
            "id": "coding",
            "name": "Coding",
            "phase": "creation",
            "process_time": "2d",
            "wait_time": "1-3d",
            "pca": 90,
            "people": 5,
        },
        {
            "id": "review",
            "name": "Code review",
            "phase": "creation",
            "process_time": "2h",
            "wait_time": "3d",
            "pca": 85,
            "rework_to": "coding",
            "people": 4,
        },
        {
            "id": "security",
            "name": "Security scan",
            "phase": "creation",
            "process_time": "1h",
            "wait_time": "1d",
        },
        {
            "id": "qa",
            "name": "QA",
            "phase": "release",
            "process_time": "4h",
            "wait_time": "2d",
            "people": 0.1,
        },
        {
            "id": "deploy",
            "name": "Deploy",
            "phase": "release",
            "process_time": "30m",
            "wait_time": "1d",
        },
    ],
    "flows": [
        {"from": "intake", "to": "refine"},
        {"from": "refine", "to": "coding"},
        {"from": "coding", "to": "review"},
        {"from": "coding", "to": "security"},
        {"from": "review", "to": "qa"},
        {"from": "security", "to": "qa"},
        {"from": "qa", "to": "deploy"},
    ],
}


def checkout(**changes: Any) -> ValueStream:
    """The checkout map with a parallel branch, rework, AI and an overloaded QA."""
    return parse_map_text(json.dumps({**CHECKOUT, **changes}))


def with_stages(stream: ValueStream, **changed: dict[str, Any]) -> ValueStream:
    """The map with some stages' fields changed."""
    stages = [stage.replaced(**changed.get(stage.id, {})) for stage in stream.stages]
    return stream.replaced(stages=stages)


@pytest.fixture
def scene(qapp: Any) -> MapScene:
    """A scene showing the checkout map."""
    scene = MapScene()
    stream = checkout()
    scene.show_map(stream, analyze(stream))
    return scene


@pytest.fixture
def view(scene: MapScene, qtbot: QtBot) -> MapView:
    """A shown view of the checkout scene at 1:1 zoom."""
    view = MapView(scene)
    qtbot.addWidget(view)
    view.resize(1400, 900)
    view.show()
    view.activateWindow()
    view.setFocus()
    qtbot.waitUntil(scene.isActive)
    return view


def viewport_point(view: MapView, scene_point: QPointF) -> QPoint:
    """Where a scene point is on the view's viewport, after scrolling it into view."""
    view.centerOn(scene_point)
    return view.mapFromScene(scene_point)


def box_centre(scene: MapScene, stage_id: str, dy: float = 0) -> QPointF:
    """A point inside a stage's box, below its title unless moved by ``dy``."""
    box = scene.stage_item(stage_id).box_rect()
    return QPointF(box.center().x(), box.center().y() + 20 + dy)


# -- what the scene shows -----------------------------------------------------------------------


def test_show_map_builds_one_box_per_stage(scene: MapScene) -> None:
    boxes = {stage_id: scene.stage_item(stage_id) for stage_id in checkout().graph()}
    assert {item.name for item in boxes.values()} == {s.name for s in checkout().stages}
    assert len({id(item) for item in boxes.values()}) == 7
    review, security = boxes["review"].pos(), boxes["security"].pos()
    assert review.x() == security.x() and review.y() < security.y()


def test_the_constraint_is_marked_with_its_share(feature_chain: ValueStream, qapp: Any) -> None:
    scene = MapScene()
    scene.show_map(feature_chain, analyze(feature_chain))
    face = scene.stage_item("refine").face
    assert face is not None and face.constraint
    assert face.tags[0][0] == "CONSTRAINT · 40%"
    # The share is of expected lead time, the one the headline names.
    assert scene.headline().figures[-1].caption == "CONSTRAINT · 40% OF EXPECTED LEAD TIME"
    assert not any(scene.stage_item(s).face.constraint for s in ("intake", "coding", "deploy"))


def test_the_critical_path_is_drawn_thick(scene: MapScene) -> None:
    critical = scene.flow_item("coding", "review")
    side = scene.flow_item("coding", "security")
    assert critical.critical and not side.critical
    assert critical.width() > 2 * side.width()


def test_boxes_show_their_numbers_with_the_maps_calendar(scene: MapScene) -> None:
    coding = scene.stage_item("coding").face
    assert (coding.process, coding.pca, coding.people, coding.wait) == ("2d", "90%", "5", "2d")
    assert scene.stage_item("refine").face.self_rework == "20% rework"


def test_a_box_shows_a_part_time_person_as_typed(scene: MapScene) -> None:
    changed = with_stages(checkout(), coding={"people": 0.85})
    scene.show_map(changed, analyze(changed))
    assert scene.stage_item("coding").face.people == "0.85"  # not 0.8


def test_rework_to_an_earlier_stage_is_a_labelled_loop(scene: MapScene) -> None:
    loop = scene.rework_item("review")
    assert loop.label == "15% rework → Coding"
    assert loop.label_rect().bottom() < scene.stage_item("review").box_rect().top()


def test_loops_over_each_other_in_a_lane_rise_one_above_the_other(qapp: Any) -> None:
    stages = [{"id": f"s{n}", "name": f"Stage {n}", "process_time": "1h"} for n in range(5)]
    for source, target in (("s2", "s0"), ("s4", "s3"), ("s3", "s1")):
        stages[int(source[1])] |= {"pca": 90, "rework_to": target}
    stream = parse_map_text(
        json.dumps({"format": "vsmapper", "version": 1, "name": "Loops", "stages": stages})
    )
    scene = MapScene()
    scene.show_map(stream, analyze(stream))
    assert len(scene.lanes()) == 1
    top = {
        stage_id: scene.rework_item(stage_id).label_rect().top() for stage_id in ("s2", "s3", "s4")
    }
    assert top["s2"] == top["s4"] == top["s3"] + GRID.loop_step


def test_ai_opportunities_show_as_a_badge_listing_them(scene: MapScene) -> None:
    face = scene.stage_item("refine").face
    assert face.ai_count == 2
    assert "Story drafting" in face.ai_tooltip and "Acceptance criteria" in face.ai_tooltip
    assert scene.stage_item("coding").face.ai_count == 0


def test_an_overloaded_stage_is_flagged(scene: MapScene) -> None:
    tags = [text for text, _ in scene.stage_item("qa").face.tags]
    assert len(tags) == 1 and tags[0].startswith("OVERLOADED")


def test_an_update_changes_the_same_items_in_place(scene: MapScene) -> None:
    stream = checkout()
    coding = scene.stage_item("coding")
    renamed = with_stages(stream, coding={"name": "Implementation"})
    scene.show_map(renamed, analyze(renamed))
    assert scene.stage_item("coding") is coding
    assert coding.name == "Implementation"
    assert scene.rework_item("review").label == "15% rework → Implementation"


def test_an_edit_rebuilds_only_the_faces_and_timeline_steps_it_changes(scene: MapScene) -> None:
    stream = checkout()
    faces = {stage.id: scene.stage_item(stage.id).face for stage in stream.stages}
    steps = {step.name: step for step in scene.timeline_steps()}
    assert "Coding" in steps
    edited = with_stages(stream, coding={"process_time": "3d"})
    scene.show_map(edited, analyze(edited))
    assert scene.stage_item("coding").face.process == "3d"
    after = {step.name: step for step in scene.timeline_steps()}
    assert after["Coding"].process == "3d" and after.keys() == steps.keys()
    kept = [s.id for s in stream.stages if scene.stage_item(s.id).face is faces[s.id]]
    assert "coding" not in kept and len(kept) >= len(faces) - 3
    for stage_id in kept:
        name = faces[stage_id].name
        assert name not in steps or after[name] is steps[name]


def test_a_removed_stage_loses_its_box_and_flows(scene: MapScene) -> None:
    security = scene.stage_item("security")
    stream = checkout()
    smaller = stream.replaced(
        stages=[stage for stage in stream.stages if stage.id != "security"],
        flows=[flow for flow in stream.flows if "security" not in (flow.source, flow.target)],
    )
    scene.show_map(smaller, analyze(smaller))
    assert security.scene() is None
    with pytest.raises(KeyError):
        scene.stage_item("security")
    with pytest.raises(KeyError):
        scene.flow_item("coding", "security")


def test_a_hand_placed_stage_sits_where_it_was_put(scene: MapScene) -> None:
    stream = with_stages(checkout(), deploy={"position": (2600.0, 420.0)})
    scene.show_map(stream, analyze(stream))
    assert scene.stage_item("deploy").pos() == QPointF(2600, 420)
    route = scene.flow_item("qa", "deploy").boundingRect()
    assert route.right() >= 2600 - 1


def test_the_title_says_which_state_is_shown(scene: MapScene, tmp_path: Path) -> None:
    stream = checkout()
    scene.show_map(stream, analyze(stream), "Scenario: AI review")
    assert scene.headline().label == "Scenario: AI review"
    save_svg(scene, tmp_path / "map.svg")
    assert "SCENARIO: AI REVIEW" in (tmp_path / "map.svg").read_text(encoding="utf-8")


def test_an_empty_map_shows_its_title_only(qapp: Any) -> None:
    stream = checkout(stages=[], flows=[])
    scene = MapScene()
    scene.show_map(stream, analyze(stream))
    assert not scene.content_rect().isEmpty()
    assert not render_image(scene, 0.5).isNull()


def test_presentation_hides_the_details_and_shows_large_numbers(view: MapView) -> None:
    scene = view.map_scene()
    full = scene.content_rect()
    view.set_presentation(True)
    bands = scene.content_rect()
    assert bands.top() > full.top() and bands.bottom() < full.bottom()
    assert view.viewport().y() >= 100
    captions = [figure.caption for figure in scene.headline().figures]
    assert captions[0] == "LEAD TIME" and captions[-1].startswith("CONSTRAINT")
    view.set_presentation(False)
    assert scene.content_rect() == full and view.viewport().y() == 0


# -- gestures -----------------------------------------------------------------------------------


def test_dragging_boxes_reports_one_move_on_release(view: MapView, qtbot: QtBot) -> None:
    scene = view.map_scene()
    scene.select_stages(["coding", "review"])
    start = viewport_point(view, box_centre(scene, "coding"))
    moves: list[dict[str, tuple[float, float]]] = []
    scene.stagesMoved.connect(moves.append)
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=start)
    for step in range(1, 6):
        qtbot.mouseMove(view.viewport(), start + QPoint(step * 10, step * 6))
    assert moves == []
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=start + QPoint(50, 30))
    assert len(moves) == 1
    assert set(moves[0]) == {"coding", "review"}
    x, _ = moves[0]["coding"]
    assert x == pytest.approx(2 * GRID.column_pitch + 50 / view.zoom(), abs=2)
    flow = scene.flow_item("refine", "coding").boundingRect()
    assert flow.right() >= x - 1


def zoomed_out(view: MapView) -> None:
    """The whole map at half the scale where boxes are read, as after zooming out."""
    view.resetTransform()
    view.scale(READABLE_DETAIL / 2, READABLE_DETAIL / 2)
    view.centerOn(view.map_scene().content_rect().center())


def release(view: MapView, point: QPoint) -> None:
    """Let go of the left button; QTest warns when a view leaves a rubber band's release
    unaccepted, as Qt's view does."""
    QApplication.sendEvent(
        view.viewport(),
        QMouseEvent(
            QEvent.Type.MouseButtonRelease,
            QPointF(point),
            QPointF(view.viewport().mapToGlobal(point)),
            Qt.MouseButton.LeftButton,
            Qt.MouseButton.NoButton,
            Qt.KeyboardModifier.NoModifier,
        ),
    )


def alike(first: QImage, second: QImage) -> bool:
    """Whether two pictures look the same: each pixel of one is, within a few levels of
    each colour, a pixel of the other at most one pixel away (a box's picture is placed to
    the nearest pixel, and an edge half way between two may fall on either), but for a few
    where two such edges cross."""
    pixels = [
        numpy.frombuffer(image.convertToFormat(QImage.Format.Format_RGB32).constBits(), numpy.uint8)
        .reshape(image.height(), image.width(), 4)
        .astype(int)
        for image in (first, second)
    ]
    near = numpy.zeros(pixels[0].shape[:2], bool)
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            moved = numpy.roll(pixels[1], (dy, dx), axis=(0, 1))
            near |= (abs(pixels[0] - moved) <= 8).all(axis=2)
    return int((~near).sum()) <= near.size // 10_000


def test_zoomed_out_the_view_copies_a_picture_that_looks_as_painted(
    view: MapView, monkeypatch: pytest.MonkeyPatch
) -> None:
    zoomed_out(view)
    assert view.copies_pictures()
    copied = view.grab().toImage()
    monkeypatch.setattr(view, "copies_pictures", lambda: False)
    painted = view.grab().toImage()
    assert alike(copied, painted)
    view.resetTransform()
    monkeypatch.undo()
    assert not view.copies_pictures()


def test_a_selection_made_zoomed_out_shows_there_and_once_zoomed_in(
    view: MapView, qtbot: QtBot
) -> None:
    scene = view.map_scene()
    box = scene.stage_item("coding").box_rect()
    view.centerOn(box.center())
    near = view.grab().toImage()
    transform = view.transform()
    zoomed_out(view)
    centre = view.mapFromScene(box.center())
    assert view.grab().toImage().pixelColor(centre) == QColor(theme.PAPER)
    scene.select_stages(["coding"])
    qtbot.waitUntil(lambda: view.grab().toImage().pixelColor(centre) == QColor(theme.SELECTION))
    view.setTransform(transform)
    view.centerOn(box.center())
    again = view.grab().toImage()
    QPixmapCache.clear()
    assert again == view.grab().toImage() != near


def test_zoomed_out_a_dragged_box_is_painted_live_and_moves(view: MapView, qtbot: QtBot) -> None:
    scene = view.map_scene()
    zoomed_out(view)
    start = view.mapFromScene(scene.stage_item("coding").box_rect().center())
    moves: list[dict[str, tuple[float, float]]] = []
    scene.stagesMoved.connect(moves.append)
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(view.viewport(), start + QPoint(5, 3))
    qtbot.mouseMove(view.viewport(), start + QPoint(10, 6))
    assert not view.copies_pictures()
    view.grab()
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=start + QPoint(10, 6))
    assert list(moves[0]) == ["coding"]
    assert view.copies_pictures()


def start_rubber_band(view: MapView, qtbot: QtBot) -> tuple[QPoint, list[list[str]]]:
    """Drag a rubber band from above Code review to Security review's centre, not yet let
    go: where it ends, and the selections the scene reports."""
    scene = view.map_scene()
    start = view.mapFromScene(scene.stage_item("review").box_rect().topLeft() - QPointF(40, 30))
    end = view.mapFromScene(scene.stage_item("security").box_rect().center())
    reported: list[list[str]] = []
    scene.selectionChangedIds.connect(reported.append)
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=start)
    for step in range(1, 11):
        qtbot.mouseMove(view.viewport(), start + (end - start) * step / 10)
    return end, reported


def test_zoomed_out_a_rubber_band_selects_the_boxes_it_touches(view: MapView, qtbot: QtBot) -> None:
    zoomed_out(view)
    end, reported = start_rubber_band(view, qtbot)
    assert not view.copies_pictures()
    view.grab()
    release(view, end)
    assert reported[-1] == ["review", "security"]
    assert view.copies_pictures()


def test_shift_dragging_from_box_to_box_draws_a_flow(view: MapView, qtbot: QtBot) -> None:
    scene = view.map_scene()
    view.fit()
    start = view.mapFromScene(box_centre(scene, "intake"))
    end = view.mapFromScene(box_centre(scene, "qa"))
    shift = Qt.KeyboardModifier.ShiftModifier
    drawn: list[tuple[str, str]] = []
    scene.flowDrawn.connect(lambda source, target: drawn.append((source, target)))
    items_before = len(scene.items())
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, shift, start)
    for step in range(1, 6):
        qtbot.mouseMove(view.viewport(), start + (end - start) * step / 5)
    assert len(scene.items()) == items_before + 1
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, shift, end)
    assert drawn == [("intake", "qa")]
    assert len(scene.items()) == items_before
    assert scene.selected_ids() == []
    assert scene.stage_item("intake").box_rect().center() == box_centre(scene, "intake", -20)


def test_a_drawn_flow_let_go_off_the_boxes_asks_for_nothing(view: MapView, qtbot: QtBot) -> None:
    scene = view.map_scene()
    view.fit()
    start = view.mapFromScene(box_centre(scene, "intake"))
    shift = Qt.KeyboardModifier.ShiftModifier
    with qtbot.assertNotEmitted(scene.flowDrawn):
        qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, shift, start)
        qtbot.mouseMove(view.viewport(), start + QPoint(0, 400))
        qtbot.mouseRelease(
            view.viewport(), Qt.MouseButton.LeftButton, shift, start + QPoint(0, 400)
        )
        qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, shift, start)
        qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, shift, start)


@pytest.mark.parametrize("grab", ["middle button", "space and left button"])
def test_grabbing_the_map_pans_it(view: MapView, qtbot: QtBot, grab: str) -> None:
    for _ in range(4):
        view.zoom_in()
    button = Qt.MouseButton.MiddleButton
    if grab == "space and left button":
        button = Qt.MouseButton.LeftButton
        qtbot.keyPress(view, Qt.Key.Key_Space)
    bars = view.horizontalScrollBar(), view.verticalScrollBar()
    for bar in bars:
        bar.setValue((bar.minimum() + bar.maximum()) // 2)
    before = [bar.value() for bar in bars]
    start = QPoint(600, 400)
    with qtbot.assertNotEmitted(view.map_scene().selectionChangedIds):
        qtbot.mousePress(view.viewport(), button, pos=start)
        qtbot.mouseMove(view.viewport(), start + QPoint(-40, -30))
        qtbot.mouseRelease(view.viewport(), button, pos=start + QPoint(-40, -30))
    assert [bar.value() for bar in bars] == [before[0] + 40, before[1] + 30]
    if grab == "space and left button":
        qtbot.keyRelease(view, Qt.Key.Key_Space)
        assert not view.space_held


def test_syncing_the_selection_is_not_reported_back(view: MapView, qtbot: QtBot) -> None:
    scene = view.map_scene()
    reported: list[list[str]] = []
    scene.selectionChangedIds.connect(reported.append)
    scene.select_stages(["qa", "intake"])
    assert reported == []
    assert scene.selected_ids() == ["intake", "qa"]
    qtbot.mouseClick(
        view.viewport(),
        Qt.MouseButton.LeftButton,
        pos=viewport_point(view, box_centre(scene, "deploy")),
    )
    assert reported[-1] == ["deploy"]


def test_a_rubber_band_selects_the_boxes_it_touches(view: MapView, qtbot: QtBot) -> None:
    view.fit()
    end, reported = start_rubber_band(view, qtbot)
    # QTest warns when a view leaves a rubber band's release unaccepted, as Qt's view does.
    QApplication.sendEvent(
        view.viewport(),
        QMouseEvent(
            QEvent.Type.MouseButtonRelease,
            QPointF(end),
            QPointF(view.viewport().mapToGlobal(end)),
            Qt.MouseButton.LeftButton,
            Qt.MouseButton.NoButton,
            Qt.KeyboardModifier.NoModifier,
        ),
    )
    assert reported[-1] == ["review", "security"]


def test_updating_the_map_never_reports_a_selection(view: MapView, qtbot: QtBot) -> None:
    scene = view.map_scene()
    qtbot.mouseClick(
        view.viewport(),
        Qt.MouseButton.LeftButton,
        pos=viewport_point(view, box_centre(scene, "security")),
    )
    assert scene.selected_ids() == ["security"]
    stream = checkout()
    smaller = stream.replaced(
        stages=[stage for stage in stream.stages if stage.id != "security"],
        flows=[flow for flow in stream.flows if "security" not in (flow.source, flow.target)],
    )
    with qtbot.assertNotEmitted(scene.selectionChangedIds):
        scene.show_map(smaller, analyze(smaller))
    assert scene.selected_ids() == []


def test_renaming_in_place_reports_the_new_name(view: MapView, qtbot: QtBot) -> None:
    scene = view.map_scene()
    title = scene.stage_item("coding").box_rect().topLeft() + QPointF(60, 16)
    with qtbot.waitSignal(scene.stageRenamed) as renamed:
        qtbot.mouseDClick(
            view.viewport(), Qt.MouseButton.LeftButton, pos=viewport_point(view, title)
        )
        editor = scene.focusItem()
        assert editor is not None and editor.toPlainText() == "Coding"
        qtbot.keyClicks(view.viewport(), "Build")
        qtbot.keyClick(view.viewport(), Qt.Key.Key_Return)
    assert renamed.args == ["coding", "Build"]
    assert scene.focusItem() is None


def test_escape_cancels_the_rename(view: MapView, qtbot: QtBot) -> None:
    scene = view.map_scene()
    with qtbot.assertNotEmitted(scene.stageRenamed):
        scene.start_rename("qa")
        qtbot.keyClicks(view.viewport(), "Testing")
        qtbot.keyClick(view.viewport(), Qt.Key.Key_Escape)
    assert scene.focusItem() is None


def test_double_click_on_the_body_activates_the_stage(view: MapView, qtbot: QtBot) -> None:
    scene = view.map_scene()
    with qtbot.waitSignal(scene.stageActivated) as activated:
        qtbot.mouseDClick(
            view.viewport(),
            Qt.MouseButton.LeftButton,
            pos=viewport_point(view, box_centre(scene, "deploy")),
        )
    assert activated.args == ["deploy"]


def test_right_click_asks_for_the_stage_menu(view: MapView, qtbot: QtBot) -> None:
    scene = view.map_scene()
    requests: list[tuple[str, QPoint]] = []
    scene.stageContextMenuRequested.connect(lambda *args: requests.append(args))
    for target in (box_centre(scene, "qa"), QPointF(-5000, -5000)):
        point = viewport_point(view, target)
        QApplication.sendEvent(
            view.viewport(),
            QContextMenuEvent(
                QContextMenuEvent.Reason.Mouse, point, view.viewport().mapToGlobal(point)
            ),
        )
    assert [stage_id for stage_id, _ in requests] == ["qa", ""]
    assert scene.selected_ids() == ["qa"]


def test_the_wheel_zooms_around_the_pointer(view: MapView) -> None:
    point = viewport_point(view, box_centre(view.map_scene(), "qa")) + QPoint(-150, 40)
    under = view.mapToScene(point)
    before = view.zoom()
    QApplication.sendEvent(
        view.viewport(),
        QWheelEvent(
            QPointF(point),
            QPointF(view.viewport().mapToGlobal(point)),
            QPoint(),
            QPoint(0, 240),
            Qt.MouseButton.NoButton,
            Qt.KeyboardModifier.NoModifier,
            Qt.ScrollPhase.NoScrollPhase,
            False,
        ),
    )
    assert view.zoom() == pytest.approx(before * 1.25**2)
    after = view.mapToScene(point)
    assert abs(after.x() - under.x()) < 2 and abs(after.y() - under.y()) < 2


def test_zoom_steps_and_fit(view: MapView) -> None:
    view.fit()
    fitted = view.zoom()
    view.zoom_in()
    assert view.zoom() == pytest.approx(fitted * 1.25)
    view.zoom_out()
    view.zoom_out()
    assert view.zoom() == pytest.approx(fitted / 1.25)


def test_a_fitted_map_is_fitted_again_when_the_view_shrinks(view: MapView, qtbot: QtBot) -> None:
    view.fit()
    view.resize(1000, 640)

    def whole_map_shown() -> bool:
        shown = view.mapToScene(view.viewport().rect()).boundingRect()
        return shown.contains(view.map_scene().fit_rect())

    qtbot.waitUntil(whole_map_shown)


def test_a_short_view_keeps_names_readable_and_scrolls(view: MapView, qtbot: QtBot) -> None:
    view.resize(760, 300)
    qtbot.waitUntil(lambda: view.viewport().height() < 320)
    view.fit()
    assert view.zoom() * TITLE_SIZES[0] >= MIN_TITLE_PIXELS - 0.01
    assert view.zoom() >= READABLE_DETAIL


def test_a_zoomed_map_keeps_its_zoom_when_the_view_shrinks(view: MapView, qtbot: QtBot) -> None:
    view.fit()
    view.zoom_in()
    zoomed = view.zoom()
    view.resize(700, 420)
    qtbot.wait(400)
    assert view.zoom() == pytest.approx(zoomed)


# -- export -------------------------------------------------------------------------------------


def test_the_rendered_image_holds_the_whole_map(scene: MapScene) -> None:
    scene.select_stages(["coding"])
    image = render_image(scene, 0.5)
    rect = scene.content_rect()
    assert image.width() == pytest.approx((rect.width() + 64) * 0.5, abs=1)
    white = QColor("white").rgb()
    sample = image.scaled(200, 60)
    inked = sum(sample.pixel(x, y) != white for x in range(200) for y in range(60))
    assert inked > 200 * 60 * 0.25


def test_save_png_writes_a_picture(scene: MapScene, tmp_path: Path) -> None:
    target = tmp_path / "map.png"
    save_png(scene, target, 1.0)
    image = QImage(str(target))
    assert image.width() > 1000 and image.height() > 400
    assert [path.name for path in tmp_path.iterdir()] == ["map.png"]


def test_save_svg_writes_a_valid_drawing(scene: MapScene, tmp_path: Path) -> None:
    target = tmp_path / "map.svg"
    save_svg(scene, target)
    root = ElementTree.parse(target).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    text = target.read_text(encoding="utf-8")
    assert "Checkout feature" in text and "Code review" in text
    # A browser or slide program lays the text out in the font the map measured it in.
    used = QFontInfo(theme.font(12)).family()
    assert set(re.findall('font-family="([^"]*)"', text)) == {f"'{used}', sans-serif"}
    # As large as a 16:9 slide holds it (13.33 × 7.5 in): it said 75 cm wide, and opened so.
    width, height = (float(root.attrib[side].removesuffix("mm")) for side in ("width", "height"))
    assert width <= 338.67 and height <= 190.5 and max(width / 338.67, height / 190.5) > 0.999
    view_box = [float(number) for number in root.attrib["viewBox"].split()]
    assert abs(view_box[2] / view_box[3] - width / height) < 0.01


def test_an_svg_of_a_name_with_a_control_character_is_still_xml(qapp: Any, tmp_path: Path) -> None:
    # A map file may hold a BEL in a name; the SVG held it too, and no browser would open it.
    stream = load_map(example_map_path())
    first = stream.stages[0].replaced(name="Intake\x07bell\x1b")
    stream = stream.model_copy(update={"stages": [first, *stream.stages[1:]]})
    scene = MapScene()
    scene.show_map(stream, analyze(stream))
    save_svg(scene, tmp_path / "map.svg")
    assert "Intakebell" in "".join(ElementTree.parse(tmp_path / "map.svg").getroot().itertext())


def test_a_failed_save_is_a_clear_error(scene: MapScene, tmp_path: Path) -> None:
    with pytest.raises(VSMapperError, match="cannot be saved"):
        save_png(scene, tmp_path / "missing" / "map.png", 0.5)


def titled(name: str) -> StageItem:
    """A box showing a stage called ``name``."""
    item = StageItem("s")
    item.set_face(StageFace(name, "1h", "100%", "1", "1d", (), None, 0, "", name, constraint=False))
    return item


def title_lines(item: StageItem) -> list[str]:
    """The box's name line by line, each checked to fit the box at the name's size."""
    metrics = QFontMetricsF(theme.font(item.title_size(), True))
    lines = item.shown_title().split("\n")
    for line in lines:
        assert metrics.horizontalAdvance(line) <= item.title_area().width(), line
    return lines


@pytest.mark.parametrize(
    "name",
    ["本番環境へのデプロイ（カナリアリリース）", "フロントエンド統合テスト（ステージング環境）"],
)
def test_a_japanese_name_too_long_for_a_line_takes_the_box_s_second(qapp: Any, name: str) -> None:
    # With no spaces to break at, the name was cut on one line: "フロントエンド統合テ…".
    assert "".join(title_lines(titled(name))) == name
    assert len(title_lines(titled(name))) == 2


@pytest.mark.parametrize(
    "name",
    [
        "Datenbankmigrationsvorbereitungsabstimmungsprotokoll",
        "要件定義レビューと承認プロダクトオーナーによる最終確認と合意形成",
    ],
)
def test_a_word_too_long_for_two_lines_breaks_anywhere_and_ends_in_an_ellipsis(
    qapp: Any, name: str
) -> None:
    item = titled(name)
    first, second = title_lines(item)
    assert item.title_size() == TITLE_SIZES[-1]
    assert second.endswith("…")
    assert name.startswith(first + second.removesuffix("…"))
    assert len(first) > len(name) // 4


def test_a_long_first_word_breaks_and_the_rest_of_the_name_follows_on_the_second_line(
    qapp: Any,
) -> None:
    name = "Datenbankmigration vorbereiten und im Staging testen"
    first, second = title_lines(titled(name))
    assert first.startswith("Datenbankmigr")
    assert name.replace(" ", "").startswith((first + second.removesuffix("…")).replace(" ", ""))


@pytest.mark.parametrize("name", ["Kundenabnahme-Protokoll", "Infrastructure-provisioning"])
def test_a_hyphenated_name_breaks_after_its_hyphen_at_a_smaller_size_not_inside_a_word(
    qapp: Any, name: str
) -> None:
    # At the largest size it broke inside a word: "Kundenabnah" / "me-Protokoll".
    first, second = title_lines(titled(name))
    assert first.endswith("-") and first + second == name


def test_a_name_with_spaces_breaks_only_between_its_words(qapp: Any) -> None:
    for stage in load_map(example_map_path()).stages:
        assert titled(stage.name).shown_title().replace("\n", " ") == stage.name
    name = "Code review frontend by two senior engineers"
    item = titled(name)
    first, second = title_lines(item)
    assert name.startswith(first + " ")
    assert name.removeprefix(first + " ").startswith(second.removesuffix("…"))
    assert second.endswith("…")
    assert item.title_size() == TITLE_SIZES[-1]


def test_boxes_too_small_to_read_are_drawn_plain_but_exports_keep_every_detail(
    view: MapView, scene: MapScene, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain: list[str] = []
    original = StageItem._paint_plain
    monkeypatch.setattr(
        StageItem,
        "_paint_plain",
        lambda item, painter, face: (plain.append(item.stage_id), original(item, painter, face)),
    )
    view.resetTransform()
    view.viewport().grab()
    assert plain == []
    view.scale(0.2, 0.2)
    view.viewport().grab()
    assert plain
    plain.clear()
    render_image(scene, 0.2)
    assert plain == []


def test_the_timeline_labels_only_the_steps_in_view(scene: MapScene) -> None:
    painted = []
    original = QPainter.drawText

    class Recording(QPainter):
        def drawText(self, *args: Any) -> None:
            painted.append(args[-1])
            original(self, *args)

    image = QImage(400, 300, QImage.Format.Format_ARGB32)
    painter = Recording(image)
    timeline = next(item for item in scene.items() if isinstance(item, TimelineItem))
    option = QStyleOptionGraphicsItem()
    option.exposedRect = timeline.boundingRect()
    timeline.paint(painter, option)
    everything = len(painted)
    painted.clear()
    bounds = timeline.boundingRect()
    option.exposedRect = QRectF(bounds.left(), bounds.top(), 10, bounds.height())
    timeline.paint(painter, option)
    painter.end()
    assert 0 < len(painted) < everything


def test_a_map_shown_again_after_an_empty_one_gets_its_bands_and_routes_back(
    scene: MapScene,
) -> None:
    stream = checkout()
    bands = scene.phase_bands()
    routes = {stage_id: scene.rework_item(stage_id).label for stage_id in scene._reworks}
    empty = stream.model_copy(update={"stages": [], "flows": []})
    scene.show_map(empty, analyze(empty))
    assert scene.phase_bands() == []
    scene.show_map(stream, analyze(stream))
    assert scene.phase_bands() == bands
    assert {stage_id: scene.rework_item(stage_id).label for stage_id in scene._reworks} == routes


def test_a_scene_changed_after_its_zoomed_out_view_is_gone_reaches_nothing(
    scene: MapScene, qtbot: QtBot
) -> None:
    view = MapView(scene)
    view.resize(800, 500)
    view.show()
    zoomed_out(view)
    view.grab()
    view.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(view))
    # Qt reports the change later, from the event loop, when the view no longer exists.
    scene.select_stages(["coding"])
    with qtbot.captureExceptions() as raised:
        QApplication.processEvents()
    assert raised == []


def test_a_pill_under_the_last_box_of_a_phase_leaves_the_next_phase_its_name(
    qapp: Any,
) -> None:
    document = Document(load_map(example_map_path()))
    document.swap_with_next("discovery")  # the constraint ends the ideation band
    stream = document.stream
    scene = MapScene()
    scene.show_map(stream, analyze(stream))
    box = scene.stage_item("discovery")
    [(text, _)] = box.face.tags
    pill = box.mapRectToScene(tag_rect(text, 0))
    assert pill.width() <= BOX.width()
    names = [band.name_rect() for band in scene.phase_bands() if band.name_rect() is not None]
    assert names and not any(pill.intersects(name) for name in names)


def test_a_loop_back_to_an_earlier_row_writes_its_rate_over_that_row(qapp: Any) -> None:
    names = ["Intake", "Refinement", "Coding", "Code review", "QA", "CAB", "Deploy", "Monitor"]
    stages = [
        {
            "id": name.lower().replace(" ", "-"),
            "name": name,
            "process_time": "4h",
            "wait_time": "1d",
        }
        for name in names
    ]
    stages[4]["rework_to"] = "coding"
    stages[4]["pca"] = 75
    stages[2]["pca"] = 90  # Coding's own loop writes its rate over its box too
    data = {"format": "vsmapper", "version": 1, "name": "Wrapped", "stages": stages}
    stream = parse_map_text(json.dumps(data))
    scene = MapScene()
    scene.show_map(stream, analyze(stream))
    coding, qa = (scene.stage_item(stage_id).mapRectToScene(BOX) for stage_id in ("coding", "qa"))
    assert qa.top() > coding.bottom()  # two rows
    label = scene.rework_item("qa").label_rect()
    # Over Coding's row, by where it lands: in the gap between the rows it lay on the flow
    # running back to the next row and on the phase's name.
    assert label.bottom() <= coding.top() and label.right() <= coding.right()
    assert not label.intersects(SELF_REWORK_LABEL.translated(coding.topLeft()))
    bands = scene.phase_bands()
    for number, band in enumerate(bands):
        name = band.name_rect()
        if name is not None:
            assert not name.intersects(label)
            # No band painted after it covers it (the lower row's band reached up to the label).
            assert not any(later.rect.intersects(name) for later in bands[number + 1 :])


def test_a_loop_s_run_over_its_own_row_stays_in_that_row_s_band(qapp: Any) -> None:
    # Twelve stages in rows of four; S9 sends work back to S1 one level up, over S10 → S8.
    stages = [
        {"id": f"s{n}", "name": f"S{n}", "process_time": "4h", "wait_time": "1d", "pca": 90}
        for n in range(1, 13)
    ]
    stages[8]["rework_to"], stages[9]["rework_to"] = "s1", "s8"
    data = {"format": "vsmapper", "version": 1, "name": "Loops", "stages": stages}
    stream = parse_map_text(json.dumps(data))
    scene = MapScene()
    scene.show_map(stream, analyze(stream))
    s9 = scene.stage_item("s9").mapRectToScene(BOX)
    assert s9.top() > scene.stage_item("s1").mapRectToScene(BOX).bottom()
    loop = scene.rework_item("s9")
    band = next(b for b in scene.phase_bands() if b.rect.contains(s9.center()))
    # The loop's run over S9's row lay outside its band, on the row above's wrapping flow.
    assert band.rect.top() < loop.apex()


def test_a_change_that_shows_as_none_is_not_coloured(qapp: Any) -> None:
    stream = checkout()
    nudged = with_stages(stream, coding={"process_time": "16.0001h"})  # 2d and a third of a second
    scene = MapScene()
    scene.show_map(nudged, analyze(nudged), "Scenario: Nudge", today=analyze(stream))
    lead = scene.headline().figures[0]
    # "±0 vs today" in green read as a gain.
    assert lead.change == "±0 vs today" and lead.change_color == theme.INK_SOFT


def test_scroll_bars_coming_and_going_leave_the_map_s_lanes_as_they_are(
    view: MapView, qtbot: QtBot
) -> None:
    # A bar showing made the view smaller, and the map was wrapped anew: a quarter of a
    # second on a 2,000-stage map each time a move stretched the map past the view's edge.
    assert view.horizontalScrollBar().isVisible() and view.verticalScrollBar().isVisible()
    view.apply_room()
    room = view.map_scene().room()
    layouts: list[None] = []
    view.map_scene().mapShown.connect(lambda: layouts.append(None))
    for policy in (Qt.ScrollBarPolicy.ScrollBarAlwaysOff, Qt.ScrollBarPolicy.ScrollBarAsNeeded):
        view.setHorizontalScrollBarPolicy(policy)
        view.setVerticalScrollBarPolicy(policy)
        qtbot.wait(RELAYOUT_DELAY_MS * 2)
        assert view.room() == room and view.map_scene().room() == room
    assert layouts == []


@pytest.mark.parametrize("width", [1195, 1350, 1600])
def test_a_map_too_long_to_read_whole_keeps_its_rows_clear_of_the_scroll_bar(
    qtbot: QtBot, width: int
) -> None:
    # Laid out as if no bar showed, its rows ran 16 pixels under the bar it scrolls with.
    scene = MapScene()
    stream = synthetic_map(120)
    scene.show_map(stream, analyze(stream))
    view = MapView(scene)
    qtbot.addWidget(view)
    view.resize(width, 700)
    view.show()
    qtbot.waitUntil(scene.isActive)
    view.fit()
    QApplication.processEvents()
    assert view.verticalScrollBar().isVisible()
    shown = view.mapFromScene(scene.content_rect()).boundingRect()
    assert shown.right() <= view.viewport().width()


def test_a_note_longer_than_a_note_keeps_is_cut_at_a_word(qapp: Any) -> None:
    from vsmapper.model.stream import Note
    from vsmapper.ui.canvas.notes import shown_text

    text = "Reviews wait for the one senior engineer who knows the payment service well enough"
    # It ended "…who knows the paym…".
    assert shown_text(Note(id="n", text=text)) == (
        "Reviews wait for the one senior engineer who knows the…"
    )
