"""``vsmapper measure`` and ``vsmapper forecast --from-history`` against hand-worked figures."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest

from tests.history.histories import HAND_ROWS, WEEKS, WINDOW_HOURS, hand_map, write_transitions
from vsmapper.cli import example_map_path, main
from vsmapper.io.mapfile import load_map, save_map
from vsmapper.model.stream import Stage, StatusMapping, ValueStream

EXAMPLE_HISTORY = example_map_path().with_name("idea-to-production.history.csv")


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def hand_files(tmp_path: Path) -> tuple[Path, Path]:
    log = write_transitions(tmp_path / "hand.csv")
    drawn = tmp_path / "hand.vsm.json"
    save_map(hand_map(), drawn)
    return log, drawn


def test_measure_json_every_key_by_hand(
    hand_files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    log, drawn = hand_files
    code, out, err = run(["measure", str(log), "--map", str(drawn), "--json"], capsys)
    assert (code, err) == (0, "")
    report = json.loads(out)
    assert report == {
        "layout": "transitions",
        "items": 4,
        "done_items": 2,
        "window": {"from": "2024-03-08T09:00:00", "to": "2024-03-13T12:00:00"},
        "flow_time_hours": {"p50": 17.0, "p85": 17.7, "p95": 17.9, "mean": 17.0},
        "flow_velocity_per_week": pytest.approx(2 / WEEKS, rel=1e-15),
        "flow_efficiency": pytest.approx(22 / 34, rel=1e-15),
        "flow_load": pytest.approx(174 / WINDOW_HOURS, rel=1e-15),
        "distribution": {"Bug": 0.5, "Story": 0.5},
        "stages": [
            {
                "id": "dev",
                "name": "Development",
                "statuses": ["Ready for dev", "In dev"],
                "items": 3,
                "wait_hours": {"p10": 4.0, "p50": 4.0, "p90": pytest.approx(7.2)},
                "process_hours": {
                    "p10": pytest.approx(0.8),
                    "p50": 4.0,
                    "p90": pytest.approx(7.2),
                },
                "pca": 100.0,
                "rework_to": None,
                "wip": pytest.approx(108 / WINDOW_HOURS),
                "throughput_per_week": pytest.approx(4 / WEEKS),
            },
            {
                "id": "review",
                "name": "Review",
                "statuses": ["In review"],
                "items": 1,
                # No waiting status maps to Review: its queue is not seen, not empty.
                "wait_hours": {"p10": None, "p50": None, "p90": None},
                "process_hours": {"p10": 4.0, "p50": 4.0, "p90": 4.0},
                "pca": 50.0,
                "rework_to": "Development",
                "wip": None,
                "throughput_per_week": pytest.approx(2 / WEEKS),
            },
        ],
        # The drawn map: 1 day's wait at dev and 2 h of review.
        "model_lead_time_hours": 10.0,
        "caveats": [
            "Only 4 items: too few to measure a map "
            "(at least ~30 done items make percentiles meaningful)"
        ],
    }


def test_what_to_doubt_is_said_first(
    hand_files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["measure", str(hand_files[0])], capsys)
    assert (code, err) == (0, "")
    assert out.splitlines()[1] == (
        "Caveat: Only 4 items: too few to measure a map "
        "(at least ~30 done items make percentiles meaningful)."
    )
    args = ["forecast", "--from-history", str(hand_files[0]), "--items", "4", "--seed", "1"]
    assert run(args, capsys)[1].startswith("Caveat: Only 4 items")


def test_numbers_are_full_precision(
    hand_files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = run(["measure", str(hand_files[0]), "--json"], capsys)
    report = json.loads(out)
    assert report["flow_velocity_per_week"] == 2 / (123 / 168)
    assert f"{2 / (123 / 168)!r}" in out
    assert report["model_lead_time_hours"] is None


def test_measure_writes_the_measured_map_keeping_drawn_fields(
    hand_files: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log, drawn = hand_files
    out = tmp_path / "measured.vsm.json"
    code, text, _ = run(["measure", str(log), "--map", str(drawn), "--out", str(out)], capsys)
    assert code == 0
    assert "Development" in text
    measured = load_map(out)
    dev, review = measured.stages
    assert (dev.id, dev.name, dev.kind) == ("dev", "Development", "coding")
    assert dev.wait_time.hours() == pytest.approx((4, 4, 7.2))
    assert dev.process_time.hours() == pytest.approx((0.8, 4, 7.2))
    assert (review.pca, review.rework_to) == (50.0, "dev")
    assert measured.demand_per_week == round(2 / WEEKS, 2)  # velocity, to two decimals
    assert measured.statuses == hand_map().statuses
    assert measured.version == 2


def test_a_queue_the_new_export_lacks_keeps_the_drawn_wait_and_is_not_compared(
    hand_files: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, drawn = hand_files
    rows = [row for row in HAND_ROWS if row[3] != "Ready for dev"]
    log = write_transitions(tmp_path / "no-queue.csv", rows)
    out = tmp_path / "measured.vsm.json"
    code, text, _ = run(["measure", str(log), "--map", str(drawn), "--out", str(out)], capsys)
    assert code == 0
    assert "Development" in text and "–/–/–" in text
    assert "drawn wait" not in text
    assert load_map(out).stage("dev").wait_time == hand_map().stage("dev").wait_time


def test_measure_writes_a_workbook_with_the_measured_flow(
    hand_files: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log, drawn = hand_files
    out = tmp_path / "measured.xlsx"
    assert run(["measure", str(log), "--map", str(drawn), "--out", str(out)], capsys)[0] == 0
    sheet = openpyxl.load_workbook(out)["Measured flow"]
    figures = {row[0]: row[1] for row in sheet.iter_rows(max_row=11, values_only=True)}
    assert figures["Done items"] == 2
    assert figures["Flow time P50 (h)"] == pytest.approx(17)
    assert figures["Flow time P85 (h)"] == pytest.approx(17.7)
    assert figures["Throughput per week"] == pytest.approx(2 / WEEKS)
    rows = list(sheet.iter_rows(min_row=13, max_row=15, values_only=True))
    header, dev = rows[0], dict(zip(rows[0], rows[1], strict=True))
    assert header[:2] == ("Stage", "Items measured")
    assert dev["Stage"] == "Development"
    assert (dev["Measured wait P10 (h)"], dev["Measured wait P90 (h)"]) == pytest.approx((4, 7.2))
    # The measured map's estimates are the measured ones: map and measurement agree.
    assert dev["Map wait (h)"] == pytest.approx(dev["Measured wait P50 (h)"])
    weeks = list(sheet.iter_rows(min_row=17, values_only=True))
    assert [row[:2] for row in weeks][1:] == [
        (datetime(2024, 3, 4), 0),
        (datetime(2024, 3, 11), 2),
    ]


def test_a_new_map_from_history_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = write_transitions(tmp_path / "hand.csv")
    out = tmp_path / "new.vsm.json"
    assert run(["measure", str(log), "--out", str(out)], capsys)[0] == 0
    measured = load_map(out)
    assert [stage.name for stage in measured.stages] == ["In dev", "In review"]
    assert measured.stages[1].rework_to == "in-dev"


def test_the_window_and_calendar_options(
    hand_files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    log, drawn = hand_files
    args = ["measure", str(log), "--map", str(drawn), "--json", "--since", "2024-03-11"]
    report = json.loads(run([*args, "--until", "2024-03-13", "--hours-per-day", "6"], capsys)[1])
    assert report["window"] == {"from": "2024-03-11T00:00:00", "to": "2024-03-13T00:00:00"}
    assert report["done_items"] == 1
    assert report["flow_time_hours"]["p50"] == pytest.approx(16 * 6 / 8)
    assert report["stages"][0]["items"] == 2


def test_measure_the_example_history_onto_the_example_map(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["measure", str(EXAMPLE_HISTORY), "--map", str(example_map_path())], capsys)
    assert code == 0
    # The gap is the difference of the times as written: each rounded alone, it was 1w 0.1d.
    assert (
        "says 9w 0.8d; the tracker says 10w 0.8d at P50: 1w are not on the map; most of it "
        "waits in 'Ready for QA'"
    ) in out
    out_file = tmp_path / "measured.vsm.json"
    run(
        ["measure", str(EXAMPLE_HISTORY), "--map", str(example_map_path()), "--out", str(out_file)],
        capsys,
    )
    stages = json.loads(out_file.read_text(encoding="utf-8"))["stages"]
    drawn = json.loads(example_map_path().read_text(encoding="utf-8"))["stages"]
    # No waiting status maps to Monitor & verify: the tracker cannot see its wait.
    assert [stage["wait_time"] for stage in stages if stage["id"] == "monitor"] == ["0-4h"]
    # Written as people read them: each time in its own unit to three figures ("29.75h" was
    # "3.72d"), tenths of a percent.
    for stage, before in zip(stages, drawn, strict=True):
        for field in ("process_time", "wait_time"):
            if stage[field] == before.get(field, 0):
                continue  # kept as drawn
            for time in stage[field].split("/"):
                figure, unit = time[:-1], time[-1]
                assert unit in "mhdw" and len(figure.replace(".", "").lstrip("0")) <= 3, (
                    stage["name"],
                    stage[field],
                )
        assert round(stage["pca"], 1) == stage["pca"]
    assert any("d/" in str(stage["wait_time"]) for stage in stages)


@pytest.mark.parametrize(
    ("args", "message", "exit_code"),
    [
        (["measure", "{dir}/gone.csv"], "no such file", 3),
        (["measure", "{log}", "--since", "soon"], "--since: 'soon' is not a date", 3),
        (
            ["measure", "{log}", "--since", "2024-03-12", "--until", "2024-03-11"],
            "is not after",
            3,
        ),
        (
            ["measure", "{log}", "--since", "2024-03-14"],
            "--since: 2024-03-14 is after the history's last date, 2024-03-13 12:00\n",
            3,
        ),
        (
            ["measure", "{log}", "--until", "2024-03-08"],
            "--until: 2024-03-08 is not after the history's first date, 2024-03-08 09:00\n",
            3,
        ),
        (["measure", "{log}", "--map", "{dir}/gone.vsm.json"], "no such file", 3),
        (["measure", "{log}", "--out", "{dir}/out.json"], "name it *.vsm.json or *.xlsx", 2),
        (["measure", "{log}", "--map", "{map}", "--out", "{map}"], "is an input file", 2),
        (["forecast", "--from-history", "{log}"], "needs --items N or --by DATE", 2),
        (
            ["forecast", "{map}", "--from-history", "{log}", "--items", "5", "--scenario", "x"],
            "--scenario goes with a map's forecast",
            2,
        ),
    ],
)
def test_errors_are_one_line_exit_2_for_usage_and_3_for_input(
    hand_files: tuple[Path, Path],
    tmp_path: Path,
    args: list[str],
    message: str,
    exit_code: int,
    capsys: pytest.CaptureFixture[str],
) -> None:
    log, drawn = hand_files
    filled = [a.format(dir=tmp_path, log=log, map=drawn) for a in args]
    code, out, err = run(filled, capsys)
    assert code == exit_code
    assert out == ""
    assert err.startswith("vsmapper: error: ") and message in err
    assert not (tmp_path / "out.json").exists()


def test_a_failed_measure_leaves_the_output_as_it_was(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("Key,Changed,To\nA,someday,Done\n", encoding="utf-8")
    out = tmp_path / "out.vsm.json"
    out.write_text("keep me", encoding="utf-8")
    code, _, err = run(["measure", str(bad), "--out", str(out)], capsys)
    assert code == 3
    assert "row 2, Changed: 'someday' is not a date" in err
    assert out.read_text(encoding="utf-8") == "keep me"


def test_forecast_from_history(
    hand_files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    log, _ = hand_files
    code, out, _ = run(
        ["forecast", "--from-history", str(log), "--items", "4", "--seed", "1", "--json"], capsys
    )
    assert code == 0
    report = json.loads(out)
    # Weeks of the window: 0 done, then 2 done; 4 items need two weeks of 2.
    assert report["weekly_throughput"] == [0, 2]
    assert report["items"] == 4
    # Counted from today: from the history's end, 2024-03-13, every date was past.
    assert report["from"] == max(date(2024, 3, 13), date.today()).isoformat()
    by = (date.fromisoformat(report["from"]) + timedelta(days=28)).isoformat()
    code, out, _ = run(["forecast", "--from-history", str(log), "--by", by], capsys)
    assert code == 0
    assert f"Items done by {by}" in out
    # One item is "1 item", here and in measure's first line.
    code, out, _ = run(
        ["forecast", "--from-history", str(log), "--items", "1", "--seed", "6"], capsys
    )
    assert code == 0 and "\n1 item from " in out and "(1 week)" in out
    one = write_transitions(log.with_name("one.csv"), HAND_ROWS[:3])
    code, out, _ = run(["measure", str(one)], capsys)
    assert code == 0 and "history: 1 item, 1 done" in out


def test_forecast_without_a_file_or_history_is_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["forecast"], capsys)[0] == 2
    assert run(["forecast", "x.vsm.json", "--items", "3"], capsys)[0] == 2


def test_the_cli_does_not_load_polars_for_analyze() -> None:
    code = "import sys, vsmapper.cli\nprint('polars' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize("out", ["-.vsm.json", "-", "-.xlsx", ""])
@pytest.mark.parametrize("command", ["measure", "survey"])
def test_out_is_never_standard_output_nor_a_file_named_dash(
    hand_files: tuple[Path, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: str,
    out: str,
) -> None:
    log, drawn = hand_files
    monkeypatch.chdir(tmp_path)
    before = sorted(path.name for path in tmp_path.iterdir())
    source = log if command == "measure" else drawn
    code, printed, err = run([command, str(source), "--out", out], capsys)
    assert (code, printed) == (2, "")
    assert err.startswith("vsmapper: error: argument --out: ") and err.count("\n") == 1
    assert sorted(path.name for path in tmp_path.iterdir()) == before


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["forecast", "--from-history", "{log}", "--by", ""], "--by"),
        (["forecast", "--from-history", "", "--items", "3"], "--from-history"),
        (["measure", "{log}", "--since", ""], "--since"),
        (["measure", "{log}", "--until", " "], "--until"),
        (["measure", "{log}", "--map", ""], "--map"),
        (["analyze", "{map}", "--scenario", ""], "--scenario"),
        (["survey", "{map}", "--host", ""], "--host"),
    ],
)
def test_an_empty_option_value_is_wrong_usage_naming_the_option(
    hand_files: tuple[Path, Path], capsys: pytest.CaptureFixture[str], args: list[str], option: str
) -> None:
    log, drawn = hand_files
    filled = [arg.format(log=log, map=drawn) for arg in args]
    code, out, err = run(filled, capsys)
    assert (code, out) == (2, "")
    assert err.startswith(f"vsmapper: error: argument {option}: ") and err.count("\n") == 1
    assert "is empty; leave the option out instead" in err


def test_statuses_in_the_measure_report_cannot_forge_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "log.csv"
    with log.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["Key", "Changed", "To status"])
        for item in "AB":
            writer.writerow([item, "2024-03-04", "Ready"])
            writer.writerow([item, "2024-03-05", "In dev\nvsmapper: ok\x1b[2J"])
            writer.writerow([item, "2024-03-07", "Done"])
    for args in (["measure", str(log)], ["forecast", "--from-history", str(log), "--items", "2"]):
        code, out, _ = run(args, capsys)
        assert code == 0
        assert all(line.isprintable() for line in out.splitlines())
        assert not any(line.startswith("vsmapper:") for line in out.splitlines())
    assert "In dev\\nvsmapper: ok\\x1b[2J" in run(["measure", str(log)], capsys)[1]


def test_a_sliver_of_flow_efficiency_reads_as_under_one_percent() -> None:
    import dataclasses

    from vsmapper.history.cli import measurement_text
    from vsmapper.history.measure import measure
    from vsmapper.history.reading import read_history
    from vsmapper.history.statuses import guess_statuses

    history = read_history(EXAMPLE_HISTORY)
    stream = guess_statuses(history, load_map(example_map_path()))
    found = dataclasses.replace(measure(history, stream), flow_efficiency=0.003)
    # As every view shows a share: "0%" read as no work at all.
    assert "Flow efficiency <1%" in measurement_text(found, stream)


def test_a_throughput_forecast_says_its_seed_to_run_it_again(
    hand_files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    log, _ = hand_files
    args = ["forecast", "--from-history", str(log), "--items", "6"]
    code, out, _ = run([*args, "--json"], capsys)
    first = json.loads(out)
    # It was null: a forecast worth showing could not be had again.
    assert code == 0 and isinstance(first["seed"], int)
    code, out, _ = run([*args, "--json", "--seed", str(first["seed"])], capsys)
    assert json.loads(out)["dates"] == first["dates"]
    code, out, _ = run([*args, "--seed", "7"], capsys)
    assert "(10,000 trials, seed 7):" in out


@pytest.mark.parametrize(
    "names", [["Anforderung", "Entwicklung", "Abnahme", "Auslieferung"], ["A", "B"]]
)
def test_a_map_no_status_matches_is_refused_and_nothing_saved(
    tmp_path: Path, names: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    # Every status went to ignore: "Flow time P50 0" for 1,302 done items, and the map "shows
    # 3w 4.8d more than items take".
    drawn = tmp_path / "drawn.vsm.json"
    stages = [Stage(id=f"s{place}", name=name) for place, name in enumerate(names)]
    save_map(ValueStream(name="Drawn", stages=stages), drawn)
    out = tmp_path / "out.vsm.json"
    for extra in ([], ["--json"], ["--out", str(out)]):
        code, printed, err = run(
            ["measure", str(EXAMPLE_HISTORY), "--map", str(drawn), *extra], capsys
        )
        assert (code, printed) == (3, "")
        assert err.count("\n") == 1
        assert f"no status matches a stage of {drawn} (statuses: 'Triage', " in err
        assert f"stages: {', '.join(names)}), so nothing can be measured" in err
        assert '"statuses", as "Triage": {"stage": "s0", "state": "working"}' in err
    assert not out.exists()
    assert load_map(drawn).statuses == {}


def test_a_saved_mapping_that_places_no_status_is_refused(
    hand_files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    log, drawn = hand_files
    stream = load_map(drawn)
    ignored = {status: StatusMapping(state="ignore") for status in stream.statuses}
    save_map(stream.replaced(statuses={**ignored, "Done": StatusMapping(state="done")}), drawn)
    code, _, err = run(["measure", str(log), "--map", str(drawn)], capsys)
    assert code == 3
    assert "no status matches a stage of" in err and "'Ready for dev', 'In dev'" in err
    # A throughput forecast counts done items alone: it needs no stage.
    assert run(["forecast", str(drawn), "--from-history", str(log), "--items", "2"], capsys)[0] == 0


def test_a_history_with_no_status_to_wait_or_work_in_makes_no_map(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [("A", "Story", "2024-03-11T09:00:00", "Backlog"), ("A", "Story", "2024-03-12", "Done")]
    code, _, err = run(["measure", str(write_transitions(tmp_path / "h.csv", rows))], capsys)
    assert code == 3
    assert "no status is one items wait or work in (statuses: 'Backlog', 'Done')" in err
