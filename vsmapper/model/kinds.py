"""What a stage named like this is: the kind of work it does and its phase, guessed from
its name ("Code review", "Ready for QA") for a map made from a history or a workshop."""

from __future__ import annotations

import re

from vsmapper.model.stream import Kind, Phase, Stage

_PREFIXES = re.compile(
    r"^(ready for|ready to|waiting for|waiting on|awaiting|to|in|doing|under|pending)\s+"
)
_KIND_WORDS: tuple[tuple[str, Kind], ...] = (
    ("code review", "review"),
    # Before review: a "Security review" is security work, for its AI ideas and side effects.
    ("security", "security"),
    ("review", "review"),
    ("qa", "testing"),
    ("test", "testing"),
    ("verification", "testing"),
    ("approval", "approval"),
    ("cab", "approval"),
    ("deploy", "deploy"),
    ("release", "deploy"),
    ("dev", "coding"),
    ("development", "coding"),
    ("progress", "coding"),
    ("coding", "coding"),
    ("design", "design"),
    ("refinement", "requirements"),
    ("backlog", "requirements"),
    (r"spec(?:s|ification)?\b", "requirements"),
    ("planning", "requirements"),
    ("build", "coding"),
    ("implement", "coding"),
    ("analysis", "requirements"),
    ("discovery", "requirements"),
    ("triage", "intake"),
    ("monitor", "monitoring"),
    # After monitoring: "Monitor & verify" watches production.
    (r"verify(?:ing)?\b", "testing"),
    ("incident", "incident"),
    ("support", "incident"),
    # Last: "Pull request review" and "Change request approval" are about what comes first.
    ("intake", "intake"),
    ("idea", "intake"),
    ("request", "intake"),
)
"""The first whose words begin a word of the name wins (a pattern)."""
_KIND_PHASES: dict[Kind, Phase] = {
    "intake": "ideation",
    "requirements": "ideation",
    "design": "creation",
    "coding": "creation",
    "review": "creation",
    "testing": "release",
    "security": "release",
    # No "approval": a business case is approved in ideation, a change (CAB) in release;
    # an approval is in the phase of the stage before it.
    "deploy": "release",
    "monitoring": "operation",
    "incident": "operation",
}


def topic_of(status: str) -> str:
    """What a status is about: ``Ready for QA`` and ``In QA`` are both about ``qa``."""
    words = " ".join(re.sub(r"[^0-9a-z&]+", " ", status.casefold()).split())
    return _PREFIXES.sub("", words)


_KIND_PATTERNS = [(re.compile(rf"\b{word}"), kind) for word, kind in _KIND_WORDS]


def guess_kind(name: str) -> Kind:
    """The kind of work a stage named like this does."""
    topic = topic_of(name)
    for pattern, kind in _KIND_PATTERNS:
        if pattern.search(topic):
            return kind
    return "other"


def guessed_phase(kind: Kind, phase: Phase) -> Phase:
    """The phase of a stage of this kind; of a kind no phase goes with, ``phase``."""
    return _KIND_PHASES.get(kind, phase)


def guessed_kind_and_phase(
    name: str, kind: Kind | None, phase: Phase | None, phase_before: Phase
) -> tuple[Kind, Phase]:
    """A stage's kind and phase as given, else as its name says; a stage of no kind known is
    in the phase of the stage before it."""
    kind = kind or guess_kind(name)
    return kind, phase or guessed_phase(kind, phase_before)


def guessed_stages(names: list[str], ids: list[str]) -> list[Stage]:
    """Stages named in flow order, their kind and phase guessed from their names (the first
    of no kind known in ideation)."""
    stages: list[Stage] = []
    phase: Phase = "ideation"
    for name, stage_id in zip(names, ids, strict=True):
        kind, phase = guessed_kind_and_phase(name, None, None, phase)
        stages.append(Stage(id=stage_id, name=name, kind=kind, phase=phase))
    return stages
