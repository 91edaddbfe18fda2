"""The core runs without Qt: its packages never import PySide6, pyqtgraph or shiboken6."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "vsmapper"
CORE = ["model", "analysis", "io", "catalog", "workshop", "history", "layout"]
GUI_LIBRARIES = ("PySide6", "pyqtgraph", "shiboken6")


@pytest.mark.parametrize("folder", CORE)
def test_core_source_names_no_gui_library(folder: str) -> None:
    for path in (PACKAGE / folder).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not name.startswith(GUI_LIBRARIES), f"{path} imports {name}"


def test_importing_the_core_and_the_cli_loads_no_gui_library() -> None:
    code = (
        "import sys, pkgutil, importlib, vsmapper\n"
        "for package in ('model', 'analysis', 'io', 'catalog', 'workshop', 'history', 'layout'):\n"
        "    module = importlib.import_module('vsmapper.' + package)\n"
        "    for info in pkgutil.walk_packages(module.__path__, module.__name__ + '.'):\n"
        "        importlib.import_module(info.name)\n"
        "import vsmapper.cli\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('PySide6', 'pyqtgraph', 'shiboken6')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_the_main_window_only_assembles() -> None:
    # Verbs belong in the editor, menus.py, window_file.py or docks.py, not in the window.
    lines = (PACKAGE / "ui" / "main_window.py").read_text(encoding="utf-8").count("\n")
    assert lines < 400
