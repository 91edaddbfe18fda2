"""What to doubt in a measurement before applying it or forecasting from it."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from vsmapper.errors import counted

if TYPE_CHECKING:
    from vsmapper.history.measure import Measurement

ENOUGH_DONE = 30
"""Done items below which P10/P90 rest on two or three items each."""


def caveats(measurement: Measurement, today: date | None = None) -> list[str]:
    """Plain-language reasons to doubt ``measurement``; none when it looks sound."""
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
    return found
