"""How fast a million status changes are measured, against Python's ``csv`` module reading them.

Run with ``make bench NAME=history``. It writes a transitions history of about a million
rows (the example history's workflow, scaled up), then prints the best time of:

- the floor: ``csv.reader`` reading every row of the file and doing nothing with it;
- ``vsmapper measure``'s work: reading the file, guessing the statuses, measuring every
  stage and the flow metrics;

and their ratio (the target is 1.5 or less), with the peak memory of one measurement. The
measurement is multi-threaded and the floor is not: on a machine busy with other work the
ratio rises, so run it when the machine is otherwise idle. The CPU time of both, over all
threads, is printed too: the work done, whatever the threads were given.
"""

from __future__ import annotations

import csv
import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.bench_analysis import best_seconds
from vsmapper.history.example import write_example
from vsmapper.history.measure import measure
from vsmapper.history.reading import read_history
from vsmapper.history.statuses import guess_statuses

ITEMS = 55_000
"""About 18 status changes per item: a million rows."""
TARGET_RATIO = 1.5
ROUNDS = 3
"""Floor and measurement take turns this many times, so that load hits both alike."""


def _csv_floor(path: Path) -> None:
    with path.open(newline="", encoding="utf-8") as stream:
        for _ in csv.reader(stream):
            pass


def _measure(path: Path) -> None:
    history = read_history(path)
    measure(history, guess_statuses(history))


def main() -> None:
    """Print the floor, the measurement and their ratio."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "history.csv"
        rows = write_example(path, items=ITEMS, seed=11)
        size = path.stat().st_size / 2**20
        print(f"{rows:,} status changes, {size:.0f} MB")
        best = best_seconds(
            {"floor": lambda: _csv_floor(path), "measure": lambda: _measure(path)}, runs=ROUNDS
        )
        floor, found = best["floor"], best["measure"]
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
        ratio = found / floor
        verdict = "within" if ratio <= TARGET_RATIO else "over"
        print(f"csv.reader floor      {floor:8.3f} s")
        print(f"measure               {found:8.3f} s")
        print(f"ratio                 {ratio:8.2f}  ({verdict} the {TARGET_RATIO} target)")
        print(f"peak memory           {peak:8.2f} GiB (process, including the file's creation)")
        floor_cpu = min(_cpu_seconds(lambda: _csv_floor(path)) for _ in range(3))
        found_cpu = min(_cpu_seconds(lambda: _measure(path)) for _ in range(3))
        print(
            f"CPU time ratio        {found_cpu / floor_cpu:8.2f}  (every thread's CPU time "
            "over the floor's)"
        )


def _cpu_seconds(action: Callable[[], object]) -> float:
    """The process's CPU time (every thread's) that ``action`` takes."""
    started = time.process_time()
    action()
    return time.process_time() - started


if __name__ == "__main__":
    main()
