"""What a user types for a stage's field, in a cell, on the map or in Properties: read as a
spreadsheet's cell is, and checked as the map checks the stage's own."""

from __future__ import annotations

import calendar as months
import re
from datetime import date
from typing import Any

from pydantic import ValidationError

from vsmapper.errors import quoted
from vsmapper.io.table_import import (
    Cell,
    percent_number,
    read_availability,
    read_duration,
    read_number,
    read_pca,
)
from vsmapper.model.duration import Estimate, format_number
from vsmapper.model.stream import MIN_SHARE, Calendar, Stage, estimate_problem
from vsmapper.model.validation import validation_messages

DURATIONS = ("process_time", "wait_time")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DAY_FIRST_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_SLASH_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
OPTIONAL_NUMBERS = ("hourly_cost", "wip", "throughput_per_week")
NUMBERS = ("people", *OPTIONAL_NUMBERS)
# A refusal starts with the stage and the field it names ("Coding: pca: "); a cell says those.
_REFUSAL_PLACE = re.compile(
    r"^(?:.*?: )?(?:stages\[\d+\] '(?P<stage>[^']*)'\.)?(?P<field>[a-z_]+): "
)


def typed_value(stage: Stage, field: str, text: str, calendar: Calendar) -> Any:
    """The value ``text`` typed for ``field`` of ``stage`` means; ``ValueError`` saying why
    the map would refuse it."""
    value = read_stage_field(field, text)
    try:
        stage.replaced(**{field: value})
    except ValidationError as error:
        raise ValueError(refusal_reason(validation_messages(error)[0])) from None
    if field in DURATIONS:
        problem = estimate_problem(value, calendar, text)
        if problem:
            raise ValueError(problem)
    return value


_BARE_NUMBER = re.compile(r"\d+(\.\d+)?")
"""A number without a unit, as typed for a time."""


def bare_hours(field: str, text: str) -> str | None:
    """What a bare number typed for a time reads as ("2 hours"), or None; never said of 0."""
    # Said, since a 2 meant as days goes in as hours unseen.
    typed = text.strip()
    if field not in DURATIONS or not _BARE_NUMBER.fullmatch(typed) or not float(typed):
        return None
    return f"{typed} hour" if typed == "1" else f"{typed} hours"


def read_stage_field(field: str, text: str) -> Any:
    """The value a typed stage field means; ``ValueError`` when the text cannot mean one.

    The table and the properties panel read text alike, and alike with spreadsheet import:
    ``85%`` for %C&A, ``50%`` or ``0.5`` for availability, blank for "the map's" cost.
    """
    cell = Cell(text)
    if field in DURATIONS:
        return _typed_duration(cell)
    if field == "pca":
        return _typed_pca(text)
    if field == "availability":
        return _typed_availability(text)
    if field in OPTIONAL_NUMBERS and not text.strip():
        return None
    if field in NUMBERS:
        return read_number(cell)
    if field in ("phase", "kind", "wait_kind"):
        return text.strip().lower()
    if field == "name":
        return text.strip()
    return text


def _typed_duration(cell: Cell) -> Estimate:
    """A duration typed: ``read_duration``'s, but for a unit given twice."""
    estimate = read_duration(cell, "")
    problem = unit_given_twice(estimate, str(cell.value))
    if problem:
        raise ValueError(problem)
    return estimate


def unit_given_twice(estimate: Estimate, typed: str) -> str | None:
    """Why a duration typed or pasted cannot be taken, if it gives a unit twice, or None.

    "2d 3d" adds up to 5d, as "1w 2d" does; typed, it is a range with its dash missed. A
    file or a sheet may hold it, as older versions wrote what was typed: those still read.
    """
    for span in (estimate.low, estimate.likely or (), estimate.high):
        units = [unit for _, unit in span]
        repeated = next((unit for unit in units if units.count(unit) > 1), None)
        if repeated:
            return (
                f"{typed.strip()!r} gives {repeated} twice (a range is written 2-5d, a sum 1w 2d)"
            )
    return None


def _typed_availability(text: str) -> float:
    """Availability as a share (0.5) or a percentage (50, 50%); a bare number a little over 1
    is refused, most likely a slip: 1 is all their time, and 1.5 would be 1.5 %."""
    share = read_availability(Cell(text))
    shown = _slip(text, 1, 10)
    if shown:
        raise ValueError(
            f"'{shown}' would be {shown} % of their time: type 0.5 or 50% for half, or "
            f"{shown}% if you mean it"
        )
    if share < MIN_SHARE / 100:
        # Said in percent, as the field shows it: the model's limit is the fraction 0.0001.
        raise ValueError(
            f"{quoted(text.strip())} is out of range; availability must be "
            f"{format_number(MIN_SHARE)}% or more"
        )
    return share


def _typed_pca(text: str) -> float:
    """%C&A typed in percent; a bare number under 1 is refused, most likely a fraction.

    Taken as a percentage, 0.85 is a stage that gets almost nothing right, and lead time
    explodes without a word. (A spreadsheet's column of fractions is read as fractions.)
    """
    number = read_pca(Cell(text))
    shown = _slip(text, 0, 1)
    if shown:
        # Rounded so that 0.07 advises 7, not 7.000000000000001.
        percent = format_number(round(number * 100, 9))
        raise ValueError(
            f"'{shown}' would be {shown} %: %C&A is in percent ({percent} for {percent} %); "
            f"type {shown}% if you mean it"
        )
    return number


def _slip(text: str, low: float, high: float) -> str | None:
    """The text as typed when it is a bare number (no %) between ``low`` and ``high``: a
    percentage field's likely slip; None otherwise."""
    number, marked = percent_number(Cell(text))
    return text.strip() if not marked and low < number < high else None


def refusal_reason(problem: str, own: str | None = None) -> str:
    """A document's refusal without the stage and field it names, for a message beside them;
    a refusal about another stage than ``own`` (an edit of flows breaking another stage's
    rework) keeps that stage and field: "Code review, rework to: …"."""
    found = _REFUSAL_PLACE.match(problem)
    if found is None:
        return problem
    reason = problem[found.end() :]
    other = found["stage"]
    if other is not None and own is not None and other != own:
        return f"{other}, {found['field'].replace('_', ' ')}: {reason}"
    return reason


class AmbiguousDateError(ValueError):
    """A date typed with its day and month in an order only its writer knows."""


def typed_date(text: str) -> date | None:
    """A date as people type it, None when blank; ``ValueError`` saying what to type.

    ``2026-12-15``; ``15.12.2026``, always day first; ``15/12/2026`` or ``12/15/2026``, where
    only one order makes a date. ``03/04/2026`` is 3 April in one country and March 4 in
    another, so it is refused with both dates to choose from.
    """
    typed = text.strip()
    if not typed:
        return None
    if match := _ISO_DATE.fullmatch(typed):
        year, month, day = map(int, match.groups())
        readings = {_date(year, month, day)}
    elif match := _DAY_FIRST_DATE.fullmatch(typed):
        day, month, year = map(int, match.groups())
        readings = {_date(year, month, day)}
    elif match := _SLASH_DATE.fullmatch(typed):
        first, second, year = map(int, match.groups())
        readings = {_date(year, second, first), _date(year, first, second)}
    else:
        readings = set()
    dates = sorted(reading for reading in readings if reading is not None)
    if len(dates) == 1:
        return dates[0]
    if not dates:
        raise ValueError(f"{quoted(typed)} is not a date; write it as YYYY-MM-DD, e.g. 2026-12-31")
    said = " or ".join(f"{reading.day} {months.month_name[reading.month]}" for reading in dates)
    written = " or ".join(reading.isoformat() for reading in dates)
    raise AmbiguousDateError(f"{quoted(typed)} could be {said}; write it as YYYY-MM-DD: {written}")


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
