"""The AI practice catalog: what each practice is, where it fits and what it is assumed to do."""

from __future__ import annotations

from functools import cache
from typing import Annotated, Literal

import networkx as nx
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from vsmapper import RESOURCES
from vsmapper.model import AIOpportunity, SideEffect, Stage, ValueStream
from vsmapper.model.stream import ID_PATTERN, KINDS, PHASES, Kind, Phase

CATALOG_RESOURCE = "catalog/ai-practices.json"

Text = Annotated[str, StringConstraints(pattern=r"\S")]
"""Text with at least one visible character."""


class CatalogModel(BaseModel):
    """Base of the catalog's parts: strict types, no unknown keys, immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


class AssumedValue(CatalogModel):
    """One assumed figure: the default to start from and the plausible range [low, high]."""

    default: float
    range: tuple[float, float]

    @model_validator(mode="after")
    def _default_within_range(self) -> AssumedValue:
        low, high = self.range
        if not low <= self.default <= high:
            raise ValueError(f"default {self.default} lies outside its range [{low}, {high}]")
        return self


class Effect(CatalogModel):
    """What a practice is assumed to do at a stage, in an AI opportunity's three figures."""

    process_time_factor: AssumedValue
    wait_time_factor: AssumedValue
    pca_delta: AssumedValue
    """Change of the stage's %C&A in percentage points."""

    @model_validator(mode="after")
    def _within_model_limits(self) -> Effect:
        for name in ("process_time_factor", "wait_time_factor"):
            if getattr(self, name).range[0] < 0:
                raise ValueError(f"{name}: a factor cannot be negative")
        low, high = self.pca_delta.range
        if low < -100 or high > 100:
            raise ValueError("pca_delta: the range must lie within [-100, 100] points")
        return self


class AssumedSideEffect(Effect):
    """What a practice is assumed to do at a later stage of a kind, with why and who says so.

    It falls on the first stage of that kind downstream of the practice's stage.
    """

    kind: Kind
    basis: Text
    source: Text


class MonthlyCost(CatalogModel):
    """A typical cost per team and month, with what the figure assumes."""

    usd: Annotated[float, Field(ge=0)]
    basis: Text


class Evidence(CatalogModel):
    """A published claim behind a practice's effect or risks, and who made it."""

    claim: Text
    source: Text


class Practice(CatalogModel):
    """A way to apply AI at a stage: where it fits, its assumed effect, cost, risks and evidence.

    ``phases`` and ``kinds`` are listed best fit first.
    """

    id: Annotated[str, Field(pattern=f"^{ID_PATTERN.pattern}$")]
    name: Text
    summary: Text
    phases: Annotated[tuple[Phase, ...], Field(min_length=1)]
    kinds: Annotated[tuple[Kind, ...], Field(min_length=1)]
    effect: Effect
    monthly_cost: MonthlyCost
    risks: Annotated[tuple[Text, ...], Field(min_length=1)]
    evidence: Annotated[tuple[Evidence, ...], Field(min_length=1)]
    side_effects: tuple[AssumedSideEffect, ...] = ()

    @model_validator(mode="after")
    def _no_repeats(self) -> Practice:
        for name in ("phases", "kinds"):
            values = getattr(self, name)
            if len(set(values)) != len(values):
                raise ValueError(f"{name}: each value may appear only once")
        return self


class Catalog(CatalogModel):
    """Every practice, and the disclaimer that their figures are assumptions to replace."""

    version: Literal[1]
    disclaimer: Text
    practices: tuple[Practice, ...]

    @model_validator(mode="after")
    def _unique_ids(self) -> Catalog:
        seen: set[str] = set()
        for practice in self.practices:
            if practice.id in seen:
                raise ValueError(f"duplicate practice id '{practice.id}'")
            seen.add(practice.id)
        return self

    def practice(self, practice_id: str) -> Practice:
        """The practice with this id."""
        for practice in self.practices:
            if practice.id == practice_id:
                return practice
        raise KeyError(practice_id)


@cache
def load_catalog() -> Catalog:
    """The bundled catalog, validated; read once."""
    text = (RESOURCES / CATALOG_RESOURCE).read_text(encoding="utf-8")
    return Catalog.model_validate_json(text)


def suggest(catalog: Catalog, stage: Stage) -> list[Practice]:
    """The practices that fit a stage's kind or phase, best fit first.

    A practice made for the stage's kind comes before one that only shares its phase. Among
    kind matches, one that lists the kind earlier fits better, then one that lists the phase
    earlier; remaining ties keep catalog order.
    """

    def fit(practice: Practice) -> tuple[int, int]:
        kind = practice.kinds.index(stage.kind) if stage.kind in practice.kinds else len(KINDS)
        phase = (
            practice.phases.index(stage.phase) if stage.phase in practice.phases else len(PHASES)
        )
        return kind, phase

    fitting = [
        practice
        for practice in catalog.practices
        if stage.kind in practice.kinds or stage.phase in practice.phases
    ]
    return sorted(fitting, key=fit)


def side_effect_targets(
    practice: Practice, stream: ValueStream, stage_id: str
) -> list[tuple[AssumedSideEffect, Stage | None]]:
    """Each of the practice's assumed side effects with the first later stage of its kind, or
    None when no stage of its kind is downstream of ``stage_id``."""
    later = nx.descendants(stream.graph(), stage_id)
    return [
        (
            assumed,
            next(
                (s for s in stream.stages if s.id in later and s.kind == assumed.kind),
                None,
            ),
        )
        for assumed in practice.side_effects
    ]


def side_effects_for(practice: Practice, stream: ValueStream, stage_id: str) -> list[SideEffect]:
    """The practice's assumed side effects, each on the first later stage of its kind.

    A side effect whose kind has no stage downstream of ``stage_id`` is left out.
    """
    return [
        SideEffect(
            stage=target.id,
            process_time_factor=assumed.process_time_factor.default,
            wait_time_factor=assumed.wait_time_factor.default,
            pca_delta=assumed.pca_delta.default,
        )
        for assumed, target in side_effect_targets(practice, stream, stage_id)
        if target is not None
    ]


def opportunity_from_practice(
    practice: Practice,
    opportunity_id: str,
    stream: ValueStream | None = None,
    stage_id: str | None = None,
) -> AIOpportunity:
    """A new AI opportunity for a practice with the catalog's default effect and cost.

    Given the map and the stage it is for, it also carries the practice's side effects on
    later stages. Its confidence is "low": the defaults are assumptions until the team has
    its own figures.
    """
    effect = practice.effect
    also = (
        [] if stream is None or stage_id is None else side_effects_for(practice, stream, stage_id)
    )
    return AIOpportunity(
        id=opportunity_id,
        practice=practice.id,
        name=practice.name,
        process_time_factor=effect.process_time_factor.default,
        wait_time_factor=effect.wait_time_factor.default,
        pca_delta=effect.pca_delta.default,
        monthly_cost=practice.monthly_cost.usd,
        confidence="low",
        also=also,
    )
