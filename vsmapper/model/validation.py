"""Turn pydantic's validation errors into messages that name the place and the fix."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from vsmapper.errors import VSMapperError, printable, quoted
from vsmapper.model.duration import format_number
from vsmapper.model.stream import NOT_BLANK


def place_of(loc: tuple[int | str, ...], data: Any) -> str:
    """``('stages', 3, 'pca')`` as ``stages[3] 'Code review'.pca`` (or, without a name, by
    its id: ``stages[3] (id 'review').name``)."""
    text = ""
    node = data
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            if isinstance(node, dict) and isinstance(node.get("name"), str):
                text += f" {quoted(node['name'])}"
            elif isinstance(node, dict) and isinstance(node.get("id"), str):
                text += f" (id {quoted(node['id'])})"
        else:
            shown = printable(part)
            text += f".{shown}" if text else shown
            node = node.get(part) if isinstance(node, dict) else None
    return text


def _number(value: Any) -> str:
    """A bound as a message gives it: ``1,000,000`` rather than ``1000000``."""
    if isinstance(value, int | float) and 10_000 <= abs(value) < 1e16 and value == int(value):
        return f"{int(value):,}"
    if isinstance(value, float) and 0 < abs(value) < 1e-6:
        return repr(value)
    return format_number(value) if isinstance(value, int | float) else str(value)


_JSON_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")


def _reads_as_number(text: str) -> bool:
    """Whether quoted text is a JSON number, as ``"0.9"`` is (and ``"1_000"`` is not)."""
    return _JSON_NUMBER.fullmatch(text.strip()) is not None


def as_written(value: Any) -> str:
    """A value of a map file as a message quotes it: null, true and false as JSON spells them."""
    if isinstance(value, str):
        return quoted(value)
    # As the file spells them: a message about a map file that said "None" named no value.
    if value is None or isinstance(value, bool | list | dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return _number(value) if isinstance(value, int | float) else str(value)


def _describe(error: ErrorDetails) -> str:
    kind, ctx, value = error["type"], error.get("ctx") or {}, error.get("input")
    shown = as_written(value)
    match kind:
        case "missing":
            return "is required"
        case "extra_forbidden" | "unexpected_keyword_argument":
            return "unknown key (check its spelling against the VSMapper file format)"
        case "literal_error":
            return f"{shown} is not allowed; use {ctx.get('expected')}"
        case "greater_than":
            return f"{shown} is out of range; it must be greater than {_number(ctx['gt'])}"
        case "greater_than_equal":
            return f"{shown} is out of range; it must be {_number(ctx['ge'])} or more"
        case "less_than_equal":
            return f"{shown} is out of range; it must be {_number(ctx['le'])} or less"
        case "finite_number":
            # JSON has no NaN or infinity: an infinity was a number of hundreds of digits.
            if isinstance(value, float) and math.isinf(value):
                return "is far too large a number"
            return "must be a finite number, not NaN or infinity"
        case "float_parsing" | "float_type" | "int_type" | "int_parsing":
            if isinstance(value, str) and _reads_as_number(value):
                return f"{shown} is text, not a number; write it without quotes"
            return f"{shown} is not a number"
        case "string_type":
            # Quotes turn a number into text; around null or a list they make nonsense.
            number = isinstance(value, int | float) and not isinstance(value, bool)
            quotes = "; put it in quotes" if number else ""
            return f"{shown} is not text{quotes}"
        case "string_too_short":
            return "is empty"
        case "string_pattern_mismatch":
            if ctx.get("pattern") == NOT_BLANK:
                return "is blank; give it a name"
            return f"{shown} is not a valid id (use letters, digits, '_', '.' or '-')"
        case "string_unicode":
            return "holds a lone surrogate, which cannot be saved; retype the text"
        case "string_too_long":
            return f"is too long (at most {ctx.get('max_length')} characters)"
        case kind if kind.startswith("date"):
            return f"{shown} is not a date; write it as YYYY-MM-DD, e.g. 2026-12-31"
        case "list_type" | "tuple_type":
            return "should be a list [...]"
        case "model_type" | "dict_type" | "model_attributes_type" | "dataclass_type":
            return "should be an object {...}"
        case "value_error" | "assertion_error":
            return str(ctx.get("error", error["msg"]))
    return str(error["msg"])


def validation_messages(exc: ValidationError, data: Any = None) -> list[str]:
    """One message per error, each naming its place; tuple-member noise is dropped."""
    messages: list[str] = []
    for error in exc.errors(include_url=False):
        loc = tuple(
            part
            for part in error["loc"]
            if part not in ("function-after", "function-before", "[key]")
        )
        place = place_of(loc, data)
        message = _describe(error)
        messages.append(f"{place}: {message}" if place else message)
    return list(dict.fromkeys(messages))


def user_error(exc: ValidationError, data: Any = None, prefix: str = "") -> VSMapperError:
    """A ``VSMapperError`` naming the first problem found."""
    messages = validation_messages(exc, data)
    return VSMapperError(f"{prefix}{messages[0]}" if messages else f"{prefix}invalid")
