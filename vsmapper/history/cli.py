"""``vsmapper measure`` and ``vsmapper forecast --from-history``; polars loads only when run."""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vsmapper.cli_args import UsageError, add_calendar, given, number, report_out_file
from vsmapper.errors import VSMapperError, counted, printable_lines
from vsmapper.jsonout import json_text

if TYPE_CHECKING:
    from vsmapper.history.measure import Measurement
    from vsmapper.model.stream import ValueStream

MEASURE_HELP = "measure a map from a tracker's work-item history (.csv or .xlsx)"


def add_measure_parser(commands: Any) -> None:
    """Register ``vsmapper measure`` with the command line's subcommands."""
    measure = commands.add_parser("measure", help=MEASURE_HELP)
    measure.add_argument("log", metavar="LOG", help="work-item history, .csv or .xlsx")
    measure.add_argument(
        "--map",
        type=given,
        metavar="MAP",
        help="a drawn map: its statuses, calendar and stages are kept",
    )
    measure.add_argument(
        "--out",
        type=report_out_file,
        metavar="OUT.vsm.json",
        help="write the measured map; to OUT.xlsx, as a workbook with a Measured flow sheet",
    )
    measure.add_argument("--json", action="store_true", help="print JSON")
    measure.add_argument(
        "--since",
        type=given,
        metavar="DATE",
        help="start of the window, inclusive (default: the first date)",
    )
    measure.add_argument(
        "--until",
        type=given,
        metavar="DATE",
        help="end of the window, exclusive (default: the last date)",
    )
    add_calendar(measure, over="the map's calendar")


def add_forecast_arguments(forecast: argparse.ArgumentParser) -> None:
    """``forecast --from-history LOG [--items N | --by DATE]``."""
    forecast.add_argument(
        "--from-history",
        type=given,
        metavar="LOG",
        help="forecast from the weekly throughput of a history",
    )
    forecast.add_argument("--items", type=number(int, 1), metavar="N", help="when N items are done")
    forecast.add_argument(
        "--by", type=given, metavar="DATE", help="how many items are done by DATE"
    )


def _window(args: argparse.Namespace) -> tuple[datetime | None, datetime | None]:
    from vsmapper.history.reading import parse_date_text

    since = parse_date_text(args.since, "--since") if args.since else None
    until = parse_date_text(args.until, "--until") if args.until else None
    if since is not None and until is not None and until <= since:
        raise VSMapperError(f"--until: {args.until} is not after --since {args.since}")
    return since, until


def _check_window(
    first: datetime, last: datetime, since: datetime | None, until: datetime | None
) -> None:
    """Refuse a window that holds none of the history, from ``first`` to ``last``."""
    if since is not None and since > last:
        raise VSMapperError(
            f"--since: {_moment(since)} is after the history's last date, {_moment(last)}"
        )
    if until is not None and until <= first:
        raise VSMapperError(
            f"--until: {_moment(until)} is not after the history's first date, {_moment(first)}"
        )


def _moment(moment: datetime) -> str:
    """A date as typed, with its time only when it has one."""
    return (
        f"{moment:%Y-%m-%d}" if moment.time() == datetime.min.time() else f"{moment:%Y-%m-%d %H:%M}"
    )


def measured(
    log: str,
    map_path: str | None,
    since: datetime | None = None,
    until: datetime | None = None,
    hours_per_day: float | None = None,
    days_per_week: float | None = None,
    staged: bool = True,
) -> tuple[ValueStream, ValueStream | None, Measurement]:
    """The map the history is measured against, the drawn map (if any), the measurement.

    ``staged`` refuses a map no status waits or works at a stage of: its flow times would
    all be 0 (a throughput forecast counts done items alone, and needs no stage).
    """
    from vsmapper.history.measure import measure
    from vsmapper.history.reading import read_history
    from vsmapper.history.statuses import guess_statuses, status_example, unplaced
    from vsmapper.io.mapfile import load_map

    drawn = load_map(map_path) if map_path else None
    history = read_history(log)
    _check_window(*history.span, since, until)
    stream = guess_statuses(history, drawn)
    problem = unplaced(history, stream, map_path) if staged else None
    if problem is not None:
        example = status_example(history, stream)
        if map_path and not stream.stages:
            fix = "draw its stages, or leave out --map to make a stage of each working status"
        elif map_path:
            fix = f'map them in its "statuses", as {example}'
        else:
            fix = f'measure onto a map (--map MAP) whose "statuses" place them, as {example}'
        raise VSMapperError(f"{log}: {problem}: {fix}")
    calendar = stream.calendar
    if hours_per_day is not None or days_per_week is not None:
        calendar = calendar.replaced(
            hours_per_day=hours_per_day if hours_per_day is not None else calendar.hours_per_day,
            days_per_week=days_per_week if days_per_week is not None else calendar.days_per_week,
        )
        stream = stream.replaced(calendar=calendar)
    return stream, drawn, measure(history, stream, since, until)


def run_measure(args: argparse.Namespace) -> int:
    """``vsmapper measure``."""
    from vsmapper.analysis.flow import analyze
    from vsmapper.history.apply import measured_map, measurement_json, model_gap
    from vsmapper.history.caveats import caveats
    from vsmapper.io.mapfile import MAP_SUFFIX, save_map
    from vsmapper.io.xlsx_export import export_xlsx

    if args.out is not None:
        if not args.out.lower().endswith((MAP_SUFFIX, ".xlsx")):
            raise UsageError(
                f"{args.out}: measure writes a map file or a workbook; "
                f"name it *{MAP_SUFFIX} or *.xlsx"
            )
        for source in (args.log, args.map):
            if source and Path(args.out).resolve() == Path(source).resolve():
                raise UsageError(f"{args.out}: is an input file; write the map to another file")
    since, until = _window(args)
    stream, drawn, measurement = measured(
        args.log, args.map, since, until, args.hours_per_day, args.days_per_week
    )
    model_lead_time = analyze(stream).lead_time_hours if drawn is not None else None
    measured_stream = measured_map(stream, measurement)
    if args.out is not None and args.out.lower().endswith(".xlsx"):
        export_xlsx(measured_stream, args.out, measurement=measurement)
    elif args.out is not None:
        save_map(measured_stream, args.out)
    doubts = caveats(measurement, analysis=analyze(measured_stream))
    if args.json:
        print(json_text(measurement_json(measurement, stream, model_lead_time, doubts)))
        return 0
    print(measurement_text(measurement, stream, doubts))
    gap = model_gap(stream, measurement) if drawn is not None else None
    if gap is not None:
        print()
        print(printable_lines([gap.sentence, *(f"  {note}" for note in gap.stage_notes)]))
    return 0


def measurement_text(
    measurement: Measurement, stream: ValueStream, caveats: list[str] | None = None
) -> str:
    """A readable summary of a measurement, what to doubt in it first."""
    from vsmapper.model.duration import format_hours, share_text

    calendar = stream.calendar

    def hours(value: float | None) -> str:
        return (
            "–"
            if value is None
            else format_hours(value, calendar.hours_per_day, calendar.days_per_week)
        )

    flow = measurement.flow_time
    efficiency = (
        "–" if measurement.flow_efficiency is None else share_text(measurement.flow_efficiency)
    )
    lines = [
        f"{measurement.layout} history: {measurement.headline()}",
        *(f"Caveat: {caveat}." for caveat in caveats or []),
        f"Flow time      P50 {hours(flow.p50)}, P85 {hours(flow.p85)}, "
        f"P95 {hours(flow.p95)}, mean {hours(flow.mean)}",
        f"Flow velocity  {measurement.flow_velocity_per_week:.1f} items/week",
        f"Flow efficiency {efficiency}",
        f"Flow load      {measurement.flow_load:.1f} items in progress on average",
        "",
        f"{'Stage':<28} {'items':>6} {'wait P10/P50/P90':>22} {'work P10/P50/P90':>22} {'%C&A':>6}",
    ]
    for found in measurement.stages:
        wait, work = found.wait.text(hours), found.process.text(hours)
        pca = "–" if found.pca is None else f"{found.pca:.0f}"
        lines.append(f"{found.name[:28]:<28} {found.items:>6} {wait:>22} {work:>22} {pca:>6}")
    return printable_lines(lines)


def run_forecast_from_history(args: argparse.Namespace) -> int:
    """``vsmapper forecast --from-history LOG --items N`` or ``--by DATE``."""
    from vsmapper.history.caveats import caveats
    from vsmapper.history.forecast import (
        MAX_WEEKS,
        throughput_forecast,
        throughput_forecast_json,
    )
    from vsmapper.history.reading import parse_date_text

    if (args.items is None) == (args.by is None):
        raise UsageError("forecast --from-history needs --items N or --by DATE (one of them)")
    if args.scenario is not None:
        # Said, not ignored: the forecast would have looked like the scenario's.
        raise UsageError(
            "--scenario goes with a map's forecast; a forecast --from-history goes by "
            "the history's throughput, which has no scenarios"
        )
    by = parse_date_text(args.by, "--by").date() if args.by else None
    _, _, measurement = measured(args.from_history, args.file, staged=False)
    found = throughput_forecast(
        measurement.full_weeks_done(),
        measurement.forecast_start(),
        items=args.items,
        by=by,
        trials=args.trials,
        seed=args.seed,
    )
    if args.json:
        print(json_text(throughput_forecast_json(found)))
        return 0
    for caveat in caveats(measurement):
        print(printable_lines([f"Caveat: {caveat}."]))
    if found.items is not None:
        print(
            f"{counted(found.items, 'item')} from {found.start.isoformat()}, by weekly "
            f"throughput ({found.trials:,} trials, seed {found.seed}):"
        )
        for key, weeks in found.weeks.items():
            span = "" if weeks is None else f"  ({weeks:.0f} week{'s' * (f'{weeks:.0f}' != '1')})"
            print(f"  {key.upper()}  {found.when(key)}{span}")
        if found.unfinished:
            print(
                f"{counted(found.unfinished, 'trial')} of {found.trials:,} had not finished "
                f"after {MAX_WEEKS:,} weeks (100 years)."
            )
    if found.by is not None:
        print(f"Items done by {found.by.isoformat()} ({found.trials:,} trials, seed {found.seed}):")
        for key, count in found.done_by.items():
            print(f"  {key.upper()}  {count:.0f} or more")
    return 0
