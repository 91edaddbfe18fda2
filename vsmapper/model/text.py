"""Text as typed for the map: one line, without control or invisible characters."""

from __future__ import annotations

import unicodedata

KEPT_FORMAT_CHARACTERS = frozenset(["\u200c", "\u200d", *map(chr, range(0xE0020, 0xE0080))])
"""Invisible format characters that text needs: joiners (emoji sequences, Persian, Indic
scripts) and the tags of subdivision flags such as Scotland's."""


def plain_text(text: str) -> str:
    """``text`` on one line, without control characters or invisible ones such as bidi's."""
    # A bidi override sent from a phone writes the note backwards on the map, the round's
    # pane and the report; a note is one line there, as typed into the app.
    if text.isprintable():
        return " ".join(text.split())
    kept = (
        char
        for char in text
        if char.isspace()
        or char in KEPT_FORMAT_CHARACTERS
        or unicodedata.category(char) not in ("Cc", "Cf")
    )
    return " ".join("".join(kept).split())
