"""``policy-check completion``: scripts made from the parser, valid and complete."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from checker.cli.completion import model
from checker.cli.main import build_parser
from tests.conftest import CliRunner

SUBCOMMANDS = sorted(model(build_parser()).subcommands)


def _complete(script: Path, *words: str) -> list[str]:
    """What bash offers after ``policy-check WORDS`` (the last word is being typed)."""
    line = " ".join(["policy-check", *words])
    program = (
        f"source {script}\n"
        f"COMP_WORDS=(policy-check {' '.join(repr(w) for w in words)})\n"
        f"COMP_CWORD={len(words)}\n"
        f"COMP_LINE={line!r}\n"
        "_policy_check\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    run = subprocess.run(["bash", "-c", program], capture_output=True, text=True, check=True)
    return run.stdout.split()


@pytest.fixture
def bash_script(run_cli: CliRunner, tmp_path: Path) -> Path:
    if shutil.which("bash") is None:
        pytest.skip("bash is not installed")
    run = run_cli("completion", "bash")
    assert run.code == 0, run.err
    path = tmp_path / "policy-check.bash"
    path.write_text(run.out, encoding="utf-8")
    return path


def test_the_bash_script_parses_and_lists_every_subcommand(bash_script: Path) -> None:
    subprocess.run(["bash", "-n", str(bash_script)], check=True)
    assert {
        "validate",
        "check",
        "diff",
        "report",
        "init",
        "schema",
        "completion",
        "test",
        "upgrade",
    } <= set(SUBCOMMANDS)
    assert sorted(_complete(bash_script, "")) == SUBCOMMANDS


def test_bash_completes_options_choices_and_files(bash_script: Path, tmp_path: Path) -> None:
    assert "--fail-on" in _complete(bash_script, "check", "--")
    assert _complete(bash_script, "check", "--fail-on", "") == [
        "info",
        "low",
        "medium",
        "high",
        "critical",
    ]
    assert _complete(bash_script, "schema", "sn") == ["snapshot"]
    assert _complete(bash_script, "history", "r") == ["record"]
    assert _complete(bash_script, "check", "--as-of", "") == []  # a date, not a file
    (tmp_path / "snapshot.yaml").write_text("", encoding="utf-8")
    typed = str(tmp_path / "snap")
    assert _complete(bash_script, "check", "--snapshot", typed) == [typed + "shot.yaml"]


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_zsh_and_fish_scripts_name_every_subcommand(run_cli: CliRunner, shell: str) -> None:
    run = run_cli("completion", shell)
    assert run.code == 0
    for name in SUBCOMMANDS:
        assert name in run.out
    if shell == "zsh":
        assert run.out.startswith("#compdef policy-check\n")
    else:
        assert "complete -c policy-check -n __fish_use_subcommand -a check" in run.out
        assert "-l fail-on -x -a 'info low medium high critical'" in run.out


def test_an_unknown_shell_is_a_usage_error(
    run_cli: CliRunner, capsys: pytest.CaptureFixture[str]
) -> None:
    run = run_cli("completion", "powershell")
    assert run.code == 2
    assert "invalid choice: 'powershell'" in run.err + capsys.readouterr().err
