"""The one exception type for problems a user can cause and fix, and how its text is shown."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(character: str) -> str:
    code = ord(character)
    if character in _NAMED:
        return _NAMED[character]
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


_UNSHOWN = frozenset({"Cc", "Cs", "Co", "Cn", "Zl", "Zp"})
"""Controls (a CR or an escape sequence could forge a line on a terminal), lone surrogates
(no encoder can write them), private and unassigned characters, line and paragraph
separators: shown as nothing, a box or a line break."""
_REORDERING = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""The bidirectional marks and overrides, which reorder the text after them."""


def _unshowable(character: str) -> bool:
    return character in _REORDERING or unicodedata.category(character) in _UNSHOWN


def printable(text: str) -> str:
    """``text`` with every character a terminal would misuse or not show written as an escape.

    Spaces of every kind and joiners stay: a no-break space from a spreadsheet, Japanese's
    ideographic space and an emoji's zero-width joiner are part of a name as typed.
    """
    if text.isprintable():
        return text
    return "".join(
        _escape(character) if _unshowable(character) else character for character in text
    )


def printable_lines(lines: Iterable[str]) -> str:
    """A text report's lines joined, each printable: text from a file that holds a line break
    or an escape sequence can neither forge a line nor drive the terminal."""
    return "\n".join(printable(line) for line in lines)


LONGEST_QUOTE = 60
"""Characters of a value a message echoes; the rest of a long value is elided."""


def quoted(value: object) -> str:
    """A value from a file as a message echoes it: in quotes, unprintable characters escaped."""
    text = str(value)
    if len(text) > LONGEST_QUOTE:
        text = f"{text[: LONGEST_QUOTE - 1]}…"
    return f"'{printable(text)}'"


class VSMapperError(Exception):
    """A bad file, value or spreadsheet, with a message a person can act on.

    ``details`` are further lines to list under the message, such as a spreadsheet's
    row errors. Both are kept printable: whatever a file holds, a message is one safe line.
    """

    def __init__(self, message: str, details: list[str] | None = None) -> None:
        message = printable(message)
        super().__init__(message)
        self.message = message
        self.details = [printable(line) for line in details or []]

    def __str__(self) -> str:
        return self.message


def read_error(path: object, error: OSError) -> VSMapperError:
    """The one message for a file that could not be read."""
    return VSMapperError(f"{path}: cannot be read ({error.strerror or error})")


def listed(names: Sequence[str]) -> str:
    """Names as a sentence lists them: ``A``, ``A and B``, ``A, B and C``."""
    return " and ".join([", ".join(names[:-1]), names[-1]] if names[1:] else names)


def counted(number: int, noun: str) -> str:
    """``1 item``, ``1,500 items``."""
    return f"{number:,} {noun}{'s' * (number != 1)}"
