"""``vsmapper survey``: serve a round, merge what arrives, write the merge, keep MAP."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from vsmapper.cli import example_map_path, main
from vsmapper.io.mapfile import load_map


def post(address: str, answer: dict) -> int:
    request = urllib.request.Request(
        address + "/answers",
        data=json.dumps(answer).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status


def start(args: list[str]) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "vsmapper", "survey", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    return process, process.stdout.readline().strip()


def test_a_round_serves_until_n_answers_then_prints_and_writes_the_merge(tmp_path: Path) -> None:
    source = tmp_path / "map.vsm.json"
    source.write_bytes(example_map_path().read_bytes())
    out = tmp_path / "merged.vsm.json"
    stream = load_map(source)
    first, second = stream.stages[0], stream.stages[1]
    process, address = start([str(source), "--out", str(out), "--responses", "2", "--json"])
    try:
        assert address.startswith("http://127.0.0.1:") and "/s/" in address
        with urllib.request.urlopen(address + "/map", timeout=5) as response:
            assert json.load(response)["stages"][0] == {"id": first.id, "name": first.name}
        answers = [
            {first.id: {"wait_time": "1d", "pca": 60, "pain": "Unclear requests"}},
            {first.id: {"wait_time": "4d", "pca": 90}, second.id: {"process_time": "2h"}},
        ]
        for number, stages in enumerate(answers):
            assert post(address, {"participant": f"p{number}", "stages": stages}) == 200
        stdout, stderr = process.communicate(timeout=20)
    finally:
        process.kill()
    assert process.returncode == 0, stderr
    merged = json.loads(stdout)
    assert merged["responses"] == 2
    stage = merged["stages"][0]
    assert stage["answers"] == 2 and stage["wait_time"] == "2.5d" and stage["pca"] == 75
    assert stage["disagreement"] == ["wait_time", "pca"]
    assert stage["pains"] == ["Unclear requests"]
    assert merged["stages"][1]["process_time"] == "2h"
    written = load_map(out)
    assert written.stages[0].wait_time.text == "2.5d"
    assert written.stages[1].process_time.text == "2h"
    assert [(n.stage, n.text) for n in written.notes] == [(first.id, "Unclear requests")]
    assert source.read_bytes() == example_map_path().read_bytes()


def test_a_round_ends_after_its_minutes_with_no_answers(tmp_path: Path) -> None:
    process, address = start([str(example_map_path()), "--minutes", "0.001"])
    stdout, _ = process.communicate(timeout=20)
    assert process.returncode == 0
    assert address.startswith("http://")
    assert stdout.startswith("0 participants answered")


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["{map}", "--out", "{map}"], 2, "is the input file"),
        (["{map}", "--out", "out.csv"], 2, "name it *.vsm.json"),
        (["{map}", "--port", "-1"], 2, "below 0"),
        (["missing.vsm.json"], 3, "no such file"),
        (["{map}", "--host", "203.0.113.7"], 3, "cannot serve there"),
    ],
)
def test_survey_refusals_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], code: int, message: str
) -> None:
    source = tmp_path / "map.vsm.json"
    source.write_bytes(example_map_path().read_bytes())
    filled = [arg.format(map=source) for arg in args]
    filled = [str(tmp_path / a) if a in ("out.csv", "missing.vsm.json") else a for a in filled]
    assert main(["survey", *filled]) == code
    err = capsys.readouterr().err
    assert err.startswith("vsmapper: error: ") and message in err
    assert len(err.strip().splitlines()) == 1
    assert source.read_bytes() == example_map_path().read_bytes()
