"""The bundled example history is the generator's output, and reads as the example map."""

from __future__ import annotations

from pathlib import Path

from vsmapper.cli import example_map_path
from vsmapper.history.example import write_example
from vsmapper.history.reading import read_history

EXAMPLE_HISTORY = example_map_path().with_name("idea-to-production.history.csv")


def test_the_bundled_history_is_what_the_generator_writes(tmp_path: Path) -> None:
    rows = write_example(tmp_path / "again.csv")
    assert (tmp_path / "again.csv").read_bytes() == EXAMPLE_HISTORY.read_bytes()
    assert rows > 25_000


def test_the_example_history_is_believable() -> None:
    history = read_history(EXAMPLE_HISTORY)
    assert history.items == 1_500
    statuses = set(history.events["status"].to_list())
    assert {"Blocked", "Ready for QA", "In review", "Cancelled", "Done"} <= statuses
    weekdays = history.events["at"].dt.weekday().unique().to_list()
    assert sorted(weekdays) == [1, 2, 3, 4, 5]  # Monday to Friday only
