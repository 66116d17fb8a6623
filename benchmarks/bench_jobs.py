#!/usr/bin/env python3
"""Many small snapshots in one run: serial, a pool of processes, and a local Dask cluster.

    python benchmarks/bench_jobs.py --counts 1k,10k --repeat 3

For each count N, ``generate.py``'s snapshot writer makes N small snapshots (``--stores``
stores each, a tenth as many pipelines and recipients, violations planted; once, reused while
the count, size and seed are unchanged) in one folder. Each repeat then runs, in fresh
processes and in turn so that machine noise hits every mode alike,

    policy-check check --policy policy.yaml --snapshot FOLDER --format json --passes count
                       --jobs J [--executor E]

for each mode (``--jobs 1``, ``--jobs 2``, no ``--jobs`` (the default: a pool of a worker
per core from 16 files on, where the machine has cores enough), and ``--executor dask
--jobs 2`` when Dask is installed): the wall time of the whole command, interpreter start
and pool or cluster start included, and its peak resident memory (the parent's; the
workers' are their own). The JSON results of every mode must be the same bytes as the serial
run's.

Two reference points make the per-snapshot figures readable: one snapshot checked by the same
command (what starting the tool costs), and ``--sample`` snapshots each checked by a process of
its own, as a scheduler that starts the tool once per service does. Per-snapshot cost is
``(run - one-snapshot run) / N``. Passes are counted (``--passes count``, as a scheduled run
over many services keeps them; ``--passes list`` measures the listing instead). Results:
``results/jobs.json`` (the rows of the counts measured are replaced, the others kept) and
``results/latest.md``.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import benchlib  # noqa: E402
import generate  # noqa: E402

WORK = HERE / "work"
RESULT = benchlib.RESULTS / "jobs.json"
POLICY = HERE / "policy.yaml"
AS_OF = "2026-11-21"
MODES: dict[str, list[str]] = {
    "serial": ["--jobs", "1"],
    "jobs 2": ["--jobs", "2"],
    "default (no --jobs)": [],
    "dask local, 2 workers": ["--executor", "dask", "--jobs", "2"],
}


def parse_count(text: str) -> int:
    text = text.strip().lower()
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("km")) * factor)


def snapshots(count: int, stores: int, seed: int) -> Path:
    """The folder of ``count`` snapshots, written unless already there for these arguments."""
    folder = WORK / f"jobs-{count}-{stores}-{seed}"
    done = folder / ".complete"
    if done.exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        with (folder / f"service-{index:05d}.json").open("w", encoding="utf-8") as out:
            generate.write_snapshot(out, stores, seed=seed + index, rate=0.05, indent=None)
    done.write_text("", encoding="utf-8")
    return folder


PASSES = ["--passes", "count"]


def command(snapshot: Path, *mode: str) -> list[str]:
    tool = Path(sys.executable).with_name("policy-check")
    return [
        str(tool), "check", "--policy", str(POLICY), "--snapshot", str(snapshot),
        "--as-of", AS_OF, "--format", "json", "--no-config-outputs", *PASSES, *mode,
    ]  # fmt: skip


def run(argv: list[str], timeout: float) -> tuple[float, float, str]:
    """Seconds, peak MB and the digest of standard output of one run (exit 0 or 1)."""
    child = benchlib.run_child(argv, cwd=WORK, timeout=timeout)
    if child.returncode not in (0, 1):
        raise SystemExit(
            f"{' '.join(argv)} exited {child.returncode}: {child.stderr.decode()[-2000:]}"
        )
    return child.seconds, child.max_rss_mb, hashlib.sha256(child.stdout).hexdigest()


def measure(count: int, args: argparse.Namespace, modes: dict[str, list[str]]) -> dict[str, Any]:
    folder = snapshots(count, args.stores, args.seed)
    first = sorted(folder.glob("*.json"))[0]
    one: list[float] = []
    times: dict[str, list[float]] = {name: [] for name in modes}
    peaks: dict[str, list[float]] = {name: [] for name in modes}
    digests: dict[str, set[str]] = {name: set() for name in modes}
    for repeat in range(args.repeat):
        one.append(run(command(first, "--jobs", "1"), args.timeout)[0])
        for name, mode in modes.items():
            seconds, peak, digest = run(command(folder, *mode), args.timeout)
            times[name].append(seconds)
            peaks[name].append(peak)
            digests[name].add(digest)
            print(f"{count:,} snapshots, {name}, repeat {repeat + 1}: {seconds:.2f} s", flush=True)
    sample = sorted(folder.glob("*.json"))[: args.sample]
    per_process = [run(command(path, "--jobs", "1"), args.timeout)[0] for path in sample]
    start = benchlib.median(one)
    serial = benchlib.median(times["serial"])
    rows = {}
    for name in modes:
        median = benchlib.median(times[name])
        rows[name] = {
            "seconds": times[name],
            "median_s": median,
            "per_snapshot_ms": (median - start) / count * 1000,
            "speedup_vs_serial": serial / median,
            "peak_mb": max(peaks[name]),
            "same_bytes_as_serial": digests[name] == digests["serial"] and len(digests[name]) == 1,
        }
    process_each = benchlib.median(per_process)
    return {
        "snapshots": count,
        "passes": args.passes,
        "repeats": args.repeat,
        "stores_per_snapshot": args.stores,
        "bytes_per_snapshot": first.stat().st_size,
        "one_snapshot_s": start,
        "process_per_snapshot_s": process_each,
        "process_per_snapshot_total_s": process_each * count,
        "modes": rows,
    }


def jobs_md(data: dict[str, Any]) -> list[str]:
    """The section of ``results/latest.md``."""
    lines = [
        "## Many snapshots in one run (`bench_jobs.py`)",
        "",
        f"{benchlib.describe(data['machine'])}; `{data['command']}`, {data['measured_at']}.",
        "",
        "| snapshots | passes | mode | median | per snapshot | vs serial | peak (parent) "
        "| same bytes |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in data["rows"]:
        for name, mode in row["modes"].items():
            lines.append(
                f"| {row['snapshots']:,} | {row['passes']} | {name} | "
                f"{benchlib.fmt_s(mode['median_s'])} | "
                f"{mode['per_snapshot_ms']:.2f} ms | {mode['speedup_vs_serial']:.2f}× | "
                f"{benchlib.fmt_mb(mode['peak_mb'])} | "
                f"{'yes' if mode['same_bytes_as_serial'] else '**no**'} |"
            )
    lines.append("")
    for row in data["rows"]:
        lines.append(
            f"- {row['snapshots']:,} snapshots, passes {row['passes']}, "
            f"median of {row['repeats']}: snapshots of {row['stores_per_snapshot']} stores "
            f"({row['bytes_per_snapshot']:,} bytes each): one snapshot alone takes "
            f"{benchlib.fmt_s(row['one_snapshot_s'])} (the start of the tool); a process per "
            f"snapshot would take {benchlib.fmt_s(row['process_per_snapshot_s'])} each, "
            f"{benchlib.fmt_s(row['process_per_snapshot_total_s'])} in all."
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--counts", default="1k,10k", help="numbers of snapshots, e.g. 1k,10k")
    parser.add_argument("--stores", type=int, default=10, help="stores per snapshot")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sample", type=int, default=5, help="snapshots run a process each")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--timeout", type=float, default=1800.0)
    parser.add_argument("--no-dask", action="store_true", help="leave the Dask run out")
    parser.add_argument("--passes", choices=("count", "list"), default="count")
    args = parser.parse_args(argv)
    PASSES[1] = args.passes
    modes = dict(MODES)
    if args.no_dask or importlib.util.find_spec("distributed") is None:
        modes.pop("dask local, 2 workers")
    WORK.mkdir(parents=True, exist_ok=True)
    rows = [measure(parse_count(c), args, modes) for c in args.counts.split(",")]
    measured = {(row["snapshots"], row["passes"]) for row in rows}
    if RESULT.exists():  # keep the rows of other counts, measured by earlier commands
        kept = json.loads(RESULT.read_text(encoding="utf-8"))["rows"]
        rows += [r for r in kept if (r["snapshots"], r.get("passes")) not in measured]
    rows.sort(key=lambda row: (row["snapshots"], row["passes"]))
    data = {
        "machine": benchlib.machine(),
        "command": benchlib.command_line(),
        "measured_at": benchlib.now(),
        "commit": benchlib.git_commit(),
        "rows": rows,
    }
    benchlib.write_json(RESULT, data)
    print(f"wrote {RESULT.relative_to(benchlib.ROOT)}; {benchlib.write_latest()}")
    print("\n".join(jobs_md(data)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
