"""The CSV export of the stage table: UTF-8 with BOM, Excel's dialect, formula text guarded."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest

from tests.io.test_xlsx_export import (
    convert_with_libreoffice,
    formula_text_map,
    libreoffice_profile,  # noqa: F401 - a fixture, used by name
    needs_libreoffice,
    without_costs,
)
from vsmapper.errors import VSMapperError
from vsmapper.io.csv_export import export_csv
from vsmapper.io.mapfile import map_from_data
from vsmapper.io.spreadsheet import import_spreadsheet
from vsmapper.io.tables import STAGE_COLUMNS
from vsmapper.model import ValueStream


def unicode_map() -> ValueStream:
    return map_from_data(
        {
            "format": "vsmapper",
            "version": 1,
            "name": "Ünïcode",
            "stages": [
                {
                    "id": "u1",
                    "name": "Étude → QA",
                    "process_time": "2-5d",
                    "notes": "line one\nline two",
                },
                {"id": "u2", "name": '日本, "quoted"', "wait_time": 1.5},
            ],
        }
    )


def test_the_file_is_utf8_with_a_bom_and_crlf_lines(tmp_path: Path) -> None:
    path = tmp_path / "stages.csv"
    export_csv(unicode_map(), path)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfStage,Id,Phase,")
    assert b"\r\n" in data
    rows = list(csv.reader(data.decode("utf-8-sig").splitlines(keepends=True)))
    assert rows[0] == [column.title for column in STAGE_COLUMNS] + ["Map order"]
    assert [row[-1] for row in rows[1:]] == ["1", "2"]
    assert rows[1][:6] == ["Étude → QA", "u1", "creation", "other", "28", "0"]
    assert rows[2][0] == '日本, "quoted"'


def test_formula_looking_text_is_guarded_and_reads_back_exactly(tmp_path: Path) -> None:
    stream = formula_text_map()
    path = tmp_path / "stages.csv"
    export_csv(stream, path)
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    assert [row[0] for row in rows[1:]] == ["'=1+2", "'-rm -rf", "'=SUM(1,2)"]
    assert [row[12] for row in rows[1:3]] == ["'+49 30 1234", "'@SUM(A1:A9)"]
    assert import_spreadsheet(path).stages == stream.stages


def test_a_failed_export_leaves_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "missing-folder" / "stages.csv"
    with pytest.raises(VSMapperError, match="cannot be saved"):
        export_csv(unicode_map(), path)
    assert not path.parent.exists()


@pytest.mark.slow
@needs_libreoffice
def test_libreoffice_opens_it_as_text_not_formulas(
    tmp_path: Path,
    libreoffice_profile: Path,  # noqa: F811 - the imported fixture, by name
) -> None:
    path = tmp_path / "stages.csv"
    stream = formula_text_map().replaced(stages=[*formula_text_map().stages, *unicode_map().stages])
    export_csv(stream, path)
    # 76 is UTF-8: what a user picks in LibreOffice's import dialog, which finds the BOM.
    opened = convert_with_libreoffice(path, "xlsx", libreoffice_profile, "CSV:44,34,76")
    cells = [
        (cell.value, cell.data_type) for cell in openpyxl.load_workbook(opened).active["A"][1:]
    ]
    assert cells == [
        ("'=1+2", "s"),
        ("'-rm -rf", "s"),
        ("'=SUM(1,2)", "s"),
        ("Étude → QA", "s"),
        ('日本, "quoted"', "s"),
    ]


def test_computed_figures_carry_no_arithmetic_noise(tmp_path: Path) -> None:
    from vsmapper.cli import example_map_path
    from vsmapper.io.mapfile import load_map

    path = tmp_path / "stages.csv"
    export_csv(load_map(example_map_path()), path)
    rows = list(csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines()))
    intake = rows[0]
    # It read 1.4999999999999432.
    assert intake["Leverage (h)"] == "1.5"
    for row in rows:
        for column in ("Expected rework (h)", "Leverage (h)", "Share of expected lead time"):
            assert len(row[column].partition(".")[2]) <= 9, (row["Stage"], column, row[column])


def test_a_scenario_s_computed_hours_carry_no_arithmetic_noise(tmp_path: Path) -> None:
    from vsmapper.analysis import future_state

    stream = map_from_data(
        {
            "format": "vsmapper",
            "version": 1,
            "name": "Review",
            "stages": [
                {
                    "id": "review",
                    "name": "Review",
                    "process_time": "6h",
                    "ai": [{"id": "bot", "name": "Bot", "process_time_factor": 0.7}],
                }
            ],
            "scenarios": [{"id": "s", "name": "S", "ai": ["bot"]}],
        }
    )
    path = tmp_path / "stages.csv"
    export_csv(future_state(stream, stream.scenarios[0]).stream, path)
    rows = list(csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines()))
    # 6 × 0.7 is 4.199999999999999 in floating point.
    assert rows[0]["Process time (h)"] == "4.2"


def one_stage(process_time: str, wait_time: str) -> ValueStream:
    """A map of one stage with these times, as typed."""
    stage = {"id": "a", "name": "A", "process_time": process_time, "wait_time": wait_time}
    return map_from_data({"format": "vsmapper", "version": 1, "name": "One", "stages": [stage]})


def exported_row(stream: ValueStream, path: Path) -> dict[str, str]:
    """The first stage's row of the map's CSV export, written to ``path``."""
    export_csv(stream, path)
    return next(csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines()))


def test_hours_people_typed_are_written_exactly_however_many_digits(tmp_path: Path) -> None:
    row = exported_row(one_stage("10m", "1s"), tmp_path / "stages.csv")
    assert float(row["Process time (h)"]) == 10 / 60
    assert float(row["Wait time (h)"]) == 1 / 3600


def test_hours_worked_out_from_typed_figures_lose_their_arithmetic_s_noise(
    tmp_path: Path,
) -> None:
    row = exported_row(one_stage("2.4h-0.6d", "0.7d"), tmp_path / "stages.csv")
    # (2.4 + 4.8) / 2 is 3.5999999999999996 and 0.7 × 8 is 5.6000000000000005.
    assert (row["Process time (h)"], row["Wait time (h)"]) == ("3.6", "5.6")


def test_a_map_without_costs_says_its_cost_is_not_set(tmp_path: Path) -> None:
    from vsmapper.cli import example_map_path
    from vsmapper.io.mapfile import load_map

    stream = without_costs(load_map(example_map_path()))
    path = tmp_path / "stages.csv"
    export_csv(stream, path)
    rows = list(csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines()))
    # Not 0, which reads as free.
    assert {row["Cost per item"] for row in rows} == {"not set"}
    assert not import_spreadsheet(path).has_costs()


def test_a_unit_given_twice_as_older_versions_wrote_it_goes_round_trip(tmp_path: Path) -> None:
    # Typed, "2d 3d" is refused as a range with its dash missed; written by an older
    # version, its export must still import.
    path = tmp_path / "stages.csv"
    export_csv(one_stage("1h 30m 30m", "2d 3d"), path)
    stage = import_spreadsheet(path).stages[0]
    assert (stage.process_time.text, stage.wait_time.text) == ("1h 30m 30m", "2d 3d")
