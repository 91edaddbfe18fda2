"""The improvement plan in the workbook and the CSV, and through ``vsmapper export``."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from vsmapper.analysis import analyze, apply_scenario
from vsmapper.cli import example_map_path, main
from vsmapper.io.csv_export import export_csv, plan_csv_text
from vsmapper.io.exports import future_state
from vsmapper.io.mapfile import load_map, save_map
from vsmapper.io.xlsx_export import export_xlsx
from vsmapper.model.stream import Note, ValueStream


@pytest.fixture
def planned() -> ValueStream:
    stream = load_map(example_map_path())
    return stream.replaced(
        notes=[
            Note(id="pain-1", stage="review", text="=Reviews wait for one person"),
            Note(
                id="kaizen-1",
                stage="coding",
                kind="kaizen",
                text="AI across the stream",
                owner="Ana",
                due=date(2026, 12, 15),
                status="doing",
                effect="shorter waits everywhere",
                scenario="ai-across-the-stream",
            ),
            Note(id="kaizen-2", kind="kaizen", text="Weekly flow review"),
        ]
    )


def expected_effect(stream: ValueStream) -> float:
    scenario = next(s for s in stream.scenarios if s.id == "ai-across-the-stream")
    future = analyze(apply_scenario(stream, scenario)).expected_lead_time_hours
    return future - analyze(stream).expected_lead_time_hours


def test_the_workbook_has_an_improvement_plan_sheet(tmp_path: Path, planned: ValueStream) -> None:
    path = tmp_path / "map.xlsx"
    export_xlsx(planned, path)
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames[-2:] == ["Improvement plan", "Settings"]
    rows = list(workbook["Improvement plan"].iter_rows(values_only=True))
    assert rows[0][:3] == ("Kind", "Stage", "Text") and rows[0][-1] == "Lead-time effect (h)"
    assert rows[1][:6] == (
        "Kaizen burst",
        "Coding",
        "AI across the stream",
        "Ana",
        datetime(2026, 12, 15),  # a date a spreadsheet sorts and filters by, not text
        "doing",
    )
    assert workbook["Improvement plan"].cell(2, 5).number_format == "yyyy-mm-dd"
    assert rows[2][4] is None
    assert rows[1][-1] == pytest.approx(expected_effect(planned))
    assert rows[1][-1] < 0
    assert rows[2][:3] == ("Kaizen burst", None, "Weekly flow review")
    # Text that looks like a formula stays text.
    assert rows[3][2] == "=Reviews wait for one person"
    assert workbook["Improvement plan"].cell(4, 3).data_type == "s"


def test_a_map_without_notes_has_no_plan_sheet(tmp_path: Path) -> None:
    path = tmp_path / "map.xlsx"
    export_xlsx(load_map(example_map_path()), path)
    assert "Improvement plan" not in openpyxl.load_workbook(path).sheetnames


def test_the_plan_csv(tmp_path: Path, planned: ValueStream) -> None:
    rows = list(csv.reader(io.StringIO(plan_csv_text(planned))))
    assert rows[0][0] == "Kind" and rows[0][-1] == "Lead-time effect (h)"
    assert [row[2] for row in rows[1:]] == [
        "AI across the stream",
        "Weekly flow review",
        "'=Reviews wait for one person",
    ]
    path = tmp_path / "plan.csv"
    export_csv(planned, path, notes=True)
    assert path.read_bytes().startswith(b"\xef\xbb\xbfKind,")


def test_export_notes_on_the_command_line(tmp_path: Path, planned: ValueStream, capsys) -> None:
    source = tmp_path / "map.vsm.json"
    save_map(planned, source)
    before = source.read_bytes()
    out = tmp_path / "plan.csv"
    assert main(["export", str(source), str(out), "--notes"]) == 0
    assert "Weekly flow review" in out.read_text(encoding="utf-8-sig")
    assert main(["export", str(source), str(tmp_path / "plan.xlsx"), "--notes"]) == 2
    assert "--notes writes the improvement plan to a .csv" in capsys.readouterr().err
    assert source.read_bytes() == before


def test_a_future_state_keeps_its_notes_without_scenario_links(planned: ValueStream) -> None:
    stream, label, _ = future_state(planned, "AI across the stream")
    assert label == "Scenario: AI across the stream"
    assert [note.id for note in stream.notes] == ["pain-1", "kaizen-1", "kaizen-2"]
    assert all(note.scenario is None for note in stream.notes)
