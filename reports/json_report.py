"""JSON results: the documented, versioned format (``policies/schemas/results.schema.json``).

``result_to_dict`` and ``result_from_dict`` are exact inverses, so saved results can be
rendered again later in any format (``policy-check report RESULTS.json``). The document also
carries derived fields for readers that do not recompute them (verdict, exit code, counts per
area, whether each finding blocks); they are ignored when reading back.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from functools import lru_cache
from itertools import chain
from json.encoder import encode_basestring
from typing import Any, TextIO

from checker import __version__
from checker.checks import AREAS
from checker.core.diagnostics import Diagnostic, JsonPath, Level, Location, Position
from checker.core.results import (
    Area,
    Command,
    Comparison,
    DocumentInfo,
    DocumentStatus,
    Finding,
    Novelty,
    PassCount,
    PassedResources,
    Provenance,
    Result,
    Severity,
    Status,
    Waiver,
    WaiverState,
    added_up,
)
from checker.core.spill import pair_pieces
from checker.diff.serial import policy_from_json, policy_to_json
from checker.history.compare import counts as novelty_counts
from reports.base import STATUS_ORDER, Redacted, Reporter

RESULTS_FORMAT = 1

# Characters that are valid JSON but misleading or unsafe when the file is viewed as text:
# C1 controls, bidirectional and invisible formatting, line separators, lone surrogates.
_ESCAPE_IN_JSON = re.compile(
    "[\u0080-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ud800-\udfff]"
)


def _policy_about(document: DocumentInfo) -> dict[str, str]:
    return {
        "owner": document.owner,
        "description": document.description,
        "source": document.source,
    }


def _location_fields(location: Location) -> dict[str, Any]:
    pos = location.position
    return {
        "file": location.file,
        "line": pos.line if pos else None,
        "column": pos.column if pos else None,
        "path": list(location.path),
        "json_path": location.json_path,
    }


# A clause's location is shared by all of its findings (an evidence location seldom is: it is
# written uncached, not looked up in vain).
_location = lru_cache(maxsize=1024)(_location_fields)


def _waiver(waiver: Waiver) -> dict[str, Any]:
    return {
        "id": waiver.id,
        "check": waiver.check,
        "clause": waiver.clause,
        "resource": waiver.resource,
        "justification": waiver.justification,
        "approver": waiver.approver,
        "ticket": waiver.ticket,
        "approved_on": waiver.approved_on.isoformat() if waiver.approved_on else None,
        "expires": waiver.expires.isoformat(),
        "location": _location(waiver.location),
    }


def _finding(finding: Finding, blocking: bool) -> dict[str, Any]:
    row = _finding_fields(finding, blocking)
    if finding.novelty is not None:  # only in a run compared with a baseline or the last run
        row["novelty"] = finding.novelty.value
    return row


def _comparison(comparison: Comparison, findings: list[Finding]) -> dict[str, Any]:
    tally = novelty_counts(findings)
    return {
        "kind": comparison.kind,
        "against": comparison.against,
        **{novelty.value: tally[novelty] for novelty in Novelty},
        "fixed": len(comparison.fixed),
        "previous": {
            finding_id: {"status": status.value, "severity": severity.value}
            for finding_id, (status, severity) in comparison.previous.items()
        },
        "fixed_findings": [_finding_fields(f, False) for f in comparison.fixed],
    }


def _finding_fields(finding: Finding, blocking: bool) -> dict[str, Any]:
    fields = _core_fields(finding, blocking)
    if finding.sources:  # only for clauses that say where they were published
        fields["sources"] = [_source(s) for s in finding.sources]
    if finding.confidence:
        fields["confidence"] = finding.confidence
    return fields


def _source(source: Provenance) -> dict[str, str]:
    return {
        key: value
        for key, value in (
            ("document", source.document),
            ("url", source.url),
            ("date", source.date),
            ("quote", source.quote),
            ("kind", source.kind),
        )
        if value
    }


def _core_fields(finding: Finding, blocking: bool) -> dict[str, Any]:
    return {
        "finding_id": finding.finding_id,
        **_clause_head(finding),
        **_own_fields(finding, blocking),
        **_clause_tail(finding),
    }


# A finding's fields in three runs, in the order rows write them: those it shares with every
# finding of its clause (its ids, area and severity), its own, and the clause's last fields.


def _clause_head(finding: Finding) -> dict[str, Any]:
    return {
        "rule_id": finding.rule_id,
        "policy_id": finding.policy_id,
        "clause_id": finding.clause_id,
        "check_id": finding.check_id,
        "area": finding.area.value,
        "severity": finding.severity.value,
    }


def _own_fields(finding: Finding, blocking: bool) -> dict[str, Any]:
    return {
        "status": finding.status.value,
        "blocking": blocking,
        "promise": finding.promise,
        "resource": finding.resource,
        "system": finding.system,
        "environment": finding.environment,
        "message": finding.message,
        "expected": finding.expected,
        "actual": finding.actual,
        "evidence_location": (
            _location_fields(finding.evidence_location) if finding.evidence_location else None
        ),
    }


def _clause_tail(finding: Finding) -> dict[str, Any]:
    return {
        "policy_location": _location(finding.policy_location),
        "remediation": finding.remediation,
        "references": list(finding.references),
        "waiver": _waiver(finding.waiver) if finding.waiver else None,
    }


def _counts(findings: list[Finding], counted: list[PassCount]) -> dict[str, int]:
    counter = Counter(f.status for f in findings)
    counter[Status.PASS] += sum(c.count for c in counted)
    return {"total": sum(counter.values()), **{s.value: counter[s] for s in STATUS_ORDER}}


def _pass_count(counted: PassCount) -> dict[str, Any]:
    return {
        "rule_id": counted.rule_id,
        "policy_id": counted.policy_id,
        "clause_id": counted.clause_id,
        "check_id": counted.check_id,
        "area": counted.area.value,
        "severity": counted.severity.value,
        "promise": counted.promise,
        "policy_location": _location(counted.policy_location),
        "snapshot": counted.snapshot,
        "count": counted.count,
        # Only when named (--passes resources): older readers see nothing new.
        **({} if counted.resources is None else {"resources": counted.resources.by_resource()}),
    }


def _verdict(result: Result) -> str:
    if result.command is Command.VALIDATE:
        return "valid" if result.compliant else "invalid"
    return "compliant" if result.compliant else "not_compliant"


def result_to_dict(result: Result) -> dict[str, Any]:
    """``result`` as a results document (keys in a fixed order, findings in result order)."""
    return _document(result, rows=_made, counts=_counts_made)


def _document(result: Result, *, rows: _RowMaker, counts: _CountMaker) -> dict[str, Any]:
    """The results document, its findings' rows made by ``rows``, its pass counts' by
    ``counts``."""
    blocking_ids = {id(f) for f in result.blocking()}
    by_area: dict[Area, list[Finding]] = {}
    for finding in result.findings:
        by_area.setdefault(finding.area, []).append(finding)
    counted: dict[Area, list[PassCount]] = {}
    for item in result.pass_counts:
        counted.setdefault(item.area, []).append(item)
    # A check's results say nothing of the command, as before validate wrote this format.
    command = {} if result.command is Command.CHECK else {"command": result.command.value}
    return {
        "results_format": RESULTS_FORMAT,
        "tool": {"name": "policy-checker", "version": __version__},
        **command,
        "generated_at": result.generated_at,
        "as_of": result.as_of.isoformat(),
        "fail_on": result.fail_on.value,
        "verdict": _verdict(result),
        "exit_code": result.exit_code(),
        "summary": {
            **_counts(result.findings, result.pass_counts),
            "blocking": len(blocking_ids),
            "by_area": {
                area.value: _counts(by_area.get(area, []), counted.get(area, []))
                for area in AREAS.values()
                if area in by_area or area in counted
            },
        },
        "documents": [
            {
                "kind": d.kind,
                "file": d.file,
                "id": d.id,
                "title": d.title,
                "version": d.version,
                "date": d.date,
                "system": d.system,
                "environment": d.environment,
                **({} if d.status is None else {"status": d.status.value}),
                # Policies only, and only when set: results of other documents stay as they were.
                **{key: value for key, value in _policy_about(d).items() if value},
            }
            for d in result.documents
        ],
        "diagnostics": [
            {
                "level": d.level.value,
                "code": d.code,
                "message": d.message,
                "location": _location(d.location),
            }
            for d in result.diagnostics
        ],
        "waivers": [
            {
                **_waiver(state.waiver),
                "matched": state.matched,
                "expired": state.expired,
                "expires_in_days": state.expires_in_days,
            }
            for state in result.waivers
        ],
        "findings": rows(result.findings, lambda f: id(f) in blocking_ids),
        "pass_counts": counts(result.pass_counts),
        # Only when a checked policy supersedes one that was found: older readers see nothing new.
        **({"changes": [policy_to_json(d) for d in result.changes]} if result.changes else {}),
        **(
            {"comparison": _comparison(result.comparison, result.findings)}
            if result.comparison is not None
            else {}
        ),
    }


class _Rows:
    """Rows made one at a time as they are iterated, each by the text maker ``make`` gives:
    a results document of millions of findings is written without holding a row for each."""

    __slots__ = ("items", "make")

    def __init__(self, items: Sequence[Any], make: Callable[[], Callable[[Any], str | Row]]):
        self.items, self.make = items, make

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[str | Row]:
        return map(self.make(), self.items)


def _finding_rows(items: Sequence[Finding], blocking: Callable[[Finding], bool]) -> _Rows:
    def make() -> Callable[[Finding], str]:
        encode = _RowText()
        return lambda finding: encode(finding, blocking(finding))

    return _Rows(items, make)


def _count_rows(items: Sequence[PassCount]) -> _Rows:
    return _Rows(items, _CountText)


class _CountText:
    """Pass count rows as the text ``_encode_row`` makes of ``_pass_count(counted)``: all but
    the snapshot and the count are the clause's, encoded once per clause. A run of 10,000
    snapshots has a count for each clause of each snapshot."""

    __slots__ = ("heads",)

    def __init__(self) -> None:
        self.heads: dict[tuple[Any, ...], str] = {}

    def __call__(self, counted: PassCount) -> str | Row:
        key = (
            counted.policy_id,
            counted.clause_id,
            counted.check_id,
            counted.area,
            counted.severity,
            counted.promise,
            # Not hashed (a location hashes its every field): the result holds it while its
            # rows are written, so no other location has its id meanwhile.
            id(counted.policy_location),
        )
        head = self.heads.get(key)
        if head is None:
            row = _pass_count(replace(counted, resources=None))  # the clause's fields only
            del row["snapshot"], row["count"]  # the last two: the head is the rest, in order
            head = self.heads[key] = _encode_row(row)[1:-1]
        snapshot, count = encode_basestring(counted.snapshot), _int_text(counted.count)
        if counted.resources is None:
            return f'{{{head}, "snapshot": {snapshot}, "count": {count}}}'
        return Row(
            chain(
                (f'{{{head}, "snapshot": {snapshot}, "count": {count}, "resources": {{',),
                _resources_text(counted.resources),
                ("}}",),
            )
        )


class Row:
    """A row written as the pieces it is made of, one after the other, each made as it is
    written: a pass count naming a million resources is never one string of tens of
    megabytes, nor the pieces of one."""

    __slots__ = ("pieces",)

    def __init__(self, pieces: Iterable[str]) -> None:
        self.pieces = pieces

    def __iter__(self) -> Iterator[str]:
        return iter(self.pieces)

    def text(self) -> str:
        """The whole row (once: its pieces are made as they are read)."""
        return "".join(self.pieces)


_NAMES_A_PIECE = 1 << 14


def _resources_text(named: PassedResources) -> Iterator[str]:
    """``_encode_row(named.by_resource())[1:-1]`` in pieces, each made at C speed (of at most
    :data:`_NAMES_A_PIECE` resources), without the dictionary when each resource is known to
    be named once (every store of a million, in most promises, as the parts took them): a
    block of names the run wrote out (:mod:`checker.core.spill`) is copied as the process that
    took them made it."""
    if named.known_once():
        pieces: Iterable[str] = named.pair_texts(_NAMES_A_PIECE)
    else:  # one may be named apart twice: its passes added up, the names kept as JSON strings
        found = added_up(named.encoded())
        pieces = pair_pieces(list(found), list(found.values()), _NAMES_A_PIECE)
    first = True
    for piece in pieces:
        if piece:
            yield piece if first else ", " + piece
            first = False


class _RowText:
    """Finding rows as the text ``_encode_row`` makes of ``_finding(finding, blocking)``, written
    a run of fields at a time: rows are most of a results file that lists every pass, and the
    runs a clause's findings share (:func:`_clause_head`, :func:`_clause_tail`) are encoded once
    per clause, so that only a finding's own fields are made into a dict and encoded. A row with
    fields only some findings have (sources, confidence, novelty) is encoded whole."""

    def __init__(self) -> None:
        self.head: tuple[tuple[Any, ...], str] = ((), "")
        self.tail: tuple[tuple[Any, ...], str] = ((), "")
        self.tails: dict[tuple[Any, ...], str] = {}

    def __call__(self, finding: Finding, blocking: bool) -> str:
        if finding.sources or finding.confidence or finding.novelty is not None:
            return _encode_row(_finding(finding, blocking))
        finding_id = encode_basestring(finding.finding_id)
        own = _own_text(finding, blocking)
        return (
            f'{{"finding_id": {finding_id}, {self._head(finding)}, {own}, {self._tail(finding)}}}'
        )

    def _head(self, finding: Finding) -> str:
        key = (
            finding.policy_id,
            finding.clause_id,
            finding.check_id,
            finding.area,
            finding.severity,
        )
        if key != self.head[0]:
            self.head = (key, _encode_row(_clause_head(finding))[1:-1])
        return self.head[1]

    def _tail(self, finding: Finding) -> str:
        # Findings come clause by clause: the last clause's tail, recognised by its parts
        # themselves (no hashing of locations and waivers), is most often the one.
        parts = (finding.policy_location, finding.remediation, finding.references, finding.waiver)
        last, text = self.tail
        if last and (
            last[0] is parts[0]
            and last[1] is parts[1]
            and last[2] is parts[2]
            and last[3] is parts[3]
        ):
            return text
        text = self.tails.get(parts) or _encode_row(_clause_tail(finding))[1:-1]
        self.tails[parts] = text
        self.tail = (parts, text)
        return text


# The JSON text of values as ``_encode_row`` writes them. Strings a clause's findings share
# (promise, system, environment, status) are encoded once; a finding's own are encoded each.
_shared = lru_cache(maxsize=1024)(encode_basestring)


def _own_text(finding: Finding, blocking: bool) -> str:
    """``_encode_row(_own_fields(finding, blocking))`` without its braces, written directly:
    no dict is made for the row, nor for its evidence location, and no general encoder walks
    them (a third of the cost of a row)."""
    evidence = finding.evidence_location
    return (
        f'"status": {_shared(finding.status.value)}, '
        f'"blocking": {"true" if blocking else "false"}, '
        f'"promise": {_shared(finding.promise)}, '
        f'"resource": {encode_basestring(finding.resource)}, '
        f'"system": {_shared(finding.system)}, '
        f'"environment": {_shared(finding.environment)}, '
        f'"message": {encode_basestring(finding.message)}, '
        f'"expected": {encode_basestring(finding.expected)}, '
        f'"actual": {encode_basestring(finding.actual)}, '
        f'"evidence_location": {"null" if evidence is None else _location_text(evidence)}'
    )


def _location_text(location: Location) -> str:
    """``_encode_row(_location_fields(location))``, written directly."""
    pos = location.position
    line, column = ("null", "null") if pos is None else (_int_text(pos.line), _int_text(pos.column))
    path = ", ".join(
        [
            encode_basestring(item) if isinstance(item, str) else _int_text(item)
            for item in location.path
        ]
    )
    return (
        f'{{"file": {_shared(location.file)}, "line": {line}, "column": {column}, '
        f'"path": [{path}], "json_path": {encode_basestring(location.json_path)}}}'
    )


def _int_text(number: int) -> str:
    """An int as the JSON encoder writes it (which tells bools first)."""
    if type(number) is bool:
        return "true" if number else "false"
    return int.__repr__(number)


def _made(items: Sequence[Finding], blocking: Callable[[Finding], bool]) -> Any:
    return [_finding(item, blocking(item)) for item in items]


_RowMaker = Callable[[Sequence[Finding], Callable[[Finding], bool]], Any]


def _counts_made(items: Sequence[PassCount]) -> Any:
    return [_pass_count(item) for item in items]


_CountMaker = Callable[[Sequence[PassCount]], Any]


# --- Reading back ---------------------------------------------------------------------------


def _read_location(data: dict[str, Any]) -> Location:
    line, column = data.get("line"), data.get("column")
    position = Position(int(line), int(column)) if line is not None and column is not None else None
    path: JsonPath = tuple(p if isinstance(p, int) else str(p) for p in data.get("path", ()))
    return Location(str(data["file"]), position, path)


def _read_waiver(data: dict[str, Any]) -> Waiver:
    return Waiver(
        id=str(data["id"]),
        check=data.get("check"),
        clause=data.get("clause"),
        resource=data.get("resource"),
        justification=str(data["justification"]),
        approver=str(data["approver"]),
        ticket=str(data["ticket"]),
        expires=dt.date.fromisoformat(data["expires"]),
        location=_read_location(data["location"]),
        approved_on=dt.date.fromisoformat(approved)
        if (approved := data.get("approved_on"))
        else None,
    )


def _read_finding(data: dict[str, Any]) -> Finding:
    evidence = data.get("evidence_location")
    waiver = data.get("waiver")
    return Finding(
        policy_id=str(data["policy_id"]),
        clause_id=str(data["clause_id"]),
        check_id=str(data["check_id"]),
        area=AREAS[data["area"]],
        severity=Severity(data["severity"]),
        status=Status(data["status"]),
        message=str(data["message"]),
        expected=str(data["expected"]),
        actual=str(data["actual"]),
        resource=str(data["resource"]),
        promise=str(data["promise"]),
        policy_location=_read_location(data["policy_location"]),
        evidence_location=_read_location(evidence) if evidence is not None else None,
        remediation=str(data.get("remediation", "")),
        references=tuple(str(r) for r in data.get("references", ())),
        waiver=_read_waiver(waiver) if waiver is not None else None,
        system=str(data.get("system", "")),
        environment=str(data.get("environment", "")),
        finding_id=str(data.get("finding_id", "")),  # absent before ids: made from the fields
        novelty=Novelty(data["novelty"]) if data.get("novelty") else None,
        sources=tuple(
            Provenance(**{k: str(v) for k, v in source.items() if k in _SOURCE_KEYS})
            for source in data.get("sources", ())
        ),
        confidence=str(data.get("confidence", "")),
    )


_SOURCE_KEYS = ("document", "url", "date", "quote", "kind")


def _read_comparison(data: dict[str, Any]) -> Comparison:
    return Comparison(
        kind=str(data["kind"]),
        against=str(data["against"]),
        fixed=tuple(_read_finding(f) for f in data.get("fixed_findings", ())),
        previous={
            str(finding_id): (Status(before["status"]), Severity(before["severity"]))
            for finding_id, before in data.get("previous", {}).items()
        },
    )


def _read_pass_count(data: dict[str, Any]) -> PassCount:
    return PassCount(
        policy_id=str(data["policy_id"]),
        clause_id=str(data["clause_id"]),
        check_id=str(data["check_id"]),
        area=AREAS[data["area"]],
        severity=Severity(data["severity"]),
        promise=str(data["promise"]),
        policy_location=_read_location(data["policy_location"]),
        snapshot=str(data["snapshot"]),
        count=int(data["count"]),
        resources=_read_resources(data["resources"]) if "resources" in data else None,
    )


def _read_resources(data: dict[str, Any]) -> PassedResources:
    return PassedResources(map(str, data), map(int, data.values()))


def result_from_dict(data: dict[str, Any]) -> Result:
    """The :class:`Result` a results document describes (derived fields are ignored)."""
    return Result(
        as_of=dt.date.fromisoformat(data["as_of"]),
        fail_on=Severity(data.get("fail_on", Severity.LOW.value)),
        findings=[_read_finding(f) for f in data.get("findings", ())],
        diagnostics=[
            Diagnostic(
                _read_location(d["location"]), str(d["message"]), str(d["code"]), Level(d["level"])
            )
            for d in data.get("diagnostics", ())
        ],
        documents=[
            DocumentInfo(
                kind=str(d["kind"]),
                file=str(d["file"]),
                id=str(d["id"]),
                title=str(d.get("title", "")),
                version=str(d.get("version", "")),
                date=str(d.get("date", "")),
                system=str(d.get("system", "")),
                environment=str(d.get("environment", "")),
                status=DocumentStatus(d["status"]) if "status" in d else None,
                owner=str(d.get("owner", "")),
                description=str(d.get("description", "")),
                source=str(d.get("source", "")),
            )
            for d in data.get("documents", ())
        ],
        waivers=[
            WaiverState(
                _read_waiver(w), int(w["matched"]), bool(w["expired"]), int(w["expires_in_days"])
            )
            for w in data.get("waivers", ())
        ],
        generated_at=str(data.get("generated_at", "")),
        pass_counts=[_read_pass_count(c) for c in data.get("pass_counts", ())],
        command=Command(data.get("command", Command.CHECK.value)),
        changes=[policy_from_json(c) for c in data.get("changes", ())],
        comparison=_read_comparison(data["comparison"]) if data.get("comparison") else None,
    )


def _pretty(
    value: Any, indent: str, row_lists: frozenset[str], key: str | None, out: list[str]
) -> None:
    if isinstance(value, dict) and value:
        out.append("{")
        inner = indent + "  "
        for n, (k, v) in enumerate(value.items()):
            out.append(
                ("\n" if n == 0 else ",\n") + inner + json.dumps(k, ensure_ascii=False) + ": "
            )
            if key in row_lists:
                out.append(
                    json.dumps(v, ensure_ascii=False, allow_nan=False, separators=(", ", ": "))
                )
            else:
                _pretty(v, inner, row_lists, k, out)
        out.append("\n" + indent + "}")
    elif isinstance(value, list | _Rows) and value:
        inner = indent + "  "
        out.append("[")
        rows = key in row_lists
        for n, item in enumerate(value):
            lead = ("\n" if n == 0 else ",\n") + inner
            if rows and type(item) is Row:
                out.append(lead)
                for piece in item:
                    out.append(piece)
            elif rows:  # one piece per row: a results file has a million of them
                out.append(lead + (item if isinstance(value, _Rows) else _encode_row(item)))
            else:
                out.append(lead)
                _pretty(item, inner, row_lists, None, out)
        out.append("\n" + indent + "]")
    elif isinstance(value, _Rows):  # none to make
        out.append("[]")
    else:
        out.append(json.dumps(value, ensure_ascii=False, allow_nan=False))


def _row_encoder() -> Callable[[Any], str]:
    """``json.dumps(row, ensure_ascii=False, allow_nan=False, separators=(", ", ": "))``, set up
    once for every row: ``JSONEncoder.encode`` makes its C encoder again at each call, a fifth
    of the cost of a finding's row. Rows are made here and hold no cycles, so the encoder keeps
    no record of the containers it is in."""
    options = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(", ", ": "))
    make: Any = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # an interpreter without the json module's C accelerator
        return options.encode
    encode = make(
        None,  # no check for cycles
        options.default,
        json.encoder.encode_basestring,
        None,  # no indent
        options.key_separator,
        options.item_separator,
        False,  # keys in the order given
        False,  # no key skipped
        False,  # NaN and infinities refused
    )
    return lambda row: "".join(encode(row, 0))


_encode_row = _row_encoder()


def dumps(data: dict[str, Any], row_lists: Iterable[str] = ()) -> str:
    """Deterministic JSON text: UTF-8, keys in the order given, formatting characters escaped.

    Structure is indented; the items of the lists (or mappings) named in ``row_lists``
    (findings, SARIF results…) are written one per line. That keeps large results compact and
    fast to write (the C encoder does the rows), and a diff shows one changed finding as one
    changed line.
    """
    out: list[str] = []
    _pretty(data, "", frozenset(row_lists), None, out)
    return _escaped("".join(out)) + "\n"


def dump(data: dict[str, Any], stream: TextIO, row_lists: Iterable[str] = ()) -> None:
    """:func:`dumps` written to ``stream`` as it is made, the same characters: a results file
    of millions of findings is never held whole as text (nor twice, escaped)."""
    sink = _Flushing(stream)
    _pretty(data, "", frozenset(row_lists), None, sink)
    sink.flush()
    stream.write("\n")


def _escaped(text: str) -> str:
    # Character by character, so escaping the text in pieces gives the same text.
    if _nothing_to_escape(text):
        return text
    return _ESCAPE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


# Latin-1 bytes of characters never escaped: all but the C1 controls (U+0080-U+009F).
_UNESCAPED_LATIN1 = bytes(range(0x80)) + bytes(range(0xA0, 0x100))


def _nothing_to_escape(text: str) -> bool:
    """Whether ``text`` holds no character :data:`_ESCAPE_IN_JSON` matches, answered at C speed
    for the usual text (ASCII, or Latin-1 such as "§"): a few times faster than the search."""
    if text.isascii():
        return True
    try:
        latin1 = text.encode("latin-1")
    except UnicodeEncodeError:  # beyond Latin-1: only the pattern tells
        return False
    return not latin1.translate(None, _UNESCAPED_LATIN1)


class _Flushing(list[str]):
    """The pieces of :func:`_pretty`, written to a stream, escaped, about a megabyte at a time."""

    LIMIT = 1 << 20

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self.stream, self.size = stream, 0

    def append(self, piece: str) -> None:
        super().append(piece)
        self.size += len(piece)
        if self.size >= self.LIMIT:
            self.flush()

    def flush(self) -> None:
        self.stream.write(_escaped("".join(self)))
        self.clear()
        self.size = 0


ROW_LISTS = (
    "by_area",
    "documents",
    "diagnostics",
    "waivers",
    "findings",
    "pass_counts",
    "previous",
    "fixed_findings",
)


class JsonReporter(Reporter):
    """The results document (schema: ``policies/schemas/results.schema.json``)."""

    name = "json"
    order = 20  # place among the --format choices
    extension = ".json"
    description = "machine-readable results (documented, versioned schema)"

    def write(self, redacted: Redacted, stream: TextIO, *, color: bool = False) -> None:
        dump(_document(redacted.result, rows=_finding_rows, counts=_count_rows), stream, ROW_LISTS)
