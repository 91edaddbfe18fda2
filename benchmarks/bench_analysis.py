"""How fast the flow analysis is on large random maps, against a networkx topological sort.

Run with ``python -m benchmarks.bench_analysis``. For each size it builds a random layered
map (parallel branches, rework loops up to three layers back, three-point estimates) and
prints the best time of ``analyze`` beside the best time of a bare ``networkx``
topological sort of the same graph: the floor no graph analysis can beat. The target is
10,000 stages within 20× that floor.
"""

from __future__ import annotations

import math
import random
import timeit
from collections.abc import Callable

import networkx as nx

from vsmapper.analysis import analyze, sensitivity
from vsmapper.model import Estimate, Flow, Stage, ValueStream

SIZES = (100, 1_000, 10_000)
RUNS = 7
TARGET_RATIO = 20
REWORK_SHARE = 0.15


def layered_map(size: int, seed: int = 7) -> ValueStream:
    """A random map of ``size`` stages in layers of one to four parallel stages."""
    chance = random.Random(seed)
    layers: list[list[str]] = []
    stages: list[Stage] = []
    flows: list[Flow] = []
    upstream: dict[str, set[str]] = {}
    while len(stages) < size:
        width = min(chance.randint(1, 4), size - len(stages))
        layer = [f"s{len(stages) + number}" for number in range(width)]
        for stage_id in layer:
            sources = (
                chance.sample(layers[-1], min(len(layers[-1]), chance.randint(1, 2)))
                if layers
                else []
            )
            flows += [Flow(source=source, target=stage_id) for source in sources]
            upstream[stage_id] = set(sources)
            recent = [
                candidate
                for previous in layers[-3:]
                for candidate in previous
                if candidate in _ancestors(stage_id, upstream, depth=3)
            ]
            rework = chance.random() < REWORK_SHARE
            stages.append(
                Stage(
                    id=stage_id,
                    name=f"Stage {stage_id}",
                    process_time=Estimate.read(f"{chance.randint(1, 8)}h"),
                    wait_time=Estimate.read(f"{chance.randint(0, 3)}-{chance.randint(3, 9)}d"),
                    pca=chance.choice([70, 85, 95]) if rework else 100,
                    rework_to=chance.choice([stage_id, *recent]) if rework else None,
                )
            )
        layers.append(layer)
    return ValueStream(name=f"Benchmark {size}", stages=stages, flows=flows)


def _ancestors(stage_id: str, upstream: dict[str, set[str]], depth: int) -> set[str]:
    """Stages up to ``depth`` flows upstream of ``stage_id``."""
    found: set[str] = set()
    frontier = {stage_id}
    for _ in range(depth):
        frontier = {source for target in frontier for source in upstream[target]}
        found |= frontier
    return found


def best_seconds(actions: dict[str, Callable[[], object]], runs: int = RUNS) -> dict[str, float]:
    """Each action's fastest run in seconds.

    The actions take turns round after round, so that load on the machine hits all alike,
    and each runs three times in a row per round, so that the floor is also timed warm.
    """
    timers = {name: timeit.Timer(action) for name, action in actions.items()}
    best = dict.fromkeys(actions, math.inf)
    for _ in range(runs):
        for name, timer in timers.items():
            best[name] = min(best[name], *timer.repeat(repeat=3, number=1))
    return best


def main() -> None:
    """Print analysis times and their ratio to the topological-sort floor for each size."""
    print(
        f"{'stages':>8} {'flows':>7} {'analyze':>10} {'sensitivity':>12} {'topo sort':>10}"
        f" {'ratio':>7}"
    )
    for size in SIZES:
        stream = layered_map(size)
        graph = stream.graph()
        best = best_seconds(
            {
                "floor": lambda graph=graph: list(nx.topological_sort(graph)),
                "analyze": lambda stream=stream: analyze(stream),
                "sensitivity": lambda stream=stream: sensitivity(stream),
            }
        )
        print(
            f"{size:>8,} {len(stream.flows):>7,} {best['analyze'] * 1000:>8.1f}ms"
            f" {best['sensitivity'] * 1000:>10.1f}ms {best['floor'] * 1000:>8.2f}ms"
            f" {best['analyze'] / best['floor']:>6.1f}×"
        )
    print(f"target: {SIZES[-1]:,} stages within {TARGET_RATIO}× the topological sort")


if __name__ == "__main__":
    main()
