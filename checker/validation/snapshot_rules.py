"""Snapshot rules the schema cannot state: ids unique, pipeline sources real, names known.

They run on the snapshot as the checks see it — its own stores and those imported from real
exports, merged (:class:`~checker.evaluation.snapshot.Snapshot`) — so a store written by hand and a
bucket imported from a plan cannot share an id unnoticed. Each diagnostic points at the
offending place (for a duplicate, the second occurrence) and names the other place involved.

Rules (diagnostic codes):

* ``snapshot-duplicate-id`` — two tiers, stores, pipelines, recipients or notices share an id.
  Checks look elements up by id; a second element with the same id would be a second,
  contradicting description of the same thing. (The checks still judge both, but the snapshot
  is invalid.)
* ``snapshot-unknown-source`` — a pipeline's ``sources`` names no store: what it reads is
  unknown, so no promise about what it reads can be evidenced.
* ``snapshot-unknown-pipeline`` — a recipient's ``fed_by`` names no pipeline: what it receives
  is unknown, so no promise about anonymised or consented sharing can be evidenced.
* ``snapshot-unknown-store`` — a store's ``copy_of`` or a legal hold's ``stores`` names no
  store: what the copy holds, or which deletion the hold suspends, is unknown.
* ``snapshot-region-not-served`` — a tier is offered (``tiers[].regions``) in a country the
  snapshot does not list where the deployment serves users (``metadata.regions``). Which
  promises apply is decided from ``metadata.regions``: a clause for that country would be
  judged "not applicable" while a tier is offered there.
* ``snapshot-unknown-name`` — ``check`` only: a tier, data kind, sensitive category, role or
  setting that the vocabulary of no policy being checked defines (with a "did you mean"). A
  misspelt name is judged by no promise — ``temporary_chat`` held next to a policy about
  ``temporary_chats`` would let "never trained" pass while nothing about it was checked.
  The tiers a user right is offered to (``user_rights.<right>.tiers``) are judged too.
  Sensitive categories, roles and settings are only judged when a policy defines them at all
  (those vocabulary sections are optional); ``validate`` of a snapshot alone has no vocabulary to
  judge free-form names by, and leaves them alone (the fixed names of the snapshot format are
  enums of its schema).

The stores of a snapshot read store by store (``checker.evaluation.streamed``) are not
lists: the rules that read each store pass them over, because reading the file found nothing
for them (no store id twice, no copy, no name a policy does not define), and the rules that
only need the stores' ids take them from what that reading noted.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from checker.core.diagnostics import Diagnostic, JsonPath, Location, Position
from checker.documents.document import Document
from checker.evaluation.in_step import StoredItems
from checker.evaluation.snapshot import LIST_SECTIONS, Snapshot
from checker.validation.policy_rules import close_match, suggestion

DUPLICATE_ID = "snapshot-duplicate-id"
UNKNOWN_SOURCE = "snapshot-unknown-source"
UNKNOWN_PIPELINE = "snapshot-unknown-pipeline"
UNKNOWN_NAME = "snapshot-unknown-name"
UNKNOWN_STORE = "snapshot-unknown-store"
REGION_NOT_SERVED = "snapshot-region-not-served"

# Sections whose items are looked up by id, and what an item is called.
ID_SECTIONS = tuple((section.name, section.item) for section in LIST_SECTIONS.values())


@dataclass(frozen=True, slots=True)
class NameSite:
    """Where a snapshot names something a policy's vocabulary defines."""

    section: str
    # Inside an item of the section; the value is a name, a list of names or a mapping whose
    # keys are names; "*" stands for every item of a list on the way.
    field: tuple[str, ...]
    vocabulary: str
    noun: str


NAME_SITES: tuple[NameSite, ...] = (
    NameSite("tiers", ("id",), "tier_groups", "tier"),
    NameSite("stores", ("tiers",), "tier_groups", "tier"),
    NameSite("pipelines", ("tiers",), "tier_groups", "tier"),
    NameSite("notices", ("tiers",), "tier_groups", "tier"),
    NameSite("stores", ("data_kinds",), "data_kinds", "data kind"),
    NameSite("pipelines", ("data_kinds",), "data_kinds", "data kind"),
    NameSite("recipients", ("data_kinds",), "data_kinds", "data kind"),
    NameSite("stores", ("sensitive_categories",), "sensitive_categories", "sensitive category"),
    NameSite(
        "pipelines",
        ("sensitive_categories_filtered",),
        "sensitive_categories",
        "sensitive category",
    ),
    NameSite("stores", ("access", "roles"), "roles", "role"),
    NameSite("settings", ("id",), "settings", "setting"),
    NameSite("pipelines", ("settings",), "settings", "setting"),  # its keys
    NameSite("stores", ("retention_by_setting", "*", "setting"), "settings", "setting"),
    NameSite("legal_holds", ("tiers",), "tier_groups", "tier"),
)


@dataclass(frozen=True, slots=True)
class Link:
    """A field of one section's items that names items of another section by id."""

    section: str  # where the link is written: pipelines
    field: str  # sources
    target: str  # the section it names: stores
    noun: str  # how an item of the section is called: pipeline
    verb: str  # what the link says: reads
    code: str


LINKS: tuple[Link, ...] = (
    Link("pipelines", "sources", "stores", "pipeline", "reads store", UNKNOWN_SOURCE),
    Link("recipients", "fed_by", "pipelines", "recipient", "is fed by pipeline", UNKNOWN_PIPELINE),
    Link("stores", "copy_of", "stores", "store", "copies store", UNKNOWN_STORE),
    Link("legal_holds", "stores", "stores", "legal hold", "holds store", UNKNOWN_STORE),
)


def snapshot_diagnostics(view: Snapshot) -> list[Diagnostic]:
    """Duplicate ids, pipeline sources that name no store, recipients fed by no pipeline and
    tiers offered where the deployment does not serve users, in snapshot order."""
    ids = _ids(view)
    return [
        *_duplicate_ids(view, ids),
        *(d for link in LINKS for d in _unknown_links(view, link, ids)),
        *_regions_not_served(view),
    ]


def _ids(view: Snapshot) -> dict[str, list[Any]]:
    """The ``id`` of every item of each list section (``None`` for an item that is not a
    mapping), read once for the rules that need them: 100k stores are walked once, not once
    per rule."""
    ids: dict[str, list[Any]] = {}
    for section in LIST_SECTIONS:
        items = view.data.get(section)
        if isinstance(items, StoredItems):  # noted as the file was read
            ids[section] = items.ids()
        elif isinstance(items, list):
            ids[section] = [item.get("id") if type(item) is dict else None for item in items]
    return ids


def _regions_not_served(view: Snapshot) -> Iterator[Diagnostic]:
    metadata = view.data.get("metadata")
    served = metadata.get("regions") if isinstance(metadata, dict) else None
    if not isinstance(served, list):  # not recorded: region-scoped clauses are not evidenced
        return
    for index, tier in _items(view, "tiers"):
        offered = tier.get("regions")
        if not isinstance(offered, list):
            continue
        for position, country in enumerate(offered):
            if isinstance(country, str) and country not in served:
                yield Diagnostic(
                    view.locate(("tiers", index, "regions", position)),
                    f"tier {tier.get('id')} is offered in {country}, where the snapshot does "
                    f"not record serving users (metadata.regions: {', '.join(map(str, served))})"
                    f"; add {country} to metadata.regions, or take it out of the tier",
                    REGION_NOT_SERVED,
                )


def _items(view: Snapshot, section: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """The mappings of a list section (documents hold plain dicts and lists)."""
    items = view.data.get(section)
    if type(items) is not list:
        return
    for index, item in enumerate(items):
        if type(item) is dict:
            yield index, item


def _place(view: Snapshot, path: JsonPath, here: Location) -> str:
    """How a message names another place: ``line 12`` in the same file, else ``file:12:3``."""
    there = view.locate(path)
    if there.position is None:
        return f"{there.file} ({there.json_path})"
    if there.file == here.file:
        return f"line {there.position.line}"
    return f"{there.file}:{there.position}"


def _imported_from(view: Snapshot, section: str, index: int) -> str | None:
    origin = view.imported.get((section, index))
    return origin.export.name if origin is not None and not origin.merged else None


def _duplicate_ids(view: Snapshot, all_ids: dict[str, list[Any]]) -> Iterator[Diagnostic]:
    for section, noun in ID_SECTIONS:
        ids = all_ids.get(section)
        items = view.data.get(section)
        if isinstance(items, StoredItems) and items.distinct_ids():
            continue  # told apart when read: a million ids not put in a set again
        if ids is None or len(set(ids)) == len(ids):  # the usual case, at C speed
            continue
        first: dict[str, int] = {}
        for index, ident in enumerate(ids):
            if not isinstance(ident, str):
                continue
            earlier = first.setdefault(ident, index)
            if earlier == index:
                continue
            here = view.locate((section, index, "id"))
            label = f"duplicate {noun} id '{ident}'"
            plan = _imported_from(view, section, index)
            if plan is not None:
                label += f" of the {noun} imported from {plan}"
            place = _place(view, (section, earlier, "id"), here)
            how = "imported from" if _imported_from(view, section, earlier) else "at"
            yield Diagnostic(
                here, f"{label}: the {noun} {how} {place} already uses it", DUPLICATE_ID
            )


# "Did you mean" compares a name with every store id: bounded, so that a snapshot with many
# stores and many broken sources still answers quickly (the rest are reported without one).
_MAX_SUGGESTED = 20


def _unknown_links(view: Snapshot, link: Link, ids: dict[str, list[Any]]) -> Iterator[Diagnostic]:
    items = view.data.get(link.section)
    if type(items) is not list or not any(
        type(item) is dict and link.field in item for item in items
    ):
        return  # nothing links: the usual case for copies and legal holds
    known = set(ids.get(link.target, ()))
    known.discard(None)  # an item that is not a mapping names nothing
    target = LIST_SECTIONS[link.target].item
    candidates: list[str] | None = None
    suggested: dict[str, str | None] = {}
    for index, item in _items(view, link.section):
        names = item.get(link.field)
        if not isinstance(names, list) or known.issuperset(names):
            continue
        for position, name in enumerate(names):
            if not isinstance(name, str) or name in known:
                continue
            if name not in suggested and len(suggested) < _MAX_SUGGESTED:
                if candidates is None:
                    candidates = sorted(s for s in known if isinstance(s, str))
                suggested[name] = close_match(name, candidates)
            close = suggested.get(name)
            yield Diagnostic(
                view.locate((link.section, index, link.field, position)),
                f"{link.noun} {item.get('id')} {link.verb} '{name}', but the snapshot declares "
                f"no {target} with that id" + (f"; did you mean '{close}'?" if close else ""),
                link.code,
            )


def unknown_names(view: Snapshot, policies: Sequence[Document]) -> list[Diagnostic]:
    """Names the snapshot uses that no policy's vocabulary defines, one diagnostic per name
    (at its first place, counting the others), in file order."""
    if not policies:
        return []
    known = _known_names(policies)
    owners = _policy_words([str(p.data.get("metadata", {}).get("id", p.name)) for p in policies])
    found: dict[tuple[str, str], list[JsonPath]] = {}  # (vocabulary, name) -> places
    nouns: dict[str, str] = {}
    for site in NAME_SITES:
        defined = known.get(site.vocabulary)
        if defined is None:
            continue
        nouns[site.vocabulary] = site.noun
        items = view.data.get(site.section)
        if type(items) is not list:
            continue
        if "*" in site.field:
            for index, item in enumerate(items):
                for path, value in _spread(item, site.field):
                    for place, name in _names(value, path):
                        if name not in defined:
                            found.setdefault((site.vocabulary, name), []).append(
                                (site.section, index, *place)
                            )
            continue
        key, *deeper = site.field
        for index, item in enumerate(items):  # 100k stores: kept to a few C-level steps each
            value = item.get(key) if type(item) is dict else None
            for sub in deeper:
                value = value.get(sub) if type(value) is dict else None
            if value is None or (type(value) is list and defined.issuperset(value)):
                continue
            for path, name in _names(value, site.field):
                if name not in defined:
                    found.setdefault((site.vocabulary, name), []).append(
                        (site.section, index, *path)
                    )
    _right_tiers(view, known, found, nouns)
    diagnostics = []
    for (vocabulary, name), places in found.items():
        noun = nouns[vocabulary]
        if vocabulary == "tier_groups":
            message = f"tier '{name}' is in no tier group {owners}"
        else:
            message = f"{noun} '{name}' is not defined in vocabulary.{vocabulary} {owners}"
        message += suggestion(name, sorted(known[vocabulary]))
        if len(places) > 1:
            others = len(places) - 1
            message += f" (also used at {others} other place{'s' if others > 1 else ''})"
        diagnostics.append(Diagnostic(view.locate(places[0]), message, UNKNOWN_NAME))
    diagnostics.sort(key=lambda d: (d.location.file, d.location.position or Position(0, 0)))
    return diagnostics


def _right_tiers(
    view: Snapshot,
    known: dict[str, set[str]],
    found: dict[tuple[str, str], list[JsonPath]],
    nouns: dict[str, str],
) -> None:
    """Tiers a user right is offered to (``user_rights.<right>.tiers``): a misspelt tier
    there would let "not offered to" pass while the real tier gets the right."""
    rights = view.data.get("user_rights")
    defined = known.get("tier_groups")
    if type(rights) is not dict or defined is None:
        return
    nouns["tier_groups"] = "tier"
    for right, settings in rights.items():
        tiers = settings.get("tiers") if type(settings) is dict else None
        for path, name in _names(tiers, ("tiers",)):
            if name not in defined:
                found.setdefault(("tier_groups", name), []).append(("user_rights", right, *path))


def _known_names(policies: Sequence[Document]) -> dict[str, set[str]]:
    """Every name each vocabulary section defines, over all policies; a section no policy
    has is left out (nothing to judge its names by)."""
    known: dict[str, set[str]] = {}
    for policy in policies:
        vocabulary = policy.data.get("vocabulary") if isinstance(policy.data, Mapping) else None
        if not isinstance(vocabulary, Mapping):
            continue
        for section, entries in vocabulary.items():
            if not isinstance(entries, Mapping):
                continue
            names = known.setdefault(section, set())
            if section == "tier_groups":
                for group in entries.values():
                    tiers = group.get("tiers") if isinstance(group, Mapping) else None
                    names.update(t for t in tiers or () if isinstance(t, str))
            else:
                names.update(str(key) for key in entries)
    return known


def _spread(item: Any, field: tuple[str, ...]) -> Iterator[tuple[JsonPath, Any]]:
    """The values at ``field`` in an item, ``*`` taking every item of a list, with paths."""
    if not field:
        yield (), item
        return
    key, *rest = field
    if key == "*":
        for index, element in enumerate(item if type(item) is list else ()):
            for path, value in _spread(element, tuple(rest)):
                yield (index, *path), value
    elif type(item) is dict and key in item:
        for path, value in _spread(item[key], tuple(rest)):
            yield (key, *path), value


def _names(value: Any, field: JsonPath) -> Iterator[tuple[JsonPath, str]]:
    """The names in a field's value (a single name, a list, or a mapping's keys), with their
    paths in the item."""
    if isinstance(value, str):
        yield field, value
    elif isinstance(value, dict):
        for name in value:
            if isinstance(name, str):
                yield (*field, name), name
    elif isinstance(value, list):
        for index, name in enumerate(value):
            if isinstance(name, str):
                yield (*field, index), name


def _policy_words(ids: list[str]) -> str:
    if len(ids) == 1:
        return f"of policy {ids[0]}"
    return f"of any policy checked ({', '.join(ids)})"
