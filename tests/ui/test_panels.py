"""The stage table, the properties panel and the metrics panel, over one workspace."""

from __future__ import annotations

from tests.ui.conftest import round_trip
from vsmapper.io.mapfile import dump_map
from vsmapper.ui.metrics import MetricsPanel, status_text
from vsmapper.ui.properties import PropertiesPanel
from vsmapper.ui.stage_table import StageTableView
from vsmapper.ui.workspace import Workspace


def test_table_edits_are_undo_steps(workspace: Workspace, qtbot: object) -> None:
    table = StageTableView(workspace)
    qtbot.addWidget(table)  # type: ignore[attr-defined]
    model = table.model()
    for column, text in [
        (4, "2-5d"),
        (5, "95%"),
        (6, "Idea intake"),
        (0, "Code check"),
        (10, "Deploy; Refinement"),
    ]:
        before = dump_map(workspace.stream)
        if column == 10:
            assert not model.setData(model.index(3, column), text)
            continue
        assert model.setData(model.index(3, column), text)
        round_trip(workspace, before)
    stage = workspace.stream.stage("review")
    assert (stage.wait_time.text, stage.pca, stage.rework_to, stage.name) == (
        "2-5d",
        95,
        "intake",
        "Code check",
    )
    assert model.index(3, 4).data() == "2-5d"


def test_table_refuses_bad_cells_with_row_and_column(workspace: Workspace, qtbot: object) -> None:
    table = StageTableView(workspace)
    qtbot.addWidget(table)  # type: ignore[attr-defined]
    problems: list[str] = []
    table.model().problem.connect(problems.append)
    before = dump_map(workspace.stream)
    assert not table.model().setData(table.model().index(1, 4), "3 dayz")
    assert problems == ["row 2, Wait time: '3 dayz' is not a duration (try 3d, 4h, 90m, 2-5d)"]
    assert dump_map(workspace.stream) == before


def test_paste_with_a_header_updates_and_adds_in_one_step(
    workspace: Workspace, qtbot: object
) -> None:
    table = StageTableView(workspace)
    qtbot.addWidget(table)  # type: ignore[attr-defined]
    before = dump_map(workspace.stream)
    block = (
        "Stage\tWait time (d)\t%C&A\n"
        "Code review\t1\t95%\n"
        "Security scan\t0.5\t100\n"
        "Release notes\t\t\n"
    )
    assert table.paste(block)
    assert workspace.undo_stack.count() == 1
    stream = workspace.stream
    assert stream.stage("review").wait_time.hours() == (8, 8, 8)
    assert stream.stage("review").pca == 95
    names = [s.name for s in stream.stages]
    # New rows after Code review continue the stream from it, before Deploy.
    assert names[-4:] == ["Code review", "Security scan", "Release notes", "Deploy"]
    flows = [(f.source, f.target) for f in stream.flows]
    assert ("review", "security-scan") in flows
    assert ("security-scan", "release-notes") in flows
    assert ("release-notes", "deploy") in flows
    assert ("review", "deploy") not in flows
    round_trip(workspace, before)


def test_paste_without_a_header_uses_the_contract_column_order(
    workspace: Workspace, qtbot: object
) -> None:
    table = StageTableView(workspace)
    qtbot.addWidget(table)  # type: ignore[attr-defined]
    assert table.paste("Monitor\toperation\tmonitoring\t15m\t0\n")
    stage = workspace.stream.stages[-1]
    assert (stage.name, stage.phase, stage.kind, stage.process_time.text) == (
        "Monitor",
        "operation",
        "monitoring",
        "15m",
    )


def test_a_bad_paste_changes_nothing(workspace: Workspace, qtbot: object) -> None:
    table = StageTableView(workspace)
    qtbot.addWidget(table)  # type: ignore[attr-defined]
    problems: list[str] = []
    table.model().problem.connect(problems.append)
    before = dump_map(workspace.stream)
    assert not table.paste("Stage\tWait time\nNew one\t2d\nOther\t3 dayz\n")
    assert "row 3, Wait time: '3 dayz' is not a duration" in problems[0]
    assert "nothing was pasted" in problems[0]
    assert dump_map(workspace.stream) == before
    assert workspace.undo_stack.count() == 0


def test_properties_apply_only_valid_values(workspace: Workspace, qtbot: object) -> None:
    panel = PropertiesPanel(workspace)
    qtbot.addWidget(panel)  # type: ignore[attr-defined]
    panel.show_stage("coding")
    before = dump_map(workspace.stream)
    panel.apply("wait_time", "3 dayz")
    assert dump_map(workspace.stream) == before
    assert "is not a duration" in panel.hints["wait_time"].text()
    panel.apply("wait_time", "1-3d")
    assert workspace.stream.stage("coding").wait_time.text == "1-3d"
    round_trip(workspace, before)
    assert workspace.undo_stack.undoText() == "Change wait time of Coding"


def test_metrics_show_the_worked_example(workspace: Workspace, qtbot: object) -> None:
    panel = MetricsPanel(workspace)
    qtbot.addWidget(panel)  # type: ignore[attr-defined]
    assert panel.values["lead_time"].text() == "2w 4d"
    assert panel.values["flow_efficiency"].text() == "21.4%"
    assert "Refinement (40%" in panel.constraint.text()
    assert status_text(workspace.analysis(), workspace.stream) == (
        "Lead time 2w 4d  ·  flow efficiency 21.4%  ·  constraint: Refinement (40%)"
    )
    workspace.document.set_stage_field("refine", "wait_time", "1d")
    workspace.refresh_now()
    assert panel.values["lead_time"].text() == "2w"
