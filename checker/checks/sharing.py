"""Third-party sharing: who receives data, on what terms, and never as a sale.

Every entry of the snapshot's ``recipients`` is checked against the clause:

* with ``sale: never`` the recipient must record ``sale: false``;
* with ``identifiable_data: never`` it must not receive identifiable data — neither flagged
  ``identifiable: true`` nor any data kind the policy's vocabulary marks ``identifiable``;
  with ``identifiable_data: with_dpa`` identifiable data needs a ``dpa`` among its agreements;
* its ``kind`` must appear in ``allowed_recipients`` (an empty list means nobody may receive
  data), and at least one allowed entry of that kind must be met in full: anonymised data when
  the entry says ``anonymised: true``, every agreement listed, and — when the entry lists
  ``purposes`` — the recipient's ``purpose`` among them.

What a recipient receives is what the pipelines it is ``fed_by`` make of it. When the entry
says ``anonymised: true``, every one of them must apply ``pii_redaction`` and
``anonymisation``; with ``consent_filter: required``, every one must record ``consent_filter:
training_allowed_only``. A recipient such an entry applies to that names no pipeline is *not
evidenced*: the recipient's own ``anonymised: true`` says what is meant, not how it is done.

Each broken term is its own failure. A recipient that does not record a field the clause needs
is *not evidenced*; so is a snapshot without a ``recipients`` list. An empty ``recipients: []``
is evidence that nobody receives data, and passes.

PASS::

    # policy                                  # snapshot
    sharing:                                  recipients:
      - id: research-under-nda                  - id: research-lab
        identifiable_data: never                  kind: research_partner
        sale: never                               data_kinds: [conversations]
        allowed_recipients:                       identifiable: false
          - kind: research_partner                anonymised: true
            anonymised: true                      agreements: [nda]
            agreements: [nda]                     sale: false

FAIL: the same lab with ``agreements: []`` ("research partner research-lab receives
conversations without an NDA"), or an ``advertiser`` recipient, or ``sale: true``, or
``fed_by: [research-extract]`` when that pipeline applies ``filters: [pii_redaction]`` only.

Serves GDPR Art. 28 (processors under contract), Art. 44-46 (transfers under safeguards such
as standard contractual clauses), Art. 5(1)(b) (purpose limitation) and CCPA/CPRA
§1798.120 (the right to opt out of sale).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal, NotRequired, TypedDict

from checker.checks.base import (
    ANONYMISING_FILTERS,
    COUNTED,
    Check,
    CheckContext,
    Clause,
    Schema,
    either,
    failed,
    feeding_pipelines,
    named,
    nearest,
    not_evidenced,
    options,
    passed,
    words,
)
from checker.core.diagnostics import JsonPath
from checker.core.results import Area, Observation, Severity
from checker.diff.ordering import DiffSpec, Members, Ranked

# One clause of the section: the model the check reads, and its JSON Schema fragment.
IdentifiableData = Literal["never", "with_dpa"]
Sale = Literal["never", "allowed"]
RecipientKind = Literal[
    "research_partner", "processor", "analytics", "advertiser", "regulator", "affiliate", "other"
]
Agreement = Literal["nda", "dpa", "scc", "baa"]
Requirement = Literal["required", "not_required"]


class AllowedRecipient(TypedDict):
    kind: RecipientKind
    anonymised: bool
    agreements: list[Agreement]
    purposes: NotRequired[list[str]]
    consent_filter: NotRequired[Requirement]


class SharingClause(Clause):
    identifiable_data: IdentifiableData
    sale: Sale
    allowed_recipients: list[AllowedRecipient]


SCHEMA: Schema = {
    "description": "A promise about third-party recipients.",
    "required": ["identifiable_data", "sale", "allowed_recipients"],
    "properties": {
        "identifiable_data": {
            "description": (
                "never: no recipient receives identifiable data; with_dpa: only recipients with "
                "a data processing agreement do."
            ),
            "enum": options(IdentifiableData),
        },
        "sale": {
            "description": (
                "never: no recipient buys data or receives it for commercial use; allowed: no "
                "requirement."
            ),
            "enum": options(Sale),
        },
        "allowed_recipients": {
            "description": (
                "The kinds of recipient that may receive data and their terms. Empty: nobody may "
                "receive data."
            ),
            "type": "array",
            "items": {"$ref": "#/$defs/allowed_recipient"},
        },
    },
    "$defs": {
        "allowed_recipient": {
            "description": "A kind of recipient that may receive data, and on which terms.",
            "type": "object",
            "additionalProperties": False,
            "required": ["kind", "anonymised", "agreements"],
            "properties": {
                "kind": {
                    "description": (
                        "Kind of recipient allowed: research_partner, processor, analytics, "
                        "advertiser, regulator, affiliate or other."
                    ),
                    "$ref": "#/$defs/recipient_kind",
                },
                "anonymised": {
                    "description": (
                        "Whether data sent to this kind of recipient must be anonymised: the "
                        "recipient records anonymised: true and every pipeline it is fed_by "
                        "applies pii_redaction and anonymisation."
                    ),
                    "type": "boolean",
                },
                "agreements": {
                    "description": (
                        "Agreements the recipient must have signed, all of them: nda, dpa (data "
                        "processing agreement), scc (standard contractual clauses), baa "
                        "(business associate agreement). May be empty."
                    ),
                    "type": "array",
                    "uniqueItems": True,
                    "items": {"description": "An agreement.", "enum": options(Agreement)},
                },
                "purposes": {
                    "description": (
                        "Purposes the recipient may use the data for; its recorded purpose must "
                        "be one of these."
                    ),
                    "type": "array",
                    "minItems": 1,
                    "uniqueItems": True,
                    "items": {
                        "description": "A purpose, e.g. model_improvement.",
                        "$ref": "#/$defs/text",
                    },
                },
                "consent_filter": {
                    "description": (
                        "required: only data of users who allowed training may reach this kind "
                        "of recipient; every pipeline it is fed_by records consent_filter: "
                        "training_allowed_only (default not_required)."
                    ),
                    "enum": options(Requirement),
                },
            },
        },
        "recipient_kind": {"description": "A kind of recipient.", "enum": options(RecipientKind)},
    },
}


# How a change of each field reads in `policy-check diff` (checker.diff.ordering).
DIFF = DiffSpec(
    fields={
        "identifiable_data": Ranked(order=("never", "with_dpa")),
        "sale": Ranked(order=("never", "allowed")),
        "allowed_recipients": Members(adding="loosens"),
    },
)


_KIND_WORDS = {
    "research_partner": "research partner",
    "processor": "processor",
    "analytics": "analytics provider",
    "advertiser": "advertiser",
    "regulator": "regulator",
    "affiliate": "affiliate",
    "other": "recipient",
}
_AGREEMENT_WORDS = {
    "nda": "an NDA",
    "dpa": "a DPA",
    "scc": "standard contractual clauses",
    "baa": "a BAA",
}
_MISSING_WORDS = {
    "kind": "its kind",
    "sale": "whether data is sold to it",
    "identifiable": "whether the data it receives is identifiable",
    "anonymised": "whether the data it receives is anonymised",
    "agreements": "its agreements",
    "purpose": "its purpose",
    "fed_by": "which pipeline feeds it",
}


@dataclass(frozen=True, slots=True)
class _Gap:
    """One unmet term of an allowed-recipient entry."""

    evidence: JsonPath  # the snapshot field that shows it: the recipient's or its pipeline's
    clause_field: str  # the entry field it violates
    phrase: str  # "without an NDA"
    actual: str | None = None  # what a pipeline records; None: the recipient's terms say it


@dataclass(frozen=True, slots=True)
class _Fit:
    """How a recipient measures up to one allowed entry."""

    index: int
    entry: AllowedRecipient
    gaps: tuple[_Gap, ...]
    unknown: tuple[str, ...]


def run(ctx: CheckContext[SharingClause]) -> Iterator[Observation]:
    clause = ctx.clause
    expected = _clause_terms(clause)
    recipients = ctx.snapshot.get("recipients")
    if not isinstance(recipients, list):
        yield not_evidenced(
            "recipients",
            "the snapshot does not record who receives data",
            expected,
            nearest(ctx.snapshot, ("recipients",)),
        )
        return
    if not recipients:
        yield passed(
            "recipients",
            "the snapshot records that no third party receives data",
            expected,
            "no recipients",
            ("recipients",),
        )
        return
    for path, recipient in ctx.section("recipients"):
        yield from _check_recipient(ctx, path, recipient)


def _check_recipient(
    ctx: CheckContext[SharingClause], path: JsonPath, recipient: Mapping[str, Any]
) -> Iterator[Observation]:
    clause = ctx.clause
    name = recipient.get("id")
    resource = f"recipient:{name}"
    kind = recipient.get("kind")
    label = f"{_KIND_WORDS.get(str(kind), 'recipient')} {name}"
    kinds = [k for k in recipient.get("data_kinds") or () if isinstance(k, str)]
    receives = words(kinds) if kinds else "data"
    agreements = _agreements(recipient)
    missing: dict[str, None] = {}
    failures = 0

    if clause["sale"] == "never":
        sale = recipient.get("sale")
        if sale is True:
            failures += 1
            yield failed(
                resource,
                f"{label} receives {receives} as a sale, but the policy forbids selling data",
                "no sale of data",
                "data sold",
                (*path, "sale"),
                ("sale",),
            )
        elif sale is not False:
            missing["sale"] = None

    flag = recipient.get("identifiable")
    marked = [k for k in kinds if k in ctx.vocabulary.identifiable_kinds]
    if flag is True or marked:
        shown = f"identifiable data ({words(marked)})" if marked else "identifiable data"
        evidence = (*path, "identifiable") if flag is True else (*path, "data_kinds")
        if clause["identifiable_data"] == "never":
            failures += 1
            yield failed(
                resource,
                f"{label} receives {shown}, but the policy forbids sharing identifiable data",
                "no identifiable data shared",
                shown,
                evidence,
                ("identifiable_data",),
            )
        elif agreements is None:
            missing["agreements"] = None
        elif "dpa" not in agreements:
            failures += 1
            yield failed(
                resource,
                f"{label} receives {shown} without a DPA",
                "identifiable data only under a DPA",
                f"agreements: {_agreement_list(agreements)}",
                (*path, "agreements"),
                ("identifiable_data",),
            )
    elif flag is not False:
        missing["identifiable"] = None

    allowed = [e for e in clause["allowed_recipients"] if isinstance(e, Mapping)]
    satisfied: _Fit | None = None
    if not isinstance(kind, str):
        missing["kind"] = None
    else:
        fits = [
            _fit(ctx, i, entry, (path, recipient), agreements)
            for i, entry in enumerate(allowed)
            if entry.get("kind") == kind
        ]
        if not fits:
            failures += 1
            allowed_kinds = list(dict.fromkeys(str(e.get("kind")) for e in allowed))
            yield failed(
                resource,
                f"{label} receives {receives}, but recipient kind {kind} "
                "is not allowed to receive data",
                f"a recipient of kind {either(allowed_kinds)}"
                if allowed_kinds
                else "nobody receives data",
                f"kind {kind}",
                (*path, "kind"),
                ("allowed_recipients",),
            )
        else:
            satisfied = next((f for f in fits if not f.gaps and not f.unknown), None)
            open_fit = next((f for f in fits if not f.gaps), None)
            if satisfied is None and open_fit is not None:
                missing.update(dict.fromkeys(open_fit.unknown))
            elif satisfied is None:
                failures += 1
                best = min(fits, key=lambda f: len(f.gaps))
                yield _entry_failure(resource, label, receives, path, recipient, best)

    if missing:
        fields = list(missing)
        yield not_evidenced(
            resource,
            f"the snapshot does not record {words([_MISSING_WORDS.get(f, f) for f in fields])} "
            f"for {label}",
            "recorded " + words(fields),
            path,
        )
    elif not failures and satisfied is not None and ctx.counting:
        yield named(1, resource) if ctx.naming else COUNTED  # a pass: no message made
    elif not failures and satisfied is not None:
        terms = _recipient_terms(recipient, agreements, satisfied.entry)
        yield passed(
            resource,
            f"{label} receives {receives}{terms}, as the policy allows",
            _entry_terms(satisfied.entry),
            _recipient_summary(recipient, agreements),
            path,
        )


def _fit(
    ctx: CheckContext[SharingClause],
    index: int,
    entry: AllowedRecipient,
    at: tuple[JsonPath, Mapping[str, Any]],
    agreements: list[str] | None,
) -> _Fit:
    path, recipient = at
    gaps: list[_Gap] = []
    unknown: list[str] = []
    if entry.get("anonymised") is True:
        anonymised = recipient.get("anonymised")
        if anonymised is False:
            gaps.append(_Gap((*path, "anonymised"), "anonymised", "without anonymisation"))
        elif anonymised is not True:
            unknown.append("anonymised")
        else:  # said anonymised: the pipelines that feed it must do it
            _judge_pipelines(ctx, recipient, "anonymised", _anonymising, gaps, unknown)
    if entry.get("consent_filter") == "required":
        _judge_pipelines(ctx, recipient, "consent_filter", _consenting, gaps, unknown)
    required = [str(a) for a in entry.get("agreements") or ()]
    if required:
        if agreements is None:
            unknown.append("agreements")
        else:
            lacking = [a for a in required if a not in agreements]
            if lacking:
                gaps.append(
                    _Gap(
                        (*path, "agreements"),
                        "agreements",
                        f"without {_agreement_words(lacking)}",
                    )
                )
    purposes = entry.get("purposes")
    if purposes is not None:
        purpose = recipient.get("purpose")
        allowed = [str(p) for p in purposes]
        if not isinstance(purpose, str):
            unknown.append("purpose")
        elif purpose not in allowed:
            gaps.append(
                _Gap(
                    (*path, "purpose"),
                    "purposes",
                    f"for {purpose}, a purpose the policy does not allow (only {either(allowed)})",
                )
            )
    return _Fit(index, entry, tuple(dict.fromkeys(gaps)), tuple(dict.fromkeys(unknown)))


# A term a feeding pipeline must meet: given the pipeline, the gap's field and phrase when it
# does not, None when it does, or the field whose value is not recorded.
PipelineTerm = Callable[[Mapping[str, Any]], "tuple[str, str] | str | None"]


def _judge_pipelines(
    ctx: CheckContext[SharingClause],
    recipient: Mapping[str, Any],
    clause_field: str,
    term: PipelineTerm,
    gaps: list[_Gap],
    unknown: list[str],
) -> None:
    """A recipient's data is what its pipelines make of it: with none linked, nothing says how
    it was prepared; each linked pipeline must meet the term."""
    pipelines = feeding_pipelines(ctx, recipient)
    if not pipelines:
        unknown.append("fed_by")
    for pipe_path, pipe in pipelines:
        verdict = term(pipe)
        if isinstance(verdict, tuple):
            field, phrase = verdict
            value = pipe.get(field)
            shown = (words([str(v) for v in value]) or "none") if isinstance(value, list) else value
            gaps.append(
                _Gap(
                    (*pipe_path, field),
                    clause_field,
                    f"from pipeline {pipe.get('id')}, which {phrase}",
                    f"pipeline {pipe.get('id')}: {field} {shown}",
                )
            )
        elif isinstance(verdict, str):
            unknown.append(f"the {verdict} of pipeline {pipe.get('id')}")


def _anonymising(pipe: Mapping[str, Any]) -> tuple[str, str] | str | None:
    if not isinstance(pipe.get("filters"), list):
        return "filters"
    lacking = [f for f in ANONYMISING_FILTERS if f not in pipe["filters"]]
    return ("filters", f"does not apply {words(lacking)}") if lacking else None


def _consenting(pipe: Mapping[str, Any]) -> tuple[str, str] | str | None:
    value = pipe.get("consent_filter")
    if value is None:
        return "consent_filter"
    if value != "training_allowed_only":
        return ("consent_filter", "does not drop the data of users who did not allow training")
    return None


def _entry_failure(
    resource: str,
    label: str,
    receives: str,
    path: JsonPath,
    recipient: Mapping[str, Any],
    fit: _Fit,
) -> Observation:
    actual = _recipient_summary(recipient, _agreements(recipient))
    if len(fit.gaps) == 1:
        gap = fit.gaps[0]
        evidence: JsonPath = gap.evidence
        clause_path: JsonPath = ("allowed_recipients", fit.index, gap.clause_field)
        actual = gap.actual or actual
    else:
        evidence = path
        clause_path = ("allowed_recipients", fit.index)
    return failed(
        resource,
        f"{label} receives {receives} {words([g.phrase for g in fit.gaps])}",
        _entry_terms(fit.entry),
        actual,
        evidence,
        clause_path,
    )


def _agreements(recipient: Mapping[str, Any]) -> list[str] | None:
    value = recipient.get("agreements")
    if not isinstance(value, list):
        return None
    return [str(a) for a in value]


def _agreement_words(agreements: list[str]) -> str:
    return words([_AGREEMENT_WORDS.get(a, a) for a in agreements])


def _agreement_list(agreements: list[str]) -> str:
    return words([a.upper() for a in agreements])


def _clause_terms(clause: SharingClause) -> str:
    parts = []
    if clause["sale"] == "never":
        parts.append("no sale")
    if clause["identifiable_data"] == "never":
        parts.append("no identifiable data")
    else:
        parts.append("identifiable data only under a DPA")
    parts.append("only the recipients the policy allows")
    return "; ".join(parts)


def _entry_terms(entry: AllowedRecipient) -> str:
    kind = str(entry.get("kind"))
    text = f"{_KIND_WORDS.get(kind, kind)} receives "
    text += "anonymised data" if entry.get("anonymised") is True else "data"
    if entry.get("consent_filter") == "required":
        text += " of users who allowed training"
    agreements = [str(a) for a in entry.get("agreements") or ()]
    if agreements:
        text += f" under {_agreement_words(agreements)}"
    purposes = entry.get("purposes")
    if purposes is not None:
        text += f" for {either([str(p) for p in purposes])}"
    return text


def _recipient_terms(
    recipient: Mapping[str, Any], agreements: list[str] | None, entry: AllowedRecipient
) -> str:
    parts = []
    if recipient.get("anonymised") is True:
        parts.append("anonymised")
    if agreements:
        parts.append(f"under {_agreement_words(agreements)}")
    if entry.get("purposes") is not None and isinstance(recipient.get("purpose"), str):
        parts.append(f"for {recipient['purpose']}")
    return " " + ", ".join(parts) if parts else ""


def _recipient_summary(recipient: Mapping[str, Any], agreements: list[str] | None) -> str:
    anonymised = recipient.get("anonymised")
    parts = [
        "anonymised"
        if anonymised is True
        else "not anonymised"
        if anonymised is False
        else "anonymisation not recorded",
        "agreements: " + ("not recorded" if agreements is None else _agreement_list(agreements)),
    ]
    if isinstance(recipient.get("purpose"), str):
        parts.append(f"purpose: {recipient['purpose']}")
    return "; ".join(parts)


CHECK = Check(
    id="sharing",
    order=90,
    area=Area("sharing", "Third-party sharing"),
    title="Third-party sharing",
    default_severity=Severity.CRITICAL,
    description=(
        "Who outside the company may receive data, on which terms, and whether data is sold."
    ),
    clause_type=SharingClause,
    schema=SCHEMA,
    remediation=(
        "Stop sending identifiable data to the recipient: anonymise it first, sign the required"
        " agreement (NDA or DPA), or end the transfer; never sell data."
    ),
    diff=DIFF,
    run=run,
    doc=__doc__ or "",
    loops_over_stores=False,
)
