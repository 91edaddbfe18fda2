"""Measure a map from work-item history: per-stage waits, work, %C&A and the flow metrics.

Every step is a polars expression over the whole history: no Python loop touches a row.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import polars as pl

from vsmapper.errors import VSMapperError, counted
from vsmapper.history.reading import History, first_in_item
from vsmapper.model.stream import Calendar, ValueStream

DAY_MICROSECONDS = 86_400_000_000
WEEK_MICROSECONDS = 7 * DAY_MICROSECONDS
ONE_MICROSECOND = timedelta(microseconds=1)
EPOCH = datetime(1970, 1, 1)
MAX_CHART_DAYS = 3_660
WORKING_STATES = ("waiting", "working")
WAITING, WORKING, DONE, IGNORE = 0, 1, 2, 3
STATE_CODES = {"waiting": WAITING, "working": WORKING, "done": DONE, "ignore": IGNORE}


@dataclass(frozen=True)
class Spread:
    """P10, P50 and P90 of a per-item time in working hours; None when nothing was measured."""

    p10: float | None = None
    p50: float | None = None
    p90: float | None = None

    def text(self, hours: Callable[[float | None], str], between: str = "/") -> str:
        """The three as ``hours`` writes each: ``3.7d/1w 2.7d/3w 0.2d``."""
        return between.join(hours(value) for value in (self.p10, self.p50, self.p90))


@dataclass(frozen=True)
class StageMeasure:
    """What the history says about one stage of the map.

    A stage no waiting status of the history maps to has no measured ``wait`` nor ``wip``:
    the tracker cannot see its queue, which is not the same as seeing it empty.
    """

    id: str
    name: str
    statuses: tuple[str, ...]
    items: int
    wait: Spread
    process: Spread
    pca: float | None
    rework_to: str | None
    wip: float | None
    throughput_per_week: float


@dataclass(frozen=True)
class StatusMeasure:
    """How many items first entered a status in the window and how long they stayed."""

    status: str
    items: int
    median_hours: float | None
    total_hours: float


@dataclass(frozen=True)
class AgingItem:
    """A work item started and not done at the window's end."""

    item: str
    type: str | None
    status: str
    age_hours: float


@dataclass(frozen=True)
class FlowTime:
    """Flow time of done items in working hours."""

    p50: float | None = None
    p85: float | None = None
    p95: float | None = None
    mean: float | None = None


@dataclass(frozen=True)
class Measurement:
    """The measured current state over a window of the history."""

    layout: str
    items: int
    done_items: int
    since: datetime
    until: datetime
    last_change: datetime
    """The history's last status change, in the window or not."""
    calendar: Calendar
    flow_time: FlowTime
    flow_velocity_per_week: float
    flow_efficiency: float | None
    flow_load: float
    distribution: dict[str, float]
    stages: list[StageMeasure]
    statuses: list[StatusMeasure]
    flow_times: list[float] = field(default_factory=list)
    weekly_done: list[tuple[date, int]] = field(default_factory=list)
    aging: list[AgingItem] = field(default_factory=list)
    cfd_days: list[date] = field(default_factory=list)
    cfd_stages: dict[str, list[int]] = field(default_factory=dict)
    cfd_done: list[int] = field(default_factory=list)

    def headline(self) -> str:
        """``1,500 items, 1,302 done from 2023-05-03 to 2026-10-23``."""
        return (
            f"{counted(self.items, 'item')}, {self.done_items:,} done from "
            f"{self.since:%Y-%m-%d} to {self.until:%Y-%m-%d}"
        )

    def stage(self, stage_id: str) -> StageMeasure:
        """The measure of the stage with this id."""
        return next(found for found in self.stages if found.id == stage_id)

    def forecast_start(self, today: date | None = None) -> date:
        """The day a throughput forecast counts from: today, or the window's end if later.

        Counted from a history that ended weeks ago, every date it promised could be past.
        """
        return max(self.until.date(), today if today is not None else date.today())

    def full_weeks_done(self) -> list[int]:
        """Done items in each calendar week lying wholly inside the window (all weeks if none)."""
        first = self.since.date()
        last = (self.until - ONE_MICROSECOND).date()
        inside = [
            count
            for week, count in self.weekly_done
            if week >= first and week + timedelta(days=6) <= last
        ]
        return inside or [count for _, count in self.weekly_done]


def _working_units(moment: pl.Expr, anchor: datetime, calendar: Calendar) -> pl.Expr:
    """Working time from ``anchor`` (a Monday midnight) to each moment, in whole units.

    A working day is ``DAY_MICROSECONDS`` units whatever its hours, so that spans are exact
    integers: running totals of them subtract without rounding. Each calendar day counts
    in proportion to the part of it covered, in full for the first ``days_per_week`` days
    of the week (Monday first) and not at all for the rest; a fractional
    ``days_per_week`` makes its last day count in part.
    """
    days_per_week = calendar.days_per_week
    offset = moment.dt.epoch("us") - (anchor - EPOCH) // ONE_MICROSECOND
    day = offset // DAY_MICROSECONDS
    into_day = offset - day * DAY_MICROSECONDS
    week, weekday = day // 7, day % 7
    per_week = round(days_per_week * DAY_MICROSECONDS)
    if float(days_per_week).is_integer():
        whole = int(days_per_week)
        return (
            week * per_week
            + pl.min_horizontal(weekday, pl.lit(whole)) * DAY_MICROSECONDS
            + pl.when(weekday < whole).then(into_day).otherwise(0)
        )
    share = weekday.cast(pl.Float64)
    within_week = (
        pl.min_horizontal(share, pl.lit(days_per_week)) * DAY_MICROSECONDS
        + (days_per_week - share).clip(0, 1) * into_day
    )
    return week * per_week + within_week.round().cast(pl.Int64)


def _hours(units: pl.Expr, calendar: Calendar) -> pl.Expr:
    """Working units as working hours (whole hours stay whole)."""
    return units.cast(pl.Float64) * calendar.hours_per_day / DAY_MICROSECONDS


def working_clock(moment: pl.Expr, anchor: datetime, calendar: Calendar) -> pl.Expr:
    """Working hours from ``anchor`` (a Monday midnight) to each moment, by the calendar."""
    return _hours(_working_units(moment, anchor, calendar), calendar)


def _reached(flag: pl.Expr) -> pl.Expr:
    """Whether the item has had a row with ``flag`` so far, this one included.

    Rows are in item order: the code of the last flagged row, carried down, is the item's
    own once it has had one.
    """
    item_code = pl.col("item_code")
    return (pl.when(flag).then(item_code).forward_fill() == item_code).fill_null(False)


def _since_began(total: pl.Expr, value: pl.Expr, continues: pl.Expr) -> pl.Expr:
    """A running ``total`` of ``value`` restarted where ``continues`` is false."""
    return total - pl.when(~continues).then(total - value).forward_fill()


def _monday_before(moment: datetime) -> datetime:
    start = datetime(moment.year, moment.month, moment.day)
    return start - timedelta(days=start.weekday())


def _lookups(history: History, stream: ValueStream) -> tuple[pl.Series, pl.Series]:
    """For each status of the history (by its code): its stage's place and its state."""
    order = {stage.id: index for index, stage in enumerate(stream.stages)}
    stages, states = [], []
    for status in history.statuses:
        mapping = stream.statuses.get(status)
        stages.append(order.get(mapping.stage) if mapping and mapping.stage else None)
        states.append(STATE_CODES[mapping.state] if mapping else IGNORE)
    return pl.Series(stages, dtype=pl.Int32), pl.Series(states, dtype=pl.UInt8)


def _rows(history: History, stream: ValueStream, end: datetime, anchor: datetime) -> pl.LazyFrame:
    """Every status change before ``end`` with its stage, state, span and place in a visit.

    A visit is a run of rows of one item in one stage's waiting and working statuses; its
    first row is flagged ``visit_start`` and its last ``visit_end``. Spans are in working
    units, up to the item's next change (null on its last).
    """
    stage_of, state_of = _lookups(history, stream)
    code = pl.col("status").to_physical()
    state, stage, item_code = pl.col("state"), pl.col("stage"), pl.col("item_code")
    in_stage = pl.col("in_stage")
    return (
        history.events.lazy()
        .filter(pl.col("at") < end)
        .with_columns(
            pl.lit(stage_of).gather(code).alias("stage"),
            pl.lit(state_of).gather(code).fill_null(IGNORE).alias("state"),
            (item_code == item_code.shift(1)).fill_null(False).alias("continues"),
            (item_code == item_code.shift(-1)).fill_null(False).alias("goes_on"),
            _working_units(pl.col("at"), anchor, stream.calendar).alias("clock"),
        )
        .with_columns(
            pl.when("goes_on").then(pl.col("at").shift(-1)).alias("next_at"),
            pl.when("goes_on").then(pl.col("clock").shift(-1) - pl.col("clock")).alias("span"),
            pl.when("goes_on").then(stage.shift(-1)).alias("next_stage"),
            pl.when("goes_on").then(state.shift(-1)).alias("next_state"),
            (stage.is_not_null() & (state <= WORKING)).alias("in_stage"),
        )
        .with_columns(
            (
                in_stage
                & (
                    ~pl.col("continues")
                    | ~in_stage.shift(1).fill_null(False)
                    | stage.ne_missing(stage.shift(1))
                )
            ).alias("visit_start"),
            (
                in_stage
                & (
                    ~pl.col("goes_on")
                    | ~in_stage.shift(-1).fill_null(False)
                    | stage.ne_missing(stage.shift(-1))
                )
            ).alias("visit_end"),
            _reached(state != IGNORE).alias("started"),
            _reached(state == DONE).alias("done"),
        )
        .with_columns(
            (pl.col("continues") & pl.col("done").shift(1)).alias("done_before"),
            ((state != IGNORE) & ~(pl.col("continues") & pl.col("started").shift(1))).alias(
                "first_start"
            ),
        )
        .with_columns(
            pl.when(state == WAITING).then("span").otherwise(0).fill_null(0).alias("wait_span"),
            pl.when(state == WORKING).then("span").otherwise(0).fill_null(0).alias("work_span"),
            pl.when((state == WORKING) & pl.col("started") & ~pl.col("done_before"))
            .then("span")
            .otherwise(0)
            .fill_null(0)
            .alias("flow_work_span"),
        )
    )


def _visits(rows: pl.LazyFrame, stream: ValueStream) -> pl.LazyFrame:
    """One row per visit: item, stage, start and end, wait and work, where it went next.

    Rows of a visit are consecutive, so its sums are differences of running totals taken
    at its last row, and the values of its first row are carried down to it.
    """
    begun = pl.col("visit_start")
    sums = [
        _since_began(pl.col(column).cum_sum(), pl.col(column), ~begun).alias(name)
        for column, name in (("wait_span", "wait"), ("work_span", "process"))
    ]
    calendar = stream.calendar
    return (
        rows.with_columns(pl.when(begun).then(pl.col("at")).forward_fill().alias("start"), *sums)
        .filter("visit_end")
        .select(
            "item_code",
            "stage",
            "start",
            pl.col("next_at").alias("end"),
            _hours(pl.col("wait"), calendar).alias("wait"),
            _hours(pl.col("process"), calendar).alias("process"),
            "next_stage",
            "next_state",
            first_in_item(pl.col("stage"), len(stream.stages)).alias("first_pass"),
            pl.col("goes_on").alias("closed"),
        )
    )


def _per_item(rows: pl.LazyFrame, stream: ValueStream) -> pl.LazyFrame:
    """One row per item: its start and first done (times and clocks), its last status."""
    state = pl.col("state")
    working = _since_began(
        pl.col("flow_work_span").cum_sum(), pl.col("flow_work_span"), pl.col("continues")
    )
    last = (
        rows.with_columns(working.alias("working"))
        .filter(~pl.col("goes_on"))
        .select(
            "item_code",
            "item",
            "type",
            state.alias("last_state"),
            pl.col("status").alias("last_status"),
            pl.col("at").alias("last_at"),
            _hours(pl.col("working"), stream.calendar).alias("working"),
        )
    )
    starts = rows.filter("first_start").select(
        "item_code", pl.col("at").alias("start"), pl.col("clock").alias("start_clock")
    )
    dones = rows.filter(state == DONE, ~pl.col("done_before")).select(
        "item_code", pl.col("at").alias("done"), pl.col("clock").alias("done_clock")
    )
    return (
        last.join(starts, on="item_code", how="left", maintain_order="left")
        .join(dones, on="item_code", how="left", maintain_order="left")
        .with_columns(
            _hours(pl.col("done_clock") - pl.col("start_clock"), stream.calendar).alias("flow_time")
        )
    )


def measure(
    history: History,
    stream: ValueStream,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Measurement:
    """Measure ``stream``'s stages from ``history`` through the map's ``statuses``.

    The window runs from ``since`` (inclusive) to ``until`` (exclusive); by default from
    the first to the last timestamp, both included. Statuses the map does not name are
    ignored. Every figure comes from one lazy plan over the history, run at once.
    """
    calendar = stream.calendar
    first, last = history.span
    start = since if since is not None else first
    end = until if until is not None else last + ONE_MICROSECOND
    if end <= start:
        raise VSMapperError(
            f"the window ends ({end:%Y-%m-%d %H:%M}) before it starts ({start:%Y-%m-%d %H:%M}): "
            "choose a later end"
        )
    shown_until = until if until is not None else last
    anchor = _monday_before(min(first, start))
    window_hours_calendar = max((shown_until - start).total_seconds(), 0) / 3600
    window_weeks = window_hours_calendar / 168

    rows = _rows(history, stream, end, anchor)
    visits = _visits(rows, stream)
    state = pl.col("state")
    first_passes = (
        visits.filter("first_pass", "closed", pl.col("start") >= start)
        .group_by("stage")
        .agg(
            pl.len().alias("items"),
            *(
                pl.col(column).quantile(q, "linear").alias(f"{column}_{name}")
                for column in ("wait", "process")
                for q, name in ((0.1, "p10"), (0.5, "p50"), (0.9, "p90"))
            ),
        )
    )
    exits = visits.filter("closed", pl.col("end") >= start)
    next_in_stage = pl.col("next_state") <= WORKING
    back = (pl.col("next_stage") < pl.col("stage")) & next_in_stage
    forward = (pl.col("next_state") == DONE) | (
        (pl.col("next_stage") > pl.col("stage")) & next_in_stage
    )
    # Exits counted once by where they went; the few kinds are then summed two ways.
    moves = exits.group_by("stage", "next_stage", "next_state").agg(pl.len().alias("moves"))
    occupancy = (
        (
            pl.min_horizontal(pl.col("next_at").fill_null(shown_until), pl.lit(shown_until))
            - pl.max_horizontal(pl.col("at"), pl.lit(start))
        )
        .dt.total_microseconds()
        .clip(0)
    )
    queues = (
        rows.filter("in_stage", state == WAITING)
        .group_by("stage")
        .agg(occupancy.sum().alias("occupied"))
    )
    statuses = _status_measures(rows, history, start, calendar)
    changes = _stage_changes(visits, start)
    (
        first_passes_found,
        moves_found,
        queues_found,
        per_item,
        statuses_found,
        changes_found,
    ) = pl.collect_all(
        [
            first_passes,
            moves,
            queues,
            _per_item(rows, stream),
            statuses,
            changes,
        ]
    )

    stage_ids = [stage.id for stage in stream.stages]
    by_stage = {row["stage"]: row for row in first_passes_found.iter_rows(named=True)}
    moved = pl.col("moves")
    exit_counts = moves_found.group_by("stage").agg(
        moved.filter(forward).sum().alias("forward"),
        moved.filter(back).sum().alias("back"),
        moved.sum().alias("exits"),
    )
    rework_targets = (
        moves_found.filter(back)
        .group_by("stage", "next_stage")
        .agg(moved.sum())
        .sort("moves", "next_stage", descending=[True, False])
        .group_by("stage", maintain_order=True)
        .first()
    )
    counts = {row["stage"]: row for row in exit_counts.iter_rows(named=True)}
    targets = dict(rework_targets.select("stage", "next_stage").iter_rows())
    queued = dict(queues_found.iter_rows())
    window_microseconds = max((shown_until - start) / ONE_MICROSECOND, 1)
    found_statuses = set(history.statuses)
    stages = []
    for index, stage in enumerate(stream.stages):
        row = by_stage.get(index)
        count = counts.get(index)
        measured_pca = None
        if count and count["forward"] + count["back"] > 0:
            measured_pca = 100 * count["forward"] / (count["forward"] + count["back"])
        target = targets.get(index)
        mapped = {
            status: m.state
            for status, m in stream.statuses.items()
            if m.stage == stage.id and m.state in WORKING_STATES
        }
        # Only statuses this history has show anything: a queue mapped in an earlier export
        # that this one lacks is unseen, not empty, as is work without a working status.
        seen = {mapped[status] for status in mapped if status in found_statuses}
        queue_seen = "waiting" in seen
        work_seen = "working" in seen
        stages.append(
            StageMeasure(
                id=stage.id,
                name=stage.name,
                statuses=tuple(mapped),
                items=row["items"] if row else 0,
                wait=Spread(*(row[f"wait_{p}"] for p in ("p10", "p50", "p90")))
                if row and queue_seen
                else Spread(),
                process=Spread(*(row[f"process_{p}"] for p in ("p10", "p50", "p90")))
                if row and work_seen
                else Spread(),
                pca=measured_pca,
                rework_to=stage_ids[target] if target is not None else None,
                wip=queued.get(index, 0) / window_microseconds if queue_seen else None,
                throughput_per_week=(count["exits"] if count else 0) / window_weeks
                if window_weeks > 0
                else 0.0,
            )
        )

    # When an item left the flow: done, or moved to an ignored status and left there.
    stop = pl.coalesce(
        pl.col("done"), pl.when(pl.col("last_state") == IGNORE).then(pl.col("last_at"))
    )
    # The items the window saw: "1,500 items, 7 done" for a three-day window counted every
    # item in the file, done years before it.
    in_window = per_item.filter(stop.is_null() | (stop >= start)).height
    done = per_item.filter(pl.col("done") >= start).sort("done", "item")
    flow_times = done["flow_time"]
    done_items = done.height
    flow_time = (
        FlowTime(
            flow_times.quantile(0.5, "linear"),
            flow_times.quantile(0.85, "linear"),
            flow_times.quantile(0.95, "linear"),
            float(flow_times.sum()) / done_items,
        )
        if done_items
        else FlowTime()
    )
    total_flow = float(flow_times.sum()) if done_items else 0.0
    efficiency = float(done["working"].sum()) / total_flow if total_flow > 0 else None
    types = done.group_by(pl.col("type").fill_null("Unspecified")).agg(pl.len()).sort("type")
    distribution = (
        {kind: n / done_items for kind, n in types.iter_rows()}
        if done_items and history.events["type"].null_count() < history.events.height
        else {}
    )
    # An item that never reached a mapped status never started: it is not in progress.
    load_microseconds = (
        per_item.filter(pl.col("start").is_not_null())
        .select(
            (
                pl.min_horizontal(stop.fill_null(shown_until), pl.lit(shown_until))
                - pl.max_horizontal(pl.col("start"), pl.lit(start))
            )
            .dt.total_microseconds()
            .clip(0)
            .sum()
        )
        .item()
    )
    now = _working_units(pl.lit(shown_until), anchor, calendar)
    aging = (
        per_item.filter(
            pl.col("start").is_not_null(),
            pl.col("done").is_null(),
            pl.col("last_state") != IGNORE,
        )
        .with_columns(_hours(now - pl.col("start_clock"), calendar).alias("age"))
        .sort("age", "item", descending=[True, False])
    )

    weekly = _weekly_done(done, start, end)
    days, cfd_stages, cfd_done = _cumulative_flow(changes_found, per_item, stream, start, end)
    return Measurement(
        layout=history.layout,
        items=in_window,
        done_items=done_items,
        since=start,
        until=shown_until,
        last_change=last,
        calendar=calendar,
        flow_time=flow_time,
        flow_velocity_per_week=done_items / window_weeks if window_weeks > 0 else 0.0,
        flow_efficiency=efficiency,
        flow_load=(load_microseconds or 0) / window_microseconds,
        distribution=distribution,
        stages=stages,
        statuses=[
            StatusMeasure(status, items, median, total or 0.0)
            for status, items, median, total in statuses_found.iter_rows()
        ],
        flow_times=flow_times.to_list(),
        weekly_done=weekly,
        aging=[
            AgingItem(item, kind, status, age)
            for item, kind, status, age in aging.select(
                "item", "type", "last_status", "age"
            ).iter_rows()
        ],
        cfd_days=days,
        cfd_stages=cfd_stages,
        cfd_done=cfd_done,
    )


def _status_measures(
    rows: pl.LazyFrame, history: History, start: datetime, calendar: Calendar
) -> pl.LazyFrame:
    """Per status: items that first entered it in the window, median and total time in it."""
    return (
        rows.filter(pl.col("status").is_not_null(), pl.col("at") >= start)
        .group_by("status")
        .agg(
            pl.col("first_entry").sum().alias("items"),
            _hours(pl.col("span").median(), calendar).alias("median"),
            _hours(pl.col("span").sum(), calendar).alias("total"),
        )
        .with_columns(pl.col("status").cast(pl.String))
        .sort("status")
    )


def _week_of(moment: datetime) -> date:
    return _monday_before(moment).date()


def _weekly_done(done: pl.DataFrame, start: datetime, end: datetime) -> list[tuple[date, int]]:
    """Done items per calendar week (Monday first), every week of the window listed."""
    counts = dict(
        done.group_by(pl.col("done").dt.truncate("1w").dt.date().alias("week"))
        .agg(pl.len())
        .iter_rows()
    )
    weeks: list[tuple[date, int]] = []
    week = _week_of(start)
    last = _week_of(end - ONE_MICROSECOND)
    while week <= last and len(weeks) < MAX_CHART_DAYS:
        weeks.append((week, counts.get(week, 0)))
        week += timedelta(days=7)
    return weeks


def _day_of_window(moment: pl.Expr, start: datetime) -> pl.Expr:
    """The day of the window a moment falls on, from 0 (days before it count as its first)."""
    first_day = datetime.combine(start.date(), datetime.min.time())
    offset = moment.dt.epoch("us") - (first_day - EPOCH) // ONE_MICROSECOND
    return (offset // DAY_MICROSECONDS).clip(0)


def _stage_changes(visits: pl.LazyFrame, start: datetime) -> pl.LazyFrame:
    """Each visit's stage and the days of the window it began and (if it did) ended."""
    return visits.select(
        "stage",
        _day_of_window(pl.col("start"), start).alias("arrived"),
        pl.when("closed").then(_day_of_window(pl.col("end"), start)).alias("left"),
    )


def _cumulative_flow(
    changes: pl.DataFrame,
    per_item: pl.DataFrame,
    stream: ValueStream,
    start: datetime,
    end: datetime,
) -> tuple[list[date], dict[str, list[int]], list[int]]:
    """Items in each stage at the end of each day of the window, and items done by then."""
    import numpy as np

    first_day = start.date()
    last_day = (end - ONE_MICROSECOND).date()
    span_days = (last_day - first_day).days + 1
    if span_days <= 0:
        return [], {}, []
    step = max(1, math.ceil(span_days / MAX_CHART_DAYS))
    days = [first_day + timedelta(days=offset) for offset in range(0, span_days, step)]
    # One row per stage and a last one for done items; a column per day of the window.
    rows = len(stream.stages) + 1
    done_row = rows - 1

    def per_day(stage: np.ndarray, day: pl.Series) -> np.ndarray:
        """How many of the (stage, day) pairs fall on each cell; days past the end dropped."""
        offsets = day.to_numpy()
        inside = offsets < span_days
        slots = stage[inside] * span_days + offsets[inside]
        return np.bincount(slots, minlength=rows * span_days).reshape(rows, span_days)

    stage = changes["stage"].cast(pl.Int64).to_numpy()
    closed = changes["left"].is_not_null().to_numpy()
    dones = per_item["done"].drop_nulls()
    daily = (
        per_day(stage, changes["arrived"])
        - per_day(stage[closed], changes["left"].drop_nulls())
        + per_day(
            np.full(dones.len(), done_row, dtype=np.int64),
            dones.to_frame().select(_day_of_window(pl.col("done"), start)).to_series(),
        )
    )
    running = daily.cumsum(axis=1)[:, ::step]
    stages = {stage.id: running[index].tolist() for index, stage in enumerate(stream.stages)}
    return days, stages, running[done_row].tolist()
