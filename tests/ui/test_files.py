"""Files in the app: suggested names, absolute paths, write errors in dialogs."""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from tests.conftest import feature_chain_data
from tests.ui.conftest import WindowFactory
from vsmapper.io.mapfile import map_from_data
from vsmapper.ui import files, settings
from vsmapper.ui.app import application
from vsmapper.ui.commands import perform
from vsmapper.ui.main_window import MainWindow


@pytest.fixture
def window(qtbot: object) -> Iterator[MainWindow]:
    application()
    shown = MainWindow(map_from_data(feature_chain_data()), remember_layout=False)
    qtbot.addWidget(shown)  # type: ignore[attr-defined]
    shown.file.confirm_discard = lambda: True  # type: ignore[method-assign]
    yield shown


@pytest.fixture
def offered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What the save dialogs suggest; they are cancelled."""
    suggestions: list[str] = []

    def dialog(parent: object, caption: str, suggested: str, *rest: object) -> tuple[str, str]:
        suggestions.append(suggested)
        return "", ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", dialog)
    return suggestions


@pytest.mark.parametrize("title", ["../../x", "a/b", "CON", 'what? "this" <is> *it*|:'])
def test_save_as_and_export_offer_a_name_in_the_last_folder(
    window: MainWindow, tmp_path: Path, offered: list[str], title: str
) -> None:
    settings.LAST_FOLDER.set(str(tmp_path))
    window.workspace.document.set_map_field("name", title)
    window.menus.save_as_action.trigger()
    window.menus.export_action.trigger()
    for suggestion in offered:
        path = Path(suggestion)
        assert path.parent == tmp_path
        assert not set(path.name) & set('<>:"/\\|?*')
        assert path.name.split(".")[0].upper() not in {"CON", "PRN", "AUX", "NUL"}
    assert offered[0].endswith(".vsm.json")


def test_a_scenario_s_export_is_offered_under_its_name(
    make_window: WindowFactory, tmp_path: Path, offered: list[str]
) -> None:
    # Exported under the map's name alone, a scenario's picture overwrote today's.
    settings.LAST_FOLDER.set(str(tmp_path))
    window = make_window(files.example_map())
    scenario = window.workspace.stream.scenarios[0]
    window.workspace.show_scenario(scenario.id)
    window.menus.export_action.trigger()
    assert Path(offered[-1]).name == f"Idea to production - a web product team - {scenario.name}"


def test_a_full_disk_on_export_is_a_message_and_the_old_file_stays(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "report.pdf"
    out.write_bytes(b"old report")
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: warnings.append(text))

    def full_disk(descriptor: int, data: object) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", full_disk)
    assert not window.file.export_path(out)
    assert warnings == [f"{out}: cannot be saved (No space left on device)"]
    assert out.read_bytes() == b"old report"


def test_a_chart_export_that_fails_is_a_message_not_a_traceback(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "missing-folder" / "chart.png"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args: (str(out), ""))
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: warnings.append(text))
    window.charts.export_button.click()
    assert warnings == [f"{out}: cannot be saved (No such file or directory)"]


def test_a_chart_is_offered_a_safe_name_and_gets_the_chosen_extension(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.LAST_FOLDER.set(str(tmp_path / "last"))
    window.workspace.document.set_map_field("name", "../../x")
    offered: list[str] = []

    def dialog(parent: object, caption: str, suggested: str, *rest: object) -> tuple[str, str]:
        offered.append(suggested)
        return str(tmp_path / "chart"), "SVG drawing (*.svg)"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", dialog)
    window.charts.export_button.click()
    assert offered == [str(tmp_path / "last" / "x - Where the time goes.png")]
    assert (tmp_path / "chart.svg").read_bytes().startswith(b"<?xml")
    assert settings.LAST_FOLDER.get() == str(tmp_path)


@pytest.mark.parametrize(
    ("clicked", "answer", "saved"),
    [
        (QMessageBox.StandardButton.Save, True, 1),
        (QMessageBox.StandardButton.Discard, True, 0),
        (QMessageBox.StandardButton.Cancel, False, 0),
    ],
)
def test_unsaved_changes_are_saved_discarded_or_kept(
    make_window: Any,
    monkeypatch: pytest.MonkeyPatch,
    clicked: QMessageBox.StandardButton,
    answer: bool,
    saved: int,
) -> None:
    window = make_window()
    workspace = window.workspace
    perform(
        workspace.undo_stack,
        workspace.document,
        "Rename",
        lambda document: document.set_map_field("name", "Changed"),
    )
    saves: list[bool] = []
    monkeypatch.setattr(window.file, "save", lambda: saves.append(True) or True)
    texts: list[str] = []

    def answer_it() -> None:
        box = next(
            shown
            for shown in QApplication.topLevelWidgets()
            if isinstance(shown, QMessageBox) and shown.isVisible()
        )
        texts.extend(button.text() for button in box.buttons())
        box.button(clicked).click()

    QTimer.singleShot(0, answer_it)
    del window.file.confirm_discard  # the real question, not the fixture's stand-in
    try:
        assert window.file.confirm_discard() is answer
    finally:
        window.file.confirm_discard = lambda: True
    assert len(saves) == saved
    # Alt+S and Alt+D answer it from the keyboard.
    assert {"&Save", "&Discard"} <= set(texts)


def test_a_workbook_exported_while_a_scenario_is_shown_imports_back_safely(
    qtbot: object, tmp_path: Path
) -> None:
    from vsmapper.analysis import compare, find_scenario
    from vsmapper.cli import example_map_path
    from vsmapper.io.mapfile import load_map
    from vsmapper.io.spreadsheet import import_spreadsheet

    application()
    example = load_map(example_map_path())
    shown = MainWindow(example, remember_layout=False)
    qtbot.addWidget(shown)  # type: ignore[attr-defined]
    scenario = find_scenario(example, "ai-across-the-stream")
    shown.workspace.show_scenario(scenario.id)
    out = tmp_path / "shown.xlsx"
    assert shown.file.export_path(out)
    again = import_spreadsheet(out)
    # Today's times and every scenario: building the scenario again scales Coding once.
    assert again.stage("coding").process_time == example.stage("coding").process_time
    assert again.scenarios == example.scenarios
    assert compare(again, scenario).future.lead_time_hours == pytest.approx(
        compare(example, scenario).future.lead_time_hours
    )
