"""Results travel between processes (a pool's workers, a snapshot's parts, Dask) pickled:
every field of every finding, location and count must come back as it left."""

from __future__ import annotations

import dataclasses
import datetime as dt
import pickle
from pathlib import Path
from typing import Any

import pytest

from checker.core import diagnostics, results
from checker.core.pickling import pickled_by_fields
from checker.core.results import Result, Status
from checker.documents import load_document
from checker.evaluation.engine import PolicySet, check_unit
from checker.pipeline import CheckOptions, run_check
from tests.conftest import REPO

EXAMPLES = REPO / "policies" / "examples"


def _result(policy: str, snapshot: str, waivers: str | None = None) -> Result:
    return run_check(
        CheckOptions(
            policies=[str(REPO / "policies" / "library" / f"{policy}.yaml")],
            snapshots=[str(EXAMPLES / snapshot)],
            waivers=str(EXAMPLES / waivers) if waivers else None,
            as_of=dt.date(2026, 11, 21),
        )
    )


def _quick_classes() -> list[type[Any]]:
    found = []
    for module in (results, diagnostics):
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and value.__module__ == module.__name__
                and dataclasses.is_dataclass(value)
                and "__setstate__" in vars(value)
            ):
                found.append(value)
    return found


def _fields(value: Any) -> dict[str, Any]:
    return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}


@pytest.mark.parametrize(
    ("policy", "snapshot", "waivers"),
    [
        ("anthropic-consumer-2025", "violating/snapshot.yaml", "waivers.yaml"),
        ("anthropic-published", "anthropic-published/violating.yaml", None),
    ],
)
def test_a_result_comes_back_from_pickling_field_for_field(
    policy: str, snapshot: str, waivers: str | None
) -> None:
    """Between them: findings of every status, waivers, positions and provenance."""
    result = _result(policy, snapshot, waivers)
    statuses = {f.status for f in result.findings}
    assert {Status.PASS, Status.FAIL} <= statuses
    assert (Status.WAIVED in statuses and result.waivers) or all(f.sources for f in result.findings)
    back = pickle.loads(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    assert len(back.findings) == len(result.findings)
    for mine, theirs in zip(result.findings, back.findings, strict=True):
        assert _fields(theirs) == _fields(mine)
        assert theirs.area is mine.area  # areas compare by identity
    assert back.waivers == result.waivers
    assert back.documents == result.documents
    assert back.diagnostics == result.diagnostics


def test_the_travelling_dataclasses_pickle_their_fields_as_a_tuple() -> None:
    """Each is given the quick state, and the quick state is every field, in order."""
    quick = {cls.__name__ for cls in _quick_classes()}
    assert quick >= {"Finding", "PassCount", "Location", "Position", "DocumentInfo", "Diagnostic"}
    position = diagnostics.Position(3, 7)
    location = diagnostics.Location("a.yaml", position, ("stores", 0))
    assert location.__getstate__() == ("a.yaml", position, ("stores", 0))
    assert pickle.loads(pickle.dumps(location)) == location


def test_a_state_of_other_fields_is_refused() -> None:
    """A state from a class with other fields (another version of it) is not half restored."""
    position = diagnostics.Position(1, 1)
    with pytest.raises(ValueError):
        position.__setstate__((1, 2, 3))


def test_only_dataclasses_of_two_fields_or_more_take_it() -> None:
    @dataclasses.dataclass(frozen=True, slots=True)
    class One:
        value: int

    with pytest.raises(TypeError):
        pickled_by_fields(One)


def test_the_findings_of_one_clause_share_its_location_whatever_the_snapshot() -> None:
    """One location per place in a policy, found once for every snapshot: a batch of results
    is pickled, sent and held with one copy of it."""
    result = run_check(
        CheckOptions(
            policies=[str(REPO / "policies" / "library" / "anthropic-consumer-2025.yaml")],
            snapshots=[
                str(EXAMPLES / "compliant" / "snapshot.yaml"),
                str(EXAMPLES / "violating" / "snapshot.yaml"),
            ],
            as_of=dt.date(2026, 11, 21),
        )
    )
    by_place: dict[tuple[str, Any], list[Any]] = {}
    for finding in result.findings:
        place = (finding.policy_location.file, finding.policy_location.path)
        by_place.setdefault(place, []).append(finding.policy_location)
    snapshots = {f.evidence_location.file for f in result.findings if f.evidence_location}
    assert len(snapshots) == 2
    shared = [locations for locations in by_place.values() if len(locations) > 1]
    assert shared
    for locations in shared:
        assert all(location is locations[0] for location in locations)


def test_two_policies_called_alike_keep_their_own_clauses(tmp_path: Path) -> None:
    """What a clause's findings share is kept per policy of the set, not per name: two policy
    documents given the same name (as a library caller may) still stamp their own places on
    their findings."""
    original = REPO / "policies" / "library" / "anthropic-consumer-2025.yaml"
    changed = tmp_path / "changed.yaml"
    changed.write_text("# moved down a line\n" + original.read_text(encoding="utf-8"))
    first = load_document(original, name="policy.yaml")
    second = load_document(changed, name="policy.yaml")
    snapshot = load_document(EXAMPLES / "violating" / "snapshot.yaml")
    policies = PolicySet.of([first, second], as_of=dt.date(2026, 11, 21))
    result = check_unit(policies, snapshot)
    alone = check_unit(PolicySet.of([second], as_of=dt.date(2026, 11, 21)), snapshot)
    theirs = [f for f in result.findings if f.policy_location.file == "policy.yaml"]
    assert [(f.severity, f.policy_location) for f in theirs[len(theirs) // 2 :]] == [
        (f.severity, f.policy_location) for f in alone.findings
    ]
