"""Big synthetic maps for the benchmarks, built without Qt."""

from __future__ import annotations

import random
from typing import Any

from vsmapper.io.mapfile import map_from_data
from vsmapper.model import ValueStream

PHASES = ("ideation", "creation", "release", "operation")
NAMES = (
    "Refinement",
    "Coding",
    "Code review",
    "Security scan",
    "QA sign-off",
    "Deploy to staging",
    "Change approval board",
    "Monitoring",
)


def synthetic_map(size: int, seed: int = 7) -> ValueStream:
    """A realistic large map: a main line with parallel branches, rework loops and AI ideas."""
    rng = random.Random(seed)
    stages: list[dict[str, Any]] = []
    flows: list[dict[str, str]] = []
    column: list[str] = []
    predecessor: dict[str, str] = {}
    while len(stages) < size:
        width = min(rng.choice((1, 1, 1, 2, 2, 3)) if stages else 1, size - len(stages))
        next_column = []
        for _ in range(width):
            index = len(stages)
            stage_id = f"s{index}"
            stage: dict[str, Any] = {
                "id": stage_id,
                "name": f"{rng.choice(NAMES)} {index}",
                "phase": PHASES[min(3, 4 * index // size)],
                "process_time": f"{rng.randint(1, 16)}h",
                "wait_time": f"{rng.randint(0, 4)}-5d",
                "pca": rng.choice((100, 100, 95, 85)),
                "people": rng.randint(1, 6),
            }
            if rng.random() < 0.2:
                stage["ai"] = [
                    {"id": f"{stage_id}-ai", "name": "Assistant", "process_time_factor": 0.7}
                ]
            for source in column:
                flows.append({"from": source, "to": stage_id})
                predecessor[stage_id] = source
            if stage["pca"] < 100 and stage_id in predecessor and rng.random() < 0.3:
                stage["rework_to"] = predecessor[stage_id]
            stages.append(stage)
            next_column.append(stage_id)
        column = next_column
    return map_from_data(
        {
            "format": "vsmapper",
            "version": 1,
            "name": f"Synthetic {size}",
            "hourly_cost": 80,
            "stages": stages,
            "flows": flows,
        }
    )
