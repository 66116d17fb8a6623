"""Progress on standard error: for a person at a terminal, never in CI or a pipe of results."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from checker.cli import progress
from checker.cli.main import main
from checker.cli.progress import MIN_INTERVAL, ProgressLine, wanted
from checker.evaluation import in_step
from tests.conftest import REPO
from tests.inventories import inventory_text

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


def _inventory(folder: Path, stores: int) -> str:
    (folder / "inventory.json").write_text(inventory_text(stores, seed=7), encoding="utf-8")
    return "inventory.json"


def _drawn(err: io.StringIO, stage: str) -> list[tuple[int, int]]:
    """``(done, total)`` of each redraw of ``stage``."""
    found = []
    for line in err.getvalue().split("\r"):
        if line.startswith(stage + " "):
            done, _, rest = line[len(stage) + 1 :].partition(" of ")
            found.append((int(done.replace(",", "")), int(rest.split()[0].replace(",", ""))))
    return found


BENCH = ["--policy", str(REPO / "benchmarks" / "policy.yaml"), "--as-of", "2026-11-21"]


def test_a_snapshot_read_store_by_store_shows_its_reading_then_its_stores_as_they_are_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(progress, "MIN_INTERVAL", 0.0)  # every redraw drawn
    monkeypatch.setattr(in_step, "BLOCK", 17)
    name = _inventory(tmp_path, 100)
    err = FakeTerminal()
    main(
        ["check", *BENCH, "--snapshot", name, "--stream-from", "0"],
        out=io.StringIO(),
        err=err,
        environ={},
    )
    reading = _drawn(err, f"reading {name} (MiB):")
    assert reading[0] == (0, 1) and reading[-1] == (1, 1)
    stores = _drawn(err, f"checking {name}, stores:")
    assert stores == [(done, 100) for done in (0, 17, 34, 51, 68, 85, 100)]
    assert f"\rmaking the findings of {name} " in err.getvalue()
    assert err.getvalue().index("(MiB):") < err.getvalue().index("stores:")


def test_a_snapshot_checked_in_parts_shows_the_part_checked_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(progress, "MIN_INTERVAL", 0.0)
    monkeypatch.setattr(in_step, "BLOCK", 20)
    name = _inventory(tmp_path, 100)
    err = FakeTerminal()
    argv = ["check", *BENCH, "--snapshot", name, "--stream-from", "0", "--jobs", "2"]
    main(argv, out=io.StringIO(), err=err, environ={})
    assert _drawn(err, f"checking {name}, stores:") == []
    part = _drawn(err, f"checking {name}, part 1 of 2, stores:")
    assert part == [(done, 50) for done in (0, 20, 40, 50)]
    assert f"\rchecking {name}, part 2 of 2 " in err.getvalue()  # then waits for the worker


def test_a_snapshot_read_whole_shows_no_stores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(progress, "MIN_INTERVAL", 0.0)
    name = _inventory(tmp_path, 30)
    err = FakeTerminal()
    main(["check", *BENCH, "--snapshot", name], out=io.StringIO(), err=err, environ={})
    assert "stores:" not in err.getvalue() and "(MiB)" not in err.getvalue()
    assert "\rchecking snapshots: 1 of 1 (" in err.getvalue()


def test_a_long_stage_loses_its_start_but_never_the_counts() -> None:
    stream = io.StringIO()
    line = ProgressLine(stream, clock=lambda: 0.0)
    stage = "checking " + "/very/deep/folder" * 8 + "/inventory.json, stores:"
    line(stage, 500, 1_000_000)
    drawn = stream.getvalue()[1:]
    assert len(drawn) == 78
    assert drawn.startswith("…") and drawn.endswith(
        "/inventory.json, stores: 500 of 1,000,000 (0 s)"
    )
