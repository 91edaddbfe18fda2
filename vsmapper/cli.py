"""The ``vsmapper`` command: the desktop app by default, and headless subcommands."""

from __future__ import annotations

import argparse
import errno
import io
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from vsmapper import RESOURCES, __version__
from vsmapper.cli_args import (
    STANDARD_STREAM,
    UsageError,
    add_calendar,
    add_map_input,
    add_scenario,
    given,
    names_standard_output,
    number,
    report_out_file,
)
from vsmapper.errors import VSMapperError, quoted
from vsmapper.history import cli as history_cli
from vsmapper.jsonout import json_text
from vsmapper.pydantic_plugins import skip_pydantic_plugin_search

if TYPE_CHECKING:
    from vsmapper.model.stream import ValueStream

EXIT_OK, EXIT_USAGE, EXIT_INVALID = 0, 2, 3
SUBCOMMANDS = ("analyze", "forecast", "export", "import", "survey", "measure")
EXPORT_FORMATS = ("xlsx", "csv", "png", "svg", "pdf", "vsm.json")
TEXT_FORMATS = ("csv", "vsm.json")
"""The formats a command writes to standard output; the others are binary files."""
MAX_TRIALS = 1_000_000
MAX_SCALE = 20.0


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Help that shows an option's default, unless it is "none" (the help says what then) or
    the help already says it, as people write it ("1600x1000", not "(1600, 1000)")."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default in (None, False, argparse.SUPPRESS) or "(default" in (action.help or ""):
            return action.help
        return super()._get_help_string(action)


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit code 2; options show defaults."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')")

    def _parse_optional(self, arg_string: str) -> Any:
        # '-.csv' names standard output in a format; it is an argument, not an option.
        if arg_string.startswith(STANDARD_STREAM + "."):
            return None
        return super()._parse_optional(arg_string)


def example_map_path() -> Path:
    """The bundled "Idea to production" example map."""
    return RESOURCES / "examples" / "idea-to-production.vsm.json"


def warn(notices: Sequence[str]) -> None:
    """Print how an input was read, one ``vsmapper: warning:`` line each, on standard error."""
    for notice in notices:
        print(f"vsmapper: warning: {notice}", file=sys.stderr)


def load_input(path: str) -> ValueStream:
    """Read a map from ``.vsm.json``, ``.csv`` or ``.xlsx``, or ``-``: a map on standard input."""
    from vsmapper.io.mapfile import IMPORT_SUFFIXES, load_map, read_map_stream

    if path == STANDARD_STREAM:
        return read_map_stream(sys.stdin.buffer, "standard input")
    if path.lower().endswith(IMPORT_SUFFIXES):
        from vsmapper.io.spreadsheet import import_spreadsheet

        notices: list[str] = []
        stream = import_spreadsheet(path, notices=notices)
        warn([f"{path}: {notice}" for notice in notices])
        return stream
    return load_map(path)


def build_parser() -> Parser:
    """Parsers for the subcommands of docs/command-line.md."""
    parser = Parser(prog="vsmapper", description="Value stream maps for software delivery.")
    parser.add_argument("--version", action="version", version=f"vsmapper {__version__}")
    commands = parser.add_subparsers(dest="command", parser_class=Parser, metavar="COMMAND")

    analyze = commands.add_parser(
        "analyze", help="print lead time, flow efficiency, the constraint"
    )
    add_map_input(analyze)
    add_scenario(analyze)
    analyze.add_argument("--json", action="store_true", help="print JSON instead of a table")

    forecast = commands.add_parser("forecast", help="Monte Carlo lead-time forecast")
    add_map_input(forecast, optional=True)
    add_scenario(forecast)
    forecast.add_argument(
        "--trials",
        type=number(int, 1, MAX_TRIALS),
        default=10_000,
        metavar="N",
        help=f"simulated items, 1 to {MAX_TRIALS:,}",
    )
    forecast.add_argument(
        "--seed",
        type=number(int, 0),
        default=None,
        metavar="S",
        help="seed for a repeatable run (default: a fresh one, printed with the result)",
    )
    forecast.add_argument("--json", action="store_true", help="print JSON instead of text")
    history_cli.add_forecast_arguments(forecast)

    export = commands.add_parser("export", help="write .xlsx, .csv, .png, .svg, .pdf or .vsm.json")
    add_map_input(export)
    export.add_argument(
        "out",
        metavar="OUT",
        help="the file to write, its extension the format; '-.csv' or '-.vsm.json' "
        "(or '-' with --format) writes to standard output",
    )
    export.add_argument(
        "--format",
        choices=EXPORT_FORMATS,
        default=None,
        help="the format written to '-' (required there; a file's format is its extension)",
    )
    add_scenario(
        export,
        "the map as this scenario makes it (default: the map as it is); a workbook holds "
        "today's map with every scenario and names this one",
    )
    export.add_argument(
        "--scale",
        type=number(float, 0.1, MAX_SCALE),
        default=2.0,
        metavar="S",
        help=f"pixels per map unit of a PNG, 0.1 to {MAX_SCALE:g}",
    )
    export.add_argument(
        "--notes",
        action="store_true",
        help="with OUT.csv: write the improvement plan (pain points, kaizen bursts)",
    )

    convert = commands.add_parser("import", help="convert a spreadsheet or CSV to a map file")
    convert.add_argument("input", metavar="IN", help=".xlsx or .csv")
    convert.add_argument(
        "out", metavar="OUT.vsm.json", help="the map file to write; '-' writes to standard output"
    )
    add_calendar(convert, over="the sheet's Settings")
    convert.add_argument(
        "--demand-per-week",
        type=number(float, 0),
        metavar="N",
        help="items a week, over the sheet's Settings (else none)",
    )

    survey = commands.add_parser(
        "survey", help="run an estimate round: participants answer from their phones"
    )
    survey.add_argument("file", metavar="MAP", help="the map whose stages are asked")
    survey.add_argument(
        "--out",
        type=report_out_file,
        metavar="OUT.vsm.json",
        help="write the map with the merge (default: print the merge only)",
    )
    survey.add_argument(
        "--host",
        type=given,
        default="127.0.0.1",
        metavar="H",
        help="the address participants connect to",
    )
    survey.add_argument(
        "--port",
        type=number(int, 0, 65535),
        default=0,
        metavar="P",
        help="the port to serve on; 0 picks a free one",
    )
    survey.add_argument(
        "--responses",
        type=number(int, 1),
        metavar="N",
        help="stop after N participants (default: no limit)",
    )
    survey.add_argument(
        "--minutes",
        type=number(float, 0),
        metavar="M",
        help="stop after M minutes (default: until Ctrl+C or N answers)",
    )
    survey.add_argument("--json", action="store_true", help="print the merge as JSON")

    history_cli.add_measure_parser(commands)
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
    parser.add_argument(
        "--size",
        type=window_size,
        default=DEFAULT_SCREENSHOT_SIZE,
        metavar="WxH",
        help="the window's size for --screenshot, in pixels (default 1600x1000)",
    )
    parser.add_argument(
        "--presentation", action="store_true", help="render presentation mode for --screenshot"
    )
    return parser


DEFAULT_SCREENSHOT_SIZE = (1600, 1000)
LEAST_WINDOW, MOST_WINDOW = 200, 8000


def window_size(text: str) -> tuple[int, int]:
    """``WxH`` in pixels, each side from 200 to 8000."""
    width, separator, height = text.lower().partition("x")
    if not (separator and width.strip().isdigit() and height.strip().isdigit()):
        raise argparse.ArgumentTypeError(f"'{text}' is not a size (try 1280x720)")
    size = int(width), int(height)
    if not all(LEAST_WINDOW <= side <= MOST_WINDOW for side in size):
        raise argparse.ArgumentTypeError(
            f"'{text}': each side must be {LEAST_WINDOW} to {MOST_WINDOW} pixels"
        )
    return size


def load_with_scenario(args: argparse.Namespace) -> ValueStream:
    """``load_input`` of ``args.file``, refusing a ``--scenario`` the map lacks with the
    file's name first, as every error about a file says it."""
    stream = load_input(args.file)
    if args.scenario is not None:
        from vsmapper.analysis import find_scenario

        try:
            find_scenario(stream, args.scenario)
        except VSMapperError as error:
            source = "standard input" if args.file == STANDARD_STREAM else args.file
            raise VSMapperError(f"{source}: {error}") from None
    return stream


def run_analyze(args: argparse.Namespace) -> int:
    """``vsmapper analyze``."""
    stream = load_with_scenario(args)
    from vsmapper.analysis.report import analysis_json, analysis_text

    if args.json:
        print(json_text(analysis_json(stream, args.scenario)))
    else:
        print(analysis_text(stream, args.scenario))
    return EXIT_OK


def run_forecast(args: argparse.Namespace) -> int:
    """``vsmapper forecast``."""
    if args.from_history is not None:
        return history_cli.run_forecast_from_history(args)
    if args.file is None or args.items is not None or args.by is not None:
        raise UsageError("forecast needs FILE; --items and --by go with --from-history LOG")
    stream = load_with_scenario(args)
    from vsmapper.analysis.forecast import forecast_json, forecast_text

    if args.json:
        report = forecast_json(stream, args.trials, args.seed, args.scenario)
        print(json_text(report))
    else:
        print(forecast_text(stream, args.trials, args.seed, args.scenario))
    return EXIT_OK


def _check_not_the_input(source: str, out: str) -> None:
    """A command never writes over its own input."""
    if STANDARD_STREAM in (source, out):
        return
    # realpath, not resolve: a link that loops is no input to write over, not a traceback.
    if os.path.realpath(out) == os.path.realpath(source):
        raise UsageError(f"{out}: is the input file; write the output to another file")


def _export_suffix(out: str, given: str | None, notes: bool = False) -> str:
    """The extension of the format to write: ``--format``, else OUT's own."""
    from vsmapper.io.exports import EXPORT_SUFFIXES, export_suffix

    if out == STANDARD_STREAM and given is None:
        raise UsageError(
            "OUT '-' is standard output: give its format with --format "
            f"{' or --format '.join(TEXT_FORMATS)}, or write '-.csv' or '-.vsm.json'"
        )
    suffix = f".{given}" if out == STANDARD_STREAM else export_suffix(out)
    if given is not None and suffix is not None and suffix != f".{given}":
        raise UsageError(f"{out}: is not a .{given} file name; --format {given} is for '-'")
    if suffix is None:
        raise UsageError(
            f"{out}: cannot export to '{Path(out).suffix or out}'; "
            f"OUT must end in {', '.join(EXPORT_SUFFIXES)}"
        )
    if names_standard_output(out) and suffix.removeprefix(".") not in TEXT_FORMATS:
        raise UsageError(
            f"{suffix.removeprefix('.')} is a binary file; standard output takes "
            f"{' or '.join(TEXT_FORMATS)} only, so name a file for it"
        )
    if notes and suffix != ".csv":
        raise UsageError(f"{out}: --notes writes the improvement plan to a .csv file")
    return suffix


def _write_text(text: str) -> None:
    """Text to standard output, as UTF-8 whatever the terminal's encoding."""
    sys.stdout.flush()
    sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.buffer.flush()


def run_export(args: argparse.Namespace) -> int:
    """``vsmapper export``: the format is ``--format``, else the extension of OUT."""
    from vsmapper.io.exports import (
        DATA_SUFFIXES,
        PICTURE_SUFFIXES,
        export_data,
        future_state,
        written_map,
    )
    from vsmapper.io.mapfile import MAP_SUFFIX

    suffix = _export_suffix(args.out, args.format, args.notes)
    _check_not_the_input(args.file, args.out)
    original = load_with_scenario(args)
    if suffix in DATA_SUFFIXES and not names_standard_output(args.out):
        export_data(original, args.out, args.scenario, notes=args.notes)
        return EXIT_OK
    # A picture shows an overloaded map as the window does; a report needs its figures.
    picture = suffix in PICTURE_SUFFIXES and suffix != ".pdf"
    stream, label, queues = future_state(original, args.scenario, unbounded=picture)
    if names_standard_output(args.out):
        from vsmapper.io.csv_export import csv_text, plan_csv_text
        from vsmapper.io.mapfile import dump_map

        if suffix == MAP_SUFFIX:
            _write_text(dump_map(written_map(stream, label)))
        else:
            _write_text(plan_csv_text(stream) if args.notes else csv_text(stream))
    elif suffix in PICTURE_SUFFIXES:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from vsmapper.ui.documents import export_picture
        from vsmapper.ui.units import use_display_unit

        use_display_unit("auto")
        export_picture(stream, args.out, label, args.scale, compared=original, queues=queues)
    return EXIT_OK


def run_import(args: argparse.Namespace) -> int:
    """``vsmapper import``: a spreadsheet or CSV file to a map file."""
    from vsmapper.io.mapfile import IMPORT_SUFFIXES, MAP_SUFFIX, dump_map, save_map
    from vsmapper.io.spreadsheet import import_spreadsheet

    if not args.input.lower().endswith(IMPORT_SUFFIXES):
        raise UsageError(f"{args.input}: import reads {' or '.join(IMPORT_SUFFIXES)} files")
    if args.out != STANDARD_STREAM and not args.out.lower().endswith(MAP_SUFFIX):
        raise UsageError(f"{args.out}: import writes a map file; name it *{MAP_SUFFIX} or '-'")
    _check_not_the_input(args.input, args.out)
    notices: list[str] = []
    stream = import_spreadsheet(
        args.input, args.hours_per_day, args.days_per_week, args.demand_per_week, notices
    )
    warn([f"{args.input}: {notice}" for notice in notices])
    if args.out == STANDARD_STREAM:
        _write_text(dump_map(stream))
    else:
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
        print(merge_text(merge, stream))
    if args.out is not None:
        document = Document(stream)
        apply_merge(document, merge)
        save_map(document.stream, args.out)
    return EXIT_OK


def run_app(args: argparse.Namespace) -> int:
    """Open the desktop app, or render it to a PNG with ``--screenshot``."""
    if not args.screenshot and (args.presentation or args.size != DEFAULT_SCREENSHOT_SIZE):
        raise UsageError("--size and --presentation go with --screenshot (see 'vsmapper --help')")
    if not args.screenshot:
        from vsmapper.ui.start import run

        return run(args.file)
    if not args.screenshot.lower().endswith(".png"):
        raise UsageError(f"{args.screenshot}: --screenshot writes a picture; name it *.png")
    _check_not_the_input(args.file or str(example_map_path()), args.screenshot)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from vsmapper.io.collector import collection_paused

    with collection_paused():
        from vsmapper.ui.app import render_screenshot

        file = Path(args.file) if args.file else None
        render_screenshot(Path(args.screenshot), file, args.size, args.presentation)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    skip_pydantic_plugin_search()
    argv = list(sys.argv[1:] if argv is None else argv)
    is_subcommand = bool(argv) and argv[0] in SUBCOMMANDS
    if is_subcommand and sys.stdout is None:
        # Closed before the start: print() would drop a command's output without a word.
        # (Not the app's: a bundle without a console has no standard output at all.)
        sys.stdout = _ClosedOutput()
    try:
        if not is_subcommand:
            _refuse_a_misspelt_command(argv)
        if is_subcommand:
            args, extra = build_parser().parse_known_args(argv)
            if extra:
                # Said by the top parser, it pointed at 'vsmapper --help', not the command's.
                raise UsageError(
                    f"unrecognized arguments: {' '.join(extra)} "
                    f"(see 'vsmapper {args.command} --help')"
                )
            runner = {
                "analyze": run_analyze,
                "forecast": run_forecast,
                "export": run_export,
                "import": run_import,
                "survey": run_survey,
                "measure": history_cli.run_measure,
            }[args.command]
        else:
            args = build_app_parser().parse_args(argv)
            runner = run_app
        code = runner(args)
        sys.stdout.flush()
        return code
    except UsageError as exc:
        return _fail(str(exc), EXIT_USAGE)
    except VSMapperError as exc:
        return _fail(str(exc), EXIT_INVALID, exc.details[:20])
    except KeyboardInterrupt:
        return _fail("interrupted", 130)
    except BrokenPipeError:
        return EXIT_OK
    except OSError as exc:
        # Files are read and saved with errors of their own: what is left is standard output.
        _discard_standard_output()
        return _fail(f"standard output: cannot be written ({exc.strerror or exc})", EXIT_INVALID)


def _refuse_a_misspelt_command(argv: Sequence[str]) -> None:
    """``vsmapper analyse`` is a misspelt command, not a map for the app to open."""
    if not argv or argv[0].startswith("-") or Path(argv[0]).exists():
        return
    import difflib

    close = difflib.get_close_matches(argv[0], SUBCOMMANDS, n=1, cutoff=0.7)
    if close:
        raise UsageError(f"unknown command {quoted(argv[0])}; did you mean '{close[0]}'?")


class _ClosedOutput(io.TextIOBase):
    """Standard output closed before VSMapper started: writing to it fails as to a closed file."""

    def write(self, text: object) -> int:
        raise OSError(errno.EBADF, "it is closed")

    @property
    def buffer(self) -> _ClosedOutput:
        """Bytes written fail as text does."""
        return self


def _discard_standard_output() -> None:
    """Drop what standard output still holds, which the interpreter's last flush would retry."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass  # standard output that is no file (captured, or closed) holds nothing to retry


def _fail(message: str, code: int, details: Sequence[str] = ()) -> int:
    if sys.stderr is None:  # closed too: the exit code says it
        return code
    print(f"vsmapper: error: {message}", file=sys.stderr)
    for line in details:
        print(f"  {line}", file=sys.stderr)
    return code
