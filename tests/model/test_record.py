"""Stages, flows and AI opportunities answer the model calls the code makes."""

from __future__ import annotations

import re

import pytest

from vsmapper.errors import VSMapperError
from vsmapper.io.mapfile import map_from_data
from vsmapper.model.stream import Calendar, Flow, Scenario, Stage, StageOverride


def test_a_copy_changes_what_it_is_told_and_leaves_the_original() -> None:
    stage = Stage(id="review", name="Review", pca=80)
    copied = stage.model_copy(update={"pca": 90})
    assert (copied.pca, stage.pca) == (90, 80)
    assert copied.fields() | {"pca": 80} == stage.fields()
    with pytest.raises(AttributeError):
        copied.pca = 70  # type: ignore[misc]


def test_replaced_validates_and_model_copy_trusts_its_caller() -> None:
    stage = Stage(id="review", name="Review")
    with pytest.raises(ValueError, match="less than or equal to 100"):
        stage.replaced(pca=150)
    assert stage.model_copy(update={"pca": 150}).pca == 150


def test_a_flow_is_written_and_read_by_its_file_keys() -> None:
    flow = Flow(source="a", target="b")
    assert flow.model_dump(by_alias=True) == {"from": "a", "to": "b"}
    assert Flow.model_validate({"from": "a", "to": "b"}) == flow


@pytest.mark.parametrize(
    ("stage", "message"),
    [
        ({"id": "a", "name": "A", "colour": "red"}, "stages[0] 'A'.colour: unknown key"),
        ("a", "stages[0]: should be an object {...}"),
        ({"id": "a"}, "stages[0] (id 'a').name: is required"),
    ],
)
def test_a_broken_stage_is_named_as_before(stage: object, message: str) -> None:
    with pytest.raises(VSMapperError, match=re.escape(message)):
        map_from_data({"format": "vsmapper", "version": 1, "name": "M", "stages": [stage]})


def test_numbers_are_ints_or_floats_never_booleans_or_text() -> None:
    # Qt's editors and the spreadsheet readers hand over ints and floats: both still go.
    stage = Stage(id="review", name="Review").replaced(pca=90, people=2, hourly_cost=80.5)
    assert (stage.pca, stage.people, stage.hourly_cost) == (90, 2, 80.5)
    assert isinstance(stage.pca, float)
    assert Calendar().replaced(hours_per_day=6).hours_per_day == 6
    assert StageOverride(pca=95, people=3).people == 3
    for field, value in [("pca", True), ("people", "2"), ("position", (False, 0.0))]:
        with pytest.raises(ValueError, match="should be a valid number"):
            stage.replaced(**{field: value})
    for model, field in [
        (Calendar(), "days_per_week"),
        (Scenario(id="s", name="S"), "demand_factor"),
    ]:
        with pytest.raises(ValueError, match="should be a valid number"):
            model.replaced(**{field: True})
