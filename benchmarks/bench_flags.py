#!/usr/bin/env python3
"""The flag adapters on generated exports, next to ``json.load`` of the same file.

    python benchmarks/bench_flags.py --sizes 100,10k --tiers 5 --repeat 3

For each size N, a flagd file and a LaunchDarkly REST export (``{"items": [...]}``) of N flags
are written to ``work/``. Every flag targets by plan prefix and has one condition a tier alone
cannot decide (an ``if`` on ``email``; an individual target), which the evaluation follows both
ways. Rule i reads flag i for tiers of its own (``free-i``, ``team-i``…), so every rule yields
tier facts or a not-evidenced warning, as real rules do. Timed in this process, medians of the
repeats: ``json.load`` of the file; ``load_document`` (positions kept); the adapter's ``read``
(ratio: ``read`` over ``json.load``). Figures go to standard output only: these sizes are far
beyond real flag exports (tens to hundreds of flags); they show how reading grows with size.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from checker.adapters.flagd import ADAPTER as FLAGD  # noqa: E402
from checker.adapters.launchdarkly import ADAPTER as LAUNCHDARKLY  # noqa: E402
from checker.core.diagnostics import JsonPath, Location  # noqa: E402
from checker.documents import load_document  # noqa: E402

WORK = HERE / "work"
TIERS = ["free", "pro", "max", "team", "api", "edu", "gov", "enterprise"]


def flagd_export(n: int) -> dict[str, Any]:
    targeting = {
        "if": [
            {"starts_with": [{"var": "plan"}, "team"]},
            "off",
            {"ends_with": [{"var": "email"}, "@example.com"]},
            "on",
            None,
        ]
    }
    flag = {
        "state": "ENABLED",
        "variants": {"on": True, "off": False},
        "defaultVariant": "on",
        "targeting": targeting,
    }
    return {"flags": {f"flag-{i}": flag for i in range(n)}}


def launchdarkly_export(n: int) -> dict[str, Any]:
    environment = {
        "on": True,
        "targets": [{"values": ["user-1"], "variation": 0}],
        "rules": [
            {
                "variation": 1,
                "clauses": [{"attribute": "plan", "op": "startsWith", "values": ["team", "api"]}],
            }
        ],
        "fallthrough": {"variation": 0},
        "offVariation": 1,
    }
    return {
        "items": [
            {
                "key": f"flag-{i}",
                "variations": [{"value": True}, {"value": False}],
                "environments": {"production": environment},
            }
            for i in range(n)
        ]
    }


def size(text: str) -> int:
    return int(float(text[:-1]) * 1000) if text.endswith("k") else int(text)


def median_time(call: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100,10k")
    parser.add_argument("--tiers", type=int, default=5, choices=range(1, len(TIERS) + 1))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    WORK.mkdir(exist_ok=True)
    tiers = TIERS[: args.tiers]
    print("| adapter | flags | evaluations | file | json.load | load_document | read | ratio |")
    print("|---|---|---|---|---|---|---|---|")
    for n in map(size, args.sizes.split(",")):
        rules = [
            {
                "flag": f"flag-{i}",
                "tier_attribute": "plan",
                "tiers": [f"{tier}-{i}" for tier in tiers],
                "training_default": {"true": "trained", "false": "not_trained"},
            }
            for i in range(n)
        ]
        cases = [
            ("flagd", FLAGD, flagd_export(n), {"rules": rules}),
            ("launchdarkly", LAUNCHDARKLY, launchdarkly_export(n),
             {"rules": rules, "environment": "production"}),
        ]  # fmt: skip
        for name, adapter, data, entry in cases:
            path = WORK / f"flags-{name}-{n}.json"
            path.write_text(json.dumps(data, indent=2), encoding="utf-8")

            def parse(path: Path = path) -> None:
                with path.open("rb") as fh:
                    json.load(fh)

            doc = load_document(path)

            def nowhere(sub: JsonPath) -> Location:
                return Location("snapshot.yaml", None, ("imports", 0, *sub))

            loaded = median_time(lambda path=path: load_document(path), args.repeat)
            parsed = median_time(parse, args.repeat)
            read = median_time(
                lambda adapter=adapter, doc=doc, entry=entry: adapter.read(doc, entry, nowhere),
                args.repeat,
            )
            print(
                f"| {name} | {n:,} | {n * len(tiers):,} | {path.stat().st_size / 1e6:.1f} MB "
                f"| {parsed:.3f} s | {loaded:.3f} s | {read:.3f} s | {read / parsed:.1f}× |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
