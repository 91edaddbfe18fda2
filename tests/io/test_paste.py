"""Pasting rows into a map: one change of the document, ids made in linear time."""

from __future__ import annotations

import pytest

from vsmapper.errors import VSMapperError
from vsmapper.io.mapfile import dump_map
from vsmapper.io.paste import paste_rows
from vsmapper.model import ValueStream
from vsmapper.model.document import Change, Document, FreshIds


def chain_document() -> Document:
    stages = [{"id": "coding", "name": "Coding"}, {"id": "deploy", "name": "Deploy"}]
    return Document(ValueStream.model_validate({"name": "Paste", "stages": stages}))


def pairs(document: Document) -> list[tuple[str, str]]:
    return [(flow.source, flow.target) for flow in document.stream.flows]


def test_a_paste_of_many_rows_is_one_change() -> None:
    document = chain_document()
    heard: list[Change] = []
    document.subscribe(heard.append)
    paste_rows(document, "Stage\tProcess time\n" + "".join(f"Step {n}\t1h\n" for n in range(50)))
    assert heard == [Change("stages")]
    assert len(document.stream.stages) == 52
    assert {("deploy", "step-0"), ("step-0", "step-1"), ("step-48", "step-49")} <= set(
        pairs(document)
    )
    assert len(pairs(document)) == 51


def test_rows_sharing_a_name_update_one_stage_last_row_winning() -> None:
    document = chain_document()
    paste_rows(document, "Stage\tProcess time\n" + "".join(f"Review\t{n}h\n" for n in range(1, 9)))
    review = document.stream.stage("review")
    assert review.process_time.text == "8h"
    assert [stage.id for stage in document.stream.stages] == ["coding", "deploy", "review"]


def test_names_that_make_the_same_id_get_their_own_ids() -> None:
    document = chain_document()
    paste_rows(document, "Stage\nQA!\nQA?\nqa.\n", after="coding")
    assert [stage.id for stage in document.stream.stages] == [
        "coding",
        "qa",
        "qa-2",
        "qa-3",
        "deploy",
    ]
    assert set(pairs(document)) == {
        ("coding", "qa"),
        ("qa", "qa-2"),
        ("qa-2", "qa-3"),
        ("qa-3", "deploy"),
    }


def test_a_new_row_may_send_rework_to_a_row_pasted_above_it() -> None:
    document = chain_document()
    paste_rows(document, "Stage\t%C&A\tRework to\nReview\t\t\nTest\t80\tReview\n", after="coding")
    assert document.stream.stage("test").rework_to == "review"


def test_rows_pasted_back_as_the_map_has_them_say_nothing_changed() -> None:
    # Copying rows from the table and pasting them back is no edit: it says why, and how
    # to add copies, instead of an undo step that changes nothing.
    document = chain_document()
    paste_rows(document, "Stage\tProcess time\nReview\t2h\n", after="coding")
    before = document.stream
    with pytest.raises(
        VSMapperError,
        match=r"nothing changed: the map already has .Coding., "
        r".Review. as pasted .*rename a row",
    ):
        paste_rows(document, "Stage\tProcess time\nCoding\t\nReview\t2h\n")
    assert document.stream is before
    rows = "".join(f"Step {n}\t1h\n" for n in range(5))
    paste_rows(document, "Stage\tProcess time\n" + rows)
    with pytest.raises(VSMapperError, match=r"'Step 0', 'Step 1', 'Step 2' and 2 more as pasted"):
        paste_rows(document, "Stage\tProcess time\n" + rows)


def test_a_paste_that_would_make_a_cycle_changes_nothing() -> None:
    document = chain_document()
    before = dump_map(document.stream)
    with pytest.raises(VSMapperError) as raised:
        paste_rows(document, "Stage\tNext\nDeploy\tCoding\n")
    assert "nothing was pasted" in str(raised.value)
    assert "cycle" in raised.value.details[0]
    assert dump_map(document.stream) == before


class CountingSet(set[str]):
    """A set that counts the membership questions asked of it."""

    asked = 0

    def __contains__(self, item: object) -> bool:
        CountingSet.asked += 1
        return super().__contains__(item)


def test_ids_from_one_name_take_one_look_up_each() -> None:
    ids = FreshIds()
    ids.taken = CountingSet()
    CountingSet.asked = 0
    made = [ids.fresh("review") for _ in range(1000)]
    assert made[:3] == ["review", "review-2", "review-3"] and len(set(made)) == 1000
    assert CountingSet.asked <= 2 * 1000


def test_a_header_with_a_column_it_does_not_know_is_a_header() -> None:
    document = chain_document()
    # "C/T", "FTE" and "Quality" unknown: the header was read as a stage.
    paste_rows(document, "Step\tC/T\tQueue time\tQuality\tFTE\nTriage\t2h\t1d\t95\t2\n")
    triage = document.stream.stages[-1]
    assert (triage.name, triage.process_time.text, triage.people) == ("Triage", "2h", 2)
    assert triage.pca == 95  # "Quality" is %C&A


def test_a_header_it_cannot_read_is_named_and_rows_keep_their_numbers() -> None:
    document = chain_document()
    with pytest.raises(
        VSMapperError, match=r"^no Stage column: .* \(the first row named 'Activity', 'Time'\)$"
    ):
        paste_rows(document, "Activity\tTime\nTriage\t2h\n")
    with pytest.raises(VSMapperError) as refused:
        paste_rows(document, "Triage\t2 dayz\n")
    # The first row pasted is row 1, not row 2.
    assert refused.value.details[0].startswith("row 1:")
    paste_rows(document, "Intake\nBuild\n")  # names alone are stages
    assert [stage.name for stage in document.stream.stages][-2:] == ["Intake", "Build"]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Intake\tideation\tintake\nBuild\tcreation\tcoding\t2h\t1d\n", ["Intake", "Build"]),
        ("Backlog\nBuild\t\t\t2h\t1d\n", ["Backlog", "Build"]),
        ("Process\tcreation\tcoding\nReview\tcreation\treview\t1h\t2h\n", ["Process", "Review"]),
    ],
)
def test_rows_of_stages_without_a_header_are_stages(text: str, names: list[str]) -> None:
    # Each was refused as a header it could not read, or its first stage taken for one.
    document = chain_document()
    paste_rows(document, text)
    assert [stage.name for stage in document.stream.stages][-2:] == names


def test_a_header_alone_is_refused_as_a_file_s_is() -> None:
    # It said "nothing changed: the map already has  as pasted".
    with pytest.raises(VSMapperError) as refused:
        paste_rows(chain_document(), "Stage\tProcess time\n")
    assert str(refused.value) == (
        "paste: no stage rows under the header; put one row per stage under it"
    )


def test_thousands_grouped_with_points_are_refused_with_what_to_type() -> None:
    with pytest.raises(VSMapperError) as refused:
        paste_rows(chain_document(), "Stage\tHourly cost\nCoding\t1.200,50\n")
    assert refused.value.details == [
        "row 2, Hourly cost: '1.200,50' is not a number (use a point for decimals and no "
        "thousands separator: 1200.50)"
    ]


def test_a_title_above_the_pasted_header_is_left_out() -> None:
    title = "Q3 value stream workshop\t\t\n"
    document = chain_document()
    paste_rows(document, title + "Stage\tProcess time\t%C&A\nReview\t2h\t90\n")
    assert document.stream.stage("review").pca == 90
    with pytest.raises(VSMapperError) as refused:
        paste_rows(document, title + "Stage\tProcess time\t%C&A\nReview\t2 hourz\t90\n")
    assert refused.value.details == [
        "row 3, Process time: '2 hourz' is not a duration (try 3d, 4h, 90m, 2-5d)"
    ]


def test_a_unit_given_twice_is_refused_as_typed() -> None:
    # Pasted is typed: "2d 3d" added up to 5 days, where the row meant the range 2-3d.
    document = chain_document()
    with pytest.raises(VSMapperError, match="nothing was pasted") as refused:
        paste_rows(document, "Stage\tProcess time\tWait time\nPairing\t1h\t2d 3d\n")
    assert refused.value.details[0].startswith("row 2, Wait time: '2d 3d' gives d twice")
