"""Waivers: accepted exceptions with an owner, a ticket, an approval date and an expiry date.

A waiver applies to the non-passing findings it matches (check and/or clause, and resource —
``*`` and ``?`` patterns allowed, brackets literal: :mod:`checker.core.patterns`; or
``all_resources: true``) from its approval to its expiry, as of the run's date. Waived findings
keep their place in the results, with the waiver attached. An expired waiver no longer applies
and is reported; so is a waiver approved after the run's date (an earlier date re-checked
must not borrow a later exception) and a waiver that matches nothing.

A waiver cannot hide what it waives. Rules beyond the schema (codes):

* ``waiver-duplicate-id`` — two waivers share an id; the second is reported, naming the line
  of the first.
* ``waiver-expires-before-approval`` — ``expires`` is earlier than ``approved_on``.
* ``waiver-unknown-check`` — ``check`` names no check of this tool (a "did you mean" follows):
  such a waiver could never match, and would only be noticed as unused.
* ``waiver-term-too-long`` — the waiver runs longer, from ``approved_on`` to ``expires``, than
  the policies it may apply to allow (``metadata.waiver_max_term``, one year by default). A
  waiver whose clause names a policy answers to that policy; any other waiver may cover the
  findings of every policy checked, and answers to the shortest term among them. Checked by
  ``check``, which knows the policies; ``validate`` checks a waivers file on its own.

``check`` refuses to run with an invalid waivers file, so that no waiver is silently dropped.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator, Sequence

from checker.checks import CHECKS
from checker.core.diagnostics import Diagnostic, Level
from checker.core.durations import DAY, Duration, parse_duration
from checker.core.patterns import glob
from checker.core.results import Finding, Status, Waiver, WaiverState
from checker.documents.document import Document
from checker.validation.policy_rules import close_match, suggestion

WAIVABLE = (Status.FAIL, Status.NOT_EVIDENCED, Status.ERROR)
DEFAULT_MAX_TERM = parse_duration("1y")

DUPLICATE_ID = "waiver-duplicate-id"
EXPIRES_BEFORE_APPROVAL = "waiver-expires-before-approval"
UNKNOWN_CHECK = "waiver-unknown-check"
UNKNOWN_CLAUSE = "waiver-unknown-clause"
TERM_TOO_LONG = "waiver-term-too-long"


def parse_waivers(doc: Document) -> list[Waiver]:
    """The waivers of a schema-valid waivers document."""
    out = []
    for index, item in enumerate(doc.data.get("waivers") or ()):
        out.append(
            Waiver(
                id=item["id"],
                check=item.get("check"),
                clause=item.get("clause"),
                resource=item.get("resource"),  # None: all_resources (the schema asks for one)
                justification=item["justification"],
                approver=item["approver"],
                ticket=item["ticket"],
                expires=dt.date.fromisoformat(item["expires"]),
                location=doc.locate(("waivers", index)),
                approved_on=dt.date.fromisoformat(item["approved_on"]),
            )
        )
    return out


def waiver_diagnostics(doc: Document) -> list[Diagnostic]:
    """Problems of a schema-valid waivers document that the schema cannot state."""
    diagnostics: list[Diagnostic] = []
    first: dict[str, int] = {}
    for index, item in enumerate(doc.data.get("waivers") or ()):
        earlier = first.setdefault(item["id"], index)
        if earlier != index:
            diagnostics.append(
                Diagnostic(
                    doc.locate(("waivers", index, "id")),
                    f"duplicate waiver id '{item['id']}': the waiver at "
                    f"{_line(doc, ('waivers', earlier))} already uses it; give each waiver "
                    "its own id",
                    DUPLICATE_ID,
                )
            )
        check = item.get("check")
        if check is not None and check not in CHECKS:
            diagnostics.append(
                Diagnostic(
                    doc.locate(("waivers", index, "check")),
                    f"unknown check '{check}'{suggestion(check, sorted(CHECKS))}",
                    UNKNOWN_CHECK,
                )
            )
        approved = dt.date.fromisoformat(item["approved_on"])
        expires = dt.date.fromisoformat(item["expires"])
        if expires < approved:
            diagnostics.append(
                Diagnostic(
                    doc.locate(("waivers", index, "expires")),
                    f"waiver {item['id']} expires on {expires}, before it was approved "
                    f"on {approved}",
                    EXPIRES_BEFORE_APPROVAL,
                )
            )
    return diagnostics


def _line(doc: Document, path: tuple[str, int]) -> str:
    location = doc.locate(path)
    return f"line {location.position.line}" if location.position else location.json_path


@dataclasses.dataclass(frozen=True, slots=True)
class _Term:
    """The longest term one policy allows a waiver."""

    policy_id: str
    term: Duration
    default: bool

    def words(self) -> str:
        days = f"{self.term.seconds // DAY} days" if self.term.seconds is not None else "no limit"
        if self.default:
            days += ", the default"
        return f"{self.policy_id} allows waivers of at most {self.term} ({days})"


def term_diagnostics(doc: Document, policies: Sequence[Document]) -> list[Diagnostic]:
    """Waivers that run longer, from approval to expiry, than the policies they may apply to
    allow. ``policies`` are the schema-valid policies of the run."""
    terms = {term.policy_id: term for term in _terms(policies)}
    diagnostics: list[Diagnostic] = []
    for index, waiver in enumerate(parse_waivers(doc)):
        assert waiver.approved_on is not None
        named = (waiver.clause or "").rpartition("/")[0]
        governing = [terms[named]] if named in terms else list(terms.values())
        if not governing:
            governing = [_Term("the policy", DEFAULT_MAX_TERM, True)]
        strictest = min(governing, key=lambda t: t.term)
        if strictest.term.seconds is None:
            continue
        days = (waiver.expires - waiver.approved_on).days
        if days * DAY <= strictest.term.seconds:
            continue
        latest = waiver.approved_on + dt.timedelta(days=strictest.term.seconds // DAY)
        diagnostics.append(
            Diagnostic(
                doc.locate(("waivers", index, "expires")),
                f"waiver {waiver.id} runs {days} days, from its approval on "
                f"{waiver.approved_on} to {waiver.expires}; {strictest.words()}: set expires "
                f"to {latest} or earlier, and renew the waiver when it runs out",
                TERM_TOO_LONG,
            )
        )
    return diagnostics


def clause_diagnostics(doc: Document, policies: Sequence[Document]) -> list[Diagnostic]:
    """Waivers naming a clause ``<policy-id>/<clause-id>`` of a policy the run checks that
    the policy does not define: misspelt, or renamed or removed since, such a waiver waives
    nothing, and only a warning that it matched nothing would say so. A clause of a policy
    the run does not check may be another run's, and is left to that warning."""
    defined = {
        str((policy.data.get("metadata") or {}).get("id", policy.name)): sorted(
            str(clause["id"])
            for section in CHECKS
            for clause in policy.data.get(section) or ()
            if isinstance(clause, dict) and "id" in clause
        )
        for policy in policies
    }
    diagnostics: list[Diagnostic] = []
    for index, item in enumerate(doc.data.get("waivers") or ()):
        named = item.get("clause")
        policy_id, slash, clause_id = str(named).rpartition("/")
        clauses = defined.get(policy_id) if named is not None and slash else None
        if clauses is None or clause_id in clauses:
            continue
        close = close_match(clause_id, clauses)
        hint = f"; did you mean '{policy_id}/{close}'?" if close is not None else ""
        diagnostics.append(
            Diagnostic(
                doc.locate(("waivers", index, "clause")),
                f"waiver {item['id']} names clause '{named}', which policy {policy_id} does "
                f"not define{hint}",
                UNKNOWN_CLAUSE,
            )
        )
    return diagnostics


def _terms(policies: Sequence[Document]) -> Iterator[_Term]:
    for policy in policies:
        metadata = policy.data.get("metadata") or {}
        written = metadata.get("waiver_max_term")
        term = DEFAULT_MAX_TERM if written is None else parse_duration(written)
        yield _Term(str(metadata.get("id", policy.name)), term, written is None)


def matches(waiver: Waiver, finding: Finding) -> bool:
    if finding.status not in WAIVABLE:
        return False
    if waiver.check is not None and waiver.check != finding.check_id:
        return False
    if waiver.clause is not None and waiver.clause not in (finding.rule_id, finding.clause_id):
        return False
    return waiver.resource is None or glob(waiver.resource, finding.resource)


def apply_waivers(
    findings: list[Finding], waivers: list[Waiver], as_of: dt.date
) -> tuple[list[Finding], list[WaiverState], list[Diagnostic]]:
    """Mark matched findings as waived; report expired and unused waivers."""
    counts = dict.fromkeys((w.id for w in waivers), 0)
    active = [w for w in waivers if w.expires >= as_of and not _approved_later(w, as_of)]
    out = []
    for finding in findings:
        waiver = next((w for w in active if matches(w, finding)), None)
        if waiver is None:
            expired = next((w for w in waivers if w.expires < as_of and matches(w, finding)), None)
            if expired is not None:
                counts[expired.id] += 1
            out.append(finding)
            continue
        counts[waiver.id] += 1
        out.append(dataclasses.replace(finding, status=Status.WAIVED, waiver=waiver))
    states: list[WaiverState] = []
    diagnostics: list[Diagnostic] = []
    for waiver in waivers:
        days = (waiver.expires - as_of).days
        states.append(WaiverState(waiver, counts[waiver.id], days < 0, days))
        if days < 0:
            diagnostics.append(
                Diagnostic(
                    waiver.location,
                    f"waiver {waiver.id} expired on {waiver.expires} (ticket {waiver.ticket}); "
                    f"the {counts[waiver.id]} finding(s) it covered count again",
                    "waiver-expired",
                    Level.WARNING,
                )
            )
        elif _approved_later(waiver, as_of):
            diagnostics.append(
                Diagnostic(
                    waiver.location,
                    f"waiver {waiver.id} was approved on {waiver.approved_on}, after the "
                    f"run's date {as_of}: it applies from its approval on, so the findings "
                    "it would cover count",
                    "waiver-not-yet-approved",
                    Level.WARNING,
                )
            )
        elif counts[waiver.id] == 0:
            diagnostics.append(
                Diagnostic(
                    waiver.location,
                    f"waiver {waiver.id} matches no finding; remove it or fix "
                    "its check, clause or resource",
                    "waiver-unused",
                    Level.WARNING,
                )
            )
    return out, states, diagnostics


def _approved_later(waiver: Waiver, as_of: dt.date) -> bool:
    """Whether the waiver was approved after the run's date, so not yet in force on it."""
    return waiver.approved_on is not None and waiver.approved_on > as_of
