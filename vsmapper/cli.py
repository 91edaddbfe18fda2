"""The ``vsmapper`` command: the desktop app by default, and headless subcommands."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from vsmapper import __version__
from vsmapper.errors import VSMapperError

if TYPE_CHECKING:
    from vsmapper.model.stream import ValueStream

EXIT_OK, EXIT_USAGE, EXIT_INVALID, EXIT_UNAVAILABLE = 0, 2, 3, 4
SUBCOMMANDS = ("analyze", "forecast", "export", "import")


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


def load_input(path: str) -> ValueStream:
    """Read a map from ``.vsm.json``, ``.csv`` or ``.xlsx``."""
    from vsmapper.io.mapfile import load_map

    lower = path.lower()
    if lower.endswith((".csv", ".xlsx")):
        raise NotYetAvailableError(
            f"{path}: reading spreadsheets arrives with spreadsheet import; "
            "this version reads .vsm.json maps only"
        )
    return load_map(path)


class NotYetAvailableError(Exception):
    """A feature this version does not have yet."""


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
    """Parsers for the subcommands of ``CONTRACT.md`` §3."""
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
    export.add_argument("file", metavar="FILE")
    export.add_argument("out", metavar="OUT")
    export.add_argument("--scenario", metavar="NAME")

    convert = commands.add_parser("import", help="convert a spreadsheet or CSV to a map file")
    convert.add_argument("input", metavar="IN")
    convert.add_argument("out", metavar="OUT.vsm.json")
    convert.add_argument("--hours-per-day", type=_number(float, 0), metavar="H")
    convert.add_argument("--days-per-week", type=_number(float, 0), metavar="D")
    convert.add_argument("--demand-per-week", type=_number(float, 0), metavar="N")
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
        print(json.dumps(analysis_json(stream, args.scenario), indent=2, ensure_ascii=False))
    else:
        print(analysis_text(stream, args.scenario))
    return EXIT_OK


def run_forecast(args: argparse.Namespace) -> int:
    """``vsmapper forecast``."""
    stream = load_input(args.file)
    from vsmapper.analysis.forecast import forecast_json, forecast_text

    if args.json:
        report = forecast_json(stream, args.trials, args.seed, args.scenario)
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        print(forecast_text(stream, args.trials, args.seed, args.scenario))
    return EXIT_OK


def run_export(args: argparse.Namespace) -> int:
    """``vsmapper export``."""
    stream = load_input(args.file)
    if args.out.lower().endswith(".vsm.json"):
        from vsmapper.io.mapfile import save_map

        if args.scenario:
            from vsmapper.analysis import apply_scenario, find_scenario

            stream = apply_scenario(stream, find_scenario(stream, args.scenario))
        save_map(stream, args.out)
        return EXIT_OK
    raise NotYetAvailableError(
        f"{args.out}: exporting to {Path(args.out).suffix or 'this format'} "
        "arrives with spreadsheet and document export; this version writes "
        ".vsm.json only"
    )


def run_import(args: argparse.Namespace) -> int:
    """``vsmapper import``."""
    raise NotYetAvailableError(
        "import of spreadsheets and CSV arrives with spreadsheet support; it is not in this version"
    )


def run_app(args: argparse.Namespace) -> int:
    """Open the desktop app, or render it to a PNG with ``--screenshot``."""
    try:
        from vsmapper.ui.app import run
    except ImportError as exc:
        raise NotYetAvailableError(
            f"the desktop editor is not in this version ({exc.name} is missing); "
            "use 'vsmapper analyze FILE'"
        ) from None
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
            }[args.command]
        else:
            args = build_app_parser().parse_args(argv)
            runner = run_app
        return runner(args)
    except UsageError as exc:
        return _fail(str(exc), EXIT_USAGE)
    except VSMapperError as exc:
        return _fail(str(exc), EXIT_INVALID, exc.details[:20])
    except NotYetAvailableError as exc:
        return _fail(str(exc), EXIT_UNAVAILABLE)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)
    except BrokenPipeError:
        return EXIT_OK


def _fail(message: str, code: int, details: Sequence[str] = ()) -> int:
    print(f"vsmapper: error: {message}", file=sys.stderr)
    for line in details:
        print(f"  {line}", file=sys.stderr)
    return code
