"""How high each rework loop runs over its lanes: one nested in or meeting another rises a level.

A loop within one lane runs over it between its two boxes; a loop back to an earlier lane
runs over both lanes, from their left edge to each of its boxes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

Run = tuple[int, float, float]
"""A stretch of a loop over one lane: the lane, and where it starts and ends across it."""


def loop_runs(source: tuple[int, float], target: tuple[int, float], left: float) -> list[Run]:
    """Where a loop from a box at (lane, x) ``source`` back to ``target`` runs, lanes starting
    at ``left``."""
    (source_lane, source_x), (target_lane, target_x) = source, target
    if source_lane == target_lane:
        return [(source_lane, min(source_x, target_x), max(source_x, target_x))]
    return [(source_lane, left, source_x), (target_lane, left, target_x)]


def loop_levels(runs: Mapping[str, Sequence[Run]]) -> dict[str, int]:
    """Each loop's level, 0 the lowest: shorter loops first, each one level over those it meets
    in a lane it runs over, so lines and labels never share a height."""
    levels: dict[str, int] = {}
    placed: dict[int, list[tuple[float, float, int]]] = {}
    for loop in sorted(
        runs, key=lambda name: (sum(high - low for _, low, high in runs[name]), name)
    ):
        levels[loop] = 1 + max(
            (
                level
                for lane, low, high in runs[loop]
                for left, right, level in placed.get(lane, ())
                if left <= high and low <= right
            ),
            default=-1,
        )
        for lane, low, high in runs[loop]:
            placed.setdefault(lane, []).append((low, high, levels[loop]))
    return levels


def highest_levels(runs: Mapping[str, Sequence[Run]], levels: Mapping[str, int]) -> dict[int, int]:
    """The highest level of the loops over each lane that has any."""
    highest: dict[int, int] = {}
    for loop, stretches in runs.items():
        for lane, _, _ in stretches:
            highest[lane] = max(highest.get(lane, 0), levels[loop])
    return highest
