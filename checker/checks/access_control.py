"""Access control: only the allowed roles can reach the data, and only when they need to.

For every store holding one of the clause's ``data_kinds``:

* every role in the store's ``access.roles`` must be one of ``allowed_roles`` (each extra role
  is named in the failure);
* with ``need_based: true`` the store must record ``access.need_based: true`` — access is
  granted just in time or on approval, not held permanently.

Each requirement is its own finding for the store. A store that records no ``access`` block is
one *not evidenced* finding; a missing field is *not evidenced* for that requirement; a clause
whose data kinds no store holds is *not evidenced*.

PASS::

    # policy                                  # snapshot
    access_control:                           stores:
      - id: trainers-only                       - id: chat-primary
        data_kinds: [conversations]               data_kinds: [conversations]
        allowed_roles: [model_trainer]            access:
        need_based: true                            roles: [model_trainer]
                                                    need_based: true

FAIL: ``roles: [model_trainer, support]`` ("role support can access store chat-primary…"),
or ``need_based: false``.

Serves GDPR Art. 32(1)(b) and Art. 25(2) (by default, personal data not accessible to an
indefinite number of people) and Art. 5(1)(f) (confidentiality).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, NotRequired

from checker.checks.base import (
    Check,
    CheckContext,
    Clause,
    Schema,
    counted,
    failed,
    nearest,
    no_store_holds,
    not_evidenced,
    passed,
    store_namer,
    words,
)
from checker.core.results import Area, Observation, Severity
from checker.diff.ordering import DiffSpec, Members, Ranked, Scope


# One clause of the section: the model the check reads, and its JSON Schema fragment.
class AccessControlClause(Clause):
    data_kinds: list[str]
    allowed_roles: list[str]
    need_based: NotRequired[bool]


SCHEMA: Schema = {
    "description": "An access promise for stores holding some data kinds.",
    "required": ["data_kinds", "allowed_roles"],
    "properties": {
        "data_kinds": {
            "description": "Data kinds the clause speaks about: keys of vocabulary.data_kinds.",
            "type": "array",
            "uniqueItems": True,
            "items": {"description": "A data kind id.", "$ref": "#/$defs/identifier"},
            "minItems": 1,
        },
        "allowed_roles": {
            "description": (
                "Roles that may have access: keys of vocabulary.roles. Any other role with "
                "access fails."
            ),
            "type": "array",
            "uniqueItems": True,
            "items": {"description": "A role id.", "$ref": "#/$defs/identifier"},
            "minItems": 1,
        },
        "need_based": {
            "description": (
                "Whether access must be need-based (just-in-time or approved per request) as "
                "recorded by each store."
            ),
            "type": "boolean",
        },
    },
}


# How a change of each field reads in `policy-check diff` (checker.diff.ordering).
DIFF = DiffSpec(
    fields={
        "data_kinds": Scope(facet="data kinds"),
        "allowed_roles": Members(adding="loosens"),
        "need_based": Ranked(absent=False, order=(True, False)),
    },
    match_on=("data_kinds",),
)


def run(ctx: CheckContext[AccessControlClause]) -> Iterator[Observation]:
    clause = ctx.clause
    kinds = [str(k) for k in clause["data_kinds"]]
    allowed = [str(r) for r in clause["allowed_roles"]]
    need_based = clause.get("need_based") is True
    expected_roles = f"access only for {words(allowed)}" if allowed else "no role has access"
    expected_need = "access granted only when needed"
    summary = expected_roles + ("; " + expected_need if need_based else "")
    matched = False
    passes = 2 if need_based else 1
    allowed_set = frozenset(allowed)
    wanted = frozenset(kinds)
    name_passes = store_namer(ctx)
    for path, store in ctx.section("stores"):
        have = store.get("data_kinds") or ()
        if wanted.isdisjoint(have):
            continue
        matched = True
        if ctx.counting and _meets_all(store, allowed_set, need_based):
            yield name_passes(store, passes) if ctx.naming else counted(passes)
            continue
        held = [k for k in kinds if k in have]
        name = store.get("id")
        resource = f"store:{name}"
        access = store.get("access")
        if not isinstance(access, Mapping):
            yield not_evidenced(
                resource, f"store {name} does not record who can access it", summary, path
            )
            continue
        apath = (*path, "access")
        roles = access.get("roles")
        if not isinstance(roles, list):
            yield not_evidenced(
                resource,
                f"store {name} does not record which roles can access it",
                expected_roles,
                apath,
                ("allowed_roles",),
            )
        else:
            have = [str(r) for r in roles]
            extra = [r for r in have if r not in allowed]
            if extra:
                noun = "role" if len(extra) == 1 else "roles"
                only = f"only {words(allowed)} may" if allowed else "no role may"
                yield failed(
                    resource,
                    f"{noun} {words(extra)} can access store {name}, which holds "
                    f"{words(held)}, but {only}",
                    expected_roles,
                    f"roles: {words(have)}",
                    (*apath, "roles"),
                    ("allowed_roles",),
                )
            else:
                yield passed(
                    resource,
                    f"only {words(have)} can access store {name}"
                    if have
                    else f"no role can access store {name}",
                    expected_roles,
                    f"roles: {words(have)}",
                    (*apath, "roles"),
                )
        if need_based:
            flag = access.get("need_based")
            if flag is True:
                yield passed(
                    resource,
                    f"access to store {name} is granted only when needed",
                    expected_need,
                    "need-based",
                    (*apath, "need_based"),
                )
            elif flag is False:
                yield failed(
                    resource,
                    f"access to store {name} is standing, not granted only when needed",
                    expected_need,
                    "standing access",
                    (*apath, "need_based"),
                    ("need_based",),
                )
            else:
                yield not_evidenced(
                    resource,
                    f"store {name} does not record whether access is granted only when needed",
                    expected_need,
                    apath,
                    ("need_based",),
                )
    if not matched:
        yield no_store_holds(kinds, summary, nearest(ctx.snapshot, ("stores",)))


def _meets_all(store: Mapping[str, Any], allowed: frozenset[str], need_based: bool) -> bool:
    """Whether only allowed roles can access the store and, when the clause asks, only when
    needed: then each is one pass, counted without a message (``ctx.counting``)."""
    access = store.get("access")
    if type(access) is not dict and not isinstance(access, Mapping):
        return False
    roles = access.get("roles")
    if type(roles) is not list or not allowed.issuperset(map(str, roles)):
        return False
    return not need_based or access.get("need_based") is True


CHECK = Check(
    id="access_control",
    order=110,
    area=Area("access", "Access control"),
    title="Access control",
    default_severity=Severity.HIGH,
    description="Which roles may read stores holding some data kinds.",
    clause_type=AccessControlClause,
    schema=SCHEMA,
    vocabulary={"data_kinds": "data_kinds", "allowed_roles": "roles"},
    remediation=(
        "Remove the roles the promise does not allow from the store's access list, or grant "
        "them through a role the policy names."
    ),
    diff=DIFF,
    run=run,
    doc=__doc__ or "",
)
