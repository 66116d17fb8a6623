"""Policies and clauses in force: ``checker/evaluation/in_force.py`` and how the engine,
``check`` and ``validate`` treat what is not in force as of the run's date."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest

from checker.core.results import Result, Severity, Status
from checker.documents import DEFAULT_LIMITS
from checker.documents.document import Document
from checker.documents.yaml_loader import load_yaml
from checker.evaluation.engine import evaluate
from checker.evaluation.in_force import (
    NO_LONGER_IN_FORCE,
    NOT_IN_FORCE,
    NOT_YET_IN_FORCE,
    NOTHING_IN_FORCE,
    Period,
    not_in_force_notices,
    validation_warnings,
)
from checker.validation.validator import validate_document
from reports import get_reporter

POLICY = """\
policy_checker: 2
metadata:
  id: terms
  title: "Terms"
  version: "2.0"
  effective: "{effective}"
  owner: "privacy team"{expires}
vocabulary:
  tier_groups:
    consumer: {{tiers: [free]}}
  data_kinds:
    conversations: {{description: "chat transcripts"}}
retention:
  - id: opted-out-30d
    statement: "If you do not allow training, your chats are kept up to 30 days."
    data_kinds: [conversations]
    consent_state: training_not_allowed
    max: 30d{clause}
"""

SNAPSHOT = """\
snapshot_format: 1
metadata: {system: chat, environment: production, taken_at: "2026-11-01"}
stores:
  - id: chats
    data_kinds: [conversations]
    retention: {training_not_allowed: 90d}
  - id: cache
    data_kinds: [conversations]
"""

AS_OF = dt.date(2026, 11, 21)
DAY = dt.timedelta(days=1)


def policy(effective: str = "2026-01-01", expires: str = "", clause: str = "") -> Document:
    text = POLICY.format(
        effective=effective,
        expires=f'\n  expires: "{expires}"' if expires else "",
        clause=clause,
    )
    return load_yaml(text, "policy.yaml", DEFAULT_LIMITS)


def current() -> Document:
    """Another policy, in force as of AS_OF: a run that also checks it judges a promise that
    binds, so the not-in-force one is only shown."""
    text = POLICY.format(effective="2026-01-01", expires="", clause="").replace(
        "id: terms", "id: current"
    )
    return load_yaml(text, "current.yaml", DEFAULT_LIMITS)


def snapshot(name: str = "snapshot.yaml") -> Document:
    return load_yaml(SNAPSHOT, name, DEFAULT_LIMITS)


@pytest.mark.parametrize(
    ("period", "day", "reason"),
    [
        (Period(dt.date(2026, 11, 21)), AS_OF, None),  # in force on its first day
        (Period(dt.date(2026, 11, 22)), AS_OF, "not in force until 2026-11-22"),
        (Period(None, dt.date(2026, 11, 21)), AS_OF, None),  # and on its last
        (Period(None, dt.date(2026, 11, 20)), AS_OF, "no longer in force after 2026-11-20"),
        (Period(), AS_OF, None),
    ],
)
def test_a_period_includes_both_bounds(period: Period, day: dt.date, reason: str | None) -> None:
    outside = period.outside(day)
    assert (outside.reason if outside else None) == reason


@pytest.mark.parametrize(
    ("a", "b", "overlap"),
    [
        (Period(None, AS_OF), Period(AS_OF + DAY), False),
        (Period(None, AS_OF), Period(AS_OF), True),  # one day in common
        (Period(AS_OF), Period(None, AS_OF - DAY), False),
        (Period(), Period(AS_OF, AS_OF), True),
    ],
)
def test_periods_overlap_when_a_day_lies_in_both(a: Period, b: Period, overlap: bool) -> None:
    assert a.overlaps(b) is overlap
    assert b.overlaps(a) is overlap


def test_findings_of_a_policy_not_yet_in_force_are_shown_but_never_block() -> None:
    result = evaluate([policy(effective="2027-01-01")], [snapshot()], as_of=AS_OF)
    assert [(f.status, f.severity, f.message) for f in result.findings] == [
        (
            Status.FAIL,
            Severity.INFO,
            "not in force until 2027-01-01: store chats keeps training_not_allowed "
            "conversations for 90d, longer than the 30d the policy allows",
        ),
        (
            Status.NOT_EVIDENCED,
            Severity.INFO,
            "not in force until 2027-01-01: store cache holds conversations but records no "
            "retention window",
        ),
    ]
    assert not [f for f in result.blocking() if f.policy_id == "terms"]
    # Nothing else in force: the run judged no promise that binds, and is not compliant.
    assert [(d.code, d.level.value) for d in result.diagnostics] == [
        (NOT_IN_FORCE, "warning"),
        (NOTHING_IN_FORCE, "error"),
    ]
    assert not result.compliant and result.exit_code() == 1
    assert str(result.diagnostics[1]) == (
        "policy.yaml:6:14: error: no promise is in force as of 2026-11-21: every policy and "
        "clause checked is outside its period, so this run judges nothing that binds then and "
        "is not compliant; check as of a day they are in force (--as-of), or name the policies "
        "in force (at $.metadata.effective)"
    )


def test_a_policy_not_yet_in_force_beside_one_in_force_blocks_nothing() -> None:
    result = evaluate([policy(effective="2027-01-01"), current()], [snapshot()], as_of=AS_OF)
    assert {f.policy_id for f in result.blocking()} == {"current"}
    assert [d.code for d in result.diagnostics] == [NOT_IN_FORCE]


def test_a_clause_in_force_is_enough_to_judge_a_promise() -> None:
    """One clause of the policy outside its period and another in it: the run judges a
    promise that binds, and says only that the first is not in force."""
    ended = '\n    expires: "2026-01-31"'
    second = (
        '\n  - id: still-30d\n    statement: "Kept up to 30 days."\n'
        "    data_kinds: [conversations]\n    consent_state: training_not_allowed\n    max: 30d"
    )
    assert [d.code for d in not_in_force_notices([policy(clause=ended)], AS_OF)] == [
        NOT_IN_FORCE,
        NOTHING_IN_FORCE,
    ]
    assert [d.code for d in not_in_force_notices([policy(clause=ended + second)], AS_OF)] == [
        NOT_IN_FORCE
    ]


def test_the_same_policy_in_force_blocks() -> None:
    result = evaluate([policy(effective="2026-11-21")], [snapshot()], as_of=AS_OF)
    assert {f.severity for f in result.findings} == {Severity.HIGH}
    assert not result.compliant
    assert not [d for d in result.diagnostics if d.code == NOT_IN_FORCE]


def test_findings_of_an_expired_policy_are_info() -> None:
    result = evaluate([policy(expires="2026-11-20")], [snapshot()], as_of=AS_OF)
    assert {f.severity for f in result.findings} == {Severity.INFO}
    assert result.findings[0].message.startswith("no longer in force after 2026-11-20: store")
    assert not result.blocking()
    assert [d.code for d in result.diagnostics] == [NOT_IN_FORCE, NOTHING_IN_FORCE]


def test_a_clause_has_its_own_period() -> None:
    later = policy(clause='\n    effective: "2026-12-01"')
    result = evaluate([later], [snapshot()], as_of=AS_OF)
    assert {f.severity for f in result.findings} == {Severity.INFO}
    assert result.findings[0].message.startswith("not in force until 2026-12-01: store chats")
    assert evaluate([later], [snapshot()], as_of=dt.date(2026, 12, 1)).exit_code() == 1


def test_the_notice_is_said_once_per_policy_whatever_the_number_of_snapshots() -> None:
    result = evaluate(
        [policy(effective="2027-01-01")], [snapshot("a.yaml"), snapshot("b.yaml")], as_of=AS_OF
    )
    said = [str(d) for d in result.diagnostics if d.code == NOT_IN_FORCE]
    assert said == [
        "policy.yaml:6:14: warning: policy terms is not in force until 2027-01-01 (as of "
        "2026-11-21): its findings are shown as info and do not block (at $.metadata.effective)"
    ]
    assert len(result.findings) == 4


def test_a_clause_notice_points_at_the_clause_field() -> None:
    said = not_in_force_notices([policy(clause='\n    expires: "2026-01-31"'), current()], AS_OF)
    assert [(d.code, d.location.json_path, d.message) for d in said] == [
        (
            NOT_IN_FORCE,
            "$.retention[0].expires",
            "clause opted-out-30d of policy terms is no longer in force after 2026-01-31 "
            "(as of 2026-11-21): its findings are shown as info and do not block",
        )
    ]


def test_a_policy_not_in_force_says_it_alone_not_each_clause() -> None:
    said = not_in_force_notices(
        [policy(effective="2027-01-01", clause='\n    effective: "2027-06-01"'), current()], AS_OF
    )
    assert [d.location.json_path for d in said] == ["$.metadata.effective"]


def test_validate_warns_of_a_policy_or_clause_not_in_force() -> None:
    doc = policy(effective="2027-01-01", clause='\n    expires: "2026-01-31"')
    assert [
        (d.code, d.level.value, d.location.json_path) for d in validation_warnings(doc, AS_OF)
    ] == [
        (NOT_YET_IN_FORCE, "warning", "$.metadata.effective"),
        (NO_LONGER_IN_FORCE, "warning", "$.retention[0].expires"),
    ]
    assert validation_warnings(policy(), AS_OF) == []


@pytest.mark.parametrize(
    ("expires", "clause", "where"),
    [
        ("2025-12-31", "", "$.metadata.expires"),
        ("", '\n    expires: "2025-12-31"', "$.retention[0].expires"),  # before the policy's start
        ("", '\n    effective: "2026-06-01"\n    expires: "2026-05-31"', "$.retention[0].expires"),
    ],
)
def test_a_period_that_ends_before_it_starts_is_an_error(
    expires: str, clause: str, where: str
) -> None:
    found = validate_document(policy(expires=expires, clause=clause), "policy")
    assert [(d.code, d.location.json_path) for d in found] == [
        ("semantic-expires-before-effective", where)
    ]


# --- reports ---------------------------------------------------------------------------------


def _report(name: str, result: Result) -> str:
    stream = io.StringIO()
    get_reporter(name).render(result, stream)
    return stream.getvalue()


@pytest.fixture(scope="module")
def early() -> Result:
    return evaluate([policy(effective="2027-01-01"), current()], [snapshot()], as_of=AS_OF)


NOTICE = "policy terms is not in force until 2027-01-01 (as of 2026-11-21)"


def test_markdown_shows_the_notice_apart_from_input_problems(early: Result) -> None:
    out = _report("markdown", early)
    section = out.split("### Not in force (1)\n\n", 1)[1].split("\n\n", 1)[0]
    assert section.startswith(f"- {NOTICE}: its findings are shown as info")
    assert "Input problems" not in out


def test_html_shows_the_notice_in_its_own_section(early: Result) -> None:
    out = _report("html", early)
    section = out.split('<section id="not-in-force">', 1)[1].split("</section>", 1)[0]
    assert NOTICE in section and "policy.yaml:6:14" in section
    assert '<a href="#not-in-force">Not in force (1)</a>' in out
    assert 'id="inputs"' not in out


def test_sarif_and_text_carry_the_notice_as_a_warning(early: Result) -> None:
    sarif = json.loads(_report("sarif", early))
    [note] = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert (note["level"], note["descriptor"]["id"]) == ("warning", NOT_IN_FORCE)
    assert NOTICE in note["message"]["text"]
    text = _report("text", early)
    assert text.splitlines()[0].startswith(f"policy.yaml:6:14: warning: {NOTICE}")
    assert "[info] fail: not in force until 2027-01-01: store chats" in text
