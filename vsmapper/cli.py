"""The ``vsmapper`` command: the desktop app by default, and headless subcommands."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from vsmapper import __version__
from vsmapper.errors import VSMapperError
from vsmapper.jsonout import json_text

if TYPE_CHECKING:
    from vsmapper.model.stream import ValueStream

EXIT_OK, EXIT_USAGE, EXIT_INVALID = 0, 2, 3
SUBCOMMANDS = ("analyze", "forecast", "export", "import", "survey")


class UsageError(Exception):
    """The command line itself is wrong (exit code 2)."""


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see 'vsmapper --help')")


def example_map_path() -> Path:
    """The bundled "Idea to production" example map."""
    return Path(
        str(resources.files("vsmapper.resources") / "examples" / "idea-to-production.vsm.json")
    )


def warn(notices: Sequence[str]) -> None:
    """Print how an input was read, one ``vsmapper: warning:`` line each, on standard error."""
    for notice in notices:
        print(f"vsmapper: warning: {notice}", file=sys.stderr)


def load_input(path: str) -> ValueStream:
    """Read a map from ``.vsm.json``, ``.csv`` or ``.xlsx``."""
    from vsmapper.io.spreadsheet import IMPORT_SUFFIXES, import_spreadsheet

    if path.lower().endswith(IMPORT_SUFFIXES):
        notices: list[str] = []
        stream = import_spreadsheet(path, notices=notices)
        warn([f"{path}: {notice}" for notice in notices])
        return stream
    from vsmapper.io.mapfile import load_map

    return load_map(path)


def _number(kind: type, low: float | None = None) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not a {kind.__name__} number") from None
        if low is not None and value < low:
            raise argparse.ArgumentTypeError(f"{text} is below {low}")
        return value

    return parse


def build_parser() -> Parser:
    """Parsers for the subcommands of docs/command-line.md."""
    parser = Parser(prog="vsmapper", description="Value stream maps for software delivery.")
    parser.add_argument("--version", action="version", version=f"vsmapper {__version__}")
    commands = parser.add_subparsers(dest="command", parser_class=Parser, metavar="COMMAND")

    analyze = commands.add_parser(
        "analyze", help="print lead time, flow efficiency, the constraint"
    )
    analyze.add_argument("file", metavar="FILE", help=".vsm.json, .csv or .xlsx")
    analyze.add_argument("--scenario", metavar="NAME", help="a scenario's name or id")
    analyze.add_argument("--json", action="store_true", help="print JSON")

    forecast = commands.add_parser("forecast", help="Monte Carlo lead-time forecast")
    forecast.add_argument("file", metavar="FILE")
    forecast.add_argument("--scenario", metavar="NAME")
    forecast.add_argument("--trials", type=_number(int, 1), default=10_000, metavar="N")
    forecast.add_argument("--seed", type=_number(int, 0), default=None, metavar="S")
    forecast.add_argument("--json", action="store_true")

    export = commands.add_parser("export", help="write .xlsx, .csv, .png, .svg, .pdf or .vsm.json")
    export.add_argument("file", metavar="FILE", help=".vsm.json, .csv or .xlsx")
    export.add_argument("out", metavar="OUT", help="the file to write; its extension is the format")
    export.add_argument("--scenario", metavar="NAME", help="the map as this scenario makes it")
    export.add_argument(
        "--scale",
        type=_number(float, 0.1),
        default=2.0,
        metavar="S",
        help="pixels per map unit of a PNG (default 2)",
    )
    export.add_argument(
        "--notes",
        action="store_true",
        help="with OUT.csv: write the improvement plan (pain points, kaizen bursts)",
    )

    convert = commands.add_parser("import", help="convert a spreadsheet or CSV to a map file")
    convert.add_argument("input", metavar="IN", help=".xlsx or .csv")
    convert.add_argument("out", metavar="OUT.vsm.json")
    convert.add_argument("--hours-per-day", type=_number(float, 0), metavar="H")
    convert.add_argument("--days-per-week", type=_number(float, 0), metavar="D")
    convert.add_argument("--demand-per-week", type=_number(float, 0), metavar="N")

    survey = commands.add_parser(
        "survey", help="run an estimate round: participants answer from their phones"
    )
    survey.add_argument("file", metavar="MAP", help="the map whose stages are asked")
    survey.add_argument("--out", metavar="OUT.vsm.json", help="write the map with the merge")
    survey.add_argument("--host", default="127.0.0.1", metavar="H", help="default 127.0.0.1")
    survey.add_argument("--port", type=_number(int, 0), default=0, metavar="P")
    survey.add_argument(
        "--responses", type=_number(int, 1), metavar="N", help="stop after N participants"
    )
    survey.add_argument(
        "--minutes", type=_number(float, 0), metavar="M", help="stop after M minutes"
    )
    survey.add_argument("--json", action="store_true", help="print the merge as JSON")
    return parser


def build_app_parser() -> Parser:
    """Parser for the desktop app: ``vsmapper [FILE]`` and ``--screenshot``."""
    parser = Parser(
        prog="vsmapper",
        description="Value stream maps for software delivery. "
        f"Subcommands: {', '.join(SUBCOMMANDS)} (vsmapper COMMAND --help).",
    )
    parser.add_argument("--version", action="version", version=f"vsmapper {__version__}")
    parser.add_argument(
        "file", nargs="?", metavar="FILE", help="map to open (default: the example)"
    )
    parser.add_argument(
        "--screenshot", metavar="OUT.png", help="render the main window to a PNG without showing it"
    )
    return parser


def run_analyze(args: argparse.Namespace) -> int:
    """``vsmapper analyze``."""
    stream = load_input(args.file)
    from vsmapper.analysis.report import analysis_json, analysis_text

    if args.json:
        print(json_text(analysis_json(stream, args.scenario)))
    else:
        print(analysis_text(stream, args.scenario))
    return EXIT_OK


def run_forecast(args: argparse.Namespace) -> int:
    """``vsmapper forecast``."""
    stream = load_input(args.file)
    from vsmapper.analysis.forecast import forecast_json, forecast_text

    if args.json:
        report = forecast_json(stream, args.trials, args.seed, args.scenario)
        print(json_text(report))
    else:
        print(forecast_text(stream, args.trials, args.seed, args.scenario))
    return EXIT_OK


def _check_not_the_input(source: str, out: str) -> None:
    """A command never writes over its own input."""
    if Path(out).resolve() == Path(source).resolve():
        raise UsageError(f"{out}: is the input file; write the output to another file")


def run_export(args: argparse.Namespace) -> int:
    """``vsmapper export``: the format is the extension of OUT."""
    from vsmapper.io.exports import (
        EXPORT_SUFFIXES,
        PICTURE_SUFFIXES,
        export_data,
        export_suffix,
        future_state,
    )

    suffix = export_suffix(args.out)
    if suffix is None:
        raise UsageError(
            f"{args.out}: cannot export to '{Path(args.out).suffix or args.out}'; "
            f"OUT must end in {', '.join(EXPORT_SUFFIXES)}"
        )
    if args.notes and suffix != ".csv":
        raise UsageError(f"{args.out}: --notes writes the improvement plan to a .csv file")
    _check_not_the_input(args.file, args.out)
    stream, label = future_state(load_input(args.file), args.scenario)
    if suffix in PICTURE_SUFFIXES:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from vsmapper.ui.documents import export_picture

        export_picture(stream, args.out, label, args.scale)
    else:
        export_data(stream, args.out, label, notes=args.notes)
    return EXIT_OK


def run_import(args: argparse.Namespace) -> int:
    """``vsmapper import``: a spreadsheet or CSV file to a map file."""
    from vsmapper.io.mapfile import MAP_SUFFIX, save_map
    from vsmapper.io.spreadsheet import IMPORT_SUFFIXES, import_spreadsheet

    if not args.input.lower().endswith(IMPORT_SUFFIXES):
        raise UsageError(f"{args.input}: import reads {' or '.join(IMPORT_SUFFIXES)} files")
    if not args.out.lower().endswith(MAP_SUFFIX):
        raise UsageError(f"{args.out}: import writes a map file; name it *{MAP_SUFFIX}")
    _check_not_the_input(args.input, args.out)
    notices: list[str] = []
    stream = import_spreadsheet(
        args.input, args.hours_per_day, args.days_per_week, args.demand_per_week, notices
    )
    warn([f"{args.input}: {notice}" for notice in notices])
    save_map(stream, args.out)
    return EXIT_OK


def run_survey(args: argparse.Namespace) -> int:
    """``vsmapper survey``: serve an estimate round, then print and write its merge."""
    import time

    from vsmapper.io.mapfile import MAP_SUFFIX, save_map
    from vsmapper.model.document import Document
    from vsmapper.workshop.merge import apply_merge
    from vsmapper.workshop.report import merge_text
    from vsmapper.workshop.server import SurveyRound

    if args.out is not None:
        if not args.out.lower().endswith(MAP_SUFFIX):
            raise UsageError(f"{args.out}: --out writes a map file; name it *{MAP_SUFFIX}")
        _check_not_the_input(args.file, args.out)
    stream = load_input(args.file)
    try:
        survey = SurveyRound(stream, host=args.host, port=args.port)
    except OSError as exc:
        raise VSMapperError(
            f"{args.host}:{args.port}: cannot serve there ({exc.strerror or exc})"
        ) from None
    survey.start()
    print(survey.address, flush=True)
    deadline = None if args.minutes is None else time.monotonic() + args.minutes * 60
    try:
        while (args.responses is None or survey.responses < args.responses) and (
            deadline is None or time.monotonic() < deadline
        ):
            time.sleep(0.1)
    except KeyboardInterrupt:
        pass
    finally:
        survey.stop()
    merge = survey.merge()
    if args.json:
        print(json_text(merge.to_json()))
    else:
        print(merge_text(merge))
    if args.out is not None:
        document = Document(stream)
        apply_merge(document, merge)
        save_map(document.stream, args.out)
    return EXIT_OK


def run_app(args: argparse.Namespace) -> int:
    """Open the desktop app, or render it to a PNG with ``--screenshot``."""
    if args.screenshot:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from vsmapper.ui.app import run

    return run(args.file, screenshot=args.screenshot)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    is_subcommand = bool(argv) and argv[0] in SUBCOMMANDS
    try:
        if is_subcommand:
            args = build_parser().parse_args(argv)
            runner = {
                "analyze": run_analyze,
                "forecast": run_forecast,
                "export": run_export,
                "import": run_import,
                "survey": run_survey,
            }[args.command]
        else:
            args = build_app_parser().parse_args(argv)
            runner = run_app
        return runner(args)
    except UsageError as exc:
        return _fail(str(exc), EXIT_USAGE)
    except VSMapperError as exc:
        return _fail(str(exc), EXIT_INVALID, exc.details[:20])
    except KeyboardInterrupt:
        return _fail("interrupted", 130)
    except BrokenPipeError:
        return EXIT_OK


def _fail(message: str, code: int, details: Sequence[str] = ()) -> int:
    print(f"vsmapper: error: {message}", file=sys.stderr)
    for line in details:
        print(f"  {line}", file=sys.stderr)
    return code
