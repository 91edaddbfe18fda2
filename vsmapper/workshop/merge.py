"""Independent estimates merged per stage: medians, spread and where the room disagrees."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from statistics import median
from typing import Any, Literal

from vsmapper.model.document import Document
from vsmapper.model.duration import Estimate
from vsmapper.model.stream import Calendar, Note, Stage, ValueStream

TimeField = Literal["wait_time", "process_time"]
TIME_FIELDS: tuple[TimeField, ...] = ("wait_time", "process_time")
TIME_DISAGREEMENT_RATIO = 3.0
PCA_DISAGREEMENT_POINTS = 20.0
FIELD_WORDS = {"wait_time": "wait", "process_time": "work", "pca": "%C&A"}
"""An answer's fields as the round's window, its report and its checks name them."""


@dataclass(frozen=True)
class StageAnswer:
    """One participant's answer for one stage; every field may be missing."""

    wait_time: Estimate | None = None
    process_time: Estimate | None = None
    pca: float | None = None
    pain: str = ""


@dataclass(frozen=True)
class TimeSpread:
    """The merged estimate of one time field and the likely value of every answer, in hours."""

    low: float
    likely: float
    high: float
    likelies: tuple[float, ...]
    text: str


@dataclass(frozen=True)
class StageMerge:
    """The merged answers for one stage."""

    id: str
    name: str
    answers: int
    wait_time: TimeSpread | None = None
    process_time: TimeSpread | None = None
    pca: float | None = None
    pcas: tuple[float, ...] = ()
    disagreement: tuple[str, ...] = ()
    pains: tuple[str, ...] = ()


@dataclass(frozen=True)
class SurveyMerge:
    """The merged round: how many participants answered, and each asked stage."""

    responses: int
    stages: tuple[StageMerge, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, Any]:
        """The merged result as ``vsmapper survey --json`` prints it."""
        return {
            "responses": self.responses,
            "stages": [
                {
                    "id": stage.id,
                    "name": stage.name,
                    "answers": stage.answers,
                    "wait_time": stage.wait_time.text if stage.wait_time else None,
                    "process_time": stage.process_time.text if stage.process_time else None,
                    "pca": stage.pca,
                    "disagreement": list(stage.disagreement),
                    "pains": list(stage.pains),
                }
                for stage in self.stages
            ],
        }


def estimate_text(low: float, likely: float, high: float, calendar: Calendar) -> str:
    """Working hours as a duration in one readable unit: ``2d/3d/5d``, ``4w``, ``30m``."""
    hours = (low, likely, high)
    return Estimate.in_one_unit(hours, calendar.hours_per_day, calendar.days_per_week).text


def _time_spread(estimates: list[Estimate], calendar: Calendar) -> TimeSpread | None:
    if not estimates:
        return None
    points = [e.hours(calendar.hours_per_day, calendar.days_per_week) for e in estimates]
    low, likely, high = (median(point[index] for point in points) for index in range(3))
    likelies = tuple(point[1] for point in points)
    # Answers all alike go into the map as typed ("4w", "3-5d"); a bare number of hours is
    # written with its unit.
    alike = len({estimate.text for estimate in estimates}) == 1
    if alike and estimates[0].form != "number":
        text = estimates[0].text
    else:
        text = estimate_text(low, likely, high, calendar)
    return TimeSpread(low, likely, high, likelies, text)


def times_disagree(likelies: tuple[float, ...]) -> bool:
    """Whether the largest likely is at least three times the smallest."""
    return (
        len(likelies) > 1
        and max(likelies) > 0
        and max(likelies) >= TIME_DISAGREEMENT_RATIO * min(likelies)
    )


def pcas_disagree(pcas: tuple[float, ...]) -> bool:
    """Whether the answers for %C&A are 20 points or more apart."""
    return len(pcas) > 1 and max(pcas) - min(pcas) >= PCA_DISAGREEMENT_POINTS


def merge_answers(
    stream: ValueStream, stage_ids: list[str], answers: list[dict[str, StageAnswer]]
) -> SurveyMerge:
    """Merge every participant's answers for the asked stages (DESIGN: medians per field)."""
    merged: list[StageMerge] = []
    for stage_id in stage_ids:
        stage = stream.stage(stage_id)
        given = [answer[stage_id] for answer in answers if stage_id in answer]
        spreads = {
            name: _time_spread(
                [getattr(a, name) for a in given if getattr(a, name) is not None], stream.calendar
            )
            for name in TIME_FIELDS
        }
        pcas = tuple(a.pca for a in given if a.pca is not None)
        disagreement: list[str] = [
            name for name, spread in spreads.items() if spread and times_disagree(spread.likelies)
        ]
        if pcas_disagree(pcas):
            disagreement.append("pca")
        merged.append(
            StageMerge(
                id=stage.id,
                name=stage.name,
                answers=len(given),
                wait_time=spreads["wait_time"],
                process_time=spreads["process_time"],
                pca=median(pcas) if pcas else None,
                pcas=pcas,
                disagreement=tuple(disagreement),
                pains=_as_first_written(answer.pain for answer in given),
            )
        )
    return SurveyMerge(responses=len(answers), stages=tuple(merged))


def pain_key(text: str) -> str:
    """What two pain points share when they are the same: their words, whatever the case,
    the spacing or the full stops and exclamation marks they end with."""
    return " ".join(text.split()).rstrip(".!").casefold()


def _as_first_written(pains: Iterable[str]) -> tuple[str, ...]:
    """Each pain point sent, as the first participant to send it wrote it."""
    first: dict[str, str] = {}
    return tuple(first.setdefault(pain_key(pain), pain.strip()) for pain in pains if pain.strip())


def far_from_map(stage: Stage, stage_merge: StageMerge, calendar: Calendar) -> tuple[str, ...]:
    """The fields whose merged value is far from what ``stage`` says now: a likely time at
    least 3 × or at most a third of the map's likely (the disagreement rule's ratio), or a
    %C&A 20 points or more off. A time the map has at 0 is not yet estimated: nothing to
    compare with."""
    far: list[str] = []
    for name in TIME_FIELDS:
        spread: TimeSpread | None = getattr(stage_merge, name)
        if spread is None:
            continue
        estimate: Estimate = getattr(stage, name)
        today = estimate.likely_hours(calendar.hours_per_day, calendar.days_per_week)
        if today > 0 and (
            spread.likely >= TIME_DISAGREEMENT_RATIO * today
            or spread.likely * TIME_DISAGREEMENT_RATIO <= today
        ):
            far.append(name)
    if stage_merge.pca is not None and abs(stage_merge.pca - stage.pca) >= PCA_DISAGREEMENT_POINTS:
        far.append("pca")
    return tuple(far)


def single_answers(stage_merge: StageMerge) -> tuple[str, ...]:
    """The fields whose merged value rests on one participant's answer."""
    counts = {
        "wait_time": len(stage_merge.wait_time.likelies) if stage_merge.wait_time else 0,
        "process_time": len(stage_merge.process_time.likelies) if stage_merge.process_time else 0,
        "pca": len(stage_merge.pcas),
    }
    return tuple(name for name, count in counts.items() if count == 1)


def _map_text(stage: Stage, name: str) -> str:
    if name == "pca":
        return f"{stage.pca:g}%"
    estimate: Estimate = getattr(stage, name)
    return estimate.text


DELETED = "not in the map: applying leaves its answers out"
"""What to check of a stage deleted since the round opened."""


def merge_checks(stream: ValueStream, merge: SurveyMerge) -> dict[str, tuple[str, ...]]:
    """Per stage id, what to look at before applying, in words: "wait far from the map
    (2d)", "1 answer" (or "work from 1 answer" when others answered more). Stages with
    nothing to check are left out; one deleted since the round opened is ``DELETED``."""
    by_id = {stage.id: stage for stage in stream.stages}
    checks: dict[str, tuple[str, ...]] = {}
    for stage_merge in merge.stages:
        stage = by_id.get(stage_merge.id)
        if stage is None:
            checks[stage_merge.id] = (DELETED,)
            continue
        words = [
            f"{FIELD_WORDS[name]} far from the map ({_map_text(stage, name)})"
            for name in far_from_map(stage, stage_merge, stream.calendar)
        ]
        single = single_answers(stage_merge)
        if stage_merge.answers == 1:
            words.append("1 answer")
        elif single:
            words.append(", ".join(FIELD_WORDS[name] for name in single) + " from 1 answer")
        if words:
            checks[stage_merge.id] = tuple(words)
    return checks


def merge_edits(
    stream: ValueStream, merge: SurveyMerge, applied: SurveyMerge | None = None
) -> tuple[list[Stage], list[tuple[str, str]]]:
    """What applying ``merge`` changes: its stages as they would be, and each pain point not
    yet on its stage (stage id, text), so a round applied again adds no note twice. Stages
    deleted since the round opened are left out; so are the pain points of ``applied``, the
    round as last applied: one the coach deleted since stays deleted."""
    stages: list[Stage] = []
    pains: list[tuple[str, str]] = []
    held = {(note.stage, pain_key(note.text)) for note in stream.notes if note.kind == "pain"}
    if applied is not None:
        held |= {(done.id, pain_key(pain)) for done in applied.stages for pain in done.pains}
    by_id = {stage.id: stage for stage in stream.stages}
    for stage_merge in merge.stages:
        stage = by_id.get(stage_merge.id)
        if stage is None:
            continue
        changes: dict[str, object] = {}
        for name in TIME_FIELDS:
            spread: TimeSpread | None = getattr(stage_merge, name)
            if spread is not None:
                changes[name] = spread.text
        if stage_merge.pca is not None:
            changes["pca"] = stage_merge.pca
        changed = stage.replaced(**changes)
        if changed != stage:
            stages.append(changed)
        for pain in stage_merge.pains:
            if (stage.id, pain_key(pain)) not in held:
                held.add((stage.id, pain_key(pain)))
                pains.append((stage.id, pain))
    return stages, pains


def stages_gone(stream: ValueStream, merge: SurveyMerge) -> list[str]:
    """The names of the round's stages deleted from the map since it opened."""
    ids = {stage.id for stage in stream.stages}
    return [stage.name for stage in merge.stages if stage.id not in ids]


def holds_merge(
    stream: ValueStream, merge: SurveyMerge, applied: SurveyMerge | None = None
) -> bool:
    """Whether ``stream`` has every estimate and pain point of ``merge`` on the stages it
    still has (those of ``applied`` may have been deleted since)."""
    stages, pains = merge_edits(stream, merge, applied)
    return not stages and not pains


def apply_merge(document: Document, merge: SurveyMerge, applied: SurveyMerge | None = None) -> None:
    """Put the merged estimates into the map and each new pain point on its stage as a note
    (not those of ``applied``, the round as last applied), but for stages deleted since the
    round opened (``stages_gone``)."""
    stages, pains = merge_edits(document.stream, merge, applied)
    for stage in stages:
        document.replace_stage(stage)
    for stage_id, text in pains:
        document.add_note(
            Note(id=document.unique_note_id("pain"), stage=stage_id, kind="pain", text=text)
        )
