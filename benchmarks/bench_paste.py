"""How fast rows pasted from a spreadsheet go into a map: ``make bench NAME=paste``.

For 2,000 and 8,000 rows, all called "Review" or each with its own name, it prints the
best time of ``paste_rows`` into an empty map beside the floor measured in the same run:
reading the same clipboard text into stage rows, which any paste has to do. The targets
are time linear in rows (exponent from 2,000 to 8,000 below 1.2) and rows sharing a name
no slower than rows with their own names.
"""

from __future__ import annotations

import math

from benchmarks.bench_analysis import best_seconds
from vsmapper.io.paste import paste_rows, pasted_table
from vsmapper.io.table_import import Problems, read_stage_rows
from vsmapper.model import ValueStream
from vsmapper.model.document import Document

ROWS = (2_000, 8_000)
TARGET_EXPONENT = 1.2
HEADER = "Stage\tProcess time\tWait time\n"


def clipboard(rows: int, shared: bool) -> str:
    """Spreadsheet rows as Excel puts them on the clipboard."""
    names = ("Review" if shared else f"Review {number}" for number in range(rows))
    return HEADER + "".join(f"{name}\t{1 + number % 5}h\t1d\n" for number, name in enumerate(names))


def read_rows(text: str) -> None:
    """The floor: the clipboard text read into stage rows."""
    read_stage_rows(pasted_table(text), ValueStream(name="Paste", stages=[]).calendar, Problems(""))


def main() -> None:
    """Print paste times against reading the same rows, and how they grow with rows."""
    empty = ValueStream(name="Paste", stages=[])
    print(f"{'rows':>7} {'names':>8} {'paste':>9} {'read':>9} {'ratio':>6}")
    measured: dict[tuple[int, bool], float] = {}
    for rows in ROWS:
        for shared in (True, False):
            text = clipboard(rows, shared)
            best = best_seconds(
                {
                    "paste": lambda text=text: paste_rows(Document(empty), text),
                    "read": lambda text=text: read_rows(text),
                },
                runs=2,
            )
            measured[rows, shared] = best["paste"]
            print(
                f"{rows:>7,} {'shared' if shared else 'own':>8} {best['paste'] * 1000:>7.0f}ms"
                f" {best['read'] * 1000:>7.0f}ms {best['paste'] / best['read']:>5.1f}×"
            )
    low, high = ROWS
    exponents = {
        shared: math.log(measured[high, shared] / measured[low, shared]) / math.log(high / low)
        for shared in (True, False)
    }
    met = max(exponents.values()) < TARGET_EXPONENT and (
        measured[high, True] <= 1.5 * measured[high, False]
    )
    print(
        f"exponent from {low:,} to {high:,} rows: shared name {exponents[True]:.2f}, own names "
        f"{exponents[False]:.2f}; target: linear, shared no slower than own: "
        f"{'met' if met else 'NOT MET'}"
    )


if __name__ == "__main__":
    main()
