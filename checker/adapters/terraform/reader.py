"""What a Terraform resource family contributes: which resources can be stores, and their facts.

Each family is a module of this package exporting ``READER`` (S3 buckets, DynamoDB tables…).
The importer asks every reader for its :class:`Candidate` stores, matches them against the
mapping rules and asks the reader that made a matched candidate for its :class:`Facts`. A
resource of a type no reader claims, selected by a rule, is reported rather than dropped (see
:mod:`checker.adapters.terraform.unread`). Adding a family is one module with a ``READER``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from checker.adapters.terraform.copies import Copy
from checker.adapters.terraform.facts import Facts
from checker.adapters.terraform.plan import Plan, Resource
from checker.core.diagnostics import JsonPath


@dataclass(frozen=True, slots=True)
class Candidate:
    """A resource (or group of resources) that a mapping rule may declare to be a store.

    ``addresses`` are what a rule's ``address`` pattern is matched against; ``resource`` (None
    for a bucket the plan only configures) is where its tags are read; ``detail`` is the
    reader's own (e.g. the S3 bucket with its configuration resources).
    """

    kind: str
    address: str
    name: str | None
    name_path: JsonPath
    origin: JsonPath
    resource: Resource | None
    addresses: tuple[str, ...]
    detail: Any = None
    note: tuple[str, str] | None = None  # (code, message) said when it becomes a store
    copy_of: tuple[Resource, ...] = ()  # what it is a replica of: their rule, if none maps it


Derive = Callable[[Plan, Candidate, str], Facts]
Copies = Callable[[Plan, Candidate], list[Copy]]


@dataclass(frozen=True, slots=True)
class ResourceReader:
    """One resource family.

    ``types`` are the resource types whose instances can become stores; ``configures`` the
    types that only configure them (a lifecycle configuration, a backup selection) and are read
    with them, never stores of their own. ``derive(plan, candidate, retention_state)`` returns
    the store's facts. ``copies(plan, candidate)`` (optional) names the copies this family
    keeps of another family's store (AWS Backup recovery points of a bucket or a table).
    """

    name: str
    types: frozenset[str]
    candidates: Callable[[Plan], list[Candidate]]
    derive: Derive
    configures: frozenset[str] = field(default_factory=frozenset)
    copies: Copies | None = None


def known_name(res: Resource, attributes: Iterable[str]) -> tuple[str | None, JsonPath]:
    """The resource's name in the cloud (the first attribute known at plan time) and its path;
    ``(None, resource path)`` when it is known only after apply."""
    for attr in attributes:
        value = res.get(attr)
        if isinstance(value, str) and value and res.unknown_at(attr) is None:
            return value, res.vpath(attr)
    return None, res.path


def per_resource(
    kinds: Mapping[str, str], name_attributes: Iterable[str]
) -> Callable[[Plan], list[Candidate]]:
    """Candidates for a family where every resource of a type in ``kinds`` is one store of the
    kind it maps to (``{"aws_sqs_queue": "sqs_queue"}``)."""
    names = tuple(name_attributes)

    def candidates(plan: Plan) -> list[Candidate]:
        found = []
        for res in plan.of_type(*kinds):
            name, name_path = known_name(res, names)
            found.append(
                Candidate(
                    kinds[res.type], res.address, name, name_path, res.path, res, (res.address,)
                )
            )
        return found

    return candidates
