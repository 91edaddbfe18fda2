"""The merged round in words, for the terminal."""

from __future__ import annotations

from vsmapper.errors import counted, printable_lines
from vsmapper.model.stream import ValueStream
from vsmapper.workshop.merge import FIELD_WORDS, SurveyMerge, merge_checks


def merge_text(merge: SurveyMerge, stream: ValueStream | None = None) -> str:
    """One line per stage: answers, merged wait, work and %C&A, disagreement, pain points,
    and, given the map, what to check before applying (far from the map, one answer)."""
    checks = merge_checks(stream, merge) if stream is not None else {}
    lines = [f"{counted(merge.responses, 'participant')} answered"]
    for stage in merge.stages:
        wait = stage.wait_time.text if stage.wait_time else "–"
        work = stage.process_time.text if stage.process_time else "–"
        pca = "–" if stage.pca is None else f"{stage.pca:g}%"
        line = f"{stage.name}: {counted(stage.answers, 'answer')}; wait {wait}, work {work}, %C&A {pca}"
        if stage.disagreement:
            fields = ", ".join(FIELD_WORDS[name] for name in stage.disagreement)
            line += f"; DISAGREE on {fields}: talk about it"
        if stage.id in checks:
            line += f"; CHECK: {'; '.join(checks[stage.id])}"
        lines.append(line)
        lines.extend(f"  pain: {pain}" for pain in stage.pains)
    return printable_lines(lines)
