"""How figures are shown: durations in the unit the user chose (readable units, all hours or
all days), and money."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vsmapper.model.duration import DisplayUnit, format_hours, format_number, share_text
from vsmapper.model.stream import NO_COSTS
from vsmapper.ui import settings

if TYPE_CHECKING:
    from vsmapper.analysis import FlowAnalysis
    from vsmapper.model.stream import ValueStream

DISPLAY_UNITS: dict[DisplayUnit, str] = {
    "auto": "&Readable units (45m, 3.5h, 2w 4d)",
    "hours": "Working &hours",
    "days": "Working &days",
}
_shown: list[DisplayUnit] = []
UNBOUNDED = "unbounded"
"""A lead time, or a change of one, when a stage gets more work than it can do."""


def literal_label(text: str) -> str:
    """Text for a button, menu or dialog label, its "&" shown rather than taken for a
    shortcut key ("Discovery & prioritisation" read as "Discovery _prioritisation")."""
    return text.replace("&", "&&")


def display_unit() -> DisplayUnit:
    """The unit durations are shown in, as the user last chose it."""
    if not _shown:
        stored = settings.DISPLAY_UNIT.get()
        _shown.append(stored if stored in DISPLAY_UNITS else "auto")
    return _shown[0]


def use_display_unit(unit: DisplayUnit) -> None:
    """Show durations in ``unit`` in this process, neither reading nor saving the choice the
    window remembers: a command-line export comes out the same on every machine."""
    _shown[:] = [unit]


def set_display_unit(unit: DisplayUnit) -> None:
    """Show durations in ``unit`` from now on, and remember it."""
    display_unit()
    _shown[0] = unit
    settings.DISPLAY_UNIT.set(unit)


def spreadsheet_number(value: float | None) -> str:
    """A figure as a spreadsheet reads it, to two places: 256, 23.4, -12.5; blank for none."""
    return "" if value is None else format_number(round(value, 2) + 0.0)


def spreadsheet_figures(
    analysis: FlowAnalysis, stream: ValueStream, bounded: bool = True
) -> dict[str, tuple[float | None, str]]:
    """A state's key figures as numbers a spreadsheet computes with, and their units: times
    in working days when durations are shown in days, else in working hours; none for what
    an unbounded state lacks, and no cost for a map without costs."""
    in_days = display_unit() == "days"
    size = stream.calendar.hours_per_day if in_days else 1.0
    unit = "working days" if in_days else "working hours"

    def time(hours: float, shown: bool = True) -> tuple[float | None, str]:
        return (hours / size if shown else None), unit

    figures: dict[str, tuple[float | None, str]] = {
        "lead_time": time(analysis.lead_time_hours, bounded),
        "process_time": time(analysis.process_time_hours),
        "flow_efficiency": (analysis.flow_efficiency * 100 if bounded else None, "%"),
        "rolled_pca": (analysis.rolled_pca * 100, "%"),
        "expected_lead_time": time(analysis.expected_lead_time_hours, bounded),
    }
    if stream.has_costs():
        figures["cost_per_item"] = (analysis.cost_per_item, stream.currency)
    return figures


def spreadsheet_change(before: float | None, after: float | None) -> str:
    """A figure's change as a spreadsheet reads it; blank when either state has none."""
    return "" if before is None or after is None else spreadsheet_number(after - before)


def spreadsheet_text(text: str) -> str:
    """Shown text for a spreadsheet, which reads "-" as a minus sign and "−" as text."""
    return text.replace("−", "-")


def show_hours(hours: float, hours_per_day: float = 8, days_per_week: float = 5) -> str:
    """Working hours as the user prefers to read them."""
    return format_hours(hours, hours_per_day, days_per_week, display_unit())


def tick_steps(hours_per_day: float, days_per_week: float, unit: DisplayUnit) -> list[float]:
    """Steps between a chart axis's ticks in working hours, smallest first, each a round
    figure in the unit durations are written in: 4h, 1d, 2w, 13w; or 50h, or 20d."""
    rounds = [factor * 10.0**power for power in range(-2, 7) for factor in (1, 2, 5)]
    if unit == "hours":
        return [step for step in rounds if step >= 0.25]
    if unit == "days":
        return [step * hours_per_day for step in rounds if step >= 0.25]
    week = hours_per_day * days_per_week
    # Only steps that fit a day and a week: by 4h in a day of 7.5 the ticks read 1.1d, 1.6d,
    # by 2d in a week of 5 they read 1w 1d, 1w 3d.
    hours = [
        step
        for step in (1 / 60, 5 / 60, 0.25, 0.5, 1, 2, 4)
        if step < hours_per_day and _fits(hours_per_day, step)
    ]
    days = [
        step * hours_per_day
        for step in (1, 2)
        if step < days_per_week and (step == 1 or _fits(days_per_week, step))
    ]
    weeks = [step * week for step in (1, 2, 4, 8, 13, 26, 52)]
    return hours + days + weeks + [step * 52 * week for step in rounds if step >= 2]


def _fits(whole: float, step: float) -> bool:
    """Whether ``whole`` is a whole number of ``step``s."""
    count = whole / step
    return abs(count - round(count)) < 1e-9


def duration_text(stream: ValueStream, hours: float) -> str:
    """Working hours written with the map's calendar: ``2.5d``, ``−7h``."""
    calendar = stream.calendar
    return show_hours(hours, calendar.hours_per_day, calendar.days_per_week)


def money_text(amount: float, currency: str) -> str:
    """An amount of money: ``1,250 USD``; cents only for small amounts."""
    decimals = 2 if 0 < abs(amount) < 100 and amount != round(amount) else 0
    # + 0.0: a −0.0 (a cost typed as −10 in a field that stops at 0) is a plain 0.
    return f"{amount + 0.0:,.{decimals}f} {currency}".replace("-", "−")


NO_COSTS_TIP = "Give the map an hourly cost (File ▸ Map settings…) to see what an item costs"


def cost_text(amount: float, stream: ValueStream) -> str:
    """A cost per item, or "not set" for a map without an hourly cost: never a false 0."""
    return money_text(amount, stream.currency) if stream.has_costs() else NO_COSTS


# Changes smaller than this are float noise, shown as no change.
NOISE = 1e-6

BETTER = "#15803d"
WORSE = "#b91c1c"


def shows_nothing(text: str) -> bool:
    """Whether a figure as shown is zero: no digit but 0 in it ("0h", "0.00 USD")."""
    return not any(digit in text for digit in "123456789")


def signed_duration(stream: ValueStream, hours: float) -> str:
    """A change of duration with its sign: ``+1.5d``, ``−7h``, ``±0``."""
    text = duration_text(stream, abs(hours))
    # What shows as nothing is no change: "+0s" or "+0h" read as a loss.
    if shows_nothing(text):
        return "±0"
    return ("+" if hours > 0 else "−") + text


def signed_money(amount: float, currency: str) -> str:
    """A change of money with its sign: ``+950 USD``."""
    text = money_text(abs(amount), currency)
    if shows_nothing(text):
        return f"±0 {currency}"
    return ("+" if amount > 0 else "−") + text


def signed_number(value: float, decimals: int = 1, unit: str = "") -> str:
    """A change with its sign and the typographic minus: ``+1.2 pts``, ``−3%``."""
    # What rounds to nothing is no change: "+0.0 pts" read as a gain.
    if round(value, decimals) == 0:
        return f"±0{unit}"
    return f"{value:+.{decimals}f}".replace("-", "−") + unit


def percent_text(share: float, decimals: int = 0) -> str:
    """A share as a percent: ``32%``, or ``15.9%`` with one decimal."""
    return f"{share:.{decimals}%}"


def rolled_pca_text(share: float) -> str:
    """Rolled %C&A as every view shows it, in whole percents: ``32%``, ``<1%`` for a sliver."""
    return share_text(share)


def shown_points(before: float, after: float, decimals: int = 0) -> float:
    """The change in percentage points between two shares as ``percent_text`` shows them, so
    that it agrees with the figures beside it: 15.5% → 16.4% shown as 16% → 16% is ±0 pts."""
    shown = [float(percent_text(share, decimals)[:-1]) for share in (before, after)]
    return round(shown[1] - shown[0], decimals)


def change_color(delta: float, lower_is_better: bool = True) -> str | None:
    """Green for a change for the better, red for worse, None for no change."""
    if abs(delta) < NOISE:
        return None
    return BETTER if (delta < 0) == lower_is_better else WORSE


def coloured(shown: str, delta: float, lower_is_better: bool = True) -> tuple[str, str | None]:
    """A change as shown with its colour, none when it shows as none (``±0``)."""
    return shown, None if shown.startswith("±0") else change_color(delta, lower_is_better)


def changes_against(
    stream: ValueStream, today: FlowAnalysis, shown: FlowAnalysis
) -> dict[str, tuple[str, str | None]]:
    """Each key figure's change from ``today`` to ``shown``, as shown with its colour: what the
    Metrics panel, the presentation headline and Compare scenarios say beside a scenario.
    A map without costs has no cost's change."""
    lead = shown.lead_time_hours - today.lead_time_hours
    process = shown.process_time_hours - today.process_time_hours
    expected = shown.expected_lead_time_hours - today.expected_lead_time_hours
    # Between the figures shown: 15.9% today and 13.2% read −2.7 pts, never −2.8.
    efficiency = shown_points(today.flow_efficiency, shown.flow_efficiency, 1)
    pca = shown_points(today.rolled_pca, shown.rolled_pca)
    cost = shown.cost_per_item - today.cost_per_item
    changes = {
        "lead_time": coloured(signed_duration(stream, lead), lead),
        "process_time": coloured(signed_duration(stream, process), process),
        "flow_efficiency": coloured(signed_number(efficiency, 1, " pts"), efficiency, False),
        "rolled_pca": coloured(signed_number(pca, 0, " pts"), pca, False),
        "expected_lead_time": coloured(signed_duration(stream, expected), expected),
    }
    if stream.has_costs():
        changes["cost_per_item"] = coloured(signed_money(cost, stream.currency), cost)
    return changes
