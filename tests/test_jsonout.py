"""Strict JSON output: full precision, never NaN or Infinity."""

from __future__ import annotations

import json
import math

from vsmapper.jsonout import json_number, json_ready, json_text


def test_figures_keep_full_precision_and_lose_negative_zero() -> None:
    assert json_number(0.000138249) == 0.000138249
    assert str(json_number(-0.0)) == "0.0"


def test_figures_that_are_not_finite_become_null() -> None:
    assert json_ready({"a": [math.inf, -math.inf, math.nan, 1.5]}) == {"a": [None, None, None, 1.5]}
    assert json.loads(json_text({"utilization": math.inf})) == {"utilization": None}
