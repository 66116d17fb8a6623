"""The registry of checks: one module per policy clause section, listed explicitly."""

from __future__ import annotations

from checker.checks import (
    access_control,
    anonymisation,
    breach_notification,
    custom_rules,
    data_minimisation,
    deletion_schedules,
    governance,
    minors,
    retention,
    security,
    sensitive_data,
    sharing,
    training_consent,
    training_exclusions,
    user_rights,
)
from checker.checks.base import Check

CHECKS: dict[str, Check] = {
    check.id: check
    for check in (
        training_consent.CHECK,
        training_exclusions.CHECK,
        retention.CHECK,
        deletion_schedules.CHECK,
        data_minimisation.CHECK,
        anonymisation.CHECK,
        sensitive_data.CHECK,
        minors.CHECK,
        sharing.CHECK,
        security.CHECK,
        access_control.CHECK,
        user_rights.CHECK,
        breach_notification.CHECK,
        governance.CHECK,
        custom_rules.CHECK,
    )
}
