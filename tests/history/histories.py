"""Small histories whose figures are worked out by hand in the tests."""

from __future__ import annotations

from pathlib import Path

from vsmapper.model.stream import ValueStream

# Calendar 8 h/day, 5 days/week. 2024-03-08 is a Friday, 2024-03-11 a Monday.
#   A (Story): waits Fri 09:00 → Mon 09:00 (a weekend: 1 working day), works Mon → Tue 09:00.
#   B (Bug): dev, review, sent back to dev, review again, done: rework.
#   C (Story): still in dev at the end: its visit is open.
#   D (Task): cancelled (an ignore status) from Ready for dev.
HAND_ROWS = [
    ("A", "Story", "2024-03-08T09:00:00", "Ready for dev"),
    ("A", "Story", "2024-03-11T09:00:00", "In dev"),
    ("A", "Story", "2024-03-12T09:00:00", "Done"),
    ("B", "Bug", "2024-03-11T00:00:00", "Ready for dev"),
    ("B", "Bug", "2024-03-11T12:00:00", "In dev"),
    ("B", "Bug", "2024-03-12T00:00:00", "In review"),
    ("B", "Bug", "2024-03-12T12:00:00", "In dev"),
    ("B", "Bug", "2024-03-13T00:00:00", "In review"),
    ("B", "Bug", "2024-03-13T06:00:00", "Done"),
    ("C", "Story", "2024-03-13T00:00:00", "Ready for dev"),
    ("C", "Story", "2024-03-13T12:00:00", "In dev"),
    ("D", "Task", "2024-03-11T00:00:00", "Ready for dev"),
    ("D", "Task", "2024-03-11T12:00:00", "Cancelled"),
]
WINDOW_HOURS = 123  # Fri 2024-03-08 09:00 to Wed 2024-03-13 12:00, calendar hours
WEEKS = WINDOW_HOURS / 168


def write_transitions(path: Path, rows: list[tuple[str, ...]] = HAND_ROWS) -> Path:
    """The rows as a transitions CSV with Jira-like headers."""
    lines = ["Key,Issue type,Changed,To status"] + [",".join(row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def hand_map() -> ValueStream:
    """Two stages, Development then Review, with the hand history's statuses."""
    return ValueStream.model_validate(
        {
            "name": "Hand",
            "version": 2,
            "stages": [
                {"id": "dev", "name": "Development", "kind": "coding", "wait_time": "1d"},
                {"id": "review", "name": "Review", "kind": "review", "process_time": "2h"},
            ],
            "statuses": {
                "Ready for dev": {"stage": "dev", "state": "waiting"},
                "In dev": {"stage": "dev", "state": "working"},
                "In review": {"stage": "review", "state": "working"},
                "Done": {"stage": None, "state": "done"},
                "Cancelled": {"stage": None, "state": "ignore"},
            },
        }
    )
