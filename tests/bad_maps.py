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
    "pca zero": (_edit(_stage(1, pca=0)), "pca: 0 is out of range; it must be 0.01 or more"),
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
        "is far too large a number",
    ),
    "empty file": (b"", "the file is empty"),
    "binary file": (bytes(range(256)) * 4, "a binary file, not a map file"),
    "UTF-16 text": (
        json.dumps(feature_chain_data()).encode("utf-16"),
        "UTF-16 text; a map file is UTF-8: save it as UTF-8",
    ),
    "UTF-32 text": (
        json.dumps(feature_chain_data()).encode("utf-32"),
        "UTF-32 text; a map file is UTF-8: save it as UTF-8",
    ),
    "absurd nesting": (_absurd_nesting(), "nested too deeply"),
    "unknown AI in scenario": (_edit(_with_scenario), "unknown AI opportunity 'ghost'"),
    "lone surrogate in notes": (
        _edit(_stage(1, notes="x\ud800")),
        "stages[1] 'Refinement'.notes: text holds a lone surrogate (\\ud800) at character 2",
    ),
    "lone surrogate in a name": (
        _edit(lambda d: d.update(name="Map \udfff")),
        "name: text holds a lone surrogate",
    ),
    "lone surrogate in a duration": (
        _edit(_stage(1, wait_time="1d\ud800")),
        "stages[1] 'Refinement'.wait_time: text holds a lone surrogate",
    ),
    "lone surrogate in an id": (_edit(_stage(1, id="x\ud800")), "stages[1] 'Refinement'.id"),
    "duplicate key": (
        json.dumps(feature_chain_data()).replace('"pca": 80', '"pca": 90, "pca": 10').encode(),
        "stages[1] 'Refinement': the key 'pca' is given twice",
    ),
    "duplicate top-level key": (
        json.dumps(feature_chain_data())
        .replace('"version": 1', '"version": 1, "version": 1')
        .encode(),
        "the key 'version' is given twice",
    ),
    "400-digit duration": (
        _edit(_stage(1, wait_time="9" * 400)),
        "wait_time: '99999999999999999999999999999999999999999999999999999999999…' is too long; "
        "durations are at most 100 years (876,600 hours)",
    ),
    "400-digit number of hours": (
        json.dumps(feature_chain_data())
        .replace('"wait_time": "5d"', f'"wait_time": {"9" * 400}')
        .encode(),
        "wait_time: inf hours is too long",
    ),
    "range to 400 nines": (_edit(_stage(1, wait_time="1-" + "9" * 400 + "d")), "is too long"),
    "hours past 100 years": (
        _edit(_stage(1, process_time=876_601)),
        "process_time: 876601 hours is too long; durations are at most 100 years",
    ),
    "weeks past 100 years": (_edit(_stage(1, wait_time="5300w")), "'5300w' is too long"),
    "time of 1e308": (_edit(_stage(1, wait_time=1e308)), "1e+308 hours is too long"),
    "tiny %C&A": (_edit(_stage(1, pca=5e-324)), "pca: 5e-324 is out of range; it must be 0.01"),
    "huge hourly cost": (
        _edit(_stage(1, hourly_cost=1e308)),
        "hourly_cost: 1e+308 is out of range; it must be 1,000,000,000,000 or less",
    ),
    "huge monthly AI cost": (
        _edit(_stage(1, ai=[{"id": "bot", "name": "Bot", "monthly_cost": 1e13}])),
        "monthly_cost: 10,000,000,000,000 is out of range",
    ),
    "people past a million": (
        _edit(_stage(1, people=1_000_001)),
        "people: 1,000,001 is out of range; it must be 1,000,000 or less",
    ),
    "tiny availability": (_edit(_stage(1, availability=1e-300)), "availability: 1e-300 is out"),
    "demand past a million a week": (
        _edit(lambda d: d.update(demand_per_week=1e300)),
        "demand_per_week: 1e+300 is out of range",
    ),
    "position far away": (
        _edit(_stage(1, position=[1e308, -1e308])),
        "position[0]: 1e+308 is out of range; it must be 10,000,000 or less",
    ),
    "tiny hours per day": (
        _edit(lambda d: d.update(calendar={"hours_per_day": 5e-324})),
        "calendar.hours_per_day: 5e-324 is out of range; it must be 0.1 or more",
    ),
    # JSON's true and numbers in quotes were read as 1 and as the number: a typo became a
    # figure, while "90%" and a duration of true were refused.
    "%C&A true": (_edit(_stage(1, pca=True)), "stages[1] 'Refinement'.pca: true is not a number"),
    "%C&A in quotes": (
        _edit(_stage(1, pca="0.9")),
        "stages[1] 'Refinement'.pca: '0.9' is text, not a number; write it without quotes",
    ),
    "hourly cost true": (_edit(_stage(1, hourly_cost=True)), "hourly_cost: true is not a number"),
    "people false": (_edit(_stage(1, people=False)), "people: false is not a number"),
    "availability in quotes": (_edit(_stage(1, availability="1")), "availability: '1' is text"),
    "WIP true": (_edit(_stage(1, wip=True)), "wip: true is not a number"),
    "position true": (_edit(_stage(1, position=[True, 0])), "position[0]: true is not a number"),
    "AI factor true": (
        _edit(_stage(1, ai=[{"id": "bot", "name": "Bot", "process_time_factor": True}])),
        "ai[0] 'Bot'.process_time_factor: true is not a number",
    ),
    "map hourly cost in quotes": (
        _edit(lambda d: d.update(hourly_cost="80")),
        "hourly_cost: '80' is text, not a number",
    ),
    "demand true": (
        _edit(lambda d: d.update(demand_per_week=True)),
        "demand_per_week: true is not a number",
    ),
    "hours per day true": (
        _edit(lambda d: d.update(calendar={"hours_per_day": True})),
        "calendar.hours_per_day: true is not a number",
    ),
    "override %C&A true": (
        _edit(
            lambda d: d.update(
                scenarios=[{"id": "s", "name": "S", "overrides": {"refine": {"pca": True}}}]
            )
        ),
        "scenarios[0] 'S'.overrides.refine.pca: true is not a number",
    ),
    "demand factor in quotes": (
        _edit(lambda d: d.update(scenarios=[{"id": "s", "name": "S", "demand_factor": "2"}])),
        "scenarios[0] 'S'.demand_factor: '2' is text",
    ),
    "name null": (_edit(lambda d: d.update(name=None)), "name: null is not text"),
    "name a number": (_edit(lambda d: d.update(name=7)), "name: 7 is not text; put it in quotes"),
    "pca a list": (_edit(_stage(0, pca=[True, None])), ".pca: [true, null] is not a number"),
    "pca with underscores": (_edit(_stage(0, pca="1_000")), ".pca: '1_000' is not a number"),
    "version true": (_edit(lambda d: d.update(version=True)), "version: true is not a map file"),
    "id with a forged line": (
        _edit(_stage(1, id="x\r\nvsmapper: ok\x1b[2K")),
        "'x\\r\\nvsmapper: ok\\x1b[2K' is not a valid id",
    ),
    "name with an escape sequence": (
        _edit(lambda d: d["stages"][1].update(name="Ref\x1b[31m", pca=0)),
        "stages[1] 'Ref\\x1b[31m'.pca",
    ),
}
