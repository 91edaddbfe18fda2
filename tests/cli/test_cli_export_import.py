"""``vsmapper export`` and ``vsmapper import``: formats, exit codes, row errors, safe outputs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from vsmapper.cli import example_map_path, main
from vsmapper.io.mapfile import load_map

MAGIC = {
    "map.xlsx": b"PK\x03\x04",
    "map.csv": b"\xef\xbb\xbfStage,",
    "map.png": b"\x89PNG",
    "map.svg": b"<?xml",
    "map.pdf": b"%PDF",
    "map.vsm.json": b"{\n",
}
BAD_ROWS = "Stage,Wait time,%C&A\n" + "".join(f"S{n},{n} dayz,{n}%\n" for n in range(1, 31))


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main([str(arg) for arg in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def leftovers(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir() if path.name.endswith(".part"))


@pytest.fixture
def example_copy(tmp_path: Path) -> Path:
    path = tmp_path / "example.vsm.json"
    path.write_bytes(example_map_path().read_bytes())
    return path


@pytest.mark.parametrize("name", sorted(MAGIC))
def test_export_writes_each_format(
    tmp_path: Path, example_copy: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = example_copy.read_bytes()
    out = tmp_path / name
    assert run(["export", example_copy, out], capsys) == (0, "", "")
    assert out.read_bytes().startswith(MAGIC[name])
    assert example_copy.read_bytes() == before
    assert leftovers(tmp_path) == []


def test_a_picture_from_the_command_line_is_in_readable_units_whatever_the_window_chose(
    tmp_path: Path,
    example_copy: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from vsmapper.ui import units

    # As a user who shows all durations in hours in the window: slides made by a script
    # depended on it (and, read from no app's settings, on a stray settings file).
    monkeypatch.setattr(units, "_shown", ["hours"])
    out = tmp_path / "map.svg"
    assert run(["export", example_copy, out], capsys) == (0, "", "")
    picture = out.read_text("utf-8")
    assert "Lead time 9w 0.8d" in picture and "366.2h" not in picture


def test_a_spreadsheet_is_read_wherever_a_map_is(
    tmp_path: Path, example_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workbook = tmp_path / "team.xlsx"
    assert run(["export", example_copy, workbook], capsys)[0] == 0
    code, out, _ = run(["analyze", workbook, "--json"], capsys)
    assert code == 0
    _, original, _ = run(["analyze", example_copy, "--json"], capsys)
    assert json.loads(out) == json.loads(original)
    assert run(["forecast", workbook, "--trials", "200", "--seed", "1"], capsys)[0] == 0
    copy = tmp_path / "again.vsm.json"
    assert run(["export", workbook, copy], capsys)[0] == 0
    assert copy.read_bytes() == example_copy.read_bytes()


def test_export_of_a_scenario_writes_the_future_state(
    tmp_path: Path, example_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "future.vsm.json"
    assert run(["export", example_copy, out, "--scenario", "ai-across-the-stream"], capsys)[0] == 0
    future = load_map(out)
    assert future.scenarios == []
    assert future.stage("approval").wait_time.text == "1-2d"
    # What the scenario scaled reads as a person would write it; what it left is as typed.
    assert future.stage("coding").wait_time.text == "0.272-0.817d"
    assert future.stage("deploy").wait_time.text == "4.29h-1.07d"
    assert future.stage("security").wait_time.text == "3-5d"
    assert future.stage("intake").process_time.text == "1-2h"
    # The ideas it applied are in its times: listed still, a scenario built on the file
    # applied them again.
    assert all(not stage.ai for stage in future.stages)
    assert future.description.endswith(
        "Scenario: AI across the stream: its times hold the AI ideas it applied "
        "(Coding assistant at Coding, AI first-pass review at Code review, AI test "
        "generation at QA testing)."
    )


def test_a_scenario_s_workbook_holds_today_s_map_and_names_the_scenario(
    tmp_path: Path, example_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from openpyxl import load_workbook

    from vsmapper.analysis import analyze, compare, find_scenario

    out, back = tmp_path / "future.xlsx", tmp_path / "back.vsm.json"
    assert run(["export", example_copy, out, "--scenario", "ai-across-the-stream"], capsys)[0] == 0
    stream = load_map(example_copy)
    workbook = load_workbook(out)
    facts = {row[4]: row[5] for row in workbook["Summary"].iter_rows(values_only=True)}
    assert "Shown when exported: Scenario: AI across the stream" in facts["State"]
    summary = {row[0]: row[1] for row in workbook["Summary"].iter_rows(values_only=True)}
    assert summary["Expected lead time (h)"] == pytest.approx(
        analyze(stream).expected_lead_time_hours
    )
    # Imported back, the scenario applies its ideas once, as it did before the export.
    assert run(["import", out, back], capsys)[0] == 0
    again = load_map(back)
    assert again.stages == stream.stages
    assert again.scenarios == stream.scenarios
    scenario = find_scenario(again, "ai-across-the-stream")
    assert compare(again, scenario).future.lead_time_hours == pytest.approx(
        compare(stream, scenario).future.lead_time_hours
    )


def test_a_scenario_s_table_imports_back_with_its_ranges(
    tmp_path: Path, example_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table, back = tmp_path / "future.csv", tmp_path / "back.vsm.json"
    assert (
        run(["export", example_copy, table, "--scenario", "ai-across-the-stream"], capsys)[0] == 0
    )
    code, _, warnings = run(["import", table, back], capsys)
    assert (code, warnings) == (0, "")
    # The text, to three figures beside exact hours, was taken for an edit: 4.356408573625337.
    assert load_map(back).stage("coding").wait_time.text == "0.272-0.817d"


def test_png_scale_sets_the_pixels(
    tmp_path: Path, example_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from PySide6.QtGui import QImage

    small, large = tmp_path / "small.png", tmp_path / "large.png"
    assert run(["export", example_copy, small, "--scale", "1"], capsys)[0] == 0
    assert run(["export", example_copy, large, "--scale", "3"], capsys)[0] == 0
    assert abs(QImage(str(large)).width() - 3 * QImage(str(small)).width()) <= 3


def test_a_picture_export_needs_no_display_and_no_app(tmp_path: Path, example_copy: Path) -> None:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")
    }
    out = tmp_path / "map.png"
    result = subprocess.run(
        [sys.executable, "-m", "vsmapper", "export", str(example_copy), str(out)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )
    assert (result.returncode, result.stderr) == (0, "")
    assert out.read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize(
    "args",
    [
        ["export", "{map}", "{folder}/map.docx"],
        ["export", "{map}", "{folder}/map"],
        ["export", "{map}", "{map}"],
        ["export", "{map}", "{folder}/map.png", "--scale", "0"],
        ["import", "{folder}/team.csv", "{folder}/out.json"],
        ["import", "{folder}/team.txt", "{folder}/out.vsm.json"],
        ["import", "{folder}/team.csv", "{folder}/team.csv"],
        ["--screenshot", "{map}", "{map}"],
        ["--screenshot", "{map}"],
        ["--screenshot", "{folder}/team.csv", "{map}"],
        ["--screenshot", "{folder}/map.png", "{folder}/map.png"],
    ],
)
def test_wrong_usage_is_exit_2_and_writes_nothing(
    tmp_path: Path, example_copy: Path, args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "team.csv").write_text("Stage\nA\n")
    before = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    filled = [arg.format(map=example_copy, folder=tmp_path) for arg in args]
    code, out, err = run(filled, capsys)
    assert (code, out) == (2, "")
    assert err.startswith("vsmapper: error: ") and err.count("\n") == 1
    assert {path.name: path.read_bytes() for path in tmp_path.iterdir()} == before


def test_an_unknown_extension_names_the_accepted_ones(
    tmp_path: Path, example_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, _, err = run(["export", example_copy, tmp_path / "map.docx"], capsys)
    assert "'.docx'; OUT must end in .xlsx, .csv, .png, .svg, .pdf, .vsm.json" in err


def test_import_converts_a_csv_with_the_calendar_options(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "team.csv"
    source.write_text("Stage,Process time,Wait time\nBuild,1d,2d\nShip,1h,\n")
    out = tmp_path / "team.vsm.json"
    code, _, _ = run(
        [
            "import",
            source,
            out,
            "--hours-per-day",
            "6",
            "--days-per-week",
            "4",
            "--demand-per-week",
            "3",
        ],
        capsys,
    )
    assert code == 0
    stream = load_map(out)
    assert (
        stream.name,
        stream.calendar.hours_per_day,
        stream.calendar.days_per_week,
        stream.demand_per_week,
    ) == ("team", 6, 4, 3)
    assert [stage.id for stage in stream.stages] == ["build", "ship"]
    _, report, _ = run(["analyze", out, "--json"], capsys)
    assert json.loads(report)["lead_time_hours"] == 6 + 12 + 1


def test_import_lists_up_to_20_row_errors_under_one_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "team.csv"
    source.write_text(BAD_ROWS)
    out = tmp_path / "team.vsm.json"
    out.write_text("precious")
    code, stdout, err = run(["import", source, out], capsys)
    lines = err.splitlines()
    assert (code, stdout) == (3, "")
    assert lines[0] == (
        f"vsmapper: error: {source}: 30 problems (the first 20); nothing was imported"
    )
    assert lines[1] == "  row 2, Wait time: '1 dayz' is not a duration (try 3d, 4h, 90m, 2-5d)"
    assert len(lines) == 21
    assert out.read_text() == "precious"
    assert source.read_text() == BAD_ROWS
    assert leftovers(tmp_path) == []


def test_import_of_a_workbook_with_a_stage_renamed_on_its_stages_sheet_only(
    tmp_path: Path, example_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import openpyxl

    workbook_path = tmp_path / "out.xlsx"
    assert run(["export", example_copy, workbook_path], capsys)[0] == 0
    workbook = openpyxl.load_workbook(workbook_path)
    assert workbook["Stages"]["A6"].value == "Coding"
    workbook["Stages"]["A6"] = "Development"
    workbook.save(workbook_path)
    out = tmp_path / "new.vsm.json"
    # Exit 3 with 7 problems, four of them scenarios enabling the opportunity of a refused row.
    code, stdout, err = run(["import", workbook_path, out], capsys)
    assert (code, stdout) == (0, "")
    assert err.splitlines() == [
        f"vsmapper: warning: {workbook_path}: {where}: 'Coding' is taken as 'Development' "
        "(row 6, Id 'coding'), renamed in the Stages sheet"
        for where in ("row 5, Next", "AI opportunities, row 2, Stage", "row 7, Rework to")
    ]
    imported, original = load_map(out), load_map(example_copy)
    assert imported.stage("coding").name == "Development"
    assert imported.flows == original.flows
    assert imported.stage("review").rework_to == "coding"
    assert imported.stage("coding").ai == original.stage("coding").ai


def test_import_of_a_header_with_no_rows_is_one_error_line_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "team.csv"
    source.write_text("Stage,Process time,Wait time\n")
    out = tmp_path / "team.vsm.json"
    # It wrote a map of no stages and exited 0.
    assert run(["import", source, out], capsys) == (
        3,
        "",
        f"vsmapper: error: {source}: no stage rows under the header; put one row per stage "
        "under it\n",
    )
    assert sorted(path.name for path in tmp_path.iterdir()) == ["team.csv"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"not a zip at all", "not an Excel workbook"),
        (b"PK\x03\x04 truncated", "not an Excel workbook"),
    ],
)
def test_a_broken_workbook_is_one_clean_line(
    tmp_path: Path, content: bytes, expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "team.xlsx"
    source.write_bytes(content)
    for args in (
        ["import", source, tmp_path / "out.vsm.json"],
        ["analyze", source],
        ["export", source, tmp_path / "out.pdf"],
    ):
        code, out, err = run(args, capsys)
        assert (code, out) == (3, "")
        assert err.startswith("vsmapper: error: ") and expected in err and err.count("\n") == 1
    assert sorted(path.name for path in tmp_path.iterdir()) == ["team.xlsx"]


def test_a_failed_picture_export_leaves_the_old_file(
    tmp_path: Path, example_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report.pdf"
    out.write_bytes(b"old report")
    code, _, err = run(["export", example_copy, out, "--scenario", "nope"], capsys)
    # Named after the file, as every error about a file is.
    assert code == 3 and f"error: {example_copy}: scenario 'nope' is not in the map" in err
    assert out.read_bytes() == b"old report"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("name", sorted(MAGIC))
def test_an_unwritable_output_is_one_line_and_nothing_else(
    tmp_path: Path, example_copy: Path, name: str
) -> None:
    out = tmp_path / "missing-folder" / name
    result = subprocess.run(
        [sys.executable, "-m", "vsmapper", "export", str(example_copy), str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 3
    assert result.stderr == f"vsmapper: error: {out}: cannot be saved (No such file or directory)\n"
    assert not out.parent.exists()


def test_a_screenshot_says_nothing_but_qt_messages_a_user_can_act_on(tmp_path: Path) -> None:
    out = tmp_path / "shot.png"
    environment = os.environ | {"QT_QPA_PLATFORM": "offscreen", "PYTHONDONTWRITEBYTECODE": "1"}
    shot = [sys.executable, "-m", "vsmapper", "--screenshot", str(out), "--presentation"]
    result = subprocess.run(shot, capture_output=True, text=True, env=environment, timeout=120)
    assert (result.returncode, result.stderr) == (0, "")
    assert out.read_bytes().startswith(b"\x89PNG")
    other = (
        "from PySide6.QtCore import qWarning; from vsmapper.ui.app import application; "
        "app = application(); qWarning('a message kept')"
    )
    result = subprocess.run(
        [sys.executable, "-c", other], capture_output=True, text=True, env=environment, timeout=120
    )
    assert result.stderr == "a message kept\n"


def test_an_out_that_is_a_link_looping_on_itself_is_no_traceback(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # Checking OUT was not the input resolved the link strictly: RuntimeError, a traceback.
    out = tmp_path / "loop.csv"
    out.symlink_to(out)
    code, _, err = run(["export", str(example_map_path()), str(out)], capsys)
    assert (code, err) == (0, "")
    assert out.read_text(encoding="utf-8-sig").startswith("Stage,")


@pytest.mark.skipif(not Path("/proc/self/mem").exists(), reason="Linux's /proc")
def test_a_history_that_fails_to_read_is_named_not_standard_output(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    history = tmp_path / "mem.csv"
    history.symlink_to("/proc/self/mem")
    code, _, err = run(["measure", str(history)], capsys)
    assert code == 3
    assert err.strip() == f"vsmapper: error: {history}: cannot be read (Input/output error)"
