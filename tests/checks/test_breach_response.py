"""Breach response plan: ``checker/checks/breach_response.py``.

Each case is a clause and a snapshot, and the exact observations expected (as of 2026-11-21).
"""

from __future__ import annotations

from typing import Any

import pytest

from checker.checks import breach_response
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
    pointer,
    triples,
)


def test_declaration() -> None:
    assert_declared(breach_response.CHECK, "breach_response", "breach", Severity.HIGH)


PLAN: dict[str, Any] = {
    "id": "breach-response-plan",
    "statement": "A breach response plan is in place.",
    "plan": "required",
}
EXERCISED = changed(PLAN, exercised_every="1y")
IR = "incident_response"
RUNBOOK = "https://wiki.example/breach"
IN_PLACE = (P, IR, f"the breach response plan is the runbook at {RUNBOOK}")
NO_PLAN = "no breach response plan is in place: the incident response settings name no runbook"


def response(**fields: Any) -> dict[str, Any]:
    return {"incident_response": {"notify_users_within": "72h", **fields}}


CASES = [
    Case("a-recorded-runbook-passes", PLAN, response(runbook=RUNBOOK), [IN_PLACE]),
    Case(
        "settings-naming-no-runbook-fail",
        PLAN,
        response(),
        [(F, IR, NO_PLAN)],
    ),
    Case("an-empty-runbook-fails", PLAN, response(runbook="  "), [(F, IR, NO_PLAN)]),
    Case(
        "no-incident-response-is-not-evidenced",
        PLAN,
        {},
        [(N, IR, "the snapshot records no incident response settings")],
    ),
    Case(
        "a-recent-exercise-passes",
        EXERCISED,
        response(runbook=RUNBOOK, runbook_exercised="2026-06-01"),
        [
            IN_PLACE,
            (
                P,
                IR,
                "the breach response plan was last exercised on 2026-06-01, 173 days (about "
                "6 months) before 2026-11-21",
            ),
        ],
    ),
    Case(
        "an-old-exercise-fails",
        EXERCISED,
        response(runbook=RUNBOOK, runbook_exercised="2024-03-01"),
        [
            IN_PLACE,
            (
                F,
                IR,
                "the breach response plan was last exercised on 2024-03-01, 995 days (about "
                "33 months) before 2026-11-21; the policy requires it every 1y",
            ),
        ],
    ),
    Case(
        "an-exercise-after-the-as-of-date-fails",
        EXERCISED,
        response(runbook=RUNBOOK, runbook_exercised="2027-01-05"),
        [
            IN_PLACE,
            (
                F,
                IR,
                "the breach response plan's last exercise is dated 2027-01-05, after the as-of "
                "date 2026-11-21, so the record cannot be trusted",
            ),
        ],
    ),
    Case(
        "no-exercise-date-is-not-evidenced",
        EXERCISED,
        response(runbook=RUNBOOK),
        [
            IN_PLACE,
            (
                N,
                IR,
                "the snapshot records no date on which the breach response plan was last exercised",
            ),
        ],
    ),
    Case(
        "without-a-cadence-the-exercise-date-is-not-read",
        PLAN,
        response(runbook=RUNBOOK, runbook_exercised="2020-01-01"),
        [IN_PLACE],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_breach_response(case: Case) -> None:
    assert triples(observe(breach_response.CHECK, case.clause, case.snapshot)) == case.expected


WHERE = [
    Where(
        "a-missing-runbook-points-at-the-plan",
        PLAN,
        response(),
        ("incident_response",),
        ("plan",),
        "a breach response plan recorded",
        "no runbook",
    ),
    Where(
        "an-old-exercise-points-at-its-date",
        EXERCISED,
        response(runbook=RUNBOOK, runbook_exercised="2024-03-01"),
        ("incident_response", "runbook_exercised"),
        ("exercised_every",),
        "the plan exercised within 1y before 2026-11-21",
        "last exercised on 2024-03-01",
    ),
]


@pytest.mark.parametrize("case", WHERE, ids=ids(WHERE))
def test_breach_response_points_at_the_evidence(case: Where) -> None:
    assert pointer(observe(breach_response.CHECK, case.clause, case.snapshot)[-1]) == case.pointer
