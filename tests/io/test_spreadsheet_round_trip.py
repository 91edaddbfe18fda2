"""Export then import gives the map back: every stage field, the flows, AI and scenarios."""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vsmapper.analysis import analyze
from vsmapper.cli import example_map_path
from vsmapper.errors import VSMapperError
from vsmapper.io.csv_export import export_csv
from vsmapper.io.mapfile import load_map, map_from_data
from vsmapper.io.spreadsheet import import_spreadsheet
from vsmapper.io.xlsx_export import export_xlsx
from vsmapper.model import ValueStream

# Names draw on characters that test the guards: formula starts, quotes, ';' (which Next uses
# to separate names) and non-ASCII; ids are of another shape, so no name is another's id.
NAME_CHARACTERS = "abcXYZ éü→ &=+-@';,."
TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.just("\n"), max_size=30)
NAMES = st.text(NAME_CHARACTERS, min_size=1, max_size=12).map(str.strip).filter(bool)
NUMBERS = st.floats(0.01, 500, allow_nan=False).map(lambda value: round(value, 3))


@st.composite
def durations(draw: st.DrawFn) -> str | float:
    """A duration in one of the forms people write."""
    unit = draw(st.sampled_from(["m", "h", "d", "w"]))
    low, likely, high = sorted(draw(st.lists(st.integers(0, 9), min_size=3, max_size=3)))
    return draw(
        st.sampled_from(
            [
                float(likely),
                f"{likely}{unit}",
                f"{low}-{high}{unit}",
                f"{low}{unit}/{likely}{unit}/{high}{unit}",
                f"1w {likely}d",
                f"{likely / 4}h",
            ]
        )
    )


@st.composite
def maps(draw: st.DrawFn) -> ValueStream:
    """A valid map: forward flows, upstream rework, AI opportunities and scenarios."""
    count = draw(st.integers(1, 7))
    ids = [f"s_{place}" for place in range(count)]
    edges = {
        (a, b)
        for a, b in draw(
            st.lists(st.tuples(st.integers(0, count - 1), st.integers(0, count - 1)), max_size=12)
        )
        if a < b
    }
    upstream = {place: {a for a, b in edges if b == place} for place in range(count)}
    for place in range(count):
        for before in list(upstream[place]):
            upstream[place] |= upstream[before]
    ai_ids: list[str] = []
    stages: list[dict[str, Any]] = []
    for place in range(count):
        opportunities = []
        for number in range(draw(st.integers(0, 2))):
            ai_ids.append(f"ai_{place}_{number}")
            opportunities.append(
                {
                    "id": ai_ids[-1],
                    "practice": draw(st.none() | NAMES),
                    "name": draw(NAMES),
                    "process_time_factor": draw(st.floats(0, 2).map(lambda v: round(v, 2))),
                    "wait_time_factor": draw(st.floats(0, 2).map(lambda v: round(v, 2))),
                    "pca_delta": draw(st.integers(-20, 20)),
                    "monthly_cost": draw(NUMBERS),
                    "status": draw(st.sampled_from(["idea", "pilot", "adopted"])),
                    "confidence": draw(st.sampled_from(["low", "medium", "high"])),
                    "note": draw(TEXT),
                }
            )
        rework = draw(st.none() | st.sampled_from(sorted(upstream[place] | {place})))
        stages.append(
            {
                "id": ids[place],
                "name": draw(NAMES),
                "phase": draw(st.sampled_from(["ideation", "creation", "release", "operation"])),
                "kind": draw(st.sampled_from(["coding", "review", "other", "deploy"])),
                "process_time": draw(durations()),
                "wait_time": draw(durations()),
                "pca": draw(st.sampled_from([100, 95, 80.5, 12.25])),
                "rework_to": None if rework is None else ids[rework],
                "people": draw(st.sampled_from([1, 2, 0.5, 7])),
                "availability": draw(st.sampled_from([1, 0.5, 0.75])),
                "hourly_cost": draw(st.none() | NUMBERS),
                "wip": draw(st.none() | NUMBERS),
                "throughput_per_week": draw(st.none() | NUMBERS),
                "notes": draw(TEXT),
                "position": draw(st.none() | st.tuples(NUMBERS, NUMBERS)),
                "ai": opportunities,
            }
        )
    scenarios = [
        {
            "id": f"sc_{number}",
            "name": draw(NAMES),
            "ai": draw(st.lists(st.sampled_from(ai_ids), unique=True)) if ai_ids else [],
            "overrides": draw(
                st.dictionaries(
                    st.sampled_from(ids),
                    st.fixed_dictionaries(
                        {},
                        optional={
                            "process_time": durations(),
                            "wait_time": durations(),
                            "pca": st.sampled_from([50, 99.5]),
                        },
                    ),
                    max_size=2,
                )
            ),
            "demand_factor": draw(st.sampled_from([1, 1.5, 0])),
        }
        for number in range(draw(st.integers(0, 2)))
    ]
    return map_from_data(
        {
            "format": "vsmapper",
            "version": 1,
            "name": draw(NAMES),
            "description": draw(TEXT),
            "calendar": {
                "hours_per_day": draw(st.sampled_from([8, 7.5])),
                "days_per_week": draw(st.sampled_from([5, 4])),
            },
            "demand_per_week": draw(st.none() | NUMBERS),
            "hourly_cost": draw(NUMBERS),
            "currency": draw(st.sampled_from(["USD", "EUR", "¥"])),
            "stages": stages,
            "flows": [{"from": ids[a], "to": ids[b]} for a, b in sorted(edges)],
            "scenarios": scenarios,
        }
    )


def same_map(imported: ValueStream, original: ValueStream) -> None:
    """Equal maps; flows in any order, since they are a set of hand-offs."""

    def ordered(stream: ValueStream) -> ValueStream:
        return stream.replaced(flows=sorted(stream.flows, key=lambda f: (f.source, f.target)))

    assert ordered(imported) == ordered(original)
    assert analyze(imported) == analyze(original)


def only_the_stage_table(stream: ValueStream, name: str) -> ValueStream:
    """What a CSV keeps of a map: its stages and flows, under default settings."""
    return map_from_data(
        {
            "format": "vsmapper",
            "version": 2 if any(stage.wait_kind == "fixed" for stage in stream.stages) else 1,
            "name": name,
            "calendar": stream.calendar.model_dump(),
            "stages": [stage.replaced(ai=[]).model_dump(mode="json") for stage in stream.stages],
            "flows": [flow.model_dump(by_alias=True) for flow in stream.flows],
        }
    )


@pytest.fixture
def example() -> ValueStream:
    return load_map(example_map_path())


def test_the_example_survives_a_workbook_exactly(tmp_path: Path, example: ValueStream) -> None:
    path = tmp_path / "example.xlsx"
    export_xlsx(example, path)
    same_map(import_spreadsheet(path), example)


def test_the_example_stage_table_survives_a_csv(tmp_path: Path, example: ValueStream) -> None:
    path = tmp_path / "example.csv"
    export_csv(example, path)
    same_map(import_spreadsheet(path), only_the_stage_table(example, "example"))


@pytest.mark.parametrize("column", ["Stage", "Process time (h)"])
def test_the_example_sorted_in_a_workbook_imports_as_the_same_map(
    tmp_path: Path, example: ValueStream, column: str
) -> None:
    path, workbook = exported(example, tmp_path)
    sheet = workbook["Stages"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    key = [cell.value for cell in sheet[1]].index(column)
    for number, row in enumerate(sorted(rows, key=lambda row: row[key]), start=2):
        for place, value in enumerate(row, start=1):
            sheet.cell(number, place).value = value
    workbook.save(path)
    same_map(import_spreadsheet(path), example)


@pytest.mark.parametrize("column", ["Stage", "Process time (h)"])
def test_the_example_sorted_in_a_csv_imports_as_the_same_map(
    tmp_path: Path, example: ValueStream, column: str
) -> None:
    path = tmp_path / "example.csv"
    export_csv(example, path)
    header, *rows = csv.reader(path.read_text(encoding="utf-8-sig").splitlines())
    key = header.index(column)
    rows.sort(key=lambda row: row[key] if column == "Stage" else float(row[key]))
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        csv.writer(file).writerows([header, *rows])
    same_map(import_spreadsheet(path), only_the_stage_table(example, "example"))


def test_wait_kinds_and_side_effects_survive_a_workbook(
    tmp_path: Path, example: ValueStream
) -> None:
    assert {stage.wait_kind for stage in example.stages} == {"queue", "fixed"}
    assert any(opportunity.also for _, opportunity in example.opportunities())
    path = tmp_path / "example.xlsx"
    export_xlsx(example, path)
    imported = import_spreadsheet(path)
    assert [stage.wait_kind for stage in imported.stages] == [
        stage.wait_kind for stage in example.stages
    ]
    assert [o.also for _, o in imported.opportunities()] == [
        o.also for _, o in example.opportunities()
    ]
    assert imported.version == 2


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(maps())
def test_any_map_survives_a_workbook(stream: ValueStream) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "map.xlsx"
        export_xlsx(stream, path)
        same_map(import_spreadsheet(path), stream)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(maps())
def test_any_stage_table_survives_a_csv(stream: ValueStream) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "map.csv"
        export_csv(stream, path)
        imported = import_spreadsheet(
            path,
            hours_per_day=stream.calendar.hours_per_day,
            days_per_week=stream.calendar.days_per_week,
        )
        same_map(imported, only_the_stage_table(stream, "map"))


def test_stages_with_the_same_name_are_told_apart_by_id(tmp_path: Path) -> None:
    stream = map_from_data(
        {
            "format": "vsmapper",
            "version": 1,
            "name": "Twins",
            "stages": [
                {"id": "review-1", "name": "Review"},
                {"id": "review-2", "name": "Review"},
                {"id": "merge", "name": "Merge; ship", "rework_to": "review-1", "pca": 90},
            ],
            "flows": [{"from": "review-1", "to": "merge"}, {"from": "review-2", "to": "merge"}],
        }
    )
    path = tmp_path / "twins.xlsx"
    export_xlsx(stream, path)
    sheet = openpyxl.load_workbook(path)["Stages"]
    assert [row[11] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        "merge",
        "merge",
        None,
    ]
    assert sheet["H4"].value == "review-1"
    same_map(import_spreadsheet(path), stream)


def exported(stream: ValueStream, folder: Path) -> tuple[Path, openpyxl.Workbook]:
    """The map exported to a workbook in ``folder``, opened to be edited as a user would."""
    path = folder / "example.xlsx"
    export_xlsx(stream, path)
    return path, openpyxl.load_workbook(path)


def test_hours_edited_in_the_sheet_win_over_the_stale_text(
    tmp_path: Path, example: ValueStream
) -> None:
    path, workbook = exported(example, tmp_path)
    sheet = workbook["Stages"]
    sheet["F3"] = 100  # Discovery's wait, exported as 80 h with the text "1-3w"
    workbook.save(path)
    notices: list[str] = []
    imported = import_spreadsheet(path, notices=notices)
    assert imported.stage("discovery").wait_time.text == "100"
    assert imported.stage("refinement").wait_time.text == "3-8d"
    assert notices == [
        "row 3, Wait time (text): '1-3w' differs from the Wait time beside it (100); the Wait "
        "time was read, as the workbook's formulas count it: to use the text, clear the Wait "
        "time cell"
    ]


def test_a_time_text_edited_in_the_sheet_is_named_and_read_once_its_hours_are_cleared(
    tmp_path: Path, example: ValueStream
) -> None:
    path = tmp_path / "example.xlsx"
    export_xlsx(example, path)
    unedited: list[str] = []
    import_spreadsheet(path, notices=unedited)
    assert unedited == []
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["Stages"]
    headers = [cell.value for cell in sheet[1]]
    text = headers.index("Wait time (text)") + 1
    qa = 8
    assert (sheet.cell(qa, 1).value, sheet.cell(qa, text).value) == ("QA testing", "2-4d")
    sheet.cell(qa, text).value = "1d"  # edited; Wait time (h) still says 24
    workbook.save(path)
    notices: list[str] = []
    assert import_spreadsheet(path, notices=notices).stage("qa").wait_time.text == "24"
    assert notices == [
        "row 8, Wait time (text): '1d' differs from the Wait time beside it (24); the Wait "
        "time was read, as the workbook's formulas count it: to use the text, clear the Wait "
        "time cell"
    ]
    sheet.cell(qa, headers.index("Wait time (h)") + 1).value = None
    workbook.save(path)
    assert import_spreadsheet(path).stage("qa").wait_time.text == "1d"


def test_a_time_text_that_is_not_a_duration_is_a_problem(
    tmp_path: Path, example: ValueStream
) -> None:
    path, workbook = exported(example, tmp_path)
    sheet = workbook["Stages"]
    sheet.cell(8, [cell.value for cell in sheet[1]].index("Wait time (text)") + 1).value = "2 dayz"
    workbook.save(path)
    with pytest.raises(VSMapperError) as caught:
        import_spreadsheet(path)
    assert caught.value.details == [
        "row 8, Wait time (text): '2 dayz' is not a duration (try 3d, 4h, 90m, 2-5d)"
    ]


def test_days_follow_a_changed_calendar_as_the_user_meant_them(
    tmp_path: Path, example: ValueStream
) -> None:
    path = tmp_path / "example.xlsx"
    export_xlsx(example, path)
    imported = import_spreadsheet(path, hours_per_day=6)
    assert imported.stage("refinement").wait_time.text == "3-8d"
    assert imported.stage("refinement").wait_time.likely_hours(6, 5) == 33


def test_a_workbook_with_a_plan_says_the_plan_is_not_read_back(
    tmp_path: Path, example: ValueStream
) -> None:
    from vsmapper.model.stream import Note

    noted = example.replaced(
        version=2, notes=[Note(id="pain-1", stage="review", kind="pain", text="Slow reviews")]
    )
    path, _ = exported(noted, tmp_path)
    notices: list[str] = []
    # The notes went without a word: a workshop's plan was lost in a round trip.
    assert import_spreadsheet(path, notices=notices).notes == []
    assert notices == [
        "the Improvement plan sheet is not read back; its pain points and kaizen bursts stay "
        "in the map file (.vsm.json) it was exported from"
    ]


def renamed_in_the_stages_sheet(stream: ValueStream, folder: Path, old: str, new: str) -> Path:
    """The map exported, with one stage renamed in its Stages row only, as a user would."""
    path, workbook = exported(stream, folder)
    sheet = workbook["Stages"]
    row = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == old)
    row[0].value = new
    workbook.save(path)
    return path


def test_a_stage_renamed_in_the_stages_sheet_only_keeps_its_flows_rework_and_ai(
    tmp_path: Path, example: ValueStream
) -> None:
    path = renamed_in_the_stages_sheet(example, tmp_path, "Coding", "Development")
    notices: list[str] = []
    # Refused with 7 problems: each cell still naming Coding, and each scenario enabling
    # the coding assistant, whose row named it.
    imported = import_spreadsheet(path, notices=notices)
    coding = example.stage("coding").replaced(name="Development")
    same_map(
        imported,
        example.replaced(
            stages=[coding if stage.id == "coding" else stage for stage in example.stages]
        ),
    )
    taken = "'Coding' is taken as 'Development' (row 6, Id 'coding'), renamed in the Stages sheet"
    assert notices == [
        f"row 5, Next: {taken}",
        f"AI opportunities, row 2, Stage: {taken}",
        f"row 7, Rework to: {taken}",
    ]


def test_a_renamed_stage_whose_id_is_not_made_from_its_old_name_is_named_with_the_mend(
    tmp_path: Path, example: ValueStream
) -> None:
    path = renamed_in_the_stages_sheet(example, tmp_path, "Code review", "Peer review")
    with pytest.raises(VSMapperError) as caught:
        import_spreadsheet(path)
    unknown = (
        "'Code review' is not a stage in this sheet (a stage renamed in the Stages sheet keeps "
        "its old name in the Next, Rework to, AI opportunities, Scenarios and Statuses cells: "
        "write its new name or its Id there)"
    )
    # The review bot's row is refused for its stage; the scenarios enabling it are not.
    assert caught.value.details == [
        f"row 6, Next: {unknown}",
        f"AI opportunities, row 2, Also: {unknown}",
        f"AI opportunities, row 3, Stage: {unknown}",
        f"Scenarios, row 5, Overrides: {unknown}",
    ]


def test_a_tracker_s_statuses_survive_a_workbook(tmp_path: Path, example: ValueStream) -> None:
    # The workbook had no place for them: next month's export no longer measured in one step.
    statuses = {
        "Backlog": {"stage": None, "state": "ignore"},
        "In review": {"stage": "review", "state": "working"},
        "Ready for review": {"stage": "review", "state": "waiting"},
        "Done": {"stage": None, "state": "done"},
    }
    stream = map_from_data({**example.model_dump(mode="json", by_alias=True), "statuses": statuses})
    path = tmp_path / "measured.xlsx"
    export_xlsx(stream, path)
    assert import_spreadsheet(path) == stream
    sheet = openpyxl.load_workbook(path)["Statuses"]
    sheet["C3"], sheet["B4"], sheet["A5"], sheet["C2"] = "busy", "Nowhere", None, None
    broken = tmp_path / "broken.xlsx"
    sheet.parent.save(broken)
    with pytest.raises(VSMapperError) as caught:
        import_spreadsheet(broken)
    assert caught.value.details == [
        "Statuses, row 2, State: the state is blank; write one of waiting, working, done, ignore",
        "Statuses, row 3, State: 'busy' is not one of waiting, working, done, ignore",
        "Statuses, row 4, Stage: 'Nowhere' is not a stage in this sheet (a stage renamed in "
        "the Stages sheet keeps its old name in the Next, Rework to, AI opportunities, "
        "Scenarios and Statuses cells: write its new name or its Id there)",
        "Statuses, row 5, Status: the status is blank",
    ]
    # A sheet of the team's own by that name is no reason to refuse the workbook.
    workbook = openpyxl.load_workbook(path)
    del workbook["Statuses"]
    own = workbook.create_sheet("Statuses")
    own.append(["Jira status", "Meaning"])
    own.append(["In review", "waiting for a second pair of eyes"])
    workbook.save(broken)
    notices: list[str] = []
    assert import_spreadsheet(broken, notices=notices).statuses == {}
    assert "the Statuses sheet is left out" in notices[-1]
