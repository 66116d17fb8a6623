"""The published-policy library: one policy per provider of the shared notes
(``research/published-policies.md``), every clause traced to the note it encodes.

Each clause's sources quote a row of the notes as ``"<fact>: <words of that row>"``; the
clause's ``confidence`` follows from the rows it quotes (a CONFLICT or UNCONFIRMED row, or rows
only secondary sources state), and every row of a provider is encoded by a clause or listed,
with the reason, among what docs/policy-library.md says is left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from checker.checks import CHECKS
from checker.documents import load_document
from checker.validation.validator import validate_document
from tests.conftest import REPO, CliRunner

LIBRARY = REPO / "policies" / "library"
DOCS = REPO / "docs" / "policy-library.md"
# Each published policy and the section of the notes it encodes.
PUBLISHED = {
    "anthropic-published": "A1. Anthropic",
    "openai-published": "A2. OpenAI",
    "google-gemini-published": "A3. Google Gemini",
}


def _plain(text: str) -> str:
    """Text of the notes or of a quote without Markdown emphasis, spaces collapsed."""
    return " ".join(text.replace("**", "").replace("`", "").split()).lower()


@dataclass(frozen=True)
class Note:
    fact: str  # plain text of the first cell
    rest: str  # plain text of the other cells
    primary: bool
    secondary: bool
    conflict: bool
    unconfirmed: bool


def _notes(shared: Path, heading: str) -> list[Note]:
    text = (shared / "research" / "published-policies.md").read_text(encoding="utf-8")
    section = text.split(f"### {heading}", 1)[1].split("\n### ", 1)[0]
    notes: list[Note] = []
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not line.startswith("|") or len(cells) < 3 or set(cells[0]) <= {"-"}:
            continue
        if cells[0] in {"Fact", "Fact (checkable)"}:
            continue
        source = cells[-1]
        primary, secondary = "**P**" in source, "**S**" in source
        if not (primary or secondary) and source.startswith("same") and notes:
            primary, secondary = notes[-1].primary, notes[-1].secondary
        raw = " ".join(cells)
        notes.append(
            Note(
                fact=_plain(cells[0]),
                rest=_plain(" ".join(cells[1:])),
                primary=primary,
                secondary=secondary,
                conflict="CONFLICT" in raw,
                unconfirmed="UNCONFIRMED" in raw,
            )
        )
    return notes


def _clauses(data: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for section in CHECKS:
        for clause in data.get(section) or ():
            yield section, clause


def _sources(clause: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    single = clause.get("source")
    return [single] if single else list(clause.get("sources") or ())


def _quoted(note_list: list[Note], quote: str) -> Note | None:
    fact, _, words = quote.partition(": ")
    for note in note_list:
        if note.fact == _plain(fact) and _plain(words) in note.rest:
            return note
    return None


def test_the_library_has_a_policy_per_provider() -> None:
    assert set(PUBLISHED) <= {path.stem for path in LIBRARY.glob("*.yaml")}


@pytest.mark.parametrize("policy", PUBLISHED)
def test_published_policy_is_valid_v2(policy: str) -> None:
    doc = load_document(LIBRARY / f"{policy}.yaml")
    assert doc.data["policy_checker"] == 2
    assert doc.data["metadata"]["id"] == policy
    assert [str(d) for d in validate_document(doc, "policy")] == []


@pytest.mark.parametrize("policy", PUBLISHED)
def test_every_clause_quotes_the_notes_and_states_their_confidence(
    policy: str, shared_dir: Path
) -> None:
    notes = _notes(shared_dir, PUBLISHED[policy])
    data = load_document(LIBRARY / f"{policy}.yaml").data
    for section, clause in _clauses(data):
        name = f"{policy}/{clause['id']}"
        assert section != "custom_rules", f"{name} is a custom rule"
        sources = _sources(clause)
        assert sources, f"{name} records no source"
        quoted: list[Note] = []
        for source in sources:
            note = _quoted(notes, str(source["quote"]))
            assert note is not None, f"{name}: {source['quote']!r} is not a note of {policy}"
            if source["kind"] == "primary":
                assert note.primary, f"{name}: {source['quote']!r} has no primary source"
            quoted.append(note)
        if any(note.conflict for note in quoted):
            expected = "conflict"
        elif any(note.unconfirmed for note in quoted):
            expected = "unconfirmed"
        elif not any(note.primary for note in quoted):
            expected = "secondary"
        else:
            expected = "confirmed"
        assert clause.get("confidence") == expected, name


@pytest.mark.parametrize("policy", PUBLISHED)
def test_every_note_is_encoded_or_said_to_be_left_out(policy: str, shared_dir: Path) -> None:
    notes = _notes(shared_dir, PUBLISHED[policy])
    data = load_document(LIBRARY / f"{policy}.yaml").data
    encoded = {
        _plain(str(source["quote"]).partition(": ")[0])
        for _, clause in _clauses(data)
        for source in _sources(clause)
    }
    left_out = _plain(_left_out_section(policy))
    missing = [n.fact for n in notes if n.fact not in encoded and n.fact not in left_out]
    assert missing == [], f"neither encoded nor listed as left out in {DOCS.name}"


def _left_out_section(policy: str) -> str:
    """The rows of docs/policy-library.md's "left out" table that name ``policy``."""
    text = DOCS.read_text(encoding="utf-8")
    rows = re.findall(rf"^\| `{re.escape(policy)}` \|.*$", text, flags=re.M)
    return "\n".join(rows)


def test_the_documented_run_is_what_check_prints(run_cli: CliRunner) -> None:
    """docs/policy-library.md shows the check of the compliant Anthropic example."""
    result = run_cli(
        "check",
        "--policy",
        "policies/library/anthropic-published.yaml",
        "--snapshot",
        "policies/examples/anthropic-published/compliant.yaml",
        "--as-of",
        "2026-11-21",
    )
    assert result.code == 1
    printed = result.out.splitlines()
    shown = DOCS.read_text(encoding="utf-8").split("$ policy-check check", 1)[1].split("```")[0]
    first, *_, summary = [line for line in shown.splitlines()[2:] if line.strip()]
    assert summary in printed
    assert any(line.startswith(first.removesuffix(" …")) for line in printed), first
    assert sum("[critical] fail" in line or "[high] fail" in line for line in printed) == 3
