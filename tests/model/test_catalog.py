"""The AI practice catalog: bundled data, strict validation, suggestions, new opportunities."""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib import resources
from typing import Any

import pytest
from pydantic import ValidationError

from vsmapper.catalog import Catalog, Practice, load_catalog, opportunity_from_practice, suggest
from vsmapper.catalog.practices import CATALOG_RESOURCE
from vsmapper.cli import example_map_path
from vsmapper.io.mapfile import load_map
from vsmapper.model import Stage, ValueStream
from vsmapper.model.stream import KINDS, PHASES

MINIMUM_PRACTICES = 22


def catalog_data() -> dict[str, Any]:
    """The bundled catalog as plain JSON data, read the way the app reads it."""
    text = (resources.files("vsmapper.resources") / CATALOG_RESOURCE).read_text(encoding="utf-8")
    return json.loads(text)


def practice_data(practice_id: str, kinds: list[str], phases: list[str]) -> dict[str, Any]:
    """A valid practice with these ids, kinds and phases, for building small catalogs."""
    return {**catalog_data()["practices"][0], "id": practice_id, "kinds": kinds, "phases": phases}


def small_catalog(*practices: dict[str, Any]) -> Catalog:
    data = {"version": 1, "disclaimer": "Assumptions.", "practices": list(practices)}
    return Catalog.model_validate_json(json.dumps(data))


def test_the_bundled_catalog_loads_once_and_is_large_enough() -> None:
    catalog = load_catalog()
    assert load_catalog() is catalog
    assert len(catalog.practices) >= MINIMUM_PRACTICES


def test_ids_are_unique() -> None:
    ids = [practice.id for practice in load_catalog().practices]
    assert len(ids) == len(set(ids))


def test_every_phase_and_every_kind_has_practices() -> None:
    practices = load_catalog().practices
    assert {phase for practice in practices for phase in practice.phases} == set(PHASES)
    assert {kind for practice in practices for kind in practice.kinds} == set(KINDS)


@pytest.mark.parametrize("practice", load_catalog().practices, ids=lambda practice: practice.id)
def test_every_entry_is_complete(practice: Practice) -> None:
    assert practice.name.strip()
    assert practice.summary.endswith(".") and ". " not in practice.summary  # one sentence
    assert practice.phases and practice.kinds
    assert practice.risks and all(risk.strip() for risk in practice.risks)
    assert practice.evidence
    for evidence in practice.evidence:
        assert evidence.claim.strip() and evidence.source.strip()
    assert practice.monthly_cost.usd >= 0 and practice.monthly_cost.basis.strip()
    effect = practice.effect
    for value in (effect.process_time_factor, effect.wait_time_factor, effect.pca_delta):
        low, high = value.range
        assert low <= value.default <= high
    # Defaults stay modest: none promises more than halving a time or a 10-point %C&A jump.
    assert effect.process_time_factor.default >= 0.5
    assert effect.wait_time_factor.default >= 0.5
    assert abs(effect.pca_delta.default) <= 10


def test_the_disclaimer_says_the_figures_are_assumptions() -> None:
    assert "assumption" in load_catalog().disclaimer.lower()


def test_coding_assistants_carry_the_evidence_against_them() -> None:
    assistant = load_catalog().practice("coding-assistant")
    assert assistant.effect.pca_delta.default < 0  # DORA 2024: stability fell with adoption
    assert assistant.effect.process_time_factor.range[1] > 1  # METR: 19% slower is possible
    sources = " ".join(evidence.source for evidence in assistant.evidence)
    assert "DORA" in sources and "METR" in sources


def test_the_bundled_maps_name_practices_in_the_catalog() -> None:
    catalog = load_catalog()
    stream = load_map(example_map_path())
    named = {o.practice for _, o in stream.opportunities() if o.practice is not None}
    assert named
    for practice_id in named:
        catalog.practice(practice_id)


def test_an_unknown_practice_id_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        load_catalog().practice("no-such-practice")


def _first(data: dict[str, Any]) -> dict[str, Any]:
    return data["practices"][0]


BREAKAGES: dict[str, Callable[[dict[str, Any]], None]] = {
    "unknown key": lambda data: _first(data).update(typo=1),
    "missing disclaimer": lambda data: data.pop("disclaimer"),
    "blank disclaimer": lambda data: data.update(disclaimer="  "),
    "newer version": lambda data: data.update(version=2),
    "duplicate id": lambda data: data["practices"][1].update(id=_first(data)["id"]),
    "bad id": lambda data: _first(data).update(id="has space"),
    "no risks": lambda data: _first(data).update(risks=[]),
    "blank risk": lambda data: _first(data).update(risks=[""]),
    "no evidence": lambda data: _first(data).update(evidence=[]),
    "blank source": lambda data: _first(data)["evidence"][0].update(source=" "),
    "no source": lambda data: _first(data)["evidence"][0].pop("source"),
    "unknown kind": lambda data: _first(data).update(kinds=["typing"]),
    "unknown phase": lambda data: _first(data).update(phases=["build"]),
    "no phases": lambda data: _first(data).update(phases=[]),
    "repeated kind": lambda data: _first(data).update(kinds=["coding", "coding"]),
    "default outside range": lambda data: _first(data)["effect"]["process_time_factor"].update(
        default=2.0
    ),
    "range of one value": lambda data: _first(data)["effect"]["pca_delta"].update(range=[0]),
    "negative factor": lambda data: _first(data)["effect"]["wait_time_factor"].update(
        default=-0.5, range=[-1, 1]
    ),
    "pca beyond 100 points": lambda data: _first(data)["effect"]["pca_delta"].update(
        range=[0, 150]
    ),
    "number as text": lambda data: _first(data)["monthly_cost"].update(usd="300"),
    "negative cost": lambda data: _first(data)["monthly_cost"].update(usd=-1),
    "missing effect": lambda data: _first(data).pop("effect"),
}


@pytest.mark.parametrize("breakage", BREAKAGES.values(), ids=BREAKAGES.keys())
def test_validation_is_strict(breakage: Callable[[dict[str, Any]], None]) -> None:
    data = catalog_data()
    Catalog.model_validate_json(json.dumps(data))
    breakage(data)
    with pytest.raises(ValidationError):
        Catalog.model_validate_json(json.dumps(data))


def test_suggest_puts_kind_matches_before_phase_matches_and_keeps_ties_in_order() -> None:
    catalog = small_catalog(
        practice_data("phase-only", ["design"], ["creation"]),
        practice_data("second-kind", ["coding", "testing"], ["creation"]),
        practice_data("unrelated", ["incident"], ["operation"]),
        practice_data("first-kind-other-phase", ["testing"], ["release"]),
        practice_data("first-kind-second-phase", ["testing"], ["release", "creation"]),
        practice_data("first-kind-first-phase", ["testing"], ["creation"]),
        practice_data("tie-a", ["testing", "review"], ["creation"]),
        practice_data("tie-b", ["testing", "review"], ["creation"]),
        practice_data("second-phase-only", ["deploy"], ["release", "creation"]),
    )
    stage = Stage(id="tests", name="Tests", kind="testing", phase="creation")
    assert [practice.id for practice in suggest(catalog, stage)] == [
        "first-kind-first-phase",
        "tie-a",
        "tie-b",
        "first-kind-second-phase",
        "first-kind-other-phase",
        "second-kind",
        "phase-only",
        "second-phase-only",
    ]


@pytest.mark.parametrize("kind", KINDS)
def test_suggest_finds_a_practice_made_for_every_kind(kind: str) -> None:
    stage = Stage.model_validate({"id": "s", "name": "S", "kind": kind, "phase": "creation"})
    suggested = suggest(load_catalog(), stage)
    assert kind in suggested[0].kinds
    assert suggested == suggest(load_catalog(), stage)  # deterministic


def test_suggest_for_a_coding_stage_starts_with_the_coding_assistant() -> None:
    stage = Stage(id="coding", name="Coding", kind="coding", phase="creation")
    assert suggest(load_catalog(), stage)[0].id == "coding-assistant"


def test_an_opportunity_from_a_practice_takes_its_defaults() -> None:
    practice = load_catalog().practice("ai-code-review")
    opportunity = opportunity_from_practice(practice, "review-bot")
    effect = practice.effect
    assert opportunity.id == "review-bot"
    assert opportunity.practice == "ai-code-review"
    assert opportunity.name == practice.name
    assert opportunity.process_time_factor == effect.process_time_factor.default
    assert opportunity.wait_time_factor == effect.wait_time_factor.default
    assert opportunity.pca_delta == effect.pca_delta.default
    assert opportunity.monthly_cost == practice.monthly_cost.usd
    assert (opportunity.status, opportunity.confidence) == ("idea", "low")


def test_every_practice_makes_an_opportunity_a_map_accepts() -> None:
    opportunities = [
        opportunity_from_practice(practice, f"ai-{number}")
        for number, practice in enumerate(load_catalog().practices)
    ]
    stream = ValueStream(name="All practices", stages=[Stage(id="s", name="S", ai=opportunities)])
    assert len(stream.opportunities()) == len(opportunities)


def test_side_effects_fall_on_the_first_later_stage_of_their_kind() -> None:
    from vsmapper.catalog import side_effects_for
    from vsmapper.model import ValueStream

    practice = load_catalog().practice("coding-assistant")
    assert {effect.kind for effect in practice.side_effects} == {"review", "deploy"}
    stream = ValueStream.model_validate(
        {
            "name": "m",
            "stages": [
                {"id": "review0", "name": "Design review", "kind": "review"},
                {"id": "code", "name": "Coding", "kind": "coding"},
                {"id": "r1", "name": "Peer review", "kind": "review"},
                {"id": "r2", "name": "Second review", "kind": "review"},
            ],
        }
    )
    # Only downstream stages count, the first of the kind; no deploy stage, no effect there.
    assert [effect.stage for effect in side_effects_for(practice, stream, "code")] == ["r1"]
    bare = opportunity_from_practice(practice, "x")
    assert bare.also == []
