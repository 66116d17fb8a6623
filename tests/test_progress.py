"""Progress on standard error: for a person at a terminal, never in CI or a pipe of results."""

from __future__ import annotations

import io

import pytest

from checker.cli.main import main
from checker.cli.progress import MIN_INTERVAL, ProgressLine, wanted
from tests.conftest import REPO

CONFIG = str(REPO / "policy-check.yaml")


class FakeTerminal(io.StringIO):
    """A stream that says it is a terminal, as ``sys.stderr`` does in an interactive shell."""

    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("err_tty", "out_tty", "fmt", "environ", "expected"),
    [
        (True, True, "text", {}, True),
        (True, False, "text", {}, True),  # text redirected to a file: people still watch
        (True, True, "json", {}, True),
        (True, False, "json", {}, False),  # machine-readable output going to a pipe
        (True, False, "sarif", {}, False),
        (False, True, "text", {}, False),  # standard error is a log
        (True, True, "text", {"CI": "true"}, False),
        (True, True, "text", {"CI": "1"}, False),
        (True, True, "text", {"CI": "false"}, True),
        (True, True, "text", {"TERM": "dumb"}, False),
    ],
)
def test_when_progress_is_shown(
    err_tty: bool, out_tty: bool, fmt: str, environ: dict[str, str], expected: bool
) -> None:
    err = FakeTerminal() if err_tty else io.StringIO()
    out = FakeTerminal() if out_tty else io.StringIO()
    assert wanted(err, out, fmt, environ) is expected


def _check(err: io.StringIO, *extra: str, environ: dict[str, str] | None = None) -> str:
    out = io.StringIO()
    argv = ["check", "--config", CONFIG, "--no-config-outputs", *extra]
    assert main(argv, out=out, err=err, environ=environ or {}) == 1
    return out.getvalue()


def test_a_terminal_sees_progress_then_a_clean_line() -> None:
    err = FakeTerminal()
    out = _check(err)
    shown = err.getvalue()
    assert "\rreading 1 policy file " in shown
    assert "\rreading 1 snapshot file " in shown
    assert "\rchecking snapshots: 1 of 1 (" in shown
    # Cleared before the report is written: the last redraw is a blank line, returned to.
    before, _, after = shown.rpartition("\r")
    assert before.endswith(" " * 78) and after == ""
    assert "\r" not in out and "Not compliant" in out  # the report itself is untouched


def test_no_progress_in_ci_or_with_machine_readable_output_in_a_pipe() -> None:
    in_ci = FakeTerminal()
    _check(in_ci, environ={"CI": "true"})
    piped = FakeTerminal()
    _check(piped, "--format", "json")
    logged = io.StringIO()
    _check(logged)
    for err in (in_ci, piped, logged):
        assert "\r" not in err.getvalue()


def test_redraws_are_throttled_but_the_first_and_last_always_show() -> None:
    now = [0.0]
    stream = io.StringIO()
    line = ProgressLine(stream, clock=lambda: now[0])
    for done in range(1000):
        line("checking snapshots:", done, 1000)
        now[0] += MIN_INTERVAL / 100
    line("checking snapshots:", 1000, 1000)
    drawn = stream.getvalue().split("\r")[1:]
    assert 2 <= len(drawn) <= 12
    assert drawn[0].startswith("checking snapshots: 0 of 1,000")
    assert drawn[-1].startswith("checking snapshots: 1,000 of 1,000")
    line.clear()
    assert stream.getvalue().endswith("\r" + " " * 78 + "\r")
    line.clear()  # a second clear writes nothing more
    assert stream.getvalue().count(" " * 78 + "\r") == 1
