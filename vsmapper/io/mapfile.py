"""Load and save ``.vsm.json`` map files."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from vsmapper.errors import VSMapperError
from vsmapper.io.atomic import write_atomically
from vsmapper.model.stream import FORMAT_NAME, FORMAT_VERSION, ValueStream
from vsmapper.model.validation import user_error

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_NESTING = 32
MAP_SUFFIX = ".vsm.json"


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not allowed; numbers must be finite")


def _nesting_depth(value: Any) -> int:
    """How deeply arrays and objects nest, without recursion."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        node, depth = pending.pop()
        if isinstance(node, dict | list):
            deepest = max(deepest, depth)
            if deepest > MAX_NESTING:
                return deepest
            children = node.values() if isinstance(node, dict) else node
            pending.extend((child, depth + 1) for child in children)
    return deepest


def parse_map_text(text: str, source: str = "map") -> ValueStream:
    """A validated map from the text of a ``.vsm.json`` file."""
    if not text.strip():
        raise VSMapperError(f"{source}: the file is empty; a map file is a JSON object")
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise VSMapperError(f"{source}: nested too deeply to be a map file") from None
    except ValueError as exc:
        raise VSMapperError(f"{source}: not valid JSON ({exc})") from None
    if _nesting_depth(data) > MAX_NESTING:
        raise VSMapperError(
            f"{source}: nested too deeply to be a map file (more than {MAX_NESTING} levels)"
        )
    return map_from_data(data, source)


def map_from_data(data: Any, source: str = "map") -> ValueStream:
    """A validated map from parsed JSON data, refusing other formats and newer versions."""
    if not isinstance(data, dict):
        raise VSMapperError(
            f'{source}: not a VSMapper map (expected a JSON object with "format": "{FORMAT_NAME}")'
        )
    if data.get("format") != FORMAT_NAME:
        raise VSMapperError(
            f"{source}: format: not a VSMapper map "
            f'(expected "format": "{FORMAT_NAME}", found {data.get("format")!r})'
        )
    version = data.get("version")
    if isinstance(version, int) and not isinstance(version, bool) and version > FORMAT_VERSION:
        raise VSMapperError(
            f"{source}: version: made by a newer VSMapper (file version "
            f"{version}; this one reads version {FORMAT_VERSION}); update VSMapper"
        )
    if version not in range(1, FORMAT_VERSION + 1) or isinstance(version, bool):
        raise VSMapperError(
            f"{source}: version: {version!r} is not a map file version "
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
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise VSMapperError(
                f"{path}: the file is {size / 2**20:.0f} MB; map files over "
                f"{MAX_FILE_BYTES // 2**20} MB are refused"
            )
        raw = path.read_bytes()
    except FileNotFoundError:
        raise VSMapperError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise VSMapperError(f"{path}: is a folder, not a map file") from None
    except OSError as exc:
        raise VSMapperError(f"{path}: cannot be read ({exc.strerror})") from None
    if b"\x00" in raw[:8192]:
        raise VSMapperError(f"{path}: a binary file, not a map file (.vsm.json text)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise VSMapperError(f"{path}: not UTF-8 text; a map file is UTF-8 JSON") from None
    return parse_map_text(text, str(path))


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


def map_to_data(stream: ValueStream) -> dict[str, Any]:
    """The file's JSON data: fixed key order, stages in the user's order.

    A map that uses no version-2 key is written as version 1 without those keys, so
    older VSMapper releases still read it.
    """
    data = _tidy(stream.model_dump(mode="json", by_alias=True))
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
    return data


def dump_map(stream: ValueStream) -> str:
    """The text of a ``.vsm.json`` file: two-space indent and a final newline."""
    return json.dumps(map_to_data(stream), indent=2, ensure_ascii=False) + "\n"


def save_map(stream: ValueStream, path: str | os.PathLike[str]) -> None:
    """Write a map file atomically; the old file stays intact if anything fails."""
    try:
        write_atomically(path, dump_map(stream).encode("utf-8"))
    except OSError as exc:
        raise VSMapperError(f"{path}: cannot be saved ({exc.strerror or exc})") from None
