"""Shared test set-up: offscreen Qt and small map builders."""

from __future__ import annotations

import json
import os
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
