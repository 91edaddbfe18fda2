"""What to doubt in a measurement before applying it or forecasting from it."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from vsmapper.errors import counted

if TYPE_CHECKING:
    from vsmapper.analysis.flow import FlowAnalysis
    from vsmapper.history.measure import Measurement

ENOUGH_DONE = 30
"""Done items below which P10/P90 rest on two or three items each."""


def caveats(
    measurement: Measurement, today: date | None = None, analysis: FlowAnalysis | None = None
) -> list[str]:
    """Plain-language reasons to doubt ``measurement``, and the ``analysis`` of the map it
    measured, when given; none when they look sound."""
    today = today if today is not None else date.today()
    found = []
    enough = f"at least ~{ENOUGH_DONE} done items make percentiles meaningful"
    if measurement.items < ENOUGH_DONE:
        found.append(
            f"Only {counted(measurement.items, 'item')}: too few to measure a map ({enough})"
        )
    elif 0 < measurement.done_items < ENOUGH_DONE:
        found.append(
            f"Only {counted(measurement.done_items, 'item')} done: too few to measure a map "
            f"({enough})"
        )
    if not measurement.done_items:
        found.append("No item reached a done status: map a status to done")
    if measurement.last_change.date() > today:
        found.append(
            f"The history runs to {measurement.last_change:%Y-%m-%d}, after today: check the dates"
        )
    overloaded = _overloaded(measurement, analysis) if analysis is not None else None
    if overloaded:
        found.append(overloaded)
    return found


def _overloaded(measurement: Measurement, analysis: FlowAnalysis) -> str | None:
    """What to say when time in working statuses is more work than the people drawn can do.

    Judged on the map as it is: once a stage's process time is hands-on time, or its people
    those who work at once, it is no longer said.
    """
    from vsmapper.analysis.flow import overloaded
    from vsmapper.history.apply import spread_estimate

    worked = {
        found.id
        for found in measurement.stages
        if spread_estimate(found.process, measurement.calendar) is not None
    }
    over = [
        metrics
        for metrics in analysis.stages
        if metrics.id in worked and overloaded(metrics.utilization)
    ]
    if not over:
        return None
    busy = ", ".join(f"{metrics.name} {metrics.utilization:.0%}" for metrics in over[:3])
    more = f" and {len(over) - 3} more" if len(over) > 3 else ""
    # Items were done at the velocity, so the stages kept up: time in progress is not all
    # hands-on work. Measured as it is, every scenario came out unbounded.
    return (
        f"Time in working statuses at {measurement.flow_velocity_per_week:.1f} items a week "
        f"is more work than the people on the map can do ({busy} busy{more}), yet items were "
        "done at that rate: they also wait while in a working status. Set those stages' "
        "process time to hands-on time (or their people to those who work at once) before "
        "comparing scenarios, which would call them overloaded"
    )
