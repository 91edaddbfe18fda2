"""Atomic writes: a full disk keeps the old file, names near the limit, stale temporaries."""

from __future__ import annotations

import errno
import os
import time
from pathlib import Path

import pytest

from vsmapper.errors import VSMapperError
from vsmapper.io import atomic
from vsmapper.io.atomic import remove_stale_parts, temporary_name, write_atomically
from vsmapper.io.exports import suggested_file_name

DAY = 24 * 3600


def full_disk(descriptor: int, data: object) -> int:
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_full_disk_keeps_the_old_file_and_leaves_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "report.pdf"
    target.write_bytes(b"the old report")
    monkeypatch.setattr(os, "write", full_disk)
    with pytest.raises(VSMapperError) as caught:
        write_atomically(target, b"x" * 100_000)
    assert str(caught.value) == f"{target}: cannot be saved (No space left on device)"
    assert target.read_bytes() == b"the old report"
    assert [path.name for path in tmp_path.iterdir()] == ["report.pdf"]


def test_a_short_write_is_finished_not_truncated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_write = os.write
    monkeypatch.setattr(os, "write", lambda fd, data: real_write(fd, bytes(data[:7])))
    target = tmp_path / "map.csv"
    write_atomically(target, b"0123456789" * 10)
    assert target.read_bytes() == b"0123456789" * 10


@pytest.mark.parametrize("length", [241, 248, 255])
def test_names_up_to_the_limit_can_be_written(tmp_path: Path, length: int) -> None:
    target = tmp_path / ("é" * ((length - 4) // 2) + "x" * ((length - 4) % 2) + ".csv")
    assert len(target.name.encode()) == length
    write_atomically(target, b"a,b\n")
    assert target.read_bytes() == b"a,b\n"
    assert len(temporary_name(target.name).encode()) <= 255


def test_a_cut_name_does_not_split_a_character() -> None:
    name = temporary_name("日本" * 100 + ".xlsx")
    assert name.encode("utf-8").decode("utf-8") == name
    assert name.startswith(".日本") and name.endswith(".part")


def stale_part(folder: Path, pid: int, age: float = 0) -> Path:
    path = folder / temporary_name("map.vsm.json", pid)
    path.write_bytes(b"half a map")
    os.utime(path, (time.time() - age, time.time() - age))
    return path


def test_temporaries_of_killed_writers_are_removed_by_the_next_write(tmp_path: Path) -> None:
    gone = stale_part(tmp_path, pid=2**22 + 12345, age=3600)  # above Linux's highest pid
    old = stale_part(tmp_path, pid=os.getpid(), age=2 * DAY)
    running = stale_part(tmp_path, pid=os.getpid(), age=3600)
    # Perhaps a writer on another computer sharing the folder, still at work.
    just_begun = stale_part(tmp_path, pid=2**22 + 12346)
    foreign = tmp_path / ".someone-else.part"
    foreign.write_bytes(b"not ours")
    write_atomically(tmp_path / "map.vsm.json", b"{}\n")
    assert not gone.exists() and not old.exists()
    assert running.exists() and just_begun.exists() and foreign.exists()


def test_on_windows_only_age_makes_a_temporary_stale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(atomic.sys, "platform", "win32")
    recent = stale_part(tmp_path, pid=2**22 + 12345, age=3600)
    old = stale_part(tmp_path, pid=2**22 + 12346, age=2 * DAY)
    assert remove_stale_parts(tmp_path) == [old]
    assert recent.exists()


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Checkout feature", "Checkout feature.vsm.json"),
        ("../../x", "x.vsm.json"),
        ("/etc/passwd", "etc-passwd.vsm.json"),
        ('a\\b:c*d?e"f<g>h|i', "a-b-c-d-e-f-g-h-i.vsm.json"),
        ("CON", "CON_.vsm.json"),
        ("lpt1.draft", "lpt1_.draft.vsm.json"),
        ("...", "map.vsm.json"),
        ("line\nbreak\ttab", "line-break-tab.vsm.json"),
        ("Console", "Console.vsm.json"),
        ("Idea to production: a web team", "Idea to production - a web team.vsm.json"),
    ],
)
def test_suggested_file_names_stay_in_their_folder(title: str, expected: str) -> None:
    assert suggested_file_name(title, ".vsm.json") == expected


def test_suggested_file_names_fit_the_limit() -> None:
    name = suggested_file_name("ü" * 300, ".vsm.json")
    assert len(name.encode()) <= 200
    assert name.endswith("ü.vsm.json")
