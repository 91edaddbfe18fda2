"""The open map as a document: validated edits that announce themselves to observers."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import TypeAdapter, ValidationError

from vsmapper.errors import VSMapperError, quoted
from vsmapper.model.kinds import guess_kind, guessed_phase
from vsmapper.model.stream import (
    AIOpportunity,
    Flow,
    Note,
    Position,
    Scenario,
    Stage,
    ValueStream,
    changed_stage_problems,
)
from vsmapper.model.text import plain_text
from vsmapper.model.validation import user_error

ChangeKind = Literal[
    "reset",
    "map",
    "stage_added",
    "stage_removed",
    "stage_changed",
    "stage_moved",
    "positions",
    "stages",
    "stage_id",
    "flows",
    "ai",
    "scenarios",
    "notes",
]


@dataclass(frozen=True)
class Change:
    """What changed, so a view can refresh only that."""

    kind: ChangeKind
    stage_id: str | None = None
    field: str | None = None


@dataclass(frozen=True)
class RemovedStage:
    """Everything needed to put a removed stage back exactly as it was."""

    index: int
    stage: Stage
    before: ValueStream


@dataclass(frozen=True)
class RemovedOpportunity:
    """Everything needed to put a removed AI opportunity back exactly as it was."""

    stage_id: str
    index: int
    opportunity: AIOpportunity
    before: ValueStream


Observer = Callable[[Change], None]

_POSITION: TypeAdapter[tuple[float, float] | None] = TypeAdapter(Position | None)
"""Checks a stage's position alone, by the bounds the stage model gives it."""

NEW_STAGE_NAME = "New stage"
_PLACEHOLDER_NAME = re.compile(r"New stage( \d+)?")
_PLACEHOLDER_ID = re.compile(r"new-stage(-\d+)?")


def _without_references(stage: Stage, removed_id: str) -> Stage:
    """The stage with its rework target and AI side effects on ``removed_id`` dropped."""
    changes: dict[str, Any] = {}
    if stage.rework_to == removed_id:
        changes["rework_to"] = None
    if any(effect.stage == removed_id for o in stage.ai for effect in o.also):
        changes["ai"] = [
            o.replaced(also=[effect for effect in o.also if effect.stage != removed_id])
            for o in stage.ai
        ]
    return stage.replaced(**changes) if changes else stage


def name_taken(stages: Sequence[Stage], stage_id: str, name: str) -> str | None:
    """Why a stage cannot take ``name``: another stage has it. The table's Next and Rework to
    cells, and pasted rows, find stages by name."""
    folded = name.strip().casefold()
    if any(s.id != stage_id and s.name.strip().casefold() == folded for s in stages):
        taken = quoted(name.strip())
        return f"another stage is already called {taken}; give this one a name of its own"
    return None


def slug(text: str, fallback: str = "stage") -> str:
    """An id made from a name: ``Code review`` → ``code-review``."""
    made = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return made[:60] or fallback


class FreshIds:
    """Ids not taken yet: ``base``, else ``base-2``, ``base-3``..., each made once.

    Each base remembers the number it got to, so making n ids from one name takes time
    linear in n, not quadratic (8,000 pasted rows called "Review").
    """

    def __init__(self, taken: Iterable[str] = ()) -> None:
        self.taken = set(taken)
        self._next_number: dict[str, int] = {}

    def take(self, taken_id: str) -> None:
        """Note an id as used."""
        self.taken.add(taken_id)

    def fresh(self, base: str) -> str:
        """An unused id made from ``base``, now taken."""
        candidate, number = base, self._next_number.get(base, 2)
        while candidate in self.taken:
            candidate, number = f"{base}-{number}", number + 1
        self._next_number[base] = number
        self.taken.add(candidate)
        return candidate


@dataclass
class Document:
    """The single source of truth for one open map.

    Every method checks the whole result before committing it, so the map is always
    valid: a refused edit raises ``VSMapperError`` and changes nothing.
    """

    stream: ValueStream
    _observers: list[Observer] = field(default_factory=list, repr=False)

    def subscribe(self, observer: Observer) -> None:
        """Call ``observer`` with a ``Change`` after every edit."""
        self._observers.append(observer)

    def unsubscribe(self, observer: Observer) -> None:
        """Stop calling ``observer``."""
        self._observers.remove(observer)

    def _commit(self, stream: ValueStream, change: Change) -> None:
        self.stream = stream
        for observer in list(self._observers):
            observer(change)

    def _candidate(self, what: str, **changes: Any) -> ValueStream:
        """The map with ``changes``, validated as a whole, or a ``VSMapperError``."""
        try:
            return self.stream.replaced(**changes)
        except ValidationError as exc:
            raise user_error(exc, prefix=f"{what}: ") from None

    def replace(self, stream: ValueStream, changes: Sequence[Change] = (Change("reset"),)) -> None:
        """Swap in a whole map (open, recover, undo), announcing ``changes``."""
        self.stream = stream
        for change in changes:
            for observer in list(self._observers):
                observer(change)

    # --- lookups -------------------------------------------------------------------

    def stage_index(self, stage_id: str) -> int:
        """Position of a stage in the user's order."""
        for index, stage in enumerate(self.stream.stages):
            if stage.id == stage_id:
                return index
        raise VSMapperError(f"there is no stage with id '{stage_id}'")

    def stage(self, stage_id: str) -> Stage:
        """The stage with this id."""
        return self.stream.stages[self.stage_index(stage_id)]

    def new_stage_name(self) -> str:
        """ "New stage", or "New stage 2" and on while it is taken: the table's Next and Rework
        to cells and the pickers tell stages apart by name."""
        stages = self.stream.stages
        names = (f"{NEW_STAGE_NAME} {number}" for number in itertools.count(2))
        return next(
            name
            for name in itertools.chain([NEW_STAGE_NAME], names)
            if not name_taken(stages, "", name)
        )

    def unique_id(self, name: str, fallback: str = "stage") -> str:
        """A fresh id made from ``name``, unused by any stage, AI opportunity or scenario."""
        return self.fresh_ids().fresh(slug(name, fallback))

    def fresh_ids(self) -> FreshIds:
        """A maker of ids unused by any stage, AI opportunity or scenario, for many new ids."""
        stream = self.stream
        taken = [stage.id for stage in stream.stages]
        taken += [opportunity.id for _, opportunity in stream.opportunities()]
        taken += [scenario.id for scenario in stream.scenarios]
        return FreshIds(taken)

    # --- map settings --------------------------------------------------------------

    def set_map_field(self, name: str, value: Any) -> Any:
        """Set a map-level field (name, description, calendar, demand...); returns the old value."""
        old = getattr(self.stream, name)
        self._commit(self._candidate(name, **{name: value}), Change("map", field=name))
        return old

    # --- stages --------------------------------------------------------------------

    def insert_stage(self, stage: Stage, index: int | None = None) -> None:
        """Add a stage (unconnected) at ``index`` in the user's order, last by default."""
        stages = list(self.stream.stages)
        stages.insert(len(stages) if index is None else index, stage)
        self._commit(self._candidate(stage.name, stages=stages), Change("stage_added", stage.id))

    def insert_after(self, stage: Stage, after_id: str | None) -> None:
        """Add a stage spliced in after another: after → stage → after's old successors.

        With ``after_id`` None the stage goes last, after the map's last stage. After one of
        parallel stages that end the map, the new stage joins them all.
        """
        stages = list(self.stream.stages)
        if after_id is None:
            after_id = stages[-1].id if stages else None
        index = self.stage_index(after_id) + 1 if after_id else len(stages)
        stages.insert(index, stage)
        flows = [f for f in self.stream.flows if f.source != after_id]
        if after_id:
            flows += [
                Flow(source=source, target=stage.id) for source in self._ends_beside(after_id)
            ]
            flows += [
                Flow(source=stage.id, target=f.target)
                for f in self.stream.flows
                if f.source == after_id
            ]
        candidate = self._candidate(stage.name, stages=stages, flows=flows)
        self._commit(candidate, Change("stage_added", stage.id))

    def _ends_beside(self, stage_id: str) -> list[str]:
        """``stage_id`` and, when it ends the map, the stages in parallel with it that end it
        too (the same predecessors, no successor), in the map's order."""
        sources = {f.source for f in self.stream.flows}
        if stage_id in sources:
            return [stage_id]
        before = self.stream.predecessors()
        mine = before.get(stage_id)
        return [
            other.id
            for other in self.stream.stages
            if other.id == stage_id
            or (mine and other.id not in sources and before.get(other.id) == mine)
        ]

    def insert_parallel(self, stage: Stage, beside_id: str) -> None:
        """Add a stage in parallel with another: same predecessors, same successors."""
        index = self.stage_index(beside_id) + 1
        stages = list(self.stream.stages)
        stages.insert(index, stage.replaced(phase=stages[index - 1].phase))
        flows = list(self.stream.flows)
        flows += [Flow(source=f.source, target=stage.id) for f in flows if f.target == beside_id]
        flows += [Flow(source=stage.id, target=f.target) for f in flows if f.source == beside_id]
        candidate = self._candidate(stage.name, stages=stages, flows=flows)
        self._commit(candidate, Change("stage_added", stage.id))

    def remove_stage(self, stage_id: str, bridge: bool = True) -> RemovedStage:
        """Remove a stage and everything that names it.

        With ``bridge`` its predecessors are connected to its successors that no other path
        joins them to, so deleting a stage from the middle of a chain keeps the chain whole.
        """
        index = self.stage_index(stage_id)
        before = self.stream
        stage = before.stages[index]
        ai_ids = {opportunity.id for opportunity in stage.ai}
        flows = [f for f in before.flows if stage_id not in (f.source, f.target)]
        if bridge:
            sources = [f.source for f in before.flows if f.target == stage_id]
            targets = [f.target for f in before.flows if f.source == stage_id]
            bridges = [Flow(source=s, target=t) for s in sources for t in targets]
            flows += bridges
            # Each only where no other path joins its ends: deleting one of two parallel
            # stages left a bypass arrow beside the other. Dropping one so keeps every path.
            for bridged in bridges:
                others = [flow for flow in flows if flow is not bridged]
                if bridged.source in before.model_copy(update={"flows": others}).upstream(
                    bridged.target
                ):
                    flows = others
        stages = [_without_references(s, stage_id) for s in before.stages if s.id != stage_id]
        statuses = {
            status: mapping.replaced(stage=None, state="ignore")
            if mapping.stage == stage_id
            else mapping
            for status, mapping in before.statuses.items()
        }
        notes = [
            note.replaced(stage=None) if note.stage == stage_id else note for note in before.notes
        ]
        scenarios = [
            scenario.replaced(
                ai=[a for a in scenario.ai if a not in ai_ids],
                overrides={k: v for k, v in scenario.overrides.items() if k != stage_id},
            )
            for scenario in before.scenarios
        ]
        candidate = self._candidate(
            stage.name,
            stages=stages,
            flows=flows,
            scenarios=scenarios,
            statuses=statuses,
            notes=notes,
        )
        self._commit(candidate, Change("stage_removed", stage_id))
        return RemovedStage(index, stage, before)

    def restore_stage(self, removed: RemovedStage) -> None:
        """Undo ``remove_stage`` exactly."""
        self._commit(removed.before, Change("stage_added", removed.stage.id))

    def move_stage(self, stage_id: str, index: int) -> int:
        """Move a stage to ``index`` in the user's order; returns its old index."""
        old = self.stage_index(stage_id)
        stages = list(self.stream.stages)
        stages.insert(index, stages.pop(old))
        self._commit(
            self.stream.model_copy(update={"stages": stages}), Change("stage_moved", stage_id)
        )
        return old

    def set_stage_field(self, stage_id: str, name: str, value: Any) -> Any:
        """Set one field of a stage; returns the old value."""
        index = self.stage_index(stage_id)
        stage = self.stream.stages[index]
        if name in ("id", "ai"):
            raise VSMapperError(f"{stage.name}: '{name}' is changed through its own edits")
        if name == "name" and isinstance(value, str):
            value = plain_text(value)
            self._refuse_a_taken_name(stage, value)
        try:
            updated = stage.replaced(**{name: value})
        except ValidationError as exc:
            raise user_error(exc, prefix=f"{stage.name}: ") from None
        self.replace_stage(updated)
        return getattr(stage, name)

    def _refuse_a_taken_name(self, stage: Stage, name: str) -> None:
        """Refuse a name another stage has (see ``name_taken``)."""
        problem = name_taken(self.stream.stages, stage.id, name)
        if problem:
            raise VSMapperError(f"{stage.name}: {problem}")

    def rename_stage(self, stage_id: str, name: str) -> str:
        """Rename a stage; a stage still called "New stage" (or "New stage 2"…) also takes an
        id made from the name, and, while of kind "other", the kind and phase its name says
        ("Code review": review, creation), which the AI suggestions and side effects go by.

        Returns the stage's id after the rename.
        """
        stage = self.stage(stage_id)
        # Pasted text brings its controls: a \x01 showed as an empty box on the map.
        name = plain_text(name)
        self._refuse_a_taken_name(stage, name)
        new_id = stage_id
        placeholder = _PLACEHOLDER_NAME.fullmatch(stage.name) and _PLACEHOLDER_ID.fullmatch(
            stage_id
        )
        if placeholder and name.strip():
            new_id = self.unique_id(name)
        if new_id == stage_id:
            self.set_stage_field(stage_id, "name", name)
            return stage_id

        def renamed(other: str | None) -> str | None:
            return new_id if other == stage_id else other

        named: dict[str, str] = {}
        if stage.kind == "other" and (kind := guess_kind(name)) != "other":
            named = {"kind": kind, "phase": guessed_phase(kind, stage.phase)}
        before = self.stream
        try:
            stages = [
                (s.replaced(id=new_id, name=name, **named) if s.id == stage_id else s).replaced(
                    rework_to=renamed(s.rework_to)
                )
                for s in before.stages
            ]
        except ValidationError as exc:
            raise user_error(exc, prefix=f"{stage.name}: ") from None
        flows = [
            Flow(source=renamed(f.source) or "", target=renamed(f.target) or "")
            for f in before.flows
        ]
        scenarios = [
            scenario.replaced(overrides={renamed(k) or k: v for k, v in scenario.overrides.items()})
            for scenario in before.scenarios
        ]
        candidate = self._candidate(name, stages=stages, flows=flows, scenarios=scenarios)
        self._commit(candidate, Change("stage_id", new_id, field=stage_id))
        return new_id

    def set_positions(self, positions: Mapping[str, tuple[float, float] | None]) -> None:
        """Place many stages at once (None: back to automatic layout) as one change.

        Only the positions are checked: no rule of the map ties a box's place to anything
        else, so the map is not validated again (moving 500 boxes of a big map stays quick).
        """
        stages = list(self.stream.stages)
        places = {stage.id: index for index, stage in enumerate(stages)}
        for stage_id, position in positions.items():
            index = places.get(stage_id)
            if index is None:
                raise VSMapperError(f"there is no stage with id '{stage_id}'")
            try:
                checked = _POSITION.validate_python(position)
            except ValidationError:
                # Checked again as part of the stage, for the message naming its field.
                try:
                    stages[index].replaced(position=position)
                except ValidationError as exc:
                    raise user_error(exc, prefix=f"{stages[index].name}: ") from None
                raise
            stages[index] = stages[index].model_copy(update={"position": checked})
        self._commit(self.stream.model_copy(update={"stages": stages}), Change("positions"))

    def swap_with_next(self, stage_id: str) -> None:
        """Move a stage one step down its chain: P → X → Y → S becomes P → Y → X → S.

        X must flow into Y alone and Y come from X alone; the two also swap places in the
        user's order and, if placed by hand, on the canvas.
        """
        flows = self.stream.flows
        stage = self.stage(stage_id)
        after = [f.target for f in flows if f.source == stage_id]
        if len(after) != 1:
            raise VSMapperError(
                f"{stage.name} flows into {len(after)} stages; only a stage that flows into "
                "one can move past it (change its flows with Connect and Disconnect)"
                if after
                else f"{stage.name} is the last stage; there is nothing to move it past"
            )
        [next_id] = after
        following = self.stage(next_id)
        before = [f.source for f in flows if f.target == next_id]
        if before != [stage_id]:
            raise VSMapperError(
                f"{following.name} also comes after "
                f"{', '.join(self._name(other) for other in before if other != stage_id)}; only "
                "a stage of a simple chain can move (change its flows with Connect and Disconnect)"
            )

        if following.rework_to == stage_id:
            raise VSMapperError(
                f"{following.name} sends its rework back to {stage.name}, which would then come "
                f"after it; give {following.name} another rework target first (Ctrl+R)"
            )

        def rewired(flow: Flow) -> Flow:
            if flow.target == next_id:  # X → Y, the only flow into Y
                return Flow(source=next_id, target=stage_id)
            if flow.target == stage_id:
                return Flow(source=flow.source, target=next_id)
            if flow.source == next_id:
                return Flow(source=stage_id, target=flow.target)
            return flow

        moved = [rewired(flow) for flow in flows]
        stages = list(self.stream.stages)
        first, second = self.stage_index(stage_id), self.stage_index(next_id)
        stages[first], stages[second] = (
            following.replaced(position=stage.position),
            stage.replaced(position=following.position),
        )
        what = f"Move {stage.name} after {following.name}"
        self._commit(self._candidate(what, stages=stages, flows=moved), Change("stages"))

    def swap_with_previous(self, stage_id: str) -> None:
        """Move a stage one step up its chain, before the one stage that flows into it."""
        before = [f.source for f in self.stream.flows if f.target == stage_id]
        if len(before) != 1:
            name = self.stage(stage_id).name
            raise VSMapperError(
                f"{name} comes after {len(before)} stages; only a stage that comes after one "
                "can move before it (change its flows with Connect and Disconnect)"
                if before
                else f"{name} is the first stage; there is nothing to move it before"
            )
        [previous] = before
        others = [
            f.target for f in self.stream.flows if f.source == previous and f.target != stage_id
        ]
        if others:
            raise VSMapperError(
                f"{self._name(previous)} also flows into "
                f"{', '.join(self._name(other) for other in others)}; only the one stage after "
                "a stage can move before it (change its flows with Connect and Disconnect)"
            )
        self.swap_with_next(previous)

    def replace_stages(self, stages: list[Stage], flows: list[Flow], what: str) -> None:
        """Put a whole new list of stages and flows in place (a paste) as one change."""
        self._commit(self._candidate(what, stages=stages, flows=flows), Change("stages"))

    def replace_stage(self, stage: Stage) -> Stage:
        """Put a changed copy of a stage in place of the one with its id; returns the old."""
        index = self.stage_index(stage.id)
        old = self.stream.stages[index]
        stages = list(self.stream.stages)
        stages[index] = stage
        if stage.ai != old.ai:
            # AI opportunity ids and side effects are checked across the whole map.
            candidate = self._candidate(stage.name, stages=stages)
        else:
            # The stage was validated when it was made and the rest of the map is valid:
            # only what this stage's own fields can break needs checking (a big map's edit).
            candidate = self.stream.model_copy(update={"stages": stages})
            problems = changed_stage_problems(candidate, index, old)
            if problems:
                raise VSMapperError(f"{stage.name}: {problems[0]}")
        self._commit(candidate, Change("stage_changed", stage.id))
        return old

    # --- flows ---------------------------------------------------------------------

    def connect(self, source: str, target: str, index: int | None = None) -> None:
        """Add a flow ``source`` → ``target``; refused if it would make a cycle."""
        flows = list(self.stream.flows)
        flows.insert(len(flows) if index is None else index, Flow(source=source, target=target))
        names = f"{self._name(source)} → {self._name(target)}"
        self._commit(self._candidate(f"flow {names}", flows=flows), Change("flows"))

    def set_successors(self, stage_id: str, targets: list[str]) -> None:
        """Make ``targets`` the only stages ``stage_id`` flows into, in that order."""
        flows = [f for f in self.stream.flows if f.source != stage_id]
        flows += [Flow(source=stage_id, target=t) for t in dict.fromkeys(targets)]
        what = f"flows from {self._name(stage_id)}"
        self._commit(self._candidate(what, flows=flows), Change("flows"))

    def disconnect(self, source: str, target: str) -> int:
        """Remove the flow ``source`` → ``target``; returns where it stood, for undo."""
        flows = list(self.stream.flows)
        for index, flow in enumerate(flows):
            if (flow.source, flow.target) == (source, target):
                del flows[index]
                names = f"{self._name(source)} → {self._name(target)}"
                self._commit(self._candidate(f"flow {names}", flows=flows), Change("flows"))
                return index
        raise VSMapperError(f"there is no flow {self._name(source)} → {self._name(target)}")

    def _name(self, stage_id: str) -> str:
        try:
            return self.stage(stage_id).name
        except VSMapperError:
            return stage_id

    # --- AI opportunities ----------------------------------------------------------

    def _opportunity_place(self, ai_id: str) -> tuple[Stage, int]:
        for stage in self.stream.stages:
            for index, opportunity in enumerate(stage.ai):
                if opportunity.id == ai_id:
                    return stage, index
        raise VSMapperError(f"there is no AI opportunity with id '{ai_id}'")

    def opportunity(self, ai_id: str) -> AIOpportunity:
        """The AI opportunity with this id."""
        stage, index = self._opportunity_place(ai_id)
        return stage.ai[index]

    def add_opportunity(
        self, stage_id: str, opportunity: AIOpportunity, index: int | None = None
    ) -> None:
        """Mark an AI opportunity at a stage."""
        stage = self.stage(stage_id)
        ai = list(stage.ai)
        ai.insert(len(ai) if index is None else index, opportunity)
        self._replace_opportunities(stage, ai, opportunity.id)

    def remove_opportunity(self, ai_id: str) -> RemovedOpportunity:
        """Remove an AI opportunity and take it out of every scenario."""
        before = self.stream
        stage, index = self._opportunity_place(ai_id)
        ai = [o for o in stage.ai if o.id != ai_id]
        stages = [s.replaced(ai=ai) if s.id == stage.id else s for s in before.stages]
        scenarios = [
            s.replaced(ai=[a for a in s.ai if a != ai_id]) if ai_id in s.ai else s
            for s in before.scenarios
        ]
        candidate = self._candidate(stage.name, stages=stages, scenarios=scenarios)
        self._commit(candidate, Change("ai", stage.id))
        return RemovedOpportunity(stage.id, index, stage.ai[index], before)

    def restore_opportunity(self, removed: RemovedOpportunity) -> None:
        """Undo ``remove_opportunity`` exactly."""
        self._commit(removed.before, Change("ai", removed.stage_id))

    def set_opportunity_field(self, ai_id: str, name: str, value: Any) -> Any:
        """Set one field of an AI opportunity; returns the old value."""
        stage, index = self._opportunity_place(ai_id)
        old = stage.ai[index]
        if name == "id":
            raise VSMapperError(f"{old.name}: an AI opportunity's id cannot be changed")
        try:
            updated = old.replaced(**{name: value})
        except ValidationError as exc:
            raise user_error(exc, prefix=f"{old.name}: ") from None
        ai = list(stage.ai)
        ai[index] = updated
        self._replace_opportunities(stage, ai, ai_id)
        return getattr(old, name)

    def _replace_opportunities(self, stage: Stage, ai: list[AIOpportunity], ai_id: str) -> None:
        stages = list(self.stream.stages)
        try:
            stages[self.stage_index(stage.id)] = stage.replaced(ai=ai)
        except ValidationError as exc:
            raise user_error(exc, prefix=f"{stage.name}: ") from None
        self._commit(self._candidate(stage.name, stages=stages), Change("ai", stage.id, ai_id))

    # --- scenarios -----------------------------------------------------------------

    def scenario(self, scenario_id: str) -> Scenario:
        """The scenario with this id."""
        return self.stream.scenarios[self._scenario_index(scenario_id)]

    def _scenario_index(self, scenario_id: str) -> int:
        for index, scenario in enumerate(self.stream.scenarios):
            if scenario.id == scenario_id:
                return index
        raise VSMapperError(f"there is no scenario with id '{scenario_id}'")

    def add_scenario(self, scenario: Scenario, index: int | None = None) -> None:
        """Add a future-state scenario."""
        scenarios = list(self.stream.scenarios)
        scenarios.insert(len(scenarios) if index is None else index, scenario)
        self._commit(
            self._candidate(scenario.name, scenarios=scenarios),
            Change("scenarios", field=scenario.id),
        )

    def remove_scenario(self, scenario_id: str) -> tuple[int, Scenario]:
        """Remove a scenario; returns where it stood and what it was, for undo."""
        index = self._scenario_index(scenario_id)
        scenarios = list(self.stream.scenarios)
        removed = scenarios.pop(index)
        notes = [
            note.replaced(scenario=None) if note.scenario == scenario_id else note
            for note in self.stream.notes
        ]
        self._commit(
            self._candidate(removed.name, scenarios=scenarios, notes=notes),
            Change("scenarios", field=scenario_id),
        )
        return index, removed

    def set_scenario_field(self, scenario_id: str, name: str, value: Any) -> Any:
        """Set one field of a scenario (name, ai, overrides, demand_factor); returns the old."""
        index = self._scenario_index(scenario_id)
        old = self.stream.scenarios[index]
        try:
            updated = old.replaced(**{name: value})
        except ValidationError as exc:
            raise user_error(exc, prefix=f"{old.name}: ") from None
        scenarios = list(self.stream.scenarios)
        scenarios[index] = updated
        self._commit(
            self._candidate(old.name, scenarios=scenarios), Change("scenarios", field=scenario_id)
        )
        return getattr(old, name)

    # --- pain points and kaizen bursts ---------------------------------------------

    def note(self, note_id: str) -> Note:
        """The note with this id."""
        return self.stream.notes[self._note_index(note_id)]

    def _note_index(self, note_id: str) -> int:
        for index, note in enumerate(self.stream.notes):
            if note.id == note_id:
                return index
        raise VSMapperError(f"there is no pain point or kaizen burst with id '{note_id}'")

    def unique_note_id(self, base: str) -> str:
        """A fresh note id such as ``pain-3``."""
        taken = {note.id for note in self.stream.notes}
        number = len(taken) + 1
        while f"{base}-{number}" in taken:
            number += 1
        return f"{base}-{number}"

    def add_note(self, note: Note, index: int | None = None) -> None:
        """Add a pain point or kaizen burst."""
        notes = list(self.stream.notes)
        notes.insert(len(notes) if index is None else index, note)
        self._commit(self._candidate("note", notes=notes), Change("notes", note.stage, note.id))

    def remove_note(self, note_id: str) -> tuple[int, Note]:
        """Remove a note; returns where it stood and what it was, for undo."""
        index = self._note_index(note_id)
        notes = list(self.stream.notes)
        removed = notes.pop(index)
        self._commit(self._candidate("note", notes=notes), Change("notes", removed.stage, note_id))
        return index, removed

    def set_note_field(self, note_id: str, name: str, value: Any) -> Any:
        """Set one field of a note (text, owner, due, status, effect, scenario...); returns the old."""
        index = self._note_index(note_id)
        old = self.stream.notes[index]
        if name == "id":
            raise VSMapperError("a note's id cannot be changed")
        try:
            updated = old.replaced(**{name: value})
        except ValidationError as exc:
            raise user_error(exc, prefix="note: ") from None
        notes = list(self.stream.notes)
        notes[index] = updated
        self._commit(self._candidate("note", notes=notes), Change("notes", updated.stage, note_id))
        return getattr(old, name)
