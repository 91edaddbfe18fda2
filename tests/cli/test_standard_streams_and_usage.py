"""Standard input and output as '-', misspelt commands, bounded options and their help."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.conftest import feature_chain_data
from vsmapper.cli import build_parser, main


def run(
    args: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    stdin: bytes = b"",
) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


MAP = json.dumps(feature_chain_data()).encode()


def test_analyze_reads_a_map_from_standard_input(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run(["analyze", "-", "--json"], capsys, monkeypatch, MAP)
    assert (code, err) == (0, "")
    assert json.loads(out)["lead_time_hours"] == 112


def test_a_bad_map_on_standard_input_is_one_error_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run(["analyze", "-"], capsys, monkeypatch, b'{"format": "x"}')
    assert (code, out) == (3, "")
    assert err == (
        "vsmapper: error: standard input: format: not a VSMapper map "
        '(expected "format": "vsmapper", found \'x\')\n'
    )


def test_export_writes_csv_or_a_map_to_standard_output(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    code, out, err = run(["export", "-", "-.csv"], capsys, monkeypatch, MAP)
    assert (code, err) == (0, "")
    rows = list(csv.reader(io.StringIO(out)))
    assert (rows[0][0], rows[1][0]) == ("Stage", "Idea intake")
    code, out, _ = run(["export", "-", "-", "--format", "vsm.json"], capsys, monkeypatch, MAP)
    assert code == 0 and json.loads(out)["stages"][0]["id"] == "intake"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["export", "-", "-"], "OUT '-' is standard output: give its format with --format"),
        (["export", "-", "-.png"], "png is a binary file; standard output takes csv or vsm.json"),
        (["export", "-", "-", "--format", "xlsx"], "xlsx is a binary file"),
        (["export", "-", "x.csv", "--format", "xlsx"], "x.csv: is not a .xlsx file name"),
        (["export", "-", "x.png", "--scale", "nan"], "argument --scale: 'nan' is not a finite"),
        (["export", "-", "x.png", "--scale", "inf"], "'inf' is not a finite number"),
        (["export", "-", "x.png", "--scale", "1e308"], "1e308 is above 20"),
        (["forecast", "-", "--trials", "1000000001"], "1000000001 is above 1,000,000"),
        (
            ["forecast", "-", "--trials", "abc"],
            "'abc' is not a whole number (see 'vsmapper forecast --help')",
        ),
        (["export", "-", "x.png", "--scale", "big"], "'big' is not a number"),
        (["import", "x.csv", "y.vsm.json", "--hours-per-day", "nan"], "'nan' is not a finite"),
        (["analyse", "map.vsm.json"], "unknown command 'analyse'; did you mean 'analyze'?"),
        (
            ["analyze", "-", "--jsn"],
            "unrecognized arguments: --jsn (see 'vsmapper analyze --help')",
        ),
        (["exprot", "a", "b"], "did you mean 'export'?"),
    ],
)
def test_wrong_usage_is_one_line_and_exit_2(
    args: list[str],
    expected: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, out, err = run(args, capsys, monkeypatch, MAP)
    assert (code, out) == (2, "")
    assert err.startswith("vsmapper: error: ") and expected in err
    assert err.count("\n") == 1


def test_import_writes_the_map_to_standard_output(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sheet = tmp_path / "team.csv"
    sheet.write_text("Stage,Process time\nBuild,2h\n", encoding="utf-8")
    code, out, err = run(["import", str(sheet), "-"], capsys, monkeypatch)
    assert (code, err) == (0, "")
    assert json.loads(out)["stages"][0]["name"] == "Build"


def test_every_option_has_help_and_shows_its_default() -> None:
    parser = build_parser()
    commands = next(action for action in parser._actions if action.dest == "command").choices  # type: ignore[union-attr]
    for name, command in commands.items():
        for action in command._actions:
            assert action.help, f"{name} {action.option_strings or action.dest} has no help"
            if action.option_strings and action.default not in (None, False, "==SUPPRESS=="):
                assert str(action.default) in command.format_help(), (name, action.dest)


def test_an_option_s_default_is_said_once(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    said = " ".join(capsys.readouterr().out.split())
    assert "(default 1600x1000)" in said and "(1600, 1000)" not in said
