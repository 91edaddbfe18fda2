"""The value stream map: stages, flows, AI opportunities, scenarios and calendar."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from itertools import chain, compress, pairwise, repeat
from operator import attrgetter, is_not
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, Self, cast, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    model_validator,
)
from pydantic.dataclasses import dataclass
from pydantic_core import SchemaSerializer, SchemaValidator

from vsmapper.model.duration import Estimate

if TYPE_CHECKING:
    import networkx as nx

FORMAT_NAME = "vsmapper"
FORMAT_VERSION = 2
"""The newest file version this VSMapper reads; files that need none of its keys stay at 1."""

Phase = Literal["ideation", "creation", "release", "operation"]
PHASES: tuple[Phase, ...] = ("ideation", "creation", "release", "operation")
Kind = Literal[
    "intake",
    "requirements",
    "design",
    "coding",
    "review",
    "testing",
    "security",
    "approval",
    "deploy",
    "monitoring",
    "incident",
    "other",
]
KINDS: tuple[Kind, ...] = get_args(Kind)
Status = Literal["idea", "pilot", "adopted"]
Confidence = Literal["low", "medium", "high"]
WaitKind = Literal["queue", "fixed"]
WAIT_KINDS: tuple[WaitKind, ...] = get_args(WaitKind)
StatusState = Literal["waiting", "working", "done", "ignore"]
STATUS_STATES: tuple[StatusState, ...] = get_args(StatusState)
NoteKind = Literal["pain", "kaizen"]
NoteStatus = Literal["open", "doing", "done"]

ID_TEXT = r"[A-Za-z0-9_.\-]+"
ID_PATTERN = re.compile(ID_TEXT)
NOT_BLANK = r"\S"
"""The pattern of a name: some text other than spaces."""
# Any constraint on a text makes pydantic-core read it as UTF-8, which refuses a lone
# surrogate (error "string_unicode"): such text could never be saved. The check runs in Rust,
# where it costs a big map nothing; a test offers every text of a map a lone surrogate.
Text = Annotated[str, Field(min_length=0)]
Identifier = Annotated[str, Field(min_length=1, max_length=200)]
# Checked by pydantic-core's own patterns: a Python validator per id and name would cost
# more than the rest of reading a big map.
Id = Annotated[str, Field(min_length=1, max_length=200, pattern=f"^{ID_TEXT}$")]
Name = Annotated[str, Field(max_length=500, pattern=NOT_BLANK)]
# Upper bounds past any real map: a value beyond them is a typo or a hostile file, and every
# figure computed from values within them stays finite.
MAX_PEOPLE = 1_000_000
"""People at a stage, and its WIP, throughput and the map's demand in items a week."""
MAX_MONEY = 1e12
"""An hourly or monthly cost."""
MAX_COORDINATE = 1e7
"""A stage's position on the canvas, either way from the origin."""
MAX_FACTOR = 100
"""An AI opportunity's time factor or a scenario's demand factor."""
MIN_SHARE = 0.01
"""The least %C&A (percent) and availability (percent of time) that a stage can have."""
NO_COSTS = "not set"
"""What a map without an hourly cost shows for an item's cost: never a false 0."""

# Strict numbers take an int or a float and nothing else: lax ones read true as 1 and "0.9"
# as 0.9, so a typo in a file became a figure instead of a refusal.
Percent = Annotated[float, Field(strict=True, ge=MIN_SHARE, le=100)]
Money = Annotated[float, Field(strict=True, ge=0, le=MAX_MONEY)]
Count = Annotated[float, Field(strict=True, ge=0, le=MAX_PEOPLE)]
People = Annotated[float, Field(strict=True, ge=MIN_SHARE, le=MAX_PEOPLE)]
"""People at a stage, today or in a scenario: a few minutes of one person's week at least."""
Availability = Annotated[float, Field(strict=True, ge=MIN_SHARE / 100, le=1)]
"""The share of their time a stage's people give it, today or in a scenario."""
Factor = Annotated[float, Field(strict=True, ge=0, le=MAX_FACTOR)]
Coordinate = Annotated[float, Field(strict=True, ge=-MAX_COORDINATE, le=MAX_COORDINATE)]
Delta = Annotated[float, Field(strict=True, ge=-100, le=100)]
"""A change of %C&A in points."""
Position = tuple[Coordinate, Coordinate]
"""Where a box placed by hand has its top-left corner on the canvas."""


MODEL_CONFIG = ConfigDict(extra="forbid", allow_inf_nan=False, populate_by_name=True)
"""Every map object's rules: no unknown keys, finite numbers."""


class Model(BaseModel):
    """Base of the map's objects other than its stages, flows and AI opportunities."""

    model_config = MODEL_CONFIG | ConfigDict(frozen=True)

    def replaced(self, **changes: object) -> Self:
        """A validated copy with some fields changed; the original stays as it was."""
        return type(self).model_validate({**dict(self), **changes})


# A map holds stages, flows and AI opportunities by the thousand: as pydantic dataclasses
# with slots they are validated by the same rules, built faster (no per-object field set
# or __dict__) and answer the model calls the code makes.
class Record:
    """Base of stages, flows and AI opportunities: a model's calls on a pydantic dataclass."""

    __slots__ = ()
    __pydantic_validator__: ClassVar[SchemaValidator]
    __pydantic_serializer__: ClassVar[SchemaSerializer]
    __dataclass_fields__: ClassVar[dict[str, Any]]

    @classmethod
    def model_validate(cls, data: object) -> Self:
        """The record read from a dict, as a model validates it."""
        return cast(Self, cls.__pydantic_validator__.validate_python(data))

    def model_dump(self, **options: Any) -> dict[str, Any]:
        """Every field as a dict; ``mode`` and ``by_alias`` as a model takes them."""
        return cast(dict[str, Any], self.__pydantic_serializer__.to_python(self, **options))

    def fields(self) -> dict[str, Any]:
        """Each field's name and value."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    def replaced(self, **changes: object) -> Self:
        """A validated copy with some fields changed; the original stays as it was."""
        return type(self).model_validate({**self.fields(), **changes})

    def model_copy(self, *, update: dict[str, Any]) -> Self:
        """A copy with some fields changed and not validated again, as a model copies."""
        copied = object.__new__(type(self))
        for name, value in (self.fields() | update).items():
            object.__setattr__(copied, name, value)
        return copied


class Calendar(Model):
    """Working time used to turn days and weeks into hours."""

    hours_per_day: Annotated[float, Field(strict=True, ge=0.1, le=24)] = 8
    days_per_week: Annotated[float, Field(strict=True, ge=0.1, le=7)] = 5

    @property
    def hours_per_week(self) -> float:
        """Working hours in one week."""
        return self.hours_per_day * self.days_per_week


class SideEffect(Model):
    """What an AI opportunity also changes at another stage (version 2)."""

    stage: Identifier
    process_time_factor: Factor = 1
    wait_time_factor: Factor = 1
    pca_delta: Delta = 0


@dataclass(frozen=True, slots=True, kw_only=True, config=MODEL_CONFIG)
class AIOpportunity(Record):
    """A place where an AI practice could be applied at a stage, with its assumed effect."""

    id: Id
    practice: Text | None = None
    name: Name
    process_time_factor: Factor = 1
    wait_time_factor: Factor = 1
    pca_delta: Delta = 0
    monthly_cost: Money = 0
    status: Status = "idea"
    confidence: Confidence = "medium"
    note: Text = ""
    also: list[SideEffect] = Field(default_factory=list)


@dataclass(frozen=True, slots=True, kw_only=True, config=MODEL_CONFIG)
class Stage(Record):
    """One step of the stream: a process box with its wait in front of it."""

    id: Id
    name: Name
    phase: Phase = "creation"
    kind: Kind = "other"
    process_time: Estimate = Field(default_factory=Estimate.zero)
    wait_time: Estimate = Field(default_factory=Estimate.zero)
    pca: Percent = 100
    rework_to: Text | None = None
    wait_kind: WaitKind = "queue"
    people: People = 1
    availability: Availability = 1
    hourly_cost: Money | None = None
    wip: Count | None = None
    throughput_per_week: Count | None = None
    notes: Text = ""
    position: Position | None = None
    ai: list[AIOpportunity] = Field(default_factory=list)


@dataclass(frozen=True, slots=True, kw_only=True, config=MODEL_CONFIG)
class Flow(Record):
    """A hand-off from one stage to the next."""

    # Named in the file by its keys, in code by its fields (Python has no argument "from").
    source: Text = Field(validation_alias="from", serialization_alias="from")
    target: Text = Field(validation_alias="to", serialization_alias="to")


class StageOverride(Model):
    """What a scenario changes at one stage, on top of its AI opportunities."""

    process_time: Estimate | None = None
    wait_time: Estimate | None = None
    pca: Percent | None = None
    people: People | None = None
    """Version 2: the stage's capacity in the future state."""
    availability: Availability | None = None
    """Version 2."""


class Scenario(Model):
    """A named future state: enabled AI opportunities, stage overrides and a demand factor."""

    id: Id
    name: Name
    ai: list[Text] = Field(default_factory=list)
    overrides: dict[Text, StageOverride] = Field(default_factory=dict)
    demand_factor: Factor = 1


class StatusMapping(Model):
    """Where a tracker status belongs on the map, and what an item in it is doing."""

    stage: Text | None = None
    state: StatusState


class Note(Model):
    """A pain point or a kaizen burst on the map, tied to a stage or to the whole map."""

    id: Id
    stage: Text | None = None
    kind: NoteKind = "pain"
    text: Text = ""
    owner: Annotated[str, Field(max_length=200)] = ""
    due: date | None = None
    status: NoteStatus = "open"
    effect: Annotated[str, Field(max_length=500)] = ""
    scenario: Text | None = None


class ValueStream(Model):
    """A whole map, as stored in a ``.vsm.json`` file."""

    format: Literal["vsmapper"] = "vsmapper"
    version: Literal[1, 2] = 1
    name: Name
    description: Text = ""
    calendar: Calendar = Field(default_factory=Calendar)
    demand_per_week: Count | None = None
    hourly_cost: Money = 0
    currency: Annotated[str, Field(max_length=12)] = "USD"
    stages: list[Stage]
    flows: list[Flow] = Field(default_factory=list)
    scenarios: list[Scenario] = Field(default_factory=list)
    statuses: dict[Text, StatusMapping] = Field(default_factory=dict)
    notes: list[Note] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _chain_when_flows_absent(cls, data: object) -> object:
        if isinstance(data, dict) and "flows" not in data and isinstance(data.get("stages"), list):
            ids = [s.get("id") if isinstance(s, dict) else None for s in data["stages"]]
            if all(isinstance(i, str) for i in ids):
                data = {**data, "flows": [{"from": a, "to": b} for a, b in pairwise(ids)]}
        return data

    @model_validator(mode="after")
    def _check_references(self) -> ValueStream:
        problems = map_problems(self)
        if problems:
            raise ValueError(problems[0])
        return self

    def stage(self, stage_id: str) -> Stage:
        """The stage with this id."""
        for stage in self.stages:
            if stage.id == stage_id:
                return stage
        raise KeyError(stage_id)

    def opportunities(self) -> list[tuple[Stage, AIOpportunity]]:
        """Every AI opportunity in the map with its stage, in map order."""
        return [(stage, opportunity) for stage in self.stages for opportunity in stage.ai]

    def stage_notes(self) -> dict[str, list[Note]]:
        """Each stage's pain points and kaizen bursts, in the notes' order (not the map's own)."""
        found: dict[str, list[Note]] = {}
        for note in self.notes:
            if note.stage is not None:
                found.setdefault(note.stage, []).append(note)
        return found

    def has_costs(self) -> bool:
        """Whether an hourly cost is set anywhere: without one, no item costs anything."""
        return bool(self.hourly_cost) or any(stage.hourly_cost for stage in self.stages)

    def needs_version_2(self) -> bool:
        """Whether the map uses any key that only file version 2 has."""
        return bool(
            self.statuses
            or self.notes
            or any(stage.wait_kind != "queue" for stage in self.stages)
            or any(opportunity.also for _, opportunity in self.opportunities())
            or any(
                override.people is not None or override.availability is not None
                for scenario in self.scenarios
                for override in scenario.overrides.values()
            )
        )

    def predecessors(self) -> dict[str, set[str]]:
        """The stages that flow straight into each stage, by its id (none: not listed)."""
        sources: dict[str, set[str]] = {}
        for flow in self.flows:
            sources.setdefault(flow.target, set()).add(flow.source)
        return sources

    def upstream(self, stage_id: str) -> set[str]:
        """Every other stage whose work flows into ``stage_id``, directly or through others."""
        # Without networkx: the Properties panel asks after every edit of a selected stage.
        sources = self.predecessors()
        found: set[str] = set()
        waiting = [stage_id]
        while waiting:
            for source in sources.get(waiting.pop(), ()):
                if source not in found:
                    found.add(source)
                    waiting.append(source)
        found.discard(stage_id)
        return found

    def graph(self) -> nx.DiGraph:
        """The flow graph: stage ids as nodes in map order, flows as edges."""
        # networkx takes longer to import than the rest of the model: only code that
        # walks the graph pays for it.
        import networkx as nx

        graph = nx.DiGraph()
        graph.add_nodes_from(stage.id for stage in self.stages)
        graph.add_edges_from((flow.source, flow.target) for flow in self.flows)
        return graph


# Fields read from every stage, flow or opportunity of a big map in C rather than in a loop.
_ID, _AI, _ALSO, _REWORK_TO = (attrgetter(name) for name in ("id", "ai", "also", "rework_to"))
_SOURCE, _TARGET = attrgetter("source"), attrgetter("target")
_PROCESS_TIME, _WAIT_TIME = attrgetter("process_time"), attrgetter("wait_time")


def _successors(count: int, sources: list[int], targets: list[int]) -> list[list[int]]:
    """The places of the stages each stage (by place) flows into."""
    successors: list[list[int]] = [[] for _ in range(count)]
    for source, target in zip(sources, targets, strict=True):
        successors[source].append(target)
    return successors


def _topological_order(successors: list[list[int]]) -> list[int] | None:
    """The stages (by place) with every flow going forward, or None when flows form a cycle."""
    indegree = [0] * len(successors)
    for targets in successors:
        for target in targets:
            indegree[target] += 1
    order = [place for place, count in enumerate(indegree) if count == 0]
    for place in order:
        for target in successors[place]:
            indegree[target] -= 1
            if indegree[target] == 0:
                order.append(target)
    return order if len(order) == len(successors) else None


def _reached_from(order: Sequence[int], successors: list[list[int]], bits: list[int]) -> list[int]:
    """For each stage, the OR of the ``bits`` of the stages upstream of it, in one pass.

    One forward pass over the flows answers "does this rework target flow into this stage"
    for every rework loop at once, instead of one graph search per loop.
    """
    reached = [0] * len(successors)
    for place in order:
        carried = reached[place] | bits[place]
        if carried:
            for target in successors[place]:
                reached[target] |= carried
    return reached


def _flow_problems(stream: ValueStream, positions: dict[str, int]) -> list[str]:
    """Flows from or to an unknown stage, from a stage into itself, or given twice."""
    problems: list[str] = []
    seen: set[tuple[str, str]] = set()
    for index, flow in enumerate(stream.flows):
        source, target = pair = flow.source, flow.target
        if source in positions and target in positions and source != target:
            if pair in seen:
                problems.append(f"flows[{index}]: duplicate flow {source} → {target}")
            seen.add(pair)
            continue
        for end, stage_id in (("from", source), ("to", target)):
            if stage_id not in positions:
                problems.append(f"flows[{index}].{end}: unknown stage '{stage_id}'")
        if source == target:
            problems.append(f"flows[{index}]: a stage cannot flow into itself ('{source}')")
        elif pair in seen:
            problems.append(f"flows[{index}]: duplicate flow {source} → {target}")
        seen.add(pair)
    return problems


def _opportunity_problems(
    stages: list[Stage], positions: dict[str, int], where: Callable[[str], str]
) -> tuple[list[str], list[str]]:
    """AI opportunity ids given twice in the file, and side effects on unknown stages."""
    repeated: list[str] = []
    unknown: list[str] = []
    ai_ids: set[str] = set()
    for stage in stages:
        for opportunity in stage.ai:
            if opportunity.id in ai_ids:
                repeated.append(
                    f"{where(stage.id)}.ai: duplicate id '{opportunity.id}'; "
                    "AI opportunity ids must be unique in the file"
                )
            ai_ids.add(opportunity.id)
            for effect in opportunity.also:
                if effect.stage not in positions:
                    unknown.append(
                        f"{where(stage.id)}.ai '{opportunity.id}'.also: "
                        f"unknown stage '{effect.stage}'"
                    )
    return repeated, unknown


def map_problems(stream: ValueStream) -> list[str]:
    """Every rule of the format that ties parts of a map together, broken or not."""
    # Each rule is first checked in bulk (sets, comprehensions); the messages, in the
    # order one pass per rule gives them, are only worked out for a map that breaks it.
    problems: list[str] = []
    stages = stream.stages
    ids = list(map(_ID, stages))
    # Each id's first place: written last when the places are given from the end.
    positions = dict(zip(reversed(ids), range(len(ids) - 1, -1, -1), strict=True))
    if len(positions) < len(ids):
        given: set[str] = set()
        for index, stage_id in enumerate(ids):
            if stage_id in given:
                problems.append(
                    f"stages[{index}].id: duplicate id '{stage_id}' "
                    f"(also stages[{positions[stage_id]}]); ids must be unique"
                )
            given.add(stage_id)

    def where(stage_id: str) -> str:
        place = positions[stage_id]
        return f"stages[{place}] '{stages[place].name}'"

    # Flows by the places of their ends (None for an unknown stage).
    sources = list(map(positions.get, map(_SOURCE, stream.flows)))
    targets = list(map(positions.get, map(_TARGET, stream.flows)))
    flows = set(zip(sources, targets, strict=True))
    if (
        None in sources
        or None in targets
        or any(map(operator.eq, sources, targets))
        or len(flows) < len(sources)
    ):
        problems += _flow_problems(stream, positions)
    if problems:
        return problems
    # Work sent back along a flow goes upstream: only other rework loops are searched.
    searched = [
        stage
        for stage in compress(stages, map(is_not, map(_REWORK_TO, stages), repeat(None)))
        if (positions.get(cast(str, stage.rework_to)), positions[stage.id]) not in flows
    ]
    rework_targets: list[str] = sorted(positions.keys() & set(map(_REWORK_TO, searched)))
    # No end is None past the checks above.
    starts, ends = cast(list[int], sources), cast(list[int], targets)
    # Flows that all go down the list of stages form no cycle, and the list is an order.
    forward = all(map(operator.lt, starts, ends))
    successors = _successors(len(ids), starts, ends) if rework_targets or not forward else []
    order = range(len(ids)) if forward else _topological_order(successors)
    if order is None:
        import networkx as nx

        cycle = nx.find_cycle(stream.graph())
        names = [stages[positions[source]].name for source, _ in cycle]
        loop = " → ".join([*names, names[0]])
        problems.append(
            f"flows: they form a cycle ({loop}); flows must only go forward "
            "(use rework_to for work sent back)"
        )
        return problems

    # Each kind of problem keeps its own list, so they are reported in the same order as
    # one pass per kind would.
    bits = [0] * len(ids)
    for number, stage_id in enumerate(rework_targets):
        bits[positions[stage_id]] = 1 << number
    reached = _reached_from(order, successors, bits) if rework_targets else []
    rework_problems: list[str] = []
    for stage in searched:
        sent_to = stage.rework_to
        if sent_to is None or sent_to == stage.id:
            continue
        if sent_to not in positions:
            rework_problems.append(_unknown_rework_target(where(stage.id), sent_to))
        elif not reached[positions[stage.id]] & bits[positions[sent_to]]:
            rework_problems.append(
                _rework_not_upstream(where(stage.id), stages[positions[sent_to]].name)
            )
    opportunities = list(chain.from_iterable(map(_AI, stages)))
    ai_ids = set(map(_ID, opportunities))
    ai_problems: list[str] = []
    also_problems: list[str] = []
    if len(ai_ids) < len(opportunities) or any(map(_ALSO, opportunities)):
        ai_problems, also_problems = _opportunity_problems(stages, positions, where)
    estimate_problems = _estimate_problems(stages, stream.calendar, where)
    problems += rework_problems + ai_problems
    scenario_ids: set[str] = set()
    for index, scenario in enumerate(stream.scenarios):
        if scenario.id in scenario_ids:
            problems.append(f"scenarios[{index}].id: duplicate id '{scenario.id}'")
        scenario_ids.add(scenario.id)
        for ai_id in scenario.ai:
            if ai_id not in ai_ids:
                problems.append(
                    f"scenarios[{index}] '{scenario.name}'.ai: unknown AI opportunity '{ai_id}'"
                )
        for stage_id in scenario.overrides:
            if stage_id not in positions:
                problems.append(
                    f"scenarios[{index}] '{scenario.name}'.overrides: unknown stage '{stage_id}'"
                )
    problems += also_problems
    for status, mapping in stream.statuses.items():
        if mapping.stage is None and mapping.state in ("waiting", "working"):
            problems.append(
                f"statuses '{status}'.stage: a {mapping.state} status needs a stage "
                "(only done and ignore statuses may have none)"
            )
        elif mapping.stage is not None and mapping.stage not in positions:
            problems.append(f"statuses '{status}'.stage: unknown stage '{mapping.stage}'")
    note_ids: set[str] = set()
    scenario_ids = {scenario.id for scenario in stream.scenarios}
    for index, note in enumerate(stream.notes):
        if note.id in note_ids:
            problems.append(f"notes[{index}].id: duplicate id '{note.id}'")
        note_ids.add(note.id)
        if note.stage is not None and note.stage not in positions:
            problems.append(f"notes[{index}].stage: unknown stage '{note.stage}'")
        if note.scenario is not None and note.scenario not in scenario_ids:
            problems.append(f"notes[{index}].scenario: unknown scenario '{note.scenario}'")
    problems += estimate_problems
    calendar = stream.calendar
    for index, scenario in enumerate(stream.scenarios):
        for stage_id, override in scenario.overrides.items():
            for field in ("process_time", "wait_time"):
                estimate = getattr(override, field)
                problem = estimate and estimate_problem(estimate, calendar)
                if problem:
                    problems.append(
                        f"scenarios[{index}] '{scenario.name}'.overrides."
                        f"{stage_id}.{field}: {problem}"
                    )
    return problems


def changed_stage_problems(
    stream: ValueStream, index: int, before: Stage | None = None
) -> list[str]:
    """What ``map_problems`` finds in a map that was valid before one stage changed, in its
    order, as long as the stage kept its id and its AI opportunities: the stage's rework
    target and its estimates are all that such a change can break.

    An edit of one field checks this instead of the whole map; given the stage as it was
    (``before``), a rework target it already had is not searched for again.
    """
    stage = stream.stages[index]
    place = f"stages[{index}] '{stage.name}'"
    problems: list[str] = []
    sent_to = stage.rework_to
    unchanged = before is not None and before.rework_to == sent_to
    if sent_to is not None and sent_to != stage.id and not unchanged:
        target = next((other for other in stream.stages if other.id == sent_to), None)
        if target is None:
            problems.append(_unknown_rework_target(place, sent_to))
        elif not _flows_into(stream.flows, sent_to, stage.id):
            problems.append(_rework_not_upstream(place, target.name))
    for field in ("process_time", "wait_time"):
        problem = estimate_problem(getattr(stage, field), stream.calendar)
        if problem:
            problems.append(_estimate_out_of_order(place, field, problem))
    return problems


def _flows_into(flows: Iterable[Flow], source: str, target: str) -> bool:
    """Whether work from ``source`` reaches ``target`` along the flows."""
    successors: dict[str, list[str]] = {}
    for flow in flows:
        successors.setdefault(flow.source, []).append(flow.target)
    seen, todo = {source}, [source]
    while todo:
        for following in successors.get(todo.pop(), ()):
            if following == target:
                return True
            if following not in seen:
                seen.add(following)
                todo.append(following)
    return False


def _unknown_rework_target(place: str, sent_to: str) -> str:
    return f"{place}.rework_to: unknown stage '{sent_to}'"


def _rework_not_upstream(place: str, target_name: str) -> str:
    return (
        f"{place}.rework_to: '{target_name}' is not upstream of this stage; "
        "rework must go back to a stage that flows into it"
    )


def _estimate_out_of_order(place: str, field: str, problem: str) -> str:
    return f"{place}.{field}: {problem}"


def _estimate_problems(
    stages: list[Stage], calendar: Calendar, where: Callable[[str], str]
) -> list[str]:
    """Every stage's process and wait time that is out of order, in stage order."""
    # Stages share the estimates read from equal text: each is checked once.
    process, wait = list(map(_PROCESS_TIME, stages)), list(map(_WAIT_TIME, stages))
    estimates = dict(zip(map(id, process), process, strict=True))
    estimates.update(zip(map(id, wait), wait, strict=True))
    wrong = {key for key, estimate in estimates.items() if estimate_problem(estimate, calendar)}
    problems: list[str] = []
    for stage in stages if wrong else ():
        for field, estimate in (
            ("process_time", stage.process_time),
            ("wait_time", stage.wait_time),
        ):
            problem = estimate_problem(estimate, calendar) if id(estimate) in wrong else None
            if problem:
                problems.append(_estimate_out_of_order(where(stage.id), field, problem))
    return problems


def estimate_problem(estimate: Estimate, calendar: Calendar, typed: str = "") -> str | None:
    """Why a three-point estimate is out of order under a calendar, or None; it quotes
    ``typed`` when given, what a person wrote, rather than the estimate's own text."""
    if estimate.form in ("number", "point"):
        return None
    low, likely, high = estimate.hours(calendar.hours_per_day, calendar.days_per_week)
    if low <= likely <= high:
        return None
    return (
        f"'{typed.strip() or estimate.text}' is out of order; low ≤ likely ≤ high is required "
        "(e.g. 2d/3d/5d or 2-5d)"
    )
