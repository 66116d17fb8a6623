"""Long top-level lists of a snapshot are validated a chunk at a time (bounded memory on the
fast path): the verdict, and the problems reported, are those of the whole document."""

from __future__ import annotations

from typing import Any

import pytest

from checker.validation import validator
from tests.policy_support import problems


def _snapshot(stores: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "snapshot_format": 1,
        "metadata": {"system": "chat", "environment": "prod", "taken_at": "2026-11-01"},
        "stores": stores,
        "pipelines": [{"id": f"p{i}", "purpose": "analytics", "sources": ["s0"]} for i in range(7)],
    }


def _stores(n: int) -> list[dict[str, Any]]:
    return [{"id": f"s{i}", "data_kinds": ["chats"], "retention": {"any": "30d"}} for i in range(n)]


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(validator, "CHUNK", 3)


def test_every_list_of_items_of_the_snapshot_is_chunked() -> None:
    assert {"stores", "pipelines", "recipients"} <= validator._chunked_lists("snapshot")


def test_a_valid_snapshot_stays_valid() -> None:
    data = _snapshot(_stores(11))
    assert validator._fast_is_valid("snapshot", data)
    assert problems("snapshot", data) == []


@pytest.mark.parametrize("index", [0, 4, 10])
def test_a_bad_item_in_any_chunk_is_found_at_its_place(index: int) -> None:
    stores = _stores(11)
    stores[index]["retention"] = {"any": "30 days"}
    data = _snapshot(stores)
    assert not validator._fast_is_valid("snapshot", data)
    (problem,) = problems("snapshot", data)
    assert problem.location.path == ("stores", index, "retention", "any")


def test_the_rest_of_the_document_is_still_validated() -> None:
    data = {**_snapshot(_stores(11)), "surprise": True}
    assert not validator._fast_is_valid("snapshot", data)
    assert [p.location.path for p in problems("snapshot", data)] == [("surprise",)]


def test_a_bad_pipeline_in_a_long_list_is_found() -> None:
    data = _snapshot(_stores(2))
    data["pipelines"][5]["purpose"] = 7
    assert not validator._fast_is_valid("snapshot", data)
    assert [p.location.path for p in problems("snapshot", data)] == [("pipelines", 5, "purpose")]


def test_no_chunk_is_larger_than_the_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[str, int]] = []
    real = validator._fast_items_validator

    class Spy:
        def __init__(self, key: str) -> None:
            self.key, self.inner = key, real("snapshot", key)

        def is_valid(self, items: list[Any]) -> bool:
            seen.append((self.key, len(items)))
            return bool(self.inner.is_valid(items))

    monkeypatch.setattr(validator, "_fast_items_validator", lambda kind, key: Spy(key))
    assert validator._fast_is_valid("snapshot", _snapshot(_stores(11)))
    assert seen == [("stores", 3)] * 3 + [("stores", 2)] + [("pipelines", 3)] * 2 + [
        ("pipelines", 1)
    ]
