"""How shares are written: a constraint of a huge map holds a sliver, never "0%"."""

from __future__ import annotations

import pytest

from benchmarks.maps import synthetic_map
from vsmapper.analysis import analyze
from vsmapper.model.duration import share_text
from vsmapper.ui.metrics import status_text


@pytest.mark.parametrize(
    ("share", "text"), [(0.0, "0%"), (0.0004, "<1%"), (0.005, "<1%"), (0.0051, "1%"), (0.42, "42%")]
)
def test_a_share_is_a_whole_percent_or_less_than_one(share: float, text: str) -> None:
    assert share_text(share) == text


@pytest.mark.parametrize(("share", "text"), [(0.319, "32%"), (0.0002, "<1%"), (0.0, "0%")])
def test_rolled_pca_never_reads_nothing_when_some_items_pass(share: float, text: str) -> None:
    from vsmapper.ui.units import rolled_pca_text

    # Every stage at 50% of a twelve-stage map: 0.02% of items pass, which read "0%".
    assert rolled_pca_text(share) == text


def test_the_constraint_of_a_big_map_holds_a_sliver_not_nothing() -> None:
    stream = synthetic_map(2000)
    analysis = analyze(stream)
    assert analysis.constraint is not None and 0 < analysis.constraint.share < 0.005
    assert status_text(analysis, stream).endswith("(<1%)")


def test_no_money_is_written_with_a_minus() -> None:
    from vsmapper.ui.units import money_text

    # A cost typed as −10 in a field that stops at 0 read "−0 USD".
    assert money_text(-0.0, "USD") == "0 USD"
