"""Generated inventories for tests: the benchmark's generator (``benchmarks/generate.py``),
stores, pipelines and recipients, a tenth of them breaking a promise of
``benchmarks/policy.yaml``."""

from __future__ import annotations

import importlib.util
import io
from functools import cache
from typing import Any

from tests.conftest import REPO


@cache
def generator() -> Any:
    """The benchmark's generator module, loaded once (``benchmarks/`` is not a package)."""
    spec = importlib.util.spec_from_file_location("generate", REPO / "benchmarks" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def inventory_text(stores: int, *, seed: int, indent: int | None = None) -> str:
    """A generated snapshot of ``stores`` stores as JSON text."""
    out = io.StringIO()
    generator().write_snapshot(out, stores, seed=seed, rate=0.1, indent=indent)
    return out.getvalue()
