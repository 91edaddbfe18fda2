"""A believable, deterministic work-item history for the bundled example map.

Items pass the example map's stages as Jira statuses, during working hours (Monday to
Friday, 09:00 to 17:00), with waits in front of each stage, rework from review and QA, a
Blocked status, security review for some items, and cancellations.
"""

from __future__ import annotations

import csv
import math
import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

HEADER = ("Key", "Issue type", "Changed", "To status")
START = datetime(2023, 5, 1, 9, 0)
WORKDAY_START_HOUR = 9
HOURS_PER_DAY = 8

# (waiting status or None, working status, median wait h, median work h) in workflow order.
STEPS: tuple[tuple[str | None, str, float, float], ...] = (
    (None, "Triage", 0, 1),
    ("Ready for discovery", "Discovery", 60, 5),
    ("Ready for refinement", "In refinement", 40, 3),
    ("Ready for design", "In design", 24, 8),
    ("Ready for dev", "In development", 30, 12),
    ("Ready for review", "In review", 22, 1.5),
    ("Ready for QA", "In QA", 80, 4),
    ("Ready for security review", "Security review", 30, 3),
    ("Awaiting approval", "Change approval", 40, 0.5),
    ("Ready to deploy", "Deploying", 8, 1),
    (None, "Monitoring", 0, 3),
)
DEV, REVIEW, QA, SECURITY = 4, 5, 6, 7


def working_moment(start: datetime, working_hours: float) -> datetime:
    """The moment ``working_hours`` of working time after the working day of ``start`` began."""
    days, rest = divmod(working_hours, HOURS_PER_DAY)
    weeks, weekday = divmod(int(days) + start.weekday(), 5)
    day = start - timedelta(days=start.weekday()) + timedelta(weeks=weeks, days=weekday)
    return day.replace(hour=WORKDAY_START_HOUR, minute=0, second=0) + timedelta(hours=rest)


def _duration(rng: random.Random, median: float) -> float:
    return median * math.exp(rng.gauss(0, 0.6))


def example_rows(items: int = 1_500, seed: int = 7, weeks: int = 182) -> Iterator[tuple[str, ...]]:
    """Rows of a transitions history: key, type, ISO timestamp, status; in time order per item."""
    rng = random.Random(seed)
    total_hours = weeks * 5 * HOURS_PER_DAY
    end = working_moment(START, total_hours)
    for number in range(1, items + 1):
        kind = rng.choices(("Story", "Bug", "Task"), (0.6, 0.28, 0.12))[0]
        clock = rng.uniform(0, total_hours)
        key = f"SHOP-{number}"
        moves: list[tuple[float, str]] = [(clock, "Backlog")]
        clock += _duration(rng, 30)
        if rng.random() < 0.06:
            moves.append((clock, "Cancelled"))
        else:
            clock = _walk(rng, kind, clock, moves)
        for hours, status in moves:
            moment = working_moment(START, hours)
            if moment >= end:
                break
            yield key, kind, moment.replace(second=0, microsecond=0).isoformat(), status


def _walk(rng: random.Random, kind: str, clock: float, moves: list[tuple[float, str]]) -> float:
    """Append the statuses one item passes through, with rework loops; returns the end time."""
    step = 1 if kind == "Bug" and rng.random() < 0.7 else 0
    security = rng.random() < 0.25
    while step < len(STEPS):
        waiting, working, wait, work = STEPS[step]
        if kind == "Bug" and step in (1, 2, 3):
            step += 1
            continue
        if step == SECURITY and not security:
            step += 1
            continue
        if waiting is not None:
            moves.append((clock, waiting))
            clock += _duration(rng, wait)
        moves.append((clock, working))
        clock += _duration(rng, work)
        if step == DEV and rng.random() < 0.12:
            moves.append((clock, "Blocked"))
            clock += _duration(rng, 16)
            moves.append((clock, working))
            clock += _duration(rng, work / 2)
        if step in (REVIEW, QA) and rng.random() < (0.22 if step == REVIEW else 0.12):
            step = DEV
            continue
        step += 1
    moves.append((clock, "Done"))
    return clock


def write_example(path: str | Path, items: int = 1_500, seed: int = 7) -> int:
    """Write the example history as CSV; returns the number of rows under the header."""
    count = 0
    with Path(path).open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(HEADER)
        for row in example_rows(items, seed):
            writer.writerow(row)
            count += 1
    return count
