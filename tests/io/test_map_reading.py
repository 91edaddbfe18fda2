"""Reading a map file does each check once: the costly walks only when something is wrong."""

from __future__ import annotations

import contextlib
import gc
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import feature_chain_data
from tests.test_fuzz_inputs import FUZZ, map_texts
from vsmapper.errors import VSMapperError
from vsmapper.io import mapfile
from vsmapper.io.mapfile import dump_map, parse_map_text
from vsmapper.model import ValueStream


def walks(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The trees walked for a problem's place from now on."""
    walked: list[Any] = []
    original = mapfile._tree_problem

    def counting(data: Any) -> str | None:
        walked.append(data)
        return original(data)

    monkeypatch.setattr(mapfile, "_tree_problem", counting)
    return walked


def test_a_sound_file_is_read_without_walking_its_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    walked = walks(monkeypatch)
    data = feature_chain_data()
    stream = parse_map_text(json.dumps(data))
    assert walked == []
    assert dump_map(stream) == dump_map(ValueStream.model_validate(data))


def test_equal_durations_are_read_once_and_shared() -> None:
    data = feature_chain_data()
    for stage in data["stages"]:
        stage["wait_time"] = "2-5d"
    stages = parse_map_text(json.dumps(data)).stages
    assert all(stage.wait_time is stages[0].wait_time for stage in stages)
    assert stages[0].wait_time.text == "2-5d"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda data: data.update(description=_deep(40)), "nested too"),
        (lambda data: data["stages"][1].update(notes="x\ud800"), "lone surrogate"),
    ],
)
def test_a_refused_file_still_names_its_problem(
    monkeypatch: pytest.MonkeyPatch, change: Any, expected: str
) -> None:
    walked = walks(monkeypatch)
    data = feature_chain_data()
    change(data)
    with pytest.raises(VSMapperError, match=expected):
        parse_map_text(json.dumps(data))
    assert len(walked) == 1


def test_a_repeated_key_is_found_while_parsing() -> None:
    text = json.dumps(feature_chain_data()).replace('"pca": 80', '"pca": 90, "pca": 10')
    with pytest.raises(VSMapperError, match="the key 'pca' is given twice"):
        parse_map_text(text)


def test_the_collector_runs_again_after_reading_good_and_bad_files() -> None:
    gc.enable()  # as a command line runs; tests collect on their own
    try:
        parse_map_text(json.dumps(feature_chain_data()))
        assert gc.isenabled()
        with pytest.raises(VSMapperError):
            parse_map_text("{")
        assert gc.isenabled()
    finally:
        gc.disable()
    # Off, it stays off: the app collects on its GUI thread instead.
    parse_map_text(json.dumps(feature_chain_data()))
    assert not gc.isenabled()


def _deep(levels: int) -> list[Any]:
    nested: list[Any] = []
    for _ in range(levels):
        nested = [nested]
    return nested


def _read(reading: Any, content: str | bytes) -> str:
    """A reading's answer: the map's file text, or the message it refuses the map with."""
    try:
        return dump_map(reading(content, "map"))
    except VSMapperError as error:
        return str(error)


PLAUSIBLE_VALUES = st.sampled_from(
    [
        *("1", "0.5", "8", "100", "1e2", "-0", "0.01", "1000000", "1000001", "null", "[]"),
        *("123456789012345", "1234567890123456", "9" * 400, "1" + "0" * 20, "1.5e3"),
        *('"2-5d"', '"3h"', '"1w 2d/3d/1d"', '"x"', '"é"', '"\\u00e9"', '"\\ud83d\\ude00"'),
    ]
)
"""JSON values that a map holds, or almost: some maps made with them are valid."""


@FUZZ
@given(st.one_of(map_texts(), map_texts(PLAUSIBLE_VALUES)))
def test_the_quick_reading_reads_a_map_as_the_careful_one_does(text: str) -> None:
    careful = _read(mapfile._carefully_read, text)
    quick = mapfile._quickly_read(text.encode("utf-8", "surrogatepass"), "map")
    if quick is not None:
        assert dump_map(quick) == careful
    assert _read(parse_map_text, text) == careful
    with contextlib.suppress(UnicodeEncodeError):  # a lone surrogate is no UTF-8 file
        assert _read(mapfile.parse_map_bytes, text.encode()) == careful


@pytest.mark.parametrize("sign", ["", "-"])
def test_a_number_of_hundreds_of_digits_is_too_large_not_infinite(sign: str) -> None:
    data = feature_chain_data()
    text = json.dumps({**data, "demand_per_week": 1}).replace(
        '"demand_per_week": 1', f'"demand_per_week": {sign}{"9" * 400}'
    )
    # It was "must be a finite number, not NaN or infinity": the number typed was finite.
    with pytest.raises(VSMapperError, match="demand_per_week: is far too large a number"):
        parse_map_text(text)
