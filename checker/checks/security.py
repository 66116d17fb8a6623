"""Security: stores are encrypted at rest and in transit, with managed, rotated keys.

The clause applies to every store holding one of its ``data_kinds`` (every store when it names
none). For each such store, and each requirement the clause states:

* ``encryption_at_rest: required`` — ``encryption.at_rest`` must be ``true``;
* ``encryption_in_transit: required`` — ``encryption.in_transit`` must be ``true``;
* ``key_management`` — ``encryption.key_manager`` must be one of the listed managers;
* ``key_rotation`` — ``encryption.key_rotation`` must be at most that period (keys that are
  never rotated, ``indefinite``, fail).

Each requirement is its own finding for the store. A store without an ``encryption`` block is
one *not evidenced* finding; a missing field is *not evidenced* for that requirement. A clause
whose data kinds no store holds is *not evidenced*: the snapshot must say where the data lives.

PASS::

    # policy                                  # snapshot
    security:                                 stores:
      - id: encryption                          - id: chat-primary
        data_kinds: [conversations]               data_kinds: [conversations]
        encryption_at_rest: required              encryption:
        encryption_in_transit: required             at_rest: true
        key_management: [aws_kms]                   in_transit: true
        key_rotation: 1y                            key_manager: aws_kms
                                                    key_rotation: 1y

FAIL: ``at_rest: false``; ``key_manager: local_file``; ``key_rotation: 2y`` or ``indefinite``.

Serves GDPR Art. 32(1)(a) (encryption of personal data) and Art. 5(1)(f) (integrity and
confidentiality).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Literal, NotRequired

from checker.checks.base import (
    Check,
    CheckContext,
    Clause,
    Schema,
    counted,
    duration,
    either,
    failed,
    nearest,
    not_evidenced,
    options,
    passed,
    store_namer,
    words,
)
from checker.core.diagnostics import JsonPath
from checker.core.durations import Duration, parse_duration
from checker.core.results import Area, Observation, Severity
from checker.diff.ordering import EVERYTHING, DiffSpec, Members, Ranked, Scope, Span

# One clause of the section: the model the check reads, and its JSON Schema fragment.
Requirement = Literal["required", "not_required"]


class SecurityClause(Clause):
    data_kinds: NotRequired[list[str]]
    encryption_at_rest: Requirement
    encryption_in_transit: Requirement
    key_management: NotRequired[list[str]]
    key_rotation: NotRequired[str]


SCHEMA: Schema = {
    "description": "A security promise for stores.",
    "required": ["encryption_at_rest", "encryption_in_transit"],
    "properties": {
        "data_kinds": {
            "description": (
                "Restrict the clause to stores holding these data kinds: keys of "
                "vocabulary.data_kinds (default: every store)."
            ),
            "type": "array",
            "uniqueItems": True,
            "items": {"description": "A data kind id.", "$ref": "#/$defs/identifier"},
            "minItems": 1,
        },
        "encryption_at_rest": {
            "description": "Whether stores must be encrypted at rest.",
            "enum": options(Requirement),
        },
        "encryption_in_transit": {
            "description": "Whether connections to stores must be encrypted.",
            "enum": options(Requirement),
        },
        "key_management": {
            "description": (
                "Allowed key managers, e.g. aws_kms, gcp_kms, hsm, customer_managed; a store's "
                "key manager must be one of them."
            ),
            "type": "array",
            "uniqueItems": True,
            "items": {"description": "A key manager id.", "$ref": "#/$defs/identifier"},
            "minItems": 1,
        },
        "key_rotation": {
            "description": "Keys must be rotated at least this often, e.g. '1y'.",
            "$ref": "#/$defs/duration",
        },
    },
}


# How a change of each field reads in `policy-check diff` (checker.diff.ordering).
DIFF = DiffSpec(
    fields={
        "data_kinds": Scope(absent=EVERYTHING, facet="data kinds"),
        "encryption_at_rest": Ranked(order=("required", "not_required")),
        "encryption_in_transit": Ranked(order=("required", "not_required")),
        "key_management": Members(adding="loosens"),  # any one of them will do
        "key_rotation": Span(absent="indefinite", larger="loosens"),
    },
)


def run(ctx: CheckContext[SecurityClause]) -> Iterator[Observation]:
    clause = ctx.clause
    kinds = [str(k) for k in clause.get("data_kinds") or ()]
    at_rest = clause["encryption_at_rest"] == "required"
    in_transit = clause["encryption_in_transit"] == "required"
    managers = clause.get("key_management")
    rotation = clause.get("key_rotation")
    limit = parse_duration(str(rotation)) if rotation is not None else None
    expected = _expected(at_rest, in_transit, managers, limit)
    if not expected:
        yield passed(
            "policy",
            "this clause requires neither encryption nor key management",
            "no requirement",
            "nothing to check",
            (),
        )
        return
    summary = "; ".join(expected)
    passes = sum((at_rest, in_transit, managers is not None, limit is not None))
    matched = False  # stores are judged as they come: a million are never held at once
    name_passes = store_namer(ctx)
    for path, store in ctx.section("stores"):
        if kinds and not any(k in (store.get("data_kinds") or ()) for k in kinds):
            continue
        matched = True
        if ctx.counting and _meets_all(store, at_rest, in_transit, managers, limit):
            yield name_passes(store, passes) if ctx.naming else counted(passes)
            continue
        name = store.get("id")
        resource = f"store:{name}"
        held = [k for k in (store.get("data_kinds") or ()) if not kinds or k in kinds]
        what = words([str(k) for k in held]) if held else "data"
        encryption = store.get("encryption")
        if not isinstance(encryption, Mapping):
            yield not_evidenced(
                resource, f"store {name} records no encryption settings", summary, path
            )
            continue
        epath = (*path, "encryption")
        if at_rest:
            yield _flag(resource, name, what, encryption, epath, "at_rest", "at rest")
        if in_transit:
            yield _flag(resource, name, what, encryption, epath, "in_transit", "in transit")
        if managers is not None:
            yield _manager(resource, name, encryption, epath, [str(m) for m in managers])
        if limit is not None:
            yield _rotation(resource, name, encryption, epath, limit)
    if not matched:
        yield not_evidenced(
            "policy",
            f"no store in the snapshot holds {words(kinds)}"
            if kinds
            else "the snapshot records no data stores",
            summary,
            nearest(ctx.snapshot, ("stores",)),
            ("data_kinds",) if kinds else (),
        )


def _meets_all(
    store: Mapping[str, Any],
    at_rest: bool,
    in_transit: bool,
    managers: Any,
    limit: Duration | None,
) -> bool:
    """Whether the store meets every requirement the clause states: then each is one pass,
    counted without a message (``ctx.counting``). Anything else is judged in full."""
    encryption = store.get("encryption")
    if type(encryption) is not dict and not isinstance(encryption, Mapping):
        return False
    if at_rest and encryption.get("at_rest") is not True:
        return False
    if in_transit and encryption.get("in_transit") is not True:
        return False
    if managers is not None:
        manager = encryption.get("key_manager")
        if not isinstance(manager, str) or manager not in managers:
            return False
    if limit is not None:
        period = duration(encryption.get("key_rotation"))
        if period is None or period.indefinite or period > limit:
            return False
    return True


def _expected(at_rest: bool, in_transit: bool, managers: Any, limit: Duration | None) -> list[str]:
    parts = []
    if at_rest:
        parts.append("encrypted at rest")
    if in_transit:
        parts.append("encrypted in transit")
    if managers is not None:
        parts.append(f"keys managed by {either([str(m) for m in managers])}")
    if limit is not None:
        parts.append(f"keys rotated at least every {limit}")
    return parts


def _flag(
    resource: str,
    name: object,
    what: str,
    encryption: Mapping[str, Any],
    epath: JsonPath,
    field: str,
    where: str,
) -> Observation:
    expected = f"encrypted {where}"
    value = encryption.get(field)
    clause_path = (f"encryption_{field}",)
    if value is True:
        return passed(
            resource, f"store {name} is encrypted {where}", expected, "encrypted", (*epath, field)
        )
    if value is False:
        return failed(
            resource,
            f"store {name} does not encrypt {what} {where}",
            expected,
            "not encrypted",
            (*epath, field),
            clause_path,
        )
    return not_evidenced(
        resource,
        f"store {name} does not record whether it is encrypted {where}",
        expected,
        epath,
        clause_path,
    )


def _manager(
    resource: str,
    name: object,
    encryption: Mapping[str, Any],
    epath: JsonPath,
    managers: list[str],
) -> Observation:
    expected = f"keys managed by {either(managers)}"
    manager = encryption.get("key_manager")
    if not isinstance(manager, str):
        return not_evidenced(
            resource,
            f"store {name} does not record who manages its encryption keys",
            expected,
            epath,
            ("key_management",),
        )
    evidence = (*epath, "key_manager")
    if manager not in managers:
        return failed(
            resource,
            f"the encryption keys of store {name} are managed by {manager}, "
            f"not by a key manager the policy allows ({either(managers)})",
            expected,
            manager,
            evidence,
            ("key_management",),
        )
    return passed(
        resource,
        f"the encryption keys of store {name} are managed by {manager}",
        expected,
        manager,
        evidence,
    )


def _rotation(
    resource: str,
    name: object,
    encryption: Mapping[str, Any],
    epath: JsonPath,
    limit: Duration,
) -> Observation:
    expected = f"keys rotated at least every {limit}"
    raw = encryption.get("key_rotation")
    period = duration(raw)
    if period is None:
        recorded = "" if raw is None else f" ({raw!r} is not a duration)"
        return not_evidenced(
            resource,
            f"store {name} does not record how often its encryption keys are rotated{recorded}",
            expected,
            epath,
            ("key_rotation",),
        )
    evidence = (*epath, "key_rotation")
    if period.indefinite:
        return failed(
            resource,
            f"store {name} never rotates its encryption keys; "
            f"the policy requires rotation at least every {limit}",
            expected,
            "never rotated",
            evidence,
            ("key_rotation",),
        )
    if period > limit:
        return failed(
            resource,
            f"store {name} rotates its encryption keys every {raw}, "
            f"less often than the {limit} the policy requires",
            expected,
            f"every {raw}",
            evidence,
            ("key_rotation",),
        )
    return passed(
        resource,
        f"store {name} rotates its encryption keys every {raw}",
        expected,
        f"every {raw}",
        evidence,
    )


CHECK = Check(
    id="security",
    order=100,
    area=Area("security", "Security"),
    title="Encryption and key management",
    default_severity=Severity.HIGH,
    description="Encryption and key management of stores.",
    clause_type=SecurityClause,
    schema=SCHEMA,
    vocabulary={"data_kinds": "data_kinds"},
    remediation=(
        "Turn on encryption at rest and in transit for the store, with a managed key that is "
        "rotated on the promised schedule."
    ),
    diff=DIFF,
    run=run,
    doc=__doc__ or "",
)
