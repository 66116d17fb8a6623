"""Stored data kinds: what may and may not be kept, and where.

``forbidden_in: training`` — no training pipeline emits the kinds (its ``data_kinds``), and no
store it reads holds them. ``pii_redaction`` removes identifiers, not data: it excuses reading
only the kinds the vocabulary marks ``identifiable: true`` ("no email in training"), never
others ("temporary chats are never trained on").
``forbidden_in: storage`` — no store holds the kinds at all.
``allowed_in: storage`` — the kinds are kept for their own purpose only: a store holds them
(none → not evidenced), no training pipeline reads or emits them and no recipient receives
them. ``allowed_in: training`` — likewise, but training on them is the purpose. A snapshot
without a ``pipelines`` (storage) or ``recipients`` section is not evidenced for that part.

A pipeline source that names no store might hold anything: where it matters (no PII redaction
for ``forbidden_in: training``; any ``allowed_in: storage``) the pipeline is not evidenced.

PASS: a training pipeline with ``filters: [pii_redaction]`` reading a store that holds email
(``identifiable: true`` in the vocabulary).
FAIL: ``stores: [{id: training-set, data_kinds: [conversations, email]}]`` read by a training
pipeline without ``pii_redaction``; a training pipeline with ``pii_redaction`` reading a store
that holds ``temporary_chats`` when the clause forbids them in training.

Serves GDPR Art. 5(1)(c) (data minimisation) and Art. 25 (data protection by design).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Literal, NotRequired

from checker.checks.base import (
    Check,
    CheckContext,
    Clause,
    Schema,
    failed,
    holds_any,
    no_store_holds,
    not_evidenced,
    options,
    passed,
    section_missing,
    training_pipelines,
    words,
)
from checker.core.results import Area, Observation, Severity
from checker.diff.ordering import Covers, DiffSpec, Scope

# The one filter that can keep a forbidden kind out of training while its store is read. It
# removes what identifies a person, so it satisfies a promise only about the data kinds the
# policy's vocabulary marks ``identifiable``; any other kind read stays a failure.
REDACTION = "pii_redaction"

# One clause of the section: the model the check reads, and its JSON Schema fragment.
Place = Literal["training", "storage"]


class DataMinimisationClause(Clause):
    """Exactly one of ``forbidden_in`` and ``allowed_in`` (the schema says so)."""

    data_kinds: list[str]
    forbidden_in: NotRequired[Place]
    allowed_in: NotRequired[Place]


SCHEMA: Schema = {
    "description": (
        "A data kind forbidden in, or allowed in, training or storage. Exactly one of "
        "forbidden_in and allowed_in."
    ),
    "required": ["data_kinds"],
    "properties": {
        "data_kinds": {
            "description": "Data kinds the clause speaks about: keys of vocabulary.data_kinds.",
            "type": "array",
            "uniqueItems": True,
            "items": {"description": "A data kind id.", "$ref": "#/$defs/identifier"},
            "minItems": 1,
        },
        "forbidden_in": {
            "description": (
                "Where the data kinds must not be: training (training pipelines and the stores "
                "they read; PII redaction excuses reading only the kinds the vocabulary marks "
                "identifiable) or storage (any store)."
            ),
            "enum": options(Place),
        },
        "allowed_in": {
            "description": (
                "Where the data kinds are kept for their purpose: training or storage. Evidenced "
                "by a store that holds them."
            ),
            "enum": options(Place),
        },
    },
    "anyOf": [{"required": ["forbidden_in"]}, {"required": ["allowed_in"]}],
    "dependentSchemas": {"forbidden_in": {"not": {"required": ["allowed_in"]}}},
}


# How a change of each field reads in `policy-check diff` (checker.diff.ordering).
DIFF = DiffSpec(
    fields={
        "data_kinds": Scope(facet="data kinds"),
        # Storage holds what training reads: forbidding storage forbids more.
        "forbidden_in": Covers(includes={"storage": ("training",)}, widening="tightens"),
        "allowed_in": Covers(includes={"storage": ("training",)}, widening="loosens"),
    },
    match_on=("data_kinds",),
)


def run(ctx: CheckContext[DataMinimisationClause]) -> Iterator[Observation]:
    kinds = list(ctx.clause["data_kinds"])
    if "allowed_in" in ctx.clause:
        yield from _allowed(ctx, kinds)
    elif ctx.clause.get("forbidden_in") == "storage":
        yield from _forbidden_in_storage(ctx, kinds)
    else:
        yield from _forbidden_in_training(ctx, kinds)


def _allowed(ctx: CheckContext[DataMinimisationClause], kinds: list[str]) -> Iterator[Observation]:
    """Kinds allowed in one place are kept to it: stored-only data never reaches training or a
    recipient; training data never reaches a recipient. Evidenced by a store holding them."""
    place = ctx.clause["allowed_in"]
    expected = f"{words(kinds)} used only for {place}"
    found = False
    for path, store in ctx.section("stores"):
        held = holds_any(store, "data_kinds", kinds)
        if held:
            found = True
            name = store.get("id")
            yield passed(
                f"store:{name}",
                f"store {name} holds {words(held)}",
                expected,
                words(held),
                (*path, "data_kinds"),
            )
    if not found:
        yield no_store_holds(kinds, expected)
    if place == "storage":
        yield from _kept_out_of_training(ctx, kinds, place, expected)
    absent = section_missing(ctx, "recipients", expected)
    if absent is not None:  # nothing says that no recipient receives them
        yield absent
        return
    for path, rec in ctx.section("recipients"):
        shared = holds_any(rec, "data_kinds", kinds)
        if shared:
            name = rec.get("id")
            yield failed(
                f"recipient:{name}",
                f"recipient {name} receives {words(shared)}, "
                f"which the policy keeps for {place} only",
                expected,
                f"receives {words(shared)}",
                (*path, "data_kinds"),
                ("allowed_in",),
            )


def _kept_out_of_training(
    ctx: CheckContext[DataMinimisationClause], kinds: list[str], place: str, expected: str
) -> Iterator[Observation]:
    """No training pipeline reads or emits kinds the policy keeps for storage only."""
    absent = section_missing(ctx, "pipelines", expected)
    if absent is not None:  # nothing says that no training pipeline reads them
        yield absent
        return
    stores = ctx.by_id("stores")
    for path, pipe in training_pipelines(ctx):
        name = pipe.get("id")
        emitted = holds_any(pipe, "data_kinds", kinds)
        read = [
            s
            for s in pipe.get("sources") or ()
            if any(holds_any(store, "data_kinds", kinds) for _, store in stores.get(s, ()))
        ]
        unknown = _unknown_sources(pipe, stores)
        if emitted:
            yield failed(
                f"pipeline:{name}",
                f"training pipeline {name} trains on "
                f"{words(emitted)}, which the policy keeps for {place} only",
                expected,
                f"emits {words(emitted)}",
                (*path, "data_kinds"),
                ("allowed_in",),
            )
        elif read:
            yield failed(
                f"pipeline:{name}",
                f"training pipeline {name} reads "
                f"{words(kinds)} from store {read[0]}, which the policy keeps for "
                f"{place} only",
                expected,
                f"reads {words(read)}",
                (*path, "sources"),
                ("allowed_in",),
            )
        elif unknown:
            i, source = unknown[0]
            yield not_evidenced(
                f"pipeline:{name}",
                f"training pipeline {name} reads {source}, which names no store in the "
                f"snapshot: whether it reads {words(kinds)} is not recorded",
                expected,
                (*path, "sources", i),
            )


def _forbidden_in_storage(
    ctx: CheckContext[DataMinimisationClause], kinds: list[str]
) -> Iterator[Observation]:
    expected = f"{words(kinds)} not stored"
    absent = section_missing(ctx, "stores", expected)
    if absent is not None:
        yield absent
        return
    clean = True
    for path, store in ctx.section("stores"):
        held = holds_any(store, "data_kinds", kinds)
        if held:
            clean = False
            yield failed(
                f"store:{store.get('id')}",
                f"store {store.get('id')} holds {words(held)}",
                expected,
                words(store.get("data_kinds") or ()),
                (*path, "data_kinds"),
                ("forbidden_in",),
            )
    if clean:
        yield passed(
            "stores", f"no store holds {words(kinds)}", expected, "not stored", ("stores",)
        )


def _forbidden_in_training(
    ctx: CheckContext[DataMinimisationClause], kinds: list[str]
) -> Iterator[Observation]:
    expected = f"{words(kinds)} kept out of training data"
    absent = section_missing(ctx, "pipelines", expected)
    if absent is not None:
        yield absent
        return
    stores = ctx.by_id("stores")
    pipelines = training_pipelines(ctx)
    if not pipelines:
        yield passed(
            "pipelines",
            "no pipeline in the snapshot trains models",
            expected,
            "no training pipeline",
            ("pipelines",),
        )
    for path, pipe in pipelines:
        name = pipe.get("id")
        resource = f"pipeline:{name}"
        emitted = holds_any(pipe, "data_kinds", kinds)
        if emitted:
            yield failed(
                resource,
                f"training pipeline {name} emits {words(emitted)} into training data",
                expected,
                words(pipe.get("data_kinds") or ()),
                (*path, "data_kinds"),
                ("forbidden_in",),
            )
            continue
        redacts = REDACTION in (pipe.get("filters") or ())
        # Redaction removes what identifies a person; every other kind stays forbidden.
        kept = [k for k in kinds if not (redacts and k in ctx.vocabulary.identifiable_kinds)]
        read = [
            (spath, store)
            for source in pipe.get("sources") or ()
            for spath, store in stores.get(source, ())  # every store of that id
            if holds_any(store, "data_kinds", kinds)
        ]
        leaks = [(spath, store) for spath, store in read if holds_any(store, "data_kinds", kept)]
        unknown = _unknown_sources(pipe, stores)
        if leaks:
            spath, store = leaks[0]
            source = store.get("id")
            held = holds_any(store, "data_kinds", kept)
            if redacts:
                why = f": PII redaction removes identifiers, not {words(held)}"
            elif all(k in ctx.vocabulary.identifiable_kinds for k in held):
                why = " without PII redaction"
            else:  # redaction would not make these allowed: do not suggest it
                why = ", which the policy keeps out of training"
            yield failed(
                resource,
                f"training pipeline {name} reads {words(held)} from store {source}{why}",
                expected,
                f"{source} holds {words(holds_any(store, 'data_kinds', kinds))}",
                (*spath, "data_kinds"),
                ("forbidden_in",),
            )
        elif unknown and kept:
            i, source = unknown[0]
            yield not_evidenced(
                resource,
                f"training pipeline {name} reads {source}, which names no store in the "
                f"snapshot: whether it reads {words(kept)} is not recorded",
                expected,
                (*path, "sources", i),
            )
        else:
            redacted = bool(read or unknown)
            how = "redacts PII from its sources" if redacted else f"reads no {words(kinds)}"
            yield passed(
                resource,
                f"training pipeline {name} {how}",
                expected,
                how,
                (*path, "filters") if redacted else (*path, "sources"),
            )


def _unknown_sources(
    pipe: Mapping[str, Any], stores: Mapping[Any, object]
) -> list[tuple[int, str]]:
    """The pipeline's sources that name no store, with their indexes."""
    return [(i, s) for i, s in enumerate(pipe.get("sources") or ()) if s not in stores]


CHECK = Check(
    id="data_minimisation",
    order=50,
    area=Area("data_kinds", "Stored data kinds"),
    title="Stored data kinds",
    default_severity=Severity.HIGH,
    description="Which data kinds may or may not be kept, and where.",
    clause_type=DataMinimisationClause,
    schema=SCHEMA,
    vocabulary={"data_kinds": "data_kinds"},
    remediation=(
        "Stop writing the data kinds the promise excludes to this store (drop the field at "
        "ingestion), or move them to a store the policy allows."
    ),
    diff=DIFF,
    run=run,
    doc=__doc__ or "",
)
