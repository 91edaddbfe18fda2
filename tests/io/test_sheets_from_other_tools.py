"""Sheets written by other tools and by hand: read right, or refused with the place and a hint."""

from __future__ import annotations

from pathlib import Path

import pytest

from vsmapper.errors import VSMapperError
from vsmapper.io.spreadsheet import import_spreadsheet
from vsmapper.model.duration import Estimate

from .test_spreadsheet_import import _workbook_with, problems_of, write_csv, write_xlsx


def imported(path: Path) -> tuple[object, list[str]]:
    notices: list[str] = []
    return import_spreadsheet(path, notices=notices), notices


def test_a_timemap_export_reads_lead_time_as_wait_plus_process(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path, "# Stage, LT, PT, %C&A\nPlan, 3d, 1d, 0.9\nBuild, 5d, 2d, 0.95\nShip, 4h, 1h, 1\n"
    )
    stream, notices = imported(path)
    assert [stage.name for stage in stream.stages] == ["Plan", "Build", "Ship"]
    assert [stage.wait_time for stage in stream.stages] == [
        Estimate.hours_value(16),
        Estimate.hours_value(24),
        Estimate.hours_value(3),
    ]
    assert [stage.pca for stage in stream.stages] == [90, 95, 100]
    assert notices == [
        "%C&A: every value is 1 or less, so they were read as fractions (0.95 = 95%, 1 = 100%)"
    ]


def test_a_lead_time_shorter_than_the_process_time_is_refused(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "Stage,Lead time,Process time\nA,1h,2h\n")
    assert problems_of(path) == [
        "row 2, Lead time: 1h is shorter than the Process time 2h; a step's lead time is "
        "its wait plus its process time"
    ]


def test_a_wait_and_a_lead_time_column_together_are_refused(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "Stage,Wait time,Lead time\nA,1h,2h\n")
    assert "both a Wait time and a Lead time column" in problems_of(path)[0]


def test_misspelt_columns_are_refused_with_a_suggestion(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "Stage,Proces time,Wait tme\nA,1h,2h\n")
    assert problems_of(path) == [
        "row 1, column B: 'Proces time' is not a column VSMapper knows; did you mean "
        "'Process time'?",
        "row 1, column C: 'Wait tme' is not a column VSMapper knows; did you mean 'Wait time'?",
    ]


def test_other_unknown_columns_are_read_around_and_named(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "Stage,Process time,Colour,Owner\nA,1h,red,Kim\n")
    stream, notices = imported(path)
    assert stream.stages[0].process_time.likely_hours() == 1
    assert notices == [
        "columns C 'Colour', D 'Owner' are not read (VSMapper does not know them); "
        "their values were left out"
    ]


def test_our_own_exports_computed_columns_pass_without_a_word(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "Stage,Process time (h),Leverage (h),Utilization\nA,1,1,0.5\n")
    assert imported(path)[1] == []


def test_pca_fractions_and_percentages_mixed_are_refused_naming_the_rows(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "Stage,%C&A\nA,0.5\nB,90\nC,0.9\nD,85%\n")
    assert problems_of(path) == [
        "%C&A: rows 2, 4 look like fractions (0.95) and row 3 like percentages (95); "
        "write them all one way"
    ]


def test_pca_percentages_are_kept(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "Stage,%C&A\nA,1\nB,90\n")
    stream, notices = imported(path)
    assert [stage.pca for stage in stream.stages] == [1, 90]
    assert notices == []


def test_a_5_kb_header_is_matched_in_linear_time(tmp_path: Path) -> None:
    # The old pattern backtracked over every split of the spaces: minutes for this header.
    path = write_csv(tmp_path, "Stage,a" + " " * 5000 + "b\nA\n")
    stream, notices = imported(path)
    assert stream.stages[0].name == "A"
    assert len(notices) == 1 and "…" in notices[0]


def test_a_400_digit_integer_in_a_workbook_cell_is_one_clean_problem(tmp_path: Path) -> None:
    nines = b"9" * 400
    sheet = (
        b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>Stage</t></is></c>'
        b'<c r="B1" t="inlineStr"><is><t>Process time</t></is></c>'
        b'<c r="C1" t="inlineStr"><is><t>People</t></is></c></row>'
        b'<row r="2"><c r="A2" t="inlineStr"><is><t>A</t></is></c>'
        b'<c r="B2"><v>' + nines + b'</v></c><c r="C2"><v>' + nines + b"</v></c></row>"
        b"</sheetData></worksheet>"
    )
    path = _workbook_with(tmp_path, {"xl/worksheets/sheet1.xml": sheet})
    assert problems_of(path) == [
        "row 2, Process time: the number is too long; durations are at most 100 years "
        "(876,600 hours)",
        "row 2, People: 'inf' is not a finite number",
    ]


def test_an_overrides_cell_nested_100000_deep_is_one_clean_problem(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path,
        {
            "Stages": [["Stage"], ["A"]],
            "Scenarios": [["Scenario", "Overrides"], ["Calm", "[" * 100_000]],
        },
    )
    with pytest.raises(VSMapperError) as caught:
        import_spreadsheet(path)
    assert caught.value.details == [
        "Scenarios, row 2, Overrides: nested too deeply to be overrides; write e.g. "
        '{"Code review": {"wait_time": "1d", "pca": 95}}'
    ]


def test_a_workbook_cell_with_a_huge_float_is_out_of_range(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path, {"Stages": [["Stage", "Hourly cost"], ["A", 1e308]]})
    assert problems_of(path) == [
        "row 2, Hourly cost: 1e+308 is out of range; it must be 1,000,000,000,000 or less"
    ]


def test_the_command_line_prints_notices_as_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from vsmapper.cli import main

    path = write_csv(tmp_path, "Stage,Owner\nA,Kim\n")
    assert main(["analyze", str(path), "--json"]) == 0
    err = capsys.readouterr().err
    assert err == (
        f"vsmapper: warning: {path}: column B 'Owner' is not read (VSMapper does not know "
        "it); its values were left out\n"
    )


def test_a_name_written_on_two_lines_in_a_cell_is_one_line_on_the_map(tmp_path: Path) -> None:
    """Alt+Enter in a spreadsheet cell, or a bidi override, never reaches a name."""
    path = write_xlsx(
        tmp_path,
        {
            "Stages": [
                ["Stage", "Process time", "Wait time", "Next"],
                ["Code\nreview", "2h", "1d", "QA\u202e  test"],
                ["QA\u202e  test", "3h", "2d", ""],
            ]
        },
    )
    stream, _ = imported(path)
    assert [stage.name for stage in stream.stages] == ["Code review", "QA test"]
    assert [(flow.source, flow.target) for flow in stream.flows] == [("code-review", "qa-test")]


@pytest.mark.parametrize(
    ("third", "said"),
    [("3", "has the Map order of row 2 ('C')"), ("", "has no Map order")],
)
def test_a_map_order_with_a_blank_or_a_number_twice_is_named(
    tmp_path: Path, third: str, said: str
) -> None:
    sorted_by_order = imported(write_csv(tmp_path, "Stage,Map order\nC,3\nA,1\nB,2\n"))[0]
    assert [stage.name for stage in sorted_by_order.stages] == ["A", "B", "C"]
    path = write_csv(tmp_path, f"Stage,Map order\nC,3\nA,1\nB,{third}\n")
    stream, notices = imported(path)
    # Read in the sheet's order, as before, but no longer without a word.
    assert [stage.name for stage in stream.stages] == ["C", "A", "B"]
    assert notices == [
        f"row 4 ('B') {said}, so the stages are read in the sheet's order, not by Map order"
    ]


@pytest.mark.parametrize("added", ["D,\n", "D,3\n"])
def test_a_row_added_under_an_export_s_without_its_own_number_reads_without_a_word(
    tmp_path: Path, added: str
) -> None:
    # Added under the last, or copied with its number: the sheet's order is the map's.
    path = write_csv(tmp_path, "Stage,Map order\nA,1\nB,2\nC,3\n" + added)
    stream, notices = imported(path)
    assert [stage.name for stage in stream.stages] == ["A", "B", "C", "D"]
    assert notices == []


def test_a_csv_time_as_a_sheet_shows_one_reads_as_hours_and_minutes(tmp_path: Path) -> None:
    # As a CSV writes a cell shown as a time: '04:30' was refused as "not a duration".
    path = write_csv(tmp_path, "Stage,Process time (h),Wait time\nA,0:45,04:30\nB,2,126:05\n")
    stream, _ = imported(path)
    assert [stage.wait_time.text for stage in stream.stages] == ["4h 30m", "126h 5m"]
    assert stream.stages[0].process_time.text == "45m"


def test_a_bare_duration_with_a_thousands_comma_is_advised_as_one_with_a_unit(
    tmp_path: Path,
) -> None:
    path = write_csv(tmp_path, 'Stage,Process time (h)\nA,"1,200"\n')
    assert problems_of(path) == [
        "row 2, Process time: '1,200' is not a duration (write it without the comma: 1200h)"
    ]
