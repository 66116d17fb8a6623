"""``policy-check report``: exits with the verdict it renders, refuses what is not results,
and colours as asked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checker.cli.color import use_color
from tests.conftest import CliRunner

REPO = Path(__file__).resolve().parent.parent
POLICY = str(REPO / "policies" / "library" / "anthropic-consumer-2025.yaml")
EXAMPLES = REPO / "policies" / "examples"


@pytest.mark.parametrize(("example", "code"), [("compliant", 0), ("violating", 1)])
def test_report_exits_with_the_verdict_of_the_results(
    tmp_path: Path, run_cli: CliRunner, example: str, code: int
) -> None:
    saved = tmp_path / "results.json"
    snapshot = str(EXAMPLES / example / "snapshot.yaml")
    checked = run_cli(
        "check",
        "--policy",
        POLICY,
        "--snapshot",
        snapshot,
        "--as-of",
        "2026-11-21",
        "--output",
        f"json={saved}",
    )
    assert checked.code == code
    for fmt in ("text", "markdown", "html"):
        assert run_cli("report", str(saved), "--format", fmt).code == code


@pytest.mark.parametrize("passes", ["list", "count"])
def test_results_cut_down_to_no_finding_are_never_compliant(
    tmp_path: Path, run_cli: CliRunner, passes: str
) -> None:
    """A results file whose findings (and counted passes) were cut out says of a run that
    checked policies against snapshots that nothing was checked: that is no "Compliant"."""
    saved = tmp_path / "results.json"
    snapshot = str(EXAMPLES / "violating" / "snapshot.yaml")
    argv = ["--policy", POLICY, "--snapshot", snapshot, "--as-of", "2026-11-21"]
    assert run_cli("check", *argv, "--passes", passes, "--output", f"json={saved}").code == 1
    data = json.loads(saved.read_text(encoding="utf-8"))
    data["findings"], data["pass_counts"] = [], []
    cut = tmp_path / "cut.json"
    cut.write_text(json.dumps(data), encoding="utf-8")
    shown = run_cli("report", str(cut), "--format", "text")
    assert shown.code == 1
    assert "Not compliant: no promises were checked" in shown.out
    again = json.loads(run_cli("report", str(cut), "--format", "json").out)
    assert (again["verdict"], again["exit_code"]) == ("not_compliant", 1)


def test_saved_validation_results_read_as_text_as_validate_prints_them(
    tmp_path: Path, run_cli: CliRunner
) -> None:
    """The text of a valid validation used to be nothing at all: not even the counts."""
    saved = tmp_path / "validation.json"
    validated = run_cli("validate", POLICY, "--output", f"json={saved}")
    assert validated.code == 0
    reported = run_cli("report", str(saved), "--format", "text")
    assert (reported.code, reported.out, reported.err) == (0, validated.out, validated.err)
    assert reported.err == "1 valid, 0 invalid, 0 unreadable\n"


def test_report_never_writes_over_the_results_it_renders(
    tmp_path: Path, run_cli: CliRunner
) -> None:
    """``report results.json --format html --output results.json`` replaced the only copy of
    the saved results with their HTML."""
    saved = tmp_path / "results.json"
    run_cli("validate", POLICY, "--output", f"json={saved}")
    before = saved.read_bytes()
    refused = run_cli("report", str(saved), "--format", "html", "--output", str(saved))
    assert refused.code == 2
    assert refused.err == (
        f"--output html={saved}: error: --output html={saved} would overwrite the results "
        f"{saved}; "
        "write the report somewhere else\n"
    )
    assert saved.read_bytes() == before


@pytest.mark.parametrize(
    ("path", "what"),
    [
        (EXAMPLES / "violating" / "snapshot.yaml", "this is a snapshot document, not a results"),
        (Path(POLICY), "this is a policy document, not a results file"),
        (EXAMPLES / "terraform" / "plan.json", "this is not a results file (it has no"),
    ],
    ids=["snapshot", "policy", "plan"],
)
def test_report_says_what_it_was_given_instead_of_results(
    run_cli: CliRunner, path: Path, what: str
) -> None:
    result = run_cli("report", str(path), "--format", "text")
    assert result.code == 2
    [line] = (result.out + result.err).strip().splitlines()
    assert what in line and "'policy-check check --format json'" in line


class Terminal:
    def isatty(self) -> bool:
        return True


class Pipe:
    def isatty(self) -> bool:
        return False


@pytest.mark.parametrize(
    ("choice", "environ", "out", "expected"),
    [
        ("auto", {}, Terminal(), True),
        ("auto", {}, Pipe(), False),
        ("auto", {"NO_COLOR": "1"}, Terminal(), False),
        ("auto", {"NO_COLOR": ""}, Terminal(), True),  # set but empty: not a request
        ("auto", {"FORCE_COLOR": "1"}, Pipe(), True),
        ("auto", {"FORCE_COLOR": "0"}, Pipe(), False),
        ("auto", {"FORCE_COLOR": ""}, Pipe(), False),
        ("auto", {"NO_COLOR": "1", "FORCE_COLOR": "1"}, Terminal(), False),
        ("always", {"NO_COLOR": "1"}, Pipe(), True),
        ("never", {"FORCE_COLOR": "1"}, Terminal(), False),
    ],
)
def test_colour_follows_the_option_then_the_environment_then_the_terminal(
    choice: str, environ: dict[str, str], out: object, expected: bool
) -> None:
    assert use_color(choice, out, environ) is expected  # type: ignore[arg-type]


def test_color_always_paints_the_verdict(tmp_path: Path, run_cli: CliRunner) -> None:
    snapshot = str(EXAMPLES / "violating" / "snapshot.yaml")
    args = ["check", "--policy", POLICY, "--snapshot", snapshot, "--as-of", "2026-11-21"]
    assert "\x1b[1;31mNot compliant\x1b[0m" in run_cli(*args, "--color", "always").out
    assert "\x1b[" not in run_cli(*args, "--color", "never").out


def test_saved_changes_are_checked_against_the_diff_format_before_they_are_read(
    tmp_path: Path, run_cli: CliRunner
) -> None:
    """What changed since the previous policy is saved as the diff format writes it; a change
    without its field was met by the reader (an internal error), now by the schema, at its
    place in the file."""
    saved = tmp_path / "results.json"
    snapshot = str(EXAMPLES / "violating" / "snapshot.yaml")
    run_cli("check", "--policy", POLICY, "--snapshot", snapshot, "--output", f"json={saved}")
    data = json.loads(saved.read_text(encoding="utf-8"))
    del data["changes"][0]["rows"][0]["changes"][0]["field"]
    saved.write_text(json.dumps(data, indent=2), encoding="utf-8")
    rendered = run_cli("report", str(saved), "--format", "text")
    compared = run_cli("check", "--policy", POLICY, "--snapshot", snapshot, f"--baseline={saved}")
    for run in (rendered, compared):
        assert run.code == 2, run.err
        assert "missing required key 'field' (at $.changes[0].rows[0].changes[0])" in run.err
        assert "results.json:" in run.err and "internal error" not in run.err
