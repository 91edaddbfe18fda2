"""A measurement onto the drawn map, and the drawn map against it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.history.histories import HAND_ROWS, hand_map, write_transitions
from vsmapper.analysis import analyze
from vsmapper.history.apply import measured_map, model_gap
from vsmapper.history.measure import Spread, measure
from vsmapper.history.reading import read_history
from vsmapper.model.duration import parse_estimate
from vsmapper.model.stream import Flow, Stage, ValueStream


def drawn_with_review_waits(wait: str) -> ValueStream:
    """The hand map, its Review drawn with a wait no status of the tracker shows."""
    drawn = hand_map()
    review = drawn.stages[1].replaced(wait_time=parse_estimate(wait), wip=3.0)
    return drawn.replaced(stages=[drawn.stages[0], review])


def test_a_wait_the_tracker_cannot_see_keeps_its_drawn_estimate(tmp_path: Path) -> None:
    drawn = drawn_with_review_waits("1-3h")
    found = measure(read_history(write_transitions(tmp_path / "hand.csv")), drawn)
    dev, review = measured_map(drawn, found).stages
    assert (review.wait_time, review.wip) == (parse_estimate("1-3h"), 3.0)
    assert review.process_time.hours() == pytest.approx((4, 4, 4))
    assert dev.wait_time.hours() == pytest.approx((4, 4, 7.2))


def test_a_wait_the_tracker_cannot_see_is_not_compared(tmp_path: Path) -> None:
    drawn = drawn_with_review_waits("2h")
    gap = model_gap(drawn, measure(read_history(write_transitions(tmp_path / "hand.csv")), drawn))
    assert gap is not None
    assert not [note for note in gap.stage_notes if "Review: the drawn wait" in note]


def test_work_the_tracker_cannot_see_keeps_its_drawn_estimate(tmp_path: Path) -> None:
    # Review's status is a waiting one: the tracker sees items wait there, never worked.
    drawn = hand_map()
    statuses = dict(drawn.statuses)
    statuses["In review"] = statuses["In review"].model_copy(update={"state": "waiting"})
    drawn = drawn.replaced(statuses=statuses)
    found = measure(read_history(write_transitions(tmp_path / "hand.csv")), drawn)
    assert found.stage("review").process.p50 is None  # unseen, not 0/0/0
    _, review = measured_map(drawn, found).stages
    assert review.process_time == drawn.stage("review").process_time


def test_rework_the_tracker_never_sees_keeps_the_drawn_pca(tmp_path: Path) -> None:
    drawn = hand_map()
    stages = [stage.replaced(pca=80.0) for stage in drawn.stages]
    stages[1] = stages[1].replaced(rework_to="dev")
    drawn = drawn.replaced(stages=stages)
    found = measure(read_history(write_transitions(tmp_path / "hand.csv")), drawn)
    measured = measured_map(drawn, found)
    for stage in measured.stages:
        if found.stage(stage.id).pca == 100:  # no item seen going back: not "no rework"
            assert (stage.pca, stage.rework_to) == (80.0, drawn.stage(stage.id).rework_to)


def test_stages_before_the_tracker_starts_are_left_out_of_the_comparison(tmp_path: Path) -> None:
    # An intake stage no status maps to: the tracker's flow time starts at Development.
    drawn = hand_map()
    intake = Stage(id="intake", name="Intake", wait_time=parse_estimate("2w"))
    drawn = drawn.replaced(
        stages=[intake, *drawn.stages],
        flows=[Flow(source="intake", target="dev"), Flow(source="dev", target="review")],
    )
    found = measure(read_history(write_transitions(tmp_path / "hand.csv")), drawn)
    gap = model_gap(drawn, found)
    assert gap is not None
    # Its two weeks were called time "the map shows more than items take".
    assert "of it from Development on, where the tracker starts" in gap.sentence
    assert gap.model_hours == pytest.approx(analyze(drawn).lead_time_hours - 80)


def test_a_branch_beside_the_stages_before_the_tracker_keeps_its_time(tmp_path: Path) -> None:
    # Intake → Development → Review and Intake → Design (4w) → Review; the tracker sees
    # Development and Review only. From where it starts the map says 10h, not 2h.
    drawn = hand_map()
    intake = Stage(id="intake", name="Intake")
    design = Stage(id="design", name="Design", wait_time=parse_estimate("4w"))
    pairs = [("intake", "dev"), ("dev", "review"), ("intake", "design"), ("design", "review")]
    drawn = drawn.replaced(
        stages=[intake, design, *drawn.stages],
        flows=[Flow(source=source, target=target) for source, target in pairs],
    )
    found = measure(read_history(write_transitions(tmp_path / "hand.csv")), drawn)
    gap = model_gap(drawn, found)
    assert gap is not None
    assert gap.model_hours == pytest.approx(8 + 2)  # Development's 1d wait, Review's 2h
    assert "1.2d of it from Development on" in gap.sentence  # 10h at 8h a day


def test_a_mapped_queue_the_history_lacks_keeps_its_drawn_wait(tmp_path: Path) -> None:
    # The map knows "Ready for dev" from an earlier export; this one has none of its rows.
    rows = [row for row in HAND_ROWS if row[3] != "Ready for dev"]
    drawn = hand_map()
    drawn = drawn.replaced(stages=[drawn.stages[0].replaced(wip=2.0), drawn.stages[1]])
    found = measure(read_history(write_transitions(tmp_path / "hand.csv", rows)), drawn)
    dev = found.stage("dev")
    assert (dev.wait, dev.wip) == (Spread(), None)  # unseen, not 0/0/0
    assert dev.process.p50 is not None
    measured = measured_map(drawn, found).stage("dev")
    assert (measured.wait_time, measured.wip) == (parse_estimate("1d"), 2.0)
    gap = model_gap(drawn, found)
    assert gap is not None
    assert not [note for note in gap.stage_notes if "Development: the drawn wait" in note]


def test_mapped_work_the_history_lacks_keeps_its_drawn_process_time(tmp_path: Path) -> None:
    rows = [row for row in HAND_ROWS if row[3] != "In dev"]
    drawn = hand_map()
    found = measure(read_history(write_transitions(tmp_path / "hand.csv", rows)), drawn)
    assert found.stage("dev").process == Spread()
    assert found.stage("dev").wait.p50 is not None
    measured = measured_map(drawn, found).stage("dev")
    assert measured.process_time == drawn.stage("dev").process_time


def test_a_map_of_centuries_against_the_tracker_says_how_much_more_it_shows(
    tmp_path: Path,
) -> None:
    # Written as a duration, its lead time is too long to read back: the gap is in hours.
    drawn = drawn_with_review_waits("5000w")
    drawn = drawn.replaced(stages=[stage.replaced(wait_time="5000w") for stage in drawn.stages])
    gap = model_gap(drawn, measure(read_history(write_transitions(tmp_path / "hand.csv")), drawn))
    assert gap is not None and "more than items take" in gap.sentence
