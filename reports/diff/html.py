"""The diff as a self-contained HTML page for a policy review meeting.

Worst first, in words: each changed promise with its statement, a table of what changed
(before, now, what it means), whom it affects, the regulations it serves and where it is in
both versions; wording changes folded away. The page shares the compliance report's styles,
its Content-Security-Policy (no script, nothing fetched) and autoescaping; the section that
lists the changes (``_changes.html.j2``) is the one the compliance report shows when a policy
supersedes another.
"""

from __future__ import annotations

from typing import TextIO

from checker import __version__
from checker.diff.model import DiffResult
from checker.diff.ordering import WEAKENING
from reports.diff.words import VERDICT_WORDS, counts_sentence, verdict
from reports.html import CSP, environment


def headline(result: DiffResult) -> str:
    counts = result.counts()
    weakened = sum(counts[d] for d in WEAKENING)
    if weakened:
        return f"{weakened} promise{'s' if weakened != 1 else ''} weakened"
    if any(counts.values()):
        return "No promise weakened"
    return "No promise changed"


def render(result: DiffResult) -> str:
    template = environment().get_template("diff.html.j2")
    counts = result.counts()
    return template.render(
        result=result,
        csp=CSP,
        version=__version__,
        headline=headline(result),
        counts_sentence=counts_sentence(result),
        verdict=verdict(result),
        weakened=any(counts[d] for d in WEAKENING),
        verdict_words=VERDICT_WORDS,
    )


def write(result: DiffResult, stream: TextIO, color: bool = False) -> None:
    stream.write(render(result))
