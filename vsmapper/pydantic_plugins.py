"""Telling pydantic, before it builds the map's models, that VSMapper uses no plugins."""

from __future__ import annotations

import importlib
import importlib.machinery
import sys
import types

LOADER = "pydantic.plugin._loader"


def skip_pydantic_plugin_search() -> None:
    """Let pydantic find no plugins without looking: any installed pydantic plugin is off.

    Looking imports ``importlib.metadata`` (with ``email``, ``zipfile`` and ``csv``) and
    reads every installed package's entry points: about 25 ms of every start, an eighth of
    what a bare Qt window takes to appear. A program that already looked keeps what it found.
    """
    if LOADER in sys.modules:
        return
    loader = types.ModuleType(LOADER, "Finds no pydantic plugins: VSMapper uses none.")
    loader.__spec__ = importlib.machinery.ModuleSpec(LOADER, None)
    vars(loader).update(get_plugins=tuple, __getattr__=_from_real_loader)
    sys.modules[LOADER] = loader


def _from_real_loader(name: str) -> object:
    # A pydantic that asks the loader for more than get_plugins gets pydantic's own: it then
    # only loses the time saved, never the start. (Python's import machinery probes dunders.)
    if name.startswith("__"):
        raise AttributeError(name)
    del sys.modules[LOADER]
    return getattr(importlib.import_module(LOADER), name)
