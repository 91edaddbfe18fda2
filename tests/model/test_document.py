"""Document edits: each keeps the map valid, announces itself, and can be undone exactly."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from vsmapper.errors import VSMapperError
from vsmapper.io.mapfile import dump_map
from vsmapper.model.document import Change, Document, slug
from vsmapper.model.stream import AIOpportunity, Flow, Scenario, Stage, ValueStream
from vsmapper.model.validation import user_error


@pytest.fixture
def document(feature_chain: ValueStream) -> Document:
    return Document(feature_chain)


def flows(document: Document) -> list[tuple[str, str]]:
    return [(flow.source, flow.target) for flow in document.stream.flows]


def test_observers_hear_every_change(document: Document) -> None:
    heard: list[Change] = []
    document.subscribe(heard.append)
    document.set_stage_field("review", "wait_time", "1-3d")
    document.unsubscribe(heard.append)
    document.set_stage_field("review", "wait_time", "2d")
    assert heard == [Change("stage_changed", "review")]


def test_set_field_returns_the_old_value_and_refuses_bad_values(document: Document) -> None:
    before = document.stream
    assert document.set_stage_field("review", "pca", 90) == 85
    document.set_stage_field("review", "pca", 85)
    for field, value, message in [
        ("wait_time", "3 dayz", "Code review: wait_time: '3 dayz' is not a duration"),
        ("pca", 0, "pca: 0 is out of range"),
        ("rework_to", "deploy", "'Deploy' is not upstream"),
        ("name", " ", "name: is blank"),
        ("colour", "red", "colour: unknown key"),
    ]:
        with pytest.raises(VSMapperError, match=message):
            document.set_stage_field("review", field, value)
    assert document.stream == before


def test_a_stage_edit_is_refused_in_the_words_of_the_whole_map_check(document: Document) -> None:
    for field, value in [
        ("rework_to", "deploy"),
        ("rework_to", "ghost"),
        ("wait_time", "5d/3d/1d"),
    ]:
        stage = document.stage("review").replaced(**{field: value})
        stages = [stage if other.id == "review" else other for other in document.stream.stages]
        with pytest.raises(ValidationError) as whole:
            document.stream.replaced(stages=stages)
        with pytest.raises(VSMapperError) as edit:
            document.set_stage_field("review", field, value)
        assert str(edit.value) == str(user_error(whole.value, prefix="Code review: "))


def test_a_name_is_kept_as_one_line_of_visible_text(document: Document) -> None:
    document.rename_stage("review", "\x01Peer\treview\u202e\n")
    assert document.stage("review").name == "Peer review"
    document.set_stage_field("review", "name", "Code\x00 review ")
    assert document.stage("review").name == "Code review"


def test_remove_stage_bridges_the_chain_and_restores_exactly(document: Document) -> None:
    text = dump_map(document.stream)
    removed = document.remove_stage("coding")
    assert ("refine", "review") in flows(document)
    assert document.stage("review").rework_to is None
    document.restore_stage(removed)
    assert dump_map(document.stream) == text


def test_removing_one_of_two_parallel_stages_adds_no_bypass(document: Document) -> None:
    document.insert_stage(Stage(id="security", name="Security review", phase="release"))
    document.connect("coding", "security")
    document.connect("security", "deploy")
    document.remove_stage("review")
    # Coding still reaches Deploy through Security review: no arrow is drawn beside it.
    assert flows(document) == [
        ("intake", "refine"),
        ("refine", "coding"),
        ("coding", "security"),
        ("security", "deploy"),
    ]


def test_removing_a_stage_two_of_whose_sources_are_joined_bridges_once() -> None:
    stages = [{"id": name, "name": name.upper()} for name in ("x", "y", "d", "t")]
    links = [("x", "y"), ("x", "d"), ("y", "d"), ("d", "t")]
    data = {"name": "M", "stages": stages, "flows": [{"from": a, "to": b} for a, b in links]}
    document = Document(ValueStream.model_validate(data))
    document.remove_stage("d")
    # x reaches t through y: a second bridge x → t would be drawn beside x → y → t.
    assert flows(document) == [("x", "y"), ("y", "t")]


def test_remove_stage_drops_its_ai_from_scenarios(document: Document) -> None:
    document.add_opportunity("coding", AIOpportunity(id="assist", name="Assistant"))
    document.add_scenario(
        Scenario(id="s", name="S", ai=["assist"], overrides={"coding": {"pca": 95}})
    )
    text = dump_map(document.stream)
    removed = document.remove_stage("coding")
    assert document.scenario("s").ai == []
    assert document.scenario("s").overrides == {}
    document.restore_stage(removed)
    assert dump_map(document.stream) == text


def test_insert_and_move_stages(document: Document) -> None:
    stage = Stage(id=document.unique_id("QA"), name="QA", kind="testing")
    document.insert_stage(stage, 4)
    document.connect("review", "qa")
    document.connect("qa", "deploy")
    document.disconnect("review", "deploy")
    assert [s.id for s in document.stream.stages] == [
        "intake",
        "refine",
        "coding",
        "review",
        "qa",
        "deploy",
    ]
    assert document.move_stage("qa", 0) == 4
    assert document.stream.stages[0].id == "qa"


def test_connect_refuses_cycles_duplicates_and_unknown_stages(document: Document) -> None:
    with pytest.raises(VSMapperError, match="cycle"):
        document.connect("deploy", "intake")
    with pytest.raises(VSMapperError, match="duplicate flow"):
        document.connect("intake", "refine")
    with pytest.raises(VSMapperError, match="unknown stage 'nope'"):
        document.connect("intake", "nope")
    with pytest.raises(VSMapperError, match="no flow"):
        document.disconnect("deploy", "intake")


def test_disconnect_keeps_rework_valid(document: Document) -> None:
    with pytest.raises(VSMapperError, match="not upstream"):
        document.disconnect("coding", "review")


def test_disconnect_returns_the_index_for_an_exact_undo(document: Document) -> None:
    text = dump_map(document.stream)
    index = document.disconnect("refine", "coding")
    document.connect("refine", "coding", index)
    assert dump_map(document.stream) == text


def test_opportunities_add_edit_remove_restore(document: Document) -> None:
    document.add_opportunity("review", AIOpportunity(id="bot", name="AI review"))
    document.add_scenario(Scenario(id="s", name="S", ai=["bot"]))
    assert document.set_opportunity_field("bot", "process_time_factor", 0.7) == 1
    with pytest.raises(VSMapperError, match="process_time_factor"):
        document.set_opportunity_field("bot", "process_time_factor", -1)
    with pytest.raises(VSMapperError, match="duplicate id 'bot'"):
        document.add_opportunity("coding", AIOpportunity(id="bot", name="Again"))
    text = dump_map(document.stream)
    removed = document.remove_opportunity("bot")
    assert document.scenario("s").ai == []
    document.restore_opportunity(removed)
    assert dump_map(document.stream) == text


def test_scenarios_add_edit_remove(document: Document) -> None:
    document.add_scenario(Scenario(id="s", name="Future"))
    assert document.set_scenario_field("s", "demand_factor", 2) == 1
    with pytest.raises(VSMapperError, match="unknown AI opportunity"):
        document.set_scenario_field("s", "ai", ["ghost"])
    with pytest.raises(VSMapperError, match="duplicate id 's'"):
        document.add_scenario(Scenario(id="s", name="Again"))
    assert document.remove_scenario("s")[0] == 0
    assert document.stream.scenarios == []


def test_map_fields_and_calendar_are_checked_as_a_whole(document: Document) -> None:
    document.set_stage_field("coding", "wait_time", "1d/9h/2d")
    with pytest.raises(VSMapperError, match="out of order"):
        document.set_map_field("calendar", {"hours_per_day": 10, "days_per_week": 5})
    assert document.set_map_field("name", "Renamed") == "Feature delivery (chain with rework)"


def test_unique_ids_are_made_from_names(document: Document) -> None:
    assert slug("Code review!") == "code-review"
    assert slug("???") == "stage"
    assert document.unique_id("Coding") == "coding-2"
    assert document.unique_id("Brand new step") == "brand-new-step"


def test_insert_after_splices_into_the_chain(document: Document) -> None:
    document.insert_after(Stage(id="qa", name="QA"), "review")
    assert [s.id for s in document.stream.stages][3:] == ["review", "qa", "deploy"]
    assert ("review", "qa") in flows(document)
    assert ("qa", "deploy") in flows(document)
    assert ("review", "deploy") not in flows(document)
    document.insert_after(Stage(id="last", name="Last"), None)
    assert flows(document)[-1] == ("deploy", "last")


def test_a_stage_added_after_parallel_stages_that_end_the_map_joins_them(
    document: Document,
) -> None:
    # QA, then Security review beside it, then Release after Security review: QA was left
    # with no way out, and the room had to connect it by hand.
    document.insert_after(Stage(id="qa", name="QA"), None)
    document.insert_parallel(Stage(id="sec", name="Security review"), "qa")
    document.insert_after(Stage(id="release", name="Release"), "sec")
    assert {("qa", "release"), ("sec", "release")} <= set(flows(document))
    # Within the map, after one branch only that branch goes on through the new stage.
    document.insert_after(Stage(id="pen", name="Pen test"), "sec")
    assert ("sec", "pen") in flows(document) and ("qa", "pen") not in flows(document)
    assert {("qa", "release"), ("pen", "release")} <= set(flows(document))


def test_insert_parallel_shares_neighbours(document: Document) -> None:
    document.insert_parallel(Stage(id="scan", name="Security scan"), "review")
    assert {("coding", "scan"), ("scan", "deploy")} <= set(flows(document))
    assert document.stage("scan").phase == document.stage("review").phase


def test_insert_into_an_empty_map() -> None:
    document = Document(ValueStream(name="Empty", stages=[]))
    document.insert_after(Stage(id="a", name="A"), None)
    assert [s.id for s in document.stream.stages] == ["a"]


def test_a_new_stage_takes_an_id_from_its_first_name(document: Document) -> None:
    document.insert_after(Stage(id="new-stage", name="New stage"), "review")
    document.set_stage_field("deploy", "rework_to", "new-stage")
    document.add_scenario(
        Scenario(id="faster", name="Faster", overrides={"new-stage": {"wait_time": "1h"}})
    )
    heard: list[Change] = []
    document.subscribe(heard.append)
    assert document.rename_stage("new-stage", "Coding!") == "coding-2"
    assert heard == [Change("stage_id", "coding-2", field="new-stage")]
    assert ("review", "coding-2") in flows(document)
    assert ("coding-2", "deploy") in flows(document)
    assert document.stage("deploy").rework_to == "coding-2"
    assert list(document.scenario("faster").overrides) == ["coding-2"]
    # Once named, a stage keeps its id through later renames.
    assert document.rename_stage("coding-2", "Pairing") == "coding-2"
    assert document.stage("coding-2").name == "Pairing"
    assert document.rename_stage("intake", "Request") == "intake"


def test_a_new_stage_takes_the_kind_and_phase_its_first_name_says(document: Document) -> None:
    # Drawn by keyboard, "Code review" was of kind other in ideation: the AI suggestions
    # offered dashboards, and a coding assistant's review side effect found no stage.
    document.insert_after(Stage(id="new-stage", name="New stage", phase="ideation"), "review")
    document.rename_stage("new-stage", "Security review")
    added = document.stage("security-review")
    assert (added.kind, added.phase) == ("security", "release")
    document.insert_after(Stage(id="new-stage", name="New stage", kind="testing"), "review")
    document.rename_stage("new-stage", "Code review 2")
    assert document.stage("code-review-2").kind == "testing"  # the kind the user gave stays
    document.insert_after(Stage(id="new-stage", name="New stage", phase="release"), "review")
    document.rename_stage("new-stage", "Huddle")
    assert (document.stage("huddle").kind, document.stage("huddle").phase) == ("other", "release")
    # A named stage keeps its kind through renames.
    document.rename_stage("huddle", "Release")
    assert document.stage("huddle").kind == "other"
    # An approval is where it is drawn: a business case's in ideation, a release's in release.
    document.insert_after(Stage(id="new-stage", name="New stage", phase="ideation"), "review")
    document.rename_stage("new-stage", "Business case approval")
    added = document.stage("business-case-approval")
    assert (added.kind, added.phase) == ("approval", "ideation")


def test_a_rename_to_another_stage_s_name_is_refused(document: Document) -> None:
    before = document.stream
    # The table's Next and Rework to cells, and pasted rows, find stages by name.
    with pytest.raises(VSMapperError, match="another stage is already called 'coding'"):
        document.rename_stage("review", " coding ")
    assert document.stream == before
    assert document.rename_stage("review", "Code Review") == "review"  # its own name, recased


def test_placing_many_stages_is_one_change_and_a_refusal_changes_nothing(
    document: Document,
) -> None:
    heard: list[Change] = []
    document.subscribe(heard.append)
    document.set_positions({"review": (500.0, 80.0), "deploy": (800.0, 80.0)})
    assert heard == [Change("positions")]
    assert document.stage("review").position == (500.0, 80.0)
    assert document.stage("deploy").position == (800.0, 80.0)
    before = document.stream
    with pytest.raises(VSMapperError, match="no stage with id 'gone'"):
        document.set_positions({"review": (0.0, 0.0), "gone": (1.0, 1.0)})
    with pytest.raises(VSMapperError, match="Deploy: position"):
        document.set_positions({"review": (0.0, 0.0), "deploy": (1e12, 0.0)})
    assert document.stream is before
    document.set_positions({"review": None})
    assert document.stage("review").position is None
    assert len(heard) == 2


def test_a_stage_moves_past_its_neighbour_in_a_chain(document: Document) -> None:
    # intake → refine → coding → review → deploy; review sends rework to coding.
    document.set_stage_field("refine", "position", (40.0, 0.0))
    heard: list[Change] = []
    document.subscribe(heard.append)
    document.swap_with_next("refine")
    assert flows(document) == [
        ("intake", "coding"),
        ("coding", "refine"),
        ("refine", "review"),
        ("review", "deploy"),
    ]
    assert [s.id for s in document.stream.stages] == [
        "intake",
        "coding",
        "refine",
        "review",
        "deploy",
    ]
    # Placed by hand, the boxes swap places too.
    assert document.stage("coding").position == (40.0, 0.0)
    assert document.stage("refine").position is None
    assert heard == [Change("stages")]
    document.swap_with_previous("refine")
    assert flows(document)[:2] == [("intake", "refine"), ("refine", "coding")]


def test_a_move_that_would_send_rework_forward_or_break_a_branch_is_refused(
    document: Document,
) -> None:
    before = document.stream
    with pytest.raises(VSMapperError, match="Code review sends its rework back to Coding"):
        document.swap_with_next("coding")
    with pytest.raises(VSMapperError, match="Deploy is the last stage"):
        document.swap_with_next("deploy")
    with pytest.raises(VSMapperError, match="Idea intake is the first stage"):
        document.swap_with_previous("intake")
    document.connect("intake", "review")
    with pytest.raises(VSMapperError, match="Code review also comes after Idea intake; only"):
        document.swap_with_next("coding")
    with pytest.raises(VSMapperError, match="Idea intake flows into 2 stages"):
        document.swap_with_next("intake")
    # Moved earlier, Refinement meets Idea intake's branch: the message speaks of that.
    with pytest.raises(VSMapperError, match="Idea intake also flows into Code review; only"):
        document.swap_with_previous("refine")
    assert document.stream.stages == before.stages


def test_a_swap_keeps_branches_before_and_after_the_pair() -> None:
    # a, b → x → y → c, d: the pair swaps, every branch stays where it was.
    stages = [Stage(id=name, name=name.upper()) for name in "abxycd"]
    pairs = [("a", "x"), ("b", "x"), ("x", "y"), ("y", "c"), ("y", "d")]
    document = Document(
        ValueStream(
            name="Branches",
            stages=[s.replaced(position=(float(n), 0.0)) for n, s in enumerate(stages)],
            flows=[Flow(source=source, target=target) for source, target in pairs],
        )
    )
    document.swap_with_next("x")
    assert sorted(flows(document)) == [("a", "y"), ("b", "y"), ("x", "c"), ("x", "d"), ("y", "x")]
    assert document.stage("y").position == (2.0, 0.0) and document.stage("x").position == (3.0, 0.0)
