#!/usr/bin/env python3
"""One large snapshot through the command line, timed and weighed next to ``json.load``.

    python benchmarks/bench_scale.py --sizes 100k --repeat 3
    python benchmarks/bench_scale.py --sizes 1M --repeat 1 --modes count

For each size N, ``generate.py`` writes a JSON snapshot of N stores, N/10 pipelines and N/10
recipients with breaches of ``policy.yaml`` planted (once, reused while the size and seed are
unchanged). Each repeat then runs, in fresh processes and in turn, so that machine noise hits
every run alike:

* ``json.load`` of the file with the garbage collector paused: the floor any JSON reader
  pays, and the baseline of the scale targets (the collector alone makes it several times
  slower, by an amount that depends on the machine);
* ``policy-check check --policy policy.yaml --snapshot FILE --as-of 2026-11-21 --passes count
  --jobs 1 --format text --output json=RESULTS`` end to end, in one process (``--jobs 1``: by
  default, counted passes of a snapshot read store by store are checked in two parts on two cores
  or more, which ``bench_parts.py`` measures with the memory of every process), interpreter start
  and imports included (mode ``count``): the JSON results to a file, the summary and failures on
  standard output as a terminal shows them (runs measured before 2026-11-30 printed the JSON to
  standard output too, rendering it twice: about a fifth of the listing run's time at 10,000
  stores);
* the same with every pass listed, ``--passes list`` (mode ``list``).

Each command-line run reads the snapshot one of two ways (``--readings``): ``streamed``
(``--stream-from 0``: a block of stores at a time, every clause in step) or ``whole``
(``--stream-from`` above the file's size: ``json.load``-style, the whole inventory held). By
default a file of 64 MiB or more is streamed.

Each run is measured from outside: wall time, and the peak resident memory of the child
(``ru_maxrss`` through ``os.wait4``). Every command-line run is then checked against the
truth: the failing findings of its results file (``fail``, ``not_evidenced``, ``error``), per
clause, must equal the breaches planted per clause; a run that differs fails the benchmark
(exit 1). The results file is read a row at a time, so checking a run that listed millions
of passes needs little memory.

Results (medians over the repeats) go to ``results/scale.json`` (the rows of the sizes and
modes measured are replaced, the others kept) and ``results/latest.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import benchlib  # noqa: E402
import generate  # noqa: E402

RESULT = benchlib.RESULTS / "scale.json"
POLICY = HERE / "policy.yaml"
AS_OF = "2026-11-21"
MODES = ("count", "list")
READINGS = ("streamed", "whole")
FAILING = frozenset({"fail", "not_evidenced", "error"})

# json.load alone, collector paused; prints its own time so interpreter start is left out.
JSON_LOAD = """\
import gc, json, sys, time
gc.disable()
start = time.perf_counter()
with open(sys.argv[1], "rb") as fh:
    data = json.load(fh)
print(time.perf_counter() - start)
"""


def ensure_snapshot(stores: int, seed: int) -> tuple[Path, dict[str, Any]]:
    """The snapshot of ``stores`` stores and what was planted in it, generated when missing."""
    path = benchlib.WORK / f"snapshot-{stores}.json"
    truth_path = path.with_name(path.name + ".truth.json")
    if truth_path.exists():
        truth: dict[str, Any] = json.loads(truth_path.read_text(encoding="utf-8"))
        if truth.get("stores") == stores and truth.get("seed") == seed and path.exists():
            return path, truth
    print(f"generating {path} ...", file=sys.stderr, flush=True)
    generate.main(["snapshot", "--stores", str(stores), "--out", str(path), "--seed", str(seed)])
    return path, json.loads(truth_path.read_text(encoding="utf-8"))


def failing_by_clause(results: Path) -> dict[str, int]:
    """Failing findings per clause in a JSON results file, read a row at a time.

    The JSON reporter writes each finding on a line of its own inside the top-level
    ``"findings"`` list (``reports/json_report.py``), so no run's results are held whole."""
    counts: Counter[str] = Counter()
    section = ""
    with results.open(encoding="utf-8") as fh:
        for line in fh:
            if line.startswith('  "'):  # a top-level key
                section = line[3 : line.index('"', 3)]
                continue
            if section != "findings" or not line.startswith("    {"):
                continue
            row = json.loads(line.strip().rstrip(","))
            if row["status"] in FAILING:
                counts[row["clause_id"]] += 1
    return dict(sorted(counts.items()))


def run_json_load(path: Path, timeout: float) -> dict[str, Any]:
    run = benchlib.run_child([sys.executable, "-c", JSON_LOAD, path], timeout=timeout)
    if run.returncode != 0:
        raise SystemExit(f"json.load failed: {run.stderr.decode(errors='replace')[-800:]}")
    return {"seconds": float(run.stdout), "peak_mb": run.max_rss_mb}


def run_cli(
    policy_check: str,
    path: Path,
    mode: str,
    reading: str,
    timeout: float,
    memory_limit: int | None,
) -> dict[str, Any]:
    out = benchlib.WORK / f"results-{path.stem}-{mode}-{reading}.json"
    size = path.stat().st_size
    argv = [
        policy_check,
        "check",
        "--policy",
        str(POLICY),
        "--snapshot",
        str(path),
        "--as-of",
        AS_OF,
        "--passes",
        mode,
        "--jobs",
        "1",  # one process: ru_maxrss is of one process, not of a part's worker beside it
        "--format",
        "text",
        "--output",
        f"json={out}",
        "--max-file-size",
        str(size),
        "--stream-from",
        "0" if reading == "streamed" else str(size + 1),
    ]
    run = benchlib.run_child(argv, timeout=timeout, memory_limit=memory_limit)
    try:
        if run.returncode not in (0, 1):
            killed = run.returncode == -9
            why = "killed after the time limit" if killed else f"exit {run.returncode}"
            tail = run.stderr.decode(errors="replace")[-1200:]
            return {"error": f"{why} after {run.seconds:.0f} s: {tail}", "peak_mb": run.max_rss_mb}
        return {
            "seconds": run.seconds,
            "peak_mb": run.max_rss_mb,
            "exit": run.returncode,
            "output_bytes": out.stat().st_size,
            "failing_by_clause": failing_by_clause(out),
        }
    finally:
        out.unlink(missing_ok=True)  # up to gigabytes: never left behind


def measure(
    stores: int, args: argparse.Namespace, modes: list[str], readings: list[str]
) -> list[dict[str, Any]]:
    path, truth = ensure_snapshot(stores, args.seed)
    size = path.stat().st_size
    planted = truth["planted_by_clause"]
    memory_limit = int(args.memory_limit_gb * 1024**3) if args.memory_limit_gb else None
    loads: list[dict[str, Any]] = []
    kinds = [(mode, reading) for mode in modes for reading in readings]
    runs: dict[tuple[str, str], list[dict[str, Any]]] = {kind: [] for kind in kinds}
    for i in range(args.repeat):
        loads.append(run_json_load(path, args.timeout))
        print(
            f"  {stores:,} stores, run {i + 1}/{args.repeat}: json.load (GC paused) "
            f"{benchlib.fmt_s(loads[-1]['seconds'])}",
            file=sys.stderr,
            flush=True,
        )
        for mode, reading in kinds:
            got = run_cli(args.policy_check, path, mode, reading, args.timeout, memory_limit)
            runs[mode, reading].append(got)
            print(
                f"  {stores:,} stores, run {i + 1}/{args.repeat}, passes {mode}, {reading}: "
                + (
                    f"ERROR {got['error'][:300]}"
                    if "error" in got
                    else f"{benchlib.fmt_s(got['seconds'])}, peak {benchlib.fmt_mb(got['peak_mb'])}"
                ),
                file=sys.stderr,
                flush=True,
            )
    json_load = benchlib.median([r["seconds"] for r in loads])
    rows = []
    for mode, reading in kinds:
        done = [r for r in runs[mode, reading] if "error" not in r]
        row: dict[str, Any] = {
            "stores": stores,
            "passes": mode,
            "reading": reading,
            "bytes": size,
            "repeat": args.repeat,
            "command": benchlib.command_line(),
            "measured_at": benchlib.now(),
            "load_average": os.getloadavg()[0],
            "code": benchlib.code_fingerprint(),
            "commit": benchlib.git_commit(),
            "json_load_gc_paused_s": round(json_load, 4),
            "json_load_runs_s": [round(r["seconds"], 4) for r in loads],
            "json_load_peak_mb": round(max(r["peak_mb"] for r in loads), 1),
            "planted_by_clause": planted,
        }
        if len(done) < len(runs[mode, reading]):
            row["error"] = next(r["error"] for r in runs[mode, reading] if "error" in r)[:2000]
            row["peak_mb"] = round(max(r["peak_mb"] for r in runs[mode, reading]), 1)
            rows.append(row)
            continue
        seconds = benchlib.median([r["seconds"] for r in done])
        peak = max(r["peak_mb"] for r in done)
        found = done[-1]["failing_by_clause"]
        row.update(
            {
                "seconds": round(seconds, 4),
                "runs_s": [round(r["seconds"], 4) for r in done],
                "ratio_to_json_load": round(seconds / json_load, 2),
                "peak_mb": round(peak, 1),
                "peak_to_file": round(peak * 1024 * 1024 / size, 2),
                "output_bytes": done[-1]["output_bytes"],
                "failing_by_clause": found,
                "failing": sum(found.values()),
                "matches_planted": all(r["failing_by_clause"] == planted for r in done),
            }
        )
        rows.append(row)
    return rows


def scale_md(data: dict[str, Any]) -> list[str]:
    """The section of ``results/latest.md``."""
    lines = [
        "## One large snapshot through the command line (`bench_scale.py`)",
        "",
        f"{benchlib.describe(data['machine'])}. `policy-check check --passes MODE --format text "
        "--output json=FILE` end to end (interpreter start included), next to `json.load` of "
        "the same file with the garbage collector paused, measured in the same run; peak is the "
        "child's `ru_maxrss`. Medians of the runs shown.",
        "",
        "| stores | file | passes | reading | runs | json.load (GC paused) | CLI "
        "| CLI / json.load | peak RSS | peak / file | failing (= planted?) |",
        "|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in data["rows"]:
        head = (
            f"| {row['stores']:,} | {row['bytes'] / 1e6:.1f} MB | "
            f"{row['passes']} | {_reading(row)} | {row['repeat']} | "
            f"{benchlib.fmt_s(row['json_load_gc_paused_s'])} | "
        )
        if "error" in row:
            lines.append(head + f"did not finish | – | {benchlib.fmt_mb(row['peak_mb'])} | – | – |")
            continue
        lines.append(
            head + f"{benchlib.fmt_s(row['seconds'])} | {row['ratio_to_json_load']:.2f}× | "
            f"{benchlib.fmt_mb(row['peak_mb'])} | {row['peak_to_file']:.2f}× | "
            f"{row['failing']:,} ({'= planted' if row['matches_planted'] else '**≠ planted**'}) |"
        )
    lines.append("")
    lines += [
        f"- {row['stores']:,} stores, passes {row['passes']}, {_reading(row)}: `{row['command']}`, "
        f"{row['measured_at']}, commit {row['commit']}, load average {row['load_average']:.1f}"
        for row in data["rows"]
    ]
    for row in data["rows"]:
        if "error" in row:
            lines.append(
                f"- {row['stores']:,} stores, passes {row['passes']}: {row['error'][:300]}"
            )
    return lines


def _reading(row: dict[str, Any]) -> str:
    """How the run read the snapshot (rows measured before streaming existed read it whole)."""
    return str(row.get("reading", "whole"))


def _key(row: dict[str, Any]) -> tuple[int, str, str]:
    return row["stores"], row["passes"], _reading(row)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--sizes", default="100k", help="store counts, e.g. 100k,1M")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--modes", default="count,list", help="--passes values to run")
    parser.add_argument(
        "--readings", default="streamed,whole", help="how the CLI reads the snapshot"
    )
    parser.add_argument("--seed", type=int, default=20261121)
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds per run")
    parser.add_argument(
        "--memory-limit-gb", type=float, default=16, help="address space of each CLI run"
    )
    parser.add_argument(
        "--policy-check", default=str(Path(sys.executable).with_name("policy-check"))
    )
    args = parser.parse_args(argv)
    modes = [m for m in args.modes.split(",") if m]
    if not modes or any(m not in MODES for m in modes):
        parser.error(f"--modes takes {', '.join(MODES)}")
    readings = [r for r in args.readings.split(",") if r]
    if not readings or any(r not in READINGS for r in readings):
        parser.error(f"--readings takes {', '.join(READINGS)}")
    benchlib.WORK.mkdir(parents=True, exist_ok=True)
    rows = [
        row
        for s in args.sizes.split(",")
        for row in measure(generate._size(s), args, modes, readings)
    ]
    measured = {_key(row) for row in rows}
    if RESULT.exists():  # keep the rows of other sizes and modes, measured by earlier commands
        kept = json.loads(RESULT.read_text(encoding="utf-8"))["rows"]
        rows += [r for r in kept if _key(r) not in measured]
    rows.sort(key=lambda r: (r["stores"], MODES.index(r["passes"]), READINGS.index(_reading(r))))
    benchlib.write_json(
        RESULT,
        {
            "benchmark": "scale",
            "machine": benchlib.machine(),
            "policy": "benchmarks/policy.yaml",
            "as_of": AS_OF,
            "rows": rows,
        },
    )
    print(f"wrote {RESULT} and {benchlib.write_latest()}", file=sys.stderr)
    new = [r for r in rows if _key(r) in measured]
    return 0 if all(r.get("matches_planted") for r in new) else 1


if __name__ == "__main__":
    sys.exit(main())
