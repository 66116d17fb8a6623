"""Breach notification: ``checker/checks/breach_notification.py``.

Each case is a clause and a snapshot, and the exact observations expected.
"""

from __future__ import annotations

from typing import Any

import pytest

from checker.checks import breach_notification
from checker.checks.base import Vocabulary
from checker.core.results import Severity
from tests.checks.support import (
    Case,
    F,
    N,
    P,
    Where,
    assert_declared,
    changed,
    ids,
    observe,
    triples,
)


def test_declaration() -> None:
    assert_declared(breach_notification.CHECK, "breach_notification", "breach", Severity.CRITICAL)


USERS_72H: dict[str, Any] = {
    "id": "notify-users-72h",
    "statement": "users told within 72 hours",
    "audience": "users",
    "within": "72h",
}
REGULATORS_72H = changed(USERS_72H, id="notify-regulators", audience="regulators")
IR = "incident_response"


def response(**fields: str) -> dict[str, Any]:
    return {"incident_response": fields}


BREACH_CASES = [
    Case(
        "on-time-passes",
        USERS_72H,
        response(notify_users_within="72h"),
        [
            (P, IR, "affected users are notified of a breach within 72h"),
        ],
    ),
    Case(
        "same-time-other-units-passes",
        USERS_72H,
        response(notify_users_within="P3D"),
        [
            (P, IR, "affected users are notified of a breach within P3D"),
        ],
    ),
    Case(
        "late-fails",
        USERS_72H,
        response(notify_users_within="96h"),
        [
            (
                F,
                IR,
                "affected users are notified of a breach within 96h, later than the 72h the "
                "policy requires",
            ),
        ],
    ),
    Case(
        "no-deadline-fails",
        USERS_72H,
        response(notify_users_within="indefinite"),
        [
            (
                F,
                IR,
                "no deadline is set for notifying affected users of a breach; the policy "
                "requires 72h",
            ),
        ],
    ),
    Case(
        "audience-picks-the-field",
        REGULATORS_72H,
        response(notify_users_within="24h", notify_regulators_within="5d"),
        [
            (
                F,
                IR,
                "regulators are notified of a breach within 5d, later than the 72h the policy "
                "requires",
            ),
        ],
    ),
    Case(
        "field-not-recorded",
        REGULATORS_72H,
        response(notify_users_within="24h"),
        [
            (N, IR, "the snapshot does not record how quickly regulators are notified of a breach"),
        ],
    ),
    Case(
        "field-not-a-duration",
        USERS_72H,
        response(notify_users_within="asap"),
        [
            (
                N,
                IR,
                "the snapshot does not record how quickly affected users are notified of a "
                "breach ('asap' is not a duration)",
            ),
        ],
    ),
    Case(
        "no-incident-response",
        USERS_72H,
        {},
        [
            (N, IR, "the snapshot records no incident response settings"),
        ],
    ),
]


@pytest.mark.parametrize("case", BREACH_CASES, ids=ids(BREACH_CASES))
def test_breach_notification(case: Case) -> None:
    assert triples(observe(breach_notification.CHECK, case.clause, case.snapshot)) == case.expected


BREACH_WHERE = [
    Where(
        "late",
        USERS_72H,
        response(notify_users_within="96h"),
        ("incident_response", "notify_users_within"),
        ("within",),
        "affected users notified within 72h",
        "within 96h",
    ),
    Where(
        "missing-field",
        USERS_72H,
        response(),
        ("incident_response",),
        (),
        "affected users notified within 72h",
        "not recorded in the snapshot",
    ),
    Where(
        "missing-section",
        USERS_72H,
        {},
        (),
        (),
        "affected users notified within 72h",
        "not recorded in the snapshot",
    ),
]


@pytest.mark.parametrize("case", BREACH_WHERE, ids=ids(BREACH_WHERE))
def test_breach_notification_points_at_the_evidence(case: Where) -> None:
    [obs] = observe(breach_notification.CHECK, case.clause, case.snapshot)
    assert (obs.evidence, obs.clause_path, obs.expected, obs.actual) == (
        case.evidence,
        case.clause_path,
        case.expected,
        case.actual,
    )


# --- contradictions: two deadlines for one audience (validate's semantic-contradiction) -------

VOCABULARY = Vocabulary.from_policy({})
REGULATORS_72H = {**USERS_72H, "id": "regulators-72h", "audience": "regulators"}


@pytest.mark.parametrize(
    ("first", "second", "message"),
    [
        (USERS_72H, {**USERS_72H, "within": "96h"},
         "affected users are notified within 96h here but 72h there; keep one deadline per "
         "audience"),
        (USERS_72H, {**USERS_72H, "within": "3d"}, None),  # the same deadline, written otherwise
        (USERS_72H, REGULATORS_72H, None),  # another audience
        (USERS_72H, {**USERS_72H, "within": "soon"}, None),  # not a duration: a schema error
    ],
    ids=["different-deadlines", "same-deadline", "other-audience", "unreadable-deadline"],
)  # fmt: skip
def test_two_deadlines_for_one_audience_contradict(
    first: dict[str, Any], second: dict[str, Any], message: str | None
) -> None:
    assert breach_notification.conflicts(first, second, VOCABULARY) == message
