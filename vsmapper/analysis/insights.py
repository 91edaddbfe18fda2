"""Plain-language findings about a map, each naming the figures it rests on. No network, no model.

A ``scenario`` argument selects which AI opportunities count: None means every opportunity
marked in the map (and, for the scenario checks, every scenario of the map); a scenario means
the opportunities it enables (and only its own checks). The effect of an opportunity is always
measured against the map as it is, so effects stay comparable whichever scenario is viewed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

from vsmapper.analysis.flow import FlowAnalysis, analyze, overloaded
from vsmapper.analysis.graph import critical_path
from vsmapper.analysis.queues import (
    QueueChange,
    overflow_json,
    queue_factor,
    relief_text,
    responds_to_load,
    stage_loads,
    stage_names,
    unbounded_reason,
)
from vsmapper.analysis.scenario import (
    PCA_FLOOR,
    FutureState,
    apply_scenario,
    compare,
    find_scenario,
    future_state,
)
from vsmapper.analysis.sensitivity import StageSensitivity, sensitivity
from vsmapper.analysis.timing import flow_times
from vsmapper.errors import listed
from vsmapper.jsonout import json_ready
from vsmapper.model import AIOpportunity, Scenario, Stage, ValueStream, format_hours
from vsmapper.model.duration import share_text
from vsmapper.model.stream import PHASES

Severity = Literal["info", "warning", "critical"]
SEVERITIES: tuple[Severity, ...] = ("critical", "warning", "info")
"""Most urgent first: the order ``insights`` lists its findings in."""

WAIT_HEAVY_SHARE = 0.5
"""Waiting from this share of lead time on is flagged (Poppendieck: 50–90 % is common)."""
DOMINANT_CONSTRAINT_SHARE = 0.5
REWORK_NOTABLE_SHARE = 0.05
"""A stage's expected rework from this share of expected lead time on is a hot spot."""
REWORK_HEAVY_SHARE = 0.15
REWORK_HOT_SPOTS = 3
LOW_SAVING_SHARE = 0.05
"""An enabled opportunity saving less than this share of expected lead time has little leverage."""
LOW_STAGE_SHARE = 0.10
"""So has one at a stage holding less than this share of expected lead time."""
BUSY_UTILIZATION = 0.8
LITTLE_CONTRADICTION_RATIO = 2
"""A wait entered this many times off the one WIP and throughput imply (Little's law) is flagged."""
CALENDAR_WAITS_LISTED = 5
"""Stages a calendar-wait finding names and gives figures for; the rest it counts."""
CALENDAR_WAIT_RATIO = 200
"""A queue wait this many times what a queue at its load would be (exponential arrivals and
work) follows a calendar or a batch, not the people's load: scenarios would scale it wrongly."""
# Hours this small are float noise, not a change (a threshold; ties go by comparable()).
_NOISE_HOURS = 1e-9


@dataclass(frozen=True)
class Insight:
    """One finding: what it is about, how urgent, the sentence to show and its figures."""

    kind: str
    severity: Severity
    title: str
    text: str
    stage_ids: tuple[str, ...]
    figures: dict[str, float]


@dataclass(frozen=True)
class OpportunityEffect:
    """What one AI opportunity would do if it alone were applied to the map as it is.

    Deltas are future − current: a negative lead-time delta is a shorter lead time.
    """

    opportunity_id: str
    opportunity: str
    stage_id: str
    stage: str
    practice: str | None
    lead_time_delta_hours: float | None
    """None when it overloads a stage (see ``overflowing``), as are the next three."""
    lead_time_delta_pct: float | None
    expected_lead_time_delta_hours: float | None
    expected_lead_time_delta_pct: float | None
    pca_delta_points: float
    """Change of the stage's %C&A in percentage points, after clamping to (0, 100]."""
    rolled_pca_delta: float
    monthly_cost: float
    overflowing: tuple[QueueChange, ...] = ()
    """The stages it would give more work than they can do: their queues grow without bound."""


@dataclass(frozen=True)
class PhaseShare:
    """Where the time is in one phase against where the AI opportunities are.

    ``expected_hours`` is the time the phase's stages add along the *expected* critical path
    (the longest path when every stage takes its elapsed time plus its expected rework, E + R,
    docs/formulas.md); a stage's rework counts in the phase of the stage that sends the work back.
    ``share`` is that over the expected lead time, so the four phases' shares add up to 1.
    The deltas are those of applying all the phase's counted opportunities together to the map
    as it is (future − current; negative is shorter).
    """

    phase: str
    stages: int
    expected_hours: float
    share: float
    opportunities: int
    monthly_cost: float
    lead_time_delta_hours: float | None
    """None when the phase's opportunities together overload a stage, as is the next one."""
    expected_lead_time_delta_hours: float | None


def opportunity_effects(stream: ValueStream) -> list[OpportunityEffect]:
    """Each marked AI opportunity applied alone to the map, in map order."""
    current = analyze(stream)
    marked = stream.opportunities()
    changes = _one_stage_changes(stream) if stream.demand_per_week is None else {}
    effects = []
    for stage, opportunity in marked:
        change = changes.get(opportunity.id)
        overflowing: tuple[QueueChange, ...] = ()
        if change is None:
            state = _future_with(stream, [opportunity.id])
            future, overflowing = analyze(state.stream), state.overflowing
            change = _Change(
                *_lead_time_deltas(state, future, current),
                100 * (future.stage(stage.id).pca - current.stage(stage.id).pca),
                future.rolled_pca - current.rolled_pca,
            )
        effects.append(
            OpportunityEffect(
                opportunity_id=opportunity.id,
                opportunity=opportunity.name,
                stage_id=stage.id,
                stage=stage.name,
                practice=opportunity.practice,
                lead_time_delta_hours=change.lead,
                lead_time_delta_pct=_percent(change.lead, current.lead_time_hours),
                expected_lead_time_delta_hours=change.expected,
                expected_lead_time_delta_pct=_percent(
                    change.expected, current.expected_lead_time_hours
                ),
                pca_delta_points=change.pca_points,
                rolled_pca_delta=change.rolled_pca,
                monthly_cost=opportunity.monthly_cost,
                overflowing=overflowing,
            )
        )
    return effects


@dataclass(frozen=True)
class _Change:
    """What one opportunity alone changes: lead times in hours (None when unbounded), %C&A in
    points and as rolled."""

    lead: float | None
    expected: float | None
    pca_points: float
    rolled_pca: float


def _one_stage_changes(stream: ValueStream) -> dict[str, _Change]:
    """The changes of every opportunity that touches its own stage only, by opportunity id.

    Without a demand no queue responds to load, so an opportunity without side effects
    changes one stage's times and %C&A and nothing else: the question leverage answers
    for every stage in one pass. One pass per opportunity rank at a stage (the first
    opportunity of every stage, then the second...) measures them all, instead of one
    analysis per opportunity.
    """
    times = flow_times(stream)
    ranks: list[list[tuple[int, AIOpportunity]]] = []
    for number, stage in enumerate(stream.stages):
        alone = [opportunity for opportunity in stage.ai if not opportunity.also]
        for rank, opportunity in enumerate(alone):
            if rank == len(ranks):
                ranks.append([])
            ranks[rank].append((times.graph.positions[number], opportunity))
    rolled = math.prod(times.pca)
    no_rework = [0.0] * times.size
    changes: dict[str, _Change] = {}
    for group in ranks:
        reductions = [0.0] * times.size
        factors = list(times.factors)
        pcas: dict[str, tuple[float, float]] = {}
        for place, opportunity in group:
            process = times.process[place] * opportunity.process_time_factor
            wait = times.wait[place] * opportunity.wait_time_factor
            reductions[place] = times.elapsed[place] - (wait + process)
            pca = min(100.0, max(PCA_FLOOR, times.stages[place].pca + opportunity.pca_delta)) / 100
            factors[place] = (1 - pca) / pca
            pcas[opportunity.id] = times.pca[place], pca
        expected = times.expected_lead_times_with(reductions, factors)
        nominal = times.nominal.expected_lead_times_with(reductions, no_rework)
        for place, opportunity in group:
            before, after = pcas[opportunity.id]
            if reductions[place] == 0 and before == after:
                changes[opportunity.id] = _Change(0.0, 0.0, 0.0, 0.0)
                continue
            changes[opportunity.id] = _Change(
                nominal[place] - times.nominal.expected_lead_time,
                expected[place] - times.expected_lead_time,
                100 * (after - before),
                rolled * after / before - rolled,
            )
    return changes


def hourglass(stream: ValueStream, scenario: Scenario | None = None) -> list[PhaseShare]:
    """Per phase, in phase order: its share of expected lead time and its AI opportunities.

    The time shares are always those of the map as it is; the opportunities counted are all
    marked ones, or with a scenario the ones it enables.
    """
    times = flow_times(stream)
    _, path = critical_path(times.graph, times.expected)
    total = times.expected_lead_time
    counted = [
        (stage, opportunity)
        for stage, opportunity in stream.opportunities()
        if scenario is None or opportunity.id in scenario.ai
    ]
    current = analyze(stream) if counted else None
    shares = []
    for phase in PHASES:
        hours = math.fsum(
            times.expected[place] for place in path if times.stages[place].phase == phase
        )
        chosen = [opportunity for stage, opportunity in counted if stage.phase == phase]
        lead: float | None = 0.0
        expected: float | None = 0.0
        if current is not None and chosen:
            state = _future_with(stream, [opportunity.id for opportunity in chosen])
            lead, expected = _lead_time_deltas(state, analyze(state.stream), current)
        shares.append(
            PhaseShare(
                phase=phase,
                stages=sum(stage.phase == phase for stage in stream.stages),
                expected_hours=hours,
                share=hours / total if total > 0 else 0.0,
                opportunities=len(chosen),
                monthly_cost=math.fsum(opportunity.monthly_cost for opportunity in chosen),
                lead_time_delta_hours=lead,
                expected_lead_time_delta_hours=expected,
            )
        )
    return shares


def insights(stream: ValueStream, scenario: Scenario | None = None) -> list[Insight]:
    """Every finding about the map, most urgent first.

    Findings about flow (constraint, waiting, capacity, rework, the biggest lever) describe
    the map as the scenario would make it, or as it is without one.
    """
    state = None if scenario is None else future_state(stream, scenario)
    viewed = stream if state is None else state.stream
    analysis = analyze(viewed)
    current = analysis if scenario is None else analyze(stream)
    # An unbounded state has no lead time: no finding may quote one, or a share or saving of it.
    bounded = state is None or not state.unbounded
    ranked = sensitivity(viewed) if bounded else ()
    effects = [
        effect
        for effect in opportunity_effects(stream)
        if scenario is None or effect.opportunity_id in scenario.ai
    ]
    scenarios = stream.scenarios if scenario is None else [scenario]
    words = _Words(stream)
    calendar = _calendar_wait_stages(stream)
    overloads = _demand_overloads(stream, current, scenarios)
    # In a scenario's own view its overload finding already names the stage and says why.
    explained = (
        {stage_id for insight in overloads for stage_id in insight.stage_ids}
        if scenario is not None
        else set()
    )
    unbounded = _unbounded(
        [] if state is None else [c for c in state.overflowing if c.stage_id not in explained]
    )
    explained.update(stage_id for insight in unbounded for stage_id in insight.stage_ids)
    found = [
        *(_constraint(analysis, words) if bounded else []),
        *(_waiting(analysis, words) if bounded else []),
        *[
            insight
            for insight in _capacity(viewed, analysis)
            if insight.stage_ids[0] not in explained
        ],
        *overloads,
        *unbounded,
        *_little_contradictions(analysis, words),
        *_calendar_waits(stream, calendar, words),
        *_growing_queues(stream, scenarios, words, {stage.id for stage, *_ in calendar}),
        *(_rework_hot_spots(viewed, analysis, ranked, words) if bounded else []),
        *_biggest_lever(analysis, ranked, words),
        *_best_opportunity(effects, words),
        *_low_leverage(
            stream, current, effects, scenarios, words, in_scenario=scenario is not None
        ),
    ]
    return sorted(found, key=lambda insight: SEVERITIES.index(insight.severity))


def insights_json(stream: ValueStream, scenario_name: str | None) -> dict[str, Any]:
    """The findings, opportunity effects and hourglass as JSON-ready additive analysis keys."""
    scenario = None if scenario_name is None else find_scenario(stream, scenario_name)
    return {
        "insights": [json_ready(asdict(found)) for found in insights(stream, scenario)],
        "opportunities": [
            json_ready({**asdict(effect), "overflowing": overflow_json(effect.overflowing)})
            for effect in opportunity_effects(stream)
        ],
        "hourglass": [json_ready(asdict(share)) for share in hourglass(stream, scenario)],
    }


def _future_with(stream: ValueStream, opportunity_ids: Sequence[str]) -> FutureState:
    """The map with just these AI opportunities applied, its queues responding."""
    return future_state(stream, Scenario(id="what-if", name="What if", ai=list(opportunity_ids)))


def _lead_time_deltas(
    state: FutureState, future: FlowAnalysis, current: FlowAnalysis
) -> tuple[float | None, float | None]:
    """Lead time and expected lead time, future − current; None when a queue overflows."""
    if state.unbounded:
        return None, None
    return (
        future.lead_time_hours - current.lead_time_hours,
        future.expected_lead_time_hours - current.expected_lead_time_hours,
    )


def _percent(delta: float | None, base: float) -> float | None:
    if delta is None:
        return None
    return 100 * delta / base if base > 0 else 0.0


class _Words:
    """How findings write durations and money for one map."""

    def __init__(self, stream: ValueStream) -> None:
        self.calendar = stream.calendar
        self.currency = stream.currency

    def hours(self, hours: float) -> str:
        return format_hours(hours, self.calendar.hours_per_day, self.calendar.days_per_week)

    def money(self, amount: float) -> str:
        return f"{amount:,.0f} {self.currency}"

    @staticmethod
    def change(percent: float) -> str:
        """A signed percentage with the same minus sign as durations: ``−1.9%``."""
        return f"{percent:+.1f}%".replace("-", "−")


def _constraint(analysis: FlowAnalysis, words: _Words) -> list[Insight]:
    """The stage that limits lead time most, and how much it holds."""
    constraint = analysis.constraint
    if constraint is None or constraint.leverage_hours <= 0:
        return []
    metrics = analysis.stage(constraint.stage_id)
    total = analysis.expected_lead_time_hours
    rework = (
        f", and its rework adds {words.hours(metrics.rework_hours)}"
        if metrics.rework_hours > 0
        else ""
    )
    return [
        Insight(
            kind="constraint",
            severity="warning" if constraint.share >= DOMINANT_CONSTRAINT_SHARE else "info",
            title=f"{constraint.stage} is the constraint: {share_text(constraint.share)} of expected lead time",
            text=(
                f"{constraint.stage} waits {words.hours(metrics.wait_time_hours)} and works "
                f"{words.hours(metrics.process_time_hours)} per item{rework}. If it took no time "
                f"at all, expected lead time would fall by {words.hours(constraint.leverage_hours)} "
                f"of {words.hours(total)} ({constraint.share:.0%}); no other single stage "
                "holds more."
            ),
            stage_ids=(constraint.stage_id,),
            figures={
                "leverage_hours": constraint.leverage_hours,
                "share": constraint.share,
                "expected_lead_time_hours": total,
                "wait_time_hours": metrics.wait_time_hours,
                "process_time_hours": metrics.process_time_hours,
                "rework_hours": metrics.rework_hours,
            },
        )
    ]


def _unbounded(overflowing: Sequence[QueueChange]) -> list[Insight]:
    """Stages the viewed state overloads that no other finding names: lead time has no
    steady state, and only relieving them changes that."""
    if not overflowing:
        return []
    names = stage_names(overflowing)
    return [
        Insight(
            kind="unbounded",
            severity="critical",
            title=(
                f"{names} {'are' if overflowing[1:] else 'is'} overloaded: "
                "lead time has no steady state"
            ),
            text=(
                f"{unbounded_reason(overflowing)}, and there is no lead time, flow efficiency "
                f"or constraint to show. {relief_text(overflowing)}."
            ),
            stage_ids=tuple(change.stage_id for change in overflowing),
            figures={
                "utilization": max(change.utilization_after or 0.0 for change in overflowing),
                "overloaded_stages": float(len(overflowing)),
            },
        )
    ]


def _waiting(analysis: FlowAnalysis, words: _Words) -> list[Insight]:
    """How much of the (nominal) lead time items spend waiting on the critical path."""
    lead_time = analysis.lead_time_hours
    if lead_time <= 0:
        return []
    share = analysis.wait_time_hours / lead_time
    on_path = [analysis.stage(stage_id) for stage_id in analysis.critical_path]
    longest = max(on_path, key=lambda metrics: metrics.wait_time_hours)
    queue = (
        f" The longest queue is in front of {longest.name} "
        f"({words.hours(longest.wait_time_hours)})."
        if longest.wait_time_hours > 0
        else ""
    )
    measured = (
        f"Along the critical path items wait {words.hours(analysis.wait_time_hours)} "
        f"of {words.hours(lead_time)} and are worked on for "
        f"{words.hours(analysis.process_time_hours)}: a flow efficiency of "
        f"{analysis.flow_efficiency:.0%}."
    )
    if share >= WAIT_HEAVY_SHARE:
        severity: Severity = "warning"
        title = f"Items spend {share:.0%} of lead time waiting"
        advice = (
            " Poppendieck finds queues and approvals taking 50–90% of elapsed time in "
            "most streams; here too, shorter queues, smaller batches and fewer hand-offs "
            "and approvals will move lead time more than faster work."
        )
    else:
        severity = "info"
        title = f"Waiting is {share:.0%} of lead time"
        advice = (
            " That is below the 50–90% Poppendieck reports as common, so hands-on time "
            "matters here as much as the queues."
        )
    return [
        Insight(
            kind="waiting",
            severity=severity,
            title=title,
            text=measured + queue + advice,
            stage_ids=(longest.id,) if longest.wait_time_hours > 0 else (),
            figures={
                "wait_share": share,
                "wait_time_hours": analysis.wait_time_hours,
                "lead_time_hours": lead_time,
                "flow_efficiency": analysis.flow_efficiency,
                "longest_wait_hours": longest.wait_time_hours,
            },
        )
    ]


def _capacity(stream: ValueStream, analysis: FlowAnalysis) -> list[Insight]:
    """A capacity bottleneck that is not the lead-time constraint, or one that is overloaded."""
    bottleneck, constraint = analysis.capacity_bottleneck, analysis.constraint
    if bottleneck is None or bottleneck.utilization <= 0 or stream.demand_per_week is None:
        return []
    elsewhere = (
        constraint
        if constraint is not None and constraint.stage_id != bottleneck.stage_id
        else None
    )
    if elsewhere is None and not bottleneck.overloaded:
        return []
    demand = stream.demand_per_week
    most = demand / bottleneck.utilization
    text = (
        f"At {demand:g} items a week {bottleneck.stage} is loaded to "
        f"{bottleneck.utilization:.0%} of its capacity; it can finish at most {most:.1f} "
        "items a week."
    )
    if bottleneck.overloaded:
        severity: Severity = "critical"
        title = f"{bottleneck.stage} is overloaded at {bottleneck.utilization:.0%} of capacity"
        text += (
            " Its queue grows without bound, so the wait the map shows there will keep "
            "growing: add capacity, cut its work per item or take in less."
        )
    else:
        severity = "warning" if bottleneck.utilization >= BUSY_UTILIZATION else "info"
        title = f"{bottleneck.stage} limits throughput, not lead time"
    stage_ids: tuple[str, ...] = (bottleneck.stage_id,)
    if elsewhere is not None:
        text += (
            f" The lead-time constraint is {elsewhere.stage}: the constraint decides how "
            "long one item takes, the capacity bottleneck how many items a week the stream "
            "can take."
        )
        # Overloaded, it is queueing already: "more demand" would come on top of a queue
        # that grows without it.
        if not bottleneck.overloaded:
            text += f" More demand will queue at {bottleneck.stage} first."
        stage_ids += (elsewhere.stage_id,)
    return [
        Insight(
            kind="capacity",
            severity=severity,
            title=title,
            text=text,
            stage_ids=stage_ids,
            figures={
                "utilization": bottleneck.utilization,
                "demand_per_week": demand,
                "capacity_per_week": most,
            },
        )
    ]


CalendarWait = tuple[Stage, float, float, float]
"""A stage, its utilization, the wait a queue at that load would have, and its wait."""


def _calendar_wait_stages(stream: ValueStream) -> list[CalendarWait]:
    """Queue waits far longer than their stage's load can explain: a meeting's or a batch's."""
    loads = stage_loads(stream)
    calendar = stream.calendar
    found = []
    for stage in stream.stages:
        load = loads[stage.id]
        if not responds_to_load(stage.wait_kind, load):
            continue
        assert load.utilization is not None
        wait = stage.wait_time.likely_hours(calendar.hours_per_day, calendar.days_per_week)
        queue = queue_factor(load.utilization, stage.people) * load.work_hours
        if wait > CALENDAR_WAIT_RATIO * queue:
            found.append((stage, load.utilization, queue, wait))
    return found


def _calendar_waits(
    stream: ValueStream, found: Sequence[CalendarWait], words: _Words
) -> list[Insight]:
    """The calendar waits found, and the advice to mark them fixed.

    A scenario scales a queue wait with g(ρ′)/g(ρ), which for a stage a few percent busy
    is steep: a small cut of its work would seem to save days (docs/queues.md).
    """
    if not found:
        return []
    shown, more = found[:CALENDAR_WAITS_LISTED], len(found) - CALENDAR_WAITS_LISTED
    names = [stage.name for stage, *_ in shown] + ([f"{more:,} more"] if more > 0 else [])
    shown_names = listed(names)
    title = (
        f"{shown_names}'s {words.hours(found[0][3])} wait follows a calendar, not its people's load"
        if len(found) == 1
        else f"{len(found):,} waits follow a calendar, not the people's load: {shown_names}"
    )
    figures = " ".join(
        f"{stage.name} is {share_text(rho)} busy: a queue for its {stage.people:g} "
        f"{'person' if stage.people == 1 else 'people'} would average "
        f"{f'about {words.hours(queue)}' if queue >= 1 / 60 else 'under a minute'}, yet the "
        f"map says {words.hours(wait)}."
        for stage, rho, queue, wait in shown
    )
    one = len(found) == 1
    return [
        Insight(
            kind="calendar_wait",
            severity="warning" if stream.scenarios else "info",
            title=title,
            text=(
                f"{figures} Scenarios make a queue's wait grow and shrink with the load, "
                "steeply, so a small cut of the work there would seem to save days. If a "
                f"meeting, a board or a release train sets {'this wait' if one else 'these waits'}"
                f", set Wait kind to Fixed (Properties): scenarios then change "
                f"{'it' if one else 'them'} only through AI ideas and overrides."
            ),
            stage_ids=tuple(stage.id for stage, *_ in found),
            figures={
                "stages": len(found),
                # A queue of thousands of people at a low load averages no wait at all.
                "largest_ratio": max(
                    wait / queue if queue else math.inf for _, _, queue, wait in found
                ),
            },
        )
    ]


def _little_contradictions(analysis: FlowAnalysis, words: _Words) -> list[Insight]:
    """Stages whose entered wait is far from the wait their WIP and throughput imply."""
    found = []
    for metrics in analysis.stages:
        implied, entered = metrics.little_wait_hours, metrics.wait_time_hours
        if implied is None or not math.isfinite(implied):
            continue
        low, high = sorted((implied, entered))
        if high <= _NOISE_HOURS or (low > 0 and high / low <= LITTLE_CONTRADICTION_RATIO):
            continue
        found.append(
            Insight(
                kind="littles_law",
                severity="warning",
                title=(
                    f"{metrics.name}: its WIP and throughput imply a {words.hours(implied)} "
                    f"wait, not {words.hours(entered)}"
                ),
                text=(
                    f"Little's law (wait = WIP ÷ throughput) gives {metrics.name} a wait of "
                    f"{words.hours(implied)}, while the map says {words.hours(entered)}. One of "
                    "the three is off: recount the items waiting there, measure how many leave "
                    "a week, or correct the wait."
                ),
                stage_ids=(metrics.id,),
                figures={"little_wait_hours": implied, "wait_time_hours": entered},
            )
        )
    return found


def _demand_overloads(
    stream: ValueStream, current: FlowAnalysis, scenarios: Iterable[Scenario]
) -> list[Insight]:
    """Scenarios that push a stage to 100% utilization or more when it is below that now."""
    if stream.demand_per_week is None:
        return []
    found = []
    for scenario in scenarios:
        future = analyze(apply_scenario(stream, scenario))
        # (utilization in the scenario, utilization now, stage); with a demand neither is None.
        loads = [
            (metrics.utilization or 0.0, current.stage(metrics.id).utilization or 0.0, metrics)
            for metrics in future.stages
        ]
        pushed = sorted(
            (load for load in loads if overloaded(load[0]) and not overloaded(load[1])),
            key=lambda load: -load[0],
        )
        if not pushed:
            continue
        future_load, current_load, worst = pushed[0]
        demand = stream.demand_per_week * scenario.demand_factor
        cause = (
            f"demand ×{scenario.demand_factor:g} ({stream.demand_per_week:g} → {demand:g} "
            "items a week)"
            if scenario.demand_factor != 1
            else "its changes to process time and %C&A"
        )
        others = len(pushed) - 1
        stages = f"{others} more stage{'s' if others > 1 else ''}"
        found.append(
            Insight(
                kind="demand_overload",
                severity="critical",
                title=f"'{scenario.name}' overloads {worst.name}"
                + (f" and {stages}" if others else ""),
                text=(
                    f"With {cause}, {worst.name} goes from {current_load:.0%} to "
                    f"{future_load:.0%} of its capacity"
                    + (f", and {stages} pass 100% too" if others else "")
                    + ". Past 100% the queue in front of a stage grows without bound, so its wait "
                    "and the lead time keep growing until capacity is added or demand falls."
                ),
                stage_ids=tuple(metrics.id for _, _, metrics in pushed),
                figures={
                    "utilization": future_load,
                    "current_utilization": current_load,
                    "demand_factor": scenario.demand_factor,
                    "demand_per_week": demand,
                    "overloaded_stages": float(len(pushed)),
                },
            )
        )
    return found


QUEUE_GROWTH_SHOWN = 1.5
"""A scenario that makes a queue wait this many times longer gets a finding..."""
QUEUE_LEAD_TIME_SHARE = 0.01
"""...when lead time rises by more than this share of today's."""


def _growing_queues(
    stream: ValueStream, scenarios: Iterable[Scenario], words: _Words, calendar: set[str]
) -> list[Insight]:
    """Scenarios whose load makes a queue grow: the AI productivity paradox, in numbers;
    doubted for a wait that looks like a calendar's (``calendar``, by stage id)."""
    if stream.demand_per_week is None:
        return []
    found = []
    for scenario in scenarios:
        comparison = compare(stream, scenario)
        lead = comparison.lead_time_delta_hours
        # An overload has its own finding; a queue that barely moves lead time needs none.
        if lead is None or lead <= QUEUE_LEAD_TIME_SHARE * comparison.current.lead_time_hours:
            continue
        grown = [
            change
            for change in comparison.queues
            if change.responds
            and change.wait_before_hours > 0
            and change.wait_after_hours >= QUEUE_GROWTH_SHOWN * change.wait_before_hours
        ]
        if not grown:
            continue
        worst = max(grown, key=lambda change: change.wait_after_hours - change.wait_before_hours)
        before, after = worst.utilization_before or 0.0, worst.utilization_after or 0.0
        outcome = f"and lead time rises by {words.hours(lead)}"
        found.append(
            Insight(
                kind="queue_growth",
                severity="warning",
                title=f"'{scenario.name}' grows the queue at {worst.stage}",
                text=(
                    f"{scenario.name}: {worst.stage} goes from {before:.0%} to {after:.0%} "
                    f"busy, its wait from {words.hours(worst.wait_before_hours)} to "
                    f"{words.hours(worst.wait_after_hours)}, {outcome}. A queue grows steeply "
                    "as its people approach full use, so work saved upstream can wait longer "
                    "downstream."
                    + (
                        f" Yet {worst.stage}'s wait today is far longer than a queue at its "
                        "load would be: if a calendar or a batch sets it, it will not grow "
                        "this way."
                        if worst.stage_id in calendar
                        else ""
                    )
                ),
                stage_ids=(worst.stage_id,),
                figures={
                    "utilization": after,
                    "current_utilization": before,
                    "wait_hours": worst.wait_after_hours,
                    "current_wait_hours": worst.wait_before_hours,
                    "lead_time_delta_hours": lead,
                },
            )
        )
    return found


def _rework_hot_spots(
    stream: ValueStream,
    analysis: FlowAnalysis,
    ranked: Sequence[StageSensitivity],
    words: _Words,
) -> list[Insight]:
    """The stages whose expected rework adds the most time, if it adds a notable share."""
    total = analysis.expected_lead_time_hours
    if total <= 0:
        return []
    perfect = {found.stage_id: found.perfect_pca_hours for found in ranked}
    notable = [
        metrics
        for metrics in analysis.stages
        if metrics.rework_hours >= REWORK_NOTABLE_SHARE * total
    ]
    found = []
    for metrics in sorted(notable, key=lambda metrics: -metrics.rework_hours)[:REWORK_HOT_SPOTS]:
        target = stream.stage(metrics.id).rework_to or metrics.id
        back = (
            "is redone there"
            if target == metrics.id
            else f"goes back to {stream.stage(target).name}"
        )
        share = metrics.rework_hours / total
        found.append(
            Insight(
                kind="rework",
                severity="warning" if share >= REWORK_HEAVY_SHARE else "info",
                title=f"Rework at {metrics.name} adds {words.hours(metrics.rework_hours)}",
                text=(
                    f"{1 - metrics.pca:.0%} of {metrics.name}'s work is not complete and accurate "
                    f"and {back}; on average that adds {words.hours(metrics.rework_hours)} per "
                    f"item, {share:.0%} of expected lead time. At 100% complete and accurate, "
                    f"expected lead time would fall by {words.hours(perfect[metrics.id])}."
                ),
                stage_ids=(metrics.id,) if target == metrics.id else (metrics.id, target),
                figures={
                    "rework_hours": metrics.rework_hours,
                    "rework_share": share,
                    "pca": 100 * metrics.pca,
                    "perfect_pca_saving_hours": perfect[metrics.id],
                },
            )
        )
    return found


def _biggest_lever(
    analysis: FlowAnalysis, ranked: Sequence[StageSensitivity], words: _Words
) -> list[Insight]:
    """The single change at a single stage that would save the most expected lead time."""
    if not ranked or ranked[0].best_hours <= _NOISE_HOURS:
        return []
    best = ranked[0]
    # Listed cheapest first: on a tie the cheaper change is named.
    levers = [
        ("halving the wait in front of", best.halve_wait_hours),
        ("halving the process time of", best.halve_process_hours),
        ("getting %C&A to 100% at", best.perfect_pca_hours),
    ]
    lever, saved = max(levers, key=lambda item: item[1])
    share = saved / analysis.expected_lead_time_hours
    return [
        Insight(
            kind="biggest_lever",
            severity="info",
            title=f"Biggest single lever: {lever} {best.stage}",
            text=(
                f"Of halving any stage's process time, halving its wait or getting its %C&A to "
                f"100%, {lever} {best.stage} would save the most: expected lead time "
                f"{words.hours(-saved)} ({words.change(-100 * share)})."
            ),
            stage_ids=(best.stage_id,),
            figures={
                "saved_hours": saved,
                "saved_share": share,
                "halve_wait_hours": best.halve_wait_hours,
                "halve_process_hours": best.halve_process_hours,
                "perfect_pca_hours": best.perfect_pca_hours,
            },
        )
    ]


def _best_opportunity(effects: Sequence[OpportunityEffect], words: _Words) -> list[Insight]:
    """The AI opportunity that would shorten expected lead time most when applied alone."""
    # One that overloads a stage has no lead time: the scenarios' overload findings name it.
    helpful = [
        effect for effect in effects if (effect.expected_lead_time_delta_hours or 0) < -_NOISE_HOURS
    ]
    if not helpful:
        return []
    best = min(helpful, key=lambda effect: effect.expected_lead_time_delta_hours or 0.0)
    lead, lead_pct = best.lead_time_delta_hours or 0.0, best.lead_time_delta_pct or 0.0
    expected = best.expected_lead_time_delta_hours or 0.0
    expected_pct = best.expected_lead_time_delta_pct or 0.0
    count = len(effects)
    return [
        Insight(
            kind="best_opportunity",
            severity="info",
            title=f"Most effective AI opportunity: {best.opportunity} at {best.stage}",
            text=(
                f"Applied alone, {best.opportunity} would change lead time by "
                f"{words.hours(lead)} ({words.change(lead_pct)}) and expected lead time by "
                f"{words.hours(expected)} ({words.change(expected_pct)}), for "
                f"{words.money(best.monthly_cost)} a month."
                + (
                    f" It does the most of the {count} AI opportunities considered."
                    if count > 1
                    else ""
                )
            ),
            stage_ids=(best.stage_id,),
            figures={
                "lead_time_delta_hours": lead,
                "lead_time_delta_pct": lead_pct,
                "expected_lead_time_delta_hours": expected,
                "expected_lead_time_delta_pct": expected_pct,
                "rolled_pca_delta": best.rolled_pca_delta,
                "monthly_cost": best.monthly_cost,
            },
        )
    ]


def _harms(process_time_factor: float, wait_time_factor: float, pca_delta: float) -> list[str]:
    """What an effect makes worse at its stage, in words."""
    return [
        what
        for what, happens in (
            ("slower work", process_time_factor > 1),
            ("longer waits", wait_time_factor > 1),
            ("more rework", pca_delta < 0),
        )
        if happens
    ]


def _why_longer(stream: ValueStream, effect: OpportunityEffect) -> str:
    """What makes an opportunity lengthen expected lead time: what it makes worse at its
    own stage and at the stages its side effects reach, against the time it saves."""
    stage = stream.stage(effect.stage_id)
    opportunity = next(found for found in stage.ai if found.id == effect.opportunity_id)
    here = _harms(
        opportunity.process_time_factor, opportunity.wait_time_factor, opportunity.pca_delta
    )
    elsewhere = [
        f"{stream.stage(side.stage).name}: {', '.join(worse)}"
        for side in opportunity.also
        if (worse := _harms(side.process_time_factor, side.wait_time_factor, side.pca_delta))
    ]
    causes = [
        *([f"what it does here ({', '.join(here)})"] if here else []),
        *([f"what it does elsewhere ({'; '.join(elsewhere)})"] if elsewhere else []),
    ]
    cause = " and ".join(causes) or "what it does to the stream"
    if opportunity.process_time_factor >= 1 and opportunity.wait_time_factor >= 1:
        return cause  # it saves no time to outweigh
    return f"{cause} {'outweigh' if len(causes) > 1 else 'outweighs'} the time it saves"


def _low_leverage(
    stream: ValueStream,
    current: FlowAnalysis,
    effects: Sequence[OpportunityEffect],
    scenarios: Iterable[Scenario],
    words: _Words,
    in_scenario: bool = False,
) -> list[Insight]:
    """Enabled AI opportunities at stages where even their full effect barely moves lead time.

    Each is applied alone to the current state; ``in_scenario`` says so in a scenario's view,
    whose other findings quote the scenario's own shares.
    """
    total = current.expected_lead_time_hours
    if total <= 0:
        return []
    enabled_in: dict[str, list[str]] = {}
    for scenario in scenarios:
        for opportunity_id in scenario.ai:
            enabled_in.setdefault(opportunity_id, []).append(f"'{scenario.name}'")
    constraint = current.constraint
    found = []
    for effect in effects:
        # One that overloads a stage moves lead time without bound: not a low-leverage case.
        if effect.opportunity_id not in enabled_in or effect.expected_lead_time_delta_hours is None:
            continue
        saving = -effect.expected_lead_time_delta_hours
        stage_share = current.stage(effect.stage_id).share
        if saving >= LOW_SAVING_SHARE * total and (
            # Saving more than its stage holds (less rework sent back, side effects), it
            # reaches past its stage: the map's most effective idea was warned about.
            stage_share >= LOW_STAGE_SHARE or saving > stage_share * total + _NOISE_HOURS
        ):
            continue
        if saving >= LOW_SAVING_SHARE * total:
            # Flagged for its stage's small share, not for a small saving.
            title = f"{effect.opportunity} works on a stage holding little of lead time"
            result = (
                f"saves {words.hours(saving)} of {words.hours(total)} expected lead time "
                f"({saving / total:.1%})"
            )
        elif saving > _NOISE_HOURS:
            title = f"{effect.opportunity} barely moves lead time"
            result = (
                f"saves {words.hours(saving)} of {words.hours(total)} expected lead time "
                f"({saving / total:.1%})"
            )
        elif saving < -_NOISE_HOURS:
            title = f"{effect.opportunity} would lengthen expected lead time"
            result = (
                f"adds {words.hours(-saving)} to expected lead time: {_why_longer(stream, effect)}"
            )
        else:
            title = f"{effect.opportunity} does not move lead time"
            result = "leaves expected lead time as it is"
        text = (
            f"{effect.opportunity} (enabled in {', '.join(enabled_in[effect.opportunity_id])})"
            f" works on {effect.stage}, which holds {share_text(stage_share)} of expected lead time"
            f"{' today' if in_scenario else ''}. "
            f"Applied alone{' to the map as it is today' if in_scenario else ''} it {result}, "
            f"for {words.money(effect.monthly_cost)} a month."
        )
        stage_ids: tuple[str, ...] = (effect.stage_id,)
        small = saving < LOW_SAVING_SHARE * total
        if small and constraint is not None and constraint.stage_id != effect.stage_id:
            text += (
                f" {'Today the' if in_scenario else 'The'} constraint is {constraint.stage}"
                f" ({constraint.share:.0%}): speeding "
                "up a stage that is not the constraint barely moves lead time (Goldratt; "
                "Gene Kim)."
            )
            stage_ids += (constraint.stage_id,)
        found.append(
            Insight(
                kind="low_leverage",
                severity="warning",
                title=title,
                text=text,
                stage_ids=stage_ids,
                figures={
                    "saving_hours": saving,
                    "saving_share": saving / total,
                    "stage_share": stage_share,
                    "monthly_cost": effect.monthly_cost,
                    "constraint_share": 0.0 if constraint is None else constraint.share,
                },
            )
        )
    return found
