"""Reading histories: three layouts, header synonyms, date forms, Excel, hostile files."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from tests.history.histories import hand_map, write_transitions
from vsmapper.errors import VSMapperError
from vsmapper.history.measure import measure
from vsmapper.history.reading import (
    MAX_CELL_CHARACTERS,
    MAX_STATUSES,
    parse_date_text,
    parse_timestamp_series,
    read_history,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-12T15:04:05", datetime(2024, 3, 12, 15, 4, 5)),
        ("2024-03-12T15:04:05.250", datetime(2024, 3, 12, 15, 4, 5, 250_000)),
        ("2024-03-12T15:04:05Z", datetime(2024, 3, 12, 15, 4, 5)),
        ("2024-03-12T15:04:05+02:00", datetime(2024, 3, 12, 13, 4, 5)),
        ("2024-03-12T15:04:05.5-0500", datetime(2024, 3, 12, 20, 4, 5, 500_000)),
        ("2024-03-12 15:04:05", datetime(2024, 3, 12, 15, 4, 5)),
        ("2024-03-12 15:04", datetime(2024, 3, 12, 15, 4)),
        ("2024-03-12", datetime(2024, 3, 12)),
        ("12/Mar/24 3:15 PM", datetime(2024, 3, 12, 15, 15)),
        ("01/Apr/24 9:05 AM", datetime(2024, 4, 1, 9, 5)),
        ("3/12/2024 3:04:05 PM", datetime(2024, 3, 12, 15, 4, 5)),
        (" 2024-03-12 15:04:05 +01:00 ", datetime(2024, 3, 12, 14, 4, 5)),
    ],
)
def test_every_date_form_reads(text: str, expected: datetime) -> None:
    assert parse_date_text(text, "--since") == expected


def test_a_column_of_mixed_forms_reads_each_value() -> None:
    values = pl.Series(["2024-03-12T10:00:00Z", "12/Mar/24 3:15 PM", "2024-03-13", None])
    assert parse_timestamp_series(values).to_list() == [
        datetime(2024, 3, 12, 10),
        datetime(2024, 3, 12, 15, 15),
        datetime(2024, 3, 13),
        None,
    ]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        # A day over 12 says the column is day first, as most of the world writes it.
        (
            ["08/11/2023 11:10", "13/11/2023 13:22", "04/12/2023"],
            [datetime(2023, 11, 8, 11, 10), datetime(2023, 11, 13, 13, 22), datetime(2023, 12, 4)],
        ),
        # A second part over 12: month first, as in the US.
        (
            ["11/08/2023 11:10", "11/13/2023"],
            [datetime(2023, 11, 8, 11, 10), datetime(2023, 11, 13)],
        ),
        # Dots always put the day first.
        (["08.11.2023 11:10:05"], [datetime(2023, 11, 8, 11, 10, 5)]),
        # Never told, or told both ways: unread, and the rows are named.
        (["03/04/2024", "05/06/2024"], [None, None]),
        (["13/04/2024", "04/13/2024"], [None, None]),
        (["31/02/2024 10:00", "13/01/2024"], [None, datetime(2024, 1, 13)]),
    ],
)
def test_dates_in_numbers_read_in_the_order_their_column_shows(
    values: list[str], expected: list[datetime | None]
) -> None:
    assert parse_timestamp_series(pl.Series(values, dtype=pl.String)).to_list() == expected


def test_one_order_of_dates_holds_for_every_date_column_of_a_file(tmp_path: Path) -> None:
    # "To do" alone cannot tell 05/03/2024 from 3 May; "Done" shows the file is day first.
    path = tmp_path / "wide.csv"
    path.write_text("Key,To do,Done\nA-1,05/03/2024,20/04/2024\nA-2,06/03/2024,\n", "utf-8")
    history = read_history(path)
    assert history.layout == "wide"
    assert sorted(history.events["at"].to_list()) == [
        datetime(2024, 3, 5),
        datetime(2024, 3, 6),
        datetime(2024, 4, 20),
    ]


def test_a_history_of_day_first_dates_reads(tmp_path: Path) -> None:
    rows = [
        ("A", "Story", "08/11/2023 11:10", "In dev"),
        ("A", "Story", "13/11/2023 13:22", "Done"),
    ]
    history = read_history(write_transitions(tmp_path / "h.csv", rows))
    assert history.events["at"].to_list() == [
        datetime(2023, 11, 8, 11, 10),
        datetime(2023, 11, 13, 13, 22),
    ]


def test_a_header_under_a_title_is_found_and_rows_keep_their_numbers(tmp_path: Path) -> None:
    path = write_transitions(tmp_path / "h.csv")
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(["Jira export 2026-11-30,,,", ",,,", *lines]) + "\n", "utf-8")
    history = read_history(path)
    assert (history.layout, history.items) == ("transitions", 4)
    lines[1] = lines[1].replace("2024-03-08T09:00:00", "someday")
    path.write_text("\n".join(["Jira export 2026-11-30,,,", *lines]) + "\n", "utf-8")
    with pytest.raises(VSMapperError, match="row 3, Changed: 'someday"):
        read_history(path)


def test_rows_blank_in_every_cell_are_left_out(tmp_path: Path) -> None:
    path = write_transitions(tmp_path / "h.csv")
    lines = path.read_text(encoding="utf-8").splitlines()
    # A spreadsheet's trailing empty rows, and one in the middle.
    lines.insert(3, ",,,")
    path.write_text("\n".join([*lines, ",,,", " , ,,", ""]), encoding="utf-8")
    assert read_history(path).items == 4
    lines[5] = lines[5].replace("2024-03-11T00:00:00", "someday")
    path.write_text("\n".join([*lines, ",,,"]), encoding="utf-8")
    with pytest.raises(VSMapperError, match="row 6, Changed: 'someday"):
        read_history(path)


@pytest.mark.parametrize("above", [["Jira export - Sprint 12"], ["sep=,"], ["Export", ""]])
def test_a_csv_title_or_sep_line_above_the_header_is_skipped(
    tmp_path: Path, above: list[str]
) -> None:
    path = write_transitions(tmp_path / "h.csv")
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([*above, *lines]) + "\n", "utf-8")
    assert read_history(path).items == 4
    lines[1] = lines[1].replace("2024-03-08T09:00:00", "someday")
    path.write_text("\n".join([*above, *lines]) + "\n", "utf-8")
    with pytest.raises(VSMapperError, match=f"row {len(above) + 2}, Changed: 'someday"):
        read_history(path)


def test_a_bad_date_names_the_form() -> None:
    with pytest.raises(VSMapperError, match=r"--until: 'next week' is not a date \(try"):
        parse_date_text("next week", "--until")


def test_a_date_either_order_reads_names_both_days() -> None:
    # As the Improvement plan's due dates say it: not "is not a date".
    with pytest.raises(VSMapperError, match=r"--since: '03/04/2026' could be 4 March or 3 April"):
        parse_date_text("03/04/2026", "--since")


def test_transitions_with_synonyms(tmp_path: Path) -> None:
    history = read_history(write_transitions(tmp_path / "h.csv"))
    assert history.layout == "transitions"
    assert history.items == 4
    assert history.events.columns == [
        "item",
        "item_code",
        "at",
        "status",
        "type",
        "seq",
        "first_entry",
    ]


def test_semicolon_csv_with_bom_and_other_synonyms(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_bytes(
        "\ufeffWork item;Timestamp;New status;Work item type\n"
        "1;2024-03-11 09:00;Active;Bug\n".encode()
    )
    history = read_history(path)
    assert history.events.drop("item_code").row(0)[:4] == (
        "1",
        datetime(2024, 3, 11, 9),
        "Active",
        "Bug",
    )


@pytest.mark.parametrize(
    "header",
    [
        "ID,Work Item Type,Changed,State",
        "ID,Work Item Type,Changed Date,State",
        "System.Id,System.WorkItemType,System.ChangedDate,System.State",
        "WorkItemId,WorkItemType,ChangedDate,State",
    ],
)
def test_azure_devops_state_exports_are_transitions(tmp_path: Path, header: str) -> None:
    path = tmp_path / "ado.csv"
    path.write_text(
        f"{header}\n1,Bug,3/12/2024 3:04:05 PM,New\n1,Bug,3/13/2024 9:00:00 AM,Active\n",
        encoding="utf-8",
    )
    history = read_history(path)
    assert history.layout == "transitions"
    assert history.events.select("item", "at", "status", "type").rows() == [
        ("1", datetime(2024, 3, 12, 15, 4, 5), "New", "Bug"),
        ("1", datetime(2024, 3, 13, 9), "Active", "Bug"),
    ]


def test_a_file_that_fits_no_layout_says_so_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_text(
        "ID,Work Item Type,When,Status Name\n"
        + "".join(f"{n},Bug,2024-03-12,Active\n" for n in range(100)),
        encoding="utf-8",
    )
    with pytest.raises(VSMapperError) as caught:
        read_history(path)
    assert str(caught.value) == (
        f"{path}: cannot tell the layout from the columns 'ID', 'Work Item Type', 'When', "
        "'Status Name' ('Status Name' holds no dates); give 'Item', 'At', 'To' (a row per "
        "status change), 'Item', 'Status', 'Entered', 'Exited' (a row per visit), or 'Item' "
        "and a column per status holding the date the item entered it"
    )
    assert not caught.value.details


def test_a_wide_file_with_a_bad_date_still_names_its_row(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text("Item,Ready,Done\nA,2024-03-11,2024-03-12\nB,2024-03-11,soon\n")
    with pytest.raises(VSMapperError, match=r"row 3, Done: 'soon' is not a date"):
        read_history(path)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_wide_file_with_a_status_given_twice_says_so(tmp_path: Path, suffix: str) -> None:
    # Its second column was called 'Backlog_duplicated_0', a status nobody wrote, and the
    # forecast from history went on with it.
    rows = [["Item", "Backlog", "Backlog", "Done"], ["A", "2026-01-05", "2026-01-06", "2026-01-07"]]
    path = tmp_path / f"wide{suffix}"
    if suffix == ".csv":
        path.write_text("\n".join(",".join(row) for row in rows) + "\n", encoding="utf-8")
    else:
        workbook = openpyxl.Workbook()
        for row in rows:
            workbook.active.append(row)
        workbook.save(path)
    with pytest.raises(VSMapperError, match=r": two columns are 'Backlog'; .*: keep one$"):
        read_history(path)


def intervals_csv(path: Path) -> Path:
    """The hand history as visits (B's second dev pass and the last exits included)."""
    path.write_text(
        "Item,Type,Status,Entered,Exited\n"
        "A,Story,Ready for dev,2024-03-08T09:00:00,2024-03-11T09:00:00\n"
        "A,Story,In dev,2024-03-11T09:00:00,2024-03-12T09:00:00\n"
        "A,Story,Done,2024-03-12T09:00:00,\n"
        "B,Bug,Ready for dev,2024-03-11T00:00:00,2024-03-11T12:00:00\n"
        "B,Bug,In dev,2024-03-11T12:00:00,2024-03-12T00:00:00\n"
        "B,Bug,In review,2024-03-12T00:00:00,2024-03-12T12:00:00\n"
        "B,Bug,In dev,2024-03-12T12:00:00,2024-03-13T00:00:00\n"
        "B,Bug,In review,2024-03-13T00:00:00,2024-03-13T06:00:00\n"
        "B,Bug,Done,2024-03-13T06:00:00,\n"
        "C,Story,Ready for dev,2024-03-13T00:00:00,2024-03-13T12:00:00\n"
        "C,Story,In dev,2024-03-13T12:00:00,\n"
        "D,Task,Ready for dev,2024-03-11T00:00:00,2024-03-11T12:00:00\n"
        "D,Task,Cancelled,2024-03-11T12:00:00,\n",
        encoding="utf-8",
    )
    return path


def test_intervals_measure_as_transitions_do(tmp_path: Path) -> None:
    history = read_history(intervals_csv(tmp_path / "visits.csv"))
    assert history.layout == "intervals"
    expected = measure(read_history(write_transitions(tmp_path / "t.csv")), hand_map())
    found = measure(history, hand_map())
    assert found.stages == expected.stages
    assert found.flow_times == expected.flow_times


def test_an_interval_that_ends_with_no_next_status_ends_the_visit(tmp_path: Path) -> None:
    path = tmp_path / "visits.csv"
    path.write_text(
        "Item,Status,Start,End\nA,In dev,2024-03-11T00:00:00,2024-03-11T12:00:00\n",
        encoding="utf-8",
    )
    found = measure(read_history(path), hand_map())
    assert (found.stage("dev").items, found.stage("dev").process.p50) == (1, 4.0)
    assert found.stage("dev").pca is None  # leaving the tracker is neither forward nor back


def test_wide_layout_keeps_the_column_order(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text(
        "Key,Type,Title,Ready for dev,In dev,In review,Done\n"
        "A,Story,Pay,2024-03-11 00:00,2024-03-11 12:00,2024-03-12 00:00,2024-03-12 06:00\n"
        "B,Bug,Fix,2024-03-11 00:00,,2024-03-11 06:00,\n",
        encoding="utf-8",
    )
    history = read_history(path)
    assert history.layout == "wide"
    assert history.workflow_order == ("Ready for dev", "In dev", "In review", "Done")
    found = measure(history, hand_map())
    assert found.done_items == 1
    assert found.stage("dev").wait.p50 == pytest.approx((4 + 2) / 2)
    assert found.flow_times == pytest.approx([10.0])


def test_xlsx_with_dates_serials_and_text(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Issue key", "Issue Type", "Date", "To Status"])
    sheet.append(["A", "Story", datetime(2024, 3, 11, 0, 0), "Ready for dev"])
    sheet.append(["A", "Story", 45362.5, "In dev"])  # Excel serial for 2024-03-11 12:00
    sheet.append(["A", "Story", "2024-03-12T00:00:00Z", "Done"])
    workbook.save(tmp_path / "h.xlsx")
    history = read_history(tmp_path / "h.xlsx")
    assert history.events["at"].to_list() == [
        datetime(2024, 3, 11),
        datetime(2024, 3, 11, 12),
        datetime(2024, 3, 12),
    ]
    found = measure(history, hand_map())
    assert (found.stage("dev").wait.p50, found.stage("dev").process.p50) == (4.0, 4.0)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "Key,Changed,To\nA,2024-03-11,Ready\nA,31/13/2024,Done\n",
            r"row 3, Changed: '31/13/2024' is not a date \(try",
        ),
        # Past Python's years, or a typo's: an overflow or "year 0 is out of range" stopped it.
        *(
            (
                f"Key,Changed,To\nA,2024-03-11,Ready\nA,{when},Done\n",
                rf"row 3, Changed: '{re.escape(when)}' is not a year a tracker writes \(1970–2099\)",
            )
            for when in (
                "9999-12-31T23:59:59.999999",
                "9999-12-31T23:00:00-05:00",
                "0000-01-01",
                "+20000-01-01",
                "2204-03-13 09:00",
                "12/31/2204",
                "2099-12-31T23:30:00-02:00",
            )
        ),
        (
            "Key,Changed,To\nA,2024-03-11,Ready\n,2024-03-12,Done\n",
            r"row 3, Key: the item is blank",
        ),
        ("Key,Changed,To\nA,,Ready\n", r"row 2, Changed: the date is blank"),
        ("Key,Changed,To\nA,2024-03-11,\n", r"row 2, To: the status is blank"),
        ("", r"the file is empty"),
        ("Owner,Colour\nx,y\n", r"no item column"),
        ("Key\nA\n", r"cannot tell the layout"),
        (
            "Item,Status,Entered,Exited\nA,In dev,2024-03-12,2024-03-11\n",
            r"row 2, Exited: the item exits before it enters",
        ),
    ],
)
def test_an_unreadable_row_fails_with_row_and_column(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(VSMapperError, match=message):
        read_history(path)


def test_every_bad_row_is_listed_up_to_twenty(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "Key,Changed,To\n" + "".join(f"A,someday {n},Done\n" for n in range(30)), encoding="utf-8"
    )
    with pytest.raises(VSMapperError) as caught:
        read_history(path)
    assert "row 2, Changed: 'someday 0'" in str(caught.value)
    assert "(30 rows in all)" in str(caught.value)
    # The first is the message: a single bad row was listed twice.
    assert len(caught.value.details) == 19
    assert caught.value.details[0].startswith("row 3, Changed: 'someday 1'")


def test_a_huge_cell_is_refused_by_row(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    path.write_text(f"Key,Changed,To\nA,2024-03-11,{'x' * 5_000_000}\n", encoding="utf-8")
    with pytest.raises(
        VSMapperError, match=rf"row 2, To: 5,000,000 characters .*{MAX_CELL_CHARACTERS:,}"
    ):
        read_history(path)


def test_a_million_distinct_statuses_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "many.csv"
    rows = "".join(f"I{n},2024-03-11,S{n}\n" for n in range(1_000_000))
    path.write_text("Key,Changed,To\n" + rows, encoding="utf-8")
    with pytest.raises(
        VSMapperError, match=rf"1,000,000 different statuses; at most {MAX_STATUSES}"
    ):
        read_history(path)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("h.txt", b"x", r"read from \.csv or \.xlsx"),
        ("h.csv", "Key,Changed,To\nA,2024-03-11,D\xe9j\xe0\n".encode("latin-1"), r"not UTF-8"),
        # Excel's "Unicode Text": read on, its column names came out garbled.
        ("h.csv", "Key,Changed,To\nA,2024-03-11,Done\n".encode("utf-16"), r"^\S+: not UTF-8"),
        ("h.csv", b"PK\x03\x04rest of a workbook", r"an Excel workbook \(\.xlsx\) named \.csv"),
        ("h.xlsx", b"not a zip", r"not an Excel workbook"),
    ],
)
def test_wrong_files_are_one_clear_error(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(VSMapperError, match=message):
        read_history(path)


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(VSMapperError, match="no such file"):
        read_history(tmp_path / "gone.csv")
