"""Queues in the window: the wait-kind choice, the canvas badges, unbounded lead times."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtGui import QPainterPath, QPainterPathStroker
from pytestqt.qtbot import QtBot

from tests.ui.conftest import close_without_asking
from tests.ui.test_main_window import snapshot, undo_redo_round_trip
from tests.ui.test_properties import choose, combo
from vsmapper.io.mapfile import dump_map
from vsmapper.model import ValueStream
from vsmapper.ui import documents, files
from vsmapper.ui.canvas import MapScene
from vsmapper.ui.canvas.items import GRID, SELF_REWORK_LABEL, self_rework_loop, tag_rect
from vsmapper.ui.main_window import MainWindow
from vsmapper.ui.properties import PropertiesPanel


@pytest.fixture
def window(qtbot: QtBot) -> Iterator[MainWindow]:
    shown = MainWindow(files.example_map())
    qtbot.addWidget(shown)
    close_without_asking(shown)
    yield shown


def show(window: MainWindow, scenario_id: str | None) -> None:
    """Pick a state in the toolbar's Show box, as the user does."""
    box = window.menus.scenario_box
    row = box.findData(scenario_id)
    assert row >= 0, scenario_id
    box.setCurrentIndex(row)
    box.activated.emit(row)
    window.workspace.refresh_now()


def flow_strokes(
    scene: MapScene, stream: ValueStream
) -> list[tuple[tuple[str, str], QPainterPath]]:
    """Each flow, by its ends, with the area its drawn line covers (4 units wide)."""
    stroker = QPainterPathStroker()
    stroker.setWidth(4)
    return [
        (
            (flow.source, flow.target),
            stroker.createStroke(scene.flow_item(flow.source, flow.target).drawn()[0]),
        )
        for flow in stream.flows
    ]


def test_the_wait_kind_is_a_choice_with_its_meaning(window: MainWindow) -> None:
    panel: PropertiesPanel = window.properties
    panel.show_stage("review")
    assert combo(panel, "wait_kind").currentData() == "queue"
    assert "busier" in panel.hints["wait_kind"].text()
    before = snapshot(window)
    choose(panel, "wait_kind", "Fixed: follows a calendar")
    assert window.workspace.stream.stage("review").wait_kind == "fixed"
    assert (
        "calendar" in panel.hints["wait_kind"].text() or "board" in panel.hints["wait_kind"].text()
    )
    undo_redo_round_trip(window, before)


def test_a_fixed_review_wait_no_longer_grows_in_the_paradox(window: MainWindow) -> None:
    show(window, "more-changes")
    assert window.scene.queue_badge("review") is not None
    window.properties.show_stage("review")
    choose(window.properties, "wait_kind", "Fixed: follows a calendar")
    window.workspace.refresh_now()
    assert window.scene.queue_badge("review") is None
    window.workspace.undo_stack.undo()
    window.workspace.refresh_now()
    assert window.scene.queue_badge("review") is not None


def test_the_paradox_marks_the_growing_queue_on_the_canvas(window: MainWindow) -> None:
    show(window, None)
    assert window.scene.queue_badge("review") is None
    today = window.workspace.analysis().lead_time_hours
    show(window, "more-changes")
    badge = window.scene.queue_badge("review")
    assert badge is not None and badge.isVisible()
    assert badge.text.startswith("QUEUE ×") and badge.text.endswith("BUSY")
    assert not badge.overloaded
    assert window.workspace.analysis().lead_time_hours > today
    assert window.scene.headline().figures[0].caption == "LEAD TIME"
    show(window, "review-fixed")
    assert window.scene.queue_badge("review") is None


def test_a_scenario_s_map_badges_only_the_ai_it_applies(window: MainWindow) -> None:
    show(window, None)
    assert window.scene.stage_item("review").face.ai_count == 1  # an idea, marked
    show(window, "more-changes")  # the coding assistant alone
    # An "AI 1" on Code review read as AI applied there on a slide.
    assert window.scene.stage_item("review").face.ai_count == 0
    assert window.scene.stage_item("coding").face.ai_count == 1


def test_an_overload_is_unmistakable_and_has_no_lead_time(window: MainWindow) -> None:
    workspace = window.workspace
    before = dump_map(workspace.stream)
    show(window, "more-changes")
    window.scenarios.select_scenario("more-changes")
    window.scenarios.demand.setValue(3.0)
    workspace.refresh_now()
    badge = window.scene.queue_badge("review")
    assert badge is not None and badge.overloaded
    assert badge.text.startswith("OVERLOADED ") and badge.text.endswith("%")
    # Its queue has no wait to write: today's read as one, and the timeline added it up.
    assert window.scene.stage_item("review").face.wait == "∞"
    steps = {step.name: step.wait for step in window.scene.timeline_steps()}
    assert steps.get(window.workspace.stream.stage("review").name, "∞") == "∞"
    headline = window.scene.headline()
    assert headline.figures[0].value == "unbounded"
    assert window.metrics.values["lead_time"].text() == "unbounded"
    assert window.metrics.values["flow_efficiency"].text() == "—"
    # Copied, an unbounded lead time is no number a spreadsheet could sum.
    copied = window.metrics.figures_text().splitlines()
    assert "Lead time\tunbounded" in copied and "Flow efficiency\t—" in copied
    assert window.status_label.full_text().startswith("Lead time unbounded: ")
    workspace.undo_stack.undo()
    workspace.refresh_now()
    assert dump_map(workspace.stream) == before
    assert not window.scene.queue_badge("review").overloaded
    assert window.metrics.values["lead_time"].text() != "unbounded"


def test_printing_an_unbounded_scenario_says_why_not(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QMessageBox

    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text: warnings.append(text))
    window.workspace.document.set_scenario_field("more-changes", "demand_factor", 3.0)
    show(window, "more-changes")
    window.file.print_document("report", preview=True)
    assert len(warnings) == 1 and "lead time is unbounded" in warnings[0]
    # The map itself prints, overloaded and without a lead time, as the window shows it.
    previews: list[str] = []
    monkeypatch.setattr(
        documents, "print_preview", lambda _parent, title, _paint: previews.append(title)
    )
    window.file.print_document("map", preview=True)
    assert len(warnings) == 1 and previews and previews[0].endswith("— map")


def test_deleting_a_stage_with_a_queue_badge_redraws_the_whole_map(window: MainWindow) -> None:
    show(window, "more-changes")
    assert window.scene.queue_badge("review") is not None
    name = window.workspace.stream.stage("review").name
    window.editor.select(["review"])
    window.menus.delete_action.trigger()
    window.workspace.refresh_now()
    assert window.scene.queue_badge("review") is None
    assert name not in {step.name for step in window.scene.timeline_steps()}
    window.workspace.undo_stack.undo()
    window.workspace.refresh_now()
    assert window.scene.queue_badge("review") is not None
    assert name in {step.name for step in window.scene.timeline_steps()}
    window.workspace.undo_stack.redo()
    window.workspace.refresh_now()
    assert window.scene.queue_badge("review") is None


@pytest.mark.parametrize("scenario_id", ["coding-assistant-only", "more-changes"])
def test_a_queue_badge_sits_under_its_box_clear_of_loops_and_in_its_band(
    window: MainWindow, scenario_id: str
) -> None:
    show(window, scenario_id)
    scene = window.scene
    badge = scene.queue_badge("review")
    assert badge is not None
    place = badge.mapRectToScene(tag_rect(badge.text, badge.index))
    box = scene.stage_item("review")
    assert place.top() > box.box_rect().bottom()
    # Under the box's own pills (the constraint's, when it is the constraint).
    assert badge.index == len(box.face.tags)
    for stage in window.workspace.stream.stages:
        if stage.rework_to not in (None, stage.id) and stage.pca < 100:
            loop = scene.rework_item(stage.id)
            assert not place.intersects(loop.label_rect())
            assert not place.intersects(loop.line().boundingRect())
    assert any(band.rect.contains(place) for band in scene.phase_bands())


@pytest.mark.parametrize("scenario_id", [None, "coding-assistant-only", "more-changes"])
def test_a_phase_name_stays_clear_of_the_flows_where_pills_deepen_its_band(
    window: MainWindow, scenario_id: str | None
) -> None:
    show(window, scenario_id)
    scene = window.scene
    names = [name for band in scene.phase_bands() if (name := band.name_rect()) is not None]
    assert len(names) == len({stage.phase for stage in window.workspace.stream.stages})
    for flow, stroke in flow_strokes(window.scene, window.workspace.stream):
        for name in names:
            assert not stroke.intersects(name), flow


@pytest.mark.parametrize("scenario_id", [None, "coding-assistant-only", "more-changes"])
def test_a_pill_under_a_box_clears_the_loop_and_rate_over_the_box_stacked_under_it(
    window: MainWindow, scenario_id: str | None
) -> None:
    show(window, scenario_id)
    scene = window.scene
    boxes = [scene.stage_item(stage.id) for stage in window.workspace.stream.stages]
    pills = [
        tag_rect(text, index).translated(box.pos())
        for box in boxes
        for index, (text, _colour) in enumerate(box.face.tags)
    ]
    pills += [
        badge.mapRectToScene(tag_rect(badge.text, badge.index))
        for box in boxes
        if (badge := scene.queue_badge(box.stage_id)) is not None
    ]
    loops = [
        shape.translated(box.pos())
        for box in boxes
        if box.face.self_rework
        for shape in (SELF_REWORK_LABEL, self_rework_loop().boundingRect())
    ]
    assert pills and loops
    assert not [(pill, loop) for pill in pills for loop in loops if pill.intersects(loop)]


def test_one_pill_under_a_box_fits_over_the_loop_and_rate_of_the_box_stacked_under_it() -> None:
    pill_bottom = tag_rect("CONSTRAINT · 58%", 0).bottom()
    next_box_top = GRID.row_pitch
    assert pill_bottom <= next_box_top + SELF_REWORK_LABEL.top()
    assert pill_bottom <= next_box_top + self_rework_loop().boundingRect().top()


def test_a_phase_name_gives_way_to_the_constraint_s_tag_on_the_phase_s_first_box(
    window: MainWindow,
) -> None:
    # UX design, the first box of "creation", becomes the constraint.
    window.editor.type_field("design", "wait_time", "6-8w")
    window.workspace.refresh_now()
    scene = window.scene
    box = scene.stage_item("design")
    assert box.face.tags and box.face.tags[0][0].startswith("CONSTRAINT")
    tag = tag_rect(box.face.tags[0][0], 0).translated(box.pos())
    (creation,) = [
        band for band in scene.phase_bands() if band.phase == "creation" and band.name_bottom
    ]
    name = creation.name_rect()
    assert name is not None and not name.intersects(tag)
    assert creation.name_size() >= 11


def test_a_flow_that_skips_boxes_of_its_row_runs_under_them(window: MainWindow) -> None:
    window.editor.add_flow("intake", "design")
    window.workspace.refresh_now()
    scene = window.scene
    line, _head = scene.flow_item("intake", "design").drawn()
    stroke = QPainterPathStroker()
    stroke.setWidth(2)
    shape = stroke.createStroke(line)
    for skipped in ("discovery", "refinement"):
        box = scene.stage_item(skipped).box_rect()
        assert not shape.intersects(box)
        assert line.boundingRect().bottom() > box.bottom()
    names = [name for band in scene.phase_bands() if (name := band.name_rect()) is not None]
    assert not [name for name in names if shape.intersects(name)]


@pytest.mark.parametrize("scenario_id", [None, "coding-assistant-only", "more-changes"])
def test_no_pill_lies_on_a_flow_when_a_box_hangs_two(
    window: MainWindow, scenario_id: str | None
) -> None:
    # In "more-changes" Code review is the constraint with a queue badge under its tag: the
    # lane keeps room for the second pill, so the flow's run to the next lane passes under it.
    show(window, scenario_id)
    scene = window.scene
    pills = []
    for stage in window.workspace.stream.stages:
        box = scene.stage_item(stage.id)
        texts = [text for text, _ in box.face.tags]
        if (badge := scene.queue_badge(stage.id)) is not None:
            texts.append(badge.text)
        pills += [box.mapRectToScene(tag_rect(text, index)) for index, text in enumerate(texts)]
    assert scenario_id != "more-changes" or len(scene.stage_item("review").face.tags) == 1
    for flow, stroke in flow_strokes(window.scene, window.workspace.stream):
        for pill in pills:
            assert not stroke.intersects(pill), (flow, pill)


@pytest.mark.parametrize("noise", [1.0, 1 - 1e-10, 1 + 1e-10])
def test_a_stage_at_full_capacity_has_one_overload_badge_and_no_constraint_when_unbounded(
    qtbot: QtBot, noise: float
) -> None:
    from tests.analysis.maps import make_map, stage

    # UX design: 8 h of work at 5 items a week is its one person's 40 h, float noise aside.
    stream = make_map(
        [
            stage("refine", 4, 40, name="Refinement", people=2),
            stage("ux", 8 * noise, 16, name="UX design"),
        ],
        demand_per_week=5,
        scenarios=[
            {"id": "same", "name": "No changes"},
            {"id": "more", "name": "More demand", "demand_factor": 1.2},
        ],
        version=2,
    )
    shown = MainWindow(stream)
    qtbot.addWidget(shown)
    close_without_asking(shown)

    def overloads() -> list[str]:
        badge = shown.scene.queue_badge("ux")
        tags = [text for text, _ in shown.scene.stage_item("ux").face.tags]
        return [text for text in [*tags, badge.text if badge else ""] if "OVERLOADED" in text]

    show(shown, None)
    today = shown.status_label.full_text()
    assert shown.metrics.capacity.text().endswith("OVERLOADED: its queue grows without bound")
    assert overloads() == ["OVERLOADED · 100% busy"]
    assert not today.startswith("Lead time unbounded")
    # No steady state at 100%: a scenario has no lead time, with one overload badge.
    show(shown, "same")
    assert shown.status_label.full_text().startswith("Lead time unbounded: UX design gets 100%")
    assert overloads() == ["OVERLOADED 100%"]
    show(shown, "more")
    assert shown.status_label.full_text().startswith("Lead time unbounded: UX design gets 120%")
    assert overloads() == ["OVERLOADED 120%"]
    assert not any(
        figure.caption.startswith("CONSTRAINT") for figure in shown.scene.headline().figures
    )
    assert "constraint" not in shown.scene._header._subtitle
    assert shown.metrics.constraint.text() == "No constraint: lead time is unbounded"


def test_an_unbounded_scenario_claims_no_constraint_share_or_saving_in_any_view(
    qtbot: QtBot,
) -> None:
    from tests.analysis.maps import overloaded_example

    # Coding is over 400% busy: the Metrics said "No constraint", while Compare said
    # "Code review (20%)", "moved", and Where AI would matter ranked savings of a lead
    # time that does not exist.
    shown = MainWindow(overloaded_example())
    qtbot.addWidget(shown)
    close_without_asking(shown)
    show(shown, None)
    assert shown.metrics.constraint.text().startswith("Constraint: Discovery & prioritisation")
    show(shown, "ai-across-the-stream")
    assert shown.metrics.constraint.text() == "No constraint: lead time is unbounded"
    assert shown.metrics.reason.text().startswith("Fix Coding first: ")
    shown.properties.show_stage("discovery")
    assert "Leverage: none, lead time is unbounded" in shown.properties.figures.text()
    shown.leverage.refresh()
    assert shown.leverage.ranked_stage_ids() == []
    assert shown.leverage.explanation.text().startswith("Fix Coding first: ")
    shown.comparison.refresh()
    rows = {row[0]: row[1:] for row in shown.comparison.as_rows()}
    assert rows["Constraint"][0] == "Discovery & prioritisation (23%)"
    for scenario, delta in zip(rows["Constraint"][1::2], rows["Constraint"][2::2], strict=True):
        assert (scenario, delta) == ("none: Coding overloaded", "—")
