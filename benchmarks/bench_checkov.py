#!/usr/bin/env python3
"""Checkov and policy-check side by side on the same generated Terraform plan.

    benchmarks/setup_checkov.sh                        # once: Checkov in its own virtualenv
    python benchmarks/bench_checkov.py                 # 1k and 10k buckets, 3 runs each
    python benchmarks/bench_checkov.py --sizes 10k --repeat 1   # replaces the 10k row only
    python benchmarks/bench_checkov.py --sizes 10k --repeat 1 --append   # one more run

For each size the plan comes from ``generate.py plan`` (N buckets, about 10% breaking a
30-day expiration limit). Both tools run as the command a user types, measured from outside
(wall time and the child's peak resident memory):

* ``checkov -f plan.json --framework terraform_plan --external-checks-dir
  benchmarks/checkov_policy -c CKV2_PRIV_1 -o json --skip-download``
* ``policy-check check --policy policy.yaml --snapshot snapshot.yaml --as-of 2026-11-21
  --format json`` (the snapshot imports the same plan)

The failing buckets each tool reports are compared with each other and with the buckets the
generator planted; the run fails (exit 1) when they disagree. Results go to
``results/checkov.json`` and ``results/latest.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from benchlib import (
    HERE,
    RESULTS,
    WORK,
    ChildRun,
    code_fingerprint,
    command_line,
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

CHECK_ID = "CKV2_PRIV_1"
CLAUSE_ID = "opted-out-30d"
AS_OF = "2026-11-21"
_BUCKET = re.compile(r"chat[-_](\d{6})")


def _bucket_name(text: str) -> str | None:
    """``chat-000051`` from a bucket name, a Terraform address or a store id."""
    match = _BUCKET.search(text)
    return f"chat-{match.group(1)}" if match else None


def checkov_failures(output: bytes) -> set[str]:
    """Buckets that failed CKV2_PRIV_1 in Checkov's JSON report."""
    data = json.loads(output)
    reports = data if isinstance(data, list) else [data]
    failed: set[str] = set()
    for report in reports:
        for item in report.get("results", {}).get("failed_checks", []):
            if item.get("check_id") == CHECK_ID:
                name = _bucket_name(str(item.get("resource", "")))
                if name:
                    failed.add(name)
    return failed


def policy_check_failures(output: bytes) -> tuple[set[str], dict[str, int]]:
    """Buckets with a failing or not-evidenced retention finding, and the status counts."""
    data = json.loads(output)
    failed: set[str] = set()
    statuses: dict[str, int] = {}
    for finding in data.get("findings", []):
        if finding.get("clause_id") != CLAUSE_ID:
            continue
        status = str(finding.get("status"))
        statuses[status] = statuses.get(status, 0) + 1
        if status in ("fail", "not_evidenced"):
            name = _bucket_name(str(finding.get("resource", "")))
            if name:
                failed.add(name)
            else:
                failed.add(f"<{finding.get('resource')}>")
    return failed, statuses


def _version(argv: list[str]) -> str:
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
    except OSError:
        return "?"
    text = (out.stdout or out.stderr).strip()
    return text.splitlines()[-1] if text else "?"


def _measure(
    label: str, argv: list[str], repeat: int, timeout: float, cwd: Path, parse: Any
) -> dict[str, Any]:
    runs: list[ChildRun] = []
    for i in range(repeat):
        run = run_child(argv, cwd=cwd, timeout=timeout)
        print(
            f"  {label} run {i + 1}/{repeat}: {fmt_s(run.seconds)}, "
            f"{run.max_rss_mb:.0f} MB, exit {run.returncode}",
            file=sys.stderr,
            flush=True,
        )
        runs.append(run)
        if run.returncode not in (0, 1):
            break
    last = runs[-1]
    result: dict[str, Any] = {
        "command": " ".join(argv),
        "runs_s": [round(r.seconds, 3) for r in runs],
        "median_s": round(median([r.seconds for r in runs]), 3),
        "max_rss_mb": round(max(r.max_rss_mb for r in runs), 1),
        "exit_codes": [r.returncode for r in runs],
    }
    if last.returncode not in (0, 1):
        result["error"] = last.stderr.decode(errors="replace")[-2000:]
        return result
    failed, extra = parse(last.stdout)
    result["violations"] = len(failed)
    result["failed"] = sorted(failed)
    if extra:
        result["statuses"] = extra
    return result


def _merge(row: dict[str, Any], previous: list[dict[str, Any]]) -> dict[str, Any]:
    """``row`` with the runs saved earlier for the same plan added (``--append``)."""
    old = next((r for r in previous if r["buckets"] == row["buckets"]), None)
    if old is None or old["bytes"] != row["bytes"] or old["truth"] != row["truth"]:
        return row
    for tool in ("checkov", "policy_check"):
        new, before = row[tool], old[tool]
        if "error" in new or "error" in before:
            continue
        if tool == "policy_check" and new.get("code") != before.get("code"):
            continue  # the package changed since: its earlier runs measured other code
        new["runs_s"] = [*before["runs_s"], *new["runs_s"]]
        new["exit_codes"] = [*before["exit_codes"], *new["exit_codes"]]
        new["median_s"] = round(median(new["runs_s"]), 3)
        new["max_rss_mb"] = max(new["max_rss_mb"], before["max_rss_mb"])
        if new.get("violations") != before.get("violations"):
            row["agree"] = False
    row["agree"] = row["agree"] and old["agree"]
    row["repeat"] = len(row["checkov"]["runs_s"])
    row["policy_check_repeat"] = len(row["policy_check"]["runs_s"])
    row["load_average"] = [*_as_list(old.get("load_average")), *_as_list(row["load_average"])]
    row["command"] = f"{old.get('command', '?')}; then {row['command']}"
    if row["checkov"].get("median_s") and row["policy_check"].get("median_s"):
        row["speedup"] = round(row["checkov"]["median_s"] / row["policy_check"]["median_s"], 1)
        row["throughput_buckets_per_s"] = {
            "checkov": round(row["buckets"] / row["checkov"]["median_s"], 1),
            "policy_check": round(row["buckets"] / row["policy_check"]["median_s"], 1),
        }
    return row


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--sizes", default="1k,10k", help="bucket counts (default 1k,10k)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--checkov",
        default=str(HERE / "work" / "checkov-venv" / "bin" / "checkov"),
        help="Checkov executable (see setup_checkov.sh)",
    )
    parser.add_argument(
        "--policy-check",
        default=shutil.which("policy-check") or str(Path(sys.executable).with_name("policy-check")),
    )
    parser.add_argument("--timeout", type=float, default=1200, help="seconds per run")
    parser.add_argument("--work", type=Path, default=WORK)
    parser.add_argument(
        "--policy-check-repeat",
        type=int,
        default=None,
        help="runs of policy-check (default: --repeat; it is cheap, Checkov is not)",
    )
    parser.add_argument(
        "--append",
        action="store_true",
        help="add these runs to the ones saved for the same plan (a slow size measured in "
        "several commands)",
    )
    parser.add_argument("--no-save", action="store_true", help="do not write results/")
    args = parser.parse_args(argv)

    sizes = [_size(s) for s in args.sizes.split(",")]
    policy_dir = HERE / "checkov_policy"
    rows: list[dict[str, Any]] = []
    agree_all = True
    for buckets in sizes:
        folder = (args.work / f"tf-{buckets}").resolve()
        plan = folder / "plan.json"
        subprocess.run(
            [
                sys.executable,
                str(HERE / "generate.py"),
                "plan",
                "--buckets",
                str(buckets),
                "--out",
                str(plan),
            ],
            check=True,
        )
        truth = json.loads((folder / "plan.json.truth.json").read_text())
        print(
            f"{buckets:,} buckets ({plan.stat().st_size / 1e6:.1f} MB), "
            f"{truth['violating_buckets']} planted violations",
            file=sys.stderr,
            flush=True,
        )
        load_average = os.getloadavg()[0]
        checkov = _measure(
            "checkov",
            [
                args.checkov,
                "-f",
                str(plan),
                "--framework",
                "terraform_plan",
                "--external-checks-dir",
                str(policy_dir),
                "-c",
                CHECK_ID,
                "-o",
                "json",
                "--skip-download",
            ],
            args.repeat,
            args.timeout,
            folder,
            lambda out: (checkov_failures(out), None),
        )
        code = code_fingerprint()
        ours = _measure(
            "policy-check",
            [
                args.policy_check,
                "check",
                "--policy",
                str(folder / "policy.yaml"),
                "--snapshot",
                str(folder / "snapshot.yaml"),
                "--as-of",
                AS_OF,
                "--format",
                "json",
            ],
            args.repeat if args.policy_check_repeat is None else args.policy_check_repeat,
            args.timeout,
            folder,
            policy_check_failures,
        )
        ours["code"] = code
        ours["commit"] = git_commit()
        planted = set(truth["violating"])
        agree = (
            checkov.get("failed") is not None
            and ours.get("failed") is not None
            and set(checkov["failed"]) == set(ours["failed"]) == planted
        )
        agree_all &= agree
        row = {
            "load_average": load_average,
            "buckets": buckets,
            "bytes": plan.stat().st_size,
            "truth": truth["violating_buckets"],
            "agree": agree,
            "checkov": checkov,
            "policy_check": ours,
        }
        if checkov.get("median_s") and ours.get("median_s"):
            row["speedup"] = round(checkov["median_s"] / ours["median_s"], 1)
            row["throughput_buckets_per_s"] = {
                "checkov": round(buckets / checkov["median_s"], 1),
                "policy_check": round(buckets / ours["median_s"], 1),
            }
        print(
            f"  agree with truth: {agree}; speed-up {row.get('speedup', '–')}×",
            file=sys.stderr,
            flush=True,
        )
        rows.append(row)
    for row in rows:  # keep the JSON readable: the bucket lists are only needed to compare
        for tool in ("checkov", "policy_check"):
            row[tool].pop("failed", None)
        row.update(
            {
                "repeat": len(row["checkov"]["runs_s"]),
                "measured_at": now(),
                "command": command_line(),
            }
        )
    saved = RESULTS / "checkov.json"
    previous = json.loads(saved.read_text()) if saved.exists() else {}
    if args.append:
        rows = [_merge(row, previous.get("sizes", [])) for row in rows]
    measured = {row["buckets"] for row in rows}
    kept = [r for r in previous.get("sizes", []) if r["buckets"] not in measured]
    result = {
        "benchmark": "checkov",
        "measured_at": now(),
        "machine": machine(),
        "checkov_version": _version([args.checkov, "--version"]),
        "policy_check_version": _version([args.policy_check, "--version"]),
        "sizes": sorted([*kept, *rows], key=lambda r: r["buckets"]),
    }
    if not args.no_save:
        write_json(saved, result)
        print(f"wrote {saved} and {write_latest()}", file=sys.stderr)
    else:
        print(json.dumps(result, indent=2))
    return 0 if agree_all else 1


if __name__ == "__main__":
    sys.exit(main())
