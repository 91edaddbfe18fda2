"""Invariants on random maps, and the fast leverage against naive recomputation."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vsmapper.analysis import analyze, apply_scenario, sensitivity
from vsmapper.analysis.graph import comparable
from vsmapper.analysis.insights import opportunity_effects
from vsmapper.model import AIOpportunity, Estimate, Scenario, ValueStream

from .maps import (
    layered_maps,
    random_maps,
    reference_expected_lead_time,
    reference_nominal,
    with_stage,
)

close = pytest.approx


def zeroed(stream: ValueStream, stage_id: str) -> ValueStream:
    """The map with one stage taking no time at all."""
    return with_stage(stream, stage_id, process_time=Estimate.zero(), wait_time=Estimate.zero())


@given(random_maps())
def test_flow_efficiency_is_a_fraction(stream: ValueStream) -> None:
    assert 0 <= analyze(stream).flow_efficiency <= 1


@given(random_maps())
def test_nominal_lead_time_never_exceeds_expected(stream: ValueStream) -> None:
    analysis = analyze(stream)
    assert analysis.lead_time_hours <= analysis.expected_lead_time_hours + 1e-9
    assert analysis.rework_hours >= -1e-9


@given(random_maps(), st.data())
def test_more_wait_never_shortens_lead_time(stream: ValueStream, data: st.DataObject) -> None:
    target = data.draw(st.sampled_from(stream.stages))
    extra = data.draw(st.sampled_from([0.5, 3.0, 40.0]))
    before = analyze(stream)
    longer = with_stage(
        stream, target.id, wait_time=Estimate.hours_value(target.wait_time.likely_hours() + extra)
    )
    after = analyze(longer)
    assert after.lead_time_hours >= before.lead_time_hours
    assert after.expected_lead_time_hours >= before.expected_lead_time_hours - 1e-9


@given(random_maps())
def test_figures_match_brute_force_enumeration(stream: ValueStream) -> None:
    analysis = analyze(stream)
    lead_time, path = reference_nominal(stream)
    assert analysis.lead_time_hours == lead_time
    assert list(analysis.critical_path) == path
    assert analysis.expected_lead_time_hours == close(reference_expected_lead_time(stream))
    assert analysis.rolled_pca == close(math.prod(s.pca / 100 for s in stream.stages))
    on_path = sum(
        m.process_time_hours + m.wait_time_hours for m in analysis.stages if m.on_critical_path
    )
    assert on_path == lead_time


@settings(max_examples=300)
@given(random_maps())
def test_fast_leverage_equals_naive_recomputation(stream: ValueStream) -> None:
    analysis = analyze(stream)
    for metrics in analysis.stages:
        naive = analyze(zeroed(stream, metrics.id)).expected_lead_time_hours
        assert metrics.leverage_hours == close(analysis.expected_lead_time_hours - naive, abs=1e-9)
        brute = reference_expected_lead_time(
            stream,
            lambda stage_id, pt, wt, p, zero=metrics.id: (0.0 if stage_id == zero else pt + wt, p),
        )
        assert metrics.leverage_hours == close(analysis.expected_lead_time_hours - brute, abs=1e-9)


@settings(max_examples=200)
@given(random_maps())
def test_sensitivity_equals_naive_recomputation(stream: ValueStream) -> None:
    base = reference_expected_lead_time(stream)
    for found in sensitivity(stream):

        def saved(change, target=found.stage_id):  # type: ignore[no-untyped-def]
            return base - reference_expected_lead_time(
                stream,
                lambda stage_id, pt, wt, p: (
                    change(pt, wt, p) if stage_id == target else (pt + wt, p)
                ),
            )

        assert found.halve_process_hours == close(
            saved(lambda pt, wt, p: (pt / 2 + wt, p)), abs=1e-9
        )
        assert found.halve_wait_hours == close(saved(lambda pt, wt, p: (pt + wt / 2, p)), abs=1e-9)
        assert found.perfect_pca_hours == close(saved(lambda pt, wt, p: (pt + wt, 1.0)), abs=1e-9)
        assert found.best_hours == max(
            found.halve_process_hours, found.halve_wait_hours, found.perfect_pca_hours
        )


@given(random_maps())
def test_sensitivity_is_sorted_best_first(stream: ValueStream) -> None:
    # Best first, savings equal but for float noise counting as equal (map order then).
    best = [comparable(found.best_hours) for found in sensitivity(stream)]
    assert best == sorted(best, reverse=True)
    assert len(best) == len(stream.stages)


@given(random_maps(chain=True))
def test_on_a_chain_leverage_is_elapsed_times_passes(stream: ValueStream) -> None:
    # Zeroing a stage of a chain removes its own time, and its time from every rework
    # loop it lies on (its own included), each counted as often as that loop is expected
    # to run: E'_s plus its part of other stages' rework, which is E_s × passes.
    for metrics in analyze(stream).stages:
        assert metrics.leverage_hours == close(
            metrics.elapsed_hours * metrics.expected_passes, abs=1e-9
        )


@given(random_maps())
def test_lead_time_is_at_least_any_single_stage(stream: ValueStream) -> None:
    analysis = analyze(stream)
    for metrics in analysis.stages:
        assert analysis.lead_time_hours >= metrics.elapsed_hours
        assert analysis.expected_lead_time_hours >= metrics.expected_elapsed_hours - 1e-9
        assert 0 <= metrics.share <= 1 + 1e-9
        assert metrics.expected_passes >= 1


def changed_stage(
    stream: ValueStream, stage_id: str, process: float, wait: float, pca: float | None = None
) -> ValueStream:
    """The map with one stage's likely times (hours) and, if given, its %C&A replaced."""
    changes: dict[str, object] = {
        "process_time": Estimate.hours_value(process),
        "wait_time": Estimate.hours_value(wait),
    }
    if pca is not None:
        changes["pca"] = pca
    return with_stage(stream, stage_id, **changes)


@settings(max_examples=60, deadline=None)
@given(layered_maps())
def test_fast_figures_equal_naive_recomputation_on_bigger_maps(stream: ValueStream) -> None:
    analysis = analyze(stream)
    base = analysis.expected_lead_time_hours
    by_id = {found.stage_id: found for found in sensitivity(stream)}
    for metrics in analysis.stages:
        process, wait = metrics.process_time_hours, metrics.wait_time_hours

        def saved(changed: ValueStream) -> float:
            return base - analyze(changed).expected_lead_time_hours

        found = by_id[metrics.id]
        assert metrics.leverage_hours == close(saved(zeroed(stream, metrics.id)), abs=1e-9)
        assert found.halve_process_hours == close(
            saved(changed_stage(stream, metrics.id, process / 2, wait)), abs=1e-9
        )
        assert found.halve_wait_hours == close(
            saved(changed_stage(stream, metrics.id, process, wait / 2)), abs=1e-9
        )
        assert found.perfect_pca_hours == close(
            saved(changed_stage(stream, metrics.id, process, wait, pca=100)), abs=1e-9
        )


def with_opportunities(stream: ValueStream, data: st.DataObject) -> ValueStream:
    """The map with zero to two AI opportunities per stage, some making a stage slower."""
    factors = st.sampled_from([0.0, 0.5, 0.75, 1.0, 1.5])
    stages = []
    for number, found in enumerate(stream.stages):
        ai = [
            AIOpportunity(
                id=f"ai{number}-{index}",
                name=f"Idea {number}-{index}",
                process_time_factor=data.draw(factors),
                wait_time_factor=data.draw(factors),
                pca_delta=data.draw(st.sampled_from([-30.0, -5.0, 0.0, 10.0, 60.0])),
            )
            for index in range(data.draw(st.integers(0, 2)))
        ]
        stages.append(found.model_copy(update={"ai": ai}))
    return stream.model_copy(update={"stages": stages})


@settings(max_examples=60, deadline=None)
@given(st.one_of(random_maps(), layered_maps()), st.data())
def test_opportunity_effects_equal_one_analysis_per_opportunity(
    stream: ValueStream, data: st.DataObject
) -> None:
    stream = with_opportunities(stream, data)
    current = analyze(stream)
    effects = opportunity_effects(stream)
    assert [effect.opportunity_id for effect in effects] == [
        opportunity.id for _, opportunity in stream.opportunities()
    ]
    for effect in effects:
        alone = Scenario(id="alone", name="Alone", ai=[effect.opportunity_id])
        future = analyze(apply_scenario(stream, alone))
        assert effect.lead_time_delta_hours == close(
            future.lead_time_hours - current.lead_time_hours, abs=1e-9
        )
        assert effect.expected_lead_time_delta_hours == close(
            future.expected_lead_time_hours - current.expected_lead_time_hours, abs=1e-9
        )
        assert effect.rolled_pca_delta == close(future.rolled_pca - current.rolled_pca, abs=1e-12)
        stage_id = effect.stage_id
        assert effect.pca_delta_points == close(
            100 * (future.stage(stage_id).pca - current.stage(stage_id).pca), abs=1e-9
        )
