"""Whether a clause applies to a snapshot: the regions it holds in, against those served.

A clause with ``regions`` holds only there. A snapshot records where the deployment it
describes serves users in ``metadata.regions`` (country codes). When the two share no country,
the clause is *not applicable* to the snapshot: that is said once, as a non-blocking finding
that is not a pass, instead of the clause's findings. When the snapshot does not say where it
serves users, nothing shows the clause does not apply: it is checked, and the missing
``metadata.regions`` is not evidenced (fail closed).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from checker.core.regions import countries_of
from checker.core.results import Observation, Status

RESOURCE = "metadata.regions"


@dataclass(frozen=True, slots=True)
class RegionScope:
    """What the engine reports about a clause's regions before (or instead of) checking it."""

    observation: Observation
    applicable: bool  # False: report only the observation; True: check the clause as well


def region_scope(
    clause: Mapping[str, Any], regions: Mapping[str, frozenset[str]], snapshot: Mapping[str, Any]
) -> RegionScope | None:
    """None when the clause holds everywhere, or where the snapshot serves users."""
    names = [str(name) for name in clause.get("regions") or ()]
    if not names:
        return None
    holds = ", ".join(names)
    expected = f"a deployment serving {holds}"
    metadata = snapshot.get("metadata")
    served = metadata.get("regions") if isinstance(metadata, Mapping) else None
    if not isinstance(served, list):
        return RegionScope(
            Observation(
                Status.NOT_EVIDENCED,
                RESOURCE,
                f"the snapshot does not record where it serves users (metadata.regions); "
                f"the clause holds in {holds}",
                expected,
                "not recorded in the snapshot",
                ("metadata",) if isinstance(metadata, Mapping) else (),
                ("regions",),
            ),
            applicable=True,
        )
    if countries_of(names, regions).intersection(served):
        return None
    where = ", ".join(str(country) for country in served) or "no country"
    return RegionScope(
        Observation(
            Status.NOT_EVIDENCED,
            RESOURCE,
            f"not applicable: the clause holds in {holds}; the snapshot serves {where}",
            expected,
            f"serves {where}",
            ("metadata", "regions"),
            ("regions",),
        ),
        applicable=False,
    )
