"""Which files a map exports to, and the exports that need no Qt: .xlsx, .csv, .vsm.json."""

from __future__ import annotations

import os

from vsmapper.analysis import apply_scenario, find_scenario
from vsmapper.analysis.forecast import Forecast
from vsmapper.io.csv_export import export_csv
from vsmapper.io.mapfile import MAP_SUFFIX, save_map
from vsmapper.io.xlsx_export import export_xlsx
from vsmapper.model import ValueStream

DATA_SUFFIXES = (".xlsx", ".csv", MAP_SUFFIX)
PICTURE_SUFFIXES = (".png", ".svg", ".pdf")
"""Drawn with Qt, by ``vsmapper.ui.documents``."""
EXPORT_SUFFIXES = (".xlsx", ".csv", ".png", ".svg", ".pdf", MAP_SUFFIX)
CURRENT_STATE = "Current state"


def export_suffix(path: str | os.PathLike[str]) -> str | None:
    """The export format ``path`` asks for by its extension, or None if it is not one."""
    name = os.fspath(path).lower()
    return next((suffix for suffix in EXPORT_SUFFIXES if name.endswith(suffix)), None)


def future_state(stream: ValueStream, scenario_name: str | None) -> tuple[ValueStream, str]:
    """The map to export and its label: as it is, or as the named scenario would make it.

    A future state carries no scenarios: they were defined against the current state, and
    applying one again would count its effects twice.
    """
    if scenario_name is None:
        return stream, CURRENT_STATE
    scenario = find_scenario(stream, scenario_name)
    future = apply_scenario(stream, scenario)
    notes = [note.replaced(scenario=None) for note in future.notes]
    return future.replaced(scenarios=[], notes=notes), f"Scenario: {scenario.name}"


def export_data(
    stream: ValueStream,
    path: str | os.PathLike[str],
    label: str = CURRENT_STATE,
    forecast: Forecast | None = None,
    notes: bool = False,
) -> None:
    """Write ``.xlsx``, ``.csv`` or ``.vsm.json`` by the extension of ``path``.

    With ``notes`` a ``.csv`` holds the improvement plan instead of the stage table.
    """
    suffix = export_suffix(path)
    if suffix == ".xlsx":
        export_xlsx(stream, path, forecast, label)
    elif suffix == ".csv":
        export_csv(stream, path, notes)
    elif suffix == MAP_SUFFIX:
        save_map(stream, path)
    else:
        raise ValueError(f"{path}: not a data export ({', '.join(DATA_SUFFIXES)})")
