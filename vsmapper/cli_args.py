"""Arguments several ``vsmapper`` subcommands take, defined once: numbers within a range,
the map read, the scenario shown and the working calendar."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable

from vsmapper.errors import quoted

MAP_INPUT_HELP = ".vsm.json, .csv or .xlsx; '-' reads a map from standard input"
SCENARIO_HELP = "a scenario's name or id (default: the map as it is)"


STANDARD_STREAM = "-"
"""As FILE, a map read from standard input; as OUT, standard output."""


def names_standard_output(out: str) -> bool:
    """Whether OUT is ``-`` or ``-.csv``-like: standard output, in a format."""
    return out == STANDARD_STREAM or out.startswith(STANDARD_STREAM + ".")


def given(text: str) -> str:
    """An argument type: text that is not empty or blank, which would silently mean "none"."""
    if not text.strip():
        raise argparse.ArgumentTypeError(f"{quoted(text)} is empty; leave the option out instead")
    return text


def report_out_file(text: str) -> str:
    """An argument type: ``--out`` of a command that prints its report to standard output."""
    if names_standard_output(text):
        raise argparse.ArgumentTypeError(
            f"{quoted(text)} would be standard output, where the report goes; name a file"
        )
    return given(text)


class UsageError(Exception):
    """The command line itself is wrong (exit code 2)."""


def number(
    kind: type, low: float | None = None, high: float | None = None
) -> Callable[[str], float]:
    """An argument type: a finite ``kind`` number from ``low`` to ``high``."""

    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            what = "a whole number" if kind is int else "a number"
            raise argparse.ArgumentTypeError(f"{quoted(text)} is not {what}") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"{quoted(text)} is not a finite number")
        if low is not None and value < low:
            raise argparse.ArgumentTypeError(f"{text} is below {_plainly(low)}")
        if high is not None and value > high:
            raise argparse.ArgumentTypeError(f"{text} is above {_plainly(high)}")
        return value

    return parse


def _plainly(bound: float) -> str:
    """A bound as the docs write it: ``1,000,000`` (not ``1e+06``), ``65535``, ``0.1``."""
    if not float(bound).is_integer():
        return f"{bound:g}"
    return f"{int(bound):,}" if bound >= 100_000 else str(int(bound))


def add_map_input(parser: argparse.ArgumentParser, optional: bool = False) -> None:
    """``FILE``: the map a command reads."""
    parser.add_argument(
        "file", metavar="FILE", nargs="?" if optional else None, help=MAP_INPUT_HELP
    )


def add_scenario(parser: argparse.ArgumentParser, help: str = SCENARIO_HELP) -> None:
    """``--scenario NAME``: the map as one of its scenarios makes it."""
    parser.add_argument("--scenario", type=given, metavar="NAME", help=help)


def add_calendar(parser: argparse.ArgumentParser, over: str) -> None:
    """``--hours-per-day`` and ``--days-per-week``, which win over ``over``."""
    parser.add_argument(
        "--hours-per-day",
        type=number(float, 0.1, 24),
        metavar="H",
        help=f"working hours in a day, over {over} (else 8)",
    )
    parser.add_argument(
        "--days-per-week",
        type=number(float, 0.1, 7),
        metavar="D",
        help=f"working days in a week, Monday first, over {over} (else 5)",
    )
