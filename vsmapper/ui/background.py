"""Long work off the GUI thread: one worker at a time, its signals delivered on the GUI thread."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QThread, Signal


class BackgroundJob(QObject):
    """Runs one worker (a QObject with ``run`` and ``finished``/``failed`` signals, maybe
    ``progressed`` and a ``cancelled`` flag) on a thread of its own.

    The worker's signals reach this object's methods, never lambdas: PySide runs a lambda on
    the emitting thread, and Qt objects of the window must only be touched on the GUI thread.
    """

    progressed = Signal(object)
    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread: QThread | None = None
        self._worker: Any = None

    @property
    def running(self) -> bool:
        """Whether a worker is under way."""
        return self._thread is not None

    def start(self, worker: QObject) -> None:
        """Run ``worker`` on its own thread; a running one is cancelled first."""
        self.cancel()
        self._stop()
        self._worker = worker
        self._thread = QThread(self)
        worker.moveToThread(self._thread)
        self._thread.started.connect(worker.run)  # type: ignore[attr-defined]
        if hasattr(worker, "progressed"):
            worker.progressed.connect(self._progress)
        worker.finished.connect(self._finish)  # type: ignore[attr-defined]
        worker.failed.connect(self._fail)  # type: ignore[attr-defined]
        self._thread.start()

    def cancel(self) -> None:
        """Ask the running worker to stop at its next step."""
        if self._worker is not None:
            self._worker.cancelled = True

    def wait(self) -> None:
        """Block until the running worker ends (for closing windows)."""
        if self._thread is not None:
            self._thread.quit()
            self._thread.wait()

    def _stop(self) -> None:
        self.wait()
        self._thread = None
        self._worker = None

    def _progress(self, value: object) -> None:
        self.progressed.emit(value)

    def _finish(self, result: object) -> None:
        self._stop()
        self.finished.emit(result)

    def _fail(self, message: str) -> None:
        self._stop()
        self.failed.emit(message)
