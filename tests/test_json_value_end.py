"""Passing over a JSON value without decoding it ends exactly where the decoder ends.

The positions index passes over the values before the one a finding points at (every store
before it); in a text whose strings hold no bracket it balances brackets instead of decoding.
Compared here with ``json.JSONDecoder.raw_decode`` on values written every way JSON allows:
escapes, any Unicode, deep nesting, every kind of whitespace, numbers in every form.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.documents.json_positions import value_end
from checker.documents.json_scan import structure

SETTINGS = settings(max_examples=200, deadline=None)
DECODER = json.JSONDecoder()

WHITESPACE = st.text(alphabet=" \t\n\r", max_size=3)
NUMBERS = st.from_regex(
    r"-?(0|[1-9][0-9]{0,12})(\.[0-9]{1,6})?([eE][+-]?[0-9]{1,3})?", fullmatch=True
)
LITERALS = st.sampled_from(["true", "false", "null"])
# Strings hold brackets seldom, as real documents do: most texts are plain, some are not.
CHARACTERS = st.characters(blacklist_categories=["Cs"]) | st.sampled_from(list('[]{}"\\/:,'))
PLAIN_ESCAPES = ['"\\/"', '"\\u007b"', '"a\\\\"', '"\\ud83d\\ude00"', '"\\"\\n"']
ESCAPES = [*PLAIN_ESCAPES, '"\\"]"', '"\\t{"']


@st.composite
def strings(
    draw: st.DrawFn, alphabet: st.SearchStrategy[str] = CHARACTERS, escapes: list[str] = ESCAPES
) -> str:
    """A JSON string as written: escaped to ASCII or not, or one of a few hand-written escapes."""
    text = draw(st.text(alphabet=alphabet, max_size=8))
    written = json.dumps(text, ensure_ascii=draw(st.booleans()))
    return draw(st.sampled_from([written, written, draw(st.sampled_from(escapes))]))


def values(keys: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """JSON values as text, with whitespace anywhere the grammar allows it."""

    def containers(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        element = st.builds("{}{}{}".format, WHITESPACE, children, WHITESPACE)
        member = st.builds("{}{}{}:{}".format, WHITESPACE, keys, WHITESPACE, element)
        arrays = st.builds(
            lambda items, space: "[" + (",".join(items) or space) + "]",
            st.lists(element, max_size=4),
            WHITESPACE,
        )
        objects = st.builds(
            lambda items, space: "{" + (",".join(items) or space) + "}",
            st.lists(member, max_size=4),
            WHITESPACE,
        )
        return arrays | objects

    return st.recursive(NUMBERS | LITERALS | keys, containers, max_leaves=30)


ANY_VALUE = values(strings())
PLAIN_VALUE = values(
    strings(st.characters(blacklist_categories=["Cs"], blacklist_characters="[]{}"), PLAIN_ESCAPES)
)


def decoder_end(text: str, start: int) -> int:
    return int(DECODER.raw_decode(text, start)[1])


@SETTINGS
@given(value=ANY_VALUE, before=WHITESPACE, after=WHITESPACE, sibling=ANY_VALUE)
def test_a_value_ends_where_the_decoder_says(
    value: str, before: str, after: str, sibling: str
) -> None:
    # Within an array, with a sibling after it: the end must not run on into the sibling.
    text = f"[{before}{value}{after},{sibling}]"
    plain = structure(text.encode("utf-8")).plain
    start = 1 + len(before)
    assert value_end(text, start, plain=plain) == decoder_end(text, start)


@SETTINGS
@given(value=PLAIN_VALUE, sibling=PLAIN_VALUE)
def test_brackets_are_balanced_when_no_string_holds_one(value: str, sibling: str) -> None:
    text = f"[{value},{sibling}]"
    assert structure(text.encode("utf-8")).plain  # so the balancing path is the one taken
    assert value_end(text, 1, plain=True) == decoder_end(text, 1)


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ('{"a": "x:y", "b": [1, {}]}', True),
        ('{"a": "}"}', False),
        ('{"a": "]"}', False),
        ('{"a": ["{"]}', False),
        ('{"a}": 1}', False),
        ('{"a": "\\"{"}', False),
        ('{"a": "\\\\", "b": {}}', True),
        ('{"a": "\\u007b"}', True),  # an escaped brace is not a brace in the text
    ],
)
def test_the_structure_tells_whether_strings_hold_brackets(text: str, plain: bool) -> None:
    assert structure(text.encode("utf-8")).plain is plain
    assert value_end(text, 0, plain=plain) == len(text)


def test_nesting_deeper_than_the_decoder_reads_is_balanced() -> None:
    text = "[" * 5000 + "{}" + "]" * 5000 + ", 1"
    assert value_end(text, 0, plain=True) == 10002
