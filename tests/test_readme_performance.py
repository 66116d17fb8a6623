"""The README's performance table is made from ``benchmarks/results/*.json``
(``benchmarks/readme_table.py``): it shows what the results hold, and nothing else."""

from __future__ import annotations

import importlib
import json
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import REPO


def _generator() -> ModuleType:
    """``benchmarks/readme_table.py``, which imports ``benchlib`` from beside it, as the
    benchmark scripts run it."""
    benchmarks = str(REPO / "benchmarks")
    if benchmarks not in sys.path:
        sys.path.append(benchmarks)
    return importlib.import_module("readme_table")


table = _generator()


def test_readme_table_is_made_from_the_results() -> None:
    text = table.README.read_text(encoding="utf-8")
    updated = table.with_table(text, table.table(table.rows()))
    if os.environ.get("UPDATE_README") and updated != text:
        table.README.write_text(updated, encoding="utf-8")
        text = updated
    assert text == updated, "run: python benchmarks/readme_table.py"


def test_every_result_file_gives_rows() -> None:
    made = {
        name: list(make(json.loads((table.RESULTS / name).read_text())))
        for name, make in table.SOURCES
    }
    assert all(made.values()), [name for name, rows in made.items() if not rows]


def test_a_row_says_what_its_results_say(tmp_path: Path) -> None:
    parts = {
        "machine": {},
        "rows": [
            {
                "stores": 1_000_000,
                "way": "default",
                "bytes": 627_000_000,
                "seconds": 30.0,
                "peak_pss_mb": 1000.0,
                "json_load_gc_paused_s": 10.0,
                "commit": "abc1234",
                "measured_at": "2026-12-02T07:00:00+00:00",
            },
            {
                "stores": 1_000_000,
                "way": "resources",
                "bytes": 627_000_000,
                "seconds": 36.0,
                "peak_pss_mb": 1100.0,
                "json_load_gc_paused_s": 10.0,
                "commit": "abc1234",
                "measured_at": "2026-12-02T07:00:00+00:00",
                "vs_counting_default": 1.2,
            },
        ],
    }
    (tmp_path / "parts.json").write_text(json.dumps(parts))
    readme = tmp_path / "README.md"
    readme.write_text(f"# Title\n\n{table.BEGIN}\nold\n{table.END}\n\nafter\n")
    assert table.update(readme, tmp_path) is True
    text = readme.read_text()
    assert "old" not in text and text.endswith(f"{table.END}\n\nafter\n")
    assert (
        "| 1,000,000 stores (627.0 MB), `--passes count`, by default in two parts on 2 cores "
        "| **30.00 s**, 1.05 GB over the process tree (1.67× the file) "
        "| `json.load` with the collector paused 10.00 s — 3.00× | `abc1234`, 2026-12-02 |"
    ) in text
    assert "| counting 30.00 s — 1.20× | `abc1234`, 2026-12-02 |" in text
    assert table.update(readme, tmp_path) is False  # already made


def test_a_readme_without_its_markers_is_refused(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# no table here\n")
    with pytest.raises(ValueError, match="performance:start"):
        table.update(readme, tmp_path)
