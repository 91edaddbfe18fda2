"""Durations in the forms people say them: parse, convert with a calendar, format."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, cast

from pydantic_core import CoreSchema, core_schema

from vsmapper.errors import quoted

Unit = Literal["s", "m", "h", "d", "w"]
Term = tuple[float, Unit]
Span = tuple[Term, ...]
Form = Literal["number", "point", "range", "three"]

ACCEPTED_FORMS = "try 3d, 4h, 90m, 1w 2d, 2-5d or 2d/3d/5d"
MAX_HOURS = 876_600.0
"""The longest duration anyone writes: 100 years of round-the-clock hours (36,525 days)."""
LONGEST = "durations are at most 100 years (876,600 hours)"
"""What a duration past ``MAX_HOURS`` is told."""

_UNIT_NAMES: dict[str, Unit] = {
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), "s"),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), "m"),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), "h"),
    **dict.fromkeys(("d", "day", "days"), "d"),
    **dict.fromkeys(("w", "wk", "wks", "week", "weeks"), "w"),
}
_NUMBER = r"(?:\d+(?:\.\d*)?|\.\d+)"
_TERM = re.compile(rf"\s*({_NUMBER})\s*([a-z]+)?\s*")
_BARE_NUMBER = re.compile(rf"\s*{_NUMBER}\s*")


_FIXED_UNIT_HOURS = {"s": 1 / 3600, "m": 1 / 60, "h": 1.0}


def unit_hours(unit: Unit, hours_per_day: float = 8, days_per_week: float = 5) -> float:
    """How many working hours one ``unit`` is under the given calendar."""
    if unit == "d":
        return hours_per_day
    if unit == "w":
        return hours_per_day * days_per_week
    return _FIXED_UNIT_HOURS[unit]


def span_hours(span: Span, hours_per_day: float = 8, days_per_week: float = 5) -> float:
    """Working hours of a span such as ``1w 2d``."""
    return sum(value * unit_hours(unit, hours_per_day, days_per_week) for value, unit in span)


WRITTEN_UNITS: tuple[Unit, ...] = ("w", "d", "h", "m")
"""The units a person writes a time in, largest first."""


def spoken_unit(hours: float, hours_per_day: float = 8, days_per_week: float = 5) -> Unit:
    """The unit a person says ``hours`` in: m under an hour, h under a day, d under 2w, else w."""
    if hours < 1:
        return "m"
    if hours >= 2 * hours_per_day * days_per_week:
        return "w"
    return "d" if hours >= hours_per_day else "h"


def _reads_plainly(figure: float, least: float, parts: int = 2) -> bool:
    """Whether a figure is 0, or whole or a half (or a quarter, with ``parts`` 4) and at
    least ``least``: 2, 1.5, 0 (5.25)."""
    scaled = figure * parts
    return figure == 0 or (figure >= least and abs(scaled - round(scaled)) <= 1e-9 * scaled)


def written_unit(
    hours: tuple[float, float, float], hours_per_day: float = 8, days_per_week: float = 5
) -> Unit:
    """The one unit a person writes low, likely and high hours in: 4w, 3d/4d/5d, 1h/24h/80h."""
    _, likely, high = hours
    said = spoken_unit(likely or high, hours_per_day, days_per_week)
    at = WRITTEN_UNITS.index(said)
    # A larger unit than the likely's when all three are one or more of it, whole or a half
    # (4w, not 20d); else the likely's where they are whole or a half (2.5d), or quarters
    # of one or more (4d/5.25d/6.5d, not 32h/42h/52h); else the next smaller where they
    # are whole or a half (3d/4d/5d, not 0.6w/0.8w/1w; 1h/24h/80h; 9h/10h/11h, not
    # 1.12d/1.25d/1.38d); else the likely's, to three figures (1.35d/2d/3d, not
    # 648m/960m/1440m).
    for unit in WRITTEN_UNITS[: at + 2]:
        size = unit_hours(unit, hours_per_day, days_per_week)
        least = 1.0 if WRITTEN_UNITS.index(unit) < at else 0.5
        if all(_reads_plainly(value / size, least) for value in hours):
            return unit
        if unit == said and all(_reads_plainly(value / size, 1.0, 4) for value in hours):
            return unit
    return said


def format_number(value: float) -> str:
    """Shortest text that reads back as exactly ``value``."""
    if not math.isfinite(value) or abs(value) >= 1e16:
        return repr(value)
    if value == int(value):
        return str(int(value))
    return format(Decimal(repr(value)), "f")


TYPED_DIGITS = 8
"""More significant digits than anyone types in a time: a figure with more was computed."""


def looks_computed(value: float) -> bool:
    """Whether ``value`` has more significant digits than anyone types (0.27227553585158354)."""
    # The digits of its shortest exact text, less the zeros that only place the point.
    return len(format_number(abs(value)).replace(".", "").strip("0")) > TYPED_DIGITS


def three_figures(value: float) -> float:
    """``value`` to three significant digits, whole units kept: 1.0801 → 1.08, 1234.5 → 1234."""
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, max(0, 2 - math.floor(math.log10(abs(value)))))


def format_span(span: Span) -> str:
    """``((1, 'w'), (2, 'd'))`` as ``1w 2d``."""
    return " ".join(f"{format_number(value)}{unit}" for value, unit in span) or "0h"


_THOUSANDS = re.compile(r"[+-]?[1-9]\d{0,2}(?:,\d{3})+(?:\.\d*)?")
_DECIMAL_COMMA = re.compile(r"\d,\d")
_GROUPED = re.compile(r"(?<![\d.])[1-9]\d{0,2},\d{3}(?!\d)")
_POINTS_GROUPED = re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+,\d+[a-z%]*", re.IGNORECASE)
"""``1.200,50``: thousands grouped with points before a decimal comma."""


def decimal_comma_hint(text: str) -> str | None:
    """Advice for a number written with a decimal comma: ``use a point for decimals: 1.5d``."""
    text = text.strip()
    if _POINTS_GROUPED.fullmatch(text):
        written = text.replace(".", "").replace(",", ".")
        return f"use a point for decimals and no thousands separator: {written}"
    if (
        text.count(",") != 1
        or "." in text  # "1.200,50" groups with points: no one point to put in its place
        or not _DECIMAL_COMMA.search(text)
        or _THOUSANDS.fullmatch(text)
    ):
        return None
    # "1,200h" groups thousands as a number would; "0,500" cannot.
    if _GROUPED.search(text):
        return f"write it without the comma: {text.replace(',', '')}"
    return f"use a point for decimals: {text.replace(',', '.')}"


def read_decimal(text: str) -> float:
    """A number as people type it, ``1,200`` with its thousands grouped; ``ValueError`` else.

    A decimal comma (``0,7``) is refused with advice: read as a separator it would make 7.
    """
    text = text.strip()
    if _THOUSANDS.fullmatch(text):
        text = text.replace(",", "")
    try:
        return float(text)
    except ValueError:
        hint = decimal_comma_hint(text)
        advice = f" ({hint})" if hint else ""
        raise ValueError(f"{text!r} is not a number{advice}") from None


def _malformed(text: str) -> ValueError:
    advice = decimal_comma_hint(text) or ACCEPTED_FORMS
    return ValueError(f"{quoted(text.strip())} is not a duration ({advice})")


class TooLongError(ValueError):
    """A duration past the longest anyone writes: a duration, not a malformed one."""


def _too_long(text: str) -> TooLongError:
    return TooLongError(f"{quoted(text.strip())} is too long; {LONGEST}")


def _number(text: str, original: str) -> float:
    """A term's number; one past any duration is refused before it can overflow."""
    value = float(text)
    if value > MAX_HOURS * 3600:
        raise _too_long(original)
    return value


def _parse_span(text: str, original: str) -> tuple[Span, bool]:
    """Terms of ``text``; the flag says it was a bare number with no unit."""
    if _BARE_NUMBER.fullmatch(text):
        return ((_number(text, original), "h"),), True
    terms: list[Term] = []
    position = 0
    while position < len(text):
        match = _TERM.match(text, position)
        if not match or match.group(2) is None or match.group(2) not in _UNIT_NAMES:
            raise _malformed(original)
        terms.append((_number(match.group(1), original), _UNIT_NAMES[match.group(2)]))
        position = match.end()
    if not terms:
        raise _malformed(original)
    return tuple(terms), False


def _with_unit_of(span: Span, bare: bool, other: Span) -> Span:
    """A bare number borrows the unit of its neighbour: ``2-5d`` means 2d to 5d."""
    return ((span[0][0], other[-1][1]),) if bare else span


@dataclass(frozen=True, slots=True)
class Estimate:
    """A three-point duration kept in the form the user gave it."""

    # A plain immutable value, not a pydantic model: a map holds two per stage and the
    # analysis scales thousands, so making one validates nothing. What a file or a user
    # gives is read by ``Estimate.read``, which the map's models call for their durations.

    form: Form = "number"
    low: Span = ((0.0, "h"),)
    likely: Span | None = ((0.0, "h"),)
    high: Span = ((0.0, "h"),)

    @classmethod
    def __get_pydantic_core_schema__(cls, source: object, handler: object) -> CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls.read,
            serialization=core_schema.plain_serializer_function_ser_schema(cls.file_value),
        )

    @staticmethod
    def read(value: object) -> Estimate:
        """A text such as ``2-5d`` or a number of hours as an estimate; an estimate as it is."""
        # Each text or number is read once: maps repeat a few durations thousands of times.
        if type(value) is Estimate:
            return value
        if type(value) not in (str, int, float):
            raise ValueError(f"{_json_kind(value)} is not a duration ({ACCEPTED_FORMS})")
        known = _READ.get(value)
        if known is None:
            if len(_READ) >= _READ_LIMIT:
                _READ.clear()
            known = _READ[value] = _read(cast(str | int | float, value))
        return known

    def file_value(self) -> str | int | float:
        """What a map file holds: a plain number of hours as a number, else the text."""
        if self.form == "number":
            value = self.high[0][0]
            return int(value) if value == int(value) else value
        return self.text

    @staticmethod
    def hours_value(hours: float) -> Estimate:
        """A plain number of hours, as a file writes ``2`` or ``1.5``."""
        return Estimate(
            form="number", low=((hours, "h"),), likely=((hours, "h"),), high=((hours, "h"),)
        )

    @staticmethod
    def three_point(
        hours: tuple[float, float, float], hours_per_day: float = 8, days_per_week: float = 5
    ) -> Estimate:
        """Low, likely and high working hours as a person writes them: ``10m/20.7m/5.73h``."""

        def spoken(value: float) -> Span:
            unit = spoken_unit(value, hours_per_day, days_per_week)
            return ((three_figures(value / unit_hours(unit, hours_per_day, days_per_week)), unit),)

        low, likely, high = hours
        return Estimate(form="three", low=spoken(low), likely=spoken(likely), high=spoken(high))

    @staticmethod
    def in_one_unit(
        hours: tuple[float, float, float], hours_per_day: float = 8, days_per_week: float = 5
    ) -> Estimate:
        """Low, likely and high working hours in one unit: ``3d/4d/5d``, ``1w/2w/4w``, ``4w``."""
        if not any(hours):
            return Estimate.zero()
        unit = written_unit(hours, hours_per_day, days_per_week)
        size = unit_hours(unit, hours_per_day, days_per_week)
        low, likely, high = (((three_figures(value / size), unit),) for value in hours)
        if low == likely == high:
            return Estimate(form="point", low=low, likely=likely, high=high)
        return Estimate(form="three", low=low, likely=likely, high=high)

    @staticmethod
    def zero() -> Estimate:
        """No time at all: one shared estimate, the default of every stage without a time."""
        return _ZERO

    @property
    def text(self) -> str:
        """The text form: ``2``, ``1w 2d``, ``2-5d`` or ``2d/3d/5d``."""
        if self.form == "number":
            return format_number(self.high[0][0])
        if self.form == "point":
            return format_span(self.high)
        if self.form == "range":
            (low_value, low_unit), (high_value, high_unit) = self.low[-1], self.high[-1]
            if len(self.low) == 1 and len(self.high) == 1 and low_unit == high_unit:
                return f"{format_number(low_value)}-{format_number(high_value)}{high_unit}"
            return f"{format_span(self.low)}-{format_span(self.high)}"
        assert self.likely is not None
        return "/".join(format_span(span) for span in (self.low, self.likely, self.high))

    def hours(
        self, hours_per_day: float = 8, days_per_week: float = 5
    ) -> tuple[float, float, float]:
        """Low, likely and high in working hours; a range's likely is its midpoint."""
        low = span_hours(self.low, hours_per_day, days_per_week)
        high = span_hours(self.high, hours_per_day, days_per_week)
        if self.likely is None:
            return low, (low + high) / 2, high
        return low, span_hours(self.likely, hours_per_day, days_per_week), high

    def likely_hours(self, hours_per_day: float = 8, days_per_week: float = 5) -> float:
        """The likely value in working hours."""
        if self.likely is not None:
            return span_hours(self.likely, hours_per_day, days_per_week)
        return self.hours(hours_per_day, days_per_week)[1]

    def scaled(self, factor: float) -> Estimate:
        """The same estimate with every part multiplied by ``factor``."""

        def scale(span: Span) -> Span:
            return tuple((value * factor, unit) for value, unit in span)

        likely = None if self.likely is None else scale(self.likely)
        return Estimate(self.form, scale(self.low), likely, scale(self.high))

    @property
    def looks_computed(self) -> bool:
        """Whether a figure has more digits than anyone types: a scaled time's have."""
        spans = (self.low, self.high) if self.likely is None else (self.low, self.likely, self.high)
        return any(looks_computed(value) for span in spans for value, _ in span)

    def as_written(self, hours_per_day: float = 8, days_per_week: float = 5) -> Estimate:
        """The estimate as a file or sheet writes it: as typed, or if computed to three figures."""
        if not self.looks_computed:
            return self
        return self.to_three_figures(hours_per_day, days_per_week)

    def to_three_figures(self, hours_per_day: float = 8, days_per_week: float = 5) -> Estimate:
        """Every figure to three significant digits, as a person writes a scaled time; itself
        when that would put its points out of order under the calendar (8.006h/1.002d rounds
        to 8.01h/1d)."""

        def round_span(span: Span) -> Span:
            return tuple((three_figures(value), unit) for value, unit in span)

        likely = None if self.likely is None else round_span(self.likely)
        rounded = Estimate(self.form, round_span(self.low), likely, round_span(self.high))
        low, middle, high = rounded.hours(hours_per_day, days_per_week)
        return rounded if low <= middle <= high else self

    def __str__(self) -> str:
        return self.text


def _json_kind(value: object) -> str:
    """A value as a map file spells it, or what kind of value it is: ``true``, ``an object``."""
    if value is None or isinstance(value, bool):
        return "null" if value is None else str(value).lower()
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list | tuple):
        return "a list"
    return f"a {type(value).__name__}"


def _read(value: str | int | float) -> Estimate:
    """``Estimate.read`` of a text or number it has not read before."""
    if isinstance(value, str):
        return parse_estimate(value)
    try:
        hours = float(value)
    except OverflowError:
        raise ValueError(f"the number is too long; {LONGEST}") from None
    if math.isnan(hours):
        raise ValueError("NaN is not a number of hours")
    if hours < 0:
        raise ValueError(f"{format_number(hours)} is negative; durations are 0 or more")
    if hours > MAX_HOURS:
        raise ValueError(f"{format_number(hours)} hours is too long; {LONGEST}")
    return Estimate.hours_value(hours)


_ZERO = Estimate.hours_value(0.0)
_READ: dict[object, Estimate] = {}
"""Estimates by the text or number they were read from; estimates are immutable."""
_READ_LIMIT = 10_000


def parse_estimate(text: str) -> Estimate:
    """Read ``90m``, ``1.5h``, ``2d``, ``1w 2d``, ``2-5d``, ``2d/3d/5d``; blank is zero."""
    estimate = _parse(text)
    # Working weeks and days are at most calendar ones, so this bounds every calendar.
    if estimate.hours(24, 7)[2] > MAX_HOURS:
        raise _too_long(text)
    return estimate


_DASHES = str.maketrans("‐‑–—−", "-----")
"""Hyphens, en and em dashes and the minus sign, which phones and pasted text put in a
range."""


def _parse(text: str) -> Estimate:
    """``parse_estimate`` of any length."""
    cleaned = text.strip().lower().translate(_DASHES)
    if not cleaned:
        return Estimate.zero()
    if "/" in cleaned:
        parts = cleaned.split("/")
        if len(parts) != 3:
            raise _malformed(text)
        spans = [_parse_span(part, text) for part in parts]
        last = spans[2][0]
        low, likely, high = (_with_unit_of(span, bare, last) for span, bare in spans)
        return Estimate(form="three", low=low, likely=likely, high=high)
    if "-" in cleaned:
        parts = cleaned.split("-")
        if len(parts) != 2:
            raise _malformed(text)
        (low, low_bare), (high, high_bare) = (_parse_span(part, text) for part in parts)
        if low_bare and not high_bare:
            low = _with_unit_of(low, True, high)
        return Estimate(form="range", low=low, likely=None, high=high)
    span, bare = _parse_span(cleaned, text)
    if bare:
        return Estimate.hours_value(span[0][0])
    return Estimate(form="point", low=span, likely=span, high=span)


DisplayUnit = Literal["auto", "hours", "days"]


def format_hours(
    hours: float, hours_per_day: float = 8, days_per_week: float = 5, unit: DisplayUnit = "auto"
) -> str:
    """A rounded display of working hours: ``45m``, ``3.5h``, ``2.5d``, ``3w 2d``.

    ``unit`` "hours" or "days" shows every figure in that one unit, for comparing at a glance.
    """
    # Sums that differ by float noise alone read alike: 29.999999999999886h was "3.7d" beside
    # 30h's "3.8d", and 0.99999999h "60m".
    hours = round(hours, 6)
    if hours < 0:
        return "−" + format_hours(-hours, hours_per_day, days_per_week, unit)
    if hours == 0:
        return "0"
    if unit in ("hours", "days"):
        value, suffix = (hours, "h") if unit == "hours" else (hours / hours_per_day, "d")
        # A figure too small for one decimal is not none: "0d" read as no effect at all.
        return f"{_trim(value)}{suffix}" if value >= 0.05 else f"<0.1{suffix}"
    week = hours_per_day * days_per_week
    # Each unit while its rounded figure stays under the next one: 59.7 minutes read "60m".
    if round(hours * 60) < 60:
        minutes = hours * 60
        return f"{minutes:.0f}m" if round(minutes) >= 1 else f"{minutes * 60:.0f}s"
    if round(hours, 1) < hours_per_day:
        return f"{_trim(hours)}h"
    if round(hours / hours_per_day, 1) < days_per_week:
        return f"{_trim(hours / hours_per_day)}d"
    weeks, rest = divmod(hours, week)
    days = round(rest / hours_per_day, 1)
    if days >= days_per_week:
        weeks, days = weeks + 1, 0
    return f"{int(weeks)}w {_trim(days)}d" if days else f"{int(weeks)}w"


def _trim(value: float) -> str:
    """One decimal at most, without a trailing ``.0``."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def share_text(share: float) -> str:
    """A share as a whole percent, ``<1%`` for a share that would round to nothing."""
    text = f"{share:.0%}"
    return "<1%" if share > 0 and text == "0%" else text
