#!/usr/bin/env python3
"""How long each phase of a check takes on a large snapshot, next to ``json.load`` alone.

    python benchmarks/bench_snapshot.py                         # 1k, 10k, 100k; 3 runs each
    python benchmarks/bench_snapshot.py --sizes 1M --repeat 1   # added to the same results

For every size the snapshot comes from ``generate.py snapshot`` (N stores, N/10 pipelines,
N/10 recipients) and is checked against ``benchmarks/policy.yaml``. Each run is a fresh
Python process, so no run inherits another's caches or heap; three kinds of run alternate:

* ``json``: ``json.load`` of the file alone, the floor any JSON reader pays (also with the
  garbage collector paused, for reference);
* ``phases``: the library calls the CLI makes, timed one by one: load
  (``checker.documents.load_document``), validation
  (``checker.validation.validator.validate_document``), checks
  (``checker.evaluation.engine.evaluate``) and output (the JSON reporter writing to a file). The
  peak resident memory of each phase is the kernel's high-water mark (``VmHWM``), reset
  before the phase through ``/proc/self/clear_refs``;
* ``cli``: ``policy-check check ... --format json`` end to end, as a user runs it.

Results (medians) go to ``results/snapshot.json`` and ``results/latest.md``; sizes measured
earlier and not measured again are kept.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from benchlib import (
    HERE,
    RESULTS,
    WORK,
    code_fingerprint,
    command_line,
    fmt_mb,
    fmt_s,
    git_commit,
    machine,
    median,
    now,
    run_child,
    write_json,
    write_latest,
)
from generate import _size

AS_OF = "2026-11-21"
POLICY = HERE / "policy.yaml"
T = TypeVar("T")


# --------------------------------------------------------------------------- child side


def _hwm_mb() -> float:
    """The process's peak resident set since the last reset, in MB."""
    status = Path("/proc/self/status").read_text()
    match = re.search(r"VmHWM:\s+(\d+) kB", status)
    return int(match.group(1)) / 1024 if match else float("nan")


def _reset_hwm() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


PROFILE_DIR: Path | None = None  # set in ``--child profile`` runs


def _phase(name: str, timings: dict[str, float], peaks: dict[str, float], fn: Callable[[], T]) -> T:
    _reset_hwm()
    profiler = None
    if PROFILE_DIR is not None:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    start = time.perf_counter()
    value = fn()
    timings[name] = time.perf_counter() - start
    if profiler is not None and PROFILE_DIR is not None:
        profiler.disable()
        profiler.dump_stats(PROFILE_DIR / f"{name}.prof")
    peaks[name] = _hwm_mb()
    # A run that dies later (out of memory, out of time) still tells what it finished.
    print(f"PHASE {json.dumps([name, timings[name], peaks[name]])}", file=sys.stderr, flush=True)
    return value


def child_json(path: Path) -> dict[str, Any]:
    """``json.load`` alone, with the collector running and paused."""
    timings: dict[str, float] = {}
    peaks: dict[str, float] = {}

    def load() -> Any:
        with path.open("rb") as fh:
            return json.load(fh)

    data = _phase("json_load", timings, peaks, load)
    del data
    gc.collect()
    gc.disable()
    data = _phase("json_load_gc_paused", timings, peaks, load)
    gc.enable()
    del data
    return {"timings": timings, "peaks_mb": peaks}


PASSES = "list"  # set from --passes; children get it on their command line


def child_phases(
    path: Path, policy: Path, output: Path, count_passes: bool = False
) -> dict[str, Any]:
    """The library calls of ``policy-check check``, one phase at a time."""
    import datetime as dt

    from checker.documents import load_document
    from checker.evaluation.engine import evaluate
    from checker.validation.validator import validate_document
    from reports import get_reporter

    limits = _limits_for(path)
    timings: dict[str, float] = {}
    peaks: dict[str, float] = {}

    def load() -> tuple[Any, Any]:
        return load_document(policy), load_document(path, limits=limits)

    policy_doc, snapshot = _phase("load", timings, peaks, load)

    def validate() -> list[Any]:
        return [*validate_document(policy_doc, "policy"), *validate_document(snapshot, "snapshot")]

    problems = _phase("validate", timings, peaks, validate)
    errors = [
        str(p) for p in problems if getattr(getattr(p, "level", None), "value", "error") == "error"
    ]
    if errors:
        return {"error": f"{len(errors)} validation errors, first: {errors[:3]}"}
    result = _phase(
        "checks",
        timings,
        peaks,
        lambda: evaluate(
            [policy_doc],
            [snapshot],
            as_of=dt.date.fromisoformat(AS_OF),
            count_passes=count_passes,
        ),
    )

    def render() -> None:
        with output.open("w", encoding="utf-8") as fh:
            get_reporter("json").render(result, fh)

    try:
        _phase("output", timings, peaks, render)
        size = output.stat().st_size
    finally:
        output.unlink(missing_ok=True)  # up to gigabytes; never left behind, even on failure
    statuses: dict[str, int] = {}
    by_clause: dict[str, int] = {}
    if result.pass_counts:
        statuses["pass"] = sum(c.count for c in result.pass_counts)
    for finding in result.findings:
        status = finding.status.value
        statuses[status] = statuses.get(status, 0) + 1
        if status in ("fail", "not_evidenced", "error"):
            by_clause[finding.clause_id] = by_clause.get(finding.clause_id, 0) + 1
    return {
        "timings": timings,
        "peaks_mb": peaks,
        "findings": len(result.findings) + sum(c.count for c in result.pass_counts),
        "statuses": statuses,
        "failing_by_clause": dict(sorted(by_clause.items())),
        "output_bytes": size,
    }


def _limits_for(path: Path) -> Any:
    """The loader's default limits, with the file-size bound raised to fit ``path`` (as
    ``--max-file-size`` does on the command line)."""
    import dataclasses

    from checker.documents import DEFAULT_LIMITS

    size = path.stat().st_size
    if size <= DEFAULT_LIMITS.max_bytes:
        return DEFAULT_LIMITS
    return dataclasses.replace(DEFAULT_LIMITS, max_bytes=size)


# --------------------------------------------------------------------------- parent side


def _ensure_snapshot(stores: int, work: Path, seed: int) -> Path:
    path = work / f"snapshot-{stores}.json"
    truth = path.with_name(path.name + ".truth.json")
    if path.exists() and truth.exists():
        meta = json.loads(truth.read_text())
        if meta.get("stores") == stores and meta.get("seed") == seed:
            return path
    print(f"generating {path} ...", file=sys.stderr, flush=True)
    from generate import main as generate

    generate(["snapshot", "--stores", str(stores), "--out", str(path), "--seed", str(seed)])
    return path


def _child(
    mode: str, path: Path, timeout: float, memory_limit: int | None = None
) -> dict[str, Any]:
    argv = [sys.executable, str(Path(__file__).resolve()), "--child", mode, str(path)]
    argv += ["--passes", PASSES]
    run = run_child(argv, timeout=timeout, memory_limit=memory_limit)
    if run.returncode != 0:
        stderr = run.stderr.decode(errors="replace")
        done = [json.loads(line[6:]) for line in stderr.splitlines() if line.startswith("PHASE ")]
        tail = "\n".join(line for line in stderr.splitlines() if not line.startswith("PHASE "))
        why = "killed after the time limit" if run.returncode == -9 else f"exit {run.returncode}"
        return {
            "error": f"{mode} run failed ({why}) after {run.seconds:.0f} s: {tail[-1200:]}",
            "seconds": run.seconds,
            "max_rss_mb": run.max_rss_mb,
            "completed_phases": {name: {"seconds": t, "peak_mb": m} for name, t, m in done},
        }
    data: dict[str, Any] = json.loads(run.stdout)
    data["max_rss_mb"] = run.max_rss_mb
    return data


def _cli(
    policy_check: str, path: Path, timeout: float, memory_limit: int | None = None
) -> dict[str, Any]:
    argv = [
        policy_check,
        "check",
        "--policy",
        str(POLICY),
        "--snapshot",
        str(path),
        "--as-of",
        AS_OF,
        "--format",
        "json",
    ]
    if path.stat().st_size > _default_max_bytes():
        argv += ["--max-file-size", str(path.stat().st_size)]
    if PASSES == "count":
        argv += ["--passes", "count"]
    run = run_child(argv, timeout=timeout, memory_limit=memory_limit)
    if run.returncode not in (0, 1):
        tail = run.stderr.decode(errors="replace")[-1500:]
        return {"error": f"cli exited {run.returncode}: {tail}", "seconds": run.seconds}
    return {"seconds": run.seconds, "max_rss_mb": run.max_rss_mb, "exit": run.returncode}


def _default_max_bytes() -> int:
    from checker.documents import DEFAULT_LIMITS

    return int(DEFAULT_LIMITS.max_bytes)


def measure(stores: int, args: argparse.Namespace) -> dict[str, Any]:
    path = _ensure_snapshot(stores, args.work, args.seed)
    truth = json.loads(path.with_name(path.name + ".truth.json").read_text())
    row: dict[str, Any] = {
        "stores": stores,
        "pipelines": truth["pipelines"],
        "recipients": truth["recipients"],
        "bytes": path.stat().st_size,
        "planted_by_clause": truth["planted_by_clause"],
        "command": command_line(),
        "measured_at": now(),
        "repeat": args.repeat,
        "load_average": os.getloadavg()[0],
        "code": code_fingerprint(),
        "commit": git_commit(),
    }
    runs: dict[str, list[dict[str, Any]]] = {"json": [], "phases": [], "cli": []}
    memory_limit = int(args.memory_limit_gb * 1024**3) if args.memory_limit_gb else None
    for i in range(args.repeat):
        cli = not args.no_cli and i < (args.repeat if args.cli_repeat is None else args.cli_repeat)
        for mode in ("json", "phases", *(("cli",) if cli else ())):
            if mode == "cli":
                got = _cli(args.policy_check, path, args.timeout, memory_limit)
            else:
                got = _child(mode, path, args.timeout, memory_limit)
            runs[mode].append(got)
            what = (
                fmt_s(got.get("seconds"))
                if mode == "cli"
                else fmt_s(
                    sum(got.get("timings", {}).values())
                    if mode == "phases"
                    else got.get("timings", {}).get("json_load")
                )
            )
            print(
                f"  {stores:,} stores, run {i + 1}/{args.repeat}, {mode}: {what}"
                + (f"  ERROR {got['error'][:300]}" if "error" in got else ""),
                file=sys.stderr,
                flush=True,
            )
            if "error" in got:
                row["error"] = got["error"][:2000]
                row["failed_run"] = {k: v for k, v in got.items() if k != "error"}
                row["median"] = {}
                if mode == "phases" and runs["json"]:
                    row["json_load"] = runs["json"][-1]["timings"]
                return row
    phases = ("load", "validate", "checks", "output")
    med = {
        "json_load": median([r["timings"]["json_load"] for r in runs["json"]]),
        "json_load_gc_paused": median([r["timings"]["json_load_gc_paused"] for r in runs["json"]]),
        **{p: median([r["timings"][p] for r in runs["phases"]]) for p in phases},
        "total": median([sum(r["timings"][p] for p in phases) for r in runs["phases"]]),
    }
    if runs["cli"]:
        med["cli"] = median([r["seconds"] for r in runs["cli"]])
    last = runs["phases"][-1]
    row.update(
        {
            "median": {k: round(v, 4) for k, v in med.items()},
            "runs": {
                "json_load": [round(r["timings"]["json_load"], 4) for r in runs["json"]],
                "total": [round(sum(r["timings"][p] for p in phases), 4) for r in runs["phases"]],
                **({"cli": [round(r["seconds"], 4) for r in runs["cli"]]} if runs["cli"] else {}),
            },
            "ratio_total_to_json_load": round(med["total"] / med["json_load"], 2),
            **(
                {"ratio_cli_to_json_load": round(med["cli"] / med["json_load"], 2)}
                if "cli" in med
                else {}
            ),
            "rss_after_mb": {
                "json_load": round(max(r["peaks_mb"]["json_load"] for r in runs["json"]), 1),
                **{p: round(max(r["peaks_mb"][p] for r in runs["phases"]), 1) for p in phases},
            },
            "peak_rss_mb": round(max(r["max_rss_mb"] for r in runs["phases"]), 1),
            "json_load_peak_rss_mb": round(max(r["max_rss_mb"] for r in runs["json"]), 1),
            **(
                {"cli_peak_rss_mb": round(max(r["max_rss_mb"] for r in runs["cli"]), 1)}
                if runs["cli"]
                else {}
            ),
            "findings": last["findings"],
            "statuses": last["statuses"],
            "failing": sum(last["failing_by_clause"].values()),
            "failing_by_clause": last["failing_by_clause"],
            "output_bytes": last["output_bytes"],
        }
    )
    print(
        f"  {stores:,}: total {fmt_s(med['total'])} = {row['ratio_total_to_json_load']}× "
        f"json.load ({fmt_s(med['json_load'])}); peak {fmt_mb(row['peak_rss_mb'])}",
        file=sys.stderr,
        flush=True,
    )
    return row


def profile(path: Path, timeout: float, top: int = 18) -> None:
    """Run the phases once under cProfile and print the costliest functions of each."""
    import pstats

    data = _child("profile", path, timeout)
    if "error" in data:
        print(data["error"], file=sys.stderr)
        return
    folder = path.with_name(path.stem + "-profile")
    for phase, seconds in data["timings"].items():
        print(f"\n=== {path.name}: {phase} {fmt_s(seconds)} (under cProfile) ===")
        stats = pstats.Stats(str(folder / f"{phase}.prof"), stream=sys.stdout)
        stats.strip_dirs().sort_stats("tottime").print_stats(top)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--sizes", default="1k,10k,100k", help="store counts (default 1k,10k,100k)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20261121)
    parser.add_argument("--timeout", type=float, default=1200, help="seconds per child run")
    parser.add_argument("--work", type=Path, default=WORK)
    parser.add_argument(
        "--policy-check", default=str(Path(sys.executable).with_name("policy-check"))
    )
    parser.add_argument(
        "--memory-limit-gb",
        type=float,
        default=16,
        help="address-space limit of each run, so that a run too big for the machine fails "
        "alone (default 16; 0: none)",
    )
    parser.add_argument(
        "--cli-repeat", type=int, default=None, help="end-to-end CLI runs (default: --repeat)"
    )
    parser.add_argument("--no-cli", action="store_true", help="skip the end-to-end CLI runs")
    parser.add_argument(
        "--passes",
        choices=("list", "count"),
        default="list",
        help="as policy-check check --passes: list every pass (default) or count them per "
        "promise; count results go to results/snapshot-count.json",
    )
    parser.add_argument("--no-save", action="store_true", help="do not write results/")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="one run per size under cProfile; print where each phase spends "
        "its time (stats saved next to the snapshot), save no results",
    )
    parser.add_argument("--child", nargs=2, metavar=("MODE", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    global PASSES
    PASSES = args.passes

    if args.child:
        mode, file = args.child
        path = Path(file)
        if mode == "profile":
            global PROFILE_DIR
            PROFILE_DIR = path.with_name(path.stem + "-profile")
            PROFILE_DIR.mkdir(exist_ok=True)
        data = (
            child_json(path)
            if mode == "json"
            else child_phases(
                path, POLICY, path.with_suffix(f".out-{id(args)}.json"), PASSES == "count"
            )
        )
        print(json.dumps(data))
        return 0

    args.work.mkdir(parents=True, exist_ok=True)
    if args.profile:
        for size in args.sizes.split(","):
            profile(_ensure_snapshot(_size(size), args.work, args.seed), args.timeout)
        return 0
    rows = [measure(_size(s), args) for s in args.sizes.split(",")]
    saved = RESULTS / ("snapshot-count.json" if PASSES == "count" else "snapshot.json")
    previous = json.loads(saved.read_text()) if saved.exists() else {}
    kept = [r for r in previous.get("sizes", []) if r["stores"] not in {x["stores"] for x in rows}]
    result = {
        "benchmark": "snapshot",
        "measured_at": now(),
        "command": command_line(),
        "machine": machine(),
        "policy": str(POLICY.relative_to(HERE.parent)),
        "as_of": AS_OF,
        "passes": PASSES,
        "sizes": sorted([*kept, *rows], key=lambda r: r["stores"]),
    }
    if args.no_save:
        print(json.dumps(result, indent=2))
    else:
        write_json(saved, result)
        print(f"wrote {saved} and {write_latest()}", file=sys.stderr)
    return 1 if any("error" in r for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
