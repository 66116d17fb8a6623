#!/usr/bin/env python3
"""YAML snapshots: the strict loader next to PyYAML, libyaml's events and the fast parsers.

    benchmarks/setup_yaml_parsers.sh                      # once: the parsers' own virtualenv
    python benchmarks/bench_yaml.py --sizes 1k,10k,50k --repeat 3

For each size, ``generate.py``'s snapshot (N stores, N/10 pipelines, N/10 recipients) is
written as block-style YAML by PyYAML's safe dumper (dates and other strings YAML would
misread are quoted), once, and reused while the size and seed are unchanged. Each repeat then
loads it in a fresh process per reader, in turn, so that machine noise hits every reader alike:

* ``policy-checker`` — ``checker.documents.load_document``: the strict loader (positions,
  duplicate keys, YAML 1.1 surprises, alias budget, depth limit);
* ``pyyaml-csafe`` — ``yaml.load(text, Loader=yaml.CSafeLoader)``;
* ``libyaml-events`` — libyaml's event stream through PyYAML's ``CParser``, nothing built:
  the floor of any loader built on those events, as ours is;
* the fast parsers of PyPI, from their own virtualenv (``--parsers-python``): rustyyaml,
  yaml-rs, ryaml, rapidyaml (parsed into its tree, emitted as JSON, read by ``json.loads``:
  its Python API builds no Python objects), pyyaml-rs;
* ``json.load`` and ``policy-checker`` on the same snapshot written as JSON, for the advice.

The time is the read of the file and its parse into Python objects, interpreter start and
imports excluded, the garbage collector left as a user has it (on). Every reader's data is
compared with ours (a digest of its canonical JSON), and each reader also reads small
probes: a quoted date and quoted ``no`` (must stay text), plain ``no`` / ``on`` (YAML 1.1 reads
false / true, YAML 1.2 the text: either is recorded), a duplicate key (must be refused), an
integer beyond 64 bits (must be exact). A reader is **correct** when its data equals ours and
it passes the probes that must hold; ratios are to the fastest correct reader. Results:
``results/yaml.json`` (rows of the sizes measured replaced, the others kept) and
``results/latest.md``.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

RESULT = "yaml.json"
PARSERS_VENV = HERE / "work" / "yaml-parsers-venv"

# reader -> (which interpreter runs it, input format)
READERS: dict[str, tuple[str, str]] = {
    "policy-checker": ("project", "yaml"),
    "pyyaml-csafe": ("project", "yaml"),
    "libyaml-events": ("project", "yaml"),
    "events + tree": ("project", "yaml"),
    "events + tree + positions": ("project", "yaml"),
    "rustyyaml": ("parsers", "yaml"),
    "yaml-rs": ("parsers", "yaml"),
    "ryaml": ("parsers", "yaml"),
    "rapidyaml": ("parsers", "yaml"),
    "pyyaml-rs": ("parsers", "yaml"),
    "json.load": ("project", "json"),
    "policy-checker (JSON)": ("project", "json"),
}
EVENTS_ONLY = {"libyaml-events"}  # builds nothing: a floor, not a parser
# What the strict loader's cost is made of: these build the same data from the same events,
# without its checks (and the first without positions). Not parsers a user would choose.
PARTS = {"libyaml-events", "events + tree", "events + tree + positions"}

# name -> (YAML text, what our loader reads, how a reader may fail it). "no": it must read
# what ours reads (wrong data, silently, is what disqualifies); "refusal": refusing the
# document is a limitation, recorded, not wrong data; "either": it records which YAML version
# a reader follows (1.1: false / true, 1.2: the text).
PROBES: dict[str, tuple[str, Any, str]] = {
    "quoted date stays text": ("d: '2026-06-01'\n", {"d": "2026-06-01"}, "no"),
    "quoted no stays text": ("a: 'no'\n", {"a": "no"}, "no"),
    "plain no, on": ("a: no\nb: on\n", {"a": False, "b": True}, "either"),
    "duplicate key refused": ("a: 1\na: 2\n", "refused", "no"),
    "big integer exact": (
        "n: 123456789012345678901234567890\n",
        {"n": 123456789012345678901234567890},
        "refusal",
    ),
}


# -- the readers, run in a child process ------------------------------------------------------


def _reader(name: str) -> Callable[[str], Any]:
    """A function from a path to the data, for one reader (imports done here, not timed)."""
    if name in ("policy-checker", "policy-checker (JSON)"):
        from checker.documents import load_document

        return lambda path: load_document(path).data
    if name == "json.load":

        def read_json(path: str) -> Any:
            with Path(path).open(encoding="utf-8") as fh:
                return json.load(fh)

        return read_json
    import yaml

    if name == "pyyaml-csafe":
        return lambda path: yaml.load(_text(path), Loader=yaml.CSafeLoader)
    if name == "libyaml-events":

        def events(path: str) -> Any:
            parser = yaml.CSafeLoader(_text(path))
            try:
                while parser.get_event() is not None:
                    pass
            finally:
                parser.dispose()
            return None

        return events
    if name in ("events + tree", "events + tree + positions"):
        return _tree_builder(positions=name.endswith("positions"))
    if name == "rustyyaml":
        import rustyyaml

        return lambda path: rustyyaml.safe_load(_text(path))
    if name == "yaml-rs":
        import yaml_rs

        return lambda path: yaml_rs.loads(_text(path))
    if name == "ryaml":
        import ryaml

        return lambda path: ryaml.loads(_text(path))
    if name == "rapidyaml":
        import ryml

        def rapid(path: str) -> Any:
            tree = ryml.parse_in_arena(Path(path).read_bytes())
            return json.loads(ryml.emit_json_malloc(tree, tree.root_id()))

        return rapid
    if name == "pyyaml-rs":
        import pyyaml_rs

        return lambda path: pyyaml_rs.safe_load(_text(path))
    raise SystemExit(f"unknown reader {name}")


def _tree_builder(*, positions: bool) -> Callable[[str], Any]:
    """The strict loader's data from libyaml's events, without its checks: no duplicate keys,
    tags, anchors, surprises or limits; the same scalar values (the core schema, dates kept
    as text) and, with ``positions``, the same mirror of packed positions. The collector is
    paused as the loader pauses it. For measuring what each part costs, nothing else."""
    import yaml
    from yaml.events import (
        MappingEndEvent,
        MappingStartEvent,
        ScalarEvent,
        SequenceEndEvent,
        SequenceStartEvent,
    )

    from checker.core.gc_pause import collector_paused
    from checker.documents.limits import DEFAULT_LIMITS
    from checker.documents.yaml_scalars import STR, construct, plain_tag

    def build(path: str) -> Any:
        parser = yaml.CSafeLoader(_text(path))
        stack: list[list[Any]] = []  # [data, mirror, key, key position, own position]
        root: Any = None
        try:
            with collector_paused():
                get = parser.get_event
                while (event := get()) is not None:
                    kind = type(event)
                    mark = event.start_mark
                    at = mark.line << 32 | mark.column if positions else 0
                    if kind is ScalarEvent:
                        mirror: Any = None
                        node = text = event.value
                        if event.implicit[0]:
                            tag = plain_tag(text)
                            if tag != STR:
                                node = construct(text, tag, True, DEFAULT_LIMITS)[0]
                    elif kind is MappingStartEvent or kind is SequenceStartEvent:
                        is_map = kind is MappingStartEvent
                        empty: Any = {} if is_map else []
                        stack.append([empty, {} if is_map else [], None, 0, at])
                        continue
                    elif kind is MappingEndEvent or kind is SequenceEndEvent:
                        node, mirror, _, _, at = stack.pop()
                    else:
                        continue
                    if not stack:
                        root = node
                        continue
                    top = stack[-1]
                    if type(top[0]) is dict:
                        if top[2] is None:
                            top[2], top[3] = node, at
                            continue
                        top[0][top[2]] = node
                        if positions:
                            top[1][top[2]] = (top[3], at, mirror)
                        top[2] = None
                    else:
                        top[0].append(node)
                        if positions:
                            top[1].append((at, mirror))
        finally:
            parser.dispose()
        return root

    return build


def _text(path: str) -> str:
    return Path(path).read_text(encoding="utf-8")


def _digest(data: Any) -> str:
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, default=lambda o: f"!{o!r}")
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _probe(read: Callable[[str], Any], text: str, tmp: Path) -> Any:
    tmp.write_text(text, encoding="utf-8")
    try:
        value = read(str(tmp))
    except Exception:
        return "refused"
    return json.loads(json.dumps(value, default=lambda o: f"!{type(o).__name__} {o}"))


def worker(name: str, path: str, probes: bool) -> None:
    """Time one read of ``path`` and print a JSON line: seconds, data digest, probe results."""
    read = _reader(name)
    start = time.perf_counter()
    try:
        data = read(path)
        error = None
    except Exception as exc:
        data, error = None, f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}"
    seconds = time.perf_counter() - start
    out: dict[str, Any] = {"seconds": seconds, "error": error}
    if error is None and name not in EVENTS_ONLY:
        out["digest"] = _digest(data)
    if probes and name not in PARTS and path.endswith(".yaml"):
        tmp = Path(path).with_name(f"probe-{abs(hash(name))}.yaml")
        out["probes"] = {p: _probe(read, text, tmp) for p, (text, _, _) in PROBES.items()}
        tmp.unlink(missing_ok=True)
    print(json.dumps(out))


# -- the parent: inputs, runs, verdicts, results ----------------------------------------------


def make_inputs(stores: int, seed: int) -> tuple[Path, Path]:
    """The JSON snapshot and its YAML rendering (made once per size and seed)."""
    import yaml

    work = HERE / "work" / "yaml"
    work.mkdir(parents=True, exist_ok=True)
    json_path = work / f"snapshot-{stores}-{seed}.json"
    yaml_path = json_path.with_suffix(".yaml")
    if not yaml_path.exists():
        subprocess.run(
            [sys.executable, str(HERE / "generate.py"), "snapshot", "--stores", str(stores),
             "--seed", str(seed), "--out", str(json_path)],
            check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        data = json.loads(json_path.read_text(encoding="utf-8"))
        tmp = yaml_path.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8") as fh:
            dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
            yaml.dump(data, fh, Dumper=dumper, sort_keys=False, allow_unicode=True, width=1000)
        tmp.replace(yaml_path)
    return json_path, yaml_path


def run_reader(python: str, name: str, path: Path, probes: bool, timeout: float) -> dict[str, Any]:
    argv = [python, str(Path(__file__).resolve()), "--worker", name, str(path)]
    if probes:
        argv.append("--probes")
    try:
        done = subprocess.run(
            argv, capture_output=True, text=True, timeout=timeout, cwd=HERE.parent, check=False
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    if done.returncode != 0 or not done.stdout.strip():
        tail = " ".join(done.stderr.split()[-30:])
        return {"error": f"exit {done.returncode}: {tail}"}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _verdict(row: dict[str, Any], ours: dict[str, Any]) -> tuple[bool, list[str]]:
    """Whether a reader is correct, and why not."""
    problems: list[str] = []
    if row.get("errors"):
        problems.append("failed: " + row["errors"][0])
    elif row["reader"] not in EVENTS_ONLY and row.get("digest") != ours.get("digest"):
        problems.append("data differs from the strict loader's")
    notes: list[str] = []
    for probe, (_, expected, leeway) in PROBES.items():
        got = row.get("probes", {}).get(probe)
        if got == expected or row["reader"] in PARTS:
            continue
        if leeway == "either":
            notes.append(f"{probe}: YAML 1.2 ({json.dumps(got)[:60]})")
        elif leeway == "refusal" and got == "refused":
            notes.append(f"{probe}: refused")
        else:
            problems.append(f"{probe}: got {json.dumps(got)[:80]}")
    row["notes"] = notes
    return not problems, problems


def measure(sizes: list[int], repeat: int, seed: int, parsers_python: str | None,
            timeout: float, chosen: list[str]) -> list[dict[str, Any]]:  # fmt: skip
    rows: list[dict[str, Any]] = []
    for stores in sizes:
        json_path, yaml_path = make_inputs(stores, seed)
        readers = [
            r
            for r, (where, _) in READERS.items()
            if r in chosen and (where == "project" or parsers_python)
        ]
        runs: dict[str, list[dict[str, Any]]] = {r: [] for r in readers}
        for i in range(repeat):
            for reader in readers:
                where, fmt = READERS[reader]
                python = sys.executable if where == "project" else str(parsers_python)
                path = yaml_path if fmt == "yaml" else json_path
                result = run_reader(python, reader, path, probes=i == 0, timeout=timeout)
                runs[reader].append(result)
                print(f"{stores} stores, run {i + 1}: {reader}: "
                      f"{result.get('seconds', float('nan')):.3f} s {result.get('error') or ''}",
                      flush=True)  # fmt: skip
        size_rows = []
        for reader in readers:
            done = runs[reader]
            seconds = [r["seconds"] for r in done if r.get("error") is None]
            size_rows.append({
                "stores": stores,
                "reader": reader,
                "format": READERS[reader][1],
                "file_mb": round((yaml_path if READERS[reader][1] == "yaml" else json_path)
                                 .stat().st_size / 1e6, 2),
                "runs_s": [round(s, 4) for s in seconds],
                "median_s": round(sorted(seconds)[len(seconds) // 2], 4) if seconds else None,
                "errors": sorted({r["error"] for r in done if r.get("error")}),
                "digest": next((r.get("digest") for r in done if r.get("digest")), None),
                "probes": next((r["probes"] for r in done if "probes" in r), {}),
            })  # fmt: skip
        ours = next((r for r in size_rows if r["reader"] == "policy-checker"), {"digest": None})
        for row in size_rows:
            if row["format"] == "yaml":
                row["correct"], row["problems"] = _verdict(row, ours)
            else:
                row["correct"] = row["digest"] == ours["digest"]
                row["problems"] = [] if row["correct"] else ["data differs from the YAML's"]
        fastest = min(
            (r["median_s"] for r in size_rows
             if r["format"] == "yaml" and r["correct"] and r["reader"] not in PARTS
             and r["reader"] != "policy-checker" and r["median_s"]),
            default=None,
        )  # fmt: skip
        for row in size_rows:
            row["vs_fastest_correct"] = (
                round(row["median_s"] / fastest, 2) if fastest and row["median_s"] else None
            )
        rows += size_rows
    return rows


def yaml_md(data: dict[str, Any]) -> list[str]:
    """The results as a markdown section of ``results/latest.md``."""
    from benchlib import describe, fmt_s

    lines = [
        "## YAML snapshots: the strict loader next to the fastest parsers (medians)",
        "",
        f"{describe(data['machine'])}; commit `{data['commit']}`, {data['date']}.",
        "Time to read the file into Python objects; ratio to the fastest correct YAML parser.",
        "",
        "| stores | reader | file | median | × fastest correct | correct | why not; notes |",
        "|---:|---|---:|---:|---:|---|---|",
    ]
    for row in data["rows"]:
        ratio = row["vs_fastest_correct"]
        correct = "part of ours" if row["reader"] in PARTS else (
            "yes" if row["correct"] else "**no**")  # fmt: skip
        lines.append(
            f"| {row['stores']:,} | {row['reader']} | {row['file_mb']} MB | "
            f"{fmt_s(row['median_s'])} | {'–' if ratio is None else f'{ratio}×'} | {correct} | "
            f"{'; '.join(row['problems'] + row.get('notes', []))} |"
        )
    lines += ["", f"```sh\n{data['command']}\n```"]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--sizes", default="1k,10k,50k", help="stores, e.g. 1k,10k,50k")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20261121)
    parser.add_argument(
        "--parsers-python",
        default=str(PARSERS_VENV / "bin" / "python"),
        help="interpreter of the parsers' virtualenv (setup_yaml_parsers.sh)",
    )
    parser.add_argument("--readers", default=",".join(READERS), help="which readers (all)")
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--no-save", action="store_true")
    parser.add_argument("--worker", nargs=2, metavar=("READER", "FILE"), help=argparse.SUPPRESS)
    parser.add_argument("--probes", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker[0], args.worker[1], args.probes)
        return 0

    from benchlib import RESULTS, command_line, git_commit, machine, now, write_json, write_latest
    from generate import _size

    parsers_python: str | None = args.parsers_python
    if not Path(str(parsers_python)).exists():
        print(f"no {parsers_python}: run benchmarks/setup_yaml_parsers.sh; measuring the "
              "project's readers only", file=sys.stderr)  # fmt: skip
        parsers_python = None
    sizes = [_size(s) for s in args.sizes.split(",")]
    gc.collect()
    chosen = args.readers.split(",")
    if unknown := set(chosen) - set(READERS):
        parser.error(f"unknown readers: {', '.join(sorted(unknown))}")
    rows = measure(sizes, args.repeat, args.seed, parsers_python, args.timeout, chosen)
    if args.no_save:
        print(json.dumps(rows, indent=2))
        return 0
    path = RESULTS / RESULT
    old = json.loads(path.read_text()) if path.exists() else {"rows": []}
    kept = [r for r in old.get("rows", []) if r["stores"] not in sizes]
    data = {
        "command": command_line(),
        "commit": git_commit(),
        "date": now(),
        "machine": machine(),
        "rows": sorted(kept + rows, key=lambda r: (r["stores"], list(READERS).index(r["reader"]))),
    }
    write_json(path, data)
    print("\n".join(yaml_md(data)))
    print(f"written: {path} and {write_latest()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
