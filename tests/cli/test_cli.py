"""The command line: exit codes, one-line errors, untouched inputs and outputs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.bad_maps import BAD_MAPS
from vsmapper import __version__
from vsmapper.cli import example_map_path, main

MAP_READERS = [
    ["analyze"],
    ["analyze", "--json"],
    ["forecast", "--trials", "100"],
    ["export", "{out}"],
]


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["--version"])
    assert caught.value.code == 0
    assert capsys.readouterr().out.strip() == f"vsmapper {__version__}"


def test_the_installed_entry_point_runs() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "vsmapper", "--version"], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == f"vsmapper {__version__}"


@pytest.mark.parametrize(
    "args",
    [
        ["analyze"],
        ["analyze", "a", "b"],
        ["forecast", "x", "--trials", "many"],
        ["forecast", "x", "--trials", "0"],
        ["import", "only-one"],
        ["--bogus"],
        ["export", "x"],
        ["analyze", "x", "--scenrio", "y"],
    ],
)
def test_wrong_usage_is_one_line_and_exit_2(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(args, capsys)
    assert code == 2
    assert out == ""
    assert err.startswith("vsmapper: error: ")
    assert err.count("\n") == 1


@pytest.mark.parametrize("case", sorted(BAD_MAPS))
@pytest.mark.parametrize("command", MAP_READERS, ids=lambda c: " ".join(c))
def test_each_bad_map_gives_one_error_line_and_exit_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str, command: list[str]
) -> None:
    content, expected = BAD_MAPS[case]
    source = tmp_path / "bad.vsm.json"
    source.write_bytes(content)
    out_file = tmp_path / "out.vsm.json"
    args = [command[0], str(source)] + [a.format(out=out_file) for a in command[1:]]
    code, out, err = run(args, capsys)
    assert code == 3
    assert out == ""
    assert err.startswith("vsmapper: error: ")
    assert expected in err
    assert err.count("\n") == 1
    assert source.read_bytes() == content
    assert not out_file.exists()


def test_missing_file_is_invalid_input(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(["analyze", str(tmp_path / "missing.vsm.json")], capsys)
    assert code == 3
    assert "no such file" in err


def test_export_to_a_map_file_writes_a_copy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = tmp_path / "copy.vsm.json"
    code, _, _ = run(["export", str(example_map_path()), str(out_file)], capsys)
    assert code == 0
    assert out_file.read_text() == example_map_path().read_text()


def test_a_failed_export_leaves_an_existing_output_as_it_was(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "bad.vsm.json"
    source.write_text("{}")
    out_file = tmp_path / "out.vsm.json"
    out_file.write_text("precious")
    code, _, _ = run(["export", str(source), str(out_file)], capsys)
    assert code == 3
    assert out_file.read_text() == "precious"


def test_analyze_of_a_map_file_imports_no_spreadsheet_chart_or_heavy_library() -> None:
    # numpy and networkx each take longer to import than the whole analysis of a map.
    probe = (
        "import sys; from vsmapper.cli import main; code = main(['analyze', sys.argv[1]]); "
        "print(sorted({'openpyxl', 'pyqtgraph', 'PySide6', 'numpy', 'networkx', "
        "'vsmapper.io.spreadsheet', 'importlib.metadata'} & set(sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, str(example_map_path())],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip().splitlines()[-1] == "[]"


HOSTILE_NAME = "\x1b[2J\x1b[31mPWN\r\nvsmapper: error: fake"


@pytest.mark.parametrize(
    "args",
    [["analyze"], ["forecast", "--trials", "50", "--seed", "1"], ["analyze", "--scenario", "1"]],
)
def test_names_in_a_text_report_cannot_forge_lines_or_drive_the_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    data = json.loads(example_map_path().read_text(encoding="utf-8"))
    data["name"] = HOSTILE_NAME
    data["stages"][0]["name"] = "Intake\nvsmapper: ok"
    data["scenarios"][0]["name"] = "1"
    path = tmp_path / "hostile.vsm.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    code = main([args[0], str(path), *args[1:]])
    out = capsys.readouterr().out
    assert code == 0
    assert all(line.isprintable() for line in out.splitlines())
    assert not any(line.startswith("vsmapper:") for line in out.splitlines())
    assert "\\x1b[2J\\x1b[31mPWN\\r\\nvsmapper: error: fake" in out


def test_a_text_report_prints_names_with_every_kind_of_space_and_joiner_as_typed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads(example_map_path().read_text(encoding="utf-8"))
    names = ["コード\u3000レビュー", "Code\xa0review 👩\u200d💻"]
    data["stages"][0]["name"], data["stages"][1]["name"] = names
    path = tmp_path / "spaces.vsm.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert main(["analyze", str(path)]) == 0
    out = capsys.readouterr().out
    # Escaped as "\u3000" and "\xa0", the names no longer read as typed or lined up.
    assert all(name in out for name in names)
