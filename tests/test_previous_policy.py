"""The compliance report's "What changed since the previous policy": a checked policy that
``supersedes`` another that can be found (``--previous-policy``, its folder, the library)
carries the diff in HTML, Markdown and JSON; one that cannot be found is said."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from checker.diff.ordering import Direction
from checker.diff.previous import NOT_FOUND, UNUSED
from checker.validation.schemas import load_schema
from tests.conftest import REPO, CliRunner

LIBRARY = REPO / "policies" / "library"
NEW = LIBRARY / "anthropic-consumer-2025.yaml"
OLD = LIBRARY / "anthropic-privacy-2023.yaml"
SNAPSHOT = REPO / "policies" / "examples" / "violating" / "snapshot.yaml"
AS_OF = "2026-11-21"


def _check(run_cli: CliRunner, policy: Path, *extra: str, fmt: str = "json") -> tuple[int, str]:
    run = run_cli(
        "check", "--policy", str(policy), "--snapshot", str(SNAPSHOT), "--as-of", AS_OF,
        "--format", fmt, *extra,
    )  # fmt: skip
    assert run.code in (0, 1), run.err
    return run.code, run.out


def _diff_schema_validator() -> jsonschema.Draft202012Validator:
    definitions = load_schema("diff")["$defs"]
    return jsonschema.Draft202012Validator({"$defs": definitions, "$ref": "#/$defs/policy_diff"})


def test_json_results_carry_what_changed(run_cli: CliRunner) -> None:
    _, out = _check(run_cli, NEW)
    data: dict[str, Any] = json.loads(out)
    jsonschema.Draft202012Validator(load_schema("results")).validate(data)
    (change,) = data["changes"]
    _diff_schema_validator().validate(change)
    assert (change["old"]["id"], change["new"]["id"]) == (
        "anthropic-privacy-2023",
        "anthropic-consumer-2025",
    )
    directions = [row["direction"] for row in change["rows"]]
    assert directions[:4] == ["loosened"] * 4  # loosened first
    order = [d.value for d in Direction]  # the review order
    assert directions == sorted(directions, key=order.index)


def test_saved_results_render_the_section_again(run_cli: CliRunner, tmp_path: Path) -> None:
    _, out = _check(run_cli, NEW)
    saved = tmp_path / "results.json"
    saved.write_text(out, encoding="utf-8")
    again = run_cli("report", str(saved), "--format", "json")
    assert again.code == json.loads(out)["exit_code"], again.err  # the verdict it renders
    assert json.loads(again.out)["changes"] == json.loads(out)["changes"]
    html = run_cli("report", str(saved), "--format", "html").out
    assert "What changed since the previous policy" in html


def test_html_shows_the_changes_first(run_cli: CliRunner) -> None:
    _, html = _check(run_cli, NEW, fmt="html")
    section = html.index('<section id="changes"')
    assert html.index("</header>") < section < html.index('class="tiles"')
    assert html.index("dir-loosened") < html.index("dir-added")
    assert "Max users are now trained on by default unless they opt out" in html


def test_markdown_carries_the_same(run_cli: CliRunner) -> None:
    _, markdown = _check(run_cli, NEW, fmt="markdown")
    assert "### What changed since the previous policy" in markdown
    assert "| 🔴 | **loosened** | `retention/retention-opted-in` |" in markdown


def test_a_policy_without_supersedes_has_no_section(run_cli: CliRunner) -> None:
    _, out = _check(run_cli, OLD)
    assert "changes" not in json.loads(out)
    _, html = _check(run_cli, OLD, fmt="html")
    assert "What changed since" not in html


def test_the_library_is_searched_when_the_folder_lacks_it(
    run_cli: CliRunner, tmp_path: Path
) -> None:
    alone = tmp_path / "policy.yaml"
    shutil.copy(NEW, alone)
    _, out = _check(run_cli, alone)
    (change,) = json.loads(out)["changes"]
    assert change["old"]["file"] == "policies/library/anthropic-privacy-2023.yaml"


def test_previous_policy_given_wins(run_cli: CliRunner, tmp_path: Path) -> None:
    earlier = tmp_path / "earlier.yaml"
    earlier.write_text(OLD.read_text("utf-8").replace("max: 2y", "max: 4y"), encoding="utf-8")
    _, out = _check(run_cli, NEW, "--previous-policy", str(earlier))
    (change,) = json.loads(out)["changes"]
    assert change["old"]["file"] == str(earlier)
    rows = {row["clause"]: row for row in change["rows"]}
    (max_change,) = [c for c in rows["retention-opted-in"]["changes"] if c["field"] == "max"]
    assert (max_change["old"], max_change["new"]) == ("4y", "5y")


def test_a_previous_policy_nobody_supersedes_is_said(run_cli: CliRunner) -> None:
    _, out = _check(run_cli, OLD, "--previous-policy", str(NEW))
    notes = [d for d in json.loads(out)["diagnostics"] if d["code"] == UNUSED]
    assert len(notes) == 1 and "superseded by no checked policy" in notes[0]["message"]


def test_supersedes_that_names_nothing_is_a_warning_at_its_line(
    run_cli: CliRunner, tmp_path: Path
) -> None:
    orphan = tmp_path / "policy.yaml"
    orphan.write_text(
        NEW.read_text("utf-8").replace("supersedes: anthropic-privacy-2023", "supersedes: gone"),
        encoding="utf-8",
    )
    code, out = _check(run_cli, orphan, fmt="text")
    assert code == 1  # the example snapshot breaks the policy; the warning alone would not
    line = next(line for line in out.splitlines() if "supersedes 'gone'" in line)
    assert line.startswith(f"{orphan}:39:15: warning:")  # the line of supersedes
    _, data = _check(run_cli, orphan)
    assert [d["code"] for d in json.loads(data)["diagnostics"]].count(NOT_FOUND) == 1


@pytest.mark.parametrize("content", [b"policy_checker: 1\nmetadata: {}\n"])
def test_an_invalid_previous_policy_given_is_an_invalid_input(
    run_cli: CliRunner, tmp_path: Path, content: bytes
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(content)
    run = run_cli(
        "check", "--policy", str(NEW), "--snapshot", str(SNAPSHOT), "--as-of", AS_OF,
        "--previous-policy", str(bad), "--format", "text",
    )  # fmt: skip
    assert run.code == 1
    assert f"{bad}:2:11: error:" in run.out


def test_text_says_what_changed_in_one_line(run_cli: CliRunner) -> None:
    _, text = _check(run_cli, NEW, fmt="text")
    (line,) = [line for line in text.splitlines() if line.startswith("what changed since")]
    assert line.startswith(
        f"what changed since anthropic-privacy-2023 ({OLD}): 4 loosened, 2 scope narrowed, "
        "1 scope widened, 5 added; policy-check diff "
    )
    assert text.splitlines()[-1].startswith("Not compliant:")  # the summary stays last


def test_the_command_suggested_for_a_library_policy_works_outside_the_checkout(
    run_cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A project made by `policy-check init` supersedes a policy of the bundled library; the
    # text names it where it is, so that the diff command it suggests can be run as printed.
    monkeypatch.chdir(tmp_path)
    shutil.copy(NEW, tmp_path / "policy.yaml")
    _, text = _check(run_cli, Path("policy.yaml"), fmt="text")
    (line,) = [line for line in text.splitlines() if line.startswith("what changed since")]
    command = line.split("; ")[-1].removesuffix(" shows each promise").split()
    assert command[:2] == ["policy-check", "diff"]
    old, new = command[2:]
    assert Path(old).resolve() == OLD.resolve()
    assert new == "policy.yaml"
    run = run_cli(*command[1:])
    assert run.code in (0, 1), run.err
