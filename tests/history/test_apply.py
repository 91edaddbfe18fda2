"""A measurement onto the drawn map, and the drawn map against it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.history.histories import hand_map, write_transitions
from vsmapper.history.apply import measured_map, model_gap
from vsmapper.history.measure import measure
from vsmapper.history.reading import read_history
from vsmapper.model.duration import parse_estimate
from vsmapper.model.stream import ValueStream


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
