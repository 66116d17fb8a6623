"""What both benchmark scripts share: the machine description, timing a child process, medians,
and the markdown summary ``results/latest.md`` rebuilt from every ``results/*.json``."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
WORK = HERE / "work"


def machine() -> dict[str, Any]:
    """The facts a reader needs to compare figures with their own machine."""
    cpu = ""
    meminfo = ""
    try:
        cpu = next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            "",
        )
        meminfo = next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")
            ),
            "",
        )
    except OSError:
        pass
    mem_gb = round(int(meminfo.split()[0]) / 1024 / 1024, 1) if meminfo else None
    return {
        "nproc": len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
        "memory_gb": mem_gb,
        "cpu": cpu or platform.processor(),
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "system": f"{platform.system()} {platform.release()}",
    }


def code_fingerprint() -> str:
    """A short hash of the package's source: runs of different code are never merged."""
    digest = hashlib.sha256()
    for folder, pattern in (
        ("checker", "*.py"),
        ("reports", "*.py"),
        ("reports", "*.j2"),
        ("policies/schemas", "*.json"),
    ):
        for path in sorted((ROOT / folder).rglob(pattern)):
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def git_commit() -> str:
    """The commit measured, with ``+changes`` when the package's files differ from it."""
    try:
        head = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            [
                "git",
                "-C",
                str(ROOT),
                "status",
                "--porcelain",
                "--",
                "checker",
                "reports",
                "policies/schemas",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"
    return f"{head}+changes" if dirty else head


def now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


@dataclass(frozen=True, slots=True)
class ChildRun:
    """One finished child process: exit code, wall time and peak resident memory."""

    returncode: int
    seconds: float
    max_rss_mb: float
    stdout: bytes
    stderr: bytes


def run_child(
    argv: Sequence[str | os.PathLike[str]],
    *,
    cwd: Path | None = None,
    timeout: float = 1200.0,
    env: dict[str, str] | None = None,
    memory_limit: int | None = None,
) -> ChildRun:
    """Run ``argv`` and measure it from outside: wall time and the child's ``ru_maxrss``.

    ``os.wait4`` reports the peak resident set of exactly this child (and the children it
    waited for), not of anything else this process started before. ``memory_limit`` (bytes of
    address space, ``RLIMIT_AS``) makes a run that would exhaust the machine fail with
    ``MemoryError`` in the child instead of calling in the kernel's OOM killer.
    """

    def limit() -> None:
        if memory_limit is not None:
            resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))

    with (
        Path(os.devnull).open("rb") as devnull,
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
    ):
        start = time.perf_counter()
        proc = subprocess.Popen(
            [os.fspath(a) for a in argv],
            cwd=cwd,
            stdin=devnull,
            stdout=out,
            stderr=err,
            env=env,
            preexec_fn=limit if memory_limit is not None else None,
        )
        killed = False
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - start > timeout:
                proc.kill()
                killed = True
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.005)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return ChildRun(
            -9 if killed else proc.returncode,
            seconds,
            usage.ru_maxrss / 1024,
            out.read(),
            err.read(),
        )


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def fmt_s(value: float | None) -> str:
    if value is None or value != value:
        return "–"
    if value < 0.01:
        return f"{value * 1000:.2f} ms"
    if value < 1:
        return f"{value * 1000:.0f} ms"
    return f"{value:.2f} s"


def fmt_mb(value: float | None) -> str:
    """A peak resident size, measured in MiB (``ru_maxrss`` / 1024), in the decimal units file
    sizes are shown in, so that a peak and a file read alike (453 MiB is 475 MB)."""
    if value is None:
        return "–"
    megabytes = value * 1024 * 1024 / 1e6
    return f"{megabytes / 1000:.2f} GB" if megabytes >= 1000 else f"{megabytes:.0f} MB"


def describe(m: dict[str, Any]) -> str:
    """The machine as a sentence of a results page."""
    return _machine_md(m)


def _machine_md(m: dict[str, Any]) -> str:
    return (
        f"{m.get('cpu', '?')}, {m.get('nproc', '?')} CPUs, {m.get('memory_gb', '?')} GB RAM, "
        f"{m.get('system', '?')}, {m.get('python_implementation', 'Python')} "
        f"{m.get('python', '?')}"
    )


def snapshot_md(data: dict[str, Any]) -> list[str]:
    counted = data.get("passes") == "count"
    lines = [
        "## Snapshot benchmark" + (", passes counted (`--passes count`)" if counted else ""),
        "",
        f"Policy `{data['policy']}`, as of {data['as_of']}; measured on "
        f"{_machine_md(data['machine'])}. Each figure is the median of the runs shown, every "
        "run in a fresh process. *total* is load + validate + checks + output inside one "
        "process; *CLI* is `policy-check check ... --format json` end to end (interpreter "
        "start and imports included).",
        "",
        "| stores | file | runs | json.load | load | validate | checks | output | total | "
        "total / json.load | CLI | CLI / json.load | peak RSS | findings (failing) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in data["sizes"]:
        med = row["median"]
        if "error" in row:
            lines.append(_failed_row(row))
            continue
        cli = med.get("cli")
        cli_ratio = f"{cli / med['json_load']:.2f}×" if cli else "–"
        lines.append(
            f"| {row['stores']:,} | {row['bytes'] / 1e6:.1f} MB | {_runs(row)} | "
            f"{fmt_s(med['json_load'])} | {fmt_s(med['load'])} | {fmt_s(med['validate'])} | "
            f"{fmt_s(med['checks'])} | {fmt_s(med['output'])} | {fmt_s(med['total'])} | "
            f"{med['total'] / med['json_load']:.2f}× | {fmt_s(cli)} | "
            f"{cli_ratio} | "
            f"{fmt_mb(row['peak_rss_mb'])} | {row['findings']:,} "
            f"({row['failing']:,}{_vs_planted(row)}) |"
        )
    lines += [
        "",
        "Peak resident memory within each phase (kernel high-water mark, reset "
        "before the phase; it includes what earlier phases still hold):",
        "",
        "| stores | json.load | load | validate | checks | output |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for row in data["sizes"]:
        if "error" in row:
            continue
        rss = row["rss_after_mb"]
        lines.append(
            f"| {row['stores']:,} | {fmt_mb(rss['json_load'])} | {fmt_mb(rss['load'])} | "
            f"{fmt_mb(rss['validate'])} | {fmt_mb(rss['checks'])} | "
            f"{fmt_mb(rss['output'])} |"
        )
    for row in data["sizes"]:
        if "error" in row:
            lines += ["", f"{row['stores']:,} stores did not finish: {_error_summary(row)}"]
    commands = sorted({row["command"] for row in data["sizes"] if "command" in row})
    lines += ["", "Commands:", "", *(f"    {c}" for c in commands)]
    return lines


def _runs(row: dict[str, Any]) -> str:
    cli = len(row.get("runs", {}).get("cli", []))
    repeat = row.get("repeat", "?")
    return f"{repeat}" if cli in (0, repeat) else f"{repeat} (CLI {cli})"


def _vs_planted(row: dict[str, Any]) -> str:
    """Whether the failing findings per clause are exactly the breaches the generator planted."""
    planted = row.get("planted_by_clause")
    if planted is None:
        return ""
    return " = planted" if planted == row.get("failing_by_clause") else " ≠ planted"


def _error_summary(row: dict[str, Any]) -> str:
    """The failure in one line: how the run ended, the exception and where it was raised."""
    text = str(row.get("error", ""))
    head = text.split(":", 1)[0]
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    frames = [line for line in lines if line.startswith("File ")]
    exception = lines[-1] if lines else ""
    where = frames[-1] if frames else ""
    failed = row.get("failed_run", {})
    done = ", ".join(
        f"{name} {fmt_s(phase['seconds'])} (peak {fmt_mb(phase['peak_mb'])})"
        for name, phase in failed.get("completed_phases", {}).items()
    )
    return (
        f"{head}: `{exception}` at `{where}`; completed: {done or 'nothing'}; peak RSS "
        f"{fmt_mb(failed.get('max_rss_mb'))}."
    )


def _failed_row(row: dict[str, Any]) -> str:
    """A size that did not finish: what it completed, and how far its memory went."""
    failed = row.get("failed_run", {})
    done = failed.get("completed_phases", {})
    cells = [fmt_s(row.get("json_load", {}).get("json_load"))]
    cells += [
        fmt_s(done[p]["seconds"]) if p in done else "✗"
        for p in ("load", "validate", "checks", "output")
    ]
    return (
        f"| {row['stores']:,} | {row.get('bytes', 0) / 1e6:.1f} MB | 1 | {' | '.join(cells)} "
        f"| did not finish (see below) | – | – | – | {fmt_mb(failed.get('max_rss_mb'))} | – |"
    )


def history_md(data: dict[str, Any]) -> list[str]:
    """The history database benchmark: recording a year of runs, then each report query."""
    ingest = data["ingest"]
    lines = [
        "## History database (a year of nightly runs)",
        "",
        f"{data['runs']:,} nightly runs of {data['systems']} systems, {data['findings']:,} "
        f"findings recorded (database {data['database_mb']:,} MB); measured on "
        f"{_machine_md(data['machine'])}. Recording: {fmt_s(ingest['total_s'])} in all, "
        f"{fmt_s(ingest['median_run_s'])} per run (median; slowest {fmt_s(ingest['max_run_s'])}), "
        f"{ingest['findings_per_s']:,} findings a second. Each query: median of "
        f"{data['repeat']} runs on the full database.",
        "",
        "| query | median |",
        "|---|---:|",
    ]
    lines += [
        f"| {name} | {fmt_s(seconds)} |" for name, seconds in data["queries_median_s"].items()
    ]
    lines += ["", "Command:", "", f"    {data['command']}"]
    return lines


def checkov_md(data: dict[str, Any]) -> list[str]:
    lines = [
        "## Side by side with Checkov (Terraform plan, S3 lifecycle expiration)",
        "",
        f"Checkov {data.get('checkov_version', '?')}, {data.get('policy_check_version', '?')}; "
        f"measured on {_machine_md(data['machine'])}. Wall time of the whole command (interpreter "
        "start included) and the child's peak resident memory; median of the runs shown. "
        "*violations* are the failing buckets each tool reports, next to the buckets the "
        "generator planted; *agree* means the three sets of bucket names are identical.",
        "",
        "| buckets | plan | runs (Checkov / policy-check) | Checkov | Checkov peak RSS | "
        "policy-check | policy-check peak RSS | speed-up | "
        "violations (planted / Checkov / policy-check) | agree |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---:|",
    ]
    for row in data["sizes"]:
        ck, pc = row["checkov"], row["policy_check"]
        ratio = (
            f"{ck['median_s'] / pc['median_s']:.1f}×"
            if ck.get("median_s") and pc.get("median_s")
            else "–"
        )
        lines.append(
            f"| {row['buckets']:,} | {row['bytes'] / 1e6:.1f} MB | {_checkov_runs(row)} | "
            f"{fmt_s(ck.get('median_s'))} | {fmt_mb(ck.get('max_rss_mb'))} | "
            f"{fmt_s(pc.get('median_s'))} | {fmt_mb(pc.get('max_rss_mb'))} | {ratio} | "
            f"{row['truth']:,} / {_count(ck)} / {_count(pc)} | "
            f"{'yes' if row.get('agree') else 'NO'} |"
        )
    commands = sorted({row["command"] for row in data["sizes"] if "command" in row})
    lines += ["", "Commands:", "", *(f"    {c}" for c in commands)]
    if data["sizes"]:
        row = data["sizes"][-1]
        lines += [
            "",
            "Each run (for the largest size):",
            "",
            f"    {row['checkov']['command']}",
            f"    {row['policy_check']['command']}",
        ]
    return lines


def _checkov_runs(row: dict[str, Any]) -> str:
    checkov = len(row["checkov"].get("runs_s", []))
    ours = len(row["policy_check"].get("runs_s", []))
    return f"{checkov}" if checkov == ours else f"{checkov} / {ours}"


def _count(tool: dict[str, Any]) -> str:
    count = tool.get("violations")
    return f"{count:,}" if isinstance(count, int) else "–"


def write_latest() -> Path:
    """Rebuild ``results/latest.md``, and the README's performance table, from the JSON
    results present."""
    parts = [
        "# Benchmark results",
        "",
        "Generated by `benchmarks/bench_snapshot.py`, `benchmarks/bench_checkov.py` and "
        "`benchmarks/bench_plan.py`, `benchmarks/bench_history.py`, `benchmarks/bench_jobs.py`, "
        "`benchmarks/bench_yaml.py`, `benchmarks/bench_scale.py`, `benchmarks/bench_parts.py`, "
        "`benchmarks/bench_instructions.py` from "
        "`results/*.json`; see `benchmarks/README.md` for what is measured and how.",
        "",
    ]
    snapshot = RESULTS / "snapshot.json"
    checkov = RESULTS / "checkov.json"
    if snapshot.exists():
        parts += [*snapshot_md(json.loads(snapshot.read_text())), ""]
    counted = RESULTS / "snapshot-count.json"
    if counted.exists():
        parts += [*snapshot_md(json.loads(counted.read_text())), ""]
    if checkov.exists():
        parts += [*checkov_md(json.loads(checkov.read_text())), ""]
    plan = RESULTS / "plan.json"
    if plan.exists():
        from bench_plan import plan_md  # the script that writes it, beside this module

        parts += [*plan_md(json.loads(plan.read_text())), ""]
    history = RESULTS / "history.json"
    if history.exists():
        parts += [*history_md(json.loads(history.read_text())), ""]
    jobs = RESULTS / "jobs.json"
    if jobs.exists():
        from bench_jobs import jobs_md  # the script that writes it, beside this module

        parts += [*jobs_md(json.loads(jobs.read_text())), ""]
    yaml_results = RESULTS / "yaml.json"
    if yaml_results.exists():
        from bench_yaml import yaml_md  # the script that writes it, beside this module

        parts += [*yaml_md(json.loads(yaml_results.read_text())), ""]
    scale = RESULTS / "scale.json"
    if scale.exists():
        from bench_scale import scale_md  # the script that writes it, beside this module

        parts += [*scale_md(json.loads(scale.read_text())), ""]
    in_parts = RESULTS / "parts.json"
    if in_parts.exists():
        from bench_parts import parts_md  # the script that writes it, beside this module

        parts += [*parts_md(json.loads(in_parts.read_text())), ""]
    instructions = RESULTS / "instructions.json"
    if instructions.exists():
        from bench_instructions import instructions_md  # the script that writes it

        parts += [*instructions_md(json.loads(instructions.read_text())), ""]
    path = RESULTS / "latest.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(parts), encoding="utf-8")
    from readme_table import update  # the README's performance table, from the same files

    update()
    return path


def command_line() -> str:
    """The command as typed from the repository root."""
    script = os.path.relpath(Path(sys.argv[0]).resolve(), ROOT)
    return " ".join(["python", script, *sys.argv[1:]])
