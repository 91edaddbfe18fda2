"""How fast maps full of overlapping rework loops analyse: ``make bench NAME=rework``.

For 750, 1,500 and 3,000 stages it builds a chain where every stage sends a tenth of its
work back one to a hundred stages (so each stage lies on about fifty loops) and prints the
best time of ``analyze`` beside the floor measured in the same run: ``analyze`` of the same
chain with no rework at all. The targets are 3,000 loops within a second, and time linear
in loops: the exponent between 750 and 3,000 loops below 1.2.
"""

from __future__ import annotations

import math
from typing import Any

from benchmarks.bench_analysis import best_seconds
from vsmapper.analysis import analyze
from vsmapper.analysis import timing as analysis_timing
from vsmapper.io.mapfile import map_from_data
from vsmapper.model import ValueStream

LOOPS = (750, 1_500, 3_000)
LONGEST_LOOP = 100
TARGET_SECONDS = 1.0
TARGET_EXPONENT = 1.2


def rework_map(loops: int, rework: bool = True) -> ValueStream:
    """A chain of ``loops + 1`` stages; every stage but the first sends work back up to 100."""
    stages = []
    for index in range(loops + 1):
        stage: dict[str, Any] = {
            "id": f"s{index}",
            "name": f"Stage {index}",
            "process_time": "2h",
            "wait_time": "1d",
            "pca": 90 if rework else 100,
        }
        if index and rework:
            back = 1 + (index * 7919) % LONGEST_LOOP
            stage["rework_to"] = f"s{max(0, index - back)}"
        stages.append(stage)
    return map_from_data({"format": "vsmapper", "version": 1, "name": "Rework", "stages": stages})


def fresh_analysis(stream: ValueStream) -> None:
    """``analyze`` with nothing remembered from an earlier run on the same map."""
    analysis_timing._latest = None
    analyze(stream)


def main() -> None:
    """Print analysis times of maps full of rework loops against the same chains without."""
    print(f"{'loops':>7} {'analyze':>10} {'no rework':>10} {'ratio':>7}")
    measured = {}
    for loops in LOOPS:
        looped, plain = rework_map(loops), rework_map(loops, rework=False)
        best = best_seconds(
            {
                "looped": lambda stream=looped: fresh_analysis(stream),
                "plain": lambda stream=plain: fresh_analysis(stream),
            },
            runs=3,
        )
        measured[loops] = best["looped"]
        print(
            f"{loops:>7,} {best['looped'] * 1000:>8.1f}ms {best['plain'] * 1000:>8.1f}ms"
            f" {best['looped'] / best['plain']:>6.1f}×"
        )
    exponent = math.log(measured[LOOPS[-1]] / measured[LOOPS[0]]) / math.log(LOOPS[-1] / LOOPS[0])
    met = measured[LOOPS[-1]] <= TARGET_SECONDS and exponent < TARGET_EXPONENT
    print(
        f"exponent {exponent:.2f} from {LOOPS[0]:,} to {LOOPS[-1]:,} loops; target: "
        f"{LOOPS[-1]:,} loops within {TARGET_SECONDS:g} s, exponent below {TARGET_EXPONENT}: "
        f"{'met' if met else 'NOT MET'}"
    )


if __name__ == "__main__":
    main()
