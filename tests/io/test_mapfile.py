"""Map files: strict loading with clear errors, stable saving, atomic writes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.bad_maps import BAD_MAPS
from tests.conftest import feature_chain_data
from vsmapper.errors import VSMapperError
from vsmapper.io import mapfile
from vsmapper.io.mapfile import dump_map, load_map, map_from_data, parse_map_text, save_map
from vsmapper.model.stream import ValueStream


@pytest.mark.parametrize("case", sorted(BAD_MAPS))
def test_each_bad_map_gives_one_clear_error(tmp_path: Path, case: str) -> None:
    content, expected = BAD_MAPS[case]
    path = tmp_path / "bad.vsm.json"
    path.write_bytes(content)
    with pytest.raises(VSMapperError) as caught:
        load_map(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert expected in message
    assert "\n" not in message


def test_null_where_text_goes_is_not_told_to_take_quotes() -> None:
    data = feature_chain_data()
    data["name"] = None
    with pytest.raises(VSMapperError) as caught:
        map_from_data(data)
    # Quoted, null is the text "null": advice that made no sense of the mistake.
    assert str(caught.value).endswith("name: null is not text")


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(VSMapperError, match="no such file"):
        load_map(tmp_path / "nothing.vsm.json")
    with pytest.raises(VSMapperError, match="is a folder"):
        load_map(tmp_path)


def test_oversized_file_is_refused_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mapfile, "MAX_FILE_BYTES", 100)
    path = tmp_path / "big.vsm.json"
    path.write_text(json.dumps(feature_chain_data()))
    with pytest.raises(VSMapperError, match="are refused"):
        load_map(path)


def test_flows_default_to_a_chain_in_list_order(feature_chain: ValueStream) -> None:
    pairs = [(flow.source, flow.target) for flow in feature_chain.flows]
    assert pairs == [
        ("intake", "refine"),
        ("refine", "coding"),
        ("coding", "review"),
        ("review", "deploy"),
    ]


def test_defaults_fill_every_optional_key() -> None:
    stream = parse_map_text(
        '{"format": "vsmapper", "version": 1, "name": "M", "stages": [{"id": "a", "name": "A"}]}'
    )
    stage = stream.stages[0]
    assert (stage.phase, stage.kind, stage.pca, stage.people, stage.availability) == (
        "creation",
        "other",
        100,
        1,
        1,
    )
    assert stage.process_time.hours() == (0, 0, 0)
    assert (stream.calendar.hours_per_day, stream.calendar.days_per_week) == (8, 5)
    assert (stream.currency, stream.hourly_cost, stream.demand_per_week) == ("USD", 0, None)


def test_saved_text_has_fixed_order_indent_and_final_newline(feature_chain: ValueStream) -> None:
    text = dump_map(feature_chain)
    assert text.endswith("}\n")
    assert text.startswith('{\n  "format": "vsmapper",\n  "version": 1,\n  "name": ')
    keys = list(json.loads(text))
    assert keys == [
        "format",
        "version",
        "name",
        "description",
        "calendar",
        "demand_per_week",
        "hourly_cost",
        "currency",
        "stages",
        "flows",
        "scenarios",
    ]
    stage_keys = list(json.loads(text)["stages"][0])
    assert stage_keys == [
        "id",
        "name",
        "phase",
        "kind",
        "process_time",
        "wait_time",
        "pca",
        "rework_to",
        "people",
        "availability",
        "hourly_cost",
        "wip",
        "throughput_per_week",
        "notes",
        "position",
        "ai",
    ]
    assert [s["id"] for s in json.loads(text)["stages"]] == [
        "intake",
        "refine",
        "coding",
        "review",
        "deploy",
    ]


def test_save_then_load_is_the_identity(tmp_path: Path, feature_chain: ValueStream) -> None:
    path = tmp_path / "map.vsm.json"
    save_map(feature_chain, path)
    assert load_map(path) == feature_chain
    assert dump_map(load_map(path)) == path.read_text()


def test_the_user_form_of_durations_is_written_back(tmp_path: Path) -> None:
    data = feature_chain_data()
    data["stages"][0].update(process_time="3h30m", wait_time=1.5)
    data["stages"][1].update(wait_time="2-5d")
    data["stages"][2].update(wait_time="2d/3d/5d")
    written = json.loads(dump_map(map_from_data(data)))
    assert [s["wait_time"] for s in written["stages"][:3]] == [1.5, "2-5d", "2d/3d/5d"]
    assert written["stages"][0]["process_time"] == "3h 30m"


names = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=30
).filter(str.strip)


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=names, pca=st.floats(0.5, 100), hours=st.floats(0, 1000), notes=st.text(max_size=50))
def test_any_valid_map_round_trips(name: str, pca: float, hours: float, notes: str) -> None:
    data = feature_chain_data()
    data["name"] = name
    data["stages"][2].update(pca=pca, wait_time=hours, notes=notes, position=[hours, -hours])
    stream = map_from_data(data)
    assert parse_map_text(dump_map(stream)) == stream


def test_a_failed_save_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, feature_chain: ValueStream, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "map.vsm.json"
    path.write_text("old contents")

    def broken_fsync(descriptor: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(VSMapperError, match="cannot be saved"):
        save_map(feature_chain, path)
    assert path.read_text() == "old contents"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.vsm.json"]


def test_an_interrupted_save_leaves_the_old_file(
    tmp_path: Path, feature_chain: ValueStream, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "map.vsm.json"
    path.write_text("old contents")
    monkeypatch.setattr(mapfile, "dump_map", lambda stream: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        save_map(feature_chain, path)
    assert path.read_text() == "old contents"
    assert len(list(tmp_path.iterdir())) == 1


def test_saving_keeps_the_file_mode(tmp_path: Path, feature_chain: ValueStream) -> None:
    path = tmp_path / "map.vsm.json"
    path.write_text("{}")
    path.chmod(0o600)
    save_map(feature_chain, path)
    assert path.stat().st_mode & 0o777 == 0o600
