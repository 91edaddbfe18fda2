"""Broken map files, each with the words its one error line must contain."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.conftest import feature_chain_data


def _edit(change: Callable[[dict[str, Any]], None]) -> bytes:
    data = feature_chain_data()
    change(data)
    return json.dumps(data).encode()


def _stage(index: int, **fields: Any) -> Callable[[dict[str, Any]], None]:
    return lambda data: data["stages"][index].update(fields)


def _with_scenario(data: dict[str, Any]) -> None:
    data["scenarios"] = [{"id": "s", "name": "Future", "ai": ["ghost"]}]


def _absurd_nesting() -> bytes:
    return b"[" * 100_000 + b"]" * 100_000


BAD_MAPS: dict[str, tuple[bytes, str]] = {
    "unknown key": (
        _edit(_stage(1, wait_tme="1d")),
        "stages[1] 'Refinement'.wait_tme: unknown key",
    ),
    "wrong format": (_edit(lambda d: d.update(format="drawio")), "not a VSMapper map"),
    "newer version": (_edit(lambda d: d.update(version=3)), "made by a newer VSMapper"),
    "negative duration": (_edit(_stage(1, wait_time=-3)), "wait_time: -3 is negative"),
    "inverted three points": (
        _edit(_stage(1, wait_time="5d/3d/1d")),
        "'5d/3d/1d' is out of order; low ≤ likely ≤ high",
    ),
    "inverted range": (_edit(_stage(1, process_time="5-1d")), "'5-1d' is out of order"),
    "malformed duration": (
        _edit(_stage(1, wait_time="3 dayz")),
        "'3 dayz' is not a duration (try 3d, 4h, 90m",
    ),
    "pca zero": (_edit(_stage(1, pca=0)), "pca: 0 is out of range; it must be greater than 0"),
    "pca above 100": (
        _edit(_stage(1, pca=101)),
        "pca: 101 is out of range; it must be 100 or less",
    ),
    "blank name": (_edit(_stage(1, name="  ")), "name: is blank"),
    "duplicate ids": (_edit(_stage(2, id="refine")), "duplicate id 'refine'"),
    "flow to unknown stage": (
        _edit(lambda d: d.update(flows=[{"from": "intake", "to": "qa"}])),
        "flows[0].to: unknown stage 'qa'",
    ),
    "cycle": (
        _edit(
            lambda d: d.update(
                flows=[{"from": "intake", "to": "refine"}, {"from": "refine", "to": "intake"}]
            )
        ),
        "they form a cycle (Idea intake → Refinement → Idea intake)",
    ),
    "rework downstream": (
        _edit(_stage(1, rework_to="deploy")),
        "rework_to: 'Deploy' is not upstream",
    ),
    "NaN": (
        json.dumps(feature_chain_data()).replace('"pca": 80', '"pca": NaN').encode(),
        "NaN is not allowed",
    ),
    "infinity": (
        json.dumps(feature_chain_data()).replace('"pca": 80', '"pca": 1e999').encode(),
        "must be a finite number",
    ),
    "empty file": (b"", "the file is empty"),
    "binary file": (bytes(range(256)) * 4, "a binary file, not a map file"),
    "absurd nesting": (_absurd_nesting(), "nested too deeply"),
    "unknown AI in scenario": (_edit(_with_scenario), "unknown AI opportunity 'ghost'"),
}
