"""The JSON results are written as they are made, and are the same text as made whole."""

from __future__ import annotations

import dataclasses
import io
import json
from collections.abc import Callable
from random import Random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.checks import AREAS
from checker.core.diagnostics import Location, Position
from checker.core.results import (
    Finding,
    Novelty,
    PassCount,
    PassedResources,
    Provenance,
    Result,
    Severity,
    Status,
)
from reports import get_reporter, json_report
from reports.base import Redacted
from reports.json_report import ROW_LISTS, dump, dumps, result_to_dict
from tests.report_fixtures import counted_result, empty_result, hostile_result, mixed_result

# Rows with characters the writer escapes (a line separator, a bidi override, a lone
# surrogate), enough of them to be written in several pieces.
DATA = {
    "verdict": "not_compliant",
    "findings": [
        {"message": f"row {n}: \u2028 \u202e \ud800 plain", "line": n, "ok": n % 2 == 0}
        for n in range(400)
    ],
    "summary": {"total": 400, "nested": {"empty": [], "none": None}},
    "pass_counts": [],
}


@pytest.mark.parametrize("limit", [1, 97, 1 << 20])
def test_written_as_made_is_the_same_text_as_made_whole(
    monkeypatch: pytest.MonkeyPatch, limit: int
) -> None:
    monkeypatch.setattr(json_report._Flushing, "LIMIT", limit)
    stream = io.StringIO()
    dump(DATA, stream, ROW_LISTS)
    assert stream.getvalue() == dumps(DATA, ROW_LISTS)
    assert "\\u2028" in stream.getvalue() and "\u2028" not in stream.getvalue()
    assert json.loads(stream.getvalue()) == DATA


def test_written_a_piece_at_a_time() -> None:
    """A large document reaches the stream before it is finished, never as one string."""
    writes: list[int] = []

    class Recording(io.StringIO):
        def write(self, text: str) -> int:
            writes.append(len(text))
            return super().write(text)

    data = {"findings": [{"message": "x" * 1000, "n": n} for n in range(3000)]}
    dump(data, Recording(), ROW_LISTS)
    assert len(writes) > 2
    assert max(writes) < 2 * json_report._Flushing.LIMIT


@pytest.mark.parametrize(
    "make", [mixed_result, counted_result, empty_result, hostile_result], ids=lambda f: f.__name__
)
def test_the_report_makes_its_rows_as_it_writes_them_and_is_the_results_document(
    make: Callable[[], Result],
) -> None:
    redacted = Redacted.of(make())
    stream = io.StringIO()
    get_reporter("json").render(redacted, stream)
    assert stream.getvalue() == dumps(result_to_dict(redacted.result), ROW_LISTS)


def test_rows_sharing_a_clause_are_the_text_of_their_own_fields() -> None:
    """Rows of one clause that differ in the fields encoded once per clause (its ids, area and
    severity; where it is written, remediation, references, waiver) or in what follows them
    keep their own text, also when the clause's rows alternate with another's."""
    result = mixed_result()
    waived = next(f for f in result.findings if f.waiver is not None)
    first = result.findings[0]
    elsewhere = Location(first.policy_location.file, Position(99, 3), ("retention", 7))
    variants = [
        first,
        dataclasses.replace(first, resource="store:other"),
        dataclasses.replace(first, resource="store:moved", policy_location=elsewhere),
        dataclasses.replace(first, resource="store:fixed", remediation="Another fix."),
        dataclasses.replace(first, resource="store:cited", references=("GDPR Art. 5",)),
        dataclasses.replace(first, resource="store:waived", waiver=waived.waiver),
        dataclasses.replace(first, resource="store:new", novelty=Novelty.NEW),
        dataclasses.replace(first, resource="store:sourced", sources=(Provenance("ToS"),)),
        dataclasses.replace(first, resource="store:sure", confidence="high"),
        first,
        dataclasses.replace(first, resource="store:warned", severity=Severity.INFO),
        dataclasses.replace(first, resource="store:other-clause", clause_id="other"),
        first,
        dataclasses.replace(first, resource="store:other-check", check_id="security"),
        dataclasses.replace(first, resource="store:no-evidence", evidence_location=None),
        dataclasses.replace(first, resource="store:blocking", status=Status.FAIL),
        first,
    ]
    result.findings = variants
    redacted = Redacted.of(result)
    stream = io.StringIO()
    get_reporter("json").render(redacted, stream)
    assert stream.getvalue() == dumps(result_to_dict(redacted.result), ROW_LISTS)
    rows = json.loads(stream.getvalue())["findings"]
    assert [row["resource"] for row in rows] == [f.resource for f in variants]
    assert rows[2]["policy_location"]["line"] == 99 and rows[3]["remediation"] == "Another fix."


def test_the_quick_escape_check_never_lets_through_what_the_pattern_escapes() -> None:
    """Text passed unescaped by the quick check is text the pattern leaves alone, and the check
    is exact for Latin-1 text (the usual text, where it must answer without the pattern)."""
    characters = [chr(c) for c in range(0x10000)] + ["\U0001f600", "\U0010ffff"]
    for char in characters:
        for text in (char, f"§ plain {char} text"):
            plain = json_report._ESCAPE_IN_JSON.search(text) is None
            quick = json_report._nothing_to_escape(text)
            if ord(char) < 0x100:
                assert quick == plain, repr(text)
            else:
                assert plain or not quick, repr(text)
    assert json_report._escaped("§ \x85 \u2028 \u0100") == "§ \\u0085 \\u2028 \u0100"


TEXTS = st.text(st.characters(), max_size=12) | st.sampled_from(["", "\u2028", "\ud800", '"\\'])
PATHS = st.lists(st.integers(min_value=0, max_value=10**6) | TEXTS, max_size=5).map(tuple)
LOCATIONS = st.builds(
    Location,
    TEXTS,
    st.none() | st.builds(Position, st.integers(1, 10**6), st.integers(1, 999)),
    PATHS,
)


@settings(max_examples=300, deadline=None)
@given(
    finding=st.builds(
        dataclasses.replace,
        st.sampled_from(mixed_result().findings),
        status=st.sampled_from(Status),
        promise=TEXTS,
        resource=TEXTS,
        system=TEXTS,
        environment=TEXTS,
        message=TEXTS,
        expected=TEXTS,
        actual=TEXTS,
        evidence_location=st.none() | LOCATIONS,
    ),
    blocking=st.booleans(),
)
def test_a_row_written_directly_is_the_text_of_its_fields(finding: Finding, blocking: bool) -> None:
    """The fields of a row written without the general encoder (the bulk of a results file
    that lists every pass) are the text it makes of them, whatever they hold."""
    expected = json_report._encode_row(json_report._finding(finding, blocking))
    assert json_report._RowText()(finding, blocking) == expected


COUNTS = st.builds(
    PassCount,
    policy_id=TEXTS,
    clause_id=TEXTS,
    check_id=st.sampled_from(["retention", "security"]),
    area=st.sampled_from(list(AREAS.values())),
    severity=st.sampled_from(Severity),
    promise=TEXTS,
    policy_location=LOCATIONS,
    snapshot=TEXTS,
    count=st.integers(min_value=1, max_value=10**12),
    # Names of passing resources, some named twice apart (their passes are added up).
    resources=st.none()
    | st.lists(st.tuples(TEXTS | st.sampled_from(["store:a", "store:b"]), st.integers(1, 300)))
    .filter(bool)
    .map(lambda pairs: PassedResources([n for n, _ in pairs], [t for _, t in pairs])),
)


@settings(max_examples=200, deadline=None)
@given(counts=st.lists(COUNTS, max_size=6), order=st.randoms(use_true_random=False))
def test_pass_count_rows_written_directly_are_the_text_of_their_fields(
    counts: list[PassCount], order: Random
) -> None:
    """A clause's fields are encoded once for all its counts; each row is still the text of
    its own fields, when counts of one clause (the same location, or an equal one made apart)
    differ in their snapshot or count, and whatever their order."""
    rows = list(counts)
    for counted in counts:
        rows.append(dataclasses.replace(counted, snapshot=f"{counted.snapshot}-2", count=7))
        copy = dataclasses.replace(counted.policy_location)
        rows.append(dataclasses.replace(counted, policy_location=copy, count=counted.count + 1))
    order.shuffle(rows)
    make = json_report._CountText()
    made = [make(row) for row in rows]
    texts = [m.text() if isinstance(m, json_report.Row) else m for m in made]
    assert texts == [json_report._encode_row(json_report._pass_count(row)) for row in rows]


@pytest.mark.parametrize("twice", [False, True])
def test_a_count_naming_many_resources_is_written_in_pieces_of_its_text(twice: bool) -> None:
    """Forty thousand names are three pieces, each made as it is written; together they are
    the encoder's text of the row, a resource named twice apart with its passes added up."""
    names = [f"store:s-{i:06d}\u00e9\u2028" for i in range(40_000)]
    if twice:
        names.append(names[7])
    counted = dataclasses.replace(
        counted_result().pass_counts[0],
        count=len(names),
        resources=PassedResources(names, [1] * len(names)),
    )
    made = json_report._CountText()(counted)
    assert isinstance(made, json_report.Row)
    pieces = list(made)
    assert len(pieces) >= 4 and max(map(len, pieces)) < 1 << 20
    assert "".join(pieces) == json_report._encode_row(json_report._pass_count(counted))
    written = io.StringIO()
    json_report.dump({"pass_counts": json_report._count_rows([counted])}, written, ["pass_counts"])
    assert json.loads(written.getvalue())["pass_counts"][0]["resources"][names[7]] == 1 + twice
