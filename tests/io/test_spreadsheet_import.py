"""Importing maps from CSV and Excel sheets (docs/file-format.md), and refusing hostile files."""

from __future__ import annotations

import zipfile
from datetime import datetime, time
from pathlib import Path

import openpyxl
import pytest

from vsmapper.analysis import analyze
from vsmapper.errors import VSMapperError
from vsmapper.io import spreadsheet
from vsmapper.io.spreadsheet import import_spreadsheet
from vsmapper.io.tables import guard_csv_text, unguard_csv_text


def write_csv(folder: Path, text: str, name: str = "team.csv", bom: bool = False) -> Path:
    path = folder / name
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))
    return path


def write_xlsx(
    folder: Path,
    sheets: dict[str, list[list[object]]],
    name: str = "team.xlsx",
    percent_cells: tuple[str, ...] = (),
) -> Path:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
        for coordinate in percent_cells:
            sheet[coordinate].number_format = "0%"
    path = folder / name
    workbook.save(path)
    return path


def problems_of(path: Path, **settings: float) -> list[str]:
    with pytest.raises(VSMapperError) as caught:
        import_spreadsheet(path, **settings)
    assert "nothing was imported" in caught.value.message
    return caught.value.details


# --- what a team's sheet may look like --------------------------------------------------------


def test_a_minimal_csv_is_a_chain_in_row_order(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path, "Stage,Process time,Wait time\nIdea,1h,0\nBuild,2d,1-3d\nShip,30m,4h\n"
    )
    stream = import_spreadsheet(path)
    assert stream.name == "team"
    assert [stage.name for stage in stream.stages] == ["Idea", "Build", "Ship"]
    assert [stage.id for stage in stream.stages] == ["idea", "build", "ship"]
    assert [(flow.source, flow.target) for flow in stream.flows] == [
        ("idea", "build"),
        ("build", "ship"),
    ]
    assert stream.stage("build").wait_time.text == "1-3d"
    assert analyze(stream).lead_time_hours == 1 + 16 + 16 + 0.5 + 4


def test_without_kind_and_phase_columns_the_names_say_them(tmp_path: Path) -> None:
    path = tmp_path / "team.csv"
    path.write_text(
        "Stage,Phase,Process time\nIdea intake,,1h\nCoding,,2d\nHuddle,,1h\n"
        "Code review,creation,2h\nQA testing,,4h\nDeploy to prod,,1h\n",
        encoding="utf-8",
    )
    stream = import_spreadsheet(path)
    # Every stage was "other" in creation: the AI suggestions and side effects, which go by
    # kind, found no coding or review stage.
    assert [(stage.kind, stage.phase) for stage in stream.stages] == [
        ("intake", "ideation"),
        ("coding", "creation"),
        ("other", "creation"),
        ("review", "creation"),
        ("testing", "release"),
        ("deploy", "release"),
    ]


def test_headers_match_without_case_and_by_their_synonyms(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        "step;PT;QUEUE TIME;pca;rework to;Headcount;RATE;Successors;note\n"
        "A;1;2;90%;;2;100;B;first\nB;3;4;80;A;1;;;\n",
    )
    stream = import_spreadsheet(path)
    first, second = stream.stages
    assert (first.name, first.process_time.likely_hours(), first.wait_time.likely_hours()) == (
        "A",
        1,
        2,
    )
    assert (first.pca, first.people, first.hourly_cost, first.notes) == (90, 2, 100, "first")
    assert (second.pca, second.rework_to, second.hourly_cost) == (80, "a", None)


def test_a_classic_map_s_cycle_time_and_fte_are_read(tmp_path: Path) -> None:
    # "Cycle time" and "FTE" were left out with a warning: every process time was 0.
    path = write_csv(tmp_path, "Step,C/T,Queue time,FTE\nA,2h,1d,1.5\nB,4h,2d,2\n")
    first, second = import_spreadsheet(path).stages
    assert (first.process_time.text, first.people, second.process_time.text) == ("2h", 1.5, "4h")
    path = write_csv(tmp_path, "Step,Cycle time,Queue time\nA,2h,1d\n")
    assert import_spreadsheet(path).stages[0].process_time.text == "2h"


def test_units_in_headers_apply_to_bare_numbers_only(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path, "Stage,Process time (d),Wait time (days)\nA,2,1-3\nB,4h,2/3/5\nC,1.5,\n"
    )
    stream = import_spreadsheet(path, hours_per_day=6)
    assert [stage.process_time.text for stage in stream.stages] == ["2d", "4h", "1.5d"]
    assert [stage.wait_time.text for stage in stream.stages] == ["1-3d", "2d/3d/5d", "0"]
    assert stream.stage("a").process_time.likely_hours(6, 5) == 12


def test_hours_headers_keep_plain_numbers(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "Stage,Process time (h),Wait time (hours)\nA,2.5,3\n")
    stage = import_spreadsheet(path).stages[0]
    assert (stage.process_time.form, stage.process_time.text) == ("number", "2.5")
    assert stage.wait_time.text == "3"


def test_availability_is_a_fraction_or_a_percentage(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "Stage,Availability\nA,0.5\nB,50\nC,25%\nD,1\n")
    assert [stage.availability for stage in import_spreadsheet(path).stages] == [0.5, 0.5, 0.25, 1]


def test_percent_formatted_excel_cells_mean_what_they_show(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path,
        {"Stages": [["Stage", "%C&A", "Availability"], ["A", 0.85, 0.5], ["B", 90, 1]]},
        percent_cells=("B2", "C2"),
    )
    first, second = import_spreadsheet(path).stages
    assert (first.pca, first.availability) == (85, 0.5)
    assert (second.pca, second.availability) == (90, 1)


@pytest.mark.parametrize(
    ("typed", "number_format", "pca"),
    [
        (95, "General", 95),
        ("95%", "General", 95),
        (0.95, "0%", 95),
        (0.955, "0.0%", 95.5),
        (1, "0%", 100),
        (95, "0%", 95),
        (0.95, "0.##", 95),
    ],
)
def test_pca_typed_in_a_workbook_reads_as_it_shows(
    tmp_path: Path, typed: object, number_format: str, pca: float
) -> None:
    path = write_xlsx(tmp_path, {"Stages": [["Stage", "%C&A"], ["A", typed], ["B", "90%"]]})
    workbook = openpyxl.load_workbook(path)
    workbook["Stages"]["B2"].number_format = number_format
    workbook.save(path)
    assert [stage.pca for stage in import_spreadsheet(path).stages] == [pca, 90]


def test_plain_and_percent_shown_pca_fractions_in_one_column(tmp_path: Path) -> None:
    rows = [["Stage", "%C&A"], ["A", 0.5], ["B", 0.95], ["C", 0.9]]
    shown = write_xlsx(tmp_path, {"Stages": rows}, "shown.xlsx", percent_cells=("B3",))
    notices: list[str] = []
    assert [stage.pca for stage in import_spreadsheet(shown, notices=notices).stages] == [
        50,
        95,
        90,
    ]
    assert notices == [
        "%C&A: every value is 1 or less, so they were read as fractions (0.95 = 95%, 1 = 100%)"
    ]
    mixed = write_xlsx(tmp_path, {"Stages": [*rows, ["D", 80]]}, "mixed.xlsx")
    assert problems_of(mixed) == [
        "%C&A: rows 2, 3, 4 look like fractions (0.95) and row 5 like percentages (95); "
        "write them all one way"
    ]


def test_a_pca_of_1_among_fractions_is_100_percent(tmp_path: Path) -> None:
    ones = tmp_path / "ones.csv"
    ones.write_text("Stage,Process time,%C&A\nA,1h,1\nB,1h,0.9\n", encoding="utf-8")
    notices: list[str] = []
    assert [stage.pca for stage in import_spreadsheet(ones, notices=notices).stages] == [100, 90]
    assert notices[0].startswith("%C&A: every value is 1 or less")
    # Beside percentages a 1 is 1%, as the export writes a stage of 1%: the map comes back.
    mixed = tmp_path / "mixed.csv"
    mixed.write_text("Stage,Process time,%C&A\nA,1h,1\nB,1h,100\n", encoding="utf-8")
    assert [stage.pca for stage in import_spreadsheet(mixed).stages] == [1, 100]


def test_workbook_cells_are_the_values_openpyxl_reads(tmp_path: Path) -> None:
    path = tmp_path / "team.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Stages"
    sheet.append(["Stage", "%C&A", "When", "Done", "Share"])
    sheet.append(["A", 0.5, datetime(2024, 5, 1, 9, 30), True, 0.25])
    sheet.cell(5, 7, "far out")
    sheet.cell(5, 2, 1).number_format = "0%"
    sheet.cell(6, 3, time(1, 30))
    sheet["E2"].number_format = "0.0%"
    workbook.save(path)
    rows = spreadsheet._xlsx_tables(path).stages.rows
    read = openpyxl.load_workbook(path, read_only=True, data_only=True)["Stages"]
    assert [(number, [cell.value for cell in cells]) for number, cells in rows] == [
        (number, _trimmed(values)) for number, values in enumerate(read.values, start=1)
    ]
    assert [(cell.value, cell.percent) for cell in rows[4][1][:2]] == [(None, False), (1, True)]
    assert [cell.percent for cell in rows[1][1]] == [False, False, False, False, True]


def _trimmed(values: tuple[object, ...]) -> list[object]:
    """A row's values without the empty cells openpyxl pads it with."""
    kept = list(values)
    while kept and kept[-1] is None:
        kept.pop()
    return kept


def test_next_names_branches_and_a_blank_next_is_the_next_row(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        "Stage,Next\nCode,Review; Scan\nReview,Deploy\nScan,Deploy\n"
        "Deploy,\nMonitor,(end)\nLearn,\n",
    )
    flows = {(flow.source, flow.target) for flow in import_spreadsheet(path).flows}
    assert flows == {
        ("code", "review"),
        ("code", "scan"),
        ("review", "deploy"),
        ("scan", "deploy"),
        ("deploy", "monitor"),
    }


def test_next_and_rework_find_stages_by_name_ignoring_case_or_by_id(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        "Stage,Id,Next,Rework to\nCoding,c1,code review,\n"
        "Code review,r1,deploy-it,c1\nDeploy,deploy-it,,\n",
    )
    stream = import_spreadsheet(path)
    assert {(f.source, f.target) for f in stream.flows} == {("c1", "r1"), ("r1", "deploy-it")}
    assert stream.stage("r1").rework_to == "c1"


def test_ids_are_made_from_names_and_kept_unique(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path, "Stage,Id\nCode review,\nCode review,\nQA & Test,code-review-2\nCode Review!,\n"
    )
    ids = [stage.id for stage in import_spreadsheet(path).stages]
    assert ids == ["code-review", "code-review-3", "code-review-2", "code-review-4"]


def test_a_settings_sheet_gives_the_map_settings_and_the_options_win(tmp_path: Path) -> None:
    sheets = {
        "Stages": [["Stage", "Wait time"], ["A", "1d"]],
        "Settings": [
            ["Name", "Checkout"],
            ["Hours per day", 6],
            ["Days per week", 4],
            ["Demand per week", 3],
            ["Hourly cost", 80],
            ["Currency", "EUR"],
            ["Description", "From the workshop"],
        ],
    }
    path = write_xlsx(tmp_path, sheets)
    stream = import_spreadsheet(path)
    assert (stream.name, stream.description, stream.currency) == (
        "Checkout",
        "From the workshop",
        "EUR",
    )
    assert (stream.calendar.hours_per_day, stream.calendar.days_per_week) == (6, 4)
    assert (stream.demand_per_week, stream.hourly_cost) == (3, 80)
    assert analyze(stream).lead_time_hours == 6
    overridden = import_spreadsheet(path, hours_per_day=8, demand_per_week=5)
    assert overridden.calendar.hours_per_day == 8
    assert overridden.demand_per_week == 5
    assert analyze(overridden).lead_time_hours == 8


def test_the_stages_sheet_is_found_by_name_else_the_first_sheet(tmp_path: Path) -> None:
    named = write_xlsx(tmp_path, {"Notes": [["x"]], "stages": [["Stage"], ["A"]]}, "a.xlsx")
    assert [stage.name for stage in import_spreadsheet(named).stages] == ["A"]
    first = write_xlsx(tmp_path, {"Team map": [["Name"], ["B"]], "Other": [["y"]]}, "b.xlsx")
    assert [stage.name for stage in import_spreadsheet(first).stages] == ["B"]


def test_blank_rows_and_unknown_columns_are_left_out(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "Stage,Owner,Process time\nA,Kim,1h\n,,\n,Lee,\nB,Ann,2h\n")
    stream = import_spreadsheet(path)
    assert [stage.name for stage in stream.stages] == ["A", "B"]


def test_csv_with_a_byte_order_mark_or_semicolons_or_tabs(tmp_path: Path) -> None:
    for delimiter in (",", ";", "\t"):
        text = f"Stage{delimiter}Process time\nÉtude{delimiter}1h\n"
        path = write_csv(tmp_path, text, bom=True)
        assert import_spreadsheet(path).stages[0].name == "Étude"


# --- problems: every one listed with its row and column, nothing imported ---------------------


def test_thousands_grouped_with_points_are_refused_with_advice(tmp_path: Path) -> None:
    path = write_csv(tmp_path, 'Stage,Hourly cost,Wait time\nA,"1.200,50","1.000,5h"\n')
    assert problems_of(path) == [
        "row 2, Wait time: '1.000,5h' is not a duration (use a point for decimals and no "
        "thousands separator: 1000.5h)",
        "row 2, Hourly cost: '1.200,50' is not a number (use a point for decimals and no "
        "thousands separator: 1200.50)",
    ]


def test_a_csv_row_with_more_cells_than_the_header_is_refused(tmp_path: Path) -> None:
    # A decimal comma split 1,5 into a process time of 1 and a wait of 5; the 8 went unseen.
    path = write_csv(
        tmp_path, "Stage,Process time,Wait time\nDev,1,5,8\nTest,2,4,,\nShip,1.200,50,2\n"
    )
    hint = "(a decimal comma? write 1.5, not 1,5; a comma in a name or note? quote the cell)"
    assert problems_of(path) == [
        f"row 2: 4 cells, but the header names 3 columns {hint}",
        f"row 4: 4 cells, but the header names 3 columns {hint}",
    ]
    semicolons = write_csv(tmp_path, "Stage;Wait time\nDev;1d;2d\n", "semicolons.csv")
    assert problems_of(semicolons) == [
        "row 2: 3 cells, but the header names 2 columns (a ';' in a name or note? quote the cell)"
    ]
    # Blank cells past the header, as spreadsheets write them, are no cells at all.
    trailing = write_csv(tmp_path, "Stage,Wait time\nDev,1d,,\n", "trailing.csv")
    assert [stage.name for stage in import_spreadsheet(trailing).stages] == ["Dev"]


def test_values_in_a_column_with_no_header_are_left_out_saying_so(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["Stage", "Process time", None, "Wait time"],
        ["Dev", 1, "x", 5, 8],
        ["Test", 2, None, 4],
        ["Ship", 1, None, 1, None, "note"],
    ]
    notices: list[str] = []
    stream = import_spreadsheet(write_xlsx(tmp_path, {"Stages": rows}), notices=notices)
    assert [(stage.name, stage.wait_time.text) for stage in stream.stages] == [
        ("Dev", "5"),
        ("Test", "4"),
        ("Ship", "1"),
    ]
    assert notices == ["columns C, E, F have no header, so their values were left out (rows 2, 4)"]
    # In a CSV file likewise, where the row is as wide as the header row.
    path = write_csv(tmp_path, "Stage,,Wait time,\nDev,x,1d,8\n")
    notices.clear()
    assert [stage.name for stage in import_spreadsheet(path, notices=notices).stages] == ["Dev"]
    assert notices == ["columns B, D have no header, so their values were left out (row 2)"]


def test_a_bad_duration_names_its_row_and_column(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "Stage,Wait time\n" + "A,1d\n" * 5 + "G,3 dayz\n")
    assert problems_of(path) == [
        "row 7, Wait time: '3 dayz' is not a duration (try 3d, 4h, 90m, 2-5d)"
    ]


def test_every_problem_is_found_and_twenty_are_listed(tmp_path: Path) -> None:
    rows = "".join(f"S{number},{number}x,high\n" for number in range(30))
    path = write_csv(tmp_path, "Stage,Process time,%C&A\n" + rows)
    with pytest.raises(VSMapperError) as caught:
        import_spreadsheet(path)
    assert "60 problems (the first 20)" in caught.value.message
    assert len(caught.value.details) == 20
    assert caught.value.details[0] == (
        "row 2, Process time: '0x' is not a duration (try 3d, 4h, 90m, 2-5d)"
    )
    assert caught.value.details[1] == "row 2, %C&A: 'high' is not a number"


def test_problems_found_by_the_model_are_listed_row_by_row(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "Stage,%C&A,Rework to\nA,150,Nowhere\nB,0,\nC,90,A\n")
    assert problems_of(path) == [
        "row 2, Rework to: 'Nowhere' is not a stage in this sheet",
        "row 2, %C&A: 150 is out of range; it must be 100 or less",
        "row 3, %C&A: 0 is out of range; it must be 0.01 or more",
    ]
    # Rules between stages (rework goes upstream) are checked once every stage is valid.
    rows = "Stage,%C&A,Rework to\nA,90,\nB,{},\nC,90,A\nD,90,E\nE,90,\n"
    assert problems_of(write_csv(tmp_path, rows.format(0))) == [
        "row 3, %C&A: 0 is out of range; it must be 0.01 or more"
    ]
    assert problems_of(write_csv(tmp_path, rows.format(10))) == [
        "row 5, Rework to: 'E' is not upstream of this stage; rework must go back to a "
        "stage that flows into it"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Stage,People\nA,two\n", "row 2, People: 'two' is not a number"),
        ("Stage,%C&A\nA,%\n", "row 2, %C&A: '%' is not a percentage"),
        ("Stage,Availability\nA,half%\n", "row 2, Availability: 'half%' is not a percentage"),
        ("Stage,People\nA,0\n", "row 2, People: 0 is out of range; it must be 0.01 or more"),
        ("Stage,Phase\nA,build\n", "row 2, Phase: 'build' is not allowed"),
        ("Stage,%C&A\nA,1,5\n", "row 2: 3 cells, but the header names 2 columns (a decimal comma?"),
        ("Stage,Next\nA,Nowhere\n", "row 2, Next: 'Nowhere' is not a stage in this sheet"),
        ("Stage,Next\nA,A\n", "row 2, Next: a stage cannot be its own next stage"),
        (
            "Stage,Next\nA,B\nB,A\n",
            "rows 2, 3, Next: they form a cycle (A → B → A); flows must only go forward (a "
            "blank Next is the stage below; use Rework to for work sent back)",
        ),
        ("Stage,Next\nA,\nB,A\n", "rows 2, 3, Next: they form a cycle (A → B → A)"),
        ("Stage,Rework to\nA,\nB,C\nC,\n", "row 3, Rework to: 'C' is not upstream of this stage"),
        ("Stage,Next\nA,B\nB,\nB,\n", "row 2, Next: 'B' names more than one stage (rows 3 and 4)"),
        ("Stage,Process time\n,1h\n", "row 2, Stage: is blank; give it a name"),
        ("Stage,Id\nA,x\nB,x\n", "row 3, Id: 'x' is also the id of row 2; ids must be unique"),
        ("Stage,Id\nA,a b\n", "row 2, Id: 'a b' is not a valid id"),
        ("Stage,Process time\nA,5d/1d/2d\n", "row 2, Process time: '5d/1d/2d' is out of order"),
        ("Stage,Process time (fortnights)\nA,1\n", "'(fortnights)' is not a unit of time"),
        ("Step,Name\nA,B\n", "two columns are Stage (A and B); keep one"),
        ("Owner,Process time\nKim,1h\n", "row 1: no 'Stage' column"),
        ("", "the sheet is empty"),
        ("Stage,Position x\nA,10\n", "row 2, Position x: give both Position x and Position y"),
    ],
)
def test_each_kind_of_problem_is_explained(tmp_path: Path, text: str, expected: str) -> None:
    path = write_csv(tmp_path, text)
    details = problems_of(path)
    assert any(expected in line for line in details), details


def test_a_blank_name_is_said_once(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "Stage,Process time\nA,1h\n,3h\n")
    assert problems_of(path) == ["row 3, Stage: is blank; give it a name"]


def test_settings_problems_name_the_settings_sheet(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path,
        {
            "Stages": [["Stage"], ["A"]],
            "Settings": [["Hours per day", 30], ["Days per week", "five"]],
        },
    )
    assert problems_of(path) == [
        "Settings, row 2, Days per week: 'five' is not a number",
        "Settings, Hours per day: 30 is out of range; it must be 24 or less",
    ]


def test_a_misspelt_setting_is_refused_and_an_unknown_one_noted(tmp_path: Path) -> None:
    # "Hours per dya" was skipped without a word: every day of the map became 8 hours.
    settings = [["Hours per dya", 6], ["Demand per wk", 10], ["Hourly rate", 80], ["Owner", "Ana"]]
    path = write_xlsx(tmp_path, {"Stages": [["Stage"], ["A"]], "Settings": settings})
    assert problems_of(path) == [
        "Settings, row 1: 'Hours per dya' is not a setting VSMapper knows; did you mean "
        "'Hours per day'?",
        "Settings, row 2: 'Demand per wk' is not a setting VSMapper knows; did you mean "
        "'Demand per week'?",
        "Settings, row 3: 'Hourly rate' is not a setting VSMapper knows; did you mean "
        "'Hourly cost'?",
    ]
    path = write_xlsx(
        tmp_path, {"Stages": [["Stage"], ["A"]], "Settings": settings[3:]}, "owner.xlsx"
    )
    notices: list[str] = []
    import_spreadsheet(path, notices=notices)
    assert notices == [
        "Settings, row 1: 'Owner' left out: VSMapper reads Name, Description, Hours per day, "
        "Days per week, Demand per week, Hourly cost, Currency"
    ]


def test_map_settings_out_of_range_are_named(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path,
        {
            "Stages": [["Stage"], ["A"]],
            "Settings": [["Hourly cost", -5], ["Currency", "Swiss francs!!"]],
        },
    )
    assert problems_of(path) == [
        "Settings, Hourly cost: -5 is out of range; it must be 0 or more",
        "Settings, Currency: is too long (at most 12 characters)",
    ]


def test_a_bad_calendar_option_is_refused(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "Stage\nA\n")
    assert problems_of(path, days_per_week=9) == [
        "Settings, Days per week: 9 is out of range; it must be 7 or less"
    ]


def test_ai_and_scenario_sheets_report_their_own_rows(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path,
        {
            "Stages": [["Stage"], ["A"], ["B"]],
            "AI opportunities": [
                ["Stage", "Id", "Name", "Status", "Process time factor"],
                ["A", "bot", "Bot", "idea", 0.5],
                ["C", "x", "X", "done", "fast"],
            ],
            "Scenarios": [
                ["Scenario", "Id", "Enabled AI", "Overrides (JSON)"],
                ["Future", "f", "bot; ghost", '{"B": {"pca": 120}}'],
                ["Other", "o", "", "{not json"],
            ],
        },
    )
    details = problems_of(path)
    assert "AI opportunities, row 3, Stage: 'C' is not a stage in this sheet" in details
    assert "AI opportunities, row 3, Process time factor: 'fast' is not a number" in details
    assert (
        "Scenarios, row 2, Enabled AI: 'ghost' is not the id of an AI opportunity in the "
        "AI opportunities sheet"
    ) in details
    assert any(
        line.startswith("Scenarios, row 2, Overrides: 'B': pca: 120 is out of range")
        for line in details
    ), details
    assert any(line.startswith("Scenarios, row 3, Overrides: not valid JSON") for line in details)


def test_an_ai_opportunity_refused_for_its_own_cells_is_not_refused_again_by_scenarios(
    tmp_path: Path,
) -> None:
    path = write_xlsx(
        tmp_path,
        {
            "Stages": [["Stage"], ["A"], ["B"]],
            "AI opportunities": [
                ["Stage", "Id", "Name", "Status", "Process time factor"],
                ["C", "bot", "Bot", "idea", 0.5],
                ["A", "slow", "Slow", "done", 0.5],
                ["", "lost", "Lost", "idea", 0.5],
            ],
            "Scenarios": [
                ["Scenario", "Id", "Enabled AI"],
                ["Future", "f", "bot; slow; lost; ghost"],
                ["Other", "o", "bot"],
            ],
        },
    )
    # Each refused row was also named as unknown in every scenario that enabled it.
    assert problems_of(path) == [
        "AI opportunities, row 2, Stage: 'C' is not a stage in this sheet",
        "AI opportunities, row 3, Status: 'done' is not allowed; use 'idea', 'pilot' or 'adopted'",
        "AI opportunities, row 4, Stage: is blank; name the stage this AI opportunity is for",
        "Scenarios, row 2, Enabled AI: 'ghost' is not the id of an AI opportunity in the "
        "AI opportunities sheet",
    ]


def test_an_old_stage_name_is_read_through_the_id_made_from_it_and_said(
    tmp_path: Path,
) -> None:
    path = write_xlsx(
        tmp_path,
        {
            "Stages": [
                ["Stage", "Id", "Next", "Rework to"],
                ["Code review", "code-review", "", ""],
                ["Build", "coding", "", "Code-Review"],
                ["Ship", "ship", "", "CODING"],
            ],
        },
    )
    notices: list[str] = []
    stream = import_spreadsheet(path, notices=notices)
    assert [stage.rework_to for stage in stream.stages] == [None, "code-review", "coding"]
    assert notices == [
        "row 3, Rework to: 'Code-Review' is taken as 'Code review' (row 2, Id 'code-review')",
        "row 4, Rework to: 'CODING' is taken as 'Build' (row 3, Id 'coding'), renamed in the "
        "Stages sheet",
    ]


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # The Ids were made from the sheet's names, so no old name is known.
        (
            [["Stage", "Next"], ["Build", "Review?"], ["Review!", ""]],
            "row 2, Next: 'Review?' is not a stage in this sheet",
        ),
        # Two rows give the Id: the old name could mean either.
        (
            [
                ["Stage", "Id", "Next"],
                ["A", "a", "Coding"],
                ["B", "coding", ""],
                ["C", "coding", ""],
            ],
            "row 2, Next: 'Coding' is not a stage in this sheet (a stage renamed in the Stages "
            "sheet keeps its old name in the Next, Rework to, AI opportunities, Scenarios and "
            "Statuses cells: write its new name or its Id there)",
        ),
        # Renamed into each other's names: Intake's "Build" meant the stage now "Compile",
        # and was read as the one now called "Build", with no word said.
        (
            [
                ["Stage", "Id", "Next"],
                ["Intake", "intake", "Build"],
                ["Compile", "build", "Test"],
                ["Build", "test", ""],
            ],
            "row 3, Next: 'Test' is not a stage in this sheet, and stages were renamed to "
            "each other's names ('Build', row 4, was the name of row 3, Id 'build'): write "
            "the stages' Ids in these cells",
        ),
    ],
)
def test_an_old_stage_name_is_not_guessed(
    tmp_path: Path, rows: list[list[object]], expected: str
) -> None:
    path = write_xlsx(tmp_path, {"Stages": rows})
    assert expected in problems_of(path)


def test_end_under_next_ends_the_flow_beside_a_stage_with_the_id_end(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path,
        {"Stages": [["Stage", "Id", "Next"], ["Build", "build", "(end)"], ["Done", "end", ""]]},
    )
    assert import_spreadsheet(path).flows == []


def test_an_unknown_file_kind_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "map.ods"
    path.write_text("x")
    with pytest.raises(VSMapperError, match=r"import reads \.xlsx and \.csv files, not '\.ods'"):
        import_spreadsheet(path)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(VSMapperError, match="no such file"):
        import_spreadsheet(tmp_path / "missing.csv")


def test_csv_that_is_not_utf8_says_how_to_save_it(tmp_path: Path) -> None:
    path = tmp_path / "legacy.csv"
    path.write_bytes("Stage\nÉtude\n".encode("cp1252"))
    with pytest.raises(VSMapperError, match="not UTF-8 text; in Excel save it as 'CSV UTF-8'"):
        import_spreadsheet(path)


def test_csv_guard_round_trips_every_text() -> None:
    for text in ("=1+2", "+49 30", "-x", "@SUM(A1)", "'=x", "''+y", "'plain", "a=b", "", "\tx"):
        guarded = guard_csv_text(text)
        assert not guarded.startswith(("=", "+", "-", "@", "\t", "\r"))
        assert unguard_csv_text(guarded) == text


# --- hostile files: one clean error, quickly, before anything big is read -----------------


def test_defusedxml_guards_openpyxl() -> None:
    assert openpyxl.DEFUSEDXML is True


def test_a_workbook_that_is_not_a_zip_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "old.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with pytest.raises(VSMapperError, match=r"not an Excel workbook .* old \.xls file"):
        import_spreadsheet(path)


def test_a_zip_that_is_not_a_workbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "photos.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("photo.txt", "hello")
    with pytest.raises(VSMapperError, match="not a readable Excel workbook"):
        import_spreadsheet(path)


def _workbook_with(tmp_path: Path, replace: dict[str, bytes], name: str = "hostile.xlsx") -> Path:
    """A real workbook with some of its parts replaced."""
    source = write_xlsx(tmp_path, {"Stages": [["Stage"], ["A"]]}, "source.xlsx")
    path = tmp_path / name
    with (
        zipfile.ZipFile(source) as original,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as hostile,
    ):
        for member in original.infolist():
            hostile.writestr(
                member.filename, replace.get(member.filename, original.read(member.filename))
            )
        for member, data in replace.items():
            if member not in original.namelist():
                hostile.writestr(member, data)
    return path


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path: Path) -> None:
    path = _workbook_with(tmp_path, {"xl/worksheets/sheet1.xml": b" " * (60 * 2**20)})
    with pytest.raises(VSMapperError, match="likely zip bomb"):
        import_spreadsheet(path)


def test_a_workbook_unpacking_past_the_cap_is_refused(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(spreadsheet, "MAX_UNPACKED_BYTES", 2**20)
    path = _workbook_with(tmp_path, {"xl/media/big.bin": bytes(range(256)) * 8192})
    with pytest.raises(VSMapperError, match="would unpack to 2 MB"):
        import_spreadsheet(path)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>Stage</t></is></c></row>
<row r="2"><c r="A2" t="inlineStr"><is><t>&lol9;</t></is></c></row>
</sheetData></worksheet>"""


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/workbook.xml"])
def test_a_billion_laughs_workbook_is_refused(tmp_path: Path, part: str) -> None:
    path = _workbook_with(tmp_path, {part: BILLION_LAUGHS})
    with pytest.raises(VSMapperError, match="not a readable Excel workbook"):
        import_spreadsheet(path)


def test_a_sheet_declaring_a_million_rows_is_read_by_its_real_rows(tmp_path: Path) -> None:
    rows = b"".join(
        b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>%s</t></is></c></row>'
        % (number, number, b"Stage" if number == 1 else b"S%d" % number)
        for number in range(1, 14)
    )
    sheet = (
        b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main"><dimension ref="A1:XFD1048576"/><sheetData>'
        + rows
        + b"</sheetData></worksheet>"
    )
    path = _workbook_with(tmp_path, {"xl/worksheets/sheet1.xml": sheet})
    assert len(import_spreadsheet(path).stages) == 12


def _sheet_of(rows: bytes) -> bytes:
    """A worksheet part holding ``rows``: 13 of data (Stage, S2 … S13), then ``rows``."""
    data = b"".join(
        b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>%s</t></is></c></row>'
        % (number, number, b"Stage" if number == 1 else b"S%d" % number)
        for number in range(1, 14)
    )
    return (
        b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main"><sheetData>' + data + rows + b"</sheetData></worksheet>"
    )


def test_an_empty_last_row_far_below_is_not_counted(tmp_path: Path) -> None:
    # As LibreOffice saves a sheet after a row was deleted in it.
    far = b'<row r="1048576" ht="12.8"><c r="A1048576" s="0"/></row>'
    path = _workbook_with(tmp_path, {"xl/worksheets/sheet1.xml": _sheet_of(far)})
    assert len(import_spreadsheet(path).stages) == 12


def test_rows_past_the_limit_are_refused_even_empty(tmp_path: Path) -> None:
    far = b"".join(b'<row r="%d"/>' % number for number in range(30_000, 30_010))
    path = _workbook_with(tmp_path, {"xl/worksheets/sheet1.xml": _sheet_of(far)})
    with pytest.raises(VSMapperError, match="a sheet has 30,000 rows"):
        import_spreadsheet(path)


def test_a_sheet_with_too_many_rows_is_refused(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(spreadsheet, "MAX_ROWS", 50)
    names = ["Stage"] + [f"S{number}" for number in range(60)]
    path = write_xlsx(tmp_path, {"Stages": [[name] for name in names]})
    with pytest.raises(VSMapperError, match="a sheet has 52 rows; at most 50 stages"):
        import_spreadsheet(path)
    csv_path = write_csv(tmp_path, "\n".join(names) + "\n")
    with pytest.raises(VSMapperError, match="a sheet has 52 rows"):
        import_spreadsheet(csv_path)


def test_a_sheet_not_declaring_its_size_is_refused_while_reading(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setattr(spreadsheet, "MAX_ROWS", 50)
    rows = b"".join(
        b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>S</t></is></c></row>' % (number, number)
        for number in range(1, 80)
    )
    sheet = (
        b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main"><sheetData>' + rows + b"</sheetData></worksheet>"
    )
    path = _workbook_with(tmp_path, {"xl/worksheets/sheet1.xml": sheet})
    with pytest.raises(VSMapperError, match="a sheet has 52 rows"):
        import_spreadsheet(path)


def test_a_sheet_with_too_many_columns_is_refused(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path, {"Stages": [["Stage", *[f"c{n}" for n in range(150)]], ["A"]]})
    with pytest.raises(VSMapperError, match=r"more than 100 columns \(row 1\); at most 100"):
        import_spreadsheet(path)
    csv_path = write_csv(tmp_path, "Stage" + ",x" * 150 + "\nA\n")
    with pytest.raises(VSMapperError, match="151 columns"):
        import_spreadsheet(csv_path)


def test_a_value_far_past_the_columns_read_is_refused_not_left_out(tmp_path: Path) -> None:
    # Column 105 of a sheet not declaring its size: "People" and its 7 were left out, and
    # the stage imported with 1 person, unsaid. Column 101 alone was refused.
    cells = b'<c r="A%d" t="inlineStr"><is><t>%s</t></is></c><c r="DA%d"%s>%s</c>'
    rows = cells % (1, b"Stage", 1, b' t="inlineStr"', b"<is><t>People</t></is>")
    rows_two = cells % (2, b"Review", 2, b"", b"<v>7</v>")
    sheet = (
        b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main"><sheetData><row r="1">'
        + rows
        + b'</row><row r="2">'
        + rows_two
        + b"</row></sheetData></worksheet>"
    )
    path = _workbook_with(tmp_path, {"xl/worksheets/sheet1.xml": sheet})
    with pytest.raises(VSMapperError, match=r"more than 100 columns \(row 1\); at most 100"):
        import_spreadsheet(path)


def test_a_huge_file_is_refused_unread(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(spreadsheet, "MAX_FILE_BYTES", 1000)
    path = write_csv(tmp_path, "Stage\n" + "A\n" * 1000)
    with pytest.raises(VSMapperError, match="spreadsheets over 0 MB are refused"):
        import_spreadsheet(path)


def test_a_csv_field_past_the_csv_limit_is_one_clean_error(tmp_path: Path) -> None:
    path = write_csv(tmp_path, 'Stage,Notes\nA,"' + "x" * 200_000 + '"\n')
    with pytest.raises(VSMapperError, match="not readable as CSV"):
        import_spreadsheet(path)


def test_a_wait_kind_column_is_read_and_a_bad_one_named(tmp_path: Path) -> None:
    path = tmp_path / "team.csv"
    path.write_text("Stage,Process time,Wait time,Wait kind\nReview,2h,1d,Fixed\nQA,1h,1d,\n")
    review, qa = import_spreadsheet(path).stages
    assert (review.wait_kind, qa.wait_kind) == ("fixed", "queue")
    path.write_text("Stage,Process time,Wait time,Wait kind\nReview,2h,1d,sometimes\n")
    with pytest.raises(VSMapperError) as caught:
        import_spreadsheet(path)
    assert any("row 2, Wait kind" in line for line in [str(caught.value), *caught.value.details])


def test_a_bad_side_effect_names_its_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "team.xlsx"
    workbook = openpyxl.Workbook()
    stages = workbook.active
    stages.title = "Stages"
    stages.append(["Stage", "Process time", "Wait time"])
    stages.append(["Coding", "1d", "1d"])
    stages.append(["Review", "2h", "1d"])
    ai = workbook.create_sheet("AI opportunities")
    ai.append(["Stage", "Name", "Also"])
    ai.append(["Coding", "Assistant", '[{"stage": "Review", "process_time_factor": 1.5}]'])
    workbook.save(path)
    [(_, opportunity)] = import_spreadsheet(path).opportunities()
    assert opportunity.also[0].stage == "review"
    assert opportunity.also[0].process_time_factor == 1.5
    ai["C2"] = '[{"stage": "Nowhere"}]'
    workbook.save(path)
    with pytest.raises(VSMapperError) as caught:
        import_spreadsheet(path)
    assert any("row 2, Also" in line for line in [str(caught.value), *caught.value.details])


def test_a_semicolon_separated_file_reads_decimal_commas(tmp_path: Path) -> None:
    # Excel's CSV where a comma is the decimal mark: refused whole, "3 problems".
    path = write_csv(
        tmp_path,
        "Stage;Process time;Wait time;%C&A;People;Hourly cost;Notes\n"
        "3,5;1,5h;2,5-3d;99,5;1,5;1,250;10,000\n",
    )
    notices: list[str] = []
    [stage] = import_spreadsheet(path, notices=notices).stages
    # A name and a note are words: "3,5" and "10,000" are left as written.
    assert (stage.name, stage.notes) == ("3,5", "10,000")
    assert (stage.process_time.text, stage.wait_time.text) == ("1.5h", "2.5-3d")
    assert (stage.pca, stage.people) == (99.5, 1.5)
    assert stage.hourly_cost == 1250  # grouped thousands, as anywhere: never 1.25
    assert any("decimal comma" in notice for notice in notices)
    # Points group thousands there: refused with "'1.200,50' is not a number".
    grouped = write_csv(
        tmp_path,
        "Stage;Hourly cost;People;Wait time\nA;1.200,50;1.000;1.000,5h\nB;1.200,500;1,5;1.5h\n",
        "grouped.csv",
    )
    notices.clear()
    first, second = import_spreadsheet(grouped, notices=notices).stages
    assert (first.hourly_cost, first.wait_time.text) == (1200.5, "1000.5h")
    assert (second.hourly_cost, second.people, second.wait_time.text) == (1200.5, 1.5, "1.5h")
    assert first.people == 1  # a point without a decimal comma is a decimal point, as ever
    assert notices == [
        "Read 4 numbers with a decimal comma (1,5 as 1.5): the file is separated by "
        "semicolons, as where a comma is the decimal mark."
    ]
    # A long hostile cell is read in time proportional to its length.
    hostile = write_csv(tmp_path, "Stage;Process time\nA;" + "1" * 50_000 + ",x\n", "long.csv")
    with pytest.raises(VSMapperError):
        import_spreadsheet(hostile)


def test_a_cell_shown_as_a_time_is_hours_and_minutes(tmp_path: Path) -> None:
    import datetime

    path = write_xlsx(
        tmp_path,
        {
            "Stages": [
                ["Stage", "Process time", "Wait time (d)"],
                ["A", datetime.time(4, 30), datetime.timedelta(hours=30)],
            ]
        },
    )
    # Refused: "04:30:00 is not a duration".
    [stage] = import_spreadsheet(path).stages
    assert (stage.process_time.likely_hours(), stage.wait_time.likely_hours()) == (4.5, 30)
    # Written as people write them, not 4.5 or 0.3333333333333333.
    assert (stage.process_time.text, stage.wait_time.text) == ("4h 30m", "30h")


def test_a_date_in_a_time_column_says_what_excel_did(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path,
        {
            "Stages": [
                ["Stage", "Process time", "Wait time"],
                ["A", datetime(2025, 3, 1, 12, 0), datetime(2025, 1, 3)],
            ]
        },
    )
    advice = "Excel turns 1-3 into a date; format the column as Text and type 1-3d"
    assert problems_of(path) == [
        f"row 2, Process time: '2025-03-01 12:00:00' is a date: {advice}",
        f"row 2, Wait time: '2025-01-03' is a date: {advice}",
    ]


def test_what_is_not_a_stage_table_says_what_it_is(tmp_path: Path) -> None:
    workbook = write_xlsx(tmp_path, {"Stages": [["Stage"], ["A"]]})
    renamed = tmp_path / "renamed.csv"
    renamed.write_bytes(workbook.read_bytes())
    with pytest.raises(VSMapperError, match=r"an Excel workbook .* named \.csv; rename it \.xlsx"):
        import_spreadsheet(renamed)


def test_a_header_with_no_stage_rows_under_it_is_refused_in_one_line(tmp_path: Path) -> None:
    # It imported as a map of no stages, with a warning.
    for path in (
        write_csv(tmp_path, "Stage,Process time\n\n,\n"),
        write_xlsx(tmp_path, {"Stages": [["Title"], [], ["Stage", "Process time"]]}),
    ):
        with pytest.raises(VSMapperError) as caught:
            import_spreadsheet(path)
        assert caught.value.message == (
            f"{path}: no stage rows under the header; put one row per stage under it"
        )
        assert caught.value.details == []
    # Beside another problem it is listed with it.
    misspelt = write_csv(tmp_path, "Stage,Proces time\n", "misspelt.csv")
    assert problems_of(misspelt) == [
        "row 1, column B: 'Proces time' is not a column VSMapper knows; did you mean "
        "'Process time'?",
        "no stage rows under the header; put one row per stage under it",
    ]


def test_a_lone_row_named_like_a_total_is_a_stage(tmp_path: Path) -> None:
    # There is nothing above it to add up; left out, the sheet had no stages.
    path = write_csv(tmp_path, "Stage,Process time\nTotal,1h\n")
    assert [stage.name for stage in import_spreadsheet(path).stages] == ["Total"]


def test_a_duration_past_its_bounds_says_so(tmp_path: Path) -> None:
    # "'5300w' is not a duration (try 3d…)": it is one, over a century long.
    problems = problems_of(write_csv(tmp_path, "Stage,Process time\nA,5300w\n"))
    assert "'5300w' is too long; durations are at most 100 years" in problems[0]


def test_a_formula_with_no_saved_result_is_named_not_read_as_empty(tmp_path: Path) -> None:
    # A workbook written by a script stores formulas without results: they read as 0 and None.
    path = write_xlsx(
        tmp_path,
        {
            "Stages": [
                ["Stage", "Process time", "Wait time", "%C&A", "Hourly cost"],
                ["A", 4, 8, 90, 50],
                ["B", "=2*8", "=B3/4", 90, "=E2*1.1"],
            ],
            "Settings": [["Hours per day", "=4*2"]],
        },
    )
    advice = "open and save the workbook in Excel or LibreOffice, which store it, then import again"
    assert problems_of(path) == [
        f"Settings, row 1, Hours per day: a formula with no saved result ('=4*2'); {advice}",
        f"row 3, Process time: a formula with no saved result ('=2*8'); {advice}",
        f"row 3, Wait time: a formula with no saved result ('=B3/4'); {advice}",
        f"row 3, Hourly cost: a formula with no saved result ('=E2*1.1'); {advice}",
    ]


def test_a_formula_s_saved_result_is_read(tmp_path: Path) -> None:
    source = write_xlsx(tmp_path, {"Stages": [["Stage", "Process time", "Notes"], ["A", "=2*8"]]})
    with zipfile.ZipFile(source) as workbook:
        sheet = workbook.read("xl/worksheets/sheet1.xml")
    # As Excel saves them: a number, and a formula whose result is empty text.
    saved = sheet.replace(b"<f>2*8</f><v />", b"<f>2*8</f><v>16</v>").replace(
        b"</row></sheetData>",
        b'<c r="C2" t="str"><f>IF(TRUE,"","x")</f><v></v></c></row></sheetData>',
    )
    assert saved.count(b"<f>") == 2
    path = _workbook_with(tmp_path, {"xl/worksheets/sheet1.xml": saved}, "saved.xlsx")
    [stage] = import_spreadsheet(path).stages
    assert (stage.process_time.likely_hours(), stage.notes) == (16, "")


def test_a_title_above_the_header_is_left_out_and_rows_keep_their_numbers(
    tmp_path: Path,
) -> None:
    path = write_xlsx(
        tmp_path,
        {
            "Stages": [
                ["Q3 value stream workshop"],
                [],
                ["Stage", "Process time", "Wait time"],
                ["Build", "2d", "1d"],
                ["Ship", "3 dayz", "1h"],
            ]
        },
    )
    assert problems_of(path) == [
        "row 5, Process time: '3 dayz' is not a duration (try 3d, 4h, 90m, 2-5d)"
    ]
    path = write_xlsx(
        tmp_path,
        {"Stages": [["Q3 value stream workshop"], [], ["Stage", "Process time"], ["Build", "2d"]]},
    )
    notices: list[str] = []
    [stage] = import_spreadsheet(path, notices=notices).stages
    assert (stage.name, stage.process_time.text) == ("Build", "2d")
    assert notices == [
        "row 3 was read as the header: row 1 above it ('Q3 value stream workshop') left out"
    ]


def test_a_csv_may_name_its_separator_or_have_a_title(tmp_path: Path) -> None:
    # Excel's "sep=;" line was read as the header: "row 1: no 'Stage' column".
    path = write_csv(tmp_path, "sep=;\r\nStage;Process time;Wait time\r\nA;1,5h;2d\r\nB;x;1h\r\n")
    assert problems_of(path) == [
        "row 4, Process time: 'x' is not a duration (try 3d, 4h, 90m, 2-5d)"
    ]
    path = write_csv(tmp_path, "sep=;\nStage;Process time\nA;1,5h\n", "named.csv")
    assert import_spreadsheet(path).stages[0].process_time.text == "1.5h"
    titled = write_csv(tmp_path, "Team A\n\nStage;Process time\nA;1,5h\n", "titled.csv")
    assert import_spreadsheet(titled).stages[0].process_time.text == "1.5h"
    # One column and a name with a semicolon: the separator is still a comma.
    single = write_csv(tmp_path, "Stage\nBuild; test\n", "single.csv")
    assert [stage.name for stage in import_spreadsheet(single).stages] == ["Build; test"]


def test_the_header_is_looked_for_in_the_first_five_rows(tmp_path: Path) -> None:
    rows = "Title\n" * 5 + "Stage,Process time\nA,1h\n"
    assert problems_of(write_csv(tmp_path, rows))[0].startswith("row 1: no 'Stage' column")
    rows = "Title\n" * 4 + "Stage,Process time\nA,1h\n"
    assert [stage.name for stage in import_spreadsheet(write_csv(tmp_path, rows)).stages] == ["A"]


def test_stage_names_given_to_more_than_one_row_are_named(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "Stage,Id\nA,a-1\nB,\nA,a-2\nb,\nC,\n")
    notices: list[str] = []
    stream = import_spreadsheet(path, notices=notices)
    assert [stage.name for stage in stream.stages] == ["A", "B", "A", "b", "C"]
    assert notices == [
        "Stage names given to more than one row: 'A' (rows 2, 4); 'B' (rows 3, 5). Each row "
        "was imported as a stage of its own; give each its own name, as Next and Rework to "
        "find stages by name"
    ]


def test_notices_past_the_first_ten_are_counted_in_one_line(tmp_path: Path) -> None:
    rows = "".join(f"S{number},10,2d\n" for number in range(3000))
    path = write_csv(tmp_path, "Stage,Process time (h),Process time (text)\n" + rows)
    notices: list[str] = []
    assert len(import_spreadsheet(path, notices=notices).stages) == 3000
    assert len(notices) == 11
    assert notices[0].startswith("row 2, Process time (text): '2d' differs")
    assert notices[-1] == "… and 2,990 more notes like these"


def test_a_total_row_under_the_stages_is_left_out_saying_so(tmp_path: Path) -> None:
    path = tmp_path / "team.csv"
    path.write_text(
        "Stage,Process time,People\nCoding,2d,4\nReview,2h,2\nTotal,0,6\n", encoding="utf-8"
    )
    notices: list[str] = []
    stream = import_spreadsheet(path, notices=notices)
    # It came in as a stage with no time and six people.
    assert [stage.name for stage in stream.stages] == ["Coding", "Review"]
    assert notices == [
        "row 4 ('Total') left out: a sheet's total, not a stage (the map adds its stages up itself)"
    ]


@pytest.mark.parametrize("name", ["Total:", "TOTALS", "sum", "Σ", "Lead time", " Grand  total. "])
def test_a_total_row_is_known_whatever_its_case_and_punctuation(tmp_path: Path, name: str) -> None:
    path = write_csv(tmp_path, f"Stage,Process time,Wait time\nDev,8,16\nTest,4,24\n{name},12,40\n")
    notices: list[str] = []
    stream = import_spreadsheet(path, notices=notices)
    # "Total:" came in as a third stage: lead time doubled, and the total was the constraint.
    assert [stage.name for stage in stream.stages] == ["Dev", "Test"]
    assert notices == [
        f"row 4 ({name.strip()!r}) left out: a sheet's total, not a stage (the map adds its "
        "stages up itself)"
    ]


@pytest.mark.parametrize("name", ["Total review", "Summary", "Lead", "Sum-up meeting"])
def test_a_last_stage_whose_name_only_starts_like_a_total_is_kept(
    tmp_path: Path, name: str
) -> None:
    path = write_csv(tmp_path, f"Stage,Process time\nDev,8\n{name},1\n")
    assert [stage.name for stage in import_spreadsheet(path).stages] == ["Dev", name]


def test_a_row_inserted_where_next_cells_skip_it_is_named_as_a_start(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        "Stage,Next\nIntake,Coding\nCoding,Code review\nPairing,\nCode review,\nShip,\n",
    )
    notices: list[str] = []
    stream = import_spreadsheet(path, notices=notices)
    # It imported as a second start of the stream, silently.
    assert ("pairing", "code-review") in {(flow.source, flow.target) for flow in stream.flows}
    assert notices == [
        "row 4 ('Pairing'): no stage leads to it, so it starts a path of its own; to put it "
        "in the stream, name it in the Next cell of the stage before it (row 3, 'Coding')"
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Stage,Next\nIntake,\nCoding,\n",
        "Stage,Next\nDesign,Build\nLegal,Build\nBuild,\n",
        "Stage,Next\nBuild,Ship\nIntake,Build\nShip,\n",
        "Stage,Next\nShip,(end)\nIntake,\nBuild,Ship\n",
        # As the app exports a stage not yet connected: last, its Next blank.
        "Stage,Next\nA,B\nB,(end)\nC,\n",
    ],
)
def test_a_stream_s_own_starts_are_not_named(tmp_path: Path, text: str) -> None:
    notices: list[str] = []
    import_spreadsheet(write_csv(tmp_path, text), notices=notices)
    assert notices == []


def test_a_last_stage_named_like_a_total_that_the_stream_runs_into_is_kept(
    tmp_path: Path,
) -> None:
    path = tmp_path / "team.csv"
    path.write_text("Stage,Next\nCoding,Overall\nOverall,\n", encoding="utf-8")
    # Left out, the import failed: "'Overall' is not a stage in this sheet".
    assert [stage.name for stage in import_spreadsheet(path).stages] == ["Coding", "Overall"]


def test_an_excel_error_value_is_refused_wherever_it_is(tmp_path: Path) -> None:
    sheets = {
        "Stages": [["Stage", "Wait time"], ["#NAME?", "1d"], ["B", "#VALUE!"]],
        "Settings": [["Name", "#REF!"]],
    }
    assert problems_of(write_xlsx(tmp_path, sheets)) == [
        "Settings, row 1, Name: holds the error '#REF!'; correct its formula in the workbook",
        "row 2, Stage: holds the error '#NAME?'; correct its formula in the workbook",
        "row 3, Wait time: holds the error '#VALUE!'; correct its formula in the workbook",
    ]


def test_a_setting_given_twice_is_refused(tmp_path: Path) -> None:
    sheets = {
        "Stages": [["Stage"], ["A"]],
        "Settings": [["Hours per day", 6], ["Name", "Checkout"], ["hours per day", 8]],
    }
    assert problems_of(write_xlsx(tmp_path, sheets)) == [
        "Settings, row 3, Hours per day: given twice (row 1 too); keep one (otherwise the "
        "last would silently win)"
    ]


def test_a_quote_that_never_closes_is_refused_naming_its_line(tmp_path: Path) -> None:
    # The rest of the file became one stage's name, with times of 0, and no word.
    path = write_csv(
        tmp_path,
        'Stage,Process time,Wait time\nIntake,1h,2h\n"Urgent review,3h,1d\nDeploy,1h,2h\n',
    )
    with pytest.raises(VSMapperError, match=r"line 3: a cell opens with a quote .* never closes"):
        import_spreadsheet(path)
    # After Excel's "sep=," line, the line counted as the file has it.
    path = write_csv(tmp_path, 'sep=,\nStage,Process time\n"Urgent review,3h\n', "sep.csv")
    with pytest.raises(VSMapperError, match=r"line 3: a cell opens with a quote"):
        import_spreadsheet(path)
    # What strict CSV refuses otherwise is read as it always was: a space after a quote.
    path = write_csv(tmp_path, 'Stage,Process time\n"Intake" ,1h\n', "space.csv")
    assert [stage.name for stage in import_spreadsheet(path).stages] == ["Intake"]
