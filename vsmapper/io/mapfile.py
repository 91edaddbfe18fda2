"""Load and save ``.vsm.json`` map files."""

from __future__ import annotations

import codecs
import json
import os
import re
from pathlib import Path
from typing import Any, BinaryIO

import jiter
from pydantic import ValidationError

from vsmapper.errors import VSMapperError, quoted, read_error
from vsmapper.io.atomic import write_atomically
from vsmapper.io.bounded import read_bounded
from vsmapper.io.collector import collection_paused
from vsmapper.model.stream import FORMAT_NAME, FORMAT_VERSION, ValueStream
from vsmapper.model.validation import as_written, place_of, user_error

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_NESTING = 32
MAP_SUFFIX = ".vsm.json"
IMPORT_SUFFIXES = (".xlsx", ".csv")
"""The spreadsheet files a map is imported from (``vsmapper.io.spreadsheet``)."""


LONGEST_EXACT_INTEGER = 15
"""Digits an integer may have and still be read exactly; longer ones are read as floats."""
_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _may_hold_surrogates(text: str) -> bool:
    """Whether the text may hold a lone surrogate, as itself or as a JSON escape."""
    if "\\u" in text and _SURROGATE_ESCAPE.search(text):
        return True
    if text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not allowed; numbers must be finite")


def _integer(text: str) -> int | float:
    """A JSON integer; one too long for any count is read as a float, so bounds refuse it."""
    digits = text.lstrip("-")
    return int(text) if len(digits) <= LONGEST_EXACT_INTEGER else float(text)


class _Object(dict[str, Any]):
    """A JSON object that remembers the first key it was given twice."""

    duplicate: str | None = None


class _Duplicates:
    """An ``object_pairs_hook`` that notes whether any object of one parse repeats a key."""

    def __init__(self) -> None:
        self.found = False

    def __call__(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        found = dict(pairs)
        if len(found) < len(pairs):
            self.found = True
            return _object(pairs)
        return found


def _object(pairs: list[tuple[str, Any]]) -> _Object:
    found = _Object(pairs)
    if len(found) < len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                found.duplicate = key
                break
            seen.add(key)
    return found


def _tree_problem(data: Any) -> str | None:
    """The first duplicate key, unsavable text or excess nesting, named by its place.

    Walked without recursion, so no nesting depth can overflow the stack.
    """
    pending: list[tuple[Any, tuple[int | str, ...]]] = [(data, ())]
    while pending:
        node, loc = pending.pop()
        if len(loc) >= MAX_NESTING and isinstance(node, dict | list):
            return f"nested too deeply to be a map file (more than {MAX_NESTING} levels)"
        if isinstance(node, str):
            found = _SURROGATE.search(node)
            if found:
                return (
                    f"{place_of(loc, data) or 'the file'}: text holds a lone surrogate "
                    f"(\\u{ord(found.group()):04x}) at character {found.start() + 1}, which "
                    "cannot be saved; remove it or retype the text"
                )
        elif isinstance(node, dict):
            if isinstance(node, _Object) and node.duplicate is not None:
                where = place_of(loc, data)
                key = quoted(node.duplicate)
                return (
                    f"{where + ': ' if where else ''}the key {key} is given twice; "
                    "keep one (otherwise the last would silently win)"
                )
            for key, child in node.items():
                pending.append((key, (*loc, key)))
                pending.append((child, (*loc, key)))
        elif isinstance(node, list):
            pending.extend((child, (*loc, index)) for index, child in enumerate(node))
    return None


def parse_map_text(text: str, source: str = "map") -> ValueStream:
    """A validated map from the text of a ``.vsm.json`` file."""
    with collection_paused():
        # Lone surrogates pass the encoding, and jiter refuses them.
        stream = _quickly_read(text.encode("utf-8", "surrogatepass"), source)
        return stream if stream is not None else _carefully_read(text, source)


def _quickly_read(raw: bytes, source: str) -> ValueStream | None:
    """The map, if its text is valid JSON without a repeated key and a valid map; else None.

    jiter parses in Rust and refuses repeated keys itself, so no Python runs per object;
    it also refuses text that is not UTF-8, NaN, infinities and lone surrogates. Any
    refusal or error leaves the file to the careful reading, which decides as it always has
    and names the problem and its place (jiter reads a 400-digit integer as one, which that
    reading makes a float).
    """
    try:
        data = jiter.from_json(
            raw, allow_inf_nan=False, catch_duplicate_keys=True, cache_mode="keys"
        )
        return map_from_data(data, source)
    except Exception:  # whatever it is, the careful reading reports it
        return None


def _carefully_read(text: str, source: str) -> ValueStream:
    """``parse_map_text`` for text the quick reading refused: names the problem and its place."""
    if not text.strip():
        raise VSMapperError(f"{source}: the file is empty; a map file is a JSON object")
    surrogates = _may_hold_surrogates(text)
    duplicates = _Duplicates()
    try:
        data = json.loads(
            text, parse_constant=_refuse_constant, parse_int=_integer, object_pairs_hook=duplicates
        )
    except RecursionError:
        raise VSMapperError(f"{source}: nested too deeply to be a map file") from None
    except ValueError as exc:
        raise VSMapperError(f"{source}: not valid JSON ({exc})") from None
    # The walk over every value names the place of a problem; most files have none, and
    # one search of the text rules out lone surrogates. Too deep a nesting fails validation,
    # whose refusal walks the tree too.
    problem = _tree_problem(data) if duplicates.found or surrogates else None
    if problem:
        raise VSMapperError(f"{source}: {problem}")
    try:
        return map_from_data(data, source)
    except VSMapperError:
        problem = _tree_problem(data)
        if problem:
            raise VSMapperError(f"{source}: {problem}") from None
        raise


def map_from_data(data: Any, source: str = "map") -> ValueStream:
    """A validated map from parsed JSON data, refusing other formats and newer versions."""
    if not isinstance(data, dict):
        raise VSMapperError(
            f'{source}: not a VSMapper map (expected a JSON object with "format": "{FORMAT_NAME}")'
        )
    if data.get("format") != FORMAT_NAME:
        raise VSMapperError(
            f"{source}: format: not a VSMapper map "
            f'(expected "format": "{FORMAT_NAME}", found {as_written(data.get("format"))})'
        )
    version = data.get("version")
    if isinstance(version, int) and not isinstance(version, bool) and version > FORMAT_VERSION:
        raise VSMapperError(
            f"{source}: version: made by a newer VSMapper (file version "
            f"{version}; this one reads version {FORMAT_VERSION}); update VSMapper"
        )
    if version not in range(1, FORMAT_VERSION + 1) or isinstance(version, bool):
        raise VSMapperError(
            f"{source}: version: {as_written(version)} is not a map file version "
            f"(expected 1 to {FORMAT_VERSION})"
        )
    try:
        return ValueStream.model_validate(data)
    except ValidationError as exc:
        raise user_error(exc, data, prefix=f"{source}: ") from None


def load_map(path: str | os.PathLike[str]) -> ValueStream:
    """Read and validate a map file; any problem is one clear ``VSMapperError``."""
    path = Path(path)
    try:
        raw = read_bounded(path, MAX_FILE_BYTES, "map files")
    except FileNotFoundError:
        raise VSMapperError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise VSMapperError(f"{path}: is a folder, not a map file") from None
    except OSError as exc:
        raise read_error(path, exc) from None
    return parse_map_bytes(raw, str(path))


def read_map_stream(stream: BinaryIO, source: str) -> ValueStream:
    """A map read from an open binary stream such as standard input, with the file's limits."""
    raw = stream.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise VSMapperError(
            f"{source}: more than {MAX_FILE_BYTES // 2**20} MB; larger maps are refused"
        )
    return parse_map_bytes(raw, source)


_OTHER_UNICODE = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)
"""The byte-order marks of text a map file might be saved as instead of UTF-8."""


def parse_map_bytes(raw: bytes, source: str) -> ValueStream:
    """A validated map from the bytes of a ``.vsm.json`` file."""
    with collection_paused():
        stream = _quickly_read(raw.removeprefix(codecs.BOM_UTF8), source)
        if stream is not None:
            return stream
        # UTF-32's little-endian mark starts as UTF-16's does: asked first.
        for mark, encoding in _OTHER_UNICODE:
            if raw.startswith(mark):
                raise VSMapperError(
                    f"{source}: {encoding} text; a map file is UTF-8: save it as UTF-8"
                )
        if b"\x00" in raw[:8192]:
            raise VSMapperError(f"{source}: a binary file, not a map file (.vsm.json text)")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise VSMapperError(f"{source}: not UTF-8 text; a map file is UTF-8 JSON") from None
        return _carefully_read(text, source)


def _tidy(value: Any) -> Any:
    """Whole floats as integers, so ``8.0`` is written ``8``."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _tidy(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_tidy(item) for item in value]
    return value


VERSION_2_STAGE_KEYS = ("wait_kind",)
VERSION_2_OPPORTUNITY_KEYS = ("also",)
VERSION_2_MAP_KEYS = ("statuses", "notes")
OPTIONAL_NOTE_KEYS = {"effect": "", "scenario": None}
VERSION_2_OVERRIDE_KEYS = ("people", "availability")


def map_to_data(stream: ValueStream) -> dict[str, Any]:
    """The file's JSON data: fixed key order, stages in the user's order.

    A map that uses no version-2 key is written as version 1 without those keys, so
    older VSMapper releases still read it.
    """
    data = _tidy(stream.model_dump(mode="json", by_alias=True))
    for note in data["notes"]:
        for key, default in OPTIONAL_NOTE_KEYS.items():
            if note[key] == default:
                del note[key]
    if stream.needs_version_2():
        data["version"] = 2
        return data
    data["version"] = 1
    for key in VERSION_2_MAP_KEYS:
        del data[key]
    for stage in data["stages"]:
        for key in VERSION_2_STAGE_KEYS:
            del stage[key]
        for opportunity in stage["ai"]:
            for key in VERSION_2_OPPORTUNITY_KEYS:
                del opportunity[key]
    for scenario in data["scenarios"]:
        for override in scenario["overrides"].values():
            for key in VERSION_2_OVERRIDE_KEYS:
                del override[key]
    return data


def dump_map(stream: ValueStream) -> str:
    """The text of a ``.vsm.json`` file: two-space indent and a final newline."""
    return json.dumps(map_to_data(stream), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def save_map(stream: ValueStream, path: str | os.PathLike[str]) -> None:
    """Write a map file atomically; the old file stays intact if anything fails."""
    write_atomically(path, dump_map(stream).encode("utf-8"))
