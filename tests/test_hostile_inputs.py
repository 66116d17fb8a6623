"""Hostile inputs: each is refused with one clear line, quickly, and nothing else happens.

Every case runs ``load_document`` in a watchdog thread, so that a hang fails the test instead
of stalling the suite. Big inputs are generated in ``tmp_path`` (sparse files where the size is
all that matters).
"""

from __future__ import annotations

import dataclasses
import errno
import functools
import json
import os
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from checker.core.diagnostics import Position
from checker.core.errors import InputError
from checker.documents import DEFAULT_LIMITS, Limits, load_document, source, yaml_loader
from tests.conftest import CliRunner
from tests.input_samples import AS_OF, POLICY, SNAPSHOT

MIB = 1024 * 1024


def bounded(call: Callable[[], Any], seconds: float) -> Any:
    """The result of ``call``, re-raising what it raised; fails if it runs over ``seconds``."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = call()
        except BaseException as exc:  # handed to the test thread below
            outcome["error"] = exc

    worker = threading.Thread(target=run, daemon=True)
    started = time.monotonic()
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"still running after {seconds} s"
    assert time.monotonic() - started < seconds
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def refused(
    path: Path,
    code: str,
    message: str,
    *,
    limits: Limits = DEFAULT_LIMITS,
    seconds: float = 5.0,
) -> InputError:
    """Assert that loading ``path`` is refused with ``code`` and exactly ``path: message``."""
    with pytest.raises(InputError) as caught:
        bounded(lambda: load_document(path, limits=limits), seconds)
    error = caught.value
    assert error.diagnostic.code == code
    assert str(error) == f"{path}{message}"
    assert "\n" not in str(error)
    return error


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


# -- YAML aliases -----------------------------------------------------------------------------


def billion_laughs(levels: int = 9, width: int = 10) -> str:
    lines = ["a: &a [" + ", ".join(["lol"] * width) + "]"]
    for level in range(1, levels):
        name, previous = chr(ord("a") + level), chr(ord("a") + level - 1)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * width) + "]")
    return "\n".join(lines) + "\n"


def test_billion_laughs_stops_at_the_alias_budget(tmp_path: Path) -> None:
    # a has 11 nodes, b 111, ... e 111111; after b to e, the 8th *e of f passes 1,000,000.
    refused(
        write(tmp_path, "bomb.yaml", billion_laughs()),
        "too-many-aliases",
        ":6:29: error: aliases expand to more than 1000000 nodes (an alias bomb?)",
    )


def test_alias_budget_is_a_limit(tmp_path: Path) -> None:
    path = write(tmp_path, "small.yaml", billion_laughs(levels=3))
    assert load_document(path).data["c"][0][0] == ["lol"] * 10
    refused(
        path,
        "too-many-aliases",
        ":2:20: error: aliases expand to more than 50 nodes (an alias bomb?)",
        limits=Limits(max_alias_nodes=50),
    )


def test_self_referencing_alias(tmp_path: Path) -> None:
    refused(
        write(tmp_path, "loop.yaml", "a: &a [*a]\n"),
        "yaml-alias",
        ":1:8: error: alias *a refers to a node that contains it (a recursive alias)",
    )


def test_alias_inside_its_own_mapping(tmp_path: Path) -> None:
    refused(
        write(tmp_path, "loop.yaml", "a: &a\n  b:\n    c: *a\n"),
        "yaml-alias",
        ":3:8: error: alias *a refers to a node that contains it (a recursive alias)",
    )


def test_undefined_alias(tmp_path: Path) -> None:
    refused(
        write(tmp_path, "undefined.yaml", "a: *nowhere\n"),
        "yaml-alias",
        ":1:4: error: alias *nowhere names no anchor",
    )


def test_alias_that_nests_too_deep(tmp_path: Path) -> None:
    text = "a: &a " + "[" * 150 + "]" * 150 + "\nb: " + "[" * 60 + "*a" + "]" * 60 + "\n"
    refused(
        write(tmp_path, "deep-alias.yaml", text),
        "too-deep",
        ":2:64: error: nesting is deeper than 200 levels",
    )


# -- nesting ----------------------------------------------------------------------------------

DEEP = 100_000


def test_deep_yaml_flow_nesting(tmp_path: Path) -> None:
    text = "a: " + "[" * DEEP + "]" * DEEP + "\n"
    refused(
        write(tmp_path, "deep.yaml", text),
        "too-deep",
        ":1:203: error: nesting is deeper than 200 levels",
        seconds=1.0,
    )


def test_deep_yaml_mapping_nesting(tmp_path: Path) -> None:
    text = "a: " + "{a: " * DEEP + "}" * DEEP + "\n"
    refused(
        write(tmp_path, "deep-map.yaml", text),
        "too-deep",
        ":1:800: error: nesting is deeper than 200 levels",
        seconds=1.0,
    )


def test_deep_yaml_list_at_the_top(tmp_path: Path) -> None:
    refused(
        write(tmp_path, "deep-top.yaml", "[" * DEEP + "]" * DEEP),
        "not-a-mapping",
        ":1:1: error: the top level is a list: expected a mapping",
        seconds=1.0,
    )


def test_deep_json_arrays(tmp_path: Path) -> None:
    refused(
        write(tmp_path, "deep.json", '{"a": ' + "[" * DEEP + "]" * DEEP + "}"),
        "too-deep",
        ":1:206: error: nesting is deeper than 200 levels",
        seconds=1.0,
    )


def test_deep_json_at_the_top(tmp_path: Path) -> None:
    refused(
        write(tmp_path, "deep-top.json", "[" * DEEP + "]" * DEEP),
        "too-deep",
        ":1:201: error: nesting is deeper than 200 levels",
        seconds=1.0,
    )


def test_deep_json_objects(tmp_path: Path) -> None:
    refused(
        write(tmp_path, "deep-objects.json", '{"a": ' * DEEP + "1" + "}" * DEEP),
        "too-deep",
        ":1:1201: error: nesting is deeper than 200 levels",
        seconds=1.0,
    )


def test_json_within_the_parser_but_beyond_the_limit(tmp_path: Path) -> None:
    text = '{"a": ' + "[" * 300 + '"[[[{{{"' + "]" * 300 + "}"
    refused(
        write(tmp_path, "deep-300.json", text),
        "too-deep",
        ":1:206: error: nesting is deeper than 200 levels",
    )


def test_depth_is_a_limit(tmp_path: Path) -> None:
    for name, text in (("d.yaml", "a: [[1]]\n"), ("d.json", '{"a": [[1]]}')):
        path = write(tmp_path, name, text)
        assert load_document(path, limits=Limits(max_depth=3)).data == {"a": [[1]]}
        column = 8 if name == "d.json" else 5
        refused(
            path,
            "too-deep",
            f":1:{column}: error: nesting is deeper than 2 levels",
            limits=Limits(max_depth=2),
        )


def _nested(shape: str, levels: int) -> str:
    """A one-key document whose value nests ``levels`` deep, in flow or block style."""
    if shape == "flow":
        return "a: " + "[" * levels + "1" + "]" * levels + "\n"
    lines = [" " * (2 * i) + "a:" for i in range(levels)]
    return "\n".join(lines) + " 1\n"


@pytest.mark.parametrize("shape", ["flow", "block"])
def test_max_depth_above_the_parsers_own_ceiling_is_honoured(tmp_path: Path, shape: str) -> None:
    """libyaml 0.2.6 stops at 1,000 levels on its own; ``--max-depth`` must still mean what it
    says, whatever the PyYAML version."""
    path = write(tmp_path, f"deep-{shape}.yaml", _nested(shape, 1500))
    doc = bounded(lambda: load_document(path, limits=Limits(max_depth=2000)), 10.0)
    node = doc.data["a"]
    for _ in range(1499 if shape == "flow" else 1498):
        node = node[0] if shape == "flow" else node["a"]
    assert node == ([1] if shape == "flow" else {"a": 1})


@pytest.mark.parametrize("shape", ["flow", "block"])
def test_limit_between_the_parsers_ceiling_and_the_document(tmp_path: Path, shape: str) -> None:
    path = write(tmp_path, f"deep-{shape}.yaml", _nested(shape, 1500))
    error = refused(
        path,
        "too-deep",
        (
            ":1:1203: error: nesting is deeper than 1200 levels"
            if shape == "flow"
            else ":1201:2401: error: nesting is deeper than 1200 levels"
        ),
        limits=Limits(max_depth=1200),
        seconds=10.0,
    )
    assert error.diagnostic.code == "too-deep"


def test_parser_ceiling_never_shows_through(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever ceiling a parser version has, the refusal is ours: simulate one at 50 levels."""
    real = yaml_loader._Loader

    class Shallow(real):  # type: ignore[misc,valid-type]
        def get_event(self) -> Any:
            event = super().get_event()
            if getattr(event.start_mark, "column", 0) > 52:
                raise yaml.scanner.ScannerError(
                    "while increasing flow level",
                    event.start_mark,
                    "exceeded maximum nesting depth",
                    event.start_mark,
                )
            return event

    monkeypatch.setattr(yaml_loader, "_Loader", Shallow)
    path = write(tmp_path, "deep.yaml", _nested("flow", 300))
    refused(
        path,
        "too-deep",
        ":1:103: error: nesting is deeper than 100 levels",
        limits=Limits(max_depth=100),
    )
    assert load_document(path, limits=Limits(max_depth=400)).data["a"][0][0][0] is not None


# -- size -------------------------------------------------------------------------------------

# The way past a limit, named in the error: a real inventory may outgrow the defaults.
RAISE_JSON = "; raise it with --max-file-size BYTES"
RAISE_YAML = "; raise it with --max-yaml-size BYTES, or write a large inventory as JSON"


def test_over_the_json_size_limit(tmp_path: Path) -> None:
    path = write(tmp_path, "big.json", '{"a": "' + "x" * 2000 + '"}')
    refused(
        path,
        "too-large",
        ": error: file is 2009 bytes, over the 1000 bytes limit for JSON input" + RAISE_JSON,
        limits=Limits(max_bytes=1000),
    )


def test_over_the_yaml_size_limit(tmp_path: Path) -> None:
    path = write(tmp_path, "big.yml", "a: " + "x" * 2000 + "\n")
    refused(
        path,
        "too-large",
        ": error: file is 2004 bytes, over the 1000 bytes limit for YAML input" + RAISE_YAML,
        limits=Limits(max_yaml_bytes=1000),
    )


@pytest.mark.parametrize("size", [10, 7_600, 300_000])
def test_a_file_is_read_in_one_read_of_its_size_and_a_small_one_to_see_its_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int
) -> None:
    """A read allocates what it asks for: a run of 10,000 small snapshots asking 1 MiB for
    each spent 80 us a file on it. The file whole in its first read, its end seen by a small
    one."""
    asked: list[int] = []
    read = os.read

    def recorded(fd: int, count: int) -> bytes:
        asked.append(count)
        return read(fd, count)

    monkeypatch.setattr(source.os, "read", recorded)
    path = write(tmp_path, "data.json", '"' + "x" * (size - 2) + '"')
    assert len(source.read_bytes(path, "data.json", 1 << 30, "JSON input")) == size
    assert asked[0] >= size + 1 and len(asked) == 2
    assert max(asked) <= max(size + 1, 1 << 16)


def test_sniffed_format_gets_its_own_limit(tmp_path: Path) -> None:
    limits = Limits(max_bytes=5000, max_yaml_bytes=1000)
    json_path = write(tmp_path, "big-json", '{"a": "' + "x" * 2000 + '"}')
    assert load_document(json_path, limits=limits).format == "json"
    refused(
        write(tmp_path, "big-yaml", "a: " + "x" * 2000 + "\n"),
        "too-large",
        ": error: file is 2004 bytes, over the 1000 bytes limit for YAML input" + RAISE_YAML,
        limits=limits,
    )


def test_300_mib_json_over_the_default_limit(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    with path.open("wb") as handle:
        handle.truncate(300 * MIB)  # sparse: refused on its size, never read
    refused(
        path,
        "too-large",
        ": error: file is 300 MiB, over the 256 MiB limit for JSON input" + RAISE_JSON,
    )


def test_33_mib_yaml_over_the_default_limit(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:
        handle.truncate(33 * MIB)
    refused(
        path,
        "too-large",
        ": error: file is 33 MiB, over the 32 MiB limit for YAML input" + RAISE_YAML,
    )


def test_ten_mib_single_line_loads(tmp_path: Path) -> None:
    blob = "x" * (10 * MIB)
    cases = (
        ("line.json", f'{{"a": "{blob}", "b": 1}}', len('{"a": "", ')),
        ("line.yaml", f"{{a: {blob}, b: 1}}", len("{a: , ")),
    )
    for name, text, before_b in cases:
        path = write(tmp_path, name, text)
        doc = bounded(functools.partial(load_document, path), 5.0)
        assert doc.data == {"a": blob, "b": 1}
        assert doc.positions.key(("b",)) == Position(1, len(blob) + before_b + 1)


def test_ten_mib_single_line_error_column(tmp_path: Path) -> None:
    blob = "x" * (10 * MIB)
    refused(
        write(tmp_path, "line-error.json", f'{{"a": "{blob}",}}'),
        "json-syntax",
        f":1:{10 * MIB + 9}: error: invalid JSON: trailing comma before the end of the object "
        "(remove it)",
    )


# -- numbers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (
            "n.json",
            '{"n": 1' + "0" * 2000 + "}",
            ":1:7: error: number 10000000000000000000… is too large",
        ),
        (
            "n.json",
            '{"n": -' + "9" * 5000 + "}",
            ":1:7: error: number -9999999999999999999… has more than 4000 digits",
        ),
        ("n.json", '{"n": [1e400]}', ":1:8: error: number 1e400 is too large"),
        (
            "n.json",
            '{"n": NaN}',
            ":1:7: error: NaN is not allowed: JSON data has no NaN or infinity",
        ),
        (
            "n.json",
            '{"n": Infinity}',
            ":1:7: error: Infinity is not allowed: JSON data has no NaN or infinity",
        ),
        (
            "n.json",
            '{"n": [-Infinity]}',
            ":1:8: error: -Infinity is not allowed: JSON data has no NaN or infinity",
        ),
        ("n.yaml", "n: 1" + "0" * 2000, ":1:4: error: number 10000000000000000000… is too large"),
        (
            "n.yaml",
            "n: 0x" + "f" * 5000,
            ":1:4: error: number 0xffffffffffffffffff… has more than 4000 digits",
        ),
        ("n.yaml", "n: 1" + ":59" * 1000, ":1:4: error: number 1:59:59:59:59:59:59:… is too large"),
        ("n.yaml", "n: 1.0e+400", ":1:4: error: number 1.0e+400 is too large"),
        ("n.yaml", "n: .nan", ":1:4: error: .nan is not allowed: JSON data has no NaN or infinity"),
        (
            "n.yaml",
            "n: [-.inf]",
            ":1:5: error: -.inf is not allowed: JSON data has no NaN or infinity",
        ),
        ("n.yaml", "n: !!int 0x_", ":1:4: error: number 0x_ cannot be read"),
    ],
)
def test_numbers_json_cannot_hold(tmp_path: Path, name: str, text: str, message: str) -> None:
    refused(write(tmp_path, name, text), "bad-number", message)


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (
            "n.json",
            '{"n": ' + "7" * 5000 + "}",
            ":1:7: error: number 77777777777777777777… is too large",
        ),
        ("n.yaml", "n: " + "7" * 5000, ":1:4: error: number 77777777777777777777… is too large"),
    ],
)
def test_digit_limit_above_the_interpreters(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    """Raised past Python's own limit on decimal digits (4300), the limit still holds."""
    limits = Limits(max_int_digits=10_000)
    refused(write(tmp_path, name, text), "bad-number", message, limits=limits)


def test_long_numbers_inside_strings_are_text(tmp_path: Path) -> None:
    digits = "1" * 5000
    doc = load_document(write(tmp_path, "s.json", f'{{"n": "{digits}", "x": "NaN 1e400"}}'))
    assert doc.data == {"n": digits, "x": "NaN 1e400"}


# -- encodings --------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_invalid_utf8(tmp_path: Path, suffix: str) -> None:
    refused(
        write(tmp_path, "bad" + suffix, b'{"a": 1,\n "b": "\xc3\xa9\xff"}'),
        "encoding",
        ":2:9: error: invalid UTF-8 (byte 0xff); save the file as UTF-8",
    )


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_nul_byte(tmp_path: Path, suffix: str) -> None:
    refused(
        write(tmp_path, "nul" + suffix, b'{"a": 1,\n "b": "x\x00"}'),
        "encoding",
        ":2:9: error: file contains a NUL byte: it is binary or not UTF-8 (UTF-16?); "
        "save it as UTF-8",
    )


def test_utf16_with_byte_order_mark(tmp_path: Path) -> None:
    refused(
        write(tmp_path, "u16.yaml", "a: 1\n".encode("utf-16")),
        "encoding",
        ":1:1: error: file is encoded as UTF-16 (it starts with a UTF-16 byte order mark); "
        "save it as UTF-8",
    )


def test_utf16_without_byte_order_mark(tmp_path: Path) -> None:
    refused(
        write(tmp_path, "u16.json", '{"a": 1}'.encode("utf-16-le")),
        "encoding",
        ":1:2: error: file contains a NUL byte: it is binary or not UTF-8 (UTF-16?); "
        "save it as UTF-8",
    )


def test_control_character_in_yaml(tmp_path: Path) -> None:
    refused(
        write(tmp_path, "ctl.yaml", "a: 1\nb: ééé\x07\n"),
        "encoding",
        ":2:7: error: character U+0007 is not allowed in YAML",
    )


def test_lone_surrogate_escape_in_json(tmp_path: Path) -> None:
    refused(
        write(tmp_path, "s.json", '{"ok": "\\ud83d\\ude00",\n "bad": ["\\udc00"]}'),
        "encoding",
        ":2:10: error: string contains an unpaired surrogate escape (\\ud800-\\udfff): "
        "not valid Unicode",
    )


def test_escaped_backslash_before_u_is_not_a_surrogate(tmp_path: Path) -> None:
    doc = load_document(write(tmp_path, "s.json", '{"path": "C:\\\\ud800"}'))
    assert doc.data == {"path": "C:\\ud800"}


def test_surrogate_escape_in_yaml(tmp_path: Path) -> None:
    error = refused(
        write(tmp_path, "s.yaml", 'a: "\\ud800"\n'),
        "yaml-syntax",
        ":1:7: error: invalid YAML: found invalid Unicode character escape code "
        "(while parsing a quoted scalar that starts at line 1)",
    )
    assert error.diagnostic.location.position is not None


# -- shapes -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.yaml", "", ": error: file has no content: expected a mapping"),
        ("empty.json", "", ": error: file has no content: expected a JSON object"),
        ("blank.json", " \n\t\n", ": error: file has no content: expected a JSON object"),
        (
            "comments.yaml",
            "# nothing\n\n  # here\n",
            ": error: file has no content: expected a mapping",
        ),
        ("marker.yaml", "---\n...\n", ": error: file has no content: expected a mapping"),
        ("empty", "", ": error: file has no content: expected a mapping"),
    ],
)
def test_empty_documents(tmp_path: Path, name: str, content: str, message: str) -> None:
    refused(write(tmp_path, name, content), "empty", message)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "list.yaml",
            "# stores\n- a\n- b\n",
            ":2:1: error: the top level is a list: expected a mapping",
        ),
        ("list.json", "\n [1, 2]", ":2:2: error: the top level is a list: expected a JSON object"),
        ("scalar.yaml", "hello\n", ":1:1: error: the top level is text: expected a mapping"),
        ("number.yaml", "12\n", ":1:1: error: the top level is an integer: expected a mapping"),
        ("null.yaml", "null\n", ":1:1: error: the top level is null: expected a mapping"),
        ("scalar.json", '"hello"', ":1:1: error: the top level is text: expected a JSON object"),
        ("number.json", "42", ":1:1: error: the top level is a number: expected a JSON object"),
        ("null.json", "null", ":1:1: error: the top level is null: expected a JSON object"),
    ],
)
def test_top_level_must_be_a_mapping(tmp_path: Path, name: str, content: str, message: str) -> None:
    refused(write(tmp_path, name, content), "not-a-mapping", message)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "{1: a}\n",
            ":1:2: error: mapping key 1 is read as an integer, but keys must be text; "
            "quote it: \"1\" (at $['1'])",
        ),
        (
            "a:\n  ? [x]\n  : 1\n",
            ":2:5: error: mapping key is a list, but keys must be text (at $.a)",
        ),
        ("a: &k [x]\n*k : 1\n", ":2:1: error: alias *k used as a key is not text"),
        (
            "a: !!python/tuple [1]\n",
            ":1:4: error: tag !!python/tuple is not allowed; only plain data is",
        ),
    ],
)
def test_keys_and_tags_that_are_not_plain_data(tmp_path: Path, text: str, message: str) -> None:
    code = "yaml-tag" if "tag" in message else "yaml-key"
    refused(write(tmp_path, "k.yaml", text), code, message)


# -- files that are not regular files ---------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    refused(
        tmp_path / "nope.yaml", "io-error", ": error: cannot read file: No such file or directory"
    )


def test_directory(tmp_path: Path) -> None:
    (tmp_path / "dir.yaml").mkdir()
    refused(
        tmp_path / "dir.yaml", "not-a-file", ": error: cannot read a directory; expected a file"
    )


def test_fifo_is_not_opened(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    refused(
        fifo, "not-a-file", ": error: cannot read a FIFO (named pipe); expected a file", seconds=2.0
    )


def test_character_devices(tmp_path: Path) -> None:
    for device in (Path("/dev/zero"), Path("/dev/null")):
        refused(device, "not-a-file", ": error: cannot read a character device; expected a file")


def test_socket(tmp_path: Path) -> None:
    path = tmp_path / "s.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(str(path))
        refused(path, "not-a-file", ": error: cannot read a socket; expected a file")


def test_symlink_loop(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").symlink_to(tmp_path / "b.yaml")
    (tmp_path / "b.yaml").symlink_to(tmp_path / "a.yaml")
    refused(
        tmp_path / "a.yaml",
        "io-error",
        ": error: cannot read file: Too many levels of symbolic links",
    )


def test_symlink_to_a_file_is_followed(tmp_path: Path) -> None:
    write(tmp_path, "real.yaml", "a: 1\n")
    (tmp_path / "link.yaml").symlink_to(tmp_path / "real.yaml")
    assert load_document(tmp_path / "link.yaml").data == {"a": 1}


def test_permission_denied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "secret.yaml", "a: 1\n")

    def denied(*args: object, **kwargs: object) -> int:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))

    monkeypatch.setattr(os, "open", denied)
    refused(path, "io-error", ": error: cannot read file: Permission denied")


def test_limits_are_plain_frozen_data() -> None:
    assert Limits() == DEFAULT_LIMITS
    assert (DEFAULT_LIMITS.max_bytes, DEFAULT_LIMITS.max_yaml_bytes) == (256 * MIB, 32 * MIB)
    assert (DEFAULT_LIMITS.max_depth, DEFAULT_LIMITS.max_alias_nodes) == (200, 1_000_000)
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT_LIMITS.max_depth = 5  # type: ignore[misc]


@pytest.mark.parametrize(
    ("name", "content", "code", "message"),
    [
        (
            "s.yaml",
            'a: "\\ud800"\n',
            "encoding",
            ":1:4: error: string contains an unpaired "
            "surrogate escape (\\ud800-\\udfff): not valid Unicode",
        ),
        (
            "c.yaml",
            "a: 1\nb: ééé\x07\n",
            "encoding",
            ":2:7: error: character U+0007 is not allowed in YAML",
        ),
        (
            "bomb.yaml",
            billion_laughs(),
            "too-many-aliases",
            ":6:29: error: aliases expand to more than 1000000 nodes (an alias bomb?)",
        ),
        (
            "deep.yaml",
            "a: " + "[" * DEEP + "]" * DEEP,
            "too-deep",
            ":1:203: error: nesting is deeper than 200 levels",
        ),
        (
            "t.yaml",
            "a: !!python/object/apply:os.system [x]\n",
            "yaml-tag",
            ":1:4: error: tag !!python/object/apply:os.system is not allowed; only plain data is",
        ),
    ],
)
def test_pure_python_parser_is_as_strict(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    content: str,
    code: str,
    message: str,
) -> None:
    """Without libyaml, PyYAML's own parser is used: the same refusals hold."""
    monkeypatch.setattr(yaml_loader, "_Loader", yaml.SafeLoader)
    refused(write(tmp_path, name, content), code, message)


# --- file names that are not UTF-8 ----------------------------------------------------------------


def test_a_folder_name_that_is_not_utf8_is_shown_escaped_and_results_stay_readable(
    tmp_path: Path, run_cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The warning about a file the folder holds that is not a snapshot named the folder with
    a lone surrogate: the saved results could not be read back."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "policy.yaml", POLICY)
    folder = os.fsdecode(b"snaps\xff")
    try:
        (tmp_path / folder).mkdir()
    except (OSError, UnicodeError):
        pytest.skip("this file system refuses names that are not UTF-8")
    write(tmp_path / folder, "snapshot.yaml", SNAPSHOT)
    write(tmp_path / folder, "notes.yaml", "title: not a snapshot\n")
    argv = ["check", "--policy", "policy.yaml", "--snapshot", folder, "--as-of", AS_OF]
    checked = run_cli(*argv, "--format", "text", "--output", "json=results.json")
    assert checked.code == 0, checked.err
    assert "snaps\\xff: warning: 1 file skipped" in checked.out
    assert run_cli("report", "results.json", "--format", "text").code == 0


def test_a_file_name_that_is_not_utf8_is_shown_escaped_and_results_stay_readable(
    tmp_path: Path, run_cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found in a folder, ``snap<0xff>.yaml`` went into the results as a lone surrogate: the
    JSON results could not be read back (report, baseline, history record: exit 2) and
    ``--history`` stopped with an internal error (exit 3)."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "policy.yaml", POLICY)
    (tmp_path / "snaps").mkdir()
    try:
        (tmp_path / "snaps" / os.fsdecode(b"snap\xff.yaml")).write_text(SNAPSHOT, "utf-8")
    except (OSError, UnicodeError):
        pytest.skip("this file system refuses names that are not UTF-8")
    argv = ["check", "--policy", "policy.yaml", "--snapshot", "snaps", "--as-of", AS_OF]
    checked = run_cli(*argv, "--output", "json=results.json", "--history", "runs.sqlite")
    assert checked.code == 0, checked.err
    assert (
        "snaps/snap\\xff.yaml"
        in json.loads((tmp_path / "results.json").read_text("utf-8"))["documents"][1]["file"]
    )
    reported = run_cli("report", "results.json", "--format", "text")
    assert reported.code == 0, reported.err
    baseline = os.fsdecode(b"baseline\xff.json")  # named in the results it compares
    (tmp_path / baseline).write_bytes((tmp_path / "results.json").read_bytes())
    compared = run_cli(*argv, "--baseline", baseline, "--output", "json=compared.json")
    assert compared.code == 0, compared.err
    assert run_cli("report", "compared.json", "--format", "text").code == 0
