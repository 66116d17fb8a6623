"""The README's performance table, made from the measured figures in ``results/*.json``.

Every benchmark script rebuilds it when it writes its results (:func:`benchlib.write_latest`),
so the README shows the latest run of each workload, with the commit and the date it was
measured at, and never a figure no result file holds. ``tests/test_readme_performance.py``
fails when the README and the results disagree; to rebuild the table by hand:

    python benchmarks/readme_table.py
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from benchlib import RESULTS, ROOT, fmt_mb, fmt_s  # the formats of results/latest.md

from checker.library import coverage

README = ROOT / "README.md"
BEGIN = "<!-- performance:start -->"
END = "<!-- performance:end -->"
HEADER = [
    "| workload | policy-check | reference in the same run | measured |",
    "|---|---|---|---|",
]

Row = tuple[str, str, str, str]  # workload, policy-check, reference, measured


def file_size(size: int) -> str:
    return f"{size / 1e9:.2f} GB" if size >= 1e9 else f"{size / 1e6:.1f} MB"


def ratio(value: float) -> str:
    return f"{value:.2f}×"


def measured(commit: str | None, when: str | None) -> str:
    """Which code was measured, and when: ``abc1234``, 2026-12-02."""
    code = f"`{commit}`" if commit else "–"
    return f"{code}, {when[:10]}" if when else code


def checkov_rows(data: dict[str, Any]) -> Iterator[Row]:
    for size in sorted(data["sizes"], key=lambda s: -s["buckets"]):
        ours, theirs = size["policy_check"], size["checkov"]
        agree = (
            f"both report the same {size['truth']:,} buckets"
            if size["agree"]
            else "**the two disagree** on which buckets fail"
        )
        yield (
            f"{size['buckets']:,}-bucket Terraform plan ({file_size(size['bytes'])}), S3 retention",
            f"**{fmt_s(ours['median_s'])}**, {fmt_mb(ours['max_rss_mb'])}",
            f"Checkov {data['checkov_version']} with a YAML custom policy: "
            f"{fmt_s(theirs['median_s'])}, {fmt_mb(theirs['max_rss_mb'])} — "
            f"**{size['speedup']:.1f}×**; {agree}",
            measured(ours.get("commit"), size["measured_at"]),
        )


def plan_rows(data: dict[str, Any]) -> Iterator[Row]:
    for row in data["rows"]:
        listed, counted = row["listed"], row["counted"]
        yield (
            f"{row['resources']:,}-resource mixed plan ({file_size(row['bytes'])}) of every "
            "Terraform family, every pass listed (the default)",
            f"**{fmt_s(listed['in_process'])}** in process (CLI {fmt_s(listed['check'])}), "
            f"{fmt_mb(listed['peak_rss_mb'])}",
            f"`json.load` {fmt_s(row['json_load'])} — **{ratio(listed['in_process_ratio'])}** "
            f"(CLI {ratio(listed['ratio'])}); `--passes count`: "
            f"{fmt_s(counted['in_process'])}, {ratio(counted['in_process_ratio'])}",
            measured(data.get("commit"), data.get("date")),
        )


def snapshot_rows(data: dict[str, Any], stores: int) -> Iterator[Row]:
    """The size ``stores`` of a ``bench_snapshot.py`` run: load, validation, checks and
    output in process, and the command."""
    for size in data["sizes"]:
        if size["stores"] != stores or "median" not in size:
            continue
        median = size["median"]
        how = "`--passes count`" if data.get("passes") == "count" else "every pass listed"
        yield (
            f"{stores:,} stores ({file_size(size['bytes'])}), {how}",
            f"**{fmt_s(median['total'])}** in process (CLI {fmt_s(median.get('cli'))}), "
            f"{fmt_mb(size['peak_rss_mb'])}",
            f"`json.load` {fmt_s(median['json_load'])} — "
            f"{ratio(size['ratio_total_to_json_load'])}; {size['findings']:,} findings, "
            f"{size['statuses'].get('pass', 0):,} of them passes"
            + (" (counted)" if data.get("passes") == "count" else ""),
            measured(size.get("commit"), size.get("measured_at")),
        )


def scale_rows(data: dict[str, Any]) -> Iterator[Row]:
    """``bench_scale.py``: the command in one process (``--jobs 1``), read store by store
    and read whole, passes counted or listed."""
    rows = {(r["stores"], r["passes"], r["reading"]): r for r in data["rows"] if "seconds" in r}
    for stores, passes in sorted({(s, p) for s, p, _ in rows}, key=lambda k: (k[0], k[1])):
        streamed, whole = (
            rows.get((stores, passes, "streamed")),
            rows.get((stores, passes, "whole")),
        )
        first = streamed or whole
        assert first is not None
        how = "`--passes count`" if passes == "count" else "every pass listed as a finding"
        parts = []
        if streamed is not None:
            parts.append(
                f"**{fmt_s(streamed['seconds'])}**, {fmt_mb(streamed['peak_mb'])} "
                f"({ratio(streamed['peak_to_file'])} the file) read store by store"
            )
        if whole is not None:
            parts.append(
                f"{fmt_s(whole['seconds'])}, {fmt_mb(whole['peak_mb'])} "
                f"({ratio(whole['peak_to_file'])}) read whole"
            )
        yield (
            f"{stores:,} stores ({file_size(first['bytes'])}), {how}, in one process "
            "(`--jobs 1`), JSON results to a file",
            "; ".join(parts),
            f"`json.load` with the collector paused {fmt_s(first['json_load_gc_paused_s'])} — "
            f"{ratio(first['ratio_to_json_load'])}; {file_size(first['output_bytes'])} of JSON",
            measured(first.get("commit"), first.get("measured_at")),
        )


_PARTS_WAYS = {
    "default": "`--passes count`, by default in two parts on 2 cores",
    "jobs": "`--passes count`, `--jobs 2`",
    "dask": "`--passes count`, a local Dask cluster of two (`--executor dask`)",
    "resources": "every pass named by its resource (`--passes resources`), in two parts",
}


def parts_rows(data: dict[str, Any]) -> Iterator[Row]:
    """``bench_parts.py``: one large snapshot checked in parts, end to end with JSON results
    to a file."""
    rows = [r for r in data["rows"] if "seconds" in r and r["way"] in _PARTS_WAYS]
    counting = {(r["stores"], r["measured_at"]): r for r in rows if r["way"] == "default"}
    for row in sorted(rows, key=lambda r: (r["stores"], list(_PARTS_WAYS).index(r["way"]))):
        if row["stores"] < 1_000_000:
            continue  # the smaller sizes are in results/latest.md
        to_file = row["peak_pss_mb"] * 2**20 / row["bytes"]  # the peak is in MiB
        mine = (
            f"**{fmt_s(row['seconds'])}**, {fmt_mb(row['peak_pss_mb'])} over the process "
            f"tree ({ratio(to_file)} the file)"
        )
        same_run = counting.get((row["stores"], row["measured_at"]))
        if row["way"] == "resources":
            reference = (
                f"counting {fmt_s(same_run['seconds'])} — {ratio(row['vs_counting_default'])}"
                if same_run is not None and "vs_counting_default" in row
                else "counting not measured in this run"
            )
        else:
            reference = (
                f"`json.load` with the collector paused {fmt_s(row['json_load_gc_paused_s'])} "
                f"— {ratio(row['seconds'] / row['json_load_gc_paused_s'])}"
            )
        yield (
            f"{row['stores']:,} stores ({file_size(row['bytes'])}), {_PARTS_WAYS[row['way']]}",
            mine,
            reference,
            measured(row.get("commit"), row.get("measured_at")),
        )


def jobs_rows(data: dict[str, Any]) -> Iterator[Row]:
    for row in data["rows"]:
        if row["snapshots"] < 10_000:
            continue
        modes = row["modes"]
        default, serial = modes["default (no --jobs)"], modes["serial"]
        dask = modes.get("dask local, 2 workers")
        yield (
            f"{row['snapshots']:,} small snapshots ({row['stores_per_snapshot']} stores, "
            f"{row['bytes_per_snapshot'] / 1000:.1f} kB each) in one run, `--passes count`",
            f"**{fmt_s(default['median_s'])}** by default, "
            f"{default['per_snapshot_ms']:.2f} ms a snapshot; {fmt_s(serial['median_s'])} "
            "serially (`--jobs 1`)",
            f"one process per snapshot: {fmt_s(row['process_per_snapshot_s'])} each, "
            f"{row['process_per_snapshot_total_s'] / 60:.0f} minutes in all"
            + (f"; a local Dask cluster of two {fmt_s(dask['median_s'])}" if dask else ""),
            measured(data.get("commit"), data.get("measured_at")),
        )


def history_rows(data: dict[str, Any]) -> Iterator[Row]:
    queries = data["queries_median_s"]
    whole = queries.get("whole report, every query (all systems)")
    yield (
        f"history: {data['runs']} nightly runs × {data['systems']} systems "
        f"({data['findings']:,} findings) recorded, then the trends report",
        f"**{fmt_s(data['ingest']['total_s'])}** to record "
        f"({fmt_s(data['ingest']['median_run_s'])} a run); the whole report, every query, "
        f"**{fmt_s(whole)}**",
        "the slowest query "
        + fmt_s(max(v for k, v in queries.items() if not k.startswith("whole report"))),
        measured(str(data.get("commit", "")).split("+")[0] or None, data.get("generated")),
    )


# Each result file, and the rows it gives, in the order the table shows them.
SOURCES: list[tuple[str, Callable[[dict[str, Any]], Iterator[Row]]]] = [
    ("checkov.json", checkov_rows),
    ("plan.json", plan_rows),
    ("snapshot-count.json", lambda d: snapshot_rows(d, 10_000)),
    ("snapshot.json", lambda d: snapshot_rows(d, 10_000)),
    ("scale.json", scale_rows),
    ("parts.json", parts_rows),
    ("jobs.json", jobs_rows),
    ("history.json", history_rows),
]


def rows(results: Path = RESULTS) -> list[Row]:
    found: list[Row] = []
    for name, make in SOURCES:
        path = results / name
        if path.exists():
            found.extend(make(json.loads(path.read_text(encoding="utf-8"))))
    return found


def table(found: list[Row]) -> str:
    return "\n".join([*HEADER, *(f"| {' | '.join(row)} |" for row in found)])


def with_table(text: str, rendered: str) -> str:
    """``text`` with the performance table replaced; both markers must be there."""
    return coverage.with_table(text, rendered, BEGIN, END)


def update(readme: Path = README, results: Path = RESULTS) -> bool:
    """Rewrite the table in ``readme`` from ``results``; whether it changed."""
    text = readme.read_text(encoding="utf-8")
    updated = with_table(text, table(rows(results)))
    if updated != text:
        readme.write_text(updated, encoding="utf-8")
    return updated != text


if __name__ == "__main__":
    changed = update()
    print(f"{README}: {'rewritten' if changed else 'already up to date'}", file=sys.stderr)
