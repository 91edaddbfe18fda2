"""Clipboard text as Excel writes it: tabs, quoted cells with line breaks, long rows."""

from __future__ import annotations

from vsmapper.io.paste import pasted_table


def values(text: str) -> list[list[object]]:
    return [[cell.value for cell in cells] for _, cells in pasted_table(text).rows]


def test_a_quoted_multi_line_cell_pastes_as_one_cell() -> None:
    text = 'Stage\tNotes\r\nReview\t"Two people;\r\nsee ""policy"""\r\nDeploy\t\r\n'
    assert values(text) == [
        ["Stage", "Notes"],
        ["Review", 'Two people;\r\nsee "policy"'],
        ["Deploy", ""],
    ]


def test_rows_without_a_header_take_the_usual_column_order() -> None:
    assert values("Build\tcreation\tcoding\t2d\n\n") == [
        ["Stage", "Phase", "Kind", "Process time"],
        ["Build", "creation", "coding", "2d"],
    ]


def test_a_2_kb_pasted_row_is_read_at_once() -> None:
    # Each cell used to go through a backtracking header pattern: seconds for this row.
    row = "\t".join(["Stage" + " " * 2000 + "x"] + ["a" + " " * 100 + "b"] * 10)
    assert len(values(row + "\n")[1]) == 11


def test_a_title_above_the_header_is_left_out() -> None:
    table = pasted_table("Q3 workshop\n\nStage\tProcess time\nBuild\t2d\n")
    assert [(number, [cell.value for cell in cells]) for number, cells in table.rows] == [
        (2, ["Stage", "Process time"]),
        (3, ["Build", "2d"]),
    ]
