"""How fast a big map file is read and validated: ``make bench NAME=load``.

For 1,000 and 10,000 stages (the synthetic map of ``benchmarks.maps``: parallel
branches, rework, AI opportunities) it writes the map file, then prints the best time of
``load_map`` (read, parse, check and validate) beside the floor measured in the same run:
``json.loads`` of the same text. The target is 10,000 stages within 3× that floor.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from benchmarks.bench_analysis import best_seconds
from benchmarks.maps import synthetic_map
from vsmapper.io.mapfile import dump_map, load_map
from vsmapper.model import duration

SIZES = (1_000, 10_000)
TARGET_RATIO = 3


def fresh_load(path: Path) -> None:
    """``load_map`` with no duration remembered from an earlier load."""
    duration._READ.clear()
    load_map(path)


def main() -> None:
    """Print load times of big map files against json.loads of the same text."""
    print(f"{'stages':>7} {'file':>8} {'load':>9} {'json':>9} {'ratio':>6}")
    ratio = 0.0
    with tempfile.TemporaryDirectory() as folder:
        for size in SIZES:
            path = Path(folder) / f"{size}.vsm.json"
            path.write_text(dump_map(synthetic_map(size)), encoding="utf-8")
            text = path.read_text(encoding="utf-8")
            best = best_seconds(
                {
                    "load": lambda path=path: fresh_load(path),
                    "json": lambda text=text: json.loads(text),
                },
                runs=3,
            )
            ratio = best["load"] / best["json"]
            print(
                f"{size:>7,} {path.stat().st_size / 2**20:>6.1f}MB {best['load'] * 1000:>7.0f}ms"
                f" {best['json'] * 1000:>7.0f}ms {ratio:>5.1f}×"
            )
    met = "met" if ratio <= TARGET_RATIO else "NOT MET"
    print(f"target: {SIZES[-1]:,} stages within {TARGET_RATIO}× json.loads: {met}")


if __name__ == "__main__":
    main()
