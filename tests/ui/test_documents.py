"""File › Import and File › Export: pictures, the PDF report, and the dispatch."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import defusedxml.ElementTree as ElementTree
import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from benchmarks.maps import synthetic_map
from tests.ui.conftest import prefixed_names_map
from vsmapper.analysis import analyze, sensitivity
from vsmapper.analysis.forecast import forecast
from vsmapper.cli import example_map_path
from vsmapper.errors import VSMapperError
from vsmapper.io.exports import CURRENT_STATE, EXPORT_SUFFIXES
from vsmapper.io.mapfile import load_map, map_from_data
from vsmapper.model import ValueStream
from vsmapper.model.duration import format_hours
from vsmapper.model.stream import Note
from vsmapper.ui import documents, units
from vsmapper.ui.canvas import MapScene
from vsmapper.ui.canvas.render import SLIDE, map_source_rect, render_image
from vsmapper.ui.documents import (
    EXPORT_FILTER,
    EXPORT_FILTERS,
    IMPORT_FILTER,
    REPORT_LEAST_NAME_SIZE,
    TOP_LEVERS,
    export_map,
    import_map,
    map_pages,
    path_with_suffix,
    write_report,
)

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None,
    reason="poppler-utils (pdftoppm, pdftotext) is not installed; .ci/run installs it",
)


@pytest.fixture
def example(qapp: QApplication) -> ValueStream:
    return load_map(example_map_path())


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def pdf_page_image(path: Path, folder: Path, pages: int = 1) -> QImage:
    """The PDF's first page rendered by poppler at 40 dpi; it must have ``pages`` pages."""
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", str(path), str(folder / "page")],
        check=True,
        capture_output=True,
    )
    rendered = sorted(folder.glob("page*.png"))
    assert len(rendered) == pages
    return QImage(str(rendered[0]))


def share_not_white(image: QImage) -> float:
    """How much of the picture is drawn on, sampled on a grid."""
    samples = [
        image.pixelColor(x, y)
        for x in range(0, image.width(), 4)
        for y in range(0, image.height(), 4)
    ]
    return sum(color.lightness() < 245 for color in samples) / len(samples)


def test_png_export_follows_the_scale(tmp_path: Path, example: ValueStream) -> None:
    small, large = tmp_path / "small.png", tmp_path / "large.png"
    export_map(example, small, scale=1)
    export_map(example, large, scale=2)
    one, two = QImage(str(small)), QImage(str(large))
    assert not one.isNull()
    assert abs(two.width() - 2 * one.width()) <= 2
    assert share_not_white(one) > 0.1


def test_svg_export_is_a_drawing_with_text(tmp_path: Path, example: ValueStream) -> None:
    path = tmp_path / "map.svg"
    export_map(example, path)
    root = ElementTree.fromstring(path.read_bytes())
    assert root.tag.endswith("svg")
    assert "Backlog refinement" in path.read_text(encoding="utf-8")


@pytest.mark.parametrize("stages", [60, 240])
def test_a_long_maps_picture_has_the_shape_of_a_slide(
    tmp_path: Path, qapp: QApplication, stages: int
) -> None:
    path = tmp_path / "map.svg"
    export_map(synthetic_map(stages), path)
    box = ElementTree.fromstring(path.read_bytes()).get("viewBox", "")
    _, _, width, height = map(float, box.split())
    # Wrapped to read across a screen that scrolls, 240 stages made a picture 2,116 × 16,160.
    assert 1.3 <= width / height <= 2.4


def test_a_long_maps_png_is_shrunk_no_further_than_its_names_read(qapp: QApplication) -> None:
    stream = synthetic_map(240)
    scene = documents._picture_scene(stream, CURRENT_STATE, room=SLIDE)
    image = render_image(scene)
    pixels = image.width() / map_source_rect(scene).width()
    smallest = min(scene.stage_item(stage.id).title_size() for stage in stream.stages)
    assert smallest * pixels >= 16


@pytest.mark.slow
@needs_poppler
def test_the_report_is_a_full_page_of_the_leaders_figures_then_the_map(
    tmp_path: Path, example: ValueStream
) -> None:
    path = tmp_path / "report.pdf"
    result = forecast(example, 2000, 11)
    export_map(example, path, forecast_result=result)
    assert path.read_bytes().startswith(b"%PDF")
    page = pdf_page_image(path, tmp_path, pages=2)
    assert page.width() > page.height()
    assert share_not_white(page) > 0.12
    text, map_page = pdf_text(path).split("\f")[:2]
    assert "The map" in map_page
    for stage in example.stages:
        assert stage.name.split()[0] in map_page, stage.name
    analysis = analyze(example)
    for expected in (
        example.name,
        "LEAD TIME",
        "FLOW EFFICIENCY",
        "15.9%",
        "THE CONSTRAINT",
        analysis.constraint.stage,
        "Where it would matter",
        "Scenarios against the current state",
        "AI across the stream",
        "−10%",
        "Forecast",
        "P85",
        format_hours(result.p85_hours),
        "seed 11",
    ):
        assert expected in text, expected


@pytest.mark.slow
@needs_poppler
def test_the_reports_takeaway_puts_ai_costs_beside_a_cut_not_as_its_price(
    example: ValueStream,
) -> None:
    # "would cut lead time by 2w 0.7d (23%) for 1,000 USD a month in AI tools" credited AI
    # with what the scenario's weekly meeting, a policy change, cut.
    from vsmapper.analysis.scenario import compare

    comparisons = [compare(example, scenario) for scenario in example.scenarios]
    text = documents._takeaway(comparisons, format_hours, example.currency)
    assert " for " not in text.split(".")[0] and "a month in AI tools" not in text
    best = min(comparisons, key=lambda found: found.lead_time_delta_hours or 0.0)
    if best.monthly_ai_cost:
        assert "; its AI tools cost " in text and " a month." in text


@needs_poppler
def test_the_report_writes_scenario_names_on_two_lines_and_names_most_stages_under_its_bar(
    tmp_path: Path, example: ValueStream
) -> None:
    path = tmp_path / "report.pdf"
    export_map(example, path, forecast_result=forecast(example, 500, 11))
    page = subprocess.run(
        ["pdftotext", "-l", "1", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    words = " ".join(page.split())
    # Cut to one line, "Coding assistant, 30% …" lost what set it apart from the others.
    assert "Coding assistant, 30% more changes" in words
    # On two lines, from each stage's start, 10 of the 11 stages on the critical path are
    # named; on one line, within their own stages, 7 were, one of them cut.
    path_names = [example.stage(stage_id).name for stage_id in analyze(example).critical_path]
    named = [name for name in path_names if name in words]
    assert len(named) >= len(path_names) - 1, set(path_names) - set(named)


@needs_poppler
def test_the_whole_report_writes_durations_in_the_unit_the_user_chose(
    tmp_path: Path, example: ValueStream
) -> None:
    # Page 1 wrote "9w 0.8d" and "366.2 h" while the map overleaf, in the user's unit, "10d".
    path = tmp_path / "report.pdf"
    burst = Note(
        id="k",
        stage="discovery",
        kind="kaizen",
        text="Weekly triage",
        scenario=example.scenarios[1].id,
    )
    planned = example.model_copy(update={"notes": [burst]})
    units.use_display_unit("days")
    try:
        export_map(planned, path, forecast_result=forecast(planned, 500, 11))
    finally:
        units.use_display_unit("auto")
    figures, map_page, *rest = pdf_text(path).split("\f")
    assert "45.8d" in figures and "9w 0.8d" not in figures
    assert not re.search(r"\d h\b(?! a day)", figures)
    assert "10d" in map_page
    plan = next(page for page in rest if "Weekly triage" in page)
    assert not re.search(r"\d+w\b", plan) and re.search(r"\d+(\.\d)?d\b", plan)


def test_the_report_names_each_lever_whole(tmp_path: Path, qapp: QApplication) -> None:
    stream = prefixed_names_map()
    path = tmp_path / "report.pdf"
    export_map(stream, path, forecast_result=forecast(stream, 500, 11))
    text = pdf_text(path).split("\f")[0]
    levers = [found.stage for found in sensitivity(stream) if found.best_hours > 0]
    for name in levers[:TOP_LEVERS]:
        assert re.search(rf"{re.escape(name)}\s+−", text), name


@pytest.mark.slow
@needs_poppler
def test_the_forecast_s_histogram_has_a_lead_time_axis(
    tmp_path: Path, example: ValueStream
) -> None:
    path = tmp_path / "report.pdf"
    result = forecast(example, 2000, 11)
    export_map(example, path, forecast_result=result)
    text = pdf_text(path).split("\f")[0]
    assert "lead time of an item (working time)" in text
    for hours in (result.histogram_edges[0], result.histogram_edges[-1]):
        assert format_hours(hours, 8, 5) in text


@pytest.mark.slow
@needs_poppler
def test_the_report_runs_a_seeded_forecast_when_none_is_given(
    tmp_path: Path, example: ValueStream
) -> None:
    first, second = tmp_path / "a.pdf", tmp_path / "b.pdf"
    write_report(example, first)
    write_report(example, second)
    # Where the note wraps depends on the fonts installed: "seed" may end a line.
    assert {"(seed", "20240601)."} <= set(pdf_text(first).split())
    assert pdf_text(first) == pdf_text(second)


@pytest.mark.slow
@needs_poppler
def test_a_scenario_report_says_which_state_it_shows(tmp_path: Path, example: ValueStream) -> None:
    path = tmp_path / "future.pdf"
    export_map(example, path, scenario="AI across the stream")
    text = pdf_text(path)
    assert "Scenario: AI across the stream" in text
    # Its own map carries no scenarios; the page compares those of the map it was made from.
    assert "No scenarios yet" not in text
    for scenario in example.scenarios:
        assert scenario.name.split(",")[0] in text, scenario.name


@pytest.mark.slow
@needs_poppler
def test_an_empty_map_still_makes_a_page(tmp_path: Path, qapp: QApplication) -> None:
    empty = map_from_data({"format": "vsmapper", "version": 1, "name": "Blank", "stages": []})
    path = tmp_path / "blank.pdf"
    write_report(empty, path)
    pdf_page_image(path, tmp_path)
    assert "No stages to forecast" in pdf_text(path)


def test_data_formats_are_dispatched_by_extension(tmp_path: Path, example: ValueStream) -> None:
    for name in ("map.xlsx", "map.csv", "map.vsm.json"):
        export_map(example, tmp_path / name)
    assert import_map(tmp_path / "map.xlsx") == example
    assert load_map(tmp_path / "map.vsm.json") == example
    assert [stage.id for stage in import_map(tmp_path / "map.csv").stages] == [
        stage.id for stage in example.stages
    ]


def test_an_unknown_extension_is_refused_and_nothing_written(
    tmp_path: Path, example: ValueStream
) -> None:
    path = tmp_path / "map.docx"
    with pytest.raises(VSMapperError, match=r"cannot export to '\.docx'; use \.xlsx, \.csv"):
        export_map(example, path)
    assert list(tmp_path.iterdir()) == []


def test_a_failed_export_leaves_the_old_file_as_it_was(
    tmp_path: Path, example: ValueStream
) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(b"old report")
    with pytest.raises(VSMapperError, match="is not in the map"):
        export_map(example, path, scenario="No such scenario")
    assert path.read_bytes() == b"old report"
    assert list(tmp_path.iterdir()) == [path]


def test_the_dialog_filters_cover_every_format() -> None:
    assert sorted(EXPORT_FILTERS.values()) == sorted(EXPORT_SUFFIXES)
    assert EXPORT_FILTER.split(";;") == list(EXPORT_FILTERS)
    assert "*.xlsx" in IMPORT_FILTER and "*.csv" in IMPORT_FILTER
    chosen = "PDF report (*.pdf)"
    assert path_with_suffix("/tmp/plan", chosen) == Path("/tmp/plan.pdf")
    assert path_with_suffix("/tmp/plan.png", chosen) == Path("/tmp/plan.png")
    assert path_with_suffix("/tmp/v1.2", "VSMapper map (*.vsm.json)") == Path("/tmp/v1.2.vsm.json")


@pytest.mark.slow
@needs_poppler
def test_the_report_adds_the_improvement_plan_page(tmp_path: Path, example: ValueStream) -> None:
    from vsmapper.model.stream import Note

    planned = example.replaced(
        notes=[
            Note(id="pain-1", stage="review", text="Reviews wait for one person"),
            Note(
                id="k-1",
                kind="kaizen",
                text="Pair on reviews",
                owner="Ana",
                scenario="ai-across-the-stream",
            ),
        ]
    )
    path = tmp_path / "report.pdf"
    write_report(planned, path)
    text = pdf_text(path)
    assert text.count("\f") == 3
    plan = text.split("\f")[2]
    assert "Improvement plan" in plan
    assert "Pair on reviews" in plan and "Ana" in plan and "Reviews wait for one person" in plan
    assert plan.index("Pair on reviews") < plan.index("Reviews wait for one person")
    assert "Lead time" in plan
    # A scenario's report lists the same plan: its lead time column was left out.
    export_map(planned, path, scenario="AI across the stream")
    assert pdf_text(path).split("\f")[2] == plan


@pytest.mark.slow
@needs_poppler
def test_the_plan_pages_show_every_note_whole(tmp_path: Path, example: ValueStream) -> None:
    from vsmapper.model.stream import Note

    review = "Reviewers are busy with their own stories; PRs wait two days for a first look"
    longest = " ".join(f"w{number:03}" for number in range(200))  # 999 characters
    notes = [Note(id="review", stage="review", text=review), Note(id="long", text=longest)]
    notes += [Note(id=f"n{number}", text=f"{longest[:300]} n{number}") for number in range(20)]
    path = tmp_path / "report.pdf"
    write_report(example.replaced(notes=notes), path)
    pages = pdf_text(path).split("\f")[2:]
    plan = "".join(pages).replace("\ufb01", "fi")  # as poppler reads the ligature
    # It was cut to "Reviewers are busy with their own stories; PRs wait tw…".
    assert review in plan
    assert all(f"w{number:03}" in plan for number in range(200))
    # Rows that do not fit go on to the next page, none left out.
    assert len(pages) > 2 and "Improvement plan (continued)" in pages[1]
    assert all(f"n{number}" in plan for number in range(20))
    # Nobody gave an owner, a due date or an expected effect: no empty columns for them.
    assert "Owner" not in plan and "Expected effect" not in plan


@pytest.mark.parametrize(("stages", "pages"), [(12, 1), (20, 1), (60, 5)])
def test_the_map_pages_set_every_stage_name_at_9_points_at_least(
    qapp: QApplication, stages: int, pages: int
) -> None:
    stream = (
        load_map(example_map_path().with_name("platform-team.vsm.json"))
        if stages == 20
        else synthetic_map(stages)
    )
    scene = MapScene()
    scene.show_map(stream, analyze(stream))
    scene.set_presentation(True)
    room = QRectF(0, 0, 766, 500)
    scale, parts = map_pages(scene, stream, room)
    assert len(parts) == pages
    for stage in stream.stages:
        assert scene.stage_item(stage.id).title_size() * scale >= REPORT_LEAST_NAME_SIZE
    for part in parts:
        assert part.width() * scale <= room.width() + 0.01
        assert part.height() * scale <= room.height() + 0.01
    # Together the pages show the whole map, lane by lane.
    assert parts[0].top() == map_source_rect(scene).top()
    assert parts[-1].bottom() == map_source_rect(scene).bottom()


@pytest.mark.slow
@needs_poppler
def test_the_report_says_the_cost_is_not_set_without_an_hourly_cost(
    tmp_path: Path, example: ValueStream
) -> None:
    free = example.replaced(
        hourly_cost=0, stages=[stage.replaced(hourly_cost=None) for stage in example.stages]
    )
    path = tmp_path / "free.pdf"
    write_report(free, path)
    page = pdf_text(path).split("\f")[0]
    assert "not set" in page
    assert "no hourly cost in the map" in page


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
def test_a_scenario_s_picture_badges_the_queues_it_grows(
    tmp_path: Path, example: ValueStream, suffix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vsmapper.ui.canvas.queues import QueueBadgeItem

    made: list[MapScene] = []
    picture_scene = documents._picture_scene

    def kept(*args: object, **options: object) -> MapScene:
        made.append(picture_scene(*args, **options))  # type: ignore[arg-type]
        return made[-1]

    monkeypatch.setattr(documents, "_picture_scene", kept)
    export_map(example, tmp_path / f"more{suffix}", scenario="more-changes")
    badges = [item for item in made[0].items() if isinstance(item, QueueBadgeItem)]
    # As the canvas shows the scenario: the queue at Code review grows ninefold.
    assert any(badge.isVisible() and badge.text.startswith("QUEUE ×9.") for badge in badges)
    if suffix != ".pdf":  # and a slide of it says its lead time against today's
        assert " vs today)  ·  process time " in made[0]._header._subtitle


def test_a_data_export_applies_the_scenario_once(
    tmp_path: Path, example: ValueStream, monkeypatch: pytest.MonkeyPatch
) -> None:
    import vsmapper.io.exports as exports

    applied = []

    def counted(*args: object) -> object:
        applied.append(args)
        return apply(*args)

    apply = exports.applied_scenario
    monkeypatch.setattr(exports, "applied_scenario", counted)
    export_map(example, tmp_path / "map.csv", scenario="more-changes")
    assert len(applied) == 1
    export_map(example, tmp_path / "map.xlsx", scenario="more-changes")
    assert len(applied) == 1
