"""Strict JSON for every JSON output: full precision, finite numbers, never NaN or Infinity."""

from __future__ import annotations

import json
import math
from typing import Any


def json_number(value: float) -> float | None:
    """A figure as JSON carries it: exact, ``-0.0`` as ``0.0``, and None when not finite."""
    value = float(value)
    return value + 0.0 if math.isfinite(value) else None


def json_ready(value: Any) -> Any:
    """Floats through ``json_number`` and tuples as lists, all the way down."""
    if isinstance(value, float):
        return json_number(value)
    if isinstance(value, dict):
        return {key: json_ready(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(item) for item in value]
    return value


def json_text(data: Any) -> str:
    """Indented strict JSON; an unsafe number left in ``data`` is a bug, so it raises."""
    return json.dumps(json_ready(data), indent=2, ensure_ascii=False, allow_nan=False)
