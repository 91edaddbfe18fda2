"""Dates and times as people type them: read, or refused naming why."""

from __future__ import annotations

from datetime import date

import pytest

from vsmapper.io.typed import typed_date


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        ("2026-12-15", date(2026, 12, 15)),
        (" 2026-3-5 ", date(2026, 3, 5)),
        ("15.12.2026", date(2026, 12, 15)),
        ("3.4.2026", date(2026, 4, 3)),  # dots are always day first
        ("15/12/2026", date(2026, 12, 15)),
        ("12/15/2026", date(2026, 12, 15)),
        ("04/04/2026", date(2026, 4, 4)),  # either order, the same day
        ("", None),
    ],
)
def test_a_date_typed_in_a_form_with_one_meaning_is_read(text: str, meant: date | None) -> None:
    assert typed_date(text) == meant


def test_a_slash_date_that_reads_both_ways_names_both() -> None:
    with pytest.raises(ValueError) as refusal:
        typed_date("03/04/2026")
    assert str(refusal.value) == (
        "'03/04/2026' could be 4 March or 3 April; write it as YYYY-MM-DD: 2026-03-04 or 2026-04-03"
    )


@pytest.mark.parametrize("text", ["next week", "31.02.2026", "15/13/2026", "15/12/26", "20261215"])
def test_anything_else_is_not_a_date(text: str) -> None:
    with pytest.raises(
        ValueError, match=r"is not a date; write it as YYYY-MM-DD, e\.g\. 2026-12-31$"
    ):
        typed_date(text)


def test_hours_and_minutes_typed_as_a_sheet_shows_a_time_are_read_as_such() -> None:
    from vsmapper.io.typed import typed_value
    from vsmapper.model.stream import Calendar, Stage

    stage = Stage(id="s", name="S")
    assert typed_value(stage, "wait_time", "4:30", Calendar()).text == "4h 30m"
    # As a time cell with seconds reads, to the nearest minute.
    assert typed_value(stage, "wait_time", "4:30:40", Calendar()).text == "4h 31m"
    with pytest.raises(ValueError, match="not a duration"):
        typed_value(stage, "wait_time", "4:30:75", Calendar())
