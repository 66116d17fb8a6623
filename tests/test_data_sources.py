"""Files copied from other projects stay as copied, and each one says where it came from.

``tests/data/fixtures`` (real Terraform plans; flag files under ``flags/``) and
``tests/data/schemas`` (published SARIF and JUnit schemas) are other projects' files, kept
unchanged; ``tests/data/SOURCES.md`` names the source repository, path, commit and licence of
each and records its SHA-256.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
SOURCES = DATA / "SOURCES.md"
COPIED = sorted(
    p.relative_to(DATA).as_posix()
    for folder in ("fixtures", "schemas")
    for p in (DATA / folder).rglob("*")
    if p.is_file()  # fixtures/terraform/ and fixtures/flags/ hold files of their own kinds
)


def _recorded_hashes() -> dict[str, str]:
    text = SOURCES.read_text(encoding="utf-8")
    return {name: digest for digest, name in re.findall(r"^([0-9a-f]{64})  (\S+)$", text, re.M)}


def _table_rows() -> dict[str, list[str]]:
    rows = {}
    for line in SOURCES.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| `") and len(cells) == 5:
            rows[cells[0].strip("`")] = cells[1:]
    return rows


def test_every_copied_file_is_unchanged() -> None:
    hashes = _recorded_hashes()
    assert sorted(hashes) == COPIED
    for name in COPIED:
        assert hashlib.sha256((DATA / name).read_bytes()).hexdigest() == hashes[name], name


def test_every_copied_file_names_its_source_commit_and_licence() -> None:
    rows = _table_rows()
    assert sorted(rows) == COPIED
    for name, (repository, path, commit, licence) in rows.items():
        assert re.fullmatch(
            r"\[[\w.-]+/[\w.-]+\]\(https://github\.com/[\w.-]+/[\w.-]+\)", repository
        ), name
        assert path.startswith("`") and path.endswith("`"), name
        assert re.fullmatch(r"`[0-9a-f]{40}`", commit), name
        assert licence, name


def test_no_test_reads_the_shared_folder_but_the_seed_test() -> None:
    """A test reading ../shared fails on a checkout alone: copy what it needs into tests/data
    with its source. Only the seed texts (no licence to copy them) are read from there, through
    the shared_dir fixture."""
    tests = Path(__file__).resolve().parent
    readers = sorted(
        path.relative_to(tests).as_posix()
        for path in tests.rglob("*.py")
        if path.name != "conftest.py"
        and path != Path(__file__).resolve()
        and re.search(r"\bSHARED\b|[\"'/]\.\./shared\b|/ \"shared\"", path.read_text("utf-8"))
    )
    assert readers == []


def test_the_terraform_families_table_names_every_real_plan() -> None:
    """The adapter page says which real plans each family is tested on: every plan copied
    here is named there, and every name there is a plan copied here."""
    page = (DATA.parent.parent / "docs" / "adapters" / "terraform.md").read_text(encoding="utf-8")
    table = page.split("real public plans it is tested on |", 1)[1].split("\n\n", 1)[0]
    named = set(re.findall(r"`([\w.-]+\.(?:json|tfstate))`", table))
    plans = {
        Path(name).name
        for name in COPIED
        if name.startswith("fixtures/") and not name.startswith("fixtures/flags/")
    }
    assert named == plans
