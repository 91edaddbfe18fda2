"""Working with PySide6's own ways: its ``__feature__``s, and errors in Qt's callbacks."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType

FEATURES = "shibokensupport.feature"


def skip_source_reads() -> None:
    """Spare PySide6 reading the source of every module imported after it.

    For its opt-in ``from __feature__ import snake_case, true_property``, PySide6 asks of each
    newly imported module whether its source names PySide6, and reads the whole file to
    know: 80 modules and about 10 ms of every start. Answered yes, every module keeps Qt's
    standard names, as VSMapper's code and the libraries it uses are written. (A no lets a
    module follow whichever module selected a feature last; in VSMapper none selects one.)
    The answer holds for the whole process: code that selects a feature in one module and
    relies on a helper module following it would find the helper with standard names.
    """
    import PySide6.QtCore  # noqa: F401  (loads the feature support)

    features = sys.modules.get(FEATURES)
    if features is not None and callable(getattr(features, "_mod_uses_pyside", None)):
        features._mod_uses_pyside = _uses_standard_names  # type: ignore[attr-defined]


def _uses_standard_names(module: ModuleType) -> bool:
    return True


@contextmanager
def raised_from_python() -> Iterator[None]:
    """Let an error raised in C (``round(inf)``, ``max([])``) leave a Qt override as any error.

    PySide6 6.9 to 6.11 on CPython 3.11 crash the process on such an error, left as C
    raised it, in an override that Qt calls within a call from Python (a panel that works
    out its figures as it is made, on a click of its tab). Caught and raised again here, it
    reaches the caller as a Python error: a traceback on the terminal, not a lost window.
    """
    try:
        yield
    except Exception:
        raise
