"""How fast the insights and the opportunity effects are: ``make bench NAME=insights``.

For 125, 500 and 1,000 stages (the canvas benchmark's synthetic map: parallel branches,
rework, an AI opportunity at about every fifth stage) it prints the best time of
``insights()`` and of ``opportunity_effects()`` beside the floor measured in the same run:
one ``analyze()`` of the same map. The target is ``insights()`` within 5× that floor.
"""

from __future__ import annotations

from benchmarks.bench_analysis import best_seconds
from benchmarks.maps import synthetic_map
from vsmapper.analysis import analyze
from vsmapper.analysis import timing as analysis_timing
from vsmapper.analysis.insights import insights, opportunity_effects
from vsmapper.model import ValueStream

SIZES = (125, 500, 1_000)
TARGET_RATIO = 5


def fresh(stream: ValueStream) -> ValueStream:
    """An equal map that no cache has seen, so that timings include all the work."""
    analysis_timing._latest = None
    return stream.model_copy(update={"stages": list(stream.stages)})


def main() -> None:
    """Print insights and opportunity-effect times against one analyze() of the same map."""
    print(
        f"{'stages':>7} {'ideas':>6} {'analyze':>9} {'insights':>9} {'ratio':>6}"
        f" {'effects':>9} {'ratio':>6}"
    )
    met = True
    for size in SIZES:
        stream = synthetic_map(size)
        best = best_seconds(
            {
                "analyze": lambda stream=stream: analyze(fresh(stream)),
                "insights": lambda stream=stream: insights(fresh(stream)),
                "effects": lambda stream=stream: opportunity_effects(fresh(stream)),
            },
            runs=3,
        )
        ratio = best["insights"] / best["analyze"]
        met = met and ratio <= TARGET_RATIO
        print(
            f"{size:>7,} {len(stream.opportunities()):>6} {best['analyze'] * 1000:>7.1f}ms"
            f" {best['insights'] * 1000:>7.1f}ms {ratio:>5.1f}×"
            f" {best['effects'] * 1000:>7.1f}ms {best['effects'] / best['analyze']:>5.1f}×"
        )
    print(f"target: insights() within {TARGET_RATIO}× one analyze(): {'met' if met else 'NOT MET'}")


if __name__ == "__main__":
    main()
