"""From a keystroke to the repainted canvas while typing a map: ``make bench NAME=typing``.

On a 40-stage map in a shown 1280×720 window, a coach adds a stage with Ctrl+Enter and
types its name, or steps along the flow with the arrow keys; each figure is the time from
the key press until the canvas has repainted. The floor, measured in the same run, is a
repaint of the same canvas with nothing changed.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from benchmarks.bench_canvas import synthetic_map
from vsmapper.ui.app import application
from vsmapper.ui.main_window import MainWindow

STAGES = 40
REPEAT = 15


def median_ms(action: Callable[[], object], window: MainWindow) -> float:
    """The median time of ``action`` followed by a synchronous repaint of the canvas."""
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        action()
        window.workspace.refresh_now()
        window.view.finish_scrolling()
        window.view.viewport().repaint()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    """Print each figure beside the floor."""
    QStandardPaths.setTestModeEnabled(True)
    application()
    window = MainWindow(synthetic_map(STAGES), remember_layout=False)
    window.file.confirm_discard = lambda: True  # type: ignore[method-assign]
    window.resize(1280, 720)
    window.show()
    QApplication.processEvents()
    window.view.setFocus()
    first = window.workspace.stream.stages[0].id
    window.select([first])

    floor = median_ms(lambda: None, window)

    def add_and_name() -> None:
        QTest.keyClick(window.view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        QTest.keyClicks(window.view, "Security review")
        QTest.keyClick(window.view, Qt.Key.Key_Return)

    def step() -> None:
        QTest.keyClick(window.view, Qt.Key.Key_Right)

    window.select([first])
    stepping = median_ms(step, window)
    window.select([first])
    typing = median_ms(add_and_name, window)
    print(f"{STAGES}-stage map, repaint with nothing changed (floor): {floor:.1f} ms")
    print(f"arrow key to the next stage, repainted: {stepping:.1f} ms ({stepping / floor:.1f}×)")
    print(f"Ctrl+Enter, a name and Enter, repainted: {typing:.1f} ms ({typing / floor:.1f}× floor)")
    window.close()


if __name__ == "__main__":
    main()
