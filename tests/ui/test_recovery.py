"""Autosave and recovery with several windows and several running VSMappers."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from tests.conftest import feature_chain_data
from vsmapper.io.mapfile import dump_map, load_map, map_from_data, save_map
from vsmapper.ui import app, docks, files, settings
from vsmapper.ui.docks import SHORT_WINDOW
from vsmapper.ui.main_window import MainWindow
from vsmapper.ui.start import StartScreen

Answers = Callable[..., str]


@pytest.fixture
def windows(qtbot: object) -> Iterator[Callable[..., MainWindow]]:
    """Makes main windows that close without asking at the end of the test."""
    app.application()
    made: list[MainWindow] = []

    def make(stream: object = None, path: Path | None = None) -> MainWindow:
        window = MainWindow(stream or map_from_data(feature_chain_data()), path, False)
        qtbot.addWidget(window)  # type: ignore[attr-defined]
        window.file.confirm_discard = lambda: True  # type: ignore[method-assign]
        made.append(window)
        return window

    yield make
    for window in app.open_windows:
        window.file.confirm_discard = lambda: True  # type: ignore[method-assign]
        window.close()
    app.open_windows.clear()


def answering(monkeypatch: pytest.MonkeyPatch, *answers: str) -> list[str]:
    """Answer the recovery questions in turn; returns the maps they asked about."""
    asked: list[str] = []
    queue = list(answers)

    def ask(parent: object, recovery: files.Recovery, place: int, count: int) -> str:
        asked.append(f"{recovery.stream.name} {place}/{count}")
        return queue.pop(0)

    monkeypatch.setattr(app, "ask_recovery", ask)
    return asked


def edited(window: MainWindow, name: str) -> str:
    """Rename the first stage and autosave; returns the map as autosaved."""
    window.scene.stageRenamed.emit("intake", name)
    window.file.autosave()
    return dump_map(window.workspace.stream)


def crash(window: MainWindow) -> None:
    """What a crash leaves: the autosave and the note of the file open, with no live process
    owning them."""
    recovery = window.file.recovery
    opened = recovery.open_file.read_bytes() if recovery.open_file.exists() else None
    recovery.keep_for_later()
    if opened is not None:  # a crash leaves it; a window put away tidies it
        recovery.open_file.write_bytes(opened)
    window.workspace.undo_stack.setClean()


def an_orphan(windows: Callable[..., MainWindow]) -> files.Recovery:
    """The autosave a window's crash left, its first stage renamed "Unsaved"."""
    crashed = windows()
    edited(crashed, "Unsaved")
    crash(crashed)
    (recovery,) = files.orphaned_recoveries()
    return recovery


def saved_map(path: Path, name: str = "Feature delivery") -> Path:
    save_map(map_from_data(feature_chain_data() | {"name": name}), path)
    return path


def on_a_saved_map(windows: Callable[..., MainWindow], folder: Path) -> tuple[MainWindow, Path]:
    """A window on a map saved in ``folder``, and the map's path."""
    path = saved_map(folder / "map.vsm.json")
    window = windows()
    window.file.open_path(path)
    return window, path


def test_a_recovered_map_returns_modified_to_its_file(
    windows: Callable[..., MainWindow], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window, path = on_a_saved_map(windows, tmp_path)
    expected = edited(window, "Customer request")
    crash(window)
    answering(monkeypatch, app.RECOVER)
    fresh = windows(files.example_map())
    assert app.offer_recoveries(fresh, files.orphaned_recoveries()) == [fresh]
    assert dump_map(fresh.workspace.stream) == expected
    assert fresh.workspace.path == path
    assert fresh.isWindowModified()
    assert load_map(path).stage("intake").name == "Idea intake"
    assert files.orphaned_recoveries() == []


def test_nothing_is_autosaved_while_unmodified(windows: Callable[..., MainWindow]) -> None:
    window = windows()
    window.file.autosave()
    window.file.recovery.keep_for_later()
    assert files.orphaned_recoveries() == []


def test_an_open_window_autosave_is_never_offered_nor_deleted(
    windows: Callable[..., MainWindow], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = windows()
    expected = edited(first, "Still being edited")
    asked = answering(monkeypatch)
    assert app.offer_recoveries(windows(files.example_map()), files.orphaned_recoveries())
    assert asked == []
    assert first.file.recovery.map_file.read_text(encoding="utf-8") == expected


def test_two_windows_on_one_file_keep_two_autosaves(
    windows: Callable[..., MainWindow], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = saved_map(tmp_path / "shared.vsm.json")
    one, two = windows(), windows()
    one.file.open_path(path)
    two.file.confirm_open_twice = lambda path: True  # type: ignore[method-assign]
    two.file.open_path(path)
    first, second = edited(one, "One's edit"), edited(two, "Two's edit")
    assert one.file.recovery.map_file != two.file.recovery.map_file
    crash(one)
    crash(two)
    asked = answering(monkeypatch, app.RECOVER, app.RECOVER)
    shown = app.offer_recoveries(windows(files.example_map()), files.orphaned_recoveries())
    assert len(asked) == 2 and asked[0].endswith("1/2") and asked[1].endswith("2/2")
    assert sorted(dump_map(window.workspace.stream) for window in shown) == sorted([first, second])
    assert all(window.workspace.path == path for window in shown)


@pytest.mark.parametrize(("answer", "opened"), [("Cancel", False), ("&Open here too", True)])
def test_opening_a_map_another_window_has_open_asks_first(
    windows: Callable[..., MainWindow],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    answer: str,
    opened: bool,
) -> None:
    # Two windows on one file went unnoticed until the second save said the file had
    # changed outside.
    path = saved_map(tmp_path / "shared.vsm.json", "Shared")
    one, two = windows(), windows()
    assert one.file.open_path(path)
    asked: list[str] = []

    def click() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        asked.append(box.text())
        next(button for button in box.buttons() if button.text() == answer).click()

    QTimer.singleShot(0, click)
    assert two.file.open_path(path) is opened
    assert asked == ["“shared.vsm.json” is open in another VSMapper window. Open it here too?"]
    assert (two.workspace.path == path) is opened
    if opened:  # reloaded after the other window saved it: no question
        monkeypatch.setattr(QMessageBox, "exec", lambda box: pytest.fail(box.text()))
        assert two.file.open_path(path, confirmed=True)
    # Closed, the first window no longer has it open: no question.
    one.file.recovery.release()
    assert not files.open_elsewhere(path, two.file.recovery)


def test_a_window_that_ended_without_a_word_holds_no_file_open(
    windows: Callable[..., MainWindow], tmp_path: Path
) -> None:
    path = saved_map(tmp_path / "map.vsm.json")
    gone, here = windows(), windows()
    gone.file.open_path(path)
    assert files.open_elsewhere(path, here.file.recovery)
    stale = gone.file.recovery.open_file
    crash(gone)  # the lock goes with its process; the note of what it had open stays
    assert stale.exists()
    assert not files.open_elsewhere(path, here.file.recovery)
    assert not stale.exists()


def test_a_start_on_a_map_another_window_has_open_says_so(
    windows: Callable[..., MainWindow], tmp_path: Path
) -> None:
    path = saved_map(tmp_path / "map.vsm.json")
    windows().file.open_path(path)
    (window,) = app.start(str(path))
    assert window.workspace.path == path
    assert "is open in another VSMapper window too" in window.message_label.text()


def test_a_start_after_a_crash_on_the_map_the_crash_had_open_does_not_say_it_is_open(
    windows: Callable[..., MainWindow], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The start holds the crashed window's lock while it offers its autosave, and took that
    # for a window still open.
    gone, path = on_a_saved_map(windows, tmp_path)
    edited(gone, "Edited")
    assert gone.file.recovery.open_file.exists()
    crash(gone)
    monkeypatch.setattr(app, "ask_recovery", lambda *args: app.LATER)
    (window,) = app.start(str(path))
    assert window.workspace.path == path
    assert "open in another" not in window.message_label.text()


def test_every_orphan_is_offered_one_by_one_and_each_answer_holds(
    windows: Callable[..., MainWindow], monkeypatch: pytest.MonkeyPatch
) -> None:
    kept, dropped, recovered = windows(), windows(), windows()
    edited(kept, "Keep me")
    edited(dropped, "Drop me")
    expected = edited(recovered, "Recover me")
    for window in (kept, dropped, recovered):
        crash(window)
    answers = {"Keep me": app.LATER, "Drop me": app.DISCARD, "Recover me": app.RECOVER}

    def ask(parent: object, recovery: files.Recovery, place: int, count: int) -> str:
        return answers[recovery.stream.stage("intake").name]

    monkeypatch.setattr(app, "ask_recovery", ask)
    shown = app.offer_recoveries(windows(files.example_map()), files.orphaned_recoveries())
    assert [dump_map(window.workspace.stream) for window in shown] == [expected]
    left = files.orphaned_recoveries()
    assert [found.stream.stage("intake").name for found in left] == ["Keep me"]
    assert not dropped.file.recovery.map_file.exists()


def test_the_map_behind_a_recovery_question_is_fitted(
    windows: Callable[..., MainWindow], monkeypatch: pytest.MonkeyPatch
) -> None:
    crashed = windows()
    edited(crashed, "Unsaved")
    crash(crashed)
    zooms: list[float] = []

    def ask(parent: MainWindow, recovery: files.Recovery, place: int, count: int) -> str:
        zooms.append(parent.view.zoom())
        return app.LATER

    monkeypatch.setattr(app, "ask_recovery", ask)
    (window,) = app.start(None)
    # Behind the question the example showed at 100 %, its first boxes filling the screen.
    assert zooms == [pytest.approx(window.view.zoom())] and zooms[0] < 1
    files.orphaned_recoveries()[0].file.release()


def test_a_new_start_opens_its_file_and_still_offers_recoveries(
    windows: Callable[..., MainWindow], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    crashed = windows()
    expected = edited(crashed, "Unsaved")
    crash(crashed)
    asked = answering(monkeypatch, app.RECOVER)
    path = saved_map(tmp_path / "asked-for.vsm.json", "Asked for")
    shown = app.start(str(path))
    assert len(asked) == 1
    assert shown[0].workspace.stream.name == "Asked for"
    assert shown[0].workspace.path == path
    assert dump_map(shown[1].workspace.stream) == expected


def test_recovering_the_file_asked_for_replaces_it_in_one_window(
    windows: Callable[..., MainWindow], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    crashed, path = on_a_saved_map(windows, tmp_path)
    expected = edited(crashed, "Unsaved")
    crash(crashed)
    answering(monkeypatch, app.RECOVER)
    shown = app.start(str(path))
    assert len(shown) == 1
    workspace = shown[0].workspace
    assert dump_map(workspace.stream) == expected
    # One undo step over the file: Undo shows what the file holds, Redo the recovery.
    stack = workspace.undo_stack
    assert stack.count() == 1 and stack.undoText() == "Recover unsaved changes"
    assert shown[0].isWindowModified()
    stack.undo()
    assert dump_map(workspace.stream) == dump_map(load_map(path)) and stack.isClean()
    assert not shown[0].isWindowModified()
    stack.redo()
    assert dump_map(workspace.stream) == expected


def test_the_recovery_question_has_three_answers(
    windows: Callable[..., MainWindow], qtbot: object
) -> None:
    recovery = an_orphan(windows)
    answers = []
    for label in ("Decide later", "Discard", "Recover"):

        def click(label: str = label) -> None:
            box = QApplication.activeModalWidget()
            assert isinstance(box, QMessageBox)
            assert "Unsaved" not in box.text() and "Feature delivery" in box.text()
            assert re.fullmatch(
                r"Autosaved \w+day \d+ \w+ \d{4} at \d\d:\d\d\.", box.informativeText()
            )
            next(b for b in box.buttons() if b.text().replace("&", "") == label).click()

        QTimer.singleShot(0, click)
        answers.append(app.ask_recovery(windows(files.example_map()), recovery, 1, 1))
    assert answers == [app.LATER, app.DISCARD, app.RECOVER]


def test_every_answer_to_a_question_has_its_alt_key(
    windows: Callable[..., MainWindow], qtbot: object
) -> None:
    # Discard had none: a coach at the projector reached it only with Tab.
    recovery = an_orphan(windows)
    keys: list[str] = []

    def read_and_pick_later() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        keys.extend(b.text()[b.text().index("&") + 1].lower() for b in box.buttons())
        box.escapeButton().click()

    QTimer.singleShot(0, read_and_pick_later)
    app.ask_recovery(windows(files.example_map()), recovery, 1, 1)
    assert sorted(keys) == ["d", "l", "r"]
    recovery.file.release()


def test_a_relative_path_is_recovered_onto_the_same_file_after_a_start_elsewhere(
    windows: Callable[..., MainWindow],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first, elsewhere = tmp_path / "first", tmp_path / "elsewhere"
    first.mkdir()
    elsewhere.mkdir()
    saved_map(first / "map.vsm.json", "The right map")
    saved_map(elsewhere / "map.vsm.json", "An unrelated map")
    monkeypatch.chdir(first)
    window = windows()
    assert window.file.open_path(Path("map.vsm.json"))
    edited(window, "Unsaved")
    assert settings.RECENT_FILES.get()[0] == str(first / "map.vsm.json")
    assert settings.LAST_FOLDER.get() == str(first)
    crash(window)
    monkeypatch.chdir(elsewhere)
    (recovery,) = files.orphaned_recoveries()
    assert recovery.original == first / "map.vsm.json"
    recovery.file.release()


CHILD = """
import sys
from pathlib import Path
from PySide6.QtCore import QStandardPaths
from vsmapper.ui import app, files
QStandardPaths.setTestModeEnabled(True)
app.application()
files.recovery_folder = lambda: Path(sys.argv[1])
recovery = files.RecoveryFile()
recovery.write(files.example_map(), None)
print(recovery.session, flush=True)
sys.stdin.read()
"""


def test_another_running_vsmapper_keeps_its_autosave_until_it_dies(
    windows: Callable[..., MainWindow], private_recovery_folder: Path
) -> None:
    windows()
    child = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(CHILD), str(private_recovery_folder)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ | {"QT_QPA_PLATFORM": "offscreen"},
    )
    try:
        session = child.stdout.readline().strip()  # type: ignore[union-attr]
        assert session
        assert files.orphaned_recoveries() == []
        assert (private_recovery_folder / f"{session}.vsm.json").exists()
    finally:
        child.kill()
        child.wait(timeout=30)
    (recovery,) = files.orphaned_recoveries()
    assert recovery.file.session == session
    assert recovery.stream.name == files.example_map().name
    recovery.file.release()
    assert list(private_recovery_folder.glob(f"{session}*")) == []


def test_a_first_start_on_a_small_screen_takes_the_whole_screen(
    windows: Callable[..., MainWindow], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The test screen is 800 px high, as short as a projector's 1280×720 or shorter.
    assert app.application().primaryScreen().availableGeometry().height() < SHORT_WINDOW
    monkeypatch.setattr(docks, "restore_arrangement", lambda window: False)
    (window,) = app.start(None)
    assert not window.arranged and window.isMaximized()
    # Arranged by the user before, it opens as they left it.
    monkeypatch.setattr(docks, "restore_arrangement", lambda window: True)
    (window,) = app.start(None)
    assert window.arranged and not window.isMaximized()


def test_a_start_on_a_map_remembers_it_and_on_a_broken_file_says_why(
    windows: Callable[..., MainWindow],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = saved_map(tmp_path / "asked-for.vsm.json", "Asked for")
    (window,) = app.start(str(path))
    assert window.workspace.stream.name == "Asked for"
    assert window.workspace.undo_stack.isClean()
    assert settings.RECENT_FILES.get()[0] == str(path)
    assert settings.LAST_FOLDER.get() == str(tmp_path)
    broken = tmp_path / "broken.vsm.json"
    broken.write_text("{", encoding="utf-8")
    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: said.append(text))
    (window,) = app.start(str(broken))
    assert window.workspace.stream.name == files.example_map().name
    assert window.workspace.path is None
    assert len(said) == 1 and "broken.vsm.json" in said[0]
    # And on the terminal it was started from, in one line.
    err = capsys.readouterr().err
    assert err.startswith("vsmapper: ") and err.count("\n") == 1 and "broken.vsm.json" in err


def test_the_start_screen_names_the_file_and_gives_way_to_its_window_once_painted(
    windows: Callable[..., MainWindow], tmp_path: Path, qtbot: QtBot
) -> None:
    path = saved_map(tmp_path / "quarterly-delivery-review.vsm.json", "Quarterly")
    start_screen = StartScreen(str(path))
    start_screen.show_painted()
    assert start_screen.isVisible() and start_screen.opening == path.name
    # Its picture: the icon's dark tile on white, not a blank window.
    picture = start_screen.grab().toImage()
    assert picture.pixelColor(60, 75).lightness() < 80
    assert picture.pixelColor(440, 20).lightness() == 255
    (window,) = app.start(str(path), start_screen)
    qtbot.waitUntil(lambda: not start_screen.isVisible())
    assert window.isVisible() and window.workspace.stream.name == "Quarterly"
    assert StartScreen(None).opening == "the example map"


def test_a_spreadsheet_asked_for_at_start_or_opened_is_imported_as_a_new_map(
    windows: Callable[..., MainWindow], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # It said "not valid JSON" over the example; opened as the map's file, Save would have
    # written the map over the workbook.
    sheet = tmp_path / "team.csv"
    sheet.write_text("Stage,Process time,Wait time\nPlan,1d,2d\nBuild,2d,1d\n", encoding="utf-8")
    (window,) = app.start(str(sheet))
    assert [stage.name for stage in window.workspace.stream.stages] == ["Plan", "Build"]
    assert window.workspace.path is None and not window.workspace.undo_stack.isClean()
    window.workspace.undo_stack.setClean()
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: pytest.fail(str(args)))
    sheet.write_text("Stage,Process time\nShip,1h\n", encoding="utf-8")
    assert window.file.open_path(sheet)
    assert [stage.name for stage in window.workspace.stream.stages] == ["Ship"]
    assert window.workspace.path is None
