"""The estimate round's merge: medians per field, missing answers and disagreement."""

from __future__ import annotations

import pytest

from vsmapper.model.document import Document
from vsmapper.model.duration import Estimate
from vsmapper.model.stream import Note, ValueStream
from vsmapper.workshop.merge import (
    DELETED,
    StageAnswer,
    apply_merge,
    estimate_text,
    far_from_map,
    holds_merge,
    merge_answers,
    merge_checks,
    pcas_disagree,
    stages_gone,
    times_disagree,
)
from vsmapper.workshop.report import merge_text

STREAM = ValueStream.model_validate(
    {
        "name": "Round",
        "stages": [
            {"id": "coding", "name": "Coding", "process_time": "2d", "wait_time": "1d"},
            {"id": "review", "name": "Code review", "process_time": "2h", "pca": 90},
        ],
    }
)


def answer(wait: str | None = None, work: str | None = None, pca: float | None = None, pain=""):
    return StageAnswer(
        wait_time=None if wait is None else Estimate.read(wait),
        process_time=None if work is None else Estimate.read(work),
        pca=pca,
        pain=pain,
    )


def test_low_likely_and_high_are_the_medians_of_the_participants() -> None:
    answers = [
        {"coding": answer(wait="1d/2d/4d")},
        {"coding": answer(wait="2-4d")},  # likely is the midpoint, 3d
        {"coding": answer(wait="3d/5d/10d")},
    ]
    merged = merge_answers(STREAM, ["coding"], answers).stages[0]
    spread = merged.wait_time
    assert spread is not None
    # Lows 8, 16, 24 h; likelies 16, 24, 40 h; highs 32, 32, 80 h (8 h days).
    assert (spread.low, spread.likely, spread.high) == (16, 24, 32)
    assert spread.text == "2d/3d/4d"
    assert merged.answers == 3
    assert merged.disagreement == ()


def test_an_even_number_of_answers_takes_the_middle_two_and_pca_its_median() -> None:
    answers = [{"review": answer(work="1h", pca=80)}, {"review": answer(work="3h", pca=90)}]
    merged = merge_answers(STREAM, ["review"], answers).stages[0]
    assert merged.process_time is not None
    assert merged.process_time.text == "2h"
    assert merged.pca == 85


def test_missing_answers_leave_the_field_out() -> None:
    answers = [{"coding": answer(pain="Waiting for specs")}, {"review": answer(pca=70)}]
    merge = merge_answers(STREAM, ["coding", "review"], answers)
    coding, review = merge.stages
    assert merge.responses == 2
    assert coding.answers == 1 and coding.wait_time is None and coding.pca is None
    assert coding.pains == ("Waiting for specs",)
    assert review.answers == 1 and review.pca == 70 and review.process_time is None
    data = merge.to_json()
    assert data["stages"][0] == {
        "id": "coding",
        "name": "Coding",
        "answers": 1,
        "wait_time": None,
        "process_time": None,
        "pca": None,
        "disagreement": [],
        "pains": ["Waiting for specs"],
    }


def test_disagreement_when_the_largest_likely_is_three_times_the_smallest() -> None:
    assert times_disagree((2.0, 6.0))
    assert not times_disagree((2.0, 5.9))
    assert not times_disagree((4.0,))
    assert not times_disagree((0.0, 0.0))
    assert times_disagree((0.0, 1.0))
    answers = [{"coding": answer(wait="1d", work="1d")}, {"coding": answer(wait="3d", work="2d")}]
    merged = merge_answers(STREAM, ["coding"], answers).stages[0]
    assert merged.disagreement == ("wait_time",)


def test_disagreement_when_pca_answers_are_twenty_points_apart() -> None:
    assert pcas_disagree((70.0, 90.0))
    assert not pcas_disagree((71.0, 90.0))
    answers = [{"review": answer(pca=60)}, {"review": answer(pca=95)}]
    assert merge_answers(STREAM, ["review"], answers).stages[0].disagreement == ("pca",)


@pytest.mark.parametrize(
    ("hours", "text"),
    [
        ((0.25, 0.5, 0.75), "15m/30m/45m"),
        ((2, 2, 2), "2h"),
        ((4, 12, 20), "0.5d/1.5d/2.5d"),
        ((24, 32, 40), "3d/4d/5d"),  # was 3d / 4d / 1w in the window
        ((40, 80, 160), "1w/2w/4w"),  # was 5d/10d/20d
        ((160, 160, 160), "4w"),  # was 20d
    ],
)
def test_merged_times_read_in_one_unit(hours: tuple[float, float, float], text: str) -> None:
    assert estimate_text(*hours, STREAM.calendar) == text
    low, likely, high = Estimate.read(text).hours()
    assert (low, likely, high) == pytest.approx(hours)


def test_answers_all_alike_are_written_as_typed() -> None:
    given = {"4w": "4w", "3-5d": "3-5d", "1w 2d": "1w 2d", "2": "2h"}
    for typed, written in given.items():
        answers = [{"coding": answer(wait=typed)}]
        merged = merge_answers(STREAM, ["coding"], answers).stages[0].wait_time
        assert merged is not None and merged.text == written, typed
        twice = merge_answers(STREAM, ["coding"], answers * 2).stages[0].wait_time
        assert twice is not None and twice.text == written, typed
    mixed = [{"coding": answer(wait="3-5d")}, {"coding": answer(wait="1-3w")}]
    merged = merge_answers(STREAM, ["coding"], mixed).stages[0].wait_time
    # Lows 3d and 1w, likelies 4d and 2w, highs 5d and 3w: medians 4d, 7d and 10d.
    assert merged is not None and merged.text == "4d/7d/10d"


def test_apply_merge_sets_the_fields_answered_and_adds_pain_points_as_notes() -> None:
    answers = [
        {"coding": answer(wait="1d/2d/4d", pain="Specs arrive late"), "review": answer(pca=70)},
        {"coding": answer(wait="2d/3d/5d")},
    ]
    document = Document(STREAM)
    apply_merge(document, merge_answers(STREAM, ["coding", "review"], answers))
    coding, review = document.stream.stages
    assert coding.wait_time.text == "1.5d/2.5d/4.5d"
    assert coding.process_time.text == "2d"  # nobody answered: unchanged
    assert review.pca == 70
    assert [(n.stage, n.kind, n.text) for n in document.stream.notes] == [
        ("coding", "pain", "Specs arrive late")
    ]
    assert STREAM.stages[0].wait_time.text == "1d"


def test_a_round_applied_again_adds_only_new_pain_points_and_updates_the_estimates() -> None:
    first = [
        {"coding": answer(wait="1d", pain="Specs arrive late"), "review": answer(pca=70)},
        {"coding": answer(wait="3d", pain="Specs arrive late")},  # the same pain, twice
    ]
    later = [*first, {"coding": answer(wait="8d", pain="Flaky tests"), "review": answer(pca=80)}]
    document = Document(STREAM)
    merge = merge_answers(STREAM, ["coding", "review"], first)
    assert not holds_merge(document.stream, merge)
    apply_merge(document, merge)
    assert holds_merge(document.stream, merge)
    again = merge_answers(STREAM, ["coding", "review"], later)
    assert not holds_merge(document.stream, again)
    apply_merge(document, again)
    coding, review = document.stream.stages
    assert (coding.wait_time.text, review.pca) == ("3d", 75)
    assert [(n.stage, n.text) for n in document.stream.notes] == [
        ("coding", "Specs arrive late"),
        ("coding", "Flaky tests"),
    ]
    assert holds_merge(document.stream, again)
    apply_merge(document, again)
    assert len(document.stream.notes) == 2


def test_a_stage_deleted_since_the_round_opened_is_left_out_and_named() -> None:
    # One deleted stage refused the whole apply ("there is no stage with id 'review'").
    answers = [{"coding": answer(wait="3d"), "review": answer(pca=70)}]
    merge = merge_answers(STREAM, ["coding", "review"], answers)
    document = Document(STREAM)
    document.remove_stage("review")
    assert not holds_merge(document.stream, merge)
    assert stages_gone(document.stream, merge) == ["Code review"]
    apply_merge(document, merge)
    assert document.stream.stage("coding").wait_time.text == "3d"
    assert holds_merge(document.stream, merge)


def test_a_pain_point_deleted_after_an_apply_stays_deleted_when_the_round_is_applied_again() -> (
    None
):
    first = [{"coding": answer(pain="<script>alert(1)</script> evil")}]
    later = [*first, {"coding": answer(pain="Flaky tests")}]
    document = Document(STREAM)
    merge = merge_answers(STREAM, ["coding"], first)
    apply_merge(document, merge)
    document.remove_note(document.stream.notes[0].id)  # the coach takes the joke away
    again = merge_answers(STREAM, ["coding"], later)
    apply_merge(document, again, applied=merge)
    assert [note.text for note in document.stream.notes] == ["Flaky tests"]
    assert holds_merge(document.stream, again, applied=again)


def test_pain_points_differing_in_case_spacing_or_a_full_stop_are_one_note() -> None:
    # Two phones sent the same point; the map showed two identical-looking notes side by side.
    answers = [
        {"coding": answer(pain="Tickets arrive without acceptance criteria")},
        {"coding": answer(pain="tickets arrive  without acceptance criteria. ")},
        {"coding": answer(pain="Flaky tests")},
    ]
    merge = merge_answers(STREAM, ["coding"], answers)
    assert merge.stages[0].pains == (
        "Tickets arrive without acceptance criteria",
        "Tickets arrive without acceptance criteria",
        "Flaky tests",
    )  # counted twice, written once: "(×2)" in the round's window
    document = Document(STREAM)
    document.add_note(Note(id="n1", stage="coding", kind="pain", text="FLAKY TESTS"))
    apply_merge(document, merge)
    assert [n.text for n in document.stream.notes] == [
        "FLAKY TESTS",
        "Tickets arrive without acceptance criteria",
    ]


def test_merge_text_names_the_disagreement() -> None:
    answers = [{"review": answer(pca=50)}, {"review": answer(pca=95, pain="Nobody reviews")}]
    text = merge_text(merge_answers(STREAM, ["review"], answers))
    assert "2 participants answered" in text
    assert "DISAGREE on %C&A" in text
    assert "pain: Nobody reviews" in text


INTAKE = ValueStream.model_validate(
    {
        "name": "Intake",
        "stages": [
            {"id": "intake", "name": "Idea intake", "wait_time": "0-2d", "pca": 90},
            {"id": "new", "name": "New stage"},
        ],
    }
)


def test_a_single_answer_far_from_the_map_is_named_before_applying() -> None:
    # One phone sent 5200w for a wait the map has at 0-2d (likely 1d): applied, the lead
    # time went to 5207w. The merge itself is unchanged; only what to check is added.
    merge = merge_answers(INTAKE, ["intake"], [{"intake": answer(wait="5200w")}])
    stage = merge.stages[0]
    assert stage.wait_time is not None and stage.wait_time.text == "5200w"
    assert stage.disagreement == ()
    assert far_from_map(INTAKE.stage("intake"), stage, INTAKE.calendar) == ("wait_time",)
    assert merge_checks(INTAKE, merge) == {"intake": ("wait far from the map (0-2d)", "1 answer")}
    assert "CHECK: wait far from the map (0-2d); 1 answer" in merge_text(merge, INTAKE)


@pytest.mark.parametrize(
    ("wait", "far"),
    [("3d", True), ("2.9d", False), ("2.6h", True), ("2.7h", False), ("1d", False)],
)
def test_far_from_the_map_is_three_times_or_a_third_of_its_likely(wait: str, far: bool) -> None:
    answers = [{"intake": answer(wait=wait)}, {"intake": answer(wait=wait)}]
    stage = merge_answers(INTAKE, ["intake"], answers).stages[0]
    assert far_from_map(INTAKE.stage("intake"), stage, INTAKE.calendar) == (
        ("wait_time",) if far else ()
    )


def test_pca_far_from_the_map_is_20_points_and_a_time_the_map_has_at_0_is_not_compared() -> None:
    answers = [{"intake": answer(pca=70), "new": answer(wait="4w", work="1h", pca=100)}] * 2
    merge = merge_answers(INTAKE, ["intake", "new"], answers)
    intake, new = merge.stages
    assert far_from_map(INTAKE.stage("intake"), intake, INTAKE.calendar) == ("pca",)
    assert far_from_map(INTAKE.stage("new"), new, INTAKE.calendar) == ()
    assert merge_checks(INTAKE, merge) == {"intake": ("%C&A far from the map (90%)",)}
    one_more = [*answers, {"new": answer(work="2h")}]
    assert merge_checks(INTAKE, merge_answers(INTAKE, ["new"], one_more)) == {}
    only_work = [{"new": answer(work="1h")}, {"new": answer(pca=100)}]
    assert merge_checks(INTAKE, merge_answers(INTAKE, ["new"], only_work)) == {
        "new": ("work, %C&A from 1 answer",)
    }


def test_a_stage_deleted_since_the_round_opened_is_named_before_applying() -> None:
    merge = merge_answers(INTAKE, ["intake"], [{"intake": answer(wait="1d")}] * 2)
    without = INTAKE.replaced(stages=[s for s in INTAKE.stages if s.id != "intake"], flows=[])
    assert merge_checks(without, merge) == {"intake": (DELETED,)}
    assert f"CHECK: {DELETED}" in merge_text(merge, without)
