"""A map changed on disk by another program: the window notices and never overwrites it silently."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from tests.conftest import feature_chain_data
from vsmapper.io.mapfile import dump_map, load_map, map_from_data, save_map
from vsmapper.ui import files
from vsmapper.ui.app import application
from vsmapper.ui.main_window import MainWindow

WAIT_MS = 10_000


@pytest.fixture
def path(tmp_path: Path) -> Path:
    saved = tmp_path / "map.vsm.json"
    save_map(map_from_data(feature_chain_data()), saved)
    return saved


@pytest.fixture
def window(qtbot: object, path: Path) -> Iterator[MainWindow]:
    application()
    shown = MainWindow(map_from_data(feature_chain_data()), remember_layout=False)
    qtbot.addWidget(shown)  # type: ignore[attr-defined]
    shown.file.confirm_discard = lambda: True  # type: ignore[method-assign]
    assert shown.file.open_path(path)
    yield shown


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Which questions the window asked; "Keep mine" and "Cancel" unless a test says so."""
    questions: list[str] = []

    def ask_reload(parent: object, path: Path, modified: bool) -> bool:
        questions.append(f"reload {path.name}")
        return False

    def confirm_overwrite(parent: object, path: Path) -> bool:
        questions.append(f"overwrite {path.name}")
        return False

    monkeypatch.setattr(files, "ask_reload", ask_reload)
    monkeypatch.setattr(files, "confirm_overwrite", confirm_overwrite)
    return questions


def changed_elsewhere(path: Path, name: str, by_rename: bool = False) -> None:
    """Another program saves the map under a new name, in place or by a rename."""
    text = dump_map(map_from_data(feature_chain_data() | {"name": name}))
    if by_rename:
        written = path.with_name(".map.vsm.json.swp")
        written.write_text(text, encoding="utf-8")
        os.replace(written, path)
    else:
        path.write_text(text, encoding="utf-8")


def test_a_change_on_disk_is_offered_and_keep_mine_keeps_it_from_being_overwritten(
    window: MainWindow, path: Path, qtbot: object, asked: list[str]
) -> None:
    window.scene.stageRenamed.emit("intake", "My edit")
    with qtbot.waitSignal(window.file.watch.changedOutside, timeout=WAIT_MS):  # type: ignore[attr-defined]
        changed_elsewhere(path, "Their edit")
    assert asked == ["reload map.vsm.json"]
    assert window.workspace.stream.stage("intake").name == "My edit"
    assert not window.file.save()
    assert asked[-1] == "overwrite map.vsm.json"
    assert load_map(path).name == "Their edit"


def test_overwriting_after_asking_saves_ours(
    window: MainWindow, path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window.scene.stageRenamed.emit("intake", "My edit")
    changed_elsewhere(path, "Their edit")
    monkeypatch.setattr(files, "confirm_overwrite", lambda parent, path: True)
    assert window.file.save()
    assert load_map(path).stage("intake").name == "My edit"
    assert not window.file.watch.changed_outside()


@pytest.mark.parametrize("by_rename", [False, True])
def test_reload_shows_the_other_change_and_later_changes_are_seen_too(
    window: MainWindow,
    path: Path,
    qtbot: object,
    monkeypatch: pytest.MonkeyPatch,
    by_rename: bool,
) -> None:
    monkeypatch.setattr(files, "ask_reload", lambda parent, path, modified: True)
    for name in ("First outside edit", "Second outside edit"):
        with qtbot.waitSignal(window.file.watch.changedOutside, timeout=WAIT_MS):  # type: ignore[attr-defined]
            changed_elsewhere(path, name, by_rename)
        assert window.workspace.stream.name == name
        assert not window.isWindowModified()
        assert window.workspace.path == path


def test_our_own_saves_raise_no_question(
    window: MainWindow, path: Path, qtbot: object, asked: list[str]
) -> None:
    for name in ("Saved once", "Saved twice"):
        window.scene.stageRenamed.emit("intake", name)
        assert window.file.save()
        with qtbot.waitSignal(  # type: ignore[attr-defined]
            window.file.watch.changedOutside, timeout=3 * files.SETTLE_MS, raising=False
        ) as blocker:
            pass
        assert not blocker.signal_triggered
    assert asked == []
    assert load_map(path).stage("intake").name == "Saved twice"


def test_the_reload_question_has_both_answers(window: MainWindow, path: Path) -> None:
    answers = []
    for label in ("Keep mine", "Reload from disk"):

        def click(label: str = label) -> None:
            box = QApplication.activeModalWidget()
            assert isinstance(box, QMessageBox)
            assert str(path) in box.text()
            next(b for b in box.buttons() if b.text().replace("&", "") == label).click()

        QTimer.singleShot(0, click)
        answers.append(files.ask_reload(window, path, modified=True))
    assert answers == [False, True]


def test_the_overwrite_question_defaults_to_cancel(window: MainWindow, path: Path) -> None:
    def press_enter() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        box.defaultButton().click()

    QTimer.singleShot(0, press_enter)
    assert not files.confirm_overwrite(window, path)


def test_a_change_made_while_asking_is_asked_about_after(
    window: MainWindow, path: Path, qtbot: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []

    def ask_reload(parent: object, shown: Path, modified: bool) -> bool:
        asked.append(load_map(path).name)
        if len(asked) == 1:
            changed_elsewhere(path, "Second outside edit")
            qtbot.wait(3 * files.SETTLE_MS)  # type: ignore[attr-defined]
        return False

    monkeypatch.setattr(files, "ask_reload", ask_reload)
    with qtbot.waitSignal(window.file.watch.changedOutside, timeout=WAIT_MS):  # type: ignore[attr-defined]
        changed_elsewhere(path, "First outside edit")
    assert asked == ["First outside edit"]
    qtbot.waitUntil(lambda: len(asked) == 2, timeout=WAIT_MS)  # type: ignore[attr-defined]
    assert asked == ["First outside edit", "Second outside edit"]


def test_reloading_asks_before_it_ends_an_estimate_round_and_keeps_it_by_default(
    window: MainWindow,
    path: Path,
    qtbot: object,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    from tests.ui.test_workshop import answer_round_question, open_round, post

    survey = open_round(window, qtbot)
    request.addfinalizer(survey.close_round)  # closing the window would ask about it
    post(survey.round.address, "p1", {"coding": {"pca": 50}})
    asked: list[str] = []
    answers = iter(["Enter", "&End the round"])

    def reload_from_disk(parent: object, shown: Path, modified: bool) -> bool:
        answer_round_question(next(answers), asked)
        return True

    monkeypatch.setattr(files, "ask_reload", reload_from_disk)
    with qtbot.waitSignal(window.file.watch.changedOutside, timeout=WAIT_MS):  # type: ignore[attr-defined]
        changed_elsewhere(path, "First outside edit")
    # Reload from disk ended the room's round without a word: the phones got 404.
    assert asked == [
        "End the estimate round on “Feature delivery (chain with rework)”? 1 participant "
        "answered so far; the page on their phones stops. Their answers are not in the map "
        "yet: ending the round drops them (Keep the round, then Apply merge)."
    ]
    assert survey.round is not None and window.workspace.stream.name != "First outside edit"
    assert post(survey.round.address, "p2", {"coding": {"pca": 60}}) == 200
    assert "Kept your version" in window.message_label.text()
    with qtbot.waitSignal(window.file.watch.changedOutside, timeout=WAIT_MS):  # type: ignore[attr-defined]
        changed_elsewhere(path, "Second outside edit")
    assert len(asked) == 2 and survey.round is None
    assert window.workspace.stream.name == "Second outside edit"
