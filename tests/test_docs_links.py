"""Links between the project's Markdown pages lead somewhere: the file exists and, where a
link names a section, the page has a heading of that name (as GitHub makes its anchors)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO

_FENCE = re.compile(r"^```.*?^```", re.M | re.S)
_LINK = re.compile(r"\]\(([^)\s]+)\)")
_HEADING = re.compile(r"^#{1,6} (.+)$", re.M)


def pages() -> list[Path]:
    return [
        REPO / "README.md",
        REPO / "CHANGELOG.md",
        *sorted((REPO / "docs").rglob("*.md")),
        *sorted((REPO / "benchmarks").glob("*.md")),
    ]


def anchor(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces made hyphens."""
    text = heading.strip().lower().replace("`", "")
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    found: set[str] = set()
    seen: dict[str, int] = {}
    for heading in _HEADING.findall(_FENCE.sub("", page.read_text(encoding="utf-8"))):
        name = anchor(heading)
        again = seen.get(name, 0)
        seen[name] = again + 1
        found.add(name if again == 0 else f"{name}-{again}")  # GitHub numbers repeats
    return found


def links(page: Path) -> Iterator[str]:
    text = _FENCE.sub("", page.read_text(encoding="utf-8"))
    for link in _LINK.findall(text):
        if not re.match(r"[a-z][a-z0-9+.-]*:", link):  # not https:, mailto: and the like
            yield link


def test_anchors_are_made_as_github_makes_them() -> None:
    assert anchor("Where the targets stand") == "where-the-targets-stand"
    assert anchor("Beyond one machine: `--executor dask`") == "beyond-one-machine---executor-dask"
    assert anchor("What each part costs?") == "what-each-part-costs"


@pytest.mark.parametrize("page", pages(), ids=lambda p: str(p.relative_to(REPO)))
def test_every_link_between_pages_leads_somewhere(page: Path) -> None:
    broken = []
    for link in links(page):
        path, _, section = link.partition("#")
        target = (page.parent / path).resolve() if path else page
        if not target.exists():
            broken.append(f"{link}: no such file")
        elif section and target.suffix == ".md" and section not in anchors(target):
            broken.append(f"{link}: no such heading in {target.name}")
    assert broken == []


def test_a_broken_link_is_found(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("# Title\n\n[ok](#title) [gone](#nowhere)\n\n```\n# not a heading\n```\n")
    assert list(links(page)) == ["#title", "#nowhere"]
    assert anchors(page) == {"title"}
