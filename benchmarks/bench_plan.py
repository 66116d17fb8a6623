#!/usr/bin/env python3
"""A mixed Terraform plan checked end to end, next to ``json.load`` of the same file.

    python benchmarks/bench_plan.py --sizes 1k,10k --repeat 5

For each size, ``mixed_plan.py`` writes a plan of N resources from every family the Terraform
adapter reads (once; reused while its seed and size are unchanged). Each repeat then runs, in
fresh processes and alternating so that machine noise hits both alike:

* ``json.load`` of the plan alone, timed inside the child with the garbage collector running
  (the floor any JSON tool pays, and the baseline of the target);
* ``policy-check check --policy policy.yaml --snapshot snapshot.yaml --output json=FILE``
  (every finding, passes included, in the JSON results; the failures on standard output), the
  wall time of the whole command (interpreter start included), and its peak resident memory.

The run also checks the verdicts: per clause, the stores that do not pass must be exactly the
ones ``mixed_plan.py`` planted. Results: ``results/plan.json`` and ``results/latest.md``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import benchlib  # noqa: E402
import mixed_plan  # noqa: E402

WORK = HERE / "work"
RESULT = benchlib.RESULTS / "plan.json"
JSON_LOAD = (
    "import json, sys, time\n"
    "with open(sys.argv[1], 'rb') as fh:\n"
    "    start = time.perf_counter(); json.load(fh); print(time.perf_counter() - start)\n"
)


def _prepare(size: int, seed: int) -> Path:
    folder = WORK / f"mixed-{size}"
    plan = folder / "plan.json"
    truth = plan.with_name("plan.json.truth.json")
    if truth.exists():
        meta = json.loads(truth.read_text())
        if meta.get("seed") == seed and meta.get("requested") == size:
            return plan
    mixed_plan.main(["--resources", str(size), "--out", str(plan), "--seed", str(seed)])
    meta = json.loads(truth.read_text())
    meta["requested"] = size
    truth.write_text(json.dumps(meta, indent=2) + "\n")
    return plan


def _not_passing(results: Path) -> dict[str, list[str]]:
    data: dict[str, Any] = json.loads(results.read_text())
    found: dict[str, set[str]] = {}
    for finding in data["findings"]:
        if finding["status"] != "pass" and finding["resource"].startswith("store:"):
            found.setdefault(finding["clause_id"], set()).add(finding["resource"][6:])
    return {clause: sorted(ids) for clause, ids in found.items()}


MODES = {"listed": [], "counted": ["--passes", "count"]}
# The same command inside one process, timed after the imports (and one parser built, which
# imports the reporters): what the check itself costs, without the interpreter start and the
# module imports every command pays (about 0.4 s here).
IN_PROCESS = (
    "import sys, time\n"
    "from checker.cli.main import build_parser, main\n"
    "import checker.cli.check, checker.pipeline, reports.json_report, reports.text\n"
    "build_parser()\n"
    "start = time.perf_counter(); code = main(sys.argv[1:])\n"
    "print(time.perf_counter() - start, file=sys.stderr); sys.exit(code)\n"
)
"""Every pass listed in the results (the default), and passes counted per promise."""


def measure(size: int, repeat: int, seed: int, timeout: float) -> dict[str, Any]:
    plan = _prepare(size, seed)
    truth = json.loads(plan.with_name("plan.json.truth.json").read_text())
    exe = Path(sys.executable).with_name("policy-check")
    out = plan.with_name("results.json")
    loads: list[float] = []
    checks: dict[str, list[float]] = {mode: [] for mode in MODES}
    inside: dict[str, list[float]] = {mode: [] for mode in MODES}
    rss: dict[str, list[float]] = {mode: [] for mode in MODES}
    agree = True
    want = {c: ids for c, ids in truth["failing"].items() if ids}
    for _ in range(repeat):
        run = benchlib.run_child([sys.executable, "-c", JSON_LOAD, plan], timeout=timeout)
        loads.append(float(run.stdout))
        for mode, extra in MODES.items():
            argv = [
                exe,
                "check",
                "--policy",
                "policy.yaml",
                "--snapshot",
                "snapshot.yaml",
                "--as-of",
                "2026-11-21",
                "--output",
                f"json={out.name}",
                *extra,
            ]
            run = benchlib.run_child(argv, cwd=plan.parent, timeout=timeout)
            if run.returncode not in (0, 1):
                raise SystemExit(
                    f"policy-check failed ({run.returncode}): {run.stderr.decode()[-2000:]}"
                )
            checks[mode].append(run.seconds)
            rss[mode].append(run.max_rss_mb)
            agree = agree and _not_passing(out) == want
            run = benchlib.run_child(
                [sys.executable, "-c", IN_PROCESS, *argv[1:]], cwd=plan.parent, timeout=timeout
            )
            inside[mode].append(float(run.stderr.decode().strip().splitlines()[-1]))
    load = benchlib.median(loads)
    row: dict[str, Any] = {
        "resources": truth["resources"],
        "bytes": truth["bytes"],
        "runs": repeat,
        "json_load": round(load, 4),
        "not_passing": {c: len(ids) for c, ids in truth["failing"].items()},
        "verdicts_agree": agree,
        "per_run": {"json_load": [round(v, 4) for v in loads]},
    }
    for mode in MODES:
        check = benchlib.median(checks[mode])
        within = benchlib.median(inside[mode])
        row[mode] = {
            "check": round(check, 4),
            "ratio": round(check / load, 2),
            "in_process": round(within, 4),
            "in_process_ratio": round(within / load, 2),
            "peak_rss_mb": round(max(rss[mode]), 1),
        }
        row["per_run"][mode] = [round(v, 3) for v in checks[mode]]
        row["per_run"][f"{mode}_in_process"] = [round(v, 3) for v in inside[mode]]
    return row


def plan_md(data: dict[str, Any]) -> list[str]:
    lines = [
        "## Mixed Terraform plan, end to end (`bench_plan.py`)",
        "",
        f"Measured on {benchlib.describe(data['machine'])}; commit `{data['commit']}`. "
        "*check* is `policy-check check ... --output json=FILE` end to end, interpreter start "
        "and imports included, with every pass listed (the default) and with `--passes count`; "
        "*in process* is the same command timed inside one process after the imports; "
        "*json.load* is the plan alone, timed inside a fresh process with the garbage "
        "collector running. Medians of the runs shown.",
        "",
        "| resources | file | runs | json.load | passes listed: check | ratio | in process | "
        "ratio | peak RSS | passes counted: check | ratio | in process | ratio | peak RSS | "
        "not passing (retention / encryption) | verdicts = planted |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for row in data["rows"]:
        counts = row["not_passing"]
        cells = []
        for mode in MODES:
            got = row[mode]
            cells += [
                benchlib.fmt_s(got["check"]),
                f"{got['ratio']:.2f}×",
                benchlib.fmt_s(got["in_process"]),
                f"{got['in_process_ratio']:.2f}×",
                benchlib.fmt_mb(got["peak_rss_mb"]),
            ]
        lines.append(
            f"| {row['resources']:,} | {row['bytes'] / 1e6:.1f} MB | {row['runs']} | "
            f"{benchlib.fmt_s(row['json_load'])} | {' | '.join(cells)} | "
            f"{counts.get(mixed_plan.RETENTION, 0):,} / {counts.get(mixed_plan.SECURITY, 0):,} | "
            f"{'yes' if row['verdicts_agree'] else '**no**'} |"
        )
    lines += ["", "Command:", "", f"    {data['command']}"]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--sizes", default="1k,10k", help="resource counts (default 1k,10k)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=20261130)
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--no-save", action="store_true", help="do not write results/")
    args = parser.parse_args(argv)
    rows = []
    for text in args.sizes.split(","):
        row = measure(mixed_plan.size(text), args.repeat, args.seed, args.timeout)
        print(json.dumps(row), file=sys.stderr)
        rows.append(row)
    data = {
        "machine": benchlib.machine(),
        "commit": benchlib.git_commit(),
        "date": benchlib.now(),
        "command": benchlib.command_line(),
        "rows": rows,
    }
    if not args.no_save:
        benchlib.write_json(RESULT, data)
        print(f"wrote {RESULT} and {benchlib.write_latest()}", file=sys.stderr)
    return 0 if all(r["verdicts_agree"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
