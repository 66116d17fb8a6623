#!/usr/bin/env python3
"""What a store's pass costs where the stores are checked in parts: ``record`` alone.

    python benchmarks/bench_record.py --passes 400000 --repeat 7

``checker.evaluation.parts.record`` takes a clause's observations as the clause makes them.
Here a clause loops over generated stores, each meeting the promise once, and ``record``
takes the passes three ways:

* ``counted``: ``--passes count``, each a ``counted(1)``;
* ``named``: ``--passes resources`` as a check names a store's passes where the loop's place
  is not known, ``store_passes`` (``store:<id>`` made, then compared with the store's name);
* ``at-store``: ``--passes resources`` in parts, ``passes_at_store``, named by the loop's
  place a window of stores at a time.

Names are written out as a run writes them (``spilling``), with no watcher. The garbage
collector is paused, as the parts run. Each way's nanoseconds a pass, best and median of the
repeats, taken in turn so that machine noise hits each alike, go to ``results/record.json``.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import benchlib  # noqa: E402

from checker.checks.base import counted, passes_at_store, store_passes  # noqa: E402
from checker.core.results import Observation  # noqa: E402
from checker.core.spill import spilling  # noqa: E402
from checker.evaluation import parts  # noqa: E402
from checker.evaluation.in_step import Visits  # noqa: E402

RESULT = benchlib.RESULTS / "record.json"
Say = Callable[[Mapping[str, Any], int], Observation]
WAYS: dict[str, tuple[Say, bool]] = {
    "counted": (lambda store, passes: counted(passes), False),
    "named": (store_passes, True),
    "at-store": (passes_at_store, True),
}


def _loop(where: Visits, stores: list[dict[str, str]], say: Say) -> Iterator[Observation]:
    """A clause's loop over ``stores``, saying where it is as ``in_step`` does."""
    where.count += 1
    for index, store in enumerate(stores):
        where.at = index
        yield say(store, 1)
    where.at = None


def time_way(way: str, stores: list[dict[str, str]], ids: list[str]) -> float:
    """Nanoseconds a pass of one ``record`` of ``stores`` taken ``way``."""
    say, naming = WAYS[way]
    where = Visits()
    parts.visits = lambda: where  # type: ignore[assignment]  # one clause, no greenlet
    names = parts.StoreNames(ids) if naming else None
    start = time.perf_counter()
    found = parts.record(_loop(where, stores, say), counting=True, naming=naming, store_names=names)
    seconds = time.perf_counter() - start
    if found.passes != len(stores):
        raise SystemExit(f"{way}: {found.passes} passes recorded of {len(stores)}")
    if naming and (found.named is None or len(found.named[0]) != len(stores)):
        raise SystemExit(f"{way}: not every store named once")
    return seconds * 1e9 / len(stores)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--passes", type=int, default=400_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    stores = [{"id": f"store-{i:07d}"} for i in range(args.passes)]
    ids = [store["id"] for store in stores]
    runs: dict[str, list[float]] = {way: [] for way in WAYS}
    gc.disable()
    with spilling():
        for _ in range(args.repeat):
            for way in WAYS:
                runs[way].append(time_way(way, stores, ids))
    rows = []
    for way, times in runs.items():
        best, middle = min(times), benchlib.median(times)
        rows.append({"way": way, "best_ns": round(best), "median_ns": round(middle)})
        print(f"{way:>9}: best {best:6.0f} ns a pass, median {middle:6.0f} ns")
    data = {
        "machine": benchlib.machine(),
        "commit": benchlib.git_commit(),
        "measured_at": benchlib.now(),
        "passes": args.passes,
        "repeat": args.repeat,
        "rows": rows,
    }
    benchlib.write_json(RESULT, data)
    print(f"results in {RESULT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
