"""The cyclic garbage collector, paused while many long-lived objects are made."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collection_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector, then leave it on or off as it was.

    Reading a map makes tens of thousands of objects and no cycles; the collections they
    would set off cost more than the reading itself on a big map.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
