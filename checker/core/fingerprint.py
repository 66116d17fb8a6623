"""Finding ids: one fingerprint per promise, system and resource, that survives refactoring.

A finding id answers "is this the same problem as last time?". It is built from what the
problem *is*, never from where it happens to be written:

- the policy id and the clause id (the promise),
- the snapshot's ``system`` and ``environment`` (which system broke it),
- the resource (``store:chat-transcripts``),
- the requirement: the finding's ``expected`` text, so that the several requirements one clause
  makes of one resource (encrypted at rest, in transit, keys rotated…) are told apart. Dates in
  it are masked, since some requirements are worded relative to the run's date ("reviewed
  within 1y of 2026-11-21").

File names, line numbers, list positions, the clause's wording (``statement``), the message and
the actual value are left out: moving a snapshot, reformatting YAML or rewording a promise
keeps every id. Each part is normalised (Unicode NFC, surrounding whitespace removed, runs of
whitespace made one space), the parts are encoded as a JSON array of strings, hashed with
SHA-256, and the id is :data:`PREFIX` and the first 32 hexadecimal digits (128 bits). The
prefix names the recipe: a future change of recipe changes the prefix, so an id made by
another recipe is recognised as such instead of silently never matching.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache
from json.encoder import encode_basestring

RECIPE = "pcf1"
"""The version of the recipe, and the prefix of every id it makes."""

PREFIX = f"{RECIPE}:"
_DIGITS = 32
_DATE = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
)
_ID = re.compile(rf"{re.escape(PREFIX)}[0-9a-f]{{{_DIGITS}}}")


def _encode_parts(parts: list[str]) -> str:
    """``json.dumps(parts, ensure_ascii=False, separators=(",", ":"))`` for a list of strings,
    written out: the encoder's set-up costs twice the encoding of one id's few strings."""
    return "[" + ",".join(map(encode_basestring, parts)) + "]"  # the encoder's own function


def normalise(text: str) -> str:
    """One spelling of a part: NFC, trimmed, inner whitespace runs made one space.

    Not cached: a resource is a part, and a run over more resources than any cache holds meets
    each again only after the others (findings come clause by clause), so a cache would miss
    every time. ``split`` and ``strip`` take whitespace as the pattern ``\\s`` does
    (``str.isspace``), and ASCII text is already NFC.
    """
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return " ".join(text.split())


@lru_cache(maxsize=8192)
def requirement(expected: str) -> str:
    """The requirement a finding is about, as it enters the id: dates masked."""
    return _DATE.sub("<date>", normalise(expected))


@lru_cache(maxsize=8192)  # a clause words the same requirement for many resources
def _encoded_requirement(expected: str) -> str:
    return encode_basestring(requirement(expected))


def finding_id(
    policy_id: str,
    clause_id: str,
    system: str,
    environment: str,
    resource: str,
    expected: str,
) -> str:
    """The id of a finding (see the module docstring for the recipe)."""
    # The encoded parts as :func:`_encode_parts` writes them, the ones before the resource
    # made once per clause.
    text = (
        f"{_promise_parts(policy_id, clause_id, system, environment)}"
        f"{encode_basestring(normalise(resource))},{_encoded_requirement(expected)}]"
    )
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return PREFIX + digest[:_DIGITS]


@lru_cache(maxsize=1024)  # the same for every finding of a clause in a snapshot
def _promise_parts(policy_id: str, clause_id: str, system: str, environment: str) -> str:
    """The encoded parts before the resource, up to the comma that follows them."""
    parts = [RECIPE, *map(normalise, (policy_id, clause_id, system, environment))]
    return _encode_parts(parts)[:-1] + ","


def is_finding_id(text: str) -> bool:
    """Whether ``text`` is an id made by this recipe."""
    return _ID.fullmatch(text) is not None
