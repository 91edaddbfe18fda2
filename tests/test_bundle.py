"""The desktop bundle built by packaging/build.py runs with no Python and no virtual environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from vsmapper import __version__
from vsmapper.analysis.report import analysis_text
from vsmapper.io.mapfile import load_map

ROOT = Path(__file__).resolve().parents[1]


def measure_json(history: str) -> str:
    """What the package's own ``vsmapper measure --json`` prints for a history."""
    result = subprocess.run(
        [sys.executable, "-m", "vsmapper", "measure", history, "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


BUNDLED_RESOURCES = Path("_internal", "vsmapper", "resources")
EXAMPLE = BUNDLED_RESOURCES / "examples" / "idea-to-production.vsm.json"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundle folder, built once for this module into a temporary folder."""
    out = tmp_path_factory.mktemp("bundle")
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "packaging" / "build.py"),
            "--dist",
            str(out / "dist"),
            "--work",
            str(out / "work"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return out / "dist" / "VSMapper"


def run_bundled(bundle: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the bundle's ``vsmapper`` elsewhere, with nothing of Python in its environment."""
    environment = {"PATH": os.defpath, "HOME": str(cwd), "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [str(bundle / "vsmapper"), *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result


@pytest.mark.slow
def test_the_bundle_prints_its_version(bundle: Path, tmp_path: Path) -> None:
    assert run_bundled(bundle, "--version", cwd=tmp_path).stdout == f"vsmapper {__version__}\n"


@pytest.mark.slow
def test_the_bundle_analyzes_its_example_map_as_the_package_does(
    bundle: Path, tmp_path: Path
) -> None:
    result = run_bundled(bundle, "analyze", str(bundle / EXAMPLE), cwd=tmp_path)
    assert result.stdout == analysis_text(load_map(bundle / EXAMPLE), None) + "\n"


@pytest.mark.slow
def test_the_bundle_measures_the_example_history_with_polars(bundle: Path, tmp_path: Path) -> None:
    history = bundle / EXAMPLE.with_name("idea-to-production.history.csv")
    bundled = run_bundled(bundle, "measure", str(history), "--json", cwd=tmp_path)
    assert json.loads(bundled.stdout) == json.loads(
        measure_json(str(ROOT / "resources" / "examples" / history.name))
    )


@pytest.mark.slow
def test_the_bundle_renders_the_main_window(bundle: Path, tmp_path: Path) -> None:
    run_bundled(bundle, "--screenshot", "out.png", cwd=tmp_path)
    image = QImage(str(tmp_path / "out.png"))
    assert (image.width(), image.height()) == (1600, 1000)
    colours = {image.pixel(x, y) for x in range(0, 1600, 16) for y in range(0, 1000, 16)}
    assert len(colours) > 50


@pytest.mark.slow
def test_the_bundle_carries_every_resource(bundle: Path) -> None:
    def files(folder: Path) -> set[Path]:
        return {
            path.relative_to(folder)
            for path in folder.rglob("*")
            if path.is_file() and path.suffix not in {".py", ".pyc"}
        }

    assert files(bundle / BUNDLED_RESOURCES) == files(ROOT / "resources")


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="Qt plugin file names of Linux")
def test_the_bundle_carries_the_qt_plugins_desktops_load(bundle: Path) -> None:
    plugins = bundle / "_internal" / "PySide6" / "Qt" / "plugins"
    for plugin in [
        "platforms/libqxcb.so",
        "platforms/libqwayland.so",
        "platforms/libqoffscreen.so",
        "imageformats/libqsvg.so",
        "iconengines/libqsvgicon.so",
        "wayland-shell-integration/libxdg-shell.so",
    ]:
        assert (plugins / plugin).is_file(), plugin


def test_the_app_icon_has_every_size_and_its_runtime_copy() -> None:
    icons = ROOT / "packaging" / "icons"
    source = (icons / "vsmapper.svg").read_bytes()
    assert (ROOT / "resources" / "icons" / "vsmapper.svg").read_bytes() == source
    for size in ICON_SIZES:
        image = QImage(str(icons / f"vsmapper-{size}.png"))
        assert (image.width(), image.height()) == (size, size)
