"""Durations: every text form, calendars, readable display, exact round trips."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vsmapper.model.duration import (
    Estimate,
    format_hours,
    parse_estimate,
    read_decimal,
    three_figures,
)


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("90m", (1.5, 1.5, 1.5)),
        ("1.5h", (1.5, 1.5, 1.5)),
        ("2d", (16, 16, 16)),
        ("1w 2d", (56, 56, 56)),
        ("3h30m", (3.5, 3.5, 3.5)),
        ("45s", (0.0125, 0.0125, 0.0125)),
        ("2-5d", (16, 28, 40)),
        ("2d/3d/5d", (16, 24, 40)),
        ("2/3/5d", (16, 24, 40)),
        ("4h-2d", (4, 10, 16)),
        ("2", (2, 2, 2)),
        ("", (0, 0, 0)),
        ("  3 days ", (24, 24, 24)),
        ("2 weeks", (80, 80, 80)),
        (".5h", (0.5, 0.5, 0.5)),
    ],
)
def test_every_text_form_parses(text: str, hours: tuple[float, float, float]) -> None:
    assert parse_estimate(text).hours() == pytest.approx(hours)


def test_calendar_rereads_days_and_weeks_as_meant() -> None:
    estimate = parse_estimate("1w 2d")
    assert estimate.hours(hours_per_day=6, days_per_week=4) == (36, 36, 36)
    assert estimate.text == "1w 2d"


@pytest.mark.parametrize(
    "text", ["3 dayz", "-2d", "2--5d", "d", "1/2", "1.2.3h", "abc", "2d/3d", "1-2-3d", "5 parsecs"]
)
def test_malformed_text_is_refused_with_the_accepted_forms(text: str) -> None:
    with pytest.raises(ValueError, match=r"is not a duration \(try 3d, 4h, 90m"):
        parse_estimate(text)


def test_numbers_are_hours_and_written_back_as_numbers() -> None:
    assert Estimate.read(2.5).file_value() == 2.5
    assert Estimate.read(3).file_value() == 3
    assert Estimate.read("2-5d").file_value() == "2-5d"


@pytest.mark.parametrize("value", [-1, float("nan"), float("inf"), True, None, [1]])
def test_bad_numbers_are_refused(value: object) -> None:
    with pytest.raises(ValueError):
        Estimate.read(value)


def test_scaled_keeps_the_form() -> None:
    scaled = parse_estimate("2-4d").scaled(0.5)
    assert scaled.text == "1-2d"
    assert scaled.hours() == (8, 12, 16)


@pytest.mark.parametrize(
    ("hours", "shown"),
    [
        (0, "0"),
        (0.75, "45m"),
        (3.5, "3.5h"),
        (20, "2.5d"),
        (112, "2w 4d"),
        (80, "2w"),
        (0.005, "18s"),
        # Float noise reads as the figure it stands for: "3.7d" beside 30h's "3.8d", "60m".
        (29.999999999999886, "3.8d"),
        (0.99999999, "1h"),
        (1e-10, "0"),
        # A figure that rounds up to the next unit is shown in it.
        (0.995, "1h"),
        (7.96, "1d"),
        (39.9, "1w"),
    ],
)
def test_display_picks_a_readable_unit(hours: float, shown: str) -> None:
    assert format_hours(hours) == shown


units = st.sampled_from(["s", "m", "h", "d", "w"])
amounts = st.one_of(
    st.integers(0, 1_000).map(float),
    st.floats(0, 1_000, allow_nan=False, allow_infinity=False),
)
spans = st.lists(st.tuples(amounts, units), min_size=1, max_size=3).map(tuple)


@st.composite
def estimates(draw: st.DrawFn) -> Estimate:
    form = draw(st.sampled_from(["number", "point", "range", "three"]))
    if form == "number":
        return Estimate.hours_value(draw(amounts))
    if form == "point":
        span = draw(spans)
        return Estimate(form="point", low=span, likely=span, high=span)
    if form == "range":
        return Estimate(form="range", low=draw(spans), likely=None, high=draw(spans))
    return Estimate(form="three", low=draw(spans), likely=draw(spans), high=draw(spans))


@given(estimates())
def test_parse_of_format_is_the_identity(estimate: Estimate) -> None:
    assert parse_estimate(estimate.text) == estimate
    assert Estimate.read(estimate.file_value()) == estimate


@given(st.text(max_size=20))
def test_any_text_parses_or_is_refused_cleanly(text: str) -> None:
    try:
        estimate = parse_estimate(text)
    except ValueError as error:
        assert "is not a duration" in str(error)
    else:
        assert parse_estimate(estimate.text) == estimate


@given(estimates(), st.sampled_from(list("!#$%^&*xyzq,;")))
def test_junk_after_a_valid_duration_is_refused(estimate: Estimate, junk: str) -> None:
    with pytest.raises(ValueError, match="is not a duration"):
        parse_estimate(estimate.text + junk)


def test_negative_differences_show_a_minus_sign() -> None:
    assert format_hours(-13) == "−1.6d"


def test_one_unit_for_every_figure_when_asked() -> None:
    assert format_hours(112, unit="hours") == "112h"
    assert format_hours(20, unit="days") == "2.5d"
    assert format_hours(0.5, unit="hours") == "0.5h"
    # Too small for one decimal, but not nothing: "0d" read as no effect at all.
    assert format_hours(0.3, unit="days") == "<0.1d"
    assert format_hours(0.04, unit="hours") == "<0.1h"
    assert format_hours(-0.3, unit="days") == "−<0.1d"
    assert format_hours(0, unit="days") == "0"


@pytest.mark.parametrize(
    ("value", "kind"),
    [(True, "true"), (None, "null"), ({"form": "number"}, "an object"), ([1], "a list")],
)
def test_a_value_of_another_kind_is_named_as_a_map_file_spells_it(value: object, kind: str) -> None:
    with pytest.raises(ValueError, match=f"^{kind} is not a duration"):
        Estimate.read(value)


@pytest.mark.parametrize("text", ["3000000000h", "99999999w", "1-99999999w"])
def test_a_duration_typed_longer_than_a_century_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="is too long; durations are at most 100 years"):
        parse_estimate(text)


@pytest.mark.parametrize(
    ("typed", "number"),
    [("1,200", 1200), ("-1,000", -1000), ("12,345,678.5", 12345678.5), (" 0.7 ", 0.7)],
)
def test_numbers_may_group_thousands_with_commas(typed: str, number: float) -> None:
    assert read_decimal(typed) == number


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("0,7", "'0,7' is not a number (use a point for decimals: 0.7)"),
        ("0,500", "'0,500' is not a number (use a point for decimals: 0.500)"),
        ("85,50", "'85,50' is not a number (use a point for decimals: 85.50)"),
        ("1,2,3", "'1,2,3' is not a number"),
        # Points group its thousands, as where a comma is the decimal mark.
        (
            "1.200,50",
            "'1.200,50' is not a number (use a point for decimals and no thousands "
            "separator: 1200.50)",
        ),
        (
            "1.200.000,5",
            "'1.200.000,5' is not a number (use a point for decimals and no "
            "thousands separator: 1200000.5)",
        ),
        ("1.20,50", "'1.20,50' is not a number"),
    ],
)
def test_a_decimal_comma_is_refused_with_advice(typed: str, message: str) -> None:
    with pytest.raises(ValueError) as refused:
        read_decimal(typed)
    assert str(refused.value) == message


def test_a_duration_with_a_decimal_comma_is_refused_with_advice() -> None:
    with pytest.raises(
        ValueError, match=r"'1,5d' is not a duration \(use a point for decimals: 1.5d\)"
    ):
        parse_estimate("1,5d")
    with pytest.raises(ValueError, match=r"try 3d"):
        parse_estimate("2d,3d")
    # A comma before three digits groups thousands: "1.200h" would be an hour and a fifth.
    with pytest.raises(ValueError, match=r"\(write it without the comma: 1200h\)"):
        parse_estimate("1,200h")


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (1.080144632305315, 1.08),
        (2.9999999999999987, 3),
        (0.0012345, 0.00123),
        (1234.56, 1235),
        (0, 0),
    ],
)
def test_a_scaled_figure_is_read_to_three_significant_digits(value: float, shown: float) -> None:
    assert three_figures(value) == shown


def test_a_rounded_estimate_keeps_its_form_and_units() -> None:
    assert Estimate.read("2-5d").scaled(0.540072316).to_three_figures().text == "1.08-2.7d"
    assert Estimate.read("3h/1d/2d").scaled(1 / 3).to_three_figures().text == "1h/0.333d/0.667d"
    assert Estimate.read("1w 2d").scaled(0.7).to_three_figures().text == "0.7w 1.4d"
    assert Estimate.read(2.5).scaled(1 / 3).to_three_figures().text == "0.833"


def test_measured_hours_are_written_each_in_the_unit_a_person_would_use() -> None:
    assert Estimate.three_point((29.75, 61.85, 140.2)).text == "3.72d/7.73d/3.5w"
    assert Estimate.three_point((1 / 6, 0.345, 5.7333)).text == "10m/20.7m/5.73h"
    assert Estimate.three_point((40, 120, 400), hours_per_day=8, days_per_week=5).text == (
        "5d/3w/10w"
    )
    assert Estimate.three_point((29.75, 61.85, 140.2)).hours() == pytest.approx(
        (29.76, 61.84, 140), rel=1e-9
    )


@pytest.mark.parametrize(
    ("hours", "text"),
    [
        ((24, 32, 40), "3d/4d/5d"),
        ((40, 80, 160), "1w/2w/4w"),
        ((160, 160, 160), "4w"),
        ((40, 60, 80), "1w/1.5w/2w"),
        ((48, 64, 80), "6d/8d/10d"),  # not 1.2w/1.6w/2w
        ((20, 20, 20), "2.5d"),  # not 0.5w
        ((4, 12, 20), "0.5d/1.5d/2.5d"),
        ((0.5, 1, 2), "0.5h/1h/2h"),
        ((0, 16, 40), "0d/2d/5d"),
        ((1, 24, 80), "1h/24h/80h"),
        ((10.8, 16, 24), "1.35d/2d/3d"),  # no plain unit near: not 648m/960m/1440m
        ((32, 42, 52), "4d/5.25d/6.5d"),  # a team's days, not 32h/42h/52h
        ((9, 10, 11), "9h/10h/11h"),  # a team's hours, not 1.12d/1.25d/1.38d
        ((45, 50, 60), "45h/50h/60h"),  # not 5.62d/6.25d/7.5d
        ((1.5, 3, 4.25), "1.5h/3h/4.25h"),  # not 90m/180m/255m
        ((6, 8, 12), "6h/8h/12h"),  # not 0.75d/1d/1.5d
        ((29.75, 61.85, 140.2), "3.72d/7.73d/17.5d"),
        ((0, 0, 0), "0"),
    ],
)
def test_three_points_are_written_in_the_largest_unit_that_reads_plainly(
    hours: tuple[float, float, float], text: str
) -> None:
    written = Estimate.in_one_unit(hours)
    assert written.text == text
    assert written.hours() == pytest.approx(hours, rel=2e-3)


def test_only_a_computed_estimate_is_made_readable() -> None:
    typed = Estimate.read("1.125-2.5d")
    assert not typed.looks_computed and typed.as_written() is typed
    scaled = typed.scaled(1 / 3)
    assert scaled.looks_computed and scaled.as_written().text == "0.375-0.833d"


def test_three_figures_never_put_an_estimate_out_of_order() -> None:
    # 8.006h/1.002d/1.012d would read 8.01h/1d/1.01d: a likely under its low.
    scaled = Estimate.read("7.99h/1d/1.01d").scaled(1.002)
    assert scaled.to_three_figures() is scaled


@given(
    st.sampled_from(["7.99h/1d/1.01d", "2-5d", "4h-1d", "1h/0.3d/2d", "59m/1h/1.01h", "1w 2d"]),
    st.floats(0.001, 50, allow_nan=False),
)
def test_a_scaled_estimate_to_three_figures_stays_in_order(text: str, factor: float) -> None:
    low, likely, high = Estimate.read(text).scaled(factor).to_three_figures().hours()
    assert low <= likely <= high


def test_three_figures_keep_the_order_under_the_map_s_calendar() -> None:
    # 6h/0.999d/2d on a 6-hour day: the likely under the low, and an export that crashed.
    scaled = Estimate.read("6h/1d/2d").scaled(0.99920000123)
    assert scaled.to_three_figures(6, 5) is scaled
    low, likely, high = scaled.as_written(6, 5).hours(6, 5)
    assert low <= likely <= high
