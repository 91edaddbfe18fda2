"""The participants' page in a real headless browser: filled in, sent, taken back."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.workshop.browser import CHROMIUM, HeadlessBrowser
from vsmapper.io.typed import read_stage_field
from vsmapper.model.stream import ValueStream
from vsmapper.workshop.server import SurveyRound

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed; .ci/run installs it"),
]

STREAM = ValueStream.model_validate(
    {
        "name": "Checkout <i>feature</i>",
        "stages": [
            {"id": "coding", "name": "Coding"},
            {"id": "review", "name": "<img src=x onerror=alert(1)>"},
        ],
    }
)


@pytest.fixture
def browser() -> Iterator[HeadlessBrowser]:
    browser = HeadlessBrowser()
    yield browser
    browser.close()


FIELDSETS = "document.querySelectorAll('fieldset').length"


@pytest.fixture
def survey(browser: HeadlessBrowser) -> Iterator[SurveyRound]:
    """A round on ``STREAM``, its page open in the browser with both stages' fields."""
    survey = SurveyRound(STREAM)
    survey.start()
    try:
        browser.open(survey.address)
        assert browser.wait_for(FIELDSETS) == 2
        yield survey
    finally:
        survey.stop()


def test_a_participant_fills_in_and_sends_the_page(
    browser: HeadlessBrowser, survey: SurveyRound
) -> None:
    assert browser.evaluate("document.getElementById('title').textContent") == (
        "Estimate round: Checkout <i>feature</i>"
    )
    # Names arrive as text: no element was made from them.
    legends = "Array.from(document.querySelectorAll('legend'), e => e.textContent)"
    assert browser.evaluate(legends) == ["Coding", "<img src=x onerror=alert(1)>"]
    assert browser.evaluate("document.querySelectorAll('img, i').length") == 0
    # The map shows a note's first words: the page asks for a few.
    pain_label = "document.querySelector('label[for=s0-pain]').textContent"
    assert browser.evaluate(pain_label) == "Pain point (a few words, as on a sticky note)"

    # A bare number is hours, and the page says so as it is typed.
    browser.type_into("s0-wait_time", "3")
    reading = "document.getElementById('s0-wait_time-reading').textContent"
    assert browser.wait_for(reading) == "= 3 hours (3d for days)"
    browser.evaluate("document.getElementById('s0-wait_time').value = ''")
    browser.type_into("s0-wait_time", "2-5d")
    assert browser.evaluate(reading) == ""
    browser.type_into("s0-process_time", "4h")
    browser.type_into("s1-pca", "70")
    browser.type_into("s1-pain", "<script>alert('x')</script>")
    browser.evaluate("document.getElementById('send').click()")
    status = "document.getElementById('status').textContent"
    assert "your answer is in" in browser.wait_for(status)
    merge = survey.merge()
    assert merge.responses == 1
    coding, review = merge.stages
    assert coding.wait_time is not None and coding.wait_time.text == "2-5d"
    assert coding.process_time is not None and coding.process_time.text == "4h"
    assert review.pca == 70 and review.pains == ("<script>alert('x')</script>",)

    browser.evaluate("document.getElementById('s0-wait_time').value = '3 dayz'")
    browser.evaluate("document.getElementById('send').click()")
    error = "document.getElementById('status').className === 'error' && " + status
    assert "Coding · Wait before it: " in browser.wait_for(error)
    assert survey.merge().stages[0].wait_time.text == "2-5d"

    problem = "document.getElementById('s0-wait_time-problem').textContent"
    assert browser.evaluate(problem) == "'3 dayz' is not a duration (try 3d, 4h, 90m, 2-5d)"
    assert (
        browser.evaluate("document.getElementById('s0-wait_time').getAttribute('aria-invalid')")
        == "true"
    )
    # Every refused field is marked at once, the first with the keys.
    browser.evaluate("document.getElementById('s0-wait_time-problem').textContent = ''")
    browser.evaluate("document.getElementById('s0-wait_time').removeAttribute('aria-invalid')")
    browser.evaluate("document.getElementById('s1-process_time').value = '5d-1d'")
    browser.evaluate("document.getElementById('send').click()")
    assert "(and 1 more)" in browser.wait_for(error + ".includes('more') && " + status)
    marked = "Array.from(document.querySelectorAll('[aria-invalid=true]'), e => e.id)"
    assert browser.evaluate(marked) == ["s0-wait_time", "s1-process_time"]
    assert browser.evaluate("document.activeElement.id") == "s0-wait_time"
    browser.evaluate("document.getElementById('s1-process_time').value = ''")

    browser.evaluate("document.getElementById('withdraw').click()")
    assert "taken back" in browser.wait_for(status + ".includes('taken back') && " + status)
    assert survey.responses == 0


def test_a_fraction_for_pca_is_refused_beside_its_field_before_sending(
    browser: HeadlessBrowser,
    survey: SurveyRound,
) -> None:
    browser.type_into("s0-pca", "0.9")
    problem = "document.getElementById('s0-pca-problem').textContent"
    with pytest.raises(ValueError) as refusal:
        read_stage_field("pca", "0.9")
    assert browser.evaluate(problem) == str(refusal.value)
    browser.evaluate("document.getElementById('send').click()")
    status = "document.getElementById('status').textContent"
    assert "mend what is marked in red" in browser.wait_for(status)
    assert browser.evaluate("document.activeElement.id") == "s0-pca"
    assert survey.responses == 0

    browser.evaluate("document.getElementById('s0-pca').select()")
    browser.type_into("s0-pca", "90")
    assert browser.evaluate(problem) == ""
    browser.evaluate("document.getElementById('send').click()")
    assert "your answer is in" in browser.wait_for(status + ".includes('in.') && " + status)
    assert survey.merge().stages[0].pca == 90


LAYOUT = """Array.from(document.querySelectorAll('fieldset'), function (box) {
  return Array.from(box.querySelectorAll('.field'), function (field) {
    var label = field.querySelector('label').getBoundingClientRect();
    var control = field.querySelector('input, textarea').getBoundingClientRect();
    var example = field.querySelector('.example');
    return {labelBottom: label.bottom, top: control.top, left: control.left,
            width: control.width, exampleLines: example ? example.getClientRects().length : 1};
  });
})"""


def as_a_phone(browser: HeadlessBrowser, width: int) -> None:
    """Lay the page out as a phone this many pixels wide shows it."""
    browser.send(
        "Emulation.setDeviceMetricsOverride",
        width=width,
        height=740,
        deviceScaleFactor=1,
        mobile=True,
    )


def test_on_a_phone_each_field_has_its_label_above_it_and_examples_unbroken(
    browser: HeadlessBrowser,
    survey: SurveyRound,
) -> None:
    as_a_phone(browser, 360)
    for fields in browser.evaluate(LAYOUT):
        # One column: each label above its input, every input as wide as the others.
        assert all(field["labelBottom"] <= field["top"] for field in fields)
        assert len({(field["left"], field["width"]) for field in fields}) == 1
        # "(e.g. 2-5d)" broke as "2-" / "5d".
        assert all(field["exampleLines"] == 1 for field in fields)
    as_a_phone(browser, 520)
    for fields in browser.evaluate(LAYOUT):
        # Three to a line, in line, though the labels wrap unevenly.
        assert len({field["top"] for field in fields[:3]}) == 1
        assert all(field["exampleLines"] == 1 for field in fields)


def test_a_reload_keeps_the_answer_sent_from_this_phone(
    browser: HeadlessBrowser, survey: SurveyRound
) -> None:
    status = "document.getElementById('status').textContent"
    browser.type_into("s0-wait_time", "2-5d")
    browser.type_into("s1-pain", "Reviews wait")
    browser.evaluate("document.getElementById('send').click()")
    assert "your answer is in" in browser.wait_for(status)

    browser.open(survey.address)
    assert "filled in" in browser.wait_for(status)
    assert browser.evaluate("document.getElementById('s0-wait_time').value") == "2-5d"
    assert browser.evaluate("document.getElementById('s1-pain').value") == "Reviews wait"
    assert browser.evaluate("document.getElementById('s0-pca').value") == ""

    browser.evaluate("document.getElementById('withdraw').click()")
    assert "taken back" in browser.wait_for(status + ".includes('taken back') && " + status)
    browser.open(survey.address)
    assert browser.wait_for(FIELDSETS) == 2
    assert browser.evaluate("document.getElementById('s0-wait_time').value") == ""
    assert browser.evaluate(status) == ""
