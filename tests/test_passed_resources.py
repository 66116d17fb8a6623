"""The resources that passed a promise (``check --passes resources``): how they are taken,
added up, compared and sent between processes."""

from __future__ import annotations

import pickle

import pytest

from checker.core.results import MAX_PASSES, Observation, PassedResources, Status


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


def test_equal_when_every_resource_has_the_same_passes_and_unhashable() -> None:
    assert PassedResources(["a", "a"], [1, 2]) == PassedResources(["a"], [3])
    assert PassedResources(["a"], [1]) != PassedResources(["a"], [2])
    assert PassedResources(["a"], [1]) != ["a"]
    with pytest.raises(TypeError):
        hash(PassedResources())


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
