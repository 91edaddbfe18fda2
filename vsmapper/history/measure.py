"""Measure a map from work-item history: per-stage waits, work, %C&A and the flow metrics.

Every step is a polars expression over the whole history: no Python loop touches a row.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import polars as pl

from vsmapper.history.reading import History
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


@dataclass(frozen=True)
class StageMeasure:
    """What the history says about one stage of the map."""

    id: str
    name: str
    statuses: tuple[str, ...]
    items: int
    wait: Spread
    process: Spread
    pca: float | None
    rework_to: str | None
    wip: float
    throughput_per_week: float


@dataclass(frozen=True)
class StatusMeasure:
    """How many items entered a status in the window and how long they stayed."""

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

    def stage(self, stage_id: str) -> StageMeasure:
        """The measure of the stage with this id."""
        return next(found for found in self.stages if found.id == stage_id)

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


def working_clock(moment: pl.Expr, anchor: datetime, calendar: Calendar) -> pl.Expr:
    """Working hours from ``anchor`` (a Monday midnight) to each moment.

    Each calendar day counts in proportion to the part of it covered, as ``hours_per_day``
    for the first ``days_per_week`` days of the week (Monday first) and 0 for the rest; a
    fractional ``days_per_week`` makes its last day count in part.
    """
    hours_per_day, days_per_week = calendar.hours_per_day, calendar.days_per_week
    offset = moment.dt.epoch("us") - (anchor - EPOCH) // ONE_MICROSECOND
    day = offset // DAY_MICROSECONDS
    fraction = (offset - day * DAY_MICROSECONDS).cast(pl.Float64) / DAY_MICROSECONDS
    week, weekday = day // 7, (day % 7).cast(pl.Float64)
    return week.cast(pl.Float64) * (hours_per_day * days_per_week) + hours_per_day * (
        pl.min_horizontal(weekday, pl.lit(days_per_week))
        + (days_per_week - weekday).clip(0, 1) * fraction
    )


def _count_within_item(flag: pl.Expr) -> pl.Expr:
    """How many rows of the item so far, this one included, have ``flag``.

    Rows are in item order, so a running total less its value where the item began does
    it without grouping.
    """
    counted = flag.cast(pl.UInt32)
    total = counted.cum_sum()
    begun = pl.when(~pl.col("continues")).then(total - counted).forward_fill()
    return total - begun


def _monday_before(moment: datetime) -> datetime:
    start = datetime(moment.year, moment.month, moment.day)
    return start - timedelta(days=start.weekday())


def _epoch_anchor(moment: datetime) -> datetime:
    """The Monday midnight on or before ``moment``, for ``dt.epoch``."""
    return _monday_before(moment)


def measure(
    history: History,
    stream: ValueStream,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Measurement:
    """Measure ``stream``'s stages from ``history`` through the map's ``statuses``.

    The window runs from ``since`` (inclusive) to ``until`` (exclusive); by default from
    the first to the last timestamp, both included. Statuses the map does not name are
    ignored.
    """
    calendar = stream.calendar
    bounds = history.events.select(
        pl.col("at").min().alias("first"), pl.col("at").max().alias("last")
    )
    first, last = bounds.row(0)
    start = since if since is not None else first
    end = until if until is not None else last + ONE_MICROSECOND
    shown_until = until if until is not None else last
    anchor = _epoch_anchor(min(first, start))
    window_hours_calendar = max((shown_until - start).total_seconds(), 0) / 3600
    window_weeks = window_hours_calendar / 168

    order = {stage.id: index for index, stage in enumerate(stream.stages)}
    mapping = pl.DataFrame(
        {
            "status": list(stream.statuses),
            "stage": [
                order.get(m.stage) if m.stage is not None else None
                for m in stream.statuses.values()
            ],
            "state": [STATE_CODES[m.state] for m in stream.statuses.values()],
        },
        schema={"status": pl.String, "stage": pl.Int32, "state": pl.UInt8},
    )
    state = pl.col("state")
    events = (
        history.events.lazy()
        .filter(pl.col("at") < end)
        .join(mapping.lazy(), on="status", how="left", maintain_order="left")
        .with_columns(
            state.fill_null(IGNORE),
            (pl.col("item_code") == pl.col("item_code").shift(1))
            .fill_null(False)
            .alias("continues"),
            (pl.col("item_code") == pl.col("item_code").shift(-1))
            .fill_null(False)
            .alias("goes_on"),
            working_clock(pl.col("at"), anchor, calendar).alias("clock"),
        )
        .with_columns(
            pl.when("goes_on").then(pl.col("at").shift(-1)).alias("next_at"),
            pl.when("goes_on").then(pl.col("clock").shift(-1) - pl.col("clock")).alias("span"),
            pl.when("goes_on").then(pl.col("stage").shift(-1)).alias("next_stage"),
            pl.when("goes_on").then(state.shift(-1)).alias("next_state"),
            (pl.col("stage").is_not_null() & (state <= WORKING)).alias("in_stage"),
        )
        .with_columns(
            (
                pl.col("in_stage")
                & (
                    ~pl.col("continues")
                    | ~pl.col("in_stage").shift(1).fill_null(False)
                    | pl.col("stage").ne_missing(pl.col("stage").shift(1))
                )
            )
            .cum_sum()
            .alias("visit"),
            _count_within_item(state != IGNORE).alias("started"),
            (_count_within_item(state == DONE) - (state == DONE).cast(pl.UInt32)).alias(
                "done_before"
            ),
        )
        .with_columns(
            pl.when(state == WAITING).then("span").otherwise(0.0).alias("wait_span"),
            pl.when(state == WORKING).then("span").otherwise(0.0).alias("work_span"),
            pl.when((state == WORKING) & (pl.col("started") > 0) & (pl.col("done_before") == 0))
            .then("span")
            .otherwise(0.0)
            .alias("flow_work_span"),
        )
        .collect()
    )
    lazy = events.lazy()
    visits = (
        lazy.filter("in_stage")
        .group_by("visit")
        .agg(
            pl.col("item_code").first(),
            pl.col("stage").first(),
            pl.col("at").first().alias("start"),
            pl.col("next_at").last().alias("end"),
            pl.col("wait_span").sum().alias("wait"),
            pl.col("work_span").sum().alias("process"),
            pl.col("next_stage").last(),
            pl.col("next_state").last(),
        )
        .sort("visit")
        .with_columns(
            pl.struct("item_code", "stage").is_first_distinct().alias("first_pass"),
            pl.col("end").is_not_null().alias("closed"),
        )
        .collect()
        .lazy()
    )
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
        .collect()
    )
    exits = visits.filter("closed", pl.col("end") >= start)
    next_in_stage = pl.col("next_state") <= WORKING
    back = (pl.col("next_stage") < pl.col("stage")) & next_in_stage
    forward = (pl.col("next_state") == DONE) | (
        (pl.col("next_stage") > pl.col("stage")) & next_in_stage
    )
    exit_counts = (
        exits.group_by("stage")
        .agg(
            forward.sum().alias("forward"),
            back.sum().alias("back"),
            pl.len().alias("exits"),
        )
        .collect()
    )
    rework_targets = (
        exits.filter(back)
        .group_by("stage", "next_stage")
        .agg(pl.len().alias("moves"))
        .sort("moves", "next_stage", descending=[True, False])
        .group_by("stage", maintain_order=True)
        .first()
        .collect()
    )
    occupancy = (
        (
            pl.min_horizontal(pl.col("next_at").fill_null(shown_until), pl.lit(shown_until))
            - pl.max_horizontal(pl.col("at"), pl.lit(start))
        )
        .dt.total_microseconds()
        .clip(0)
    )
    queues = (
        lazy.filter("in_stage", state == WAITING)
        .group_by("stage")
        .agg(occupancy.sum().alias("occupied"))
        .collect()
    )

    stage_ids = [stage.id for stage in stream.stages]
    by_stage = {row["stage"]: row for row in first_passes.iter_rows(named=True)}
    counts = {row["stage"]: row for row in exit_counts.iter_rows(named=True)}
    targets = dict(rework_targets.select("stage", "next_stage").iter_rows())
    queued = dict(queues.iter_rows())
    window_microseconds = max((shown_until - start) / ONE_MICROSECOND, 1)
    stages = []
    for index, stage in enumerate(stream.stages):
        row = by_stage.get(index)
        count = counts.get(index)
        measured_pca = None
        if count and count["forward"] + count["back"] > 0:
            measured_pca = 100 * count["forward"] / (count["forward"] + count["back"])
        target = targets.get(index)
        stages.append(
            StageMeasure(
                id=stage.id,
                name=stage.name,
                statuses=tuple(
                    status
                    for status, m in stream.statuses.items()
                    if m.stage == stage.id and m.state in WORKING_STATES
                ),
                items=row["items"] if row else 0,
                wait=Spread(*(row[f"wait_{p}"] for p in ("p10", "p50", "p90")))
                if row
                else Spread(),
                process=Spread(*(row[f"process_{p}"] for p in ("p10", "p50", "p90")))
                if row
                else Spread(),
                pca=measured_pca,
                rework_to=stage_ids[target] if target is not None else None,
                wip=queued.get(index, 0) / window_microseconds,
                throughput_per_week=(count["exits"] if count else 0) / window_weeks
                if window_weeks > 0
                else 0.0,
            )
        )

    per_item = (
        lazy.group_by("item_code")
        .agg(
            pl.col("item").first(),
            pl.when(state != IGNORE).then("at").min().alias("start"),
            pl.when(state == DONE).then("at").min().alias("done"),
            pl.col("type").last(),
            state.last().alias("last_state"),
            pl.col("status").last().alias("last_status"),
            pl.col("at").last().alias("last_at"),
            pl.col("flow_work_span").sum().alias("working"),
        )
        .with_columns(
            (
                working_clock(pl.col("done"), anchor, calendar)
                - working_clock(pl.col("start"), anchor, calendar)
            ).alias("flow_time"),
            (pl.col("done") >= start).alias("done_in_window"),
        )
        .collect()
    )
    done = per_item.filter("done_in_window").sort("done", "item")
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
    stop = pl.coalesce(
        pl.col("done"), pl.when(pl.col("last_state") == IGNORE).then(pl.col("last_at"))
    )
    load_microseconds = per_item.select(
        (
            pl.min_horizontal(stop.fill_null(shown_until), pl.lit(shown_until))
            - pl.max_horizontal(pl.col("start"), pl.lit(start))
        )
        .dt.total_microseconds()
        .clip(0)
        .sum()
    ).item()
    aging = (
        per_item.filter(
            pl.col("start").is_not_null(),
            pl.col("done").is_null(),
            pl.col("last_state") != IGNORE,
        )
        .with_columns(
            (
                working_clock(pl.lit(shown_until), anchor, calendar)
                - working_clock(pl.col("start"), anchor, calendar)
            ).alias("age")
        )
        .sort("age", "item", descending=[True, False])
    )

    weekly = _weekly_done(done, start, end)
    days, cfd_stages, cfd_done = _cumulative_flow(events, per_item, stream, start, end)
    return Measurement(
        layout=history.layout,
        items=per_item.height,
        done_items=done_items,
        since=start,
        until=shown_until,
        calendar=calendar,
        flow_time=flow_time,
        flow_velocity_per_week=done_items / window_weeks if window_weeks > 0 else 0.0,
        flow_efficiency=efficiency,
        flow_load=(load_microseconds or 0) / window_microseconds,
        distribution=distribution,
        stages=stages,
        statuses=_status_measures(events, start),
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


def _status_measures(events: pl.DataFrame, start: datetime) -> list[StatusMeasure]:
    """Per status: items that entered it in the window, median and total time in it."""
    found = (
        events.lazy()
        .filter(pl.col("status").is_not_null(), pl.col("at") >= start)
        .group_by("status")
        .agg(
            pl.col("item_code").n_unique().alias("items"),
            pl.col("span").median().alias("median"),
            pl.col("span").sum().alias("total"),
        )
        .sort("status")
        .collect()
    )
    return [
        StatusMeasure(status, items, median, total or 0.0)
        for status, items, median, total in found.iter_rows()
    ]


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


def _cumulative_flow(
    events: pl.DataFrame,
    per_item: pl.DataFrame,
    stream: ValueStream,
    start: datetime,
    end: datetime,
) -> tuple[list[date], dict[str, list[int]], list[int]]:
    """Items in each stage at the end of each day of the window, and items done by then."""
    first_day = start.date()
    last_day = (end - ONE_MICROSECOND).date()
    span_days = (last_day - first_day).days + 1
    if span_days <= 0:
        return [], {}, []
    step = max(1, math.ceil(span_days / MAX_CHART_DAYS))
    days = [first_day + timedelta(days=offset) for offset in range(0, span_days, step)]
    day_index = pl.Series("day", days, dtype=pl.Date)

    def counted(day: pl.Expr) -> pl.Expr:
        return pl.max_horizontal(day.dt.date(), pl.lit(first_day))

    arrivals = (
        events.lazy()
        .filter("in_stage")
        .select("stage", counted(pl.col("at")).alias("day"), pl.lit(1).alias("change"))
    )
    departures = (
        events.lazy()
        .filter(pl.col("in_stage") & pl.col("next_at").is_not_null())
        .select("stage", counted(pl.col("next_at")).alias("day"), pl.lit(-1).alias("change"))
    )
    changes = (
        pl.concat([arrivals, departures])
        .group_by("stage", "day")
        .agg(pl.col("change").sum())
        .collect()
    )
    done_changes = (
        per_item.lazy()
        .filter(pl.col("done").is_not_null())
        .select(counted(pl.col("done")).alias("day"), pl.lit(1).alias("change"))
        .group_by("day")
        .agg(pl.col("change").sum())
        .collect()
    )
    frame = pl.DataFrame({"day": day_index})

    def running(delta: pl.DataFrame) -> list[int]:
        daily = (
            pl.DataFrame({"day": pl.date_range(first_day, last_day, "1d", eager=True)})
            .join(delta, on="day", how="left")
            .with_columns(pl.col("change").fill_null(0).cum_sum())
        )
        return frame.join(daily, on="day", how="left")["change"].fill_null(0).to_list()

    stages = {
        stage.id: running(changes.filter(pl.col("stage") == index).select("day", "change"))
        for index, stage in enumerate(stream.stages)
    }
    return days, stages, running(done_changes)
