"""Which files a map exports to, and the exports that need no Qt: .xlsx, .csv, .vsm.json."""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING

from vsmapper.analysis import find_scenario
from vsmapper.analysis import future_state as applied_scenario
from vsmapper.analysis.forecast import Forecast
from vsmapper.analysis.queues import QueueChange, unbounded_reason
from vsmapper.errors import VSMapperError
from vsmapper.io.csv_export import export_csv
from vsmapper.io.mapfile import MAP_SUFFIX, save_map
from vsmapper.model import ValueStream

if TYPE_CHECKING:
    from vsmapper.history.measure import Measurement

DATA_SUFFIXES = (".xlsx", ".csv", MAP_SUFFIX)
PICTURE_SUFFIXES = (".png", ".svg", ".pdf")
"""Drawn with Qt, by ``vsmapper.ui.documents``."""
EXPORT_SUFFIXES = (".xlsx", ".csv", ".png", ".svg", ".pdf", MAP_SUFFIX)
CURRENT_STATE = "Current state"


def export_suffix(path: str | os.PathLike[str]) -> str | None:
    """The export format ``path`` asks for by its extension, or None if it is not one."""
    name = os.fspath(path).lower()
    return next((suffix for suffix in EXPORT_SUFFIXES if name.endswith(suffix)), None)


def future_state(
    stream: ValueStream, scenario_name: str | None, unbounded: bool = False
) -> tuple[ValueStream, str, tuple[QueueChange, ...]]:
    """The map to export, its label and the scenario's queue changes (pictures badge the queues
    it grows): as it is, or as the named scenario would make it.

    A future state carries no scenarios: they were defined against the current state, and
    applying one again would count its effects twice. An unbounded scenario is refused,
    its figures would be of a lead time that does not exist, unless ``unbounded``: a
    picture of the map shows it as the window does, overloaded and without a lead time.
    """
    if scenario_name is None:
        return stream, CURRENT_STATE, ()
    scenario = find_scenario(stream, scenario_name)
    state = applied_scenario(stream, scenario)
    if state.unbounded and not unbounded:
        raise VSMapperError(
            f"scenario '{scenario.name}': not exported, lead time is unbounded: "
            f"{unbounded_reason(state.overflowing)}"
        )
    future = state.stream
    notes = [note.replaced(scenario=None) for note in future.notes]
    label = state_label(stream, scenario_name)
    return future.replaced(scenarios=[], notes=notes), label, tuple(state.queues)


def state_label(stream: ValueStream, scenario_name: str | None) -> str:
    """The label of the state shown: the current state, or the named scenario (not applied)."""
    if scenario_name is None:
        return CURRENT_STATE
    return f"Scenario: {find_scenario(stream, scenario_name).name}"


def written_map(stream: ValueStream, label: str) -> ValueStream:
    """What a map file exported of ``stream`` holds: a future state's map is one to open and
    read, with the times the scenario computed to three figures ("1.08-2.7d", not
    "1.080144632305315-2.70036158d"); the current state's is the map itself."""
    if label == CURRENT_STATE:
        return stream
    calendar = stream.calendar.hours_per_day, stream.calendar.days_per_week
    # Its times already hold the AI ideas the scenario applied: listed still, a scenario
    # built on the file applied them a second time. The description keeps them.
    applied = [f"{idea.name} at {stage.name}" for stage in stream.stages for idea in stage.ai]
    stages = [
        stage.model_copy(
            update={
                "process_time": stage.process_time.as_written(*calendar),
                "wait_time": stage.wait_time.as_written(*calendar),
                "ai": [],
            }
        )
        for stage in stream.stages
    ]
    said = f"{label}: its times hold the AI ideas it applied"
    said += f" ({', '.join(applied)})." if applied else "."
    description = f"{stream.description}\n\n{said}" if stream.description else said
    return stream.replaced(stages=stages, description=description)


def export_data(
    stream: ValueStream,
    path: str | os.PathLike[str],
    scenario_name: str | None = None,
    forecast: Forecast | None = None,
    notes: bool = False,
    measurement: Measurement | None = None,
) -> None:
    """Write ``.xlsx``, ``.csv`` or ``.vsm.json`` by the extension of ``path``.

    A ``.csv`` or ``.vsm.json`` holds the map as the named scenario makes it; a workbook
    holds the map as it is, every scenario on its Scenarios sheet, and names the scenario
    shown. With ``notes`` a ``.csv`` holds the improvement plan instead of the stage table;
    a ``measurement`` of work-item history adds a ``Measured flow`` sheet to a workbook.
    """
    suffix = export_suffix(path)
    if suffix == ".xlsx":
        # openpyxl takes a quarter of a second to import: only a workbook pays for it.
        from vsmapper.io.xlsx_export import export_xlsx

        # A workbook of the scenario's times still listed the ideas it applied, and
        # imported back they were applied again; today's map exports even when the
        # scenario's lead time is unbounded.
        export_xlsx(stream, path, forecast, state_label(stream, scenario_name), measurement)
        return
    shown, label, _ = future_state(stream, scenario_name)
    if suffix == ".csv":
        export_csv(shown, path, notes)
    elif suffix == MAP_SUFFIX:
        save_map(written_map(shown, label), path)
    else:
        raise ValueError(f"{path}: not a data export ({', '.join(DATA_SUFFIXES)})")


_UNSAFE_IN_NAMES = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')
_RESERVED_NAMES = re.compile(r"^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$", re.IGNORECASE)
SUGGESTED_NAME_BYTES = 150
"""Room left for the extension and the temporary name's additions (255 bytes in all)."""


def suggested_file_name(title: str, suffix: str = "", fallback: str = "map") -> str:
    """A file name made from a map's title that stays in the folder it is offered in.

    Path separators, characters Windows refuses and control characters become ``-``;
    leading dots and spaces go (no ``..``, no hidden files); names Windows reserves such as
    ``CON`` get an underscore; the name is cut to a length every file system accepts.
    """
    # "Idea to production: a web team" reads "Idea to production - a web team".
    name = _UNSAFE_IN_NAMES.sub("-", title.replace(": ", " - ")).strip(" .-")
    name = re.sub(r"-{2,}", "-", name)
    encoded = name.encode("utf-8")[:SUGGESTED_NAME_BYTES]
    name = encoded.decode("utf-8", "ignore").rstrip(" .") or fallback
    reserved = _RESERVED_NAMES.match(name)
    if reserved:
        name = f"{reserved[1]}_{reserved[2] or ''}"
    return name + suffix
