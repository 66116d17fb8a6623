"""Where a promise comes from, and what a promise whose sources disagree yields.

A clause may say where it was published (``source`` or ``sources``) and how sure the policy
is of it (``confidence``). Findings carry both, so that every report can show the sentence a
promise encodes next to the evidence. A clause with ``confidence: conflict`` encodes a promise
its sources disagree on: checking the system against one reading would pass or fail by
chance, so the clause yields one failing finding listing the sources, whatever the snapshot
says, until a person settles the question and changes the confidence.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from checker.core.results import Observation, Provenance, Status

CONFLICT = "conflict"


def provenance(clause: Mapping[str, Any]) -> tuple[Provenance, ...]:
    """The clause's sources, in the order written (``source`` is one source)."""
    given = clause.get("sources")
    items = given if isinstance(given, list) else [clause.get("source")]
    return tuple(
        Provenance(
            document=str(item.get("document", "")),
            url=str(item.get("url", "")),
            date=str(item.get("date", "")),
            quote=str(item.get("quote", "")),
            kind=str(item.get("kind", "")),
        )
        for item in items
        if isinstance(item, Mapping)
    )


def in_conflict(clause: Mapping[str, Any]) -> bool:
    return clause.get("confidence") == CONFLICT


def conflict_observation(clause: Mapping[str, Any]) -> Observation:
    """The one finding of a clause whose sources disagree, pointing at its ``confidence``."""
    sources = provenance(clause)
    if sources:
        listed = "; ".join(_described(source) for source in sources)
        said = f"its sources disagree: {listed}"
    else:
        said = "its sources disagree, and the clause names none (add source or sources)"
    return Observation(
        Status.FAIL,
        "sources",
        f"the promise is not settled: {said}; a person must decide what is promised and "
        "change the clause's confidence",
        "a promise the sources agree on",
        "confidence: conflict",
        None,
        ("confidence",),
    )


def _described(source: Provenance) -> str:
    quote = f': "{source.quote}"' if source.quote else ""
    return f"{source.label}{quote}"
