"""A full disk under ``vsmapper export``: exit 3, one line, and the old file as it was."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from vsmapper.cli import example_map_path

SIZE_LIMIT = 1024
"""Bytes a file may grow to in the child; every export of the example map is larger."""
OLD = b"the previous export, which must survive"


def with_tiny_disk() -> None:
    """In the child: writing past ``SIZE_LIMIT`` fails as it does on a full disk."""
    resource.setrlimit(resource.RLIMIT_FSIZE, (SIZE_LIMIT, SIZE_LIMIT))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


@pytest.mark.skipif(sys.platform == "win32", reason="file size limits are POSIX")
@pytest.mark.parametrize(
    "name", ["map.pdf", "map.png", "map.svg", "map.xlsx", "map.csv", "map.vsm.json"]
)
def test_a_full_disk_is_one_error_and_keeps_the_old_file(tmp_path: Path, name: str) -> None:
    out = tmp_path / name
    out.write_bytes(OLD)
    result = subprocess.run(
        [sys.executable, "-m", "vsmapper", "export", str(example_map_path()), str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=with_tiny_disk,
        env=os.environ | {"QT_QPA_PLATFORM": "offscreen", "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert result.returncode == 3, result.stderr
    assert result.stderr == f"vsmapper: error: {out}: cannot be saved (File too large)\n"
    assert out.read_bytes() == OLD
    assert [path.name for path in tmp_path.iterdir()] == [name]


def writing_to(output: str, args: list[str]) -> subprocess.CompletedProcess[str]:
    """``vsmapper ARGS`` on the example map, its standard output ``full`` or ``closed``."""
    command = [arg.format(map=example_map_path()) for arg in args]
    redirect = ">/dev/full" if output == "full" else ">&-"
    return subprocess.run(
        ["sh", "-c", f'exec "$0" -m vsmapper "$@" {redirect}', sys.executable, *command],
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
        env=os.environ | {"PYTHONDONTWRITEBYTECODE": "1"},
    )


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX devices and file descriptors")
@pytest.mark.parametrize(
    ("output", "why"), [("full", "No space left on device"), ("closed", "it is closed")]
)
@pytest.mark.parametrize(
    "args",
    [
        ["export", "{map}", "-.csv"],
        ["analyze", "{map}", "--json"],
        ["analyze", "{map}"],
        ["forecast", "{map}"],
    ],
)
def test_standard_output_that_cannot_be_written_is_one_error_line(
    output: str, why: str, args: list[str]
) -> None:
    # Started with it closed (`>&-`), Python has no sys.stdout: the output went nowhere,
    # and the last flush a traceback.
    if output == "full" and not Path("/dev/full").exists():
        pytest.skip("needs a device that is always full")
    result = writing_to(output, args)
    assert (result.returncode, result.stderr) == (
        3,
        f"vsmapper: error: standard output: cannot be written ({why})\n",
    )


@pytest.mark.skipif(sys.platform == "win32", reason="closes POSIX file descriptors")
def test_closed_standard_output_and_error_leave_the_exit_code_to_say_it() -> None:
    closed = 'exec "$0" -m vsmapper analyze "$1" >&- 2>&-'
    result = subprocess.run(
        ["sh", "-c", closed, sys.executable, str(example_map_path())],
        timeout=120,
        env=os.environ | {"PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert result.returncode == 3
