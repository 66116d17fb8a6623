"""Properties of the loader: any input gives a plain mapping or an ``InputError``, nothing else;
positions point at the text of what they locate."""

from __future__ import annotations

import dataclasses
import itertools
import json
import math
import random
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.core.diagnostics import JsonPath, Position
from checker.core.errors import InputError
from checker.documents import DEFAULT_LIMITS, load_document
from checker.documents.json_scan import structure

SETTINGS = settings(max_examples=200, deadline=None)
SUFFIXES = st.sampled_from([".yaml", ".yml", ".json", ".txt", ""])
CODES = {
    "encoding",
    "empty",
    "json-duplicate-key",
    "json-syntax",
    "not-a-mapping",
    "too-deep",
    "too-many-aliases",
    "bad-number",
    "yaml-alias",
    "yaml-duplicate-key",
    "yaml-key",
    "yaml-merge-key",
    "yaml-multiple-documents",
    "yaml-syntax",
    "yaml-tag",
}
# Text made of YAML's and JSON's punctuation finds more of the interesting corners than
# arbitrary text does.
YAMLISH = st.text(
    alphabet=st.sampled_from(list("ab01:.-_[]{},&*!#'\"\n\t ~|>?%@`\\<=+eEyYnNoO\x85\ufeff")),
    max_size=80,
)
_counter = itertools.count()


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("loader-properties")


def fresh(workdir: Path, suffix: str, content: bytes) -> Path:
    path = workdir / f"case-{next(_counter)}{suffix}"
    path.write_bytes(content)
    return path


def assert_plain(data: Any) -> None:
    """``data`` is JSON-compatible: str keys, finite floats, no other types."""
    pending = [data]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            assert all(isinstance(key, str) for key in node)
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
        elif isinstance(node, float):
            assert math.isfinite(node)
        else:
            assert node is None or isinstance(node, str | int | bool)


def outcome(path: Path) -> None:
    """Loading ``path`` gives a plain mapping or a known, one-line ``InputError``."""
    try:
        doc = load_document(path)
    except InputError as error:
        assert error.diagnostic.code in CODES
        assert str(error).startswith(f"{path}")
        assert len(str(error).splitlines()) == 1
        return
    assert isinstance(doc.data, dict)
    assert_plain(doc.data)
    json.dumps(doc.data, allow_nan=False).encode("utf-8")  # writable as strict JSON, in UTF-8


@SETTINGS
@given(text=st.text() | YAMLISH, suffix=SUFFIXES)
def test_any_text_loads_or_is_refused(workdir: Path, text: str, suffix: str) -> None:
    outcome(fresh(workdir, suffix, text.encode("utf-8", "surrogatepass")))


@SETTINGS
@given(content=st.binary(max_size=200), suffix=SUFFIXES)
def test_any_bytes_load_or_are_refused(workdir: Path, content: bytes, suffix: str) -> None:
    outcome(fresh(workdir, suffix, content))


def documents(text: st.SearchStrategy[str]) -> st.SearchStrategy[dict[str, Any]]:
    leaves = (
        st.none()
        | st.booleans()
        | st.integers(min_value=-(10**40), max_value=10**40)
        | st.floats(allow_nan=False, allow_infinity=False)
        | text
    )
    values = st.recursive(
        leaves,
        lambda children: (
            st.lists(children, max_size=4) | st.dictionaries(text, children, max_size=4)
        ),
        max_leaves=25,
    )
    return st.dictionaries(text, values, max_size=5)


DOCUMENTS = documents(st.text(max_size=12))
# PyYAML's emitter writes the YAML 1.1 line breaks U+0085, U+2028 and U+2029 raw inside quoted
# scalars, where any YAML reader folds them into spaces: keep them out of the round trip.
YAML_DOCUMENTS = documents(
    st.text(
        st.characters(blacklist_characters="\x85\u2028\u2029", blacklist_categories=["Cs"]),
        max_size=12,
    )
)


def nodes(value: Any, path: JsonPath = ()) -> Iterator[tuple[JsonPath, Any]]:
    """Every node of ``value`` with its path, the root included."""
    yield path, value
    if isinstance(value, dict):
        for key, child in value.items():
            yield from nodes(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from nodes(child, (*path, index))


def offset(text: str, position: Position) -> int:
    """The character offset of a 1-based line and column (lines end at ``\\n`` only)."""
    starts = [0] + [i + 1 for i, char in enumerate(text) if char == "\n"]
    return starts[position.line - 1] + position.column - 1


@SETTINGS
@given(
    data=DOCUMENTS,
    indent=st.sampled_from([None, 0, 1, 2, 4, "\t"]),
    separators=st.sampled_from([None, (",", ":"), (" ,  ", " :\n ")]),
    ensure_ascii=st.booleans(),
    order=st.randoms(use_true_random=False),
)
def test_json_positions_point_at_the_text_of_each_node(
    workdir: Path,
    data: dict[str, Any],
    indent: int | str | None,
    separators: tuple[str, str] | None,
    ensure_ascii: bool,
    order: random.Random,
) -> None:
    text = json.dumps(data, indent=indent, separators=separators, ensure_ascii=ensure_ascii)
    doc = load_document(fresh(workdir, ".json", text.encode("utf-8")))
    assert doc.data == data
    asked = list(nodes(data))
    order.shuffle(asked)  # positions are indexed lazily: any order must give the same answers
    for path, value in asked:
        position = doc.positions.value(path)
        assert position is not None
        start = offset(text, position)
        if isinstance(value, dict | list):
            assert text[start] == ("{" if isinstance(value, dict) else "[")
        else:
            assert text.startswith(json.dumps(value, ensure_ascii=ensure_ascii), start)
        if path and isinstance(path[-1], str):
            key_position = doc.positions.key(path)
            assert key_position is not None
            encoded_key = json.dumps(path[-1], ensure_ascii=ensure_ascii)
            assert text.startswith(encoded_key, offset(text, key_position))
        else:
            assert doc.positions.key(path) is None


@SETTINGS
@given(data=YAML_DOCUMENTS, flow=st.sampled_from([None, False, True]))
def test_yaml_written_by_pyyaml_reads_back_without_surprises(
    workdir: Path, data: dict[str, Any], flow: bool | None
) -> None:
    text = yaml.safe_dump(data, default_flow_style=flow, allow_unicode=True)
    doc = load_document(fresh(workdir, ".yaml", text.encode("utf-8")))
    assert doc.data == data
    assert doc.surprises == {}  # the dumper quotes whatever YAML 1.1 would misread
    for path, _ in nodes(data):
        position = doc.positions.value(path)
        assert position is not None
        if path and isinstance(path[-1], str):
            key_position = doc.positions.key(path)
            assert key_position is not None
            assert key_position < position


class Pairs(list[tuple[tuple[str, str], Any]]):
    """An object as written: (spelling, key) pairs, repeats allowed."""


# Keys as they may be written, with what they read as: escapes, quotes, brackets and colons
# inside strings must not confuse the duplicate and depth checks.
KEYS = st.sampled_from(
    [
        ('"a"', "a"),
        ('"\\u0061"', "a"),
        ('"b:"', "b:"),
        ('"\\"[{"', '"[{'),
        ('"\\\\"', "\\"),
        ('"}]:"', "}]:"),
        ('"\\\\\\""', '\\"'),
    ]
)
SCALARS = st.sampled_from(['"x"', '"]}"', '"\\\\"', '"\\"{"', "1", "-2.5e3", "true", "null"])
JSONISH = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(st.tuples(KEYS, children), max_size=4).map(Pairs) | st.lists(children, max_size=3)
    ),
    max_leaves=20,
)


def written(node: Any) -> str:
    if isinstance(node, Pairs):
        return (
            "{" + ", ".join(f"{spelling}: {written(value)}" for (spelling, _), value in node) + "}"
        )
    if isinstance(node, list):
        return "[" + ",".join(written(item) for item in node) + "]"
    return str(node)


def depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max(map(depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(depth, value), default=0)
    return 0


@SETTINGS
@given(root=st.lists(st.tuples(KEYS, JSONISH), max_size=5).map(Pairs), max_depth=st.integers(1, 5))
def test_json_duplicates_and_depth_match_a_reference(
    workdir: Path, root: Pairs, max_depth: int
) -> None:
    text = written(root)
    repeated = False

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal repeated
        repeated = repeated or len({key for key, _ in items}) != len(items)
        return dict(items)

    expected = json.loads(text, object_pairs_hook=pairs)
    path = fresh(workdir, ".json", text.encode("utf-8"))
    limits = dataclasses.replace(DEFAULT_LIMITS, max_depth=max_depth)
    if repeated or depth(expected) > max_depth:
        with pytest.raises(InputError) as caught:
            load_document(path, limits=limits)
        assert caught.value.diagnostic.code == ("json-duplicate-key" if repeated else "too-deep")
        assert caught.value.diagnostic.location.position is not None
    else:
        assert load_document(path, limits=limits).data == expected


# Strings that hold no bracket nor colon (the usual case) as well as ones that do: what strings
# hold must never be taken for structure.
PLAIN_KEYS = st.sampled_from([('"a"', "a"), ('"id"', "id"), ('"b:"', "b:"), ('"x]"', "x]")])
PLAIN_SCALARS = st.sampled_from(['"x"', '""', '"store-1"', '"a{b"', "1", "true", "null"])
PLAINISH = st.recursive(
    PLAIN_SCALARS,
    lambda children: (
        st.lists(st.tuples(PLAIN_KEYS, children), max_size=4).map(Pairs)
        | st.lists(children, max_size=3)
    ),
    max_leaves=20,
)


@SETTINGS
@given(root=st.lists(st.tuples(PLAIN_KEYS | KEYS, PLAINISH | JSONISH), max_size=5).map(Pairs))
def test_json_skeleton_matches_the_tokens(root: Pairs) -> None:
    """The skeleton (members written, and brackets) equals what a tokenizer of the text finds:
    the colons and brackets outside strings, every container's brackets as ``[`` and ``]``."""
    text = written(root)
    members, brackets = 0, bytearray()
    for match in re.finditer(r'"(?:[^"\\]|\\.)*"|[\[\]{}:]', text):
        token = match.group()
        if token == ":":
            members += 1
        elif token in "[{":
            brackets += b"["
        elif token in "]}":
            brackets += b"]"
    assert structure(text.encode("utf-8"))[:2] == (members, bytes(brackets))
