"""Regulation references, kept in data: each framework file lists the checks covering each
requirement (``policies/frameworks/*.yaml``); findings carry the requirements of their check."""

from __future__ import annotations

from collections import defaultdict
from functools import cache
from importlib import resources

from checker.documents import load_document


@cache
def references_by_check() -> dict[str, tuple[str, ...]]:
    """``{"retention": ("GDPR Art. 5(1)(e)", …)}`` from every bundled framework file."""
    refs: dict[str, list[str]] = defaultdict(list)
    folder = resources.files("policies").joinpath("frameworks")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith((".yaml", ".yml")):
            continue
        with resources.as_file(entry) as path:
            doc = load_document(path, name=f"policies/frameworks/{entry.name}")
        for requirement in doc.data.get("requirements", ()):
            for check in requirement.get("checks", ()):
                label = requirement["id"]
                if label not in refs[check]:
                    refs[check].append(label)
    return {check: tuple(labels) for check, labels in refs.items()}
