"""What to doubt in a measurement, said in plain words."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from tests.history.histories import HAND_ROWS, hand_map, write_transitions
from vsmapper.analysis import analyze
from vsmapper.cli import example_map_path
from vsmapper.history.apply import measured_map
from vsmapper.history.caveats import caveats
from vsmapper.history.measure import Measurement, measure
from vsmapper.history.reading import read_history
from vsmapper.history.statuses import guess_statuses
from vsmapper.model.duration import parse_estimate

TODAY = date(2026, 12, 1)
TOO_FEW = "too few to measure a map (at least ~30 done items make percentiles meaningful)"


def measured(tmp_path: Path, rows: list[tuple[str, ...]]) -> Measurement:
    return measure(read_history(write_transitions(tmp_path / "h.csv", rows)), hand_map())


def story(item: str, day: str, last: str = "Done") -> list[tuple[str, ...]]:
    """An item that waits for dev, is worked on the next day and ends in ``last``."""
    return [
        (item, "Story", f"{day}T09:00:00", "Ready for dev"),
        (item, "Story", f"{day}T12:00:00", "In dev"),
        (item, "Story", f"{day}T15:00:00", last),
    ]


def test_a_sound_history_has_none() -> None:
    history = read_history(example_map_path().with_name("idea-to-production.history.csv"))
    assert caveats(measure(history, guess_statuses(history)), TODAY) == []


def test_a_handful_of_items(tmp_path: Path) -> None:
    assert caveats(measured(tmp_path, HAND_ROWS), TODAY) == [f"Only 4 items: {TOO_FEW}"]


def test_many_items_few_done(tmp_path: Path) -> None:
    rows = [
        row
        for n in range(40)
        for row in story(f"S{n}", f"2024-03-{n % 28 + 1:02d}", "Done" if n < 3 else "In dev")
    ]
    assert caveats(measured(tmp_path, rows), TODAY) == [f"Only 3 items done: {TOO_FEW}"]


def test_nothing_done(tmp_path: Path) -> None:
    rows = [row for n in range(40) for row in story(f"S{n}", "2024-03-11", "In review")]
    assert caveats(measured(tmp_path, rows), TODAY) == [
        "No item reached a done status: map a status to done"
    ]


def test_dates_after_today(tmp_path: Path) -> None:
    rows = [*HAND_ROWS, ("C", "Story", "2027-10-23T12:00:00", "Done")]
    assert caveats(measured(tmp_path, rows), TODAY)[-1] == (
        "The history runs to 2027-10-23, after today: check the dates"
    )
    assert len(caveats(measured(tmp_path, rows), date(2027, 10, 23))) == 1


def test_today_is_the_machines_by_default(tmp_path: Path) -> None:
    rows = [*HAND_ROWS, ("C", "Story", "2099-06-01T00:00:00", "Done")]
    assert "The history runs to 2099-06-01" in caveats(measured(tmp_path, rows))[-1]


def test_time_in_progress_more_than_the_people_can_work(tmp_path: Path) -> None:
    # An item a working day, each two days "In dev" for the map's one developer: 200 % busy
    # at the velocity the tracker shows items done at, so the time is not all hands-on.
    start = date(2024, 3, 4)
    days = [
        start + timedelta(days=n) for n in range(56) if (start + timedelta(days=n)).weekday() < 5
    ]
    rows = [
        row
        for n, day in enumerate(days)
        for row in (
            (f"S{n}", "Story", f"{day}T09:00:00", "Ready for dev"),
            (f"S{n}", "Story", f"{day}T12:00:00", "In dev"),
            (f"S{n}", "Story", f"{day + timedelta(days=2)}T12:00:00", "Done"),
        )
    ]
    found = measured(tmp_path, rows)
    assert caveats(found, TODAY) == []  # without the map, nobody's load is known
    applied = measured_map(hand_map(), found)
    (said,) = caveats(found, TODAY, analyze(applied))
    assert said.startswith("Time in working statuses at 5.1 items a week is more work than")
    assert "(Development 203% busy)" in said
    assert "before comparing scenarios" in said

    # Said until the map tells hands-on time, as the caveat asks.
    hands_on = applied.replaced(
        stages=[stage.replaced(process_time=parse_estimate("2h")) for stage in applied.stages]
    )
    assert caveats(found, TODAY, analyze(hands_on)) == []
