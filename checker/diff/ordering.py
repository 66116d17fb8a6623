"""How a change of one clause field reads: the orderings clause sections declare as data.

Every section module declares, next to its clause schema, a :class:`DiffSpec`: for each field
of a clause an *ordering* that says which way a change goes. The kinds are few and generic:

* :class:`Span` — a duration (or number): a larger value loosens (``max: 2y → 5y``) or
  tightens (``minimum_age: 13 → 16``).
* :class:`Ranked` — values listed from the strictest to the loosest
  (``opt_in_required`` before ``trained_unless_opted_out``); booleans too.
* :class:`Members` — a set whose items each loosen (roles allowed to access) or tighten
  (filters required) the promise when added.
* :class:`Scope` — whom or what the promise protects (tiers, data kinds, categories): more is
  *scope widened*, less *scope narrowed*; tier groups are expanded to their tiers with each
  version's own vocabulary.
* :class:`Covers` — values of which some include others (``storage`` data includes what is
  trained on): a change to a value that includes the old one widens the scope.
* :class:`Review` — text and anything else the tool cannot order: a change *needs review*.
* :class:`Identity` — the clause's identity (``id``, ``replaces``): matching, never a change.

The one interpreter of these declarations is :mod:`checker.diff.engine`;
``tests/test_diff_orderings.py`` fails when a schema field has none.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

Effect = Literal["loosens", "tightens"]


class Direction(StrEnum):
    """Which way a promise moved; the order is the order of a review (worst first)."""

    LOOSENED = "loosened"
    REMOVED = "removed"
    SCOPE_NARROWED = "scope-narrowed"
    NEEDS_REVIEW = "needs-review"
    SCOPE_WIDENED = "scope-widened"
    ADDED = "added"
    TIGHTENED = "tightened"

    @property
    def label(self) -> str:
        return self.value.replace("-", " ")

    @property
    def rank(self) -> int:
        return list(Direction).index(self)

    def swapped(self) -> Direction:
        """The direction of the same change read from the new version back to the old."""
        return _SWAPPED.get(self, self)


_SWAPPED = {
    Direction.LOOSENED: Direction.TIGHTENED,
    Direction.TIGHTENED: Direction.LOOSENED,
    Direction.ADDED: Direction.REMOVED,
    Direction.REMOVED: Direction.ADDED,
    Direction.SCOPE_WIDENED: Direction.SCOPE_NARROWED,
    Direction.SCOPE_NARROWED: Direction.SCOPE_WIDENED,
}

WEAKENING = frozenset({Direction.LOOSENED, Direction.REMOVED, Direction.SCOPE_NARROWED})
"""The directions in which a promise protects less than before."""

ABSENT: Any = object()
"""An ordering's ``absent`` when a missing field has no meaning of its own: adding or removing
the field needs review."""


@dataclass(frozen=True, slots=True)
class Ordering:
    """What every ordering has: the value a missing field means (``absent``), words that gloss
    values for a reader (``words``), and the facet of the affected population it names."""

    absent: Any = ABSENT
    words: Mapping[Any, str] = field(default_factory=dict)
    facet: str = ""  # "tiers", "data kinds", "consent states", "categories", or none


@dataclass(frozen=True, slots=True)
class Span(Ordering):
    """A duration or a number; ``larger`` says what a larger value does to the promise.
    ``special`` gives words such as ``never`` their duration (``never`` is ``0s``)."""

    larger: Effect = "loosens"
    special: Mapping[str, str] = field(default_factory=dict)
    zero: str = ""  # what a zero duration means to a reader, e.g. "not kept at all"


@dataclass(frozen=True, slots=True)
class Ranked(Ordering):
    """Values from the strictest to the loosest."""

    order: Sequence[Any] = ()


@dataclass(frozen=True, slots=True)
class Members(Ordering):
    """A set; ``adding`` says what one more item does. Items may be mappings (compared
    whole: a changed item is one removed and one added)."""

    adding: Effect = "tightens"


@dataclass(frozen=True, slots=True)
class Scope(Ordering):
    """Whom or what the promise covers. ``expand`` names the vocabulary map whose entries
    the field lists (``tier_groups``: compared as the tiers they hold). ``absent`` of
    :data:`EVERYTHING` means an unscoped clause covers everything. ``gained`` is the sentence
    for what widening means, with ``{items}`` and the new clause's fields (glossed) as
    ``{field}``."""

    expand: str = ""
    gained: str = ""
    lost: str = ""


EVERYTHING = "everything"
"""A scope field's ``absent``: the clause without the field covers everything."""


@dataclass(frozen=True, slots=True)
class Covers(Ordering):
    """Values of which some include others: ``includes`` maps a value to those it covers."""

    includes: Mapping[str, Sequence[str]] = field(default_factory=dict)
    # A permission or a prohibition reads as loosened / tightened; otherwise the promise's
    # scope is what widens or narrows.
    widening: Effect | None = None


@dataclass(frozen=True, slots=True)
class Review(Ordering):
    """Cannot be ordered: any change needs a person to judge it; ``why`` says what to look at."""

    why: str = ""
    wording: bool = False  # prose: listed, but it decides a row's direction only alone


@dataclass(frozen=True, slots=True)
class Identity(Ordering):
    """Part of the clause's identity: used to match clauses, never reported as a change."""


@dataclass(frozen=True, slots=True)
class DiffSpec:
    """A section's orderings: one per clause field, and the fields that identify a promise
    within the section when ids differ (``match_on``; none: the section's one clause)."""

    fields: Mapping[str, Ordering]
    match_on: tuple[str, ...] = ()


# The fields every clause has (checker.checks.base.Clause): one declaration for all sections.
COMMON: Mapping[str, Ordering] = {
    "id": Identity(),
    "replaces": Identity(),
    "statement": Review(why="the promise is worded differently: read both", wording=True),
    "severity": Ranked(order=("critical", "high", "medium", "low", "info")),
    "remediation": Review(absent="", why="what to do on a failure changed", wording=True),
    "if_not_evidenced": Ranked(absent="fail", order=("fail", "warn", "pass")),
    "references": Review(absent=[], why="the regulations cited changed"),
    # Where the promise holds: more regions widen it; none means everywhere. No facet: the
    # population a change affects is named by the section's own scope fields.
    "regions": Scope(absent=EVERYTHING),
    "source": Review(why="the promise is sourced differently: read both", wording=True),
    "sources": Review(absent=[], why="the promise is sourced differently: read both", wording=True),
    "confidence": Review(absent="confirmed", why="how sure the policy is of the promise changed"),
    "effective": Review(absent="", why="the promise applies from another date"),
    "expires": Review(absent="", why="the promise stops applying at another date"),
}

# The vocabulary: its maps' entries, field by field (an entry added or removed is a row too).
VOCABULARY: Mapping[str, Mapping[str, Ordering]] = {
    "tier_groups": {
        "tiers": Scope(facet="tiers", gained="{items} joined the group", lost="{items} left it"),
        "description": Review(why="the group is described differently", wording=True),
    },
    "data_kinds": {
        "description": Review(why="the data kind is described differently", wording=True),
        # An identifiable kind is held to the identifiable-data promises (sharing, training).
        "identifiable": Ranked(absent=False, order=(True, False)),
    },
    "sensitive_categories": {
        "description": Review(why="the category is described differently", wording=True),
    },
    "roles": {"description": Review(why="the role is described differently", wording=True)},
    "regions": {
        "countries": Scope(
            facet="countries", gained="{items} joined the region", lost="{items} left it"
        ),
        "regions": Scope(
            facet="regions", gained="{items} joined the region", lost="{items} left it"
        ),
        "description": Review(why="the region is described differently", wording=True),
    },
    "settings": {
        "description": Review(why="the setting is described differently", wording=True),
    },
}
