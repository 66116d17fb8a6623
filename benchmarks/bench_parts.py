#!/usr/bin/env python3
"""One large snapshot, its stores checked in parts by several processes, next to one process.

    python benchmarks/bench_parts.py --sizes 1M --repeat 3
    python benchmarks/bench_parts.py --sizes 100k --repeat 3 --ways serial,default

For each size N, the snapshot of ``bench_scale.py`` (N stores, N/10 pipelines and N/10
recipients, breaches of ``policy.yaml`` planted) is checked, passes counted, read store by
store, in fresh processes and in turn, so that machine noise hits every way alike:

* ``serial``: ``--jobs 1``, every store checked by the ``policy-check`` process;
* ``default``: no ``--jobs``, as a user runs it (two parts on two cores or more, when
  passes are counted);
* ``jobs``: ``--jobs 2``, the stores in two parts, each checked by a process forked from it
  (``checker.execution.parts``);
* ``dask``: ``--executor dask --jobs 2``, the stores in two parts, each checked by a worker of
  a local Dask cluster started for the run, which reads the file itself;
* ``resources``: no ``--jobs``, ``--passes resources``: every pass named by its resource in the
  JSON results, as a user runs it (two parts, as when counting);
* ``resources-serial``: ``--jobs 1 --passes resources``, in one process.

The ``resources`` ways are compared with the ``resources-serial`` run, byte for byte, and each
of their pass counts must name resources whose passes add up to its count; their time and
memory are also given against the ``default`` way's (passes counted only).

Each way is run ``--repeat`` times for its time, measured from outside with nothing else
reading the processes, then once more for its memory: the peak of the memory of the whole
process tree (the command, its workers and, with Dask, the cluster's nannies and workers),
sampled every 0.1 s from ``/proc``: the sum of the processes' proportional set sizes (PSS,
which counts a page shared by forked processes once in all) and, for reference, of their
resident sets (RSS, which counts it in each). Sampling is not free: reading
``smaps_rollup`` of processes of 650 MB took about 50 ms each 0.1 s, and a run of two
processes on two cores sampled so took 30.5 s where it took 23.3 s unsampled (medians of
three, in turn; 22.6 s against 18.4 s in four more pairs), so a sampled run's time is kept
apart (``memory_run_s``) and not counted.
Every run's failing findings, per clause, must equal the planted breaches, and its JSON
results the serial run's, byte for byte; a run that differs fails the benchmark (exit 1).
Linux only (``/proc``).

Results (medians over the repeats) go to ``results/parts.json`` and ``results/latest.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import benchlib  # noqa: E402
import generate  # noqa: E402
from bench_scale import AS_OF, POLICY, ensure_snapshot, failing_by_clause, run_json_load  # noqa: E402

RESULT = benchlib.RESULTS / "parts.json"
WAYS = {
    "serial": ["--jobs", "1"],
    "default": [],
    "jobs": ["--jobs", "2"],
    "dask": ["--executor", "dask", "--jobs", "2"],
    "resources": ["--passes", "resources"],
    "resources-serial": ["--jobs", "1", "--passes", "resources"],
}
# The run each way's JSON results must equal, byte for byte: one of the same --passes.
REFERENCE = {"resources": "resources-serial", "resources-serial": "resources-serial"}


def _tree(root: int) -> list[int]:
    """``root`` and every process below it."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def _memory(pid: int) -> tuple[int, int]:
    """RSS and PSS of a process, in KiB (0 once it is gone)."""
    try:
        lines = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
    except OSError:
        return 0, 0
    found = {line.split(":")[0]: int(line.split()[1]) for line in lines if ":" in line[:8]}
    return found.get("Rss", 0), found.get("Pss", 0)


def run_tree(argv: list[str], timeout: float, *, sample: bool) -> dict[str, Any]:
    """Run ``argv``; its wall time and, when ``sample``, the peak summed PSS and RSS of its
    process tree (MiB; else 0: the time of a run sampled is not the command's alone)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    peak_rss = peak_pss = 0
    while proc.poll() is None:
        if time.perf_counter() - start > timeout:
            proc.kill()
            break
        if sample:
            sizes = [_memory(pid) for pid in _tree(proc.pid)]
            peak_rss = max(peak_rss, sum(rss for rss, _ in sizes))
            peak_pss = max(peak_pss, sum(pss for _, pss in sizes))
            time.sleep(0.1)
        else:
            time.sleep(0.005)
    seconds = time.perf_counter() - start
    err = proc.stderr.read() if proc.stderr is not None else b""
    proc.wait()
    return {
        "exit": proc.returncode,
        "seconds": seconds,
        "peak_pss_mb": peak_pss / 1024,
        "peak_rss_mb": peak_rss / 1024,
        "stderr": err.decode(errors="replace")[-1200:],
    }


def run_way(
    policy_check: str, path: Path, way: str, timeout: float, *, sample: bool = False
) -> dict[str, Any]:
    out = benchlib.WORK / f"results-parts-{path.stem}-{way}.json"
    size = path.stat().st_size
    argv = [policy_check, "check", "--policy", str(POLICY), "--snapshot", str(path)]
    argv += ["--as-of", AS_OF, "--passes", "count", "--format", "text"]
    argv += ["--output", f"json={out}", "--max-file-size", str(size), "--stream-from", "0"]
    got = run_tree(argv + WAYS[way], timeout, sample=sample)
    try:
        if got["exit"] not in (0, 1):
            return {"error": f"exit {got['exit']}: {got['stderr']}", **got}
        got["results"] = out.read_bytes()
        got["failing_by_clause"] = failing_by_clause(out)
        if "resources" in WAYS[way]:
            got["names_every_pass"] = names_every_pass(out)
        return got
    finally:
        out.unlink(missing_ok=True)


def measure(stores: int, args: argparse.Namespace, ways: list[str]) -> list[dict[str, Any]]:
    path, truth = ensure_snapshot(stores, args.seed)
    planted = truth["planted_by_clause"]
    loads: list[float] = []
    runs: dict[str, list[dict[str, Any]]] = {way: [] for way in ways}
    sampled: dict[str, dict[str, Any]] = {}
    for i in range(args.repeat + 1):  # the last run of each way is sampled for its memory
        sample = i == args.repeat
        if not sample:
            loads.append(run_json_load(path, args.timeout)["seconds"])
        for way in ways:
            got = run_way(args.policy_check, path, way, args.timeout, sample=sample)
            if sample:
                sampled[way] = got
            else:
                runs[way].append(got)
            print(
                f"  {stores:,} stores, "
                + ("memory run" if sample else f"run {i + 1}/{args.repeat}")
                + f", {way}: "
                + (
                    f"ERROR {got['error'][:300]}"
                    if "error" in got
                    else f"{benchlib.fmt_s(got['seconds'])}"
                    + (f", tree PSS {benchlib.fmt_mb(got['peak_pss_mb'])}" if sample else "")
                ),
                file=sys.stderr,
                flush=True,
            )
    rows = []
    for way in ways:
        against = REFERENCE.get(way, "serial")
        reference = next((r["results"] for r in runs.get(against, []) if "results" in r), None)
        memory = sampled[way]
        done = [r for r in [*runs[way], memory] if "error" not in r]
        row: dict[str, Any] = {
            "stores": stores,
            "way": way,
            "options": " ".join(WAYS[way]),
            "bytes": path.stat().st_size,
            "repeat": args.repeat,
            "command": benchlib.command_line(),
            "measured_at": benchlib.now(),
            "load_average": os.getloadavg()[0],
            "commit": benchlib.git_commit(),
            "cpu": benchlib.machine().get("cpu", ""),  # rows of other runs may be another's
            "json_load_gc_paused_s": round(benchlib.median(loads), 4),
        }
        if len(done) < len(runs[way]) + 1:
            row["error"] = next(r["error"] for r in [*runs[way], memory] if "error" in r)[:2000]
            rows.append(row)
            continue
        row.update(
            {
                "seconds": round(benchlib.median([r["seconds"] for r in runs[way]]), 3),
                "runs_s": [round(r["seconds"], 3) for r in runs[way]],
                "peak_pss_mb": round(memory["peak_pss_mb"], 1),
                "peak_rss_mb": round(memory["peak_rss_mb"], 1),
                "memory_run_s": round(memory["seconds"], 3),
                "matches_planted": all(r["failing_by_clause"] == planted for r in done),
                # None when the way it is compared with was not run.
                "same_as_serial": None
                if reference is None
                else all(r["results"] == reference for r in done),
            }
        )
        if way in REFERENCE:
            row["compared_with"] = against
            row["names_every_pass"] = all(r["names_every_pass"] for r in done)
        rows.append(row)
    serial = next((r for r in rows if r["way"] == "serial" and "seconds" in r), None)
    for row in rows:
        if serial is not None and "seconds" in row:
            row["speedup"] = round(serial["seconds"] / row["seconds"], 2)
            row["memory_ratio"] = round(row["peak_pss_mb"] / serial["peak_pss_mb"], 2)
    default = next((r for r in rows if r["way"] == "default" and "seconds" in r), None)
    for row in rows:
        if default is not None and "seconds" in row and row["way"] in REFERENCE:
            row["vs_counting_default"] = round(row["seconds"] / default["seconds"], 2)
        if "seconds" in row:
            row["memory_vs_file"] = round(row["peak_pss_mb"] * 2**20 / row["bytes"], 2)  # MiB
    return rows


def names_every_pass(results: Path) -> bool:
    """Whether every pass count of a JSON results file names resources whose passes add up
    to its count (read a row at a time, as :func:`failing_by_clause` reads the findings)."""
    section, seen = "", 0
    with results.open(encoding="utf-8") as fh:
        for line in fh:
            if line.startswith('  "'):
                section = line[3 : line.index('"', 3)]
                continue
            if section != "pass_counts" or not line.startswith("    {"):
                continue
            row = json.loads(line.strip().rstrip(","))
            seen += 1
            if sum(row.get("resources", {}).values()) != row["count"]:
                return False
    return seen > 0


def _same(same: bool | None) -> str:
    return "not compared" if same is None else "yes" if same else "**no**"


def _ratio(row: dict[str, Any], key: str) -> str:
    """A ratio to the serial way, which only a run that measured that way too has."""
    return f"{row[key]:.2f}×" if key in row else "–"


def _options(row: dict[str, Any]) -> str:
    return f"`{row['options']}`" if row["options"] else "(none)"


def parts_md(data: dict[str, Any]) -> list[str]:
    """The section of ``results/latest.md``."""
    lines = [
        "## One large snapshot checked in parts (`bench_parts.py`)",
        "",
        f"Last run on {benchlib.describe(data['machine'])}. `policy-check check --passes count "
        "--stream-from 0 --format text --output json=FILE` end to end; the wall time is the "
        "median of the runs, with nothing reading the processes; memory is the peak of the "
        "summed PSS of the process tree (workers and cluster included), sampled every 0.1 s in "
        "one more run, whose time is not counted (sampling takes CPU time from the command). "
        "The rows come from the runs listed under the table, each with its commit and date; "
        '"vs serial" compares a way with the serial way of the same run only.',
        "",
        "| stores | file | way | options | runs | wall | vs serial | tree PSS | vs serial "
        "| = planted, = serial |",
        "|---:|---:|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for row in data["rows"]:
        head = (
            f"| {row['stores']:,} | {row['bytes'] / 1e6:.1f} MB | {row['way']} | "
            f"{_options(row)} | {row['repeat']} | "
        )
        if "error" in row:
            lines.append(head + "did not finish | – | – | – | – |")
            continue
        lines.append(
            head + f"{benchlib.fmt_s(row['seconds'])} | {_ratio(row, 'speedup')} | "
            f"{benchlib.fmt_mb(row['peak_pss_mb'])} | {_ratio(row, 'memory_ratio')} | "
            f"{'yes' if row['matches_planted'] else '**no**'}, "
            f"{_same(row['same_as_serial'])} |"
        )
    lines.append("")
    lines += [
        f"- {row['stores']:,} stores, {row['way']} (every pass named by its resource): "
        f"{row['vs_counting_default']:.2f}× the time of the default way (passes counted only), "
        f"in {row['memory_vs_file']:.2f}× the file; the same bytes as {row['compared_with']}: "
        f"{_same(row['same_as_serial'])}; every count's passes named: "
        f"{'yes' if row['names_every_pass'] else '**no**'}"
        for row in data["rows"]
        if "vs_counting_default" in row
    ]
    lines += [
        f"- {row['stores']:,} stores, {row['way']}: {benchlib.fmt_s(row['seconds'])}, "
        f"{row['seconds'] / row['json_load_gc_paused_s']:.2f}× a `json.load` of the file with "
        f"the collector paused in the same run ({benchlib.fmt_s(row['json_load_gc_paused_s'])}, "
        "median)"
        for row in data["rows"]
        if row["way"] == "default" and "seconds" in row and row.get("json_load_gc_paused_s")
    ]
    lines += [
        f"- {row['stores']:,} stores, {row['way']}: runs "
        f"{', '.join(map(benchlib.fmt_s, row['runs_s']))}; the memory run, sampled, "
        f"{benchlib.fmt_s(row['memory_run_s'])}"
        for row in data["rows"]
        if "memory_run_s" in row
    ]
    lines += [
        f"- {row['stores']:,} stores, {row['way']}: `{row['command']}`, {row['measured_at']}, "
        f"commit {row['commit']}, load average {row['load_average']:.1f}"
        + (f", {row['cpu']}" if row.get("cpu") else "")
        for row in data["rows"]
    ]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--sizes", default="100k", help="store counts, e.g. 100k,1M")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--ways", default="serial,default,jobs,dask", help="of: " + ", ".join(WAYS))
    parser.add_argument("--seed", type=int, default=20261121)
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds per run")
    parser.add_argument(
        "--policy-check",
        default=str(Path(sys.executable).with_name("policy-check")),
        help="the command to run",
    )
    args = parser.parse_args(argv)
    ways = [w.strip() for w in args.ways.split(",") if w.strip()]
    unknown = [w for w in ways if w not in WAYS]
    if unknown:
        parser.error(f"unknown ways: {', '.join(unknown)}")
    sizes = [generate._size(s) for s in args.sizes.split(",") if s.strip()]
    benchlib.WORK.mkdir(parents=True, exist_ok=True)
    data: dict[str, Any] = {"machine": benchlib.machine(), "rows": []}
    if RESULT.exists():  # keep the rows of other sizes and ways, measured by earlier commands
        data["rows"] = json.loads(RESULT.read_text(encoding="utf-8"))["rows"]
    ok = True
    for stores in sizes:
        rows = measure(stores, args, ways)
        measured = {(r["stores"], r["way"]) for r in rows}
        data["rows"] = [r for r in data["rows"] if (r["stores"], r["way"]) not in measured]
        data["rows"] += rows
        ok = ok and all(
            "error" not in r
            and r["matches_planted"]
            and r["same_as_serial"] is not False
            and r.get("names_every_pass", True)
            for r in rows
        )
    data["rows"].sort(key=lambda r: (r["stores"], list(WAYS).index(r["way"])))
    benchlib.write_json(RESULT, data)
    benchlib.write_latest()
    print("\n".join(parts_md(data)))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
