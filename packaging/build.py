"""Build the desktop bundle: install VSMapper as users get it, then freeze it with PyInstaller.

Usage: ``python packaging/build.py [--dist DIR] [--work DIR]`` with the Python whose packages
(PySide6, numpy, ...) go into the bundle; ``make package`` runs it with .venv's.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "packaging" / "vsmapper.spec"


def run_quietly(command: list[str]) -> None:
    """Run a build step, showing its output only if it fails."""
    result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if result.returncode:
        sys.exit(f"{result.stdout}\nbuild failed: {' '.join(command)}")


def build(dist: Path, work: Path) -> Path:
    """Freeze VSMapper into ``dist/VSMapper``, using ``work`` for scratch; returns the bundle."""
    site = work / "site"
    shutil.rmtree(site, ignore_errors=True)
    # A plain install, not the editable one, so the bundle gets the package as a wheel lays it
    # out: vsmapper/resources/ is a real folder inside the package.
    run_quietly(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-compile",
            "--disable-pip-version-check",
            "--target",
            str(site),
            str(ROOT),
        ]
    )
    run_quietly(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--clean",
            "--distpath",
            str(dist),
            "--workpath",
            str(work / "pyinstaller"),
            str(SPEC),
            "--",
            "--site",
            str(site),
        ]
    )
    return dist / "VSMapper"


def folder_megabytes(folder: Path) -> float:
    """The size of the files in ``folder`` (symbolic links not followed) in MB."""
    return sum(path.lstat().st_size for path in folder.rglob("*") if path.is_file()) / 1e6


def main() -> None:
    """Build the bundle and say where it is."""
    parser = argparse.ArgumentParser(description="Build the VSMapper desktop bundle.")
    parser.add_argument(
        "--dist",
        type=Path,
        default=ROOT / "dist",
        help="where the bundle folder goes (default: dist/)",
    )
    parser.add_argument(
        "--work", type=Path, default=ROOT / "build", help="scratch folder (default: build/)"
    )
    args = parser.parse_args()
    started = time.monotonic()
    bundle = build(args.dist.resolve(), args.work.resolve())
    program = "vsmapper-cli.exe" if sys.platform == "win32" else "vsmapper"
    print(
        f"Built {bundle} ({folder_megabytes(bundle):.0f} MB) in "
        f"{time.monotonic() - started:.0f} s. Try: {bundle / program} --version"
    )
    if sys.platform == "darwin":
        print(f"The macOS app: {bundle.parent / 'VSMapper.app'}")


if __name__ == "__main__":
    main()
