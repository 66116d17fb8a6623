"""The strict loader on ordinary documents: data, positions, YAML 1.1 surprises, refusals."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest

from checker.core.diagnostics import Position
from checker.core.errors import InputError
from checker.documents import DEFAULT_LIMITS, Limits, json_loader, load_document
from checker.documents.document import Document, Surprise


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def refusal(path: Path, *, limits: Limits = DEFAULT_LIMITS) -> InputError:
    with pytest.raises(InputError) as caught:
        load_document(path, limits=limits)
    return caught.value


POLICY_YAML = """\
policy_checker: 1
stores:
  - id: chat
    retention:
      days: 30
    tags: [a, "b"]
  - id: logs
"""

POLICY_JSON = """\
{
  "policy_checker": 1,
  "stores": [
    {
      "id": "chat",
      "retention": {"days": 30},
      "tags": ["a", "b"]
    },
    {"id": "logs"}
  ]
}
"""


def test_yaml_data_and_format(tmp_path: Path) -> None:
    doc = load_document(write(tmp_path, "p.yaml", POLICY_YAML))
    assert doc.format == "yaml"
    assert doc.name == str(tmp_path / "p.yaml")
    assert doc.data == {
        "policy_checker": 1,
        "stores": [{"id": "chat", "retention": {"days": 30}, "tags": ["a", "b"]}, {"id": "logs"}],
    }
    assert doc.surprises == {}


def test_yaml_value_positions(tmp_path: Path) -> None:
    positions = load_document(write(tmp_path, "p.yaml", POLICY_YAML)).positions
    assert positions.value(()) == Position(1, 1)
    assert positions.value(("policy_checker",)) == Position(1, 17)
    assert positions.value(("stores",)) == Position(3, 3)
    assert positions.value(("stores", 0)) == Position(3, 5)
    assert positions.value(("stores", 0, "retention", "days")) == Position(5, 13)
    assert positions.value(("stores", 0, "tags", 1)) == Position(6, 15)
    assert positions.value(("stores", 1, "id")) == Position(7, 9)


def test_yaml_key_positions(tmp_path: Path) -> None:
    positions = load_document(write(tmp_path, "p.yaml", POLICY_YAML)).positions
    assert positions.key(("stores",)) == Position(2, 1)
    assert positions.key(("stores", 0, "retention")) == Position(4, 5)
    assert positions.key(("stores", 0, "retention", "days")) == Position(5, 7)
    assert positions.key(("stores", 0)) is None  # a list element has no key


@pytest.mark.parametrize(
    "path",
    [("missing",), ("stores", 2), ("stores", -1), ("stores", "0"), ("stores", 0, "id", "x")],
)
def test_missing_paths_have_no_position(tmp_path: Path, path: tuple[Any, ...]) -> None:
    for name, text in (("p.yaml", POLICY_YAML), ("p.json", POLICY_JSON)):
        positions = load_document(write(tmp_path, name, text)).positions
        assert positions.value(path) is None
        assert positions.key(path) is None


def test_json_data_and_format(tmp_path: Path) -> None:
    doc = load_document(write(tmp_path, "p.json", POLICY_JSON))
    assert doc.format == "json"
    assert doc.data == load_document(write(tmp_path, "p.yaml", POLICY_YAML)).data
    assert doc.surprises == {}


def test_json_value_and_key_positions(tmp_path: Path) -> None:
    positions = load_document(write(tmp_path, "p.json", POLICY_JSON)).positions
    assert positions.value(()) == Position(1, 1)
    assert positions.value(("policy_checker",)) == Position(2, 21)
    assert positions.value(("stores",)) == Position(3, 13)
    assert positions.value(("stores", 0)) == Position(4, 5)
    assert positions.value(("stores", 0, "retention", "days")) == Position(6, 29)
    assert positions.value(("stores", 0, "tags", 1)) == Position(7, 21)
    assert positions.value(("stores", 1)) == Position(9, 5)
    assert positions.value(("stores", 1, "id")) == Position(9, 12)
    assert positions.key(("stores", 0, "retention")) == Position(6, 7)
    assert positions.key(("stores", 0, "retention", "days")) == Position(6, 21)
    assert positions.key(("stores", 1)) is None


def test_json_positions_count_characters_not_bytes(tmp_path: Path) -> None:
    doc = load_document(write(tmp_path, "u.json", '{"é": "ü", "k": [1, "x"]}'))
    assert doc.positions.value(("k", 1)) == Position(1, 21)
    assert doc.positions.key(("k",)) == Position(1, 12)


def test_json_positions_asked_in_any_order_agree(tmp_path: Path) -> None:
    items = [{"n": i, "s": f"v{i}"} for i in range(50)]
    path = write(tmp_path, "l.json", json.dumps({"items": items}, indent=1))
    forward = load_document(path).positions
    backward = load_document(path).positions
    wanted = [("items", i, "s") for i in range(50)]
    assert [forward.value(p) for p in wanted] == [backward.value(p) for p in reversed(wanted)][::-1]
    assert forward.value(("items", 49, "s")) == Position(2 + 49 * 4 + 3, 9)


def test_json_positions_pass_over_every_kind_of_scalar_member(tmp_path: Path) -> None:
    # Scalars are passed over by the pattern that reads their key; escaped strings, exponents
    # and signs must end where the text says, or the members after them are misplaced.
    text = (
        '{"a": -1.5e-3, "b": "x\\"y", "c": true, "d": "plain", "e": null, "f": 0, '
        '"g": false, "h": 12E+2, "i": "\\u00e9\\\\", "last": [1]}'
    )
    positions = load_document(write(tmp_path, "s.json", text)).positions
    for key in ("a", "b", "c", "d", "e", "f", "g", "h", "i", "last"):
        key_at = text.index(f'"{key}": ')
        assert positions.key((key,)) == Position(1, key_at + 1)
        assert positions.value((key,)) == Position(1, key_at + len(key) + 5)
    assert positions.value(("last", 0)) == Position(1, text.index("[1]") + 2)


# Objects whose member "k" is 1, the key's text written elsewhere before it.
KEY_AHEAD = [
    # The key's text first appears as a string value, then in a nested object, then in an
    # object inside a list: only the member of the object asked about is the key.
    '{"v": "k", "k": 1}',
    '{"n": {"k": 0}, "k": 1}',
    '{"l": [{"k": 0}], "k": 1}',
    # Written with an escape, after a plain value that spells it.
    '{"v": "k", "\\u006b": 1}',
    # Behind members with escapes.
    '{"e\\"": "\\"", "k": 1}',
]


@pytest.mark.parametrize(
    "text",
    [
        *KEY_AHEAD,
        # Far behind plain members.
        "{" + ", ".join(f'"m{n}": {n}' for n in range(1000)) + ', "k": 1}',
    ],
)
def test_json_keys_looked_for_ahead_are_the_members_asked_for(tmp_path: Path, text: str) -> None:
    positions = load_document(write(tmp_path, "k.json", text)).positions
    member = text.rindex('": 1}')
    key_at = text.rindex('"', 0, member)  # the opening quote of the last member's key
    assert positions.key(("k",)) == Position(1, key_at + 1)
    assert positions.value(("k",)) == Position(1, member + 4)
    assert json.loads(text)["k"] == 1


@pytest.mark.parametrize(
    "text",
    [
        *KEY_AHEAD,
        # Scalars alone before it, the key's text inside them (after escaped quotes too).
        '{"v": "k", "w": "\\"k\\": 0", "k": 1}',
        '{"\\"\\"k": 0, "k": 1}',
        # Behind arrays, of scalars (the key's text among them) and of objects.
        '{"a": ["k", "k"], "b": [[1, "k"]], "k": 1}',
        '{"a": [{"k": 0}], "k": 1}',
        '{"a": ["{", "}"], "v": "k", "k": 1}',
        '{"v":"k","k": 1}',
        '{"a": "{", "b": "]", "v": "k", "k": 1}',
        '{"a": 1, "b": null, "c": "x y", "k": 1}',
        '{"a": [], "b": {}, "v": "k", "k": 1}',
    ],
)
def test_json_keys_of_an_inner_object_looked_for_ahead_are_the_members_asked_for(
    tmp_path: Path, text: str
) -> None:
    """Members of the top level are known as it is read; inside it, a key is looked for ahead
    in the text."""
    nested = '{"o": ' + text + "}"
    positions = load_document(write(tmp_path, "k.json", nested)).positions
    member = nested.rindex('": 1}')
    key_at = nested.rindex('"', 0, member)
    assert positions.key(("o", "k")) == Position(1, key_at + 1)
    assert positions.value(("o", "k")) == Position(1, member + 4)
    assert json.loads(nested)["o"]["k"] == 1


@pytest.mark.parametrize(
    "text",
    [
        '[{"a": 1}, "k"]',
        '[{"a": 1}, {"k": 1}]',
        '[{"a": 1}, {"b": {"k": 1}}]',
        '[{}, "k"]',
        '[{"a": 1}], "k": [1]',  # a key of the object around, after the one asked about
    ],
)
def test_json_keys_missing_from_an_object_are_not_found_after_it(tmp_path: Path, text: str) -> None:
    positions = load_document(write(tmp_path, "k.json", '{"l": ' + text + "}")).positions
    assert positions.value(("l", 0, "k")) is None
    assert positions.key(("l", 0, "k")) is None


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 1,}',
        '{"a": 1 "b": 2}',
        '{,"a": 1}',
        '{"a" 1}',
        '{"a": 1} x',
        '{"a": 1}}',
        '{"a\tb": 1}',
        '{"a": 1, "b": [1, 2,]}',
        '{"a": [1 2]}',
        '{"a": [,1]}',
        '{"a": [1,,2]}',
        '{"a": [1, 2}',
        '{"a": [',
        '{"a": ',
        '{"a":',
        '{"a": [[1], {"b": 1,}]}',
        '{"a": {"b": 1,}}',
        '{"a": 1',
        '{"a": tru}',
        '{"a": "\\x"}',
    ],
)
@pytest.mark.parametrize("indexed", [(), ("a",)])
def test_json_top_level_read_member_by_member_refuses_what_the_decoder_refuses(
    tmp_path: Path, text: str, indexed: tuple[str, ...]
) -> None:
    """The top level is read a member at a time (a list named to be indexed, an item at a
    time); broken text is still refused, with the complaint made of the decoder's own."""
    with pytest.raises(json.JSONDecodeError) as decoded:
        json.loads(text)
    expected = json_loader._syntax_error("b.json", text, decoded.value).diagnostic
    with pytest.raises(InputError) as loaded:
        load_document(write(tmp_path, "b.json", text), indexed_lists=indexed)
    got = loaded.value.diagnostic
    assert (got.message, got.location.position) == (expected.message, expected.location.position)


@pytest.mark.parametrize("text", ['{"a": 1, "a": 2}', '{"a": {"b": 1, "b": 2}}'])
def test_json_top_level_read_member_by_member_refuses_duplicate_keys(
    tmp_path: Path, text: str
) -> None:
    with pytest.raises(InputError, match="duplicate key"):
        load_document(write(tmp_path, "d.json", text))


@pytest.mark.parametrize("text", ["{}", ' \n{ "a" : [ ] ,\n "b" : {"c": [1]} , "\\u0064": 2 }\n '])
def test_json_top_level_read_member_by_member_reads_what_the_decoder_reads(
    tmp_path: Path, text: str
) -> None:
    doc = load_document(write(tmp_path, "t.json", text))
    assert doc.data == json.loads(text)
    lines = text.split("\n")
    for key, value in doc.data.items():
        where = doc.positions.value((key,))
        assert where is not None
        assert lines[where.line - 1][where.column - 1 :].startswith(json.dumps(value)[0])
    if doc.data:
        assert doc.positions.value(("b", "c", 0)) == Position(3, lines[2].index("1") + 1)
        assert doc.positions.key(("d",)) == Position(3, lines[2].index('"\\u0064"') + 1)


@pytest.mark.parametrize("indexed", [(), ("a", "b", "d")])
def test_json_top_level_arrays_read_an_element_at_a_time_know_each_element(
    tmp_path: Path, indexed: tuple[str, ...]
) -> None:
    """A top-level array named to be indexed is read an element at a time, each element's
    place noted as it is read; others are indexed when asked. Either way every element, of any
    kind and between any spacing, is found where it is written."""
    text = '{"a": [ ],\n"b":[\n 1 ,"x",\t[2, [3]] , {"c": [4]},null\n],"d" :[[]]}'
    doc = load_document(write(tmp_path, "t.json", text), indexed_lists=indexed)
    assert doc.data == json.loads(text)
    lines = text.split("\n")
    assert doc.positions.value(("a", 0)) is None
    assert doc.positions.value(("b", 5)) is None
    expected = {
        ("b", 0): (3, lines[2].index("1")),
        ("b", 1): (3, lines[2].index('"x"')),
        ("b", 2): (3, lines[2].index("[2")),
        ("b", 2, 1, 0): (3, lines[2].index("3")),
        ("b", 3, "c", 0): (3, lines[2].index("4")),
        ("b", 4): (3, lines[2].index("null")),
        ("d", 0): (4, lines[3].index("[]")),
    }
    for path, (line, index) in expected.items():
        assert doc.positions.value(path) == Position(line, index + 1), path


SURPRISES_YAML = """\
plain_no: no
plain_on: On
octal: 012
hex: 0x1F
underscore: 1_000
time: 1:30
date: 2024-01-01
quoted_no: "no"
quoted_octal: '012'
quoted_date: "2024-01-01"
really_true: true
shouting: FALSE
exponent: 1e3
o_prefix: 0o12
tagged: !!str 012
binary: 0b101
angle: 190:20:30.15
grouped: 1_000.5
signed: +12
negative_hex: -0x10
"""


def test_surprises_are_recorded_for_plain_scalars(tmp_path: Path) -> None:
    doc = load_document(write(tmp_path, "s.yaml", SURPRISES_YAML))
    assert doc.surprises == {
        ("plain_no",): Surprise("no", "bool", False),
        ("plain_on",): Surprise("On", "bool", True),
        ("octal",): Surprise("012", "octal", 10),
        ("hex",): Surprise("0x1F", "octal", 31),
        ("underscore",): Surprise("1_000", "octal", 1000),
        ("time",): Surprise("1:30", "sexagesimal", 90),
        ("date",): Surprise("2024-01-01", "date", datetime.date(2024, 1, 1)),
        ("binary",): Surprise("0b101", "octal", 5),
        ("angle",): Surprise("190:20:30.15", "sexagesimal", 685230.15),
        ("grouped",): Surprise("1_000.5", "float", 1000.5),
        ("negative_hex",): Surprise("-0x10", "octal", -16),
    }


def test_surprising_values_keep_the_yaml_1_1_reading(tmp_path: Path) -> None:
    doc = load_document(write(tmp_path, "s.yaml", SURPRISES_YAML))
    assert doc.data == {
        "plain_no": False,
        "plain_on": True,
        "octal": 10,
        "hex": 31,
        "underscore": 1000,
        "time": 90,
        "date": "2024-01-01",  # JSON has no date: the text as written
        "quoted_no": "no",
        "quoted_octal": "012",
        "quoted_date": "2024-01-01",
        "really_true": True,
        "shouting": False,
        "exponent": "1e3",  # YAML 1.1 needs a dot for a float
        "o_prefix": "0o12",  # and knows no 0o prefix
        "tagged": "012",
        "binary": 5,
        "angle": 685230.15,
        "grouped": 1000.5,
        "signed": 12,
        "negative_hex": -16,
    }


def test_surprises_follow_aliases(tmp_path: Path) -> None:
    text = "base: &b {enabled: off, n: [1, 007]}\ncopies: [*b]\n"
    doc = load_document(write(tmp_path, "a.yaml", text))
    assert doc.data["copies"] == [{"enabled": False, "n": [1, 7]}]
    assert set(doc.surprises) == {
        ("base", "enabled"),
        ("base", "n", 1),
        ("copies", 0, "enabled"),
        ("copies", 0, "n", 1),
    }


def test_aliases_copy_and_point_at_the_anchor(tmp_path: Path) -> None:
    text = "base: &b\n  x: 1\nuse: *b\n"
    doc = load_document(write(tmp_path, "a.yaml", text))
    doc.data["use"]["x"] = 2  # a copy, not a shared object
    assert doc.data["base"] == {"x": 1}
    assert doc.positions.value(("use",)) == Position(3, 6)
    assert doc.positions.value(("use", "x")) == Position(2, 6)


def test_yaml_duplicate_key(tmp_path: Path) -> None:
    path = write(tmp_path, "d.yaml", "a: 1\nstores:\n  - id: x\n    name: y\n    id: z\n")
    error = refusal(path)
    assert error.diagnostic.code == "yaml-duplicate-key"
    assert str(error) == (
        f'{path}:5:5: error: duplicate key "id" (first defined at line 3) (at $.stores[0].id)'
    )


def test_yaml_duplicate_key_quoted_and_plain(tmp_path: Path) -> None:
    path = write(tmp_path, "d.yaml", "a: 1\n'a': 2\n")
    assert str(refusal(path)) == (
        f'{path}:2:1: error: duplicate key "a" (first defined at line 1) (at $.a)'
    )


def test_json_duplicate_key(tmp_path: Path) -> None:
    path = write(tmp_path, "d.json", '{\n  "a": {"b": 1,\n        "b": 2}\n}\n')
    error = refusal(path)
    assert error.diagnostic.code == "json-duplicate-key"
    assert str(error) == (
        f'{path}:3:9: error: duplicate key "b" (first defined at line 2) (at $.a.b)'
    )


def test_json_duplicate_key_written_with_an_escape(tmp_path: Path) -> None:
    path = write(tmp_path, "d.json", '{"ab": 1, "a\\u0062": 2}')
    assert str(refusal(path)) == (
        f'{path}:1:11: error: duplicate key "ab" (first defined at line 1) (at $.ab)'
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "a: !!python/object/apply:os.system ['touch {marker}']\n",
            "1:4: error: tag !!python/object/apply:os.system is not allowed; only plain data is",
        ),
        (
            "a: !!python/object/new:os.system ['touch {marker}']\n",
            "1:4: error: tag !!python/object/new:os.system is not allowed; only plain data is",
        ),
        (
            "a: !!python/name:os.system\n",
            "1:4: error: tag !!python/name:os.system is not allowed; only plain data is",
        ),
        ("a: !custom x\n", "1:4: error: tag !custom is not allowed; only plain data is"),
        ("a: !!binary aGVsbG8=\n", "1:4: error: tag !!binary is not allowed; only plain data is"),
        ("a: !!set {x, y}\n", "1:4: error: tag !!set is not allowed; only plain data is"),
        ("a: !!omap [x: 1]\n", "1:4: error: tag !!omap is not allowed; only plain data is"),
        ("a: !!int abc\n", "1:4: error: !!int does not apply to this value"),
    ],
)
def test_tags_are_refused_and_never_run(tmp_path: Path, text: str, message: str) -> None:
    marker = tmp_path / "pwned"
    path = write(tmp_path, "t.yaml", text.replace("{marker}", str(marker)))
    error = refusal(path)
    assert error.diagnostic.code == "yaml-tag"
    assert str(error) == f"{path}:{message}"
    assert not marker.exists()


def test_core_tags_are_plain_data(tmp_path: Path) -> None:
    text = (
        "a: !!str 012\nb: !!int '12'\nc: !!bool yes\nd: !!null ''\ne: ! 12\n"
        "f: !!map {x: !!seq []}\n"
    )
    doc = load_document(write(tmp_path, "t.yaml", text))
    assert doc.data == {"a": "012", "b": 12, "c": True, "d": None, "e": "12", "f": {"x": []}}
    assert doc.surprises == {}


def test_merge_keys_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "m.yaml", "base: &b {x: 1}\nother:\n  <<: *b\n  x: 2\n")
    error = refusal(path)
    assert error.diagnostic.code == "yaml-merge-key"
    assert str(error) == (
        f"{path}:3:3: error: merge keys (<<) are not supported: they can hide duplicate keys; "
        "write the keys out"
    )


def test_two_yaml_documents_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "two.yaml", "a: 1\n---\nb: 2\n")
    error = refusal(path)
    assert error.diagnostic.code == "yaml-multiple-documents"
    assert str(error) == (
        f"{path}:2:1: error: a second YAML document starts here; put one document in each file"
    )


def test_one_explicit_document_is_fine(tmp_path: Path) -> None:
    doc = load_document(write(tmp_path, "one.yaml", "%YAML 1.1\n---\na: 1\n...\n"))
    assert doc.data == {"a": 1}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "1: a\n",
            "1:1: error: mapping key 1 is read as an integer, but keys must be text; "
            "quote it: \"1\" (at $['1'])",
        ),
        (
            "yes: a\n",
            "1:1: error: mapping key yes is read as a boolean, but keys must be text; "
            'quote it: "yes" (at $.yes)',
        ),
        (
            "x: 1\nnull: a\n",
            "2:1: error: mapping key null is read as null, but keys must be text; "
            'quote it: "null" (at $.null)',
        ),
        (
            "x:\n  ?\n  : a\n",
            "2:4: error: an empty mapping key is read as null, but keys must be text; "
            "quote it: \"\" (at $.x[''])",
        ),
        (
            "~: a\n",
            "1:1: error: mapping key ~ is read as null, but keys must be text; "
            "quote it: \"~\" (at $['~'])",
        ),
        (
            "2024-01-01: a\n",
            "1:1: error: mapping key 2024-01-01 is read as a date, but keys must be text; "
            "quote it: \"2024-01-01\" (at $['2024-01-01'])",
        ),
        ("? [a]\n: b\n", "1:3: error: mapping key is a list, but keys must be text"),
        (
            "x:\n  ? {a: 1}\n  : b\n",
            "2:5: error: mapping key is a mapping, but keys must be text (at $.x)",
        ),
    ],
)
def test_yaml_keys_must_be_text(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, "k.yaml", text)
    error = refusal(path)
    assert error.diagnostic.code == "yaml-key"
    assert str(error) == f"{path}:{message}"


def test_yaml_syntax_error_names_the_place(tmp_path: Path) -> None:
    path = write(tmp_path, "s.yaml", "a: 1\nb: [1, 2\nc: 3\n")
    error = refusal(path)
    assert error.diagnostic.code == "yaml-syntax"
    assert str(error) == (
        f"{path}:3:2: error: invalid YAML: did not find expected ',' or ']' "
        "(while parsing a flow sequence that starts at line 2)"
    )


def test_json_syntax_error_names_the_place(tmp_path: Path) -> None:
    path = write(tmp_path, "s.json", '{\n  "a": 1,\n}\n')
    error = refusal(path)
    assert error.diagnostic.code == "json-syntax"
    assert str(error) == (
        f"{path}:2:9: error: invalid JSON: trailing comma before the end of the object (remove it)"
    )


@pytest.mark.parametrize(
    ("text", "place", "message"),
    [
        ('{"a": [1, 2 , ]}', "1:13", "trailing comma before the end of the array (remove it)"),
        ('{"a": [1,\n]}', "1:9", "trailing comma before the end of the array (remove it)"),
        ('{"a": 1 ,\r\n\t}', "1:9", "trailing comma before the end of the object (remove it)"),
        ('{"a": [1,, 2]}', "1:10", "Expecting value"),
        ('{"a": 1 "b": 2}', "1:9", "Expecting ',' delimiter"),
        ('{"a" 1}', "1:6", "Expecting ':' delimiter"),
        ('{"a": 1}  x', "1:11", "Extra data"),
    ],
)
def test_json_syntax_errors_read_the_same_on_every_python(
    tmp_path: Path, text: str, place: str, message: str
) -> None:
    """Python 3.13 reworded the decoder's trailing-comma error and moved its column; ours
    does not change with the interpreter."""
    path = write(tmp_path, "s.json", text)
    assert str(refusal(path)) == f"{path}:{place}: error: invalid JSON: {message}"


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("doc.JSON", '{"a": 1}', "json"),
        ("doc.yml", "a: 1", "yaml"),
        ("doc.YAML", "a: 1", "yaml"),
        ("doc.txt", ' \n {"a": 1}', "json"),
        ("doc", "\ufeff{}", "json"),
        ("doc", "a: 1", "yaml"),
        ("doc.json5", "{}", "json"),
    ],
)
def test_format_follows_extension_then_content(
    tmp_path: Path, name: str, text: str, expected: str
) -> None:
    assert load_document(write(tmp_path, name, text)).format == expected


@pytest.mark.parametrize(
    ("name", "text", "code"),
    [
        ("doc", "[1]", "not-a-mapping"),  # sniffed as JSON: a list
        ("doc.conf", "{a: 1}", "json-syntax"),  # sniffed as JSON: YAML flow style is not JSON
        ("doc.json", "a: 1", "json-syntax"),  # the extension wins over the content
        ("doc.yaml", '{"a": 1, "a": 2}', "yaml-duplicate-key"),
    ],
)
def test_sniffed_format_decides_the_errors(tmp_path: Path, name: str, text: str, code: str) -> None:
    assert refusal(write(tmp_path, name, text)).diagnostic.code == code


def test_display_name_is_used_in_messages(tmp_path: Path) -> None:
    path = write(tmp_path, "x.yaml", "- 1\n")
    with pytest.raises(InputError) as caught:
        load_document(path, name="policies/x.yaml")
    assert (
        str(caught.value)
        == "policies/x.yaml:1:1: error: the top level is a list: expected a mapping"
    )
    assert load_document(write(tmp_path, "y.yaml", "a: 1"), name="y").name == "y"


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    for name, text in (("b.yaml", "a: 1\n"), ("b.json", '{"a": 1}')):
        path = tmp_path / name
        path.write_bytes(b"\xef\xbb\xbf" + text.encode())
        doc: Document = load_document(path)
        assert doc.data == {"a": 1}
        assert doc.positions.key(("a",)) == Position(1, 1) if name == "b.yaml" else Position(1, 2)


# The builder places common nodes inline and remembers the values of repeated plain scalars;
# these pin that the shortcut reads what the general path reads.


def test_a_repeated_surprising_scalar_is_reported_at_every_place(tmp_path: Path) -> None:
    text = "a: on\nb: on\nc: [on, 012, on]\nd:\n  e: 012\n"
    doc = load_document(write(tmp_path, "r.yaml", text))
    assert doc.data == {"a": True, "b": True, "c": [True, 10, True], "d": {"e": 10}}
    assert doc.surprises == {
        ("a",): Surprise("on", "bool", True),
        ("b",): Surprise("on", "bool", True),
        ("c", 0): Surprise("on", "bool", True),
        ("c", 1): Surprise("012", "octal", 10),
        ("c", 2): Surprise("on", "bool", True),
        ("d", "e"): Surprise("012", "octal", 10),
    }


def test_repeated_plain_scalars_keep_their_type_and_own_position(tmp_path: Path) -> None:
    text = "a: 7\nb: 7\nc: true\nd: [true, 7, '7', null, ~, 1.5, 1.5, x, x]\n"
    doc = load_document(write(tmp_path, "r.yaml", text))
    assert doc.data == {
        "a": 7,
        "b": 7,
        "c": True,
        "d": [True, 7, "7", None, None, 1.5, 1.5, "x", "x"],
    }
    assert doc.positions.value(("b",)) == Position(2, 4)
    assert doc.positions.value(("d", 2)) == Position(4, 14)
    assert doc.positions.value(("d", 8)) == Position(4, 41)


def test_a_repeated_bad_number_is_refused_where_it_is(tmp_path: Path) -> None:
    digits = "9" * 20
    limits = Limits(max_int_digits=10)
    ok = write(tmp_path, "ok.yaml", f"a: '{digits}'\nb: {digits}\n")
    error = refusal(ok, limits=limits)
    assert error.diagnostic.code == "bad-number"
    assert error.diagnostic.location.position == Position(2, 4)


def test_positions_far_into_a_file(tmp_path: Path) -> None:
    """Positions are packed while the file is read: far lines and columns survive it."""
    lines = [f"k{i}: {i}" for i in range(70_000)]
    wide = f"wide: [{'x' * 70_000}, {{b: 2}}]"
    text = "\n".join([*lines, wide, "last: 1"]) + "\n"
    doc = load_document(write(tmp_path, "far.yaml", text))
    column = wide.index("b: 2") + 1
    assert column > 70_000
    assert doc.positions.value(("k69999",)) == Position(70_000, 9)
    assert doc.positions.key(("wide", 1, "b")) == Position(70_001, column)
    assert doc.positions.value(("wide", 1, "b")) == Position(70_001, column + 3)
    assert doc.positions.key(("last",)) == Position(70_002, 1)
    dup = write(tmp_path, "dup.yaml", text + "k69999: 2\n")
    message = 'duplicate key "k69999" (first defined at line 70000)'
    assert str(refusal(dup)) == f"{dup}:70003:1: error: {message} (at $.k69999)"
