"""Long work off the GUI thread: one worker at a time, its signals delivered on the GUI thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal


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
        if self._thread is not None:
            self._thread.deleteLater()  # its parent would otherwise keep every one made
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


class CallWorker(QObject):
    """Calls one function off the GUI thread and announces its result or its failure."""

    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, work: Callable[[], object]) -> None:
        super().__init__()
        self._work = work
        self.cancelled = False

    def run(self) -> None:
        """Call the function; any exception becomes a ``failed`` message, never a lost job."""
        try:
            result = self._work()
        except Exception as error:
            self.failed.emit(str(error) or type(error).__name__)
        else:
            self.finished.emit(result)


class Latest(QObject):
    """Works out results off the GUI thread for the latest request only.

    A request made while one is under way waits for it, then replaces any other waiting
    request; ``ready`` gives each result with the key it was asked for, so that the caller
    can drop one whose key is no longer current.
    """

    ready = Signal(object, object)
    """(key, result)"""
    failed = Signal(object, str)
    """(key, message)"""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._job = BackgroundJob(self)
        self._job.finished.connect(self._finish)
        self._job.failed.connect(self._fail)
        self._key: object = None
        self._waiting: tuple[object, Callable[[], object]] | None = None
        # A thread still running when the application ends would abort it.
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.wait)

    @property
    def running(self) -> bool:
        """Whether a request is being worked out."""
        return self._job.running

    def request(self, key: object, work: Callable[[], object]) -> None:
        """Work ``work()`` out off the GUI thread, as soon as the one under way ends."""
        if self._job.running:
            self._waiting = (key, work)
            return
        self._key = key
        self._job.start(CallWorker(work))

    def wait(self) -> None:
        """Block until the request under way ends (for closing windows)."""
        self._waiting = None
        self._job.wait()

    def _next(self) -> bool:
        """Start the waiting request, if any; whether one was started."""
        if self._waiting is None:
            return False
        key, work = self._waiting
        self._waiting = None
        self.request(key, work)
        return True

    def _finish(self, result: object) -> None:
        key = self._key
        if not self._next():
            self.ready.emit(key, result)

    def _fail(self, message: str) -> None:
        key = self._key
        if not self._next():
            self.failed.emit(key, message)
