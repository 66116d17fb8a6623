"""The resources that passed a promise (``check --passes resources``): how they are taken,
added up, compared and sent between processes."""

from __future__ import annotations

import json
import pickle
import tempfile
from array import array
from collections.abc import Iterable
from json.encoder import encode_basestring
from pathlib import Path
from unittest.mock import patch

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from checker.core import results
from checker.core.results import MAX_PASSES, Observation, PassedResources, Status
from checker.core.spill import NamesNotWritten, Span, pairs_text, spill, spilling
from reports.json_report import _resources_text


def _pass(resource: str, times: int = 1) -> Observation:
    return Observation(Status.PASS, resource, "", "", "", times=times)


def test_the_passes_of_a_resource_in_a_row_are_one_entry_and_the_same_one_later_adds_up() -> None:
    named = PassedResources()
    for observation in [_pass("store:a"), _pass("store:a", 3), _pass("store:b"), _pass("store:a")]:
        named.take(observation)
    assert named.names == ["store:a", "store:b", "store:a"]
    assert list(named.times) == [4, 1, 1]
    assert named.by_resource() == {"store:a": 5, "store:b": 1}
    assert named.head(1) == ([("store:a", 5)], 2)


def test_passes_already_named_are_taken_after_these() -> None:
    part = PassedResources(["store:c"], [2])
    named = PassedResources(["store:a"], [1])
    named.take(Observation(Status.PASS, "", "", "", "", times=2, named=part))
    assert named.by_resource() == {"store:a": 1, "store:c": 2}


def test_one_copy_of_each_name_is_kept_whatever_the_number_of_promises_it_passes() -> None:
    """A million stores named by a dozen promises: a dozen lists of references to one name."""
    first, second = PassedResources(), PassedResources()
    first.take(_pass("".join(["store:", "x" * 40])))
    second.take(_pass("".join(["store:", "x" * 40])))  # made apart, equal
    assert first.names[0] is second.names[0]


def test_equal_when_every_resource_has_the_same_passes_and_then_hashed_alike() -> None:
    """Parts' counts said between loops are compared in a Counter when the parts differ."""
    assert PassedResources(["a", "a"], [1, 2]) == PassedResources(["a"], [3])
    assert hash(PassedResources(["a", "a"], [1, 2])) == hash(PassedResources(["a"], [3]))
    assert PassedResources(["a"], [1]) != PassedResources(["a"], [2])
    assert PassedResources(["a"], [1]) != ["a"]


def test_a_name_without_its_passes_is_refused() -> None:
    with pytest.raises(ValueError, match="number of passes"):
        PassedResources(["a", "b"], [1])


def test_sent_between_processes_whole_and_with_its_names_shared() -> None:
    name = "".join(["store:", "y" * 30])
    named = [PassedResources([name], [1]), PassedResources([name], [4])]
    back = pickle.loads(pickle.dumps(named))
    assert back == named and list(back[0].times) == [1] and list(back[1].times) == [4]
    assert back[0].names[0] is back[1].names[0]  # one copy in the process that receives them


def test_passes_are_kept_as_four_byte_numbers_up_to_their_limit() -> None:
    named = PassedResources(["store:a"], [MAX_PASSES])
    assert named.times.itemsize == 4
    with pytest.raises(OverflowError):
        PassedResources(["store:a"], [MAX_PASSES + 1])


def _taken(observations: list[Observation]) -> PassedResources:
    named = PassedResources()
    for observation in observations:
        named.take(observation)
    return named


_ODD_NAMES = ["store:a", "store:b", 'store:"c"\n', "pipeline:é", ""]
_names = st.lists(st.tuples(st.sampled_from(_ODD_NAMES), st.integers(1, 3)), max_size=40)


@settings(max_examples=200, deadline=None)
@given(first=_names, second=_names)
def test_names_written_out_in_blocks_read_back_as_they_were_held(
    first: list[tuple[str, int]], second: list[tuple[str, int]]
) -> None:
    """Within ``spilling()``, names are written out a block at a time (here 2 names a block)
    and read back, merged and renamed, equal to names held in memory, in the same order."""
    held = _taken([_pass(n, t) for n, t in first])
    held.extend(_taken([_pass(n, t) for n, t in second]))
    with patch.object(results, "BLOCK", 2), spilling():
        written = _taken([_pass(n, t) for n, t in first])
        written.extend(_taken([_pass(n, t) for n, t in second]))
        assert written.by_resource() == held.by_resource()
        assert list(written.by_resource()) == list(held.by_resource())  # in the same order
        assert len(written) == len(held)
        assert held.known_once() is (len(held.by_resource()) == len(held))
        if any(isinstance(b, Span) for b in written.blocks):  # not read back to tell
            assert not written.known_once()
        assert [n for b, _ in written.encoded() for n in b] == [
            encode_basestring(n) for b, _ in held.resources() for n in b
        ]
        assert written.renamed({"store:a": "x"}) == held.renamed({"store:a": "x"})
        assert _joined(written.pair_texts(3)) == _joined(held.pair_texts(3))
        as_json = json.dumps(held.by_resource(), ensure_ascii=False)[1:-1]
        assert "".join(_resources_text(written)) == "".join(_resources_text(held)) == as_json
        assert pickle.loads(pickle.dumps(written)) == held
        if len(held) > 3:
            assert any(isinstance(b, Span) for b in written.blocks)


def _joined(pieces: Iterable[str]) -> str:
    return ", ".join(piece for piece in pieces if piece)


def test_the_folder_names_are_written_to_is_removed_when_the_run_ends(tmp_path: Path) -> None:
    with patch.object(tempfile, "tempdir", str(tmp_path)), patch.object(results, "BLOCK", 1):
        with spilling():
            named = _taken([_pass(f"store:{n}") for n in range(5)])
            assert named.blocks and list(tmp_path.iterdir())  # written out, in the folder
        assert not list(tmp_path.iterdir())
    assert not spill(["a"], named.times[:1])  # outside: nothing is written


def test_a_block_cut_short_is_an_error_not_fewer_names(tmp_path: Path) -> None:
    with patch.object(tempfile, "tempdir", str(tmp_path)), spilling():
        span = spill(["store:a", "store:b"], PassedResources(["a", "b"], [1, 2]).times)
        assert span is not None
        written = Path(span.path).read_bytes()
        Path(span.path).write_bytes(written[:-3])  # the JSON text of the last name
        assert span.read("I") == (['"store:a"', '"store:b"'], array("I", [1, 2]))
        with pytest.raises(NamesNotWritten, match="cut short"):
            span.pair_text(4)
        Path(span.path).write_bytes(written[: span.size + 5])  # the passes of the last name
        with pytest.raises(NamesNotWritten, match="cut short"):
            span.read("I")


def test_names_said_to_be_taken_once_are_known_so_until_another_is_taken(tmp_path: Path) -> None:
    """Names written out are not read back to tell whether each is named once: that is known
    only as they were taken (``checker.evaluation.parts``), and kept until another is."""
    temporary = patch.object(tempfile, "tempdir", str(tmp_path))
    with temporary, patch.object(results, "BLOCK", 2), spilling():
        named = _taken([_pass(f"store:{n}") for n in range(6)])
        with patch.object(Span, "read", side_effect=AssertionError("read back")):
            assert named.blocks and not named.known_once()
            named.taken_once()
            assert named.known_once()
            named.take(_pass("store:5"))  # the same name in a row: still known
            assert named.known_once()
            assert pickle.loads(pickle.dumps(named)).known_once()
            named.take(_pass("store:0"))  # named apart twice
            assert not named.known_once()
        assert "".join(_resources_text(named)).startswith('"store:0": 2, "store:1": 1')


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.text(max_size=6), st.integers(0, MAX_PASSES)), max_size=8),
    st.booleans(),
)
def test_pairs_are_written_alike_whether_the_passes_are_all_the_same_or_not(
    named: list[tuple[str, int]], same: bool
) -> None:
    """One join where every name has the same passes: the text of a format a name."""
    if same and named:
        named = [(name, named[0][1]) for name, _ in named]
    encoded = [encode_basestring(name) for name, _ in named]
    times = [passes for _, passes in named]
    expected = ", ".join(f"{name}: {passes}" for name, passes in zip(encoded, times, strict=True))
    assert pairs_text(encoded, times) == expected
    assert pairs_text(encoded, array("I", times)) == expected
    assert json.loads(f"{{{expected}}}") == dict(named)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.lists(st.sampled_from("abcdef"), max_size=6),
            st.one_of(st.integers(0, 20), st.just(MAX_PASSES)),
            st.booleans(),
        ),
        max_size=5,
    )
)
def test_passes_are_added_up_in_the_order_first_named_however_the_blocks_are_counted(
    made: list[tuple[list[str], int, bool]],
) -> None:
    """A block whose names all have the same few passes is counted name by name, at C speed;
    any other is added up pass by pass: the sums and their order are the same."""
    blocks = [
        (names, [passes if same else passes + i for i in range(len(names))])
        for names, passes, same in made
    ]
    expected: dict[str, int] = {}
    for names, times in blocks:
        for name, passes in zip(names, times, strict=True):
            expected[name] = expected.get(name, 0) + passes
    found = results.added_up((names, array("Q", times)) for names, times in blocks)
    assert type(found) is dict
    assert list(found.items()) == list(expected.items())


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.text(st.sampled_from('ab:-"\\\n\t\x7fé€') | st.characters(), max_size=8), min_size=1
    ),
    st.lists(st.integers(1, 3), min_size=1),
)
def test_a_block_is_written_as_its_names_encoded_one_by_one(
    names: list[str], passes: list[int]
) -> None:
    """Names that need no escape are joined whole; the block is the same bytes."""
    from checker.core.spill import _block_texts

    names = [name for name in names if not any("\ud800" <= c <= "\udfff" for c in name)]
    assume(names)
    times = array("I", (passes * len(names))[: len(names)])
    encoded = [encode_basestring(name) for name in names]
    expected = ("\n".join(encoded).encode(), pairs_text(encoded, times).encode())
    assert _block_texts(names, times) == expected
    same = array("I", [times[0]] * len(names))
    assert _block_texts(names, same)[1] == pairs_text(encoded, same).encode()
