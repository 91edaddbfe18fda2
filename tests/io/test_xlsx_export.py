"""The Excel export (docs/file-format.md): sheets, live formulas recalculated by LibreOffice, text."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import openpyxl
import pytest
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell._writer import write_cell
from openpyxl.formula.translate import Translator, TranslatorError
from openpyxl.xml.functions import xmlfile

from vsmapper.analysis import analyze, apply_scenario, compare
from vsmapper.analysis.flow import FlowAnalysis
from vsmapper.analysis.forecast import forecast
from vsmapper.cli import example_map_path
from vsmapper.errors import VSMapperError
from vsmapper.io.mapfile import load_map, map_from_data
from vsmapper.io.spreadsheet import import_spreadsheet
from vsmapper.io.tables import STAGE_COLUMNS, WORKBOOK_STAGE_COLUMNS
from vsmapper.io.xlsx_export import (
    COMPUTED_FORECAST,
    CRITICAL_FILL,
    RESORT,
    SUMMARY_LABELS,
    _cell_xml,
    _SheetWriter,
    export_xlsx,
)
from vsmapper.model import ValueStream
from vsmapper.model.duration import share_text

if TYPE_CHECKING:
    from vsmapper.history.measure import Measurement

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_libreoffice = pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice is not installed (apt-get install libreoffice-calc-nogui; .ci/run does)",
)
HEADERS = [column.title for column in WORKBOOK_STAGE_COLUMNS]


@pytest.fixture(scope="session")
def libreoffice_profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A LibreOffice profile of this test run's own, so parallel runs never share one."""
    return tmp_path_factory.mktemp("libreoffice-profile")


def convert_with_libreoffice(
    source: Path, target_format: str, profile: Path, infilter: str | None = None
) -> Path:
    """``source`` opened, recalculated and saved by LibreOffice in ``target_format``."""
    folder = source.parent / f"converted-{target_format}"
    command = [
        SOFFICE,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--convert-to",
        target_format,
        "--outdir",
        str(folder),
        str(source),
    ]
    if infilter:
        command.insert(3, f"--infilter={infilter}")
    subprocess.run(command, check=True, capture_output=True, timeout=300)
    converted = folder / f"{source.stem}.{target_format.split(':')[0]}"
    assert converted.exists(), f"LibreOffice wrote no {converted}"
    return converted


def summary_values(path: Path) -> dict[str, object]:
    sheet = openpyxl.load_workbook(path, data_only=True)["Summary"]
    return {row[0]: row[1] for row in sheet.iter_rows(max_col=2, values_only=True)}


def metrics_of(analysis, stage_id: str):
    return next(metrics for metrics in analysis.stages if metrics.id == stage_id)


def stage_column(sheet, title: str) -> int:
    return HEADERS.index(title) + 1


@pytest.fixture
def example() -> ValueStream:
    return load_map(example_map_path())


def formula_text_map() -> ValueStream:
    """A chain whose names and notes look like formulas to a spreadsheet program."""
    return map_from_data(
        {
            "format": "vsmapper",
            "version": 1,
            "name": '=HYPERLINK("http://x")',
            "description": "@risk",
            "stages": [
                {
                    "id": "a",
                    "name": "=1+2",
                    "process_time": "2h",
                    "wait_time": "1d",
                    "notes": "+49 30 1234",
                },
                {
                    "id": "b",
                    "name": "-rm -rf",
                    "process_time": "1h",
                    "wait_time": "5d",
                    "notes": "@SUM(A1:A9)",
                },
                {"id": "c", "name": "=SUM(1,2)", "process_time": "1h", "wait_time": "9d"},
            ],
        }
    )


# --- structure -----------------------------------------------------------------------------


def test_the_workbook_has_the_contract_sheets(tmp_path: Path, example: ValueStream) -> None:
    path = tmp_path / "map.xlsx"
    export_xlsx(example, path)
    assert openpyxl.load_workbook(path).sheetnames == [
        "Summary",
        "Stages",
        "AI opportunities",
        "Scenarios",
        "Settings",
    ]
    export_xlsx(example, path, forecast(example, 500, 7))
    assert openpyxl.load_workbook(path).sheetnames == [
        "Summary",
        "Stages",
        "AI opportunities",
        "Scenarios",
        "Forecast",
        "Settings",
    ]


def test_summary_has_exactly_the_contract_labels_and_live_formulas(
    tmp_path: Path, example: ValueStream
) -> None:
    path = tmp_path / "map.xlsx"
    export_xlsx(example, path)
    sheet = openpyxl.load_workbook(path)["Summary"]
    assert [cell.value for cell in sheet["A"] if cell.value is not None] == list(SUMMARY_LABELS)
    formulas = [sheet.cell(row, 2).value for row in range(1, 6)]
    assert all(isinstance(formula, str) and formula.startswith("=") for formula in formulas)
    assert formulas[0].endswith(
        ',"Sort Stages by Map order to recalculate",'
        "SUMPRODUCT(StageTable[[Process time (h)]]+StageTable[[Wait time (h)]],"
        "StageTable[[On critical path]]))"
    )
    assert formulas[4] == ("=EXP(SUMPRODUCT(LN(StageTable[[%C&A]]/100^(StageTable[[%C&A]]>1))))")
    analysis = analyze(example)
    assert sheet["B6"].value == pytest.approx(analysis.expected_lead_time_hours)
    assert sheet["B7"].value == analysis.constraint.stage
    assert "holds" in sheet["C7"].value
    # Each formula holds the value it computes: a preview, pandas or openpyxl's data_only,
    # which calculate nothing, showed the totals blank.
    values = openpyxl.load_workbook(path, data_only=True)["Summary"]
    assert [values.cell(row, 2).value for row in range(1, 6)] == pytest.approx(
        [
            analysis.lead_time_hours,
            analysis.process_time_hours,
            analysis.wait_time_hours,
            analysis.flow_efficiency,
            analysis.rolled_pca,
        ]
    )


def test_the_workbook_is_titled_and_checks_phase_kind_and_pca(
    tmp_path: Path, example: ValueStream
) -> None:
    path = tmp_path / "map.xlsx"
    export_xlsx(example, path, label="Scenario: AI review")
    workbook = openpyxl.load_workbook(path)
    assert workbook.properties.title == example.name
    assert workbook.properties.subject == "Scenario: AI review"
    rules = {
        str(rule.sqref): (rule.type, rule.formula1, rule.formula2)
        for rule in workbook["Stages"].data_validations.dataValidation
    }
    assert rules == {
        "C2:C20001": ("list", '"ideation,creation,release,operation"', None),
        "D2:D20001": (
            "list",
            '"intake,requirements,design,coding,review,testing,security,approval,deploy,'
            'monitoring,incident,other"',
            None,
        ),
        "G2:G20001": ("decimal", "0.01", "100"),
    }


def test_stages_is_an_excel_table_with_units_formats_and_marks(
    tmp_path: Path, example: ValueStream
) -> None:
    path = tmp_path / "map.xlsx"
    export_xlsx(example, path)
    sheet = openpyxl.load_workbook(path)["Stages"]
    assert [cell.value for cell in sheet[1]] == HEADERS
    assert sheet.freeze_panes == "B2"
    table = sheet.tables["StageTable"]
    assert table.ref == f"A1:{openpyxl.utils.get_column_letter(len(HEADERS))}13"
    analysis = analyze(example)
    process = stage_column(sheet, "Process time (h)")
    critical = stage_column(sheet, "On critical path")
    constraint = stage_column(sheet, "Constraint (as exported)")
    values = openpyxl.load_workbook(path, data_only=True)["Stages"]
    for row, metrics in enumerate(analysis.stages, start=2):
        assert sheet.cell(row, process).value == pytest.approx(metrics.process_time_hours)
        assert sheet.cell(row, process).number_format == "#,##0.0#"
        assert sheet.cell(row, critical).value.startswith("=")
        assert values.cell(row, critical).value == int(metrics.on_critical_path)
        is_constraint = metrics.id == analysis.constraint.stage_id
        assert sheet.cell(row, constraint).value == int(is_constraint)
        if is_constraint:
            assert sheet.cell(row, 1).fill.fgColor.rgb.endswith("FDE2E2")
            assert sheet.cell(row, process).fill.fgColor.rgb.endswith("FDE2E2")
    # The critical path's shading follows its formulas, as a user's edits move it; the
    # constraint, on the path, keeps its own fill.
    assert metrics_of(analysis, analysis.constraint.stage_id).on_critical_path
    (shaded,) = sheet.conditional_formatting
    assert str(shaded.sqref) == "A2:A13"
    letter, constraint_letter = map(openpyxl.utils.get_column_letter, (critical, constraint))
    assert shaded.rules[0].formula == [f"AND(${letter}2=1,${constraint_letter}2<>1)"]
    assert sheet.cell(2, critical).number_format == '"✓";;""'
    text = stage_column(sheet, "Process time (text)")
    assert sheet.cell(2, text).value == "1-2h"


def test_the_ai_and_scenario_sheets_hold_the_definitions(
    tmp_path: Path, example: ValueStream
) -> None:
    path = tmp_path / "map.xlsx"
    export_xlsx(example, path)
    workbook = openpyxl.load_workbook(path)
    ai = list(workbook["AI opportunities"].iter_rows(values_only=True))
    assert ai[0][:4] == ("Stage", "Id", "Practice", "Name")
    assert [row[1] for row in ai[1:]] == [o.id for _, o in example.opportunities()]
    scenarios = list(workbook["Scenarios"].iter_rows(values_only=True))
    header = scenarios[0]
    across = dict(zip(header, scenarios[2], strict=True))
    assert across["Id"] == "ai-across-the-stream"
    assert across["Enabled AI"] == "coding-assistant; review-bot; test-generation"
    assert across["Overrides (JSON)"] == '{"Change approval (CAB)": {"wait_time": "1-2d"}}'
    future = analyze(apply_scenario(example, example.scenarios[1]))
    assert across["Lead time (h)"] == pytest.approx(future.lead_time_hours)
    assert across["Δ lead time (h)"] == pytest.approx(
        future.lead_time_hours - analyze(example).lead_time_hours
    )
    # A change of a share is in points, as the app says it ("+5.0 pts"), not in percent.
    assert across["Δ flow efficiency (pts)"] == pytest.approx(
        (future.flow_efficiency - analyze(example).flow_efficiency) * 100
    )
    column = header.index("Δ flow efficiency (pts)") + 1
    assert workbook["Scenarios"].cell(3, column).number_format == "+0.0;-0.0;0"
    # Beside a Summary that recalculates, its figures looked live: each header says they are not.
    notes = {cell.value: cell.comment for cell in workbook["Scenarios"][1]}
    assert notes["Scenario"] is None and notes["Demand factor"] is None
    assert "edits in the Stages sheet do not change" in notes["Current lead time (h)"].text
    assert all(notes[title] for title in header[header.index("Current lead time (h)") :])
    assert workbook["Settings"]["A1"].value == "Name"
    assert workbook["Settings"]["B3"].value == 8


def test_an_unbounded_scenario_has_no_constraint_in_the_workbook(tmp_path: Path) -> None:
    from tests.analysis.maps import overloaded_example

    # Coding is over 400% busy: its lead time cells were empty, its Constraint a stage
    # holding a share of the lead time it does not have.
    path = tmp_path / "over.xlsx"
    export_xlsx(overloaded_example(), path)
    header, *rows = openpyxl.load_workbook(path)["Scenarios"].iter_rows(values_only=True)
    for row in rows:
        found = dict(zip(header, row, strict=True))
        assert (found["Lead time (h)"], found["Constraint"]) == (None, None)
        assert found["Current constraint"] == "Discovery & prioritisation"


def test_the_summary_has_a_chart_of_process_and_wait(tmp_path: Path, example: ValueStream) -> None:
    path = tmp_path / "map.xlsx"
    export_xlsx(example, path)
    with zipfile.ZipFile(path) as archive:
        chart = archive.read("xl/charts/chart1.xml").decode()
    assert "'Stages'!$F$2:$F$13" in chart and "'Stages'!$E$2:$E$13" in chart
    assert 'val="stacked"' in chart


def test_the_forecast_sheet_holds_the_percentiles(tmp_path: Path, example: ValueStream) -> None:
    result = forecast(example, 1000, 3)
    path = tmp_path / "map.xlsx"
    export_xlsx(example, path, result)
    rows = {
        row[0]: row[1]
        for row in openpyxl.load_workbook(path)["Forecast"].iter_rows(max_col=2, values_only=True)
    }
    assert rows["Trials"] == 1000 and rows["Seed"] == 3
    assert rows["P85 (h)"] == pytest.approx(result.p85_hours)
    assert rows["Idea intake"] == pytest.approx(result.criticality["intake"])
    # Its nominal lead time, beside a Summary that recalculates, says it does not.
    assert rows[COMPUTED_FORECAST] is None and COMPUTED_FORECAST.startswith("As exported: ")


def test_formula_looking_text_is_written_as_text(tmp_path: Path) -> None:
    path = tmp_path / "map.xlsx"
    export_xlsx(formula_text_map(), path)
    workbook = openpyxl.load_workbook(path)
    names = [(cell.value, cell.data_type) for cell in workbook["Stages"]["A"][1:]]
    assert names == [("=1+2", "s"), ("-rm -rf", "s"), ("=SUM(1,2)", "s")]
    assert workbook["Summary"]["B7"].value == "=SUM(1,2)"
    assert workbook["Summary"]["B7"].data_type == "s"
    assert workbook["Settings"]["B1"].data_type == "s"


@pytest.mark.parametrize(
    "value",
    [
        "Plan & build <v2>",
        "  spaced ",
        "   ",
        "",
        "=SUM(A1)",
        3,
        0.1,
        1e20,
        -2.5,
        True,
        float("nan"),
        None,
    ],
)
@pytest.mark.parametrize("styled", [False, True])
def test_table_cells_are_written_as_openpyxl_writes_them(value: object, styled: bool) -> None:
    """The tables' rows are formatted as text for speed; the XML is openpyxl's own."""
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Stages")
    cell = WriteOnlyCell(sheet, value)
    if isinstance(value, str):
        cell.data_type = "s"
    if styled:
        cell.fill = CRITICAL_FILL
    cell.row, cell.column = 7, 28
    written = io.BytesIO()
    with xmlfile(written) as xf:
        if value is not None or styled:
            write_cell(xf, sheet, cell, styled)
    style = f' s="{cell.style_id}"' if styled else ""
    assert _cell_xml("AB7", value, style, style) == written.getvalue().decode()


def test_an_empty_map_exports_and_imports_back(tmp_path: Path) -> None:
    empty = map_from_data({"format": "vsmapper", "version": 1, "name": "Blank", "stages": []})
    path = tmp_path / "blank.xlsx"
    export_xlsx(empty, path)
    assert summary_values(path)["Rolled %C&A"] == 1
    assert import_spreadsheet(path) == empty


@pytest.mark.parametrize(
    ("notes", "expected"),
    [
        ("bell\x07", "stage 'A' notes: the text 'bell\\x07' holds control characters that Excel"),
        ("x" * 40_000, "stage 'A' notes: the text '" + "x" * 59 + "…' is 40,000 characters long"),
    ],
)
def test_text_excel_cannot_hold_is_refused_and_the_old_file_kept(
    tmp_path: Path, notes: str, expected: str
) -> None:
    path = tmp_path / "map.xlsx"
    path.write_bytes(b"old workbook")
    bad = map_from_data(
        {
            "format": "vsmapper",
            "version": 1,
            "name": "m",
            "stages": [{"id": "a", "name": "A", "notes": notes}],
        }
    )
    with pytest.raises(VSMapperError, match=f"^{re.escape(f'{path}: {expected}')}"):
        export_xlsx(bad, path)
    assert path.read_bytes() == b"old workbook"
    assert sorted(tmp_path.iterdir()) == [path]


def test_text_excel_cannot_hold_is_named_by_its_place(tmp_path: Path) -> None:
    data = json.loads(example_map_path().read_text(encoding="utf-8"))
    data["description"] = "x" * 40_000
    path = tmp_path / "map.xlsx"
    with pytest.raises(VSMapperError, match=f"^{re.escape(str(path))}: description: the text"):
        export_xlsx(map_from_data(data), path)
    data["description"] = ""
    data["stages"][0]["ai"] = [{"id": "bot", "name": "Bot\x1b[2J"}]
    with pytest.raises(
        VSMapperError, match=re.escape("AI opportunity 'bot' name: the text 'Bot\\x1b")
    ):
        export_xlsx(map_from_data(data), path)


# --- recalculated by LibreOffice ----------------------------------------------------------


@pytest.mark.slow
@needs_libreoffice
def test_libreoffice_recalculates_the_apps_figures(
    tmp_path: Path, example: ValueStream, libreoffice_profile: Path
) -> None:
    path = tmp_path / "map.xlsx"
    export_xlsx(example, path)
    values = summary_values(convert_with_libreoffice(path, "xlsx", libreoffice_profile))
    analysis = analyze(example)
    assert_the_apps_figures(values, analysis)
    assert values["Expected lead time (h)"] == pytest.approx(
        analysis.expected_lead_time_hours, rel=1e-9
    )
    assert values["Constraint"] == analysis.constraint.stage


def exported_stages(stream: ValueStream, folder: Path) -> tuple[Path, Any, Any]:
    """The map exported to a workbook, the workbook opened to edit and its Stages sheet."""
    path = folder / "map.xlsx"
    export_xlsx(stream, path)
    workbook = openpyxl.load_workbook(path)
    return path, workbook, workbook["Stages"]


def row_of(sheet: Any, name: str) -> int:
    """The row of the stage called ``name`` in an exported Stages sheet."""
    return next(row for row in range(2, sheet.max_row + 1) if sheet.cell(row, 1).value == name)


@pytest.mark.slow
@needs_libreoffice
def test_a_pca_typed_as_a_percentage_rolls_up_as_the_app_reads_it(
    tmp_path: Path, example: ValueStream, libreoffice_profile: Path
) -> None:
    path, workbook, sheet = exported_stages(example, tmp_path)
    coding = row_of(sheet, "Coding")
    # What Excel stores for "70%" typed into the cell.
    cell = sheet.cell(coding, stage_column(sheet, "%C&A"))
    cell.value, cell.number_format = 0.7, "0%"
    workbook.save(path)
    values = summary_values(convert_with_libreoffice(path, "xlsx", libreoffice_profile))
    edited = import_spreadsheet(path)
    assert edited.stage("coding").pca == pytest.approx(70)
    assert values["Rolled %C&A"] == pytest.approx(analyze(edited).rolled_pca)


@pytest.mark.slow
@needs_libreoffice
def test_editing_a_time_in_stages_moves_the_totals(
    tmp_path: Path, example: ValueStream, libreoffice_profile: Path
) -> None:
    path, workbook, sheet = exported_stages(example, tmp_path)
    coding = row_of(sheet, "Coding")
    process = sheet.cell(coding, stage_column(sheet, "Process time (h)"))
    process.value += 10
    workbook.save(path)
    values = summary_values(convert_with_libreoffice(path, "xlsx", libreoffice_profile))
    analysis = analyze(example)
    assert values["Lead time (h)"] == pytest.approx(analysis.lead_time_hours + 10)
    assert values["Process time (h)"] == pytest.approx(analysis.process_time_hours + 10)
    assert values["Flow efficiency"] == pytest.approx(
        (analysis.process_time_hours + 10) / (analysis.lead_time_hours + 10)
    )
    edited = import_spreadsheet(path)
    assert analyze(edited).lead_time_hours == pytest.approx(analysis.lead_time_hours + 10)


@pytest.mark.slow
@needs_libreoffice
def test_a_row_added_to_the_stages_table_counts_in_the_summary(
    tmp_path: Path, example: ValueStream, libreoffice_profile: Path
) -> None:
    path, workbook, sheet = exported_stages(example, tmp_path)
    added = sheet.max_row + 1
    for title, value in (
        ("Stage", "Sign-off"),
        ("Process time (h)", 3),
        ("Wait time (h)", 5),
        ("%C&A", 50),
        ("On critical path", 1),
    ):
        sheet.cell(added, stage_column(sheet, title), value)
    table = sheet.tables["StageTable"]
    table.ref = f"A1:{table.ref.split(':')[1].rstrip('0123456789')}{added}"
    workbook.save(path)
    values = summary_values(convert_with_libreoffice(path, "xlsx", libreoffice_profile))
    analysis = analyze(example)
    assert values["Lead time (h)"] == pytest.approx(analysis.lead_time_hours + 8)
    assert values["Process time (h)"] == pytest.approx(analysis.process_time_hours + 3)
    assert values["Rolled %C&A"] == pytest.approx(analysis.rolled_pca / 2)


@pytest.mark.slow
@needs_libreoffice
def test_formula_looking_text_stays_text_through_libreoffice(
    tmp_path: Path, libreoffice_profile: Path
) -> None:
    stream = formula_text_map()
    path = tmp_path / "map.xlsx"
    export_xlsx(stream, path)
    saved = convert_with_libreoffice(path, "xlsx", libreoffice_profile)
    workbook = openpyxl.load_workbook(saved)
    names = [(cell.value, cell.data_type) for cell in workbook["Stages"]["A"][1:4]]
    assert names == [("=1+2", "s"), ("-rm -rf", "s"), ("=SUM(1,2)", "s")]
    assert summary_values(saved)["Constraint"] == "=SUM(1,2)"
    shown = convert_with_libreoffice(path, "csv", libreoffice_profile)
    rows = {
        row[0]: row[1]
        for row in csv.reader(shown.read_text(encoding="utf-8", errors="replace").splitlines())
    }
    assert rows["Constraint"] == "=SUM(1,2)"
    assert import_spreadsheet(saved).stages == stream.stages


@pytest.mark.slow
@needs_libreoffice
def test_a_workbook_saved_by_libreoffice_imports_as_the_same_map(
    tmp_path: Path, example: ValueStream, libreoffice_profile: Path
) -> None:
    path = tmp_path / "map.xlsx"
    export_xlsx(example, path)
    assert (
        import_spreadsheet(convert_with_libreoffice(path, "xlsx", libreoffice_profile)) == example
    )


@pytest.mark.slow
@needs_libreoffice
def test_a_workbook_with_a_row_deleted_in_libreoffice_imports(
    tmp_path: Path, example: ValueStream, libreoffice_profile: Path
) -> None:
    path, workbook, sheet = exported_stages(example, tmp_path)
    sheet.delete_rows(13)
    sheet.cell(12, stage_column(sheet, "Next")).value = None
    # A deleted row leaves LibreOffice's last row unlike the rest: it saves it, empty.
    sheet.row_dimensions[1_048_576].height = 20
    workbook.save(path)
    saved = convert_with_libreoffice(path, "xlsx", libreoffice_profile)
    with zipfile.ZipFile(saved) as archive:
        assert b'<row r="1048576"' in archive.read("xl/worksheets/sheet2.xml")
    assert [stage.name for stage in import_spreadsheet(saved).stages] == [
        stage.name for stage in example.stages[:11]
    ]


def measured_example() -> tuple[ValueStream, Measurement]:
    """The example map measured from its bundled history, as the app applies it."""
    from vsmapper.history.apply import measured_map
    from vsmapper.history.measure import measure
    from vsmapper.history.reading import read_history
    from vsmapper.history.statuses import guess_statuses

    history = read_history(example_map_path().with_name("idea-to-production.history.csv"))
    stream = guess_statuses(history, load_map(example_map_path()))
    found = measure(history, stream)
    return measured_map(stream, found), found


def test_a_measurement_adds_the_measured_flow_sheet(tmp_path: Path) -> None:
    stream, found = measured_example()
    path = tmp_path / "measured.xlsx"
    export_xlsx(stream, path, measurement=found)
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames[-2:] == ["Measured flow", "Settings"]
    sheet = workbook["Measured flow"]
    figures = {row[0]: row[1] for row in sheet.iter_rows(max_row=11, values_only=True)}
    assert figures["Flow time P95 (h)"] == pytest.approx(found.flow_time.p95)
    assert figures["Flow efficiency"] == pytest.approx(found.flow_efficiency)
    names = [row[0] for row in sheet.iter_rows(min_row=14, values_only=True)]
    assert names[: len(found.stages)] == [stage.name for stage in found.stages]
    assert len(sheet._charts) == 1
    # The extra sheet changes nothing of what imports back.
    plain = tmp_path / "plain.xlsx"
    export_xlsx(stream, plain)
    assert import_spreadsheet(path).stages == import_spreadsheet(plain).stages


@pytest.mark.slow
@needs_libreoffice
def test_libreoffice_opens_the_measured_flow_sheet(
    tmp_path: Path, libreoffice_profile: Path
) -> None:
    stream, found = measured_example()
    path = tmp_path / "measured.xlsx"
    export_xlsx(stream, path, measurement=found)
    reopened = openpyxl.load_workbook(convert_with_libreoffice(path, "xlsx", libreoffice_profile))
    sheet = reopened["Measured flow"]
    figures = {row[0]: row[1] for row in sheet.iter_rows(max_row=11, values_only=True)}
    assert figures["Flow time P50 (h)"] == pytest.approx(found.flow_time.p50)
    assert figures["Done items"] == found.done_items
    weeks = [row[1] for row in sheet.iter_rows(min_row=15 + len(found.stages), values_only=True)]
    assert weeks[1:] == [count for _, count in found.weekly_done]


def test_nothing_is_written_below_a_table_whose_rows_come_after_the_save() -> None:
    workbook = openpyxl.Workbook(write_only=True)
    writer = _SheetWriter(workbook, "Stages", [10])
    writer.table(STAGE_COLUMNS[:1], [["Coding"]], "Only")
    with pytest.raises(RuntimeError, match="last thing on its sheet"):
        writer.append(["below"])
    workbook.save(io.BytesIO())


def test_the_summary_says_the_cost_is_not_set_without_an_hourly_cost(
    tmp_path: Path, example: ValueStream
) -> None:
    free = without_costs(example)
    costs = {}
    for stream, name in ((example, "priced"), (free, "free")):
        export_xlsx(stream, tmp_path / f"{name}.xlsx")
        sheet = openpyxl.load_workbook(tmp_path / f"{name}.xlsx")["Summary"]
        label = next(
            cell
            for row in sheet.iter_rows()
            for cell in row
            if cell.value == "Cost per item (as exported)"
        )
        costs[name] = sheet.cell(label.row, label.column + 1)
    # A number a spreadsheet can reckon with, shown with its currency; it was the text.
    assert costs["priced"].value == pytest.approx(analyze(example).cost_per_item)
    assert costs["priced"].number_format == '#,##0.00 "USD"'
    assert costs["free"].value.startswith("not set")


def set_stage_cells(path: Path, edits: dict[str, dict[str, float]]) -> None:
    """Type numbers into the exported Stages table, by stage name and column title."""
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["Stages"]
    for row in range(2, sheet.max_row + 1):
        for title, value in edits.get(sheet.cell(row, 1).value, {}).items():
            sheet.cell(row, stage_column(sheet, title), value)
    workbook.save(path)


def assert_the_apps_figures(values: dict[str, object], analysis: FlowAnalysis) -> None:
    """The Summary's live figures, as recalculated, are the app's."""
    for label, figure in (
        ("Lead time (h)", analysis.lead_time_hours),
        ("Process time (h)", analysis.process_time_hours),
        ("Wait time (h)", analysis.wait_time_hours),
        ("Flow efficiency", analysis.flow_efficiency),
        ("Rolled %C&A", analysis.rolled_pca),
    ):
        assert values[label] == pytest.approx(figure, rel=1e-9), label


def critical_stages(path: Path) -> list[str]:
    sheet = openpyxl.load_workbook(path, data_only=True)["Stages"]
    critical = stage_column(sheet, "On critical path")
    return [
        sheet.cell(row, 1).value
        for row in range(2, sheet.max_row + 1)
        if sheet.cell(row, critical).value == 1
    ]


def branching_map() -> ValueStream:
    """Two parallel branches that tie, a third that loses, and rework loops on both sides."""
    stages = [
        ("start", "2h", "1h", 100, None),
        ("left", "3h", "5h", 80, "start"),
        ("right", "4h", "4h", 90, None),
        ("side", "1h", "1h", 100, None),
        ("join", "1h", "2h", 70, "left"),
        ("other start", "1h", "0h", 100, None),
    ]
    return map_from_data(
        {
            "format": "vsmapper",
            "version": 1,
            "name": "Branches",
            "stages": [
                {
                    "id": name.replace(" ", "-"),
                    "name": name,
                    "process_time": process,
                    "wait_time": wait,
                    "pca": pca,
                    "rework_to": rework,
                }
                for name, process, wait, pca, rework in stages
            ],
            "flows": [
                {"from": source, "to": target}
                for source, target in (
                    ("start", "left"),
                    ("start", "right"),
                    ("start", "side"),
                    ("left", "join"),
                    ("right", "join"),
                    ("side", "join"),
                    ("other-start", "join"),
                )
            ],
        }
    )


@pytest.mark.slow
@needs_libreoffice
@pytest.mark.parametrize(
    ("stream", "edits"),
    [
        # QA testing and Security review run side by side: a longer QA wait moves the path.
        (load_map(example_map_path()), {"QA testing": {"Wait time (h)": 100}}),
        (load_map(example_map_path()), {"Security review": {"Process time (h)": 0}}),
        # A tie between two branches goes to the earlier one, as in the app.
        (branching_map(), {}),
        (branching_map(), {"right": {"Wait time (h)": 5}}),
        (branching_map(), {"side": {"Wait time (h)": 30}, "left": {"Process time (h)": 1}}),
        # A second first stage grows longer than the first.
        (branching_map(), {"other start": {"Wait time (h)": 40}}),
    ],
)
def test_edits_that_switch_the_critical_path_give_the_apps_figures(
    tmp_path: Path, libreoffice_profile: Path, stream: ValueStream, edits: dict
) -> None:
    path = tmp_path / "map.xlsx"
    export_xlsx(stream, path)
    set_stage_cells(path, edits)
    recalculated = convert_with_libreoffice(path, "xlsx", libreoffice_profile)
    values = summary_values(recalculated)
    edited = import_spreadsheet(path)
    analysis = analyze(edited)
    assert_the_apps_figures(values, analysis)
    # One path, the app's, whatever the ties: no stage's time counts twice.
    assert critical_stages(recalculated) == [
        metrics.name for metrics in analysis.stages if metrics.on_critical_path
    ]


@pytest.mark.slow
@needs_libreoffice
def test_a_longer_qa_wait_moves_the_lead_time_off_the_exported_path(
    tmp_path: Path, example: ValueStream, libreoffice_profile: Path
) -> None:
    path = tmp_path / "map.xlsx"
    export_xlsx(example, path)
    set_stage_cells(path, {"QA testing": {"Wait time (h)": 100}})
    recalculated = convert_with_libreoffice(path, "xlsx", libreoffice_profile)
    assert summary_values(recalculated)["Lead time (h)"] == pytest.approx(437.25)
    on_path = critical_stages(recalculated)
    assert "QA testing" in on_path and "Security review" not in on_path


def test_the_summary_says_which_figures_stay_as_exported(
    tmp_path: Path, example: ValueStream
) -> None:
    path = tmp_path / "map.xlsx"
    export_xlsx(example, path)
    sheet = openpyxl.load_workbook(path)["Summary"]
    assert sheet["C6"].value.startswith("As exported")
    assert sheet["C7"].value.startswith("As exported")
    stages = openpyxl.load_workbook(path)["Stages"]
    titles = [cell.value for cell in stages[1]]
    assert "Leverage (h, as exported)" in titles
    assert "Constraint (as exported)" in titles


def sort_stage_rows(path: Path, title: str) -> None:
    """The Stages rows sorted by a column, largest first, as a spreadsheet sorts them: a
    formula moves with its row, its references relative to it."""
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["Stages"]
    key = stage_column(sheet, title)
    rows = {
        row[0].row: [cell.value for cell in row]
        for row in sheet.iter_rows(min_row=2, max_row=sheet.max_row)
    }
    ordered = sorted(rows, key=lambda source: -rows[source][key - 1])
    for target, source in enumerate(ordered, start=2):
        for column, value in enumerate(rows[source], start=1):
            letter = openpyxl.utils.get_column_letter(column)
            if isinstance(value, str) and value.startswith("="):
                try:
                    value = Translator(value, origin=f"{letter}{source}").translate_formula(
                        f"{letter}{target}"
                    )
                except TranslatorError:  # above the sheet, as a spreadsheet says
                    value = "=#REF!"
            sheet.cell(target, column, value)
    workbook.save(path)


def test_the_stages_rows_are_numbered_in_map_order(tmp_path: Path, example: ValueStream) -> None:
    path = tmp_path / "map.xlsx"
    export_xlsx(example, path)
    sheet = openpyxl.load_workbook(path)["Stages"]
    order = stage_column(sheet, "Map order")
    assert [sheet.cell(row, order).value for row in range(2, sheet.max_row + 1)] == list(
        range(1, len(example.stages) + 1)
    )
    assert "sorted otherwise" in openpyxl.load_workbook(path)["Summary"]["C1"].value


@pytest.mark.slow
@needs_libreoffice
def test_sorted_stages_say_to_sort_them_back_rather_than_a_wrong_lead_time(
    tmp_path: Path, libreoffice_profile: Path
) -> None:
    stream = branching_map()
    path = tmp_path / "map.xlsx"
    export_xlsx(stream, path)
    sort_stage_rows(path, "Wait time (h)")
    values = summary_values(convert_with_libreoffice(path, "xlsx", libreoffice_profile))
    resort = "Sort Stages by Map order to recalculate"
    assert [values[label] for label in SUMMARY_LABELS[:4]] == [resort] * 4
    # The order does not matter to the product of every stage's %C&A.
    assert values["Rolled %C&A"] == pytest.approx(analyze(stream).rolled_pca, rel=1e-9)


def wide_map(fan_in: bool) -> ValueStream:
    """A stage with 1,000 successors or, with ``fan_in``, 1,000 branching predecessors."""
    middle = [f"s{number}" for number in range(1, 1001)]
    ends = ["join", "other"] if fan_in else []
    flows = (
        [(name, end) for name in middle for end in ends]
        if fan_in
        else [("start", name) for name in middle]
    )
    return map_from_data(
        {
            "format": "vsmapper",
            "version": 1,
            "name": "Wide",
            "stages": [
                {"id": name, "name": name, "process_time": f"{1 + number % 7}h", "wait_time": "2h"}
                for number, name in enumerate(([] if fan_in else ["start"]) + middle + ends)
            ],
            "flows": [{"from": source, "to": target} for source, target in flows],
        }
    )


@pytest.mark.parametrize("fan_in", [False, True])
def test_no_formula_is_longer_than_excel_reads(tmp_path: Path, fan_in: bool) -> None:
    path = tmp_path / "wide.xlsx"
    export_xlsx(wide_map(fan_in), path)
    with zipfile.ZipFile(path) as packed:
        formulas = [
            html.unescape(formula)
            for name in packed.namelist()
            if name.startswith("xl/worksheets/")
            for formula in re.findall(r"<f>(.*?)</f>", packed.read(name).decode())
        ]
    assert len(formulas) > 3000
    assert max(len(f"={formula}") for formula in formulas) <= 8_192
    note = openpyxl.load_workbook(path)["Summary"]["C1"].value
    assert "no longer follows edits" in note


@pytest.mark.slow
@needs_libreoffice
@pytest.mark.parametrize("fan_in", [False, True])
def test_libreoffice_recalculates_a_wide_map_as_exported(
    tmp_path: Path, libreoffice_profile: Path, fan_in: bool
) -> None:
    stream = wide_map(fan_in)
    path = tmp_path / "wide.xlsx"
    export_xlsx(stream, path)
    values = summary_values(convert_with_libreoffice(path, "xlsx", libreoffice_profile))
    analysis = analyze(stream)
    assert values["Lead time (h)"] == pytest.approx(analysis.lead_time_hours, rel=1e-9)
    assert values["Process time (h)"] == pytest.approx(analysis.process_time_hours, rel=1e-9)


# --- as a spreadsheet user reads it --------------------------------------------------------

AS_SHOWN = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"
"""LibreOffice's CSV filter writing UTF-8, each cell as shown and every sheet to a file."""


def shown_by_libreoffice(source: Path, profile: Path) -> dict[str, list[list[str]]]:
    """Each sheet's cells as LibreOffice shows them once it has recalculated the workbook."""
    folder = source.parent / f"shown-{source.stem}"
    command = [
        SOFFICE,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--convert-to",
        AS_SHOWN,
        "--outdir",
        str(folder),
        str(source),
    ]
    subprocess.run(command, check=True, capture_output=True, timeout=300)
    prefix = f"{source.stem}-"
    sheets = {
        path.stem.removeprefix(prefix): list(csv.reader(path.open(encoding="utf-8", newline="")))
        for path in folder.glob(f"{prefix}*.csv")
    }
    assert sheets, f"LibreOffice showed no sheet of {source}"
    return sheets


def records(rows: list[list[str]]) -> list[dict[str, str]]:
    """A table's rows under its header, by column title."""
    return [dict(zip(rows[0], row, strict=False)) for row in rows[1:]]


def sliver_map() -> ValueStream:
    """The example with every stage at 50% complete and accurate: a rolled %C&A of 0.02%."""
    example = load_map(example_map_path())
    return example.replaced(stages=[stage.replaced(pca=50) for stage in example.stages])


WHOLE_PERCENT = '[=0]0%;[<=0.005]"<1%";0%'


def test_no_figure_shows_a_trailing_decimal_point_in_excel(
    tmp_path: Path, example: ValueStream
) -> None:
    path = tmp_path / "map.xlsx"
    export_xlsx(example, path, forecast(example, 200, 3))
    workbook = openpyxl.load_workbook(path)
    # Excel shows 100 in "0.##" as "100.": optional digits only after a point always show it.
    formats = {
        cell.number_format
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, int | float)
    }
    assert formats
    assert [found for found in formats if re.search(r"\.#", found)] == []


def test_shares_are_formatted_as_the_app_shows_them(tmp_path: Path, example: ValueStream) -> None:
    path = tmp_path / "map.xlsx"
    export_xlsx(example, path, forecast(example, 200, 3))
    workbook = openpyxl.load_workbook(path)
    summary = {row[0].value: row[1] for row in workbook["Summary"].iter_rows(max_col=2)}
    # Rolled %C&A in whole percents, as every view of the app: "31.9%" where it showed 32%.
    assert summary["Rolled %C&A"].number_format == WHOLE_PERCENT
    assert summary["Flow efficiency"].number_format == "0.0%"
    formats = {
        sheet: {
            cell.value: row_two.number_format
            for cell, row_two in zip(*workbook[sheet]["1:2"], strict=True)
        }
        for sheet in ("Stages", "Scenarios")
    }
    assert formats["Stages"]["Share of expected lead time (as exported)"] == WHOLE_PERCENT
    assert formats["Scenarios"]["Current rolled %C&A"] == WHOLE_PERCENT
    assert formats["Scenarios"]["Rolled %C&A"] == WHOLE_PERCENT
    assert formats["Scenarios"]["Flow efficiency"] == "0.0%"
    assert workbook["Forecast"]["B12"].number_format == WHOLE_PERCENT
    stream, found = measured_example()
    export_xlsx(stream, path, measurement=found)
    measured = openpyxl.load_workbook(path)["Measured flow"]
    assert measured["A10"].value == "Flow efficiency"
    assert measured["B10"].number_format == WHOLE_PERCENT


@pytest.mark.slow
@needs_libreoffice
@pytest.mark.parametrize("stream", [load_map(example_map_path()), sliver_map()])
def test_shares_read_as_in_the_app_once_recalculated(
    tmp_path: Path, libreoffice_profile: Path, stream: ValueStream
) -> None:
    from vsmapper.ui.units import rolled_pca_text

    path = tmp_path / "map.xlsx"
    # 300 trials: no share is a whole half percent, which Python and LibreOffice round apart.
    result = forecast(stream, 300, 3)
    export_xlsx(stream, path, result)
    shown = shown_by_libreoffice(path, libreoffice_profile)
    analysis = analyze(stream)
    summary = {row[0]: row[1] for row in shown["Summary"]}
    assert summary["Rolled %C&A"] == rolled_pca_text(analysis.rolled_pca)
    assert summary["Flow efficiency"] == f"{analysis.flow_efficiency:.1%}"
    assert [
        row["Share of expected lead time (as exported)"] for row in records(shown["Stages"])
    ] == [share_text(metrics.share) for metrics in analysis.stages]
    for row, scenario in zip(records(shown["Scenarios"]), stream.scenarios, strict=True):
        found = compare(stream, scenario)
        assert row["Current rolled %C&A"] == rolled_pca_text(found.current.rolled_pca)
        assert row["Rolled %C&A"] == rolled_pca_text(found.future.rolled_pca)
        efficiency = "" if found.unbounded else f"{found.future.flow_efficiency:.1%}"
        assert row["Flow efficiency"] == efficiency
    criticality = {row[0]: row[1] for row in shown["Forecast"][11:] if row[0]}
    assert criticality == {
        name: share_text(share) for name, share in result.criticality_by_name.items()
    }


def without_costs(stream: ValueStream) -> ValueStream:
    """The map with no hourly cost anywhere: what an item costs is not set."""
    return stream.replaced(
        hourly_cost=0, stages=[stage.replaced(hourly_cost=None) for stage in stream.stages]
    )


def cost_cells(path: Path) -> dict[str, list[openpyxl.cell.Cell]]:
    """Every cell of the workbook's cost columns, by sheet and column title."""
    workbook = openpyxl.load_workbook(path)
    found: dict[str, list[openpyxl.cell.Cell]] = {}
    for sheet, titles in (
        ("Stages", ("Hourly cost", "Cost per item (as exported)")),
        ("AI opportunities", ("Monthly cost",)),
        ("Scenarios", ("Current cost per item", "Cost per item", "Monthly AI cost")),
    ):
        for column in workbook[sheet].iter_cols():
            if column[0].value in titles:
                found[f"{sheet} › {column[0].value}"] = list(column[1:])
    return found


def test_costs_are_in_the_maps_currency_or_not_set(tmp_path: Path, example: ValueStream) -> None:
    path = tmp_path / "map.xlsx"
    export_xlsx(example.replaced(currency="EUR"), path)
    cells = cost_cells(path)
    assert len(cells) == 6
    for title, column in cells.items():
        for cell in column:
            if cell.value is not None:
                assert isinstance(cell.value, float | int), title
                assert cell.number_format == '#,##0.00 "EUR"', title
    export_xlsx(without_costs(example), path)
    cells = cost_cells(path)
    # Not 0.00, which reads as free: the app says "not set".
    for title in (
        "Stages › Cost per item (as exported)",
        *(f"Scenarios › {t}" for t in ("Current cost per item", "Cost per item")),
    ):
        assert {cell.value for cell in cells[title]} == {"not set"}, title
    assert {cell.value for cell in cells["Stages › Hourly cost"]} == {None}
    assert all(isinstance(cell.value, float | int) for cell in cells["Scenarios › Monthly AI cost"])


def errors_shown(sheets: dict[str, list[list[str]]]) -> list[str]:
    """Cells that show a spreadsheet error (``#VALUE!``, LibreOffice's ``Err:502``)."""
    return [
        f"{name}: {text}"
        for name, rows in sheets.items()
        for row in rows
        for text in row
        if re.fullmatch(r"#[A-Z/0]+[!?]|#N/A|Err:\d+", text)
    ]


@pytest.mark.slow
@needs_libreoffice
def test_costs_read_as_in_the_app_once_recalculated(
    tmp_path: Path, example: ValueStream, libreoffice_profile: Path
) -> None:
    export_xlsx(example, tmp_path / "priced.xlsx")
    export_xlsx(without_costs(example), tmp_path / "free.xlsx")
    priced = shown_by_libreoffice(tmp_path / "priced.xlsx", libreoffice_profile)
    free = shown_by_libreoffice(tmp_path / "free.xlsx", libreoffice_profile)
    assert errors_shown(priced) == errors_shown(free) == []
    cost = analyze(example).cost_per_item
    for sheets, summary_cost, stage_costs, scenario_costs in (
        (
            priced,
            f"{cost:,.2f} USD",
            [f"{metrics.cost_per_item:,.2f} USD" for metrics in analyze(example).stages],
            [f"{compare(example, s).future.cost_per_item:,.2f} USD" for s in example.scenarios],
        ),
        (free, "not set", ["not set"] * len(example.stages), ["not set"] * len(example.scenarios)),
    ):
        facts = {row[4]: row[5] for row in sheets["Summary"]}
        assert facts["Cost per item (as exported)"] == summary_cost
        stages = records(sheets["Stages"])
        assert [row["Cost per item (as exported)"] for row in stages] == stage_costs
        scenarios = records(sheets["Scenarios"])
        assert [row["Cost per item"] for row in scenarios] == scenario_costs
        assert {row["Current cost per item"] for row in scenarios} == {summary_cost}


def column_widths(sheet) -> dict[int, float]:
    """Each column's width by number, as the sheet sets it (in characters)."""
    return {
        place: dimension.width
        for dimension in sheet.column_dimensions.values()
        for place in range(dimension.min, dimension.max + 1)
    }


@pytest.mark.slow
@needs_libreoffice
def test_every_figure_and_label_fits_its_column(tmp_path: Path, libreoffice_profile: Path) -> None:
    stream, found = measured_example()
    path = tmp_path / "map.xlsx"
    export_xlsx(stream, path, forecast(stream, 300, 3), measurement=found)
    shown = shown_by_libreoffice(path, libreoffice_profile)
    assert errors_shown(shown) == []
    workbook = openpyxl.load_workbook(path)
    cut = []
    for sheet in workbook.worksheets:
        widths = column_widths(sheet)
        for row, texts in zip(sheet.iter_rows(), shown[sheet.title], strict=False):
            for cell, text in zip(row, texts, strict=False):
                # Numbers, dates and formulas show "###" when cut; labels lose their end.
                figure = cell.data_type in ("n", "d", "f")
                label = cell.font.b and not cell.alignment.wrap_text
                if (figure or label) and len(text) > widths.get(cell.column, 8.43):
                    cut.append(f"{sheet.title}!{cell.coordinate} {text!r}")
    assert cut == [], "\n".join(cut)
    # What the lead time and its neighbours say while Stages is sorted fits as well.
    assert len(RESORT) <= column_widths(workbook["Summary"])[2]
