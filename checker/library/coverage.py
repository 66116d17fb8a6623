"""The README's coverage table: one row per clause of the bundled policy library.

Each row names the policy, the clause, its section and the check that verifies it, where the
promise comes from (the ``kind`` of its ``source``/``sources``: the provider's own page or a
secondary report), how sure the library is of it (``confidence``), and whether it is written
in the policy language itself ("native") or as a JMESPath custom rule, which the language
could not say::

    python -m checker.library.coverage          # rewrite the table in README.md
    python -m checker.library.coverage --check  # exit 1, naming the file, when it is out of date

The table sits between ``<!-- coverage:begin -->`` and ``<!-- coverage:end -->``;
``tests/test_library_coverage.py`` fails when it is out of date.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import policies
from checker.checks import CHECKS
from checker.documents import load_document

LIBRARY = Path(policies.__file__).resolve().parent / "library"
README = LIBRARY.parents[1] / "README.md"
BEGIN, END = "<!-- coverage:begin -->", "<!-- coverage:end -->"
CUSTOM_SECTION = "custom_rules"
UNSTATED = "—"  # a clause that records no source or confidence (the v1 seed policies)
HEADER = (
    "| policy | clause (promise) | section | check | source | confidence | written as |",
    "|---|---|---|---|---|---|---|",
)


@dataclass(frozen=True, slots=True)
class Row:
    """One clause of the library, as the table shows it."""

    policy: str
    clause: str
    section: str
    source_kinds: tuple[str, ...]
    confidence: str

    @property
    def native(self) -> bool:
        return self.section != CUSTOM_SECTION

    def render(self) -> str:
        check = CHECKS[self.section]
        kinds = " + ".join(self.source_kinds) or UNSTATED
        written = "native" if self.native else "custom rule"
        return (
            f"| `{self.policy}` | `{self.clause}` | `{self.section}` | "
            f"{check.title} (`checker/checks/{self.section}.py`) | {kinds} | "
            f"{self.confidence} | {written} |"
        )


def source_kinds(clause: Mapping[str, Any]) -> tuple[str, ...]:
    """The kinds of the clause's sources, primary first, each once; a source that does not
    say its kind counts as ``unstated``."""
    found: list[Any] = []
    if isinstance(clause.get("source"), Mapping):
        found.append(clause["source"])
    found.extend(s for s in clause.get("sources") or () if isinstance(s, Mapping))
    kinds = {str(source.get("kind", "unstated")) for source in found}
    order = ("primary", "secondary")
    return tuple(sorted(kinds, key=lambda kind: (order.index(kind) if kind in order else 2, kind)))


def policy_rows(data: Mapping[str, Any]) -> Iterator[Row]:
    """A row per clause of one policy document, sections in the checks' order."""
    policy = str(data["metadata"]["id"])
    for section in CHECKS:
        for clause in data.get(section) or ():
            yield Row(
                policy=policy,
                clause=str(clause["id"]),
                section=section,
                source_kinds=source_kinds(clause),
                confidence=str(clause.get("confidence", UNSTATED)),
            )


def library_paths(library: Path = LIBRARY) -> list[Path]:
    return sorted(library.glob("*.yaml"))


def library_rows(paths: Iterable[Path]) -> list[Row]:
    return [row for path in paths for row in policy_rows(load_document(path).data)]


def table(rows: Iterable[Row]) -> str:
    return "\n".join([*HEADER, *(row.render() for row in rows)])


def with_table(text: str, rendered: str, begin: str = BEGIN, end: str = END) -> str:
    """``text`` with the table between the markers ``begin`` and ``end`` replaced; both
    markers must be there, once (the README's performance table uses it too)."""
    pattern = re.compile(f"{re.escape(begin)}\n.*?{re.escape(end)}", flags=re.S)
    if len(pattern.findall(text)) != 1:
        raise ValueError(f"expected one {begin} ... {end} block")
    return pattern.sub(lambda _: f"{begin}\n{rendered}\n{end}", text)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m checker.library.coverage",
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    parser.add_argument(
        "--check", action="store_true", help="only say whether the table is out of date"
    )
    parser.add_argument("--readme", type=Path, default=README, help="the file holding the table")
    args = parser.parse_args(argv)
    text = args.readme.read_text(encoding="utf-8")
    try:
        updated = with_table(text, table(library_rows(library_paths())))
    except ValueError as error:
        print(f"{args.readme}: {error}", file=sys.stderr)
        return 2
    if updated == text:
        return 0
    if args.check:
        print(
            f"{args.readme}: the coverage table is out of date: "
            "run python -m checker.library.coverage",
            file=sys.stderr,
        )
        return 1
    args.readme.write_text(updated, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
