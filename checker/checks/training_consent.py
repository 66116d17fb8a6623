"""Training consent: each tier's default and whether users can change it.

For every tier of the clause's ``tier_groups``, the snapshot tier's ``training_default`` must
match the promised ``default`` (``trained_unless_opted_out`` ↔ ``trained``, ``opt_in_required`` ↔
``opt_in``, ``never`` ↔ ``not_trained``). When ``user_can_change`` is true, the tier's
``training_control.exposed`` must be true. A tier the snapshot does not list is not evidenced.

PASS::

    training_consent:                         tiers:
      - id: consumer-default                    - id: free
        tier_groups: [consumer]                   training_default: trained
        default: trained_unless_opted_out         training_control: {exposed: true}
        user_can_change: true

FAIL: ``training_control: {exposed: false}`` — users cannot opt out.

Serves GDPR Art. 6/7 (lawful basis and consent) and Art. 21 (right to object).
"""

from __future__ import annotations

from collections.abc import Iterator

from checker.checks.base import Check, CheckContext, failed, not_evidenced, passed
from checker.model import Area, Observation, Severity

SNAPSHOT_DEFAULT = {
    "trained_unless_opted_out": "trained",
    "opt_in_required": "opt_in",
    "never": "not_trained",
}


def run(ctx: CheckContext) -> Iterator[Observation]:
    clause = ctx.clause
    want = SNAPSHOT_DEFAULT[clause["default"]]
    tiers = {item.get("id"): (path, item) for path, item in ctx.section("tiers")}
    for tier in ctx.vocabulary.tiers_of(clause["tier_groups"]):
        resource = f"tier:{tier}"
        expected = f"training default '{want}'"
        if tier not in tiers:
            yield not_evidenced(
                resource, f"the snapshot does not record tier {tier}", expected, ("tiers",)
            )
            continue
        path, item = tiers[tier]
        actual = item.get("training_default")
        if actual is None:
            yield not_evidenced(
                resource, f"tier {tier} records no training default", expected, path
            )
        elif actual == want:
            yield passed(
                resource,
                f"tier {tier} defaults to '{actual}'",
                expected,
                str(actual),
                (*path, "training_default"),
            )
        else:
            yield failed(
                resource,
                f"tier {tier} defaults to '{actual}' but the policy promises '{want}'",
                expected,
                str(actual),
                (*path, "training_default"),
                ("default",),
            )
        if not clause["user_can_change"]:
            continue
        control = item.get("training_control")
        expected = "training control exposed to users"
        if not isinstance(control, dict) or "exposed" not in control:
            yield not_evidenced(
                resource, f"tier {tier} records no training control", expected, path
            )
        elif control["exposed"] is True:
            where = f" ({control['location']})" if control.get("location") else ""
            yield passed(
                resource,
                f"users of tier {tier} can change training consent{where}",
                expected,
                "exposed",
                (*path, "training_control", "exposed"),
            )
        else:
            yield failed(
                resource,
                f"users of tier {tier} cannot change their training consent",
                expected,
                "not exposed",
                (*path, "training_control", "exposed"),
                ("user_can_change",),
            )


CHECK = Check(
    id="training_consent",
    area=Area.CONSENT,
    title="Training consent defaults",
    default_severity=Severity.HIGH,
    run=run,
    doc=__doc__ or "",
)
