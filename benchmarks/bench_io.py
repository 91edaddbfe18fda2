"""How fast maps go to and come from Excel and CSV, against openpyxl and csv doing the bare minimum.

Run with ``python -m benchmarks.bench_io``. For each size it exports a synthetic map (see
``benchmarks.maps``: parallel branches, rework loops, AI ideas on a fifth of the stages)
and imports it back, and prints the best times beside floors measured in the same run on
the same cells:

- export floor: openpyxl's write-only mode writing every cell of the workbook's tables
  (Stages, AI opportunities, Scenarios, Settings) as plain values (no styles, table,
  chart or formulas), and the ``csv`` module writing the CSV rows;
- import floor: openpyxl's read-only mode reading every value of every sheet of the
  exported workbook, and the ``csv`` module reading the exported CSV.

``bench_window``'s xlsx rows time the same actions (``xlsx_actions``) on the same map.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable
from pathlib import Path

import openpyxl

from benchmarks.bench_analysis import best_seconds
from benchmarks.maps import synthetic_map
from vsmapper.analysis import analyze
from vsmapper.io.csv_export import export_csv
from vsmapper.io.spreadsheet import import_spreadsheet
from vsmapper.io.tables import (
    AI_COLUMNS,
    SCENARIO_COLUMNS,
    STAGE_COLUMNS,
    Row,
    ai_rows,
    scenario_rows,
    settings_values,
    stage_rows,
)
from vsmapper.io.xlsx_export import export_xlsx
from vsmapper.model import ValueStream

SIZES = (100, 1_000, 10_000)


def xlsx_actions(stream: ValueStream, folder: Path) -> dict[str, Callable[[], object]]:
    """The xlsx export and import of ``stream`` and their floors, ready to be timed in turns."""
    exported, floor = folder / f"{len(stream.stages)}-map.xlsx", folder / "floor.xlsx"
    export_xlsx(stream, exported)
    tables = _tables(stream)
    return {
        "xlsx out": lambda: export_xlsx(stream, exported),
        "xlsx out floor": lambda: _write_floor(tables, floor),
        "xlsx in": lambda: import_spreadsheet(exported),
        "xlsx in floor": lambda: _read_floor(exported),
    }


def _write_floor(tables: dict[str, list[Row]], path: Path) -> None:
    """The same cells through openpyxl's write-only mode, nothing else."""
    workbook = openpyxl.Workbook(write_only=True)
    for title, rows in tables.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    workbook.save(path)


def _read_floor(path: Path) -> None:
    """Every value of a workbook through openpyxl's read-only mode."""
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    for sheet in workbook.worksheets:
        for _ in sheet.iter_rows(values_only=True):
            pass
    workbook.close()


def _csv_write_floor(rows: list[Row], path: Path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as file:
        csv.writer(file).writerows(rows)


def _csv_read_floor(path: Path) -> None:
    with open(path, newline="", encoding="utf-8-sig") as file:
        for _ in csv.reader(file):
            pass


def _tables(stream: ValueStream) -> dict[str, list[Row]]:
    """The rows the workbook holds, headers first, as plain values."""
    return {
        "Stages": [[c.title for c in STAGE_COLUMNS], *stage_rows(stream, analyze(stream))],
        "AI opportunities": [[c.title for c in AI_COLUMNS], *ai_rows(stream)],
        "Scenarios": [[c.title for c in SCENARIO_COLUMNS], *scenario_rows(stream)],
        "Settings": [[value] for value in settings_values(stream)],
    }


def main() -> None:
    """Print export and import times and their ratios to the floors for each size."""
    print(
        f"{'stages':>8} | {'xlsx out':>9} {'floor':>8} {'ratio':>6} | {'xlsx in':>9} "
        f"{'floor':>8} {'ratio':>6} | {'csv out':>8} {'floor':>7} {'ratio':>6} | "
        f"{'csv in':>8} {'floor':>7} {'ratio':>6}"
    )
    with tempfile.TemporaryDirectory() as folder:
        for size in SIZES:
            stream = synthetic_map(size)
            tables = _tables(stream)
            paths = {name: Path(folder) / f"{size}-{name}" for name in ("map.csv", "floor.csv")}
            export_csv(stream, paths["map.csv"])
            best = best_seconds(
                {
                    **xlsx_actions(stream, Path(folder)),
                    "csv out": lambda s=stream, p=paths["map.csv"]: export_csv(s, p),
                    "csv out floor": lambda t=tables, p=paths["floor.csv"]: _csv_write_floor(
                        t["Stages"], p
                    ),
                    "csv in": lambda p=paths["map.csv"]: import_spreadsheet(p),
                    "csv in floor": lambda p=paths["map.csv"]: _csv_read_floor(p),
                },
                runs=1 if size >= 10_000 else 3,
            )
            cells = []
            for name, width in (("xlsx out", 9), ("xlsx in", 9), ("csv out", 8), ("csv in", 8)):
                seconds, floor = best[name], best[f"{name} floor"]
                cells.append(
                    f"{seconds:>{width - 1}.2f}s {floor:>{7 if width == 9 else 6}.2f}s "
                    f"{seconds / floor:>5.1f}×"
                )
            print(f"{size:>8,} | " + " | ".join(cells))
    print("floors: the same cells through openpyxl write-only / read-only and the csv module")


if __name__ == "__main__":
    main()
