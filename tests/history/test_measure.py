"""Measuring stages and flow from hand-worked histories (every figure computed in the test)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from tests.history.histories import HAND_ROWS, WEEKS, WINDOW_HOURS, hand_map, write_transitions
from vsmapper.history.measure import Spread, measure, working_clock
from vsmapper.history.reading import read_history
from vsmapper.model.stream import Calendar


def hours_between(start: str, end: str, calendar: Calendar | None = None) -> float:
    """Working hours between two timestamps by the measuring code's clock."""
    calendar = calendar or Calendar()
    anchor = datetime(2024, 3, 4)
    frame = pl.DataFrame({"at": [datetime.fromisoformat(start), datetime.fromisoformat(end)]})
    clock = frame.select(working_clock(pl.col("at"), anchor, calendar))["at"]
    return clock[1] - clock[0]


@pytest.mark.parametrize(
    ("start", "end", "hours"),
    [
        ("2024-03-11T09:00", "2024-03-14T09:00", 24.0),  # Monday → Thursday: 3 working days
        ("2024-03-08T09:00", "2024-03-11T09:00", 8.0),  # Friday → Monday: one
        ("2024-03-09T00:00", "2024-03-11T00:00", 0.0),  # a whole weekend: none
        ("2024-03-11T00:00", "2024-03-11T12:00", 4.0),  # half a working day
        ("2024-03-08T12:00", "2024-03-18T12:00", 48.0),  # across two weekends
    ],
)
def test_working_time_counts_each_calendar_day_in_proportion(
    start: str, end: str, hours: float
) -> None:
    assert hours_between(start, end) == pytest.approx(hours, abs=1e-9)


def test_a_fractional_week_counts_its_last_day_in_part() -> None:
    calendar = Calendar(hours_per_day=6, days_per_week=4.5)
    # Thursday 00:00 → Saturday 00:00: Thursday whole (6 h), Friday half (3 h).
    assert hours_between("2024-03-14T00:00", "2024-03-16T00:00", calendar) == pytest.approx(9)


@pytest.fixture
def hand(tmp_path: Path):
    return measure(read_history(write_transitions(tmp_path / "hand.csv")), hand_map())


def test_first_passes_only_with_numpy_percentiles(hand) -> None:
    dev = hand.stage("dev")
    # A waits 8 h and works 8 h; B waits 4 h and works 4 h on its first pass (its second
    # pass is rework); D waits 4 h and is cancelled; C is still in dev and left out.
    assert dev.items == 3
    waits, works = [8.0, 4.0, 4.0], [8.0, 4.0, 0.0]
    assert (dev.wait.p10, dev.wait.p50, dev.wait.p90) == pytest.approx(
        tuple(np.percentile(waits, [10, 50, 90]))
    )
    assert (dev.process.p10, dev.process.p50, dev.process.p90) == pytest.approx(
        tuple(np.percentile(works, [10, 50, 90]))
    )
    assert (dev.process.p10, dev.process.p50, dev.process.p90) == pytest.approx((0.8, 4, 7.2))
    review = hand.stage("review")
    assert review.items == 1
    assert review.process.p50 == pytest.approx(4)
    # No waiting status maps to Review: the tracker cannot see its queue at all.
    assert (review.wait, review.wip) == (Spread(), None)


def test_backward_moves_give_pca_and_rework_target(hand) -> None:
    dev, review = hand.stage("dev"), hand.stage("review")
    # dev exits: A → Done, B → review twice (forward); D → Cancelled counts neither way.
    assert dev.pca == 100
    assert dev.rework_to is None
    # review exits: B back to dev, then B → Done.
    assert review.pca == 50
    assert review.rework_to == "dev"


def test_flow_metrics_over_done_items(hand) -> None:
    assert (hand.items, hand.done_items) == (4, 2)
    assert hand.flow_times == pytest.approx([16, 18])  # A then B, by done time
    flow = hand.flow_time
    assert (flow.p50, flow.p85, flow.p95, flow.mean) == pytest.approx((17, 17.7, 17.9, 17))
    assert hand.flow_velocity_per_week == pytest.approx(2 / WEEKS)
    assert hand.flow_efficiency == pytest.approx((8 + 14) / (16 + 18))
    # A 96 h, B 54 h, C 12 h (to the window's end), D 12 h (until cancelled).
    assert hand.flow_load == pytest.approx((96 + 54 + 12 + 12) / WINDOW_HOURS)
    assert hand.distribution == {"Bug": 0.5, "Story": 0.5}


def test_wip_throughput_and_aging(hand) -> None:
    dev = hand.stage("dev")
    # Ready for dev holds A 72 h, B 12 h, C 12 h and D 12 h of the 123-hour window.
    assert dev.wip == pytest.approx(108 / WINDOW_HOURS)
    assert dev.throughput_per_week == pytest.approx(4 / WEEKS)
    assert [(a.item, a.status, a.age_hours) for a in hand.aging] == [("C", "In dev", 4.0)]


def test_the_window_bounds_done_items_and_visits(tmp_path: Path) -> None:
    history = read_history(write_transitions(tmp_path / "hand.csv"))
    found = measure(history, hand_map(), datetime(2024, 3, 11), datetime(2024, 3, 13))
    # Only A is done inside; B's second dev pass and its review are cut by the end.
    assert found.done_items == 1
    assert found.flow_velocity_per_week == pytest.approx(1 / (48 / 168))
    dev = found.stage("dev")
    assert dev.items == 2  # B and D start inside the window; A started before it
    assert (dev.wait.p50, dev.process.p10, dev.process.p90) == pytest.approx((4, 0.4, 3.6))
    assert found.since == datetime(2024, 3, 11)
    assert found.until == datetime(2024, 3, 13)


def test_the_window_counts_the_items_it_saw(tmp_path: Path) -> None:
    history = read_history(write_transitions(tmp_path / "hand.csv"))
    assert measure(history, hand_map()).items == 4
    found = measure(history, hand_map(), datetime(2024, 3, 13))
    # B is done and C in progress inside it; A was done and D cancelled before it. Every
    # item in the file was counted: "1,500 items, 7 done" for a three-day window.
    assert (found.items, found.done_items) == (2, 1)
    assert found.headline().startswith("2 items, 1 done from 2024-03-13")


def test_rows_out_of_order_and_duplicates_change_nothing(tmp_path: Path, hand) -> None:
    shuffled = list(reversed(HAND_ROWS)) + HAND_ROWS[:5]
    found = measure(read_history(write_transitions(tmp_path / "x.csv", shuffled)), hand_map())
    assert found.stages == hand.stages
    assert found.flow_times == hand.flow_times


def test_a_repeated_status_is_one_visit(tmp_path: Path) -> None:
    rows = [
        ("A", "Story", "2024-03-11T00:00:00", "Ready for dev"),
        ("A", "Story", "2024-03-11T06:00:00", "Ready for dev"),
        ("A", "Story", "2024-03-11T12:00:00", "In dev"),
        ("A", "Story", "2024-03-12T00:00:00", "Done"),
    ]
    found = measure(read_history(write_transitions(tmp_path / "x.csv", rows)), hand_map())
    assert (found.stage("dev").wait.p50, found.stage("dev").process.p50) == (4.0, 4.0)


def test_statuses_the_map_does_not_name_are_ignored(tmp_path: Path) -> None:
    rows = [*HAND_ROWS, ("E", "Story", "2024-03-11T00:00:00", "Mystery")]
    found = measure(read_history(write_transitions(tmp_path / "x.csv", rows)), hand_map())
    assert found.stage("dev").items == 3
    assert found.items == 5


def test_cumulative_flow_and_weekly_throughput(hand) -> None:
    assert hand.weekly_done == [(datetime(2024, 3, 4).date(), 0), (datetime(2024, 3, 11).date(), 2)]
    assert hand.full_weeks_done() == [0, 2]
    days = [day.isoformat() for day in hand.cfd_days]
    assert days == [
        "2024-03-08",
        "2024-03-09",
        "2024-03-10",
        "2024-03-11",
        "2024-03-12",
        "2024-03-13",
    ]
    # At the end of each day: A from Friday, B from Monday (D comes and goes), C on Wednesday.
    assert hand.cfd_stages["dev"] == [1, 1, 1, 2, 1, 1]
    assert hand.cfd_stages["review"] == [0, 0, 0, 0, 0, 0]
    assert hand.cfd_done == [0, 0, 0, 0, 1, 2]


def test_each_status_counts_its_items_and_working_time(hand) -> None:
    found = {s.status: (s.items, s.median_hours, s.total_hours) for s in hand.statuses}
    # Ready for dev: A 8 h (Friday 09:00 to Monday 09:00), B, C and D 4 h each; In dev: A
    # 8 h and B twice 4 h (C's visit is open); In review: B 4 h, then 2 h.
    assert found == {
        "Cancelled": (1, None, 0.0),
        "Done": (2, None, 0.0),
        "In dev": (3, 4.0, 16.0),
        "In review": (1, 3.0, 6.0),
        "Ready for dev": (4, 4.0, 20.0),
    }


def test_items_that_never_started_are_not_in_progress(tmp_path: Path, hand) -> None:
    # E is cancelled from a status the map ignores, F never leaves one, G's only status is
    # unmapped: none of them reached a mapped status, so none adds to the load.
    rows = [
        *HAND_ROWS,
        ("E", "Task", "2024-03-12T00:00:00", "Cancelled"),
        ("F", "Task", "2024-03-12T00:00:00", "Backlog"),
        ("G", "Task", "2024-03-13T00:00:00", "Mystery"),
    ]
    found = measure(read_history(write_transitions(tmp_path / "x.csv", rows)), hand_map())
    assert found.flow_load == pytest.approx(hand.flow_load)


def test_a_history_of_unmapped_statuses_has_no_load(tmp_path: Path) -> None:
    rows = [("A", "Story", "2024-03-11T00:00:00", "Mystery"), ("A", "Story", "2024-03-12", "Odd")]
    found = measure(read_history(write_transitions(tmp_path / "x.csv", rows)), hand_map())
    assert (found.done_items, found.flow_load) == (0, 0)
