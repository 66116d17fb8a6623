"""Instructions the command executes to check a snapshot, counted by valgrind: passes counted,
and every pass named by its resource (``--passes resources``), in one process (``--jobs 1``).

On a shared machine the wall time of the same command moves by a third from run to run, more
than most changes to it; the number of instructions it executes moves by less than 0.2 %.
So the cost of naming passes, next to counting them, is measured here too, as the ratio of
the two counts: what a change to that cost did shows here where wall times cannot tell.
Instructions are not time (a cache miss costs more than an addition), so the targets stay
with the wall time of ``bench_parts.py``.

Needs ``valgrind`` (Debian: ``apt-get install valgrind``). Each run is about 50 times slower
than the command alone: 10,000 stores take about 20 s a mode, 100,000 about 2.5 minutes.

    python benchmarks/bench_instructions.py --sizes 10k,100k

Results go to ``results/instructions.json`` and ``results/latest.md``.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import benchlib  # noqa: E402
import generate  # noqa: E402
from bench_scale import AS_OF, POLICY, ensure_snapshot  # noqa: E402

RESULT = benchlib.RESULTS / "instructions.json"
MODES = ("count", "resources")
_RUN = (
    "import sys; from checker.cli.main import main_entry; "
    "sys.argv[0] = 'policy-check'; sys.exit(main_entry())"
)
_REFS = re.compile(r"I\s+refs:\s+([\d,]+)")


def count_instructions(path: Path, mode: str, timeout: float) -> int:
    """Instructions of ``policy-check check --passes MODE --jobs 1`` on ``path``, JSON results
    to a file: the run's own process, its imports and interpreter start included."""
    out = benchlib.WORK / f"results-instructions-{path.stem}-{mode}.json"
    command = [sys.executable, "-c", _RUN, "check", "--policy", str(POLICY)]
    command += ["--snapshot", str(path), "--as-of", AS_OF, "--passes", mode, "--jobs", "1"]
    command += ["--format", "text", "--output", f"json={out}", "--stream-from", "0"]
    command += ["--max-file-size", str(path.stat().st_size)]
    # Once before, so that every module is compiled: compiling is not the run's work.
    subprocess.run(command, capture_output=True, timeout=timeout, check=False)
    grind = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null"]
    done = subprocess.run(grind + command, capture_output=True, text=True, timeout=timeout)
    out.unlink(missing_ok=True)
    found = _REFS.search(done.stderr)
    if done.returncode not in (0, 1) or found is None:
        raise RuntimeError(f"exit {done.returncode}: {done.stderr[-1200:]}")
    return int(found.group(1).replace(",", ""))


def measure(stores: int, args: argparse.Namespace) -> dict[str, Any]:
    path, _ = ensure_snapshot(stores, args.seed)
    counts = {mode: count_instructions(path, mode, args.timeout) for mode in MODES}
    for mode, instructions in counts.items():
        print(f"  {stores:,} stores, {mode}: {instructions:,} instructions", file=sys.stderr)
    return {
        "stores": stores,
        "bytes": path.stat().st_size,
        "command": benchlib.command_line(),
        "measured_at": benchlib.now(),
        "commit": benchlib.git_commit(),
        "code": benchlib.code_fingerprint(),
        "instructions": counts,
        "resources_vs_count": round(counts["resources"] / counts["count"], 4),
    }


def instructions_md(data: dict[str, Any]) -> list[str]:
    lines = [
        "## Instructions executed: passes counted and named (`bench_instructions.py`)",
        "",
        "`policy-check check --jobs 1 --stream-from 0 --format text --output json=FILE`, "
        "counted by valgrind (`--tool=cachegrind --cache-sim=no`), interpreter start and "
        "imports included. A count, not a time: it moves by less than 0.2 % from run to run "
        "where the wall time moves by a third.",
        "",
        "| stores | file | `--passes count` | `--passes resources` | resources ÷ count | commit |",
        "|---:|---:|---:|---:|---:|---|",
    ]
    for row in data["rows"]:
        counts = row["instructions"]
        lines.append(
            f"| {row['stores']:,} | {row['bytes'] / 1e6:.1f} MB | {counts['count'] / 1e9:.2f} G "
            f"| {counts['resources'] / 1e9:.2f} G | {row['resources_vs_count']:.2f}× "
            f"| {row['commit']} |"
        )
    lines += ["", "Commands:", ""]
    lines += [
        f"- {row['stores']:,} stores: `{row['command']}`, {row['measured_at']}"
        for row in data["rows"]
    ]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--sizes", default="10k", help="store counts, e.g. 10k,100k")
    parser.add_argument("--seed", type=int, default=20261121)
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds per run")
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        parser.error("valgrind is not installed (Debian: apt-get install valgrind)")
    benchlib.WORK.mkdir(parents=True, exist_ok=True)
    data: dict[str, Any] = {"machine": benchlib.machine(), "rows": []}
    if RESULT.exists():  # keep the rows of other sizes
        data["rows"] = json.loads(RESULT.read_text(encoding="utf-8"))["rows"]
    for stores in [generate._size(s) for s in args.sizes.split(",") if s.strip()]:
        row = measure(stores, args)
        data["rows"] = [r for r in data["rows"] if r["stores"] != stores] + [row]
    data["rows"].sort(key=lambda r: r["stores"])
    benchlib.write_json(RESULT, data)
    benchlib.write_latest()
    print("\n".join(instructions_md(data)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
