"""Telling PySide6, as the app loads it, that VSMapper selects none of its ``__feature__``s."""

from __future__ import annotations

import sys
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
