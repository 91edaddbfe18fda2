"""A plain (non-editable) install carries the resources and runs."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    return next(out.glob("vsmapper-*.whl"))


def test_the_wheel_carries_the_resources(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for resource in [
        "examples/idea-to-production.vsm.json",
        "templates/blank.vsm.json",
        "help/guide.html",
        "catalog/ai-practices.json",
    ]:
        assert f"vsmapper/resources/{resource}" in names


def test_the_installed_copy_runs_from_anywhere(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    code = (
        "import vsmapper, sys; from vsmapper.cli import example_map_path, main;"
        "from vsmapper.io.mapfile import load_map;"
        "assert vsmapper.__file__.startswith(sys.argv[1]), vsmapper.__file__;"
        "print(load_map(example_map_path()).name); sys.exit(main(['--version']))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(target)],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(target)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.splitlines()[0] == "Idea to production: a web product team"
    assert result.stdout.splitlines()[1].startswith("vsmapper ")


def test_the_wheel_carries_every_package(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for init in (ROOT / "vsmapper").rglob("__init__.py"):
        assert init.relative_to(ROOT).as_posix() in names
