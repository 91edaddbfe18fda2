"""Hostile input is normal input: fuzzed maps, CSV and workbooks give a result or one error.

Every run of ``vsmapper analyze --json`` on them (in-process) must either succeed with strict
JSON and no warnings, or fail with exit code 3 and one clean ``vsmapper: error:`` line (a
spreadsheet may list its row problems under it). Bounded and derandomized for CI.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import tempfile
import threading
import unicodedata
import warnings
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import feature_chain_data
from vsmapper.cli import main
from vsmapper.errors import VSMapperError
from vsmapper.history import reading
from vsmapper.io import mapfile, spreadsheet

FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

HOSTILE_TEXT = [
    "x\ud800",
    "\udfff",
    "a\r\nvsmapper: ok",
    "\x1b[2K\x1b[1A",
    "\u202etxt.exe",
    "9" * 400,
    "1-" + "9" * 400 + "d",
    "1e308",
    "-1",
    "nan",
    "inf",
    "5e-324",
    "1w 2d/3d/1d",
    "2d/3d",
    "",
    " ",
    "(" * 50,
    "a" + " " * 3000 + "b",
]
HOSTILE_NUMBERS = [
    "1e308",
    "-1e308",
    "5e-324",
    "-5e-324",
    "9" * 400,
    "-" + "9" * 400,
    "0",
    "-0.0",
    "1e-320",
    "1000000",
    "1000001",
    "876600",
    "876601",
    "10000000",
    "-10000001",
    "1e12",
    "100",
    "0.01",
]
json_values = st.recursive(
    st.one_of(
        st.sampled_from(HOSTILE_NUMBERS),
        st.sampled_from(HOSTILE_TEXT).map(lambda text: json.dumps(text)),
        st.floats(allow_nan=False, allow_infinity=False).map(repr),
        st.integers(-(10**20), 10**20).map(str),
        st.text(max_size=30).map(json.dumps),
        st.sampled_from(["null", "true", "false", "[]", "{}"]),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(lambda items: "[" + ", ".join(items) + "]"),
        st.dictionaries(st.sampled_from(["a", "pca", "id"]), inner, max_size=2).map(
            lambda items: "{" + ", ".join(f'"{k}": {v}' for k, v in items.items()) + "}"
        ),
    ),
    max_leaves=4,
)
STAGE_KEYS = [
    "id",
    "name",
    "process_time",
    "wait_time",
    "pca",
    "people",
    "availability",
    "hourly_cost",
    "wip",
    "throughput_per_week",
    "position",
    "rework_to",
    "notes",
]
MAP_KEYS = ["name", "demand_per_week", "hourly_cost", "calendar", "currency", "description"]


@st.composite
def map_texts(draw: st.DrawFn, values: st.SearchStrategy[str] = json_values) -> str:
    """The worked example with a few values replaced by hostile JSON text."""
    data: dict[str, Any] = feature_chain_data()
    data["demand_per_week"] = 3
    data["stages"][2].update(wip=4, throughput_per_week=2)
    fragments: dict[str, str] = {}
    for number in range(draw(st.integers(1, 4))):
        marker = f"@@{number}@@"
        if draw(st.booleans()):
            data[draw(st.sampled_from(MAP_KEYS))] = marker
        else:
            index = draw(st.integers(0, len(data["stages"]) - 1))
            data["stages"][index][draw(st.sampled_from(STAGE_KEYS))] = marker
        fragments[marker] = draw(values)
    text = json.dumps(data)
    for marker, fragment in fragments.items():
        text = text.replace(f'"{marker}"', fragment)
    if draw(st.booleans()):
        text = text.replace('"pca": 80', '"pca": 80, "pca": 10')
    return text


def analyze_json(path: Path) -> tuple[int, str, str]:
    """``vsmapper analyze PATH --json`` in-process, failing on any warning it raises."""
    out, err = io.StringIO(), io.StringIO()
    with (
        warnings.catch_warnings(record=True) as caught,
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        warnings.simplefilter("always")
        code = main(["analyze", str(path), "--json"])
    assert not caught, [str(warning.message) for warning in caught]
    return code, out.getvalue(), err.getvalue()


def _refuse_constant(name: str) -> None:
    raise AssertionError(f"{name} in JSON output")


def shows(line: str) -> bool:
    """Whether a terminal shows ``line`` as itself: no control, surrogate, unassigned or
    private character, no line separator and nothing that reorders the text after it."""
    return not any(
        unicodedata.category(character) in ("Cc", "Cs", "Co", "Cn", "Zl", "Zp")
        or "\u202a" <= character <= "\u202e"
        or "\u2066" <= character <= "\u2069"
        or character in "\u061c\u200e\u200f"
        for character in line
    )


def check_result(path: Path, spreadsheet: bool = False) -> None:
    code, out, err = analyze_json(path)
    if code == 0:
        report = json.loads(out, parse_constant=_refuse_constant)
        assert isinstance(report["lead_time_hours"], float)
        assert all(line.startswith("vsmapper: warning: ") for line in err.splitlines())
        for line in err.splitlines():
            assert shows(line)
        return
    assert code == 3, (code, err)
    assert out == ""
    first, *rest = err.splitlines()
    assert first.startswith("vsmapper: error: ")
    assert shows(first)
    if spreadsheet:
        assert all(line.startswith("  ") and shows(line) for line in rest)
    else:
        assert rest == []


@FUZZ
@given(map_texts())
def test_fuzzed_maps_give_a_result_or_one_error_line(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzzed.vsm.json"
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        check_result(path)


HEADERS = [
    "Stage",
    "Process time",
    "Wait time",
    "Lead time",
    "LT",
    "%C&A",
    "People",
    "Availability",
    "Hourly cost",
    "Next",
    "Rework to",
    "WIP",
    "Throughput per week",
    "Position x",
    "Position y",
    "Proces time",
    "Owner",
    "# Stage",
    "Process time (d)",
    "Wait time (zz)",
]
cells = st.one_of(
    st.sampled_from(HOSTILE_TEXT[2:] + HOSTILE_NUMBERS),
    st.sampled_from(["A", "B", "Build", "2h", "1-3d", "0.9", "95", "85%", "0.5", ""]),
    st.text(max_size=12),
)


@st.composite
def sheets(draw: st.DrawFn) -> list[list[str]]:
    header = ["Stage", *draw(st.lists(st.sampled_from(HEADERS), max_size=5))]
    width = len(header)
    rows = draw(st.lists(st.lists(cells, min_size=width, max_size=width), max_size=5))
    return [header, *rows]


@FUZZ
@given(sheets())
def test_fuzzed_csv_gives_a_result_or_one_error(rows: list[list[str]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzzed.csv"
        text = io.StringIO()
        import csv

        csv.writer(text).writerows(rows)
        path.write_text(text.getvalue(), encoding="utf-8")
        check_result(path, spreadsheet=True)


def _cell_value(text: str) -> object:
    """Numbers as numbers, where Excel would store them so."""
    with contextlib.suppress(ValueError, OverflowError):
        number = float(text)
        if math.isfinite(number):
            return number
    return "".join(character for character in text if character.isprintable())


@settings(FUZZ, max_examples=40)
@given(sheets())
def test_fuzzed_workbooks_give_a_result_or_one_error(rows: list[list[str]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzzed.xlsx"
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        for row in rows:
            sheet.append([_cell_value(text) for text in row])
        workbook.save(path)
        check_result(path, spreadsheet=True)


ENDLESS = Path("/dev/zero")


@pytest.mark.skipif(not ENDLESS.exists(), reason="needs an endless device")
@pytest.mark.parametrize(
    ("name", "module", "limit", "kinds"),
    [
        ("z.vsm.json", mapfile, "MAX_FILE_BYTES", "map files"),
        ("z.csv", spreadsheet, "MAX_FILE_BYTES", "spreadsheets"),
        ("z.xlsx", spreadsheet, "MAX_FILE_BYTES", "spreadsheets"),
    ],
)
def test_an_endless_device_is_read_no_further_than_the_limit(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    module: object,
    limit: str,
    kinds: str,
) -> None:
    monkeypatch.setattr(module, limit, 2**20)
    path = tmp_path / name
    path.symlink_to(ENDLESS)
    code, out, err = analyze_json(path)
    assert (code, out) == (3, "")
    assert err == (
        f"vsmapper: error: {path}: reading stopped at 1 MB; {kinds} over 1 MB are refused\n"
    )


@pytest.mark.skipif(not ENDLESS.exists(), reason="needs an endless device")
def test_an_endless_history_is_read_no_further_than_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reading, "MAX_CSV_BYTES", 2**20)
    path = tmp_path / "log.csv"
    path.symlink_to(ENDLESS)
    with pytest.raises(VSMapperError, match="reading stopped at 1 MB; histories over 1 MB"):
        reading.read_history(path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_history_and_a_map_are_read_from_a_pipe(tmp_path: Path) -> None:
    history = "Key,Changed,To status\nA,2024-03-04,Ready\nA,2024-03-05,Done\n"
    for name, text, read in [
        ("log.csv", history, reading.read_history),
        ("map.vsm.json", json.dumps(feature_chain_data()), mapfile.load_map),
    ]:
        pipe = tmp_path / name
        os.mkfifo(pipe)
        writer = threading.Thread(target=pipe.write_text, args=(text,))
        writer.start()
        assert read(pipe)
        writer.join()


def test_an_unassigned_character_in_a_refused_id_is_escaped(tmp_path: Path) -> None:
    # Found by the fuzzer: U+1342F came through as itself, a box or nothing on a terminal.
    path = tmp_path / "odd.vsm.json"
    path.write_text(
        '{"format": "vsmapper", "version": 1, "name": "X",'
        ' "stages": [{"id": "\\ud80d\\udc2f", "name": "Intake"}]}',
        encoding="utf-8",
    )
    code, _out, err = analyze_json(path)
    assert code == 3 and "'\\U0001342f' is not a valid id" in err
    assert shows(err.splitlines()[0])
