"""Guess where each tracker status belongs on the map, and what an item in it is doing."""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from itertools import pairwise

import polars as pl

from vsmapper.errors import quoted
from vsmapper.history.reading import History
from vsmapper.model.document import FreshIds, slug
from vsmapper.model.kinds import guess_kind, guessed_stages, topic_of
from vsmapper.model.stream import (
    Flow,
    StatusMapping,
    StatusState,
    ValueStream,
)

MAX_LISTED_STATUSES = 6
"""How many statuses a message about them names before it counts the rest."""

_IGNORE = re.compile(
    r"\b(backlog|cancel+ed|cancel|won'?t|wont|rejected|duplicate|obsolete|invalid|abandoned|"
    r"removed|deleted|discarded|withdrawn|declined|superseded|dropped|not planned)\b"
)
_DONE = re.compile(
    r"^(done|released|closed|resolved|complete|completed|shipped|finished|live|"
    r"in production|delivered|accepted)\b|\b(done|released|closed|resolved)$"
)
_BLOCKED = re.compile(r"\b(blocked|on hold|impeded|parked|paused)\b")
_REOPENED = re.compile(r"\bre ?opened\b")
_WAITING = re.compile(
    r"^(ready|to ?do|open|new|waiting|awaiting|pending|queued|selected|approved)\b|"
    r"\b(queue|waiting|ready)\b|" + _BLOCKED.pattern + "|" + _REOPENED.pattern
)


def guess_state(status: str) -> StatusState:
    """``waiting``, ``working``, ``done`` or ``ignore`` from the words of a status's name."""
    words = _words(status)
    if _IGNORE.search(words):
        return "ignore"
    if _DONE.search(words):
        return "done"
    if _WAITING.search(words):
        return "waiting"
    return "working"


def _words(status: str) -> str:
    """A status's name as lower-case words: ``Re-opened`` is ``re opened``."""
    return " ".join(re.sub(r"[^0-9a-z']+", " ", status.casefold()).split())


def status_order(history: History) -> list[str]:
    """Every status, in the order items move through them (a wide file's column order)."""
    return _ordered(history, _moves(history))


def _ordered(history: History, moves: dict[tuple[str, str], int]) -> list[str]:
    """``status_order`` from the moves already counted."""
    found = history.statuses
    if history.workflow_order:
        listed = [status for status in history.workflow_order if status in set(found)]
        return listed + sorted(set(found) - set(listed))
    return _along_moves(_typical_places(history), moves)


def _typical_places(history: History) -> list[str]:
    """Every status by its average place among its items' statuses (ties by first reach)."""
    continues = pl.col("item_code") == pl.col("item_code").shift(1)
    firsts = (
        history.events.lazy()
        .filter("first_entry")
        .with_columns(continues.fill_null(False).alias("continues"))
        # Rows are in item and time order: a first entry's place is its row within the item.
        .with_columns(pl.int_range(pl.len(), dtype=pl.Int64).alias("row"))
        .with_columns(
            (
                pl.col("row") - pl.when(~pl.col("continues")).then(pl.col("row")).forward_fill()
            ).alias("place")
        )
        .with_columns(
            # Places as fractions of the item's statuses, so short items weigh like long ones.
            (
                (pl.col("place") + 1)
                / pl.when(pl.col("item_code").ne_missing(pl.col("item_code").shift(-1)))
                .then(pl.col("place") + 1)
                .backward_fill()
            ).alias("place")
        )
        .group_by("status")
        .agg(pl.col("place").mean(), pl.col("at").min().alias("first"))
        .sort("place", "first", "status")
        .collect()
    )
    return firsts["status"].cast(pl.String).to_list()


def _along_moves(statuses: list[str], moves: dict[tuple[str, str], int]) -> list[str]:
    """``statuses`` ordered so that as few moves as possible go backwards.

    Averaged places put a status that many items skip too early ("Ready for dev" before
    "In design" when half the items have no design), so the order follows the moves
    themselves, by Eades, Lin and Smyth's greedy heuristic: a status nothing leaves for the
    rest goes last, one nothing comes into from the rest goes first, and otherwise the one
    with the most moves out less moves in. ``statuses``' own order breaks ties.
    """
    rest = dict.fromkeys(statuses)
    out = dict.fromkeys(statuses, 0)
    into = dict.fromkeys(statuses, 0)
    leaving: dict[str, list[tuple[str, int]]] = {status: [] for status in statuses}
    entering: dict[str, list[tuple[str, int]]] = {status: [] for status in statuses}
    for (source, target), count in moves.items():
        out[source] += count
        into[target] += count
        leaving[source].append((target, count))
        entering[target].append((source, count))
    front: list[str] = []
    back: list[str] = []
    while rest:
        sinks = [status for status in rest if not out[status]]
        sources = [status for status in rest if not into[status]]
        if sinks:
            chosen = sinks[-1]
            back.insert(0, chosen)
        else:
            chosen = sources[0] if sources else max(rest, key=lambda s: out[s] - into[s])
            front.append(chosen)
        del rest[chosen]
        for target, count in leaving[chosen]:
            into[target] -= count
        for source, count in entering[chosen]:
            out[source] -= count
    return front + back


def _moves(history: History) -> dict[tuple[str, str], int]:
    """How many times items moved from one status straight to another."""
    code = pl.col("status").to_physical().cast(pl.Int64)
    kinds = history.status_count
    # One integer per pair of statuses groups far faster than the pair.
    moves = (
        history.events.lazy()
        .select(
            (
                code * kinds
                + pl.when(pl.col("item_code") == pl.col("item_code").shift(1)).then(code.shift(1))
            ).alias("move")
        )
        .drop_nulls()
        .group_by("move")
        .agg(pl.len().alias("moves"))
        .collect()
    )
    names = history.statuses
    return {(names[move % kinds], names[move // kinds]): count for move, count in moves.iter_rows()}


def _usual_predecessor(moves: dict[tuple[str, str], int]) -> dict[str, str]:
    """For each status, the status items most often came from."""
    usual: dict[str, str] = {}
    for (previous, status), _count in sorted(moves.items(), key=lambda move: (-move[1], move[0])):
        usual.setdefault(status, previous)
    return usual


def _usual_successor(moves: dict[tuple[str, str], int]) -> dict[str, str]:
    """For each status, the status items most often went to next."""
    return _usual_predecessor({(after, before): n for (before, after), n in moves.items()})


def guess_statuses(history: History, base: ValueStream | None = None) -> ValueStream:
    """A map whose ``statuses`` name every status found, keeping those ``base`` already maps.

    A waiting status goes with the working status after it in workflow order (a blocked
    one with the status items were blocked in), and each such pair to one stage. Without
    ``base`` each working status becomes a stage; onto ``base`` a pair goes to the stage
    its statuses already map to or name, unless that breaks the map's order. A pair with
    no stage joins the nearest one before it, else the one after it.
    """
    moves = _moves(history)
    order = _ordered(history, moves)
    known = dict(base.statuses) if base is not None else {}
    states = {
        status: known[status].state if status in known else guess_state(status) for status in order
    }
    pairs = _pairs(order, states, _usual_predecessor(moves), _usual_successor(moves))
    keys = [status for status in order if pairs.get(status) == status]
    if base is None:
        own = {key: key for key in keys if states[key] == "working"}
        named = _folded(keys, own or {key: key for key in keys})
        names = list(dict.fromkeys(named.values()))
        fresh = FreshIds()
        ids = {name: fresh.fresh(slug(name)) for name in names}
        stages = guessed_stages(names, [ids[name] for name in names])
        stage_of = {key: ids[name] for key, name in named.items()}
        flows = [Flow.model_validate({"from": a.id, "to": b.id}) for a, b in pairwise(stages)]
        name = f"{_source_name(history.source)} (measured)"
        base = ValueStream(name=name, stages=stages, flows=flows)
    else:
        saved = {
            key: stage for key in keys if (stage := _saved_stage(key, pairs, known)) is not None
        }
        drawn = {
            key: stage
            for key in keys
            if (stage := saved.get(key) or _named_stage(key, pairs, base, known)) is not None
        }
        # A saved mapping stands even where it goes back in map order: its queue goes with it.
        stage_of = _folded(keys, {**_in_map_order(drawn, base, saved), **saved})
    # In workflow order, as the import dialog lists them; mappings of statuses the history
    # lacks stay after.
    statuses = {
        status: known.get(status)
        or _mapping(stage_of.get(pairs.get(status, status)), states[status])
        for status in order
    }
    return base.replaced(version=2, statuses={**statuses, **known})


def _source_name(source: str) -> str:
    name = re.split(r"[\\/]", source)[-1]
    return re.sub(r"\.(csv|xlsx)$", "", name, flags=re.IGNORECASE) or "Work-item history"


def _pairs(
    order: list[str],
    states: dict[str, StatusState],
    predecessors: dict[str, str],
    successors: dict[str, str],
) -> dict[str, str]:
    """Each waiting and working status's working status: its own or the one it waits for.

    A blocked status waits for the one items were blocked in, a reopened one for the one
    they go back to; a waiting status with no working status after it stands for itself.
    """
    pairs = {status: status for status in order if states[status] == "working"}
    for index, status in enumerate(order):
        if states[status] != "waiting":
            continue
        before, after = predecessors.get(status), successors.get(status)
        if _BLOCKED.search(status.casefold()) and before in pairs:
            pairs[status] = pairs[before]
        elif _REOPENED.search(_words(status)) and after in pairs:
            # Last in workflow order, a reopened status would join the stage that sent the
            # item back, and that stage's rework would count as a move forward.
            pairs[status] = pairs[after]
        else:
            later = (s for s in order[index + 1 :] if states[s] == "working")
            pairs[status] = next(later, status)
    return pairs


def _folded(keys: list[str], stage_of: dict[str, str]) -> dict[str, str]:
    """Each of ``keys``' stage: its own, else the nearest one's before it, else the first."""
    stage = next((stage_of[key] for key in keys if key in stage_of), None)
    folded: dict[str, str] = {}
    for key in keys:
        stage = stage_of.get(key, stage)
        if stage is not None:
            folded[key] = stage
    return folded


def _partners(key: str, pairs: dict[str, str]) -> list[str]:
    """A pair's statuses: its working status first, then those waiting for it."""
    return [key, *(status for status, its in pairs.items() if its == key != status)]


def _saved_stage(key: str, pairs: dict[str, str], known: dict[str, StatusMapping]) -> str | None:
    """The stage the map already maps one of a pair's statuses to, its working one's first."""
    mapped = (known[status].stage for status in _partners(key, pairs) if status in known)
    return next((stage for stage in mapped if stage is not None), None)


def _named_stage(
    key: str, pairs: dict[str, str], base: ValueStream, known: dict[str, StatusMapping]
) -> str | None:
    """The stage on ``base`` that a pair's unmapped statuses name, its working one's first."""
    named = (
        _matching_stage(status, base) for status in _partners(key, pairs) if status not in known
    )
    return next((stage for stage in named if stage is not None), None)


def _in_map_order(
    drawn: dict[str, str], base: ValueStream, saved: Collection[str]
) -> dict[str, str]:
    """The most of ``drawn`` (in workflow order) whose stages never go back in map order,
    as many of the ``saved`` ones as can be first.

    Measured against the map, a workflow that goes back would be rework every item does.
    Of as many, the ones ending earliest on the map win: a status that names a stage far
    ahead ("Design review" before coding) is likelier named for something else.
    """
    place = stage_order(base)

    def better(run: list[str]) -> tuple[int, int, int]:
        return sum(key in saved for key in run), len(run), -place[drawn[run[-1]]]

    runs: list[list[str]] = []
    for key, stage in drawn.items():
        before = [run for run in runs if place[drawn[run[-1]]] <= place[stage]]
        runs.append([*max(before, key=better, default=[]), key])
    return {key: drawn[key] for key in max(runs, key=better, default=[])}


def _mapping(stage: str | None, state: StatusState) -> StatusMapping:
    """A status's mapping, ignored if it waits or works with no stage to go to."""
    if stage is None and state in ("waiting", "working"):
        return StatusMapping(stage=None, state="ignore")
    return StatusMapping(stage=stage, state=state)


def _matching_stage(status: str, base: ValueStream) -> str | None:
    """The drawn stage whose name (or else kind) a status names, if any."""
    topic = topic_of(status)
    if not topic:
        return None
    for stage in base.stages:
        name = topic_of(stage.name)
        if topic in (name, stage.id.casefold()):
            return stage.id
    for stage in base.stages:
        name = topic_of(stage.name)
        if re.search(rf"\b{re.escape(topic)}\b", name) or re.search(
            rf"\b{re.escape(name)}\b", topic
        ):
            return stage.id
    kind = guess_kind(status)
    if kind != "other":
        for stage in base.stages:
            if stage.kind == kind:
                return stage.id
    return None


def unplaced(history: History, stream: ValueStream, map_name: str | None) -> str | None:
    """Why ``stream`` (drawn as ``map_name``, or None when made from the history) measures
    nothing of ``history``: no status waits or works at a stage of it. None when one does."""
    ids = {stage.id for stage in stream.stages}
    found = set(history.statuses)
    for status in found:
        mapping = stream.statuses.get(status)
        if mapping is not None and mapping.state in ("waiting", "working") and mapping.stage in ids:
            return None
    if map_name is not None and not stream.stages:
        return f"{map_name} has no stages, so nothing can be measured"
    order = _workflow_order(history, stream)
    # The statuses that sound like waiting or work first: the ones to map to stages.
    listed = [s for s in order if guess_state(s) in ("waiting", "working")] or order
    shown = ", ".join(quoted(status) for status in listed[:MAX_LISTED_STATUSES])
    if len(listed) > MAX_LISTED_STATUSES:
        shown += f" … ({len(listed)} in all)"
    if map_name is None:
        return (
            f"no status is one items wait or work in (statuses: {shown}), "
            "so there is no stage to measure"
        )
    stages = ", ".join(stage.name for stage in stream.stages)
    return (
        f"no status matches a stage of {map_name} "
        f"(statuses: {shown}; stages: {stages}), so nothing can be measured"
    )


def _workflow_order(history: History, stream: ValueStream) -> list[str]:
    """The history's statuses as the map lists them (its workflow order), then the rest."""
    found = set(history.statuses)
    order = [status for status in stream.statuses if status in found]
    return order + sorted(found - set(order))


def status_example(history: History, stream: ValueStream) -> str:
    """A ``statuses`` entry of the map file for the first status that sounds like work."""
    order = _workflow_order(history, stream)
    status = next((s for s in order if guess_state(s) == "working"), order[0] if order else "")
    state = "waiting" if guess_state(status) == "waiting" else "working"
    stage = stream.stages[0].id if stream.stages else "STAGE-ID"
    entry = {status: {"stage": stage, "state": state}}
    return json.dumps(entry, ensure_ascii=False)[1:-1]


def stage_order(stream: ValueStream) -> dict[str, int]:
    """Each stage's place in map order, which decides what is a move back."""
    return {stage.id: index for index, stage in enumerate(stream.stages)}
