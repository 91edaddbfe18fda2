"""Shared test set-up: offscreen Qt and small map builders."""

from __future__ import annotations

import gc
import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import settings

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from vsmapper.io.mapfile import map_from_data
from vsmapper.model.stream import ValueStream

# Tests never assert wall-clock time: a loaded machine must not fail a correct example.
settings.register_profile("no-deadline", deadline=None)
settings.load_profile("no-deadline")

FEATURE_CHAIN: dict[str, Any] = {
    "format": "vsmapper",
    "version": 1,
    "name": "Feature delivery (chain with rework)",
    "calendar": {"hours_per_day": 8, "days_per_week": 5},
    "stages": [
        {
            "id": "intake",
            "name": "Idea intake",
            "phase": "ideation",
            "kind": "intake",
            "process_time": "1h",
            "wait_time": "0h",
        },
        {
            "id": "refine",
            "name": "Refinement",
            "phase": "ideation",
            "kind": "requirements",
            "process_time": "4h",
            "wait_time": "5d",
            "pca": 80,
        },
        {
            "id": "coding",
            "name": "Coding",
            "phase": "creation",
            "kind": "coding",
            "process_time": "2d",
            "wait_time": "2d",
            "pca": 90,
        },
        {
            "id": "review",
            "name": "Code review",
            "phase": "creation",
            "kind": "review",
            "process_time": "2h",
            "wait_time": "3d",
            "pca": 85,
            "rework_to": "coding",
        },
        {
            "id": "deploy",
            "name": "Deploy",
            "phase": "release",
            "kind": "deploy",
            "process_time": "1h",
            "wait_time": "1d",
        },
    ],
}


def feature_chain_data() -> dict[str, Any]:
    """A fresh copy of the worked feature-chain example as JSON data."""
    return json.loads(json.dumps(FEATURE_CHAIN))


@pytest.fixture
def feature_chain() -> ValueStream:
    """The worked feature-chain example (112 h lead time, Refinement the constraint)."""
    return map_from_data(feature_chain_data())


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    """Python collects garbage after each test, on the main thread, never while Qt paints.

    pytest-qt holds a test's widgets weakly: one caught in a reference cycle lives until a
    collection, which could come in the middle of its own paint event and delete it there
    (a crash). Collected once the test has let go of its fixtures, it is deleted where
    nothing paints; and never by another thread (an estimate round's server), which
    deadlocked with the main thread over Qt objects left by earlier tests, as in the app.
    """
    gc.disable()
    return (yield)


def pytest_runtest_logfinish(nodeid: str, location: tuple[str, int | None, str]) -> None:
    """See ``pytest_runtest_setup``."""
    gc.collect(0)  # what the test made: nothing was collected while it ran
    gc.enable()
