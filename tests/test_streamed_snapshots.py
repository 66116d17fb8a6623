"""A JSON snapshot read store by store gives the results of the same file read whole.

``--stream-from 0`` reads every JSON snapshot a block of stores at a time
(``checker.evaluation.streamed``); a limit above the file's size reads it whole. Every case
compares the two runs byte for byte (exit code, standard output and error, every report), and
says whether the file was read store by store, so that no comparison passes by reading both
whole. Small chunks and blocks put store boundaries everywhere a chunk or block can end.
"""

from __future__ import annotations

import dataclasses
import json
import os
import random
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from checker import pipeline
from checker.core.diagnostics import JsonPath
from checker.core.pools import forks_workers
from checker.documents import DEFAULT_LIMITS, json_stream, load_document
from checker.documents.inputs import Entry
from checker.evaluation import engine, in_step, streamed
from checker.evaluation.in_step import StoredItems
from checker.execution import units
from tests.conftest import REPO, CliRunner
from tests.inventories import inventory_text

CASES = sorted(p for p in (REPO / "tests" / "cases" / "check").iterdir() if p.is_dir())
EXAMPLES = REPO / "policies" / "examples"
LIBRARY = REPO / "policies" / "library"
BENCH_POLICY = REPO / "benchmarks" / "policy.yaml"
AS_OF = "2026-11-21"
WHOLE = str(10**12)  # a file smaller than this is read whole
FORMATS = ("json", "sarif", "junit", "markdown", "html", "github")


@pytest.fixture
def streamed_files(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bool]]:
    """Whether each snapshot checked with ``--stream-from 0`` was checked read store by store,
    in order. A file whose streamed reading stopped half-way is then read again whole, under
    limits that read every file whole: its check is not counted, nor is the check of a file
    that could not be read (so a file read whole leaves nothing, or False)."""
    seen: list[bool] = []
    check, load = engine.check_unit, streamed.load_streamed
    streaming = False

    def loading(entry: Any, limits: Any, policies: Any, **options: Any) -> Any:
        nonlocal streaming
        streaming = limits.stream_from == 0  # each unit starts here
        return load(entry, limits, policies, **options)

    def checking(policies: Any, view: Any, **options: Any) -> Any:
        result = check(policies, view, **options)  # a streamed reading stopped half-way raises
        if streaming:
            seen.append(isinstance(view.data.get("stores"), StoredItems))
        return result

    monkeypatch.setattr(units, "load_streamed", loading)
    monkeypatch.setattr(units, "check_unit", checking)
    yield seen


@pytest.fixture
def small_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of a few dozen characters and blocks of a few stores."""
    monkeypatch.setattr(json_stream, "_CHUNK", 61)
    monkeypatch.setattr(in_step, "BLOCK", 3)


def _run(run_cli: CliRunner, out: Path, stream_from: str, *argv: str) -> tuple[Any, ...]:
    out.mkdir()
    outputs = [f"--output={fmt}={out / ('report.' + fmt)}" for fmt in FORMATS]
    run = run_cli("check", *argv, *outputs, f"--stream-from={stream_from}", f"--as-of={AS_OF}")
    reports = {p.name: p.read_bytes() for p in sorted(out.iterdir())}
    return run.code, run.out, run.err, reports


def _same_either_way(run_cli: CliRunner, tmp_path: Path, *argv: str) -> tuple[Any, ...]:
    """The run reading every JSON snapshot store by store, after checking that it equals the
    run reading them whole."""
    whole = _run(run_cli, tmp_path / "whole", WHOLE, *argv)
    streamed_run = _run(run_cli, tmp_path / "streamed", "0", *argv)
    assert streamed_run[:3] == whole[:3]
    for name, content in whole[3].items():
        assert streamed_run[3][name] == content, name
    return streamed_run


def _as_json(source: Path, target: Path, *, indent: int | None = 2, newline: str = "\n") -> Path:
    data = load_document(source).data
    text = json.dumps(data, indent=indent, ensure_ascii=False, default=str)
    target.write_text(text.replace("\n", newline) + newline, encoding="utf-8", newline="")
    return target


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_every_check_case_reads_the_same_store_by_store(
    case: Path,
    tmp_path: Path,
    run_cli: CliRunner,
    streamed_files: list[bool],
    small_steps: None,
) -> None:
    snapshot = _as_json(case / "snapshot.yaml", tmp_path / "snapshot.json")
    argv = [f"--policy={case / 'policy.yaml'}", f"--snapshot={snapshot}", "--passes=count"]
    if (case / "waivers.yaml").exists():
        argv.append(f"--waivers={case / 'waivers.yaml'}")
    _same_either_way(run_cli, tmp_path, *argv)
    assert len(streamed_files) <= 1  # none when the run stops first (an import not found)


def test_most_check_cases_are_read_store_by_store(
    tmp_path: Path, run_cli: CliRunner, streamed_files: list[bool]
) -> None:
    """The comparison above is not vacuous: the cases the streamed reading declines are those
    it is meant to decline (custom rules, names a policy does not define, imports…)."""
    read: dict[str, bool] = {}
    for case in CASES:
        snapshot = _as_json(case / "snapshot.yaml", tmp_path / f"{case.name}.json")
        streamed_files.clear()
        run_cli(
            "check",
            f"--policy={case / 'policy.yaml'}",
            f"--snapshot={snapshot}",
            "--stream-from=0",
            f"--as-of={AS_OF}",
        )
        read[case.name] = streamed_files == [True]
    assert sum(read.values()) >= len(CASES) * 2 // 3, read
    assert not read["custom-rule"] and read["deletion-copies-and-holds-broken"]


@pytest.mark.parametrize("passes", ["list", "count"])
@pytest.mark.parametrize(
    "example", ["anthropic-published", "google-gemini-published", "openai-published"]
)
def test_the_published_examples_read_the_same_store_by_store(
    example: str,
    passes: str,
    tmp_path: Path,
    run_cli: CliRunner,
    streamed_files: list[bool],
    small_steps: None,
) -> None:
    """Real deployments: copies of stores (which inherit their sources' data kinds), legal
    holds, pipelines reading stores by id, compact JSON and CRLF line endings."""
    folder = tmp_path / "snapshots"
    folder.mkdir()
    _as_json(EXAMPLES / example / "compliant.yaml", folder / "compliant.json", indent=None)
    _as_json(EXAMPLES / example / "violating.yaml", folder / "violating.json", newline="\r\n")
    _same_either_way(
        run_cli,
        tmp_path,
        f"--policy={LIBRARY / (example + '.yaml')}",
        f"--snapshot={folder}",
        f"--passes={passes}",
    )
    assert streamed_files == [True, True]


def _generated(path: Path, stores: int, *, indent: int | None, seed: int = 7) -> Path:
    path.write_text(inventory_text(stores, seed=seed, indent=indent), encoding="utf-8")
    return path


@pytest.mark.parametrize("indent", [None, 2])
@pytest.mark.parametrize("passes", ["list", "count"])
def test_a_generated_inventory_reads_the_same_store_by_store(
    indent: int | None,
    passes: str,
    tmp_path: Path,
    run_cli: CliRunner,
    streamed_files: list[bool],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(json_stream, "_CHUNK", 4096)
    monkeypatch.setattr(in_step, "BLOCK", 17)
    snapshot = _generated(tmp_path / "inventory.json", 400, indent=indent)
    code, _, _, reports = _same_either_way(
        run_cli,
        tmp_path,
        f"--policy={BENCH_POLICY}",
        f"--snapshot={snapshot}",
        f"--passes={passes}",
    )
    assert streamed_files == [True]
    assert code == 1 and b'"status": "fail"' in reports["report.json"]


def test_names_beyond_ascii_keep_their_byte_offsets_and_columns(
    tmp_path: Path, run_cli: CliRunner, streamed_files: list[bool], small_steps: None
) -> None:
    data = json.loads(_generated(tmp_path / "g.json", 60, indent=None).read_text("utf-8"))
    for i, store in enumerate(data["stores"]):
        if i % 3:  # characters of two, three and four bytes before the places findings name
            store["source"] = {"address": f"störe {i} 日本 😀", "file": "ünïcode.tf"}
    snapshot = tmp_path / "unicode.json"
    snapshot.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    _same_either_way(run_cli, tmp_path, f"--policy={BENCH_POLICY}", f"--snapshot={snapshot}")
    assert streamed_files == [True]


def test_copies_inherit_through_chains_and_cycles_as_when_read_whole(
    tmp_path: Path, run_cli: CliRunner, streamed_files: list[bool], small_steps: None
) -> None:
    data = json.loads(_generated(tmp_path / "g.json", 40, indent=None).read_text("utf-8"))
    stores = data["stores"]
    ids = [store["id"] for store in stores]
    for store in stores[:4] + stores[30:33]:  # what they hold comes from their sources
        store.pop("data_kinds", None)
        store.pop("tiers", None)
    stores[0]["copy_of"] = [ids[1]]  # a cycle: 0 copies 1, 1 copies 0
    stores[1]["copy_of"] = [ids[0]]
    stores[2]["copy_of"] = [ids[3]]  # a chain: 2 -> 3 -> 39, the last far away
    stores[3]["copy_of"] = [ids[39]]
    stores[30]["copy_of"] = [ids[31], ids[5]]  # 30 -> 31 -> 32 -> 2 -> 3 -> 39, and 5
    stores[31]["copy_of"] = [ids[32]]
    stores[32]["copy_of"] = [ids[2]]
    stores[20]["copy_of"] = [ids[21]]  # a copy recording its own kinds inherits nothing
    stores[20]["deleted_with_source"] = False
    snapshot = tmp_path / "copies.json"
    snapshot.write_text(json.dumps(data), encoding="utf-8")
    _same_either_way(run_cli, tmp_path, f"--policy={BENCH_POLICY}", f"--snapshot={snapshot}")
    assert streamed_files == [True]


def _generated_text(tmp_path: Path) -> str:
    return _generated(tmp_path / "base.json", 30, indent=2).read_text("utf-8")


def _first_store_edited(text: str, old: str, new: str) -> str:
    at = text.index('"stores": [')
    found = text.index(old, at)
    return text[:found] + new + text[found + len(old) :]


def _last_store_edited(text: str, old: str, new: str) -> str:
    at = text.index('"pipelines": [')
    found = text.rindex(old, 0, at)
    return text[:found] + new + text[found + len(old) :]


def _in_store(old: str, new: str) -> Any:
    """An edit of the first store's text: ``old`` replaced by ``new``."""
    return lambda text: _first_store_edited(text, old, new)


# Files the streamed reading declines, each for a reason the whole reading reports (or judges).
DECLINED = {
    "byte order mark": lambda t: "\ufeff" + t,
    "duplicate key in a store": _in_store('"kind":', '"kind": "x", "kind":'),
    "duplicate key in the last store, blocks after the first": lambda t: _last_store_edited(
        t, '"kind":', '"kind": "x", "kind":'
    ),
    "NaN in a store": _in_store('"holds_minors_data": false', '"holds_minors_data": NaN'),
    "number out of range": _in_store('"kind":', '"x": 1e999, "kind":'),
    "escaped surrogate": _in_store('"kind": "', '"kind": "\\ud800'),
    "text after the object": lambda t: t + "{}",
    "cut short": lambda t: t[: len(t) // 2],
    "a store that is no object": lambda t: t.replace('"stores": [', '"stores": ["chats", ', 1),
    "stores named twice": lambda t: t.replace('"stores": [', '"stores": [], "stores": [', 1),
    "trailing comma in the stores": lambda t: _with_trailing_comma(t),
    "duplicate store id": lambda t: _duplicate_store(t),
    "a copy of a store not declared": _in_store('"kind":', '"copy_of": ["nowhere"], "kind":'),
    "a data kind no policy defines": _in_store('"data_kinds": [', '"data_kinds": ["unheard-of", '),
    "a store against its schema": _in_store('"kind":', '"colour": "red", "kind":'),
    "stores that are no list": lambda t: _stores_as_object(t),
    # Not JSON within a store whose braces balance: the first reading meets it.
    "a store's id key not closed": _in_store('"id":', '"id:'),
    "a store's first key missing": _in_store('"id":', ":"),
    "a store's key not a string": _in_store('"kind":', "[]:"),
    "a string in a store not closed": _in_store('"kind": "', '"kind": '),
    "a store's id a list": _in_store('"id": "', '"id": [], "name": "'),
    "a store's id an object": _in_store('"id": "', '"id": {}, "name": "'),
    # What follows the stores is read by the strict loader, not by the first reading.
    "not JSON after the stores": lambda t: t.replace('"pipelines": [', '"pipelines": [,', 1),
    "stores named again after them": lambda t: t.replace(
        '"pipelines": [', '"stores": [], "pipelines": [', 1
    ),
}


def _with_trailing_comma(text: str) -> str:
    data = json.loads(text)
    stores = json.dumps(data.pop("stores"))
    rest = json.dumps(data)
    return rest[:-1] + ', "stores": ' + stores[:-1] + ",]}"


def _duplicate_store(text: str) -> str:
    data = json.loads(text)
    data["stores"].append(data["stores"][0])
    return json.dumps(data, indent=2)


def _stores_as_object(text: str) -> str:
    data = json.loads(text)
    data["stores"] = {"a": data["stores"][0]}
    return json.dumps(data, indent=2)


@pytest.mark.parametrize("reason", sorted(DECLINED))
def test_a_file_the_streamed_reading_declines_is_read_whole_with_the_same_messages(
    reason: str,
    tmp_path: Path,
    run_cli: CliRunner,
    streamed_files: list[bool],
    small_steps: None,
) -> None:
    snapshot = tmp_path / "snapshot.json"
    snapshot.write_text(DECLINED[reason](_generated_text(tmp_path)), encoding="utf-8")
    code, out, err, _ = _same_either_way(
        run_cli, tmp_path, f"--policy={BENCH_POLICY}", f"--snapshot={snapshot}"
    )
    assert True not in streamed_files
    assert code in (1, 2) and "snapshot.json:" in out + err


# What an edit of a file, by hand or by a tool gone wrong, does to it: the mutations that
# found stores whose reading raised (a key's quote lost, an id made a list).
_INSERTED = ['"', "{", "}", "[", "]", ",", ":", "\\", " ", "\n", "é", "NaN", "1e999", "[]", "{}"]
_TOKEN = re.compile(r'"[^"\\]*"|-?\d+(?:\.\d+)?|true|false|null')
_VALUES = ["[]", "{}", '"x"', "0", "-1", "null", "true", '"store-0000001"', '"30d"']


def _mutated(text: str, seed: int) -> str:
    """An edit of a random store of ``text``, most often where the first reading looks (the
    store's beginning and its id, which it reads itself)."""
    pick = random.Random(seed)
    stores = [m.start() for m in re.finditer(r'\{\s*"id"', text)]
    at = pick.choice(stores[5:])  # past the tiers: a store
    kind = seed % 4
    if kind == 0:  # a quote, a brace, a comma or a colon lost
        marks = [i for i in range(at, at + 30) if text[i] in '"{}[],:']
        at = pick.choice(marks)
        return text[:at] + text[at + 1 :]
    if kind == 1:
        at += pick.randrange(30)
        return text[:at] + pick.choice(_INSERTED) + text[at:]
    if kind == 2:  # a value made another: the id's most often
        tokens = list(_TOKEN.finditer(text, text.index(":", at) + 1, at + 400))
        token = tokens[0] if pick.random() < 0.5 else pick.choice(tokens)
        return text[: token.start()] + pick.choice(_VALUES) + text[token.end() :]
    at += pick.randrange(200)
    return text[:at] + text[at + pick.randrange(2, 40) :]


@pytest.mark.parametrize("seed", range(32))
def test_a_mutated_file_reads_as_when_read_whole(
    seed: int,
    tmp_path: Path,
    run_cli: CliRunner,
    streamed_files: list[bool],
    small_steps: None,
) -> None:
    """A file edited at random, one store a line or pretty-printed: read store by store where
    the reading can, else whole, it says what the whole reading says, never an internal error."""
    snapshot = tmp_path / "snapshot.json"
    text = _generated(tmp_path / "base.json", 30, indent=None if seed % 8 < 4 else 2).read_text()
    snapshot.write_text(_mutated(text, seed), encoding="utf-8")
    code, *_ = _same_either_way(
        run_cli, tmp_path, f"--policy={BENCH_POLICY}", f"--snapshot={snapshot}"
    )
    assert code in (0, 1, 2)


def test_deep_nesting_in_a_store_is_declined(
    tmp_path: Path, run_cli: CliRunner, streamed_files: list[bool]
) -> None:
    text = _first_store_edited(_generated_text(tmp_path), '"kind":', '"x": [[[[[[1]]]]]], "kind":')
    snapshot = tmp_path / "snapshot.json"
    snapshot.write_text(text, encoding="utf-8")
    _same_either_way(
        run_cli, tmp_path, f"--policy={BENCH_POLICY}", f"--snapshot={snapshot}", "--max-depth=6"
    )
    assert True not in streamed_files


@pytest.mark.parametrize(
    ("escaped", "streamed"),
    [
        ("\\ud83d\\ude00", True),  # 😀 as json.dumps writes it by default: a pair, Unicode
        ("\\uD83D\\uDE00", True),
        ("\\ud83d", False),  # half a pair: refused by the strict loader
        ("x\\ude00", False),
        ("\\ude00\\ud83d", False),  # both halves, in the wrong order
    ],
)
def test_surrogate_escapes_are_read_store_by_store_when_they_pair(
    escaped: str,
    streamed: bool,
    tmp_path: Path,
    run_cli: CliRunner,
    streamed_files: list[bool],
    small_steps: None,
) -> None:
    """An inventory exported with ``ensure_ascii`` writes every character beyond the BMP as a
    pair of escapes; the pair is one character, and the file is read store by store. Half a
    pair is refused, and only the whole reading reports it."""
    edit = f'"source": {{"address": "store {escaped}"}}, "kind":'
    text = _last_store_edited(_generated_text(tmp_path), '"kind":', edit)
    snapshot = tmp_path / "snapshot.json"
    snapshot.write_text(text, encoding="utf-8")
    code, _, err, _ = _same_either_way(
        run_cli, tmp_path, f"--policy={BENCH_POLICY}", f"--snapshot={snapshot}"
    )
    assert streamed_files == ([True] if streamed else [])
    assert (code == 2 and "unpaired surrogate" in err) is not streamed


@pytest.mark.parametrize("half", [0, 4, 7, 29])
def test_half_a_pair_among_stores_holding_pairs_is_found_in_its_store(
    half: int,
    tmp_path: Path,
    run_cli: CliRunner,
    streamed_files: list[bool],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Only the stores whose text escapes a surrogate are searched: each escape is traced to
    its store, whichever store of a block it is in."""
    monkeypatch.setattr(in_step, "BLOCK", 5)
    data = json.loads(_generated_text(tmp_path))
    lines = []
    for index, store in enumerate(data["stores"]):
        store["source"] = {"address": f"bucket {index} 😀"}
        lines.append(json.dumps(store))  # the emoji as a pair of escapes
    lines[half] = lines[half].replace("\\ude00", "", 1)
    snapshot = tmp_path / "snapshot.json"
    snapshot.write_text(_stores_written(data, lines), encoding="utf-8")
    code, _, err, _ = _same_either_way(
        run_cli, tmp_path, f"--policy={BENCH_POLICY}", f"--snapshot={snapshot}"
    )
    assert code == 2 and f"snapshot.json:{half + 2}:" in err  # a store a line, from line 2
    assert streamed_files == []


def test_custom_rules_and_imports_are_read_whole(
    tmp_path: Path, run_cli: CliRunner, streamed_files: list[bool]
) -> None:
    case = REPO / "tests" / "cases" / "check" / "custom-rule"
    custom = _as_json(case / "snapshot.yaml", tmp_path / "custom.json")
    (tmp_path / "a").mkdir()
    _same_either_way(
        run_cli, tmp_path / "a", f"--policy={case / 'policy.yaml'}", f"--snapshot={custom}"
    )
    shutil.copy(EXAMPLES / "terraform" / "plan.json", tmp_path / "plan.json")
    imports = _as_json(EXAMPLES / "terraform" / "snapshot.yaml", tmp_path / "imports.json")
    (tmp_path / "b").mkdir()
    _same_either_way(
        run_cli,
        tmp_path / "b",
        f"--policy={LIBRARY / 'anthropic-consumer-2025.yaml'}",
        f"--snapshot={imports}",
    )
    assert streamed_files == [False, False]


def _reads_back(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """Where and how much of the file each reading back of stores reads, from now on."""
    reads: list[tuple[int, int]] = []
    read_at = json_stream._read_at
    monkeypatch.setattr(
        json_stream,
        "_read_at",
        lambda *a: reads.append(a[1:]) or read_at(*a),  # type: ignore[func-returns-value]
    )
    return reads


def _streamed_document(path: Path, policy: Path = BENCH_POLICY) -> Any:
    limits = dataclasses.replace(DEFAULT_LIMITS, stream_from=0)
    loaded = streamed.load_streamed(Entry(str(path), str(path)), limits, [load_document(policy)])
    assert loaded is not None
    return loaded.documents[0][0]


def _paths(node: Any, path: JsonPath = ()) -> Iterator[JsonPath]:
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*path, index))


@pytest.mark.parametrize("where", ["first", "middle", "last"])
def test_every_place_in_the_file_is_where_the_whole_reading_puts_it(
    where: str, tmp_path: Path, small_steps: None
) -> None:
    data = json.loads(_generated_text(tmp_path))
    stores = data.pop("stores")
    keys = list(data)
    at = {"first": 0, "middle": len(keys) // 2, "last": len(keys)}[where]
    ordered = {k: data[k] for k in keys[:at]} | {"stores": stores} | {k: data[k] for k in keys[at:]}
    path = tmp_path / "snapshot.json"
    path.write_text(json.dumps(ordered, indent=1, ensure_ascii=False), encoding="utf-8")
    whole = load_document(path)
    doc = _streamed_document(path)
    assert isinstance(doc.data["stores"], StoredItems)
    for each in _paths(whole.data):
        assert doc.locate(each) == whole.locate(each), each
        if each and isinstance(each[-1], str):
            assert doc.locate(each, key=True) == whole.locate(each, key=True), each
    assert list(doc.data["stores"]) == whole.data["stores"]


@pytest.mark.parametrize("text", ["ascii", "beyond ascii"])
def test_places_found_at_once_store_by_store_are_where_one_at_a_time_puts_them(
    text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = json.loads(_generated_text(tmp_path))
    if text == "beyond ascii":
        for i, store in enumerate(data["stores"]):
            store["source"] = {"address": f"störe {i} 日本 😀", "file": "ünïcode.tf"}
    path = tmp_path / "snapshot.json"
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
    whole = load_document(path)
    paths = [p for p in _paths(whole.data) if p[:1] == ("stores",)]
    # Places no store has: a finding about what is missing is placed at the nearest that is.
    paths += [("stores", 3, "nowhere"), ("stores", 4, "retention", "missing", 2), ("stores", 99)]
    paths.reverse()  # the order findings come in is not the file's
    doc = _streamed_document(path)
    reads = _reads_back(monkeypatch)
    doc.positions.place(paths)
    assert len(reads) == 1  # every store's text in one reading: they are all near each other
    for each in paths:
        assert doc.locate(each) == whole.locate(each), each
    assert len(reads) == 1  # none read again
    doc.positions.forget()
    assert doc.locate(("stores", 5, "id")) == whole.locate(("stores", 5, "id"))
    assert len(reads) == 2  # forgotten: read back as before


# --- Stores written alike -----------------------------------------------------------------
#
# Generated inventories write stores alike: one to a line, or compact JSON on one line. A
# stretch of such stores is noted at once (``json_stream._alike_stores``), anything else one
# store at a time. Both must note the same.


def _stores_written(
    data: dict[str, Any], stores: list[str], *, between: str = ",\n", opening: str = "\n"
) -> str:
    """The snapshot ``data`` with its stores written as ``stores``, joined by ``between``,
    after the other sections; the list opened with ``opening`` and closed as it was."""
    rest = {k: v for k, v in data.items() if k != "stores"}
    head = json.dumps(rest, ensure_ascii=False)[:-1]
    return f'{head}, "stores": [{opening}{between.join(stores)}{opening}]}}\n'


def _written_alike(data: dict[str, Any], layout: str) -> str:
    """The stores of ``data`` one to a line (or compact), but for what ``layout`` changes."""
    stores = data["stores"]
    if layout.endswith(("beyond ascii", "beyond ascii escaped")) and "first" not in layout:
        for i, store in enumerate(stores):
            store["source"] = {"address": f"störe {i} 日本 😀", "file": "ünïcode.tf"}
        stores[2]["id"] = "störe-日本-😀"
    if "an id that is a number" in layout:
        stores[4]["id"] = 4
    if "an object with an id within" in layout:
        stores[7]["legal_holds"] = [{"id": "hold-1", "reason": "litigation"}]
    if "a list of objects within" in layout:
        stores[7]["legal_holds"] = [{"reason": "a"}, {"reason": "b"}]
    if layout.startswith("pretty-printed"):  # as jq and json.dumps(indent=...) write it
        step = "\t" if "tab" in layout else 1 if "one space" in layout else 2
        text = json.dumps(data, indent=step, ensure_ascii="escaped" in layout) + "\n"
        return text.replace("\n", "\r\n") if "crlf" in layout else text
    indent = {"indented": "  ", "tab": "\t"}.get(layout, "")
    lines = [indent + json.dumps(store, ensure_ascii=False) for store in stores]
    if layout == "escaped ids":
        stores[3]["id"] = "störe-3"
        stores[5]["id"] = 'a "quoted" store'
        lines[3], lines[5] = json.dumps(stores[3]), json.dumps(stores[5])
    if layout == "two on a line":
        lines[5:7] = [lines[5] + ", " + lines[6].lstrip()]
    if layout == "one pretty-printed among them":
        lines[9] = json.dumps(stores[9], indent=2)
    if layout.endswith("one over two lines"):
        cut = lines[8].index(", ") + 1
        lines[8] = lines[8][:cut] + "\n" + lines[8][cut:]
    if layout == "the first on the line of the list, after text beyond ascii":
        data["metadata"]["system"] = "système 日本"
        return "\n" + _stores_written(data, lines, opening="")  # not the file's first line
    if layout == "crlf":
        return _stores_written(data, lines, between=",\r\n", opening="\r\n")
    if layout.startswith("compact"):
        return _stores_written(data, lines, between=", ", opening="")
    if layout.startswith("tightly compact"):
        lines = [json.dumps(store, separators=(",", ":"), ensure_ascii=False) for store in stores]
        if "one over two lines" in layout:
            cut = lines[8].index(",") + 1
            lines[8] = lines[8][:cut] + "\n" + lines[8][cut:]
        return _stores_written(data, lines, between=",", opening="")
    return _stores_written(data, lines)


ALIKE_LAYOUTS = [
    "plain",
    "indented",
    "tab",
    "crlf",
    "beyond ascii",
    "escaped ids",
    "an id that is a number",
    "an object with an id within",
    "two on a line",
    "one pretty-printed among them",
    "one over two lines",
    "the first on the line of the list, after text beyond ascii",
    "compact",
    "compact, an id that is a number",
    "compact, an object with an id within",
    "compact, a list of objects within",
    "compact, one over two lines",
    "pretty-printed",
    "pretty-printed, one space",
    "pretty-printed, tab",
    "pretty-printed, crlf",
    "pretty-printed, beyond ascii",
    "pretty-printed, beyond ascii escaped",
    "pretty-printed, an id that is a number",
    "pretty-printed, an object with an id within",
    "pretty-printed, a list of objects within",
    "tightly compact",
    "tightly compact, beyond ascii",
    "tightly compact, an id that is a number",
    "tightly compact, an object with an id within",
    "tightly compact, a list of objects within",
    "tightly compact, one over two lines",
]


def _indexed(path: Path, monkeypatch: pytest.MonkeyPatch, *, alike: bool) -> Any:
    """The first reading of ``path``, with stores written alike noted a stretch at a time or
    not; and how many stores were so noted."""
    noted: list[int] = []
    note = json_stream._note_alike
    with monkeypatch.context() as patch:
        if alike:

            def counted(pieces: list[str], *args: Any) -> Any:
                noted.append(len(pieces))
                return note(pieces, *args)

            patch.setattr(json_stream, "_note_alike", counted)
        else:
            patch.setattr(json_stream, "_alike_stores", lambda buf, *_: ([], [], len(buf)))
        found = json_stream.index_stores(str(path), DEFAULT_LIMITS)
    return found, sum(noted)


def _alike_file(tmp_path: Path, layout: str, chunk: int, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The generated snapshot with its stores written as ``layout`` says, read ``chunk``
    characters at a time, stretches of stores written alike ending all over the list."""
    data = json.loads(_generated_text(tmp_path))
    path = tmp_path / "snapshot.json"
    path.write_text(_written_alike(data, layout), encoding="utf-8", newline="")
    monkeypatch.setattr(json_stream, "_CHUNK", chunk)
    monkeypatch.setattr(json_stream, "_STRETCH", 2048)
    return path


@pytest.mark.parametrize("chunk", [61, 4096, 8 << 20])
@pytest.mark.parametrize("layout", ALIKE_LAYOUTS)
def test_stores_written_alike_are_noted_as_one_at_a_time_notes_them(
    layout: str, chunk: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _alike_file(tmp_path, layout, chunk, monkeypatch)
    fast, noted = _indexed(path, monkeypatch, alike=True)
    one_at_a_time, none = _indexed(path, monkeypatch, alike=False)
    assert none == 0
    assert fast.spans == one_at_a_time.spans
    assert fast.ids == one_at_a_time.ids
    assert (fast.rest, fast.cut) == (one_at_a_time.rest, one_at_a_time.cut)
    if chunk > 61:  # not vacuous: most stores were noted a stretch at a time
        assert noted >= len(fast.ids) // 2, noted
    whole = load_document(path)  # and each is where the whole reading puts it
    doc = _streamed_document(path)
    for index in range(len(whole.data["stores"])):
        for each in [("stores", index), ("stores", index, "id"), ("stores", index, "tiers", 0)]:
            assert doc.locate(each) == whole.locate(each), each


@pytest.mark.parametrize("layout", ["plain", "compact", "tightly compact"])
def test_a_stretch_cut_after_a_brace_within_a_store_leaves_that_store_out(
    layout: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = json.loads(_generated_text(tmp_path))
    text = _written_alike(data, layout)
    path = tmp_path / "snapshot.json"
    path.write_text(text, encoding="utf-8")
    head, member = ('{"id":"', ',"') if layout == "tightly compact" else ('{"id": "', ', "')
    first = text.index(head, text.index('"stores": ['))
    second = text.index(head, first + 1)  # noted one at a time before: a stretch here
    brace = text.index("}", text.index(head, text.index(head, second + 1) + 1))
    assert text.startswith(member, brace + 1)  # within the third store: a member follows
    monkeypatch.setattr(json_stream, "_STRETCH", brace + 1 - second)
    fast, noted = _indexed(path, monkeypatch, alike=True)
    one_at_a_time, _ = _indexed(path, monkeypatch, alike=False)
    assert noted and fast.spans == one_at_a_time.spans


@pytest.mark.parametrize("layout", ["plain", "compact", "tightly compact", "pretty-printed"])
def test_stores_written_alike_are_looked_for_in_each_stretch_once(
    layout: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Looking for stores written alike costs the text looked at: each stretch is looked at
    once, however the stores are written (not once per store: quadratic in a chunk)."""
    data = json.loads(_generated_text(tmp_path))
    text = _written_alike(data, "plain" if layout == "pretty-printed" else layout)
    if layout == "pretty-printed":
        text = json.dumps(data, indent=2)
    path = tmp_path / "snapshot.json"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setattr(json_stream, "_STRETCH", 1024)
    looked: list[int] = []
    alike = json_stream._alike_stores

    def counted(buf: str, start: int, between: str) -> Any:
        found = alike(buf, start, between)
        looked.append(found[-1] - start)
        return found

    monkeypatch.setattr(json_stream, "_alike_stores", counted)
    json_stream.index_stores(str(path), DEFAULT_LIMITS)
    assert looked and sum(looked) <= len(text)


def test_an_item_not_an_object_among_stores_written_alike_is_declined(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = json.loads(_generated_text(tmp_path))
    lines = [json.dumps(store) for store in data["stores"]]
    lines[6] += ", 5"
    path = tmp_path / "snapshot.json"
    path.write_text(_stores_written(data, lines), encoding="utf-8")
    for alike in (True, False):
        with pytest.raises(json_stream.NotStreamed):
            _indexed(path, monkeypatch, alike=alike)


def test_a_store_begun_otherwise_on_a_line_of_its_own_is_told_apart_before_decoding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli: CliRunner, streamed_files: list[bool]
) -> None:
    """Stores one to a line, but one not beginning with its id, on a line indented otherwise:
    it is not taken for the end of the store before it (which would send the file to be read
    whole), but noted one at a time."""
    data = json.loads(_generated_text(tmp_path))
    lines = [json.dumps(store) for store in data["stores"]]
    store = data["stores"][6]
    id_last = {k: v for k, v in store.items() if k != "id"} | {"id": store["id"]}
    lines[6] = "  " + json.dumps(id_last)
    path = tmp_path / "snapshot.json"
    path.write_text(_stores_written(data, lines), encoding="utf-8")
    monkeypatch.setattr(json_stream, "_STRETCH", 2048)  # the stretches after it are alike
    fast, noted = _indexed(path, monkeypatch, alike=True)
    one_at_a_time, _ = _indexed(path, monkeypatch, alike=False)
    assert noted and fast.spans == one_at_a_time.spans
    _same_either_way(run_cli, tmp_path, f"--policy={BENCH_POLICY}", f"--snapshot={path}")
    assert streamed_files == [True]


def test_a_line_that_is_not_one_whole_store_is_caught_when_the_stores_are_decoded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store running on to a line that looks like a store of its own (an object with an id
    at the stores' indentation): noted as two stores, until decoding finds them one, and the
    file is then read whole."""
    data = json.loads(_generated_text(tmp_path))
    lines = [json.dumps(store) for store in data["stores"]]
    lines[4] = lines[4][:-1] + ', "legal_holds": [{"reason": "a"}'
    lines[5] = '{"id": "hold-2"}]}'
    path = tmp_path / "snapshot.json"
    path.write_text(_stores_written(data, lines), encoding="utf-8")
    json.loads(path.read_text("utf-8"))  # valid JSON
    fast, _ = _indexed(path, monkeypatch, alike=True)
    one_at_a_time, _ = _indexed(path, monkeypatch, alike=False)
    assert len(one_at_a_time.ids) == len(lines) - 1 and len(fast.ids) == len(lines)
    stores = json_stream.StoreFile(str(path), fast.spans, fast.identity, DEFAULT_LIMITS)
    with pytest.raises(json_stream.NotStreamed):
        list(stores.blocks(3))


# Stores written in every way at once: each store of a generated inventory written as one of
# the ways above, or edited so that it looks like a store where it is not one, at random. The
# file read store by store (or declined, then read whole) must give the results of the file
# read whole, with every finding where the whole reading places it.


def _store_written(store: dict[str, Any], rng: random.Random, *, valid: bool) -> str:
    """``store`` as JSON text, written one of many ways (each valid, if ``valid``)."""
    way = 0 if not valid else rng.randrange(12)
    if way == 0 and not valid:  # an object with an id within, written as a store begins
        store["legal_holds"] = [{"id": f"hold-{rng.randrange(99)}", "reason": "a"}]
    elif way == 1:  # a string holding what begins a store, a brace and a line break
        store["source"] = {"address": '"}, {"id": "x", {\n'}
    elif way == 2:  # the id written with an escape
        return json.dumps(store).replace('"id": "store-', '"id": "store\\u002d', 1)
    elif way == 3:  # the id not first
        store = {k: v for k, v in store.items() if k != "id"} | {"id": store["id"]}
    elif way == 4:  # beyond ascii, escaped or not
        store["source"] = {"address": "störe 日本 😀", "file": "ünïcode.tf"}
        return json.dumps(store, ensure_ascii=rng.random() < 0.5)
    if way == 5:
        return json.dumps(store, indent=rng.choice([1, 2, "\t"]))
    if way == 6:  # over two lines
        text = json.dumps(store)
        cut = text.index(", ") + 1
        return text[:cut] + "\n" + text[cut:]
    if way == 7:
        return json.dumps(store, separators=(",", ":"))
    if way == 8:  # white space everywhere it may be
        return json.dumps(store, separators=(" ,\t", " :\r\n "))
    if way == 9:
        return json.dumps(store, indent=0)
    return json.dumps(store, ensure_ascii=False)


def _written_every_way(data: dict[str, Any], rng: random.Random, *, valid: bool) -> str:
    """The snapshot ``data`` with its stores written every way, joined by separators of one
    kind (mostly) or of several."""
    bad = -1 if valid else rng.randrange(len(data["stores"]))  # the one store refused
    stores = [
        _store_written(store, rng, valid=index != bad) for index, store in enumerate(data["stores"])
    ]
    kind = rng.choice([",\n", ", ", ",", ",\r\n", ",\n  ", ",\n\n"])
    joined = stores[0] + "".join(
        (kind if rng.random() < 0.9 else rng.choice([",\n", ", ", " ,\n", "\t,\t"])) + text
        for text in stores[1:]
    )
    # The stores anywhere among the other sections: first, last or between.
    sections = [f"{json.dumps(k)}: {json.dumps(v)}" for k, v in data.items() if k != "stores"]
    sections.insert(rng.randrange(len(sections) + 1), f'"stores": [{kind[1:]}{joined}\n]')
    return "{" + ", ".join(sections) + "}\n"


@pytest.mark.parametrize("seed", range(40))
def test_stores_written_every_way_at_once_read_as_when_read_whole(
    seed: int,
    tmp_path: Path,
    run_cli: CliRunner,
    streamed_files: list[bool],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = random.Random(seed)
    monkeypatch.setattr(json_stream, "_CHUNK", rng.choice([61, 509, 4096]))
    monkeypatch.setattr(json_stream, "_STRETCH", rng.choice([256, 2048, 1 << 18]))
    monkeypatch.setattr(in_step, "BLOCK", rng.choice([3, 17, 500]))
    monkeypatch.setattr(json_stream, "HELPED_FROM", 0)  # in parts: a helper reads ahead
    data = json.loads(inventory_text(24, seed=seed))
    snapshot = tmp_path / "inventory.json"
    valid = seed % 3 > 0  # else with stores the schema refuses (the results are its errors)
    snapshot.write_text(_written_every_way(data, rng, valid=valid), encoding="utf-8", newline="")
    merged: list[int] = []  # how many parts were merged, for each snapshot checked in parts
    merge = engine.merge

    def merging(parts: Any, **options: Any) -> Any:
        found = merge(parts, **options)  # raises when they cannot be merged
        merged.append(len(parts))
        return found

    monkeypatch.setattr(engine, "merge", merging)
    results: list[bytes] = []
    ways = [(WHOLE, "1"), ("0", "1"), ("0", "3")]  # whole; store by store; in three parts
    for stream_from, jobs in ways:
        out = tmp_path / f"results-{stream_from}-{jobs}.json"
        run = run_cli(
            "check",
            f"--policy={BENCH_POLICY}",
            f"--snapshot={snapshot}",
            f"--as-of={AS_OF}",
            f"--stream-from={stream_from}",
            f"--jobs={jobs}",
            f"--output=json={out}",
        )
        assert run.code in (1, 2), run.err
        results.append(out.read_bytes() if out.exists() else run.err.encode())
    assert results[1] == results[0]
    assert results[2] == results[0]
    # Not vacuous: a valid file is read store by store (an id with escapes or a store over
    # two lines is noted one store at a time, not declined); the others are read whole.
    assert streamed_files == ([True, True] if valid else [])
    assert merged == ([3] if valid else [])


def test_places_found_by_another_reading_of_the_file_are_adopted_as_found_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a part's process placed is sent to the process making the findings: adopted, it
    is not read back again, and each place is where the whole reading puts it."""
    path = tmp_path / "snapshot.json"
    path.write_text(_generated_text(tmp_path), encoding="utf-8")
    whole = load_document(path)
    paths = [p for p in _paths(whole.data) if p[:1] == ("stores",) and len(p) > 2]
    elsewhere = _streamed_document(path)
    elsewhere.positions.place(paths)
    here = _streamed_document(path)
    here.positions.adopt(elsewhere.positions.placed())
    reads = _reads_back(monkeypatch)
    here.positions.place(paths)
    for each in paths:
        assert here.locate(each) == whole.locate(each), each
    assert reads == []


def test_stores_far_apart_are_read_back_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "snapshot.json"
    path.write_text(_generated_text(tmp_path), encoding="utf-8")
    doc = _streamed_document(path)
    spans = doc.data["stores"]._file.spans
    # What stands between two stores next to each other may be passed over; no more.
    monkeypatch.setattr(json_stream, "_GAP", spans.starts[1] - spans.ends[0])
    reads = _reads_back(monkeypatch)
    doc.positions.place([("stores", i, "id") for i in (0, 1, 2, 4, 20)])
    assert reads == [  # 0 to 2 together; 4 is a store away, 20 further: each alone
        (spans.starts[0], spans.ends[2] - spans.starts[0]),
        (spans.starts[4], spans.ends[4] - spans.starts[4]),
        (spans.starts[20], spans.ends[20] - spans.starts[20]),
    ]


def test_clauses_read_the_file_once_in_step_and_a_second_loop_reads_it_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(in_step, "BLOCK", 4)
    doc = _streamed_document(_generated(tmp_path / "s.json", 30, indent=None))
    stores: StoredItems = doc.data["stores"]
    readings = 0
    blocks = json_stream.StoreFile.blocks

    def counted(self: Any, *args: Any) -> Any:
        nonlocal readings
        readings += 1
        return blocks(self, *args)

    monkeypatch.setattr(json_stream.StoreFile, "blocks", counted)
    ids = [s["id"] for s in json.loads((tmp_path / "s.json").read_text())["stores"]]

    def once() -> list[Any]:
        return [store["id"] for _, store in stores.section()]

    def twice() -> list[Any]:
        return once() + once()

    def nested() -> list[Any]:
        return [(a["id"], b["id"]) for _, a in stores.section() for _, b in stores.section()][:3]

    def none() -> str:
        return "nothing read"

    results = stores.in_step([once, once, none, twice])
    assert results == [ids, ids, "nothing read", ids + ids]
    assert readings == 2  # once in step, once more for the second loop
    assert stores.in_step([nested])[0] == [(ids[0], ids[0]), (ids[0], ids[1]), (ids[0], ids[2])]


def test_a_clause_that_raises_does_not_stop_the_others(tmp_path: Path) -> None:
    doc = _streamed_document(_generated(tmp_path / "s.json", 10, indent=None))
    stores: StoredItems = doc.data["stores"]

    def broken() -> None:
        for _ in stores.section():
            raise RuntimeError("broken check")

    with pytest.raises(RuntimeError, match="broken check"):
        stores.in_step([broken, lambda: len(list(stores.section()))])


def test_ctrl_c_while_a_clause_reads_stops_the_reading_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C lands in whichever clause is reading (each runs in a greenlet of the reading
    thread): the reading stops there, without handing the other clauses the rest."""
    monkeypatch.setattr(in_step, "BLOCK", 4)
    doc = _streamed_document(_generated(tmp_path / "s.json", 40, indent=None))
    stores: StoredItems = doc.data["stores"]
    seen: list[int] = []
    others: list[int] = []

    def reading() -> int:
        for count, _ in enumerate(stores.section()):
            others.append(count)
        return len(stores)

    def interrupted() -> None:
        for count, _ in enumerate(stores.section()):
            seen.append(count)
            if count == 9:  # in the third block of four stores
                raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        stores.in_step([reading, interrupted, reading])
    assert seen[-1] == 9
    assert max(others) == 11 and len(others) <= 12 + 8  # no further than the third block
    assert stores.in_step([reading, reading]) == [40, 40]  # and the stores read again after


def test_clauses_read_in_step_each_say_where_they_are(tmp_path: Path) -> None:
    """Each clause checking a part has its own place in its loops (``visits``), whichever
    clause runs in between."""
    doc = _streamed_document(_generated(tmp_path / "s.json", 12, indent=None))
    stores = doc.data["stores"].part(range(3, 9))

    def where(loops: int) -> Callable[[], list[tuple[int, int | None, int]]]:
        def clause() -> list[tuple[int, int | None, int]]:
            place = in_step.visits()
            place.begin()
            found = []
            for _ in range(loops):
                for _ in stores.section():
                    found.append((place.count, place.at, place.depth))
            return found

        return clause

    before = in_step.visits().count
    one, two = stores.in_step([where(1), where(2)])
    assert one == [(1, at, 1) for at in range(3, 9)]
    assert two == one + [(2, at, 1) for at in range(3, 9)]
    assert in_step.visits().count == before  # the reading thread's own is not theirs


def test_a_file_changed_after_it_was_read_is_read_whole(tmp_path: Path) -> None:
    path = _generated(tmp_path / "s.json", 10, indent=None)
    limits = dataclasses.replace(DEFAULT_LIMITS, stream_from=0)
    real = json_stream.index_stores

    def then_changed(*args: Any, **kwargs: Any) -> Any:
        found = real(*args, **kwargs)
        path.write_text(path.read_text() + " ", encoding="utf-8")
        return found

    policy = load_document(BENCH_POLICY)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(streamed, "index_stores", then_changed)
        assert streamed.load_streamed(Entry(str(path), str(path)), limits, [policy]) is None


def test_small_files_and_yaml_are_read_whole(tmp_path: Path) -> None:
    path = _generated(tmp_path / "s.json", 10, indent=None)
    policy = [load_document(BENCH_POLICY)]
    assert streamed.load_streamed(Entry(str(path), str(path)), DEFAULT_LIMITS, policy) is None
    yaml_path = tmp_path / "s.yaml"
    yaml_path.write_text(path.read_text())
    limits = dataclasses.replace(DEFAULT_LIMITS, stream_from=0)
    assert streamed.load_streamed(Entry(str(yaml_path), str(yaml_path)), limits, policy) is None


def test_a_file_changed_while_its_stores_are_checked_is_read_again_whole(
    tmp_path: Path, run_cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _generated(tmp_path / "s.json", 40, indent=None)
    (tmp_path / "whole").mkdir()
    expected = _run(
        run_cli, tmp_path / "whole" / "out", WHOLE, f"--policy={BENCH_POLICY}", f"--snapshot={path}"
    )
    in_step_run = StoredItems.in_step
    failed: list[bool] = []

    def changing(self: StoredItems, tasks: Any, **options: Any) -> Any:
        original = path.read_bytes()
        path.write_bytes(original.replace(b'"stores": [', b'"stores":  [', 1))
        try:
            return in_step_run(self, tasks, **options)
        except json_stream.FileChanged:
            failed.append(True)
            raise
        finally:
            path.write_bytes(original)

    monkeypatch.setattr(StoredItems, "in_step", changing)
    (tmp_path / "streamed").mkdir()
    got = _run(
        run_cli,
        tmp_path / "streamed" / "out",
        "0",
        f"--policy={BENCH_POLICY}",
        f"--snapshot={path}",
    )
    assert got == expected
    assert failed == [True]  # the streamed reading saw the change, and the file was read whole


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_is_not_read_store_by_store(tmp_path: Path) -> None:
    pipe = tmp_path / "snapshot.json"
    os.mkfifo(pipe)
    limits = dataclasses.replace(DEFAULT_LIMITS, stream_from=0)
    policy = [load_document(BENCH_POLICY)]
    # Read, the pipe would block for a writer: declined before it is opened.
    assert streamed.load_streamed(Entry(str(pipe), str(pipe)), limits, policy) is None


def test_several_snapshots_in_worker_processes_give_the_bytes_of_a_serial_whole_run(
    tmp_path: Path, run_cli: CliRunner
) -> None:
    folder = tmp_path / "snapshots"
    folder.mkdir()
    for seed in range(3):
        _generated(folder / f"s{seed}.json", 120, indent=None, seed=seed)
    argv = [f"--policy={BENCH_POLICY}", f"--snapshot={folder}"]
    whole = _run(run_cli, tmp_path / "whole", WHOLE, *argv, "--jobs=1")
    parallel = _run(run_cli, tmp_path / "parallel", "0", *argv, "--jobs=2")
    assert parallel == whole


@pytest.mark.parametrize("reason", ["valid", *sorted(DECLINED)])
def test_validate_says_the_same_of_a_file_read_store_by_store(
    reason: str,
    tmp_path: Path,
    run_cli: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
    small_steps: None,
) -> None:
    text = _generated_text(tmp_path)
    snapshot = tmp_path / "snapshot.json"
    snapshot.write_text(text if reason == "valid" else DECLINED[reason](text), encoding="utf-8")
    validated: list[bool] = []
    real = streamed.validate_streamed

    def spy(entry: Entry, limits: Any) -> Any:
        loaded = real(entry, limits)
        validated.append(loaded is not None)
        return loaded

    monkeypatch.setattr(pipeline, "validate_streamed", spy)
    runs = []
    for stream_from in (WHOLE, "0"):
        out = tmp_path / f"out-{stream_from}"
        out.mkdir()
        outputs = [f"--output={fmt}={out / ('report.' + fmt)}" for fmt in ("json", "sarif")]
        run = run_cli("validate", str(snapshot), *outputs, f"--stream-from={stream_from}")
        runs.append((run, {p.name: p.read_bytes() for p in sorted(out.iterdir())}))
    assert runs[1] == runs[0]
    # A valid file is validated store by store (a name no policy defines is not validate's
    # concern: it reads no policy); any other is judged as the whole reading judges it.
    assert validated == [False, reason in ("valid", "a data kind no policy defines")]
    if reason == "valid":
        assert runs[0][0].code == 0


# The first reading of a large file with a helper reading its second half meanwhile
# (json_stream._Ahead): what one reading notes, whether the helper's stores are taken or not.


def _read_ahead(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, list[bool]]:
    """The first reading of ``path`` helped (however small), and whether the helper's stores
    were taken, each time it was asked."""
    taken: list[bool] = []
    met = json_stream._Ahead.met

    def recorded(self: Any, *args: Any) -> bool:
        taken.append(met(self, *args))
        return taken[-1]

    with monkeypatch.context() as patch:
        patch.setattr(json_stream, "HELPED_FROM", 0)
        patch.setattr(json_stream, "may_help", lambda: True)
        patch.setattr(json_stream._Ahead, "met", recorded)
        found = json_stream.index_stores(str(path), DEFAULT_LIMITS, helped=True)
    return found, taken


def _same_reading(helped: Any, alone: Any) -> None:
    assert helped.spans == alone.spans
    assert helped.ids == alone.ids
    assert (helped.rest, helped.cut, helped.identity) == (alone.rest, alone.cut, alone.identity)


# Where the separator of the first two stores has a line break, a store begins each line.
TAKEN = {"plain", "indented", "tab", "crlf", "beyond ascii", "escaped ids", "pretty-printed"}
TAKEN |= {"pretty-printed, crlf", "pretty-printed, beyond ascii", "pretty-printed, tab"}


@pytest.mark.skipif(not forks_workers(), reason="the helper is forked")
@pytest.mark.parametrize("chunk", [61, 8 << 20])
@pytest.mark.parametrize("layout", ALIKE_LAYOUTS)
def test_a_helper_reading_the_second_half_notes_what_one_reading_notes(
    layout: str, chunk: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _alike_file(tmp_path, layout, chunk, monkeypatch)
    helped, taken = _read_ahead(path, monkeypatch)
    _same_reading(helped, json_stream.index_stores(str(path), DEFAULT_LIMITS))
    if layout in TAKEN:  # not vacuous: the helper's stores were taken where they can be
        assert taken == [True]
    if layout.startswith(("compact", "tightly compact")):  # one line: no helper
        assert taken == []


def _nested_over_lines(tmp_path: Path) -> tuple[Path, int]:
    """Stores a line each, but one past the middle holding objects a line each, the second
    beginning its line as a store does; and where that object begins."""
    data = json.loads(_generated_text(tmp_path))
    lines = [json.dumps(store) for store in data["stores"]]
    at = len(lines) * 2 // 3
    lines[at] = lines[at][:-1] + ', "legal_holds": [{"reason": "a"},\n{"reason": "b"}]}'
    text = _stores_written(data, lines)
    path = tmp_path / "snapshot.json"
    path.write_text(text, encoding="utf-8", newline="")
    return path, len(text[: text.index('{"reason": "b"}')].encode())


@pytest.mark.skipif(not forks_workers(), reason="the helper is forked")
def test_a_helper_begun_within_a_store_is_never_taken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, nested = _nested_over_lines(tmp_path)
    monkeypatch.setattr(
        json_stream, "_find", lambda _path, marker, _start: nested - len(marker) + 1
    )
    helped, taken = _read_ahead(path, monkeypatch)
    assert taken == [False]  # no store begins where it did
    _same_reading(helped, json_stream.index_stores(str(path), DEFAULT_LIMITS))


@pytest.mark.skipif(not forks_workers(), reason="the helper is forked")
@pytest.mark.parametrize("how", ["raises", "dies"])
def test_a_helper_that_fails_leaves_the_reading_to_go_on_alone(
    how: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "snapshot.json"
    path.write_text(_written_alike(json.loads(_generated_text(tmp_path)), "plain"))

    def failing(*_: Any) -> Any:
        if how == "dies":
            os._exit(9)
        raise OSError("the disk went away")

    monkeypatch.setattr(json_stream, "_note_ahead", failing)  # inherited by the forked helper
    helped, taken = _read_ahead(path, monkeypatch)
    assert taken == [False]
    _same_reading(helped, json_stream.index_stores(str(path), DEFAULT_LIMITS))


@pytest.mark.skipif(not forks_workers(), reason="the helper is forked")
def test_a_guess_past_the_list_is_never_taken_and_the_helper_is_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pipelines after the stores, written as they are: the helper may begin among them."""
    data = json.loads(_generated_text(tmp_path))
    stores = ",\n".join(json.dumps(store) for store in data["stores"])
    pipelines = ",\n".join(json.dumps(p) for p in data["pipelines"] * 20)
    rest = {k: v for k, v in data.items() if k not in ("stores", "pipelines")}
    text = json.dumps(rest)[:-1] + f', "stores": [\n{stores}\n], "pipelines": [\n{pipelines}\n]}}\n'
    path = tmp_path / "snapshot.json"
    path.write_text(text, encoding="utf-8")
    started: list[Any] = []
    start = json_stream._Ahead.start

    def recorded(self: Any, *args: Any) -> int:
        started.append(self)
        return start(self, *args)

    monkeypatch.setattr(json_stream._Ahead, "start", recorded)
    helped, taken = _read_ahead(path, monkeypatch)
    assert taken == []  # the list ended before the helper's first "store"
    assert started[0].at > text.index('"pipelines"')
    assert started[0]._worker is None  # stopped, and waited for
    _same_reading(helped, json_stream.index_stores(str(path), DEFAULT_LIMITS))
