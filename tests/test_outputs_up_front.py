"""Outputs and options are checked before any work: nothing is read, checked or written when
one of them is wrong, and an input is never overwritten by a report.

"Before any work" is proved by making reading an input or evaluating a policy fail the test
(the run would exit 3), and by the files on disk: no report written, inputs untouched.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import threading
from pathlib import Path
from typing import TextIO

import pytest

from tests.conftest import REPO, CliRunner
from tests.input_samples import AS_OF, IMPORTS, PLAN, POLICY, SNAPSHOT, WAIVERS


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Good inputs in a folder that is the current folder."""
    (tmp_path / "policy.yaml").write_text(POLICY, encoding="utf-8")
    (tmp_path / "snapshot.yaml").write_text(SNAPSHOT, encoding="utf-8")
    (tmp_path / "waivers.yaml").write_text(WAIVERS, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def no_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading an input or evaluating a policy is a bug in these tests (exit 3)."""
    import checker.documents.inputs
    import checker.execution.units

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("work started")

    monkeypatch.setattr(checker.documents.inputs, "load_document", forbidden)
    monkeypatch.setattr(checker.execution.units, "check_unit", forbidden)


def _snapshots(project: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(project.iterdir()) if p.is_file()}


def _run(
    run_cli: CliRunner, capsys: pytest.CaptureFixture[str], *argv: str, **kw: object
) -> tuple[int, str]:
    base = ["check", "--policy", "policy.yaml", "--snapshot", "snapshot.yaml", "--as-of", AS_OF]
    result = run_cli(*base, *argv, **kw)
    text = result.out + result.err + capsys.readouterr().err
    assert "Traceback" not in text
    assert "internal error" not in text, text
    return result.code, text


def test_the_good_inputs_write_their_reports(
    project: Path, run_cli: CliRunner, capsys: pytest.CaptureFixture[str]
) -> None:
    code, text = _run(run_cli, capsys, "--output", "json=r.json", "--output", "html=out/r.html")
    assert code == 0, text
    assert (project / "r.json").is_file() and (project / "out/r.html").is_file()


# --- formats and the FORMAT=PATH shape --------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("doc=r.doc", "unknown output format 'doc'; choose from github, html, json,"),
        ("html", "expects FORMAT=PATH (e.g. html=report.html), got 'html'"),
        ("html=", "expects FORMAT=PATH (e.g. html=report.html), got 'html='"),
        ("=r.html", "unknown output format ''"),
        (
            "r.txt",
            "expects FORMAT=PATH (e.g. html=report.html), got 'r.txt'; a .txt file is "
            "written by github or text: name one, e.g. text=r.txt",
        ),
        ("r.doc", "expects FORMAT=PATH (e.g. html=report.html), got 'r.doc'"),
    ],
)
def test_a_bad_output_option_is_refused_before_any_work(
    project: Path,
    run_cli: CliRunner,
    capsys: pytest.CaptureFixture[str],
    no_work: None,
    spec: str,
    message: str,
) -> None:
    before = _snapshots(project)
    code, text = _run(run_cli, capsys, "--output", "json=r.json", "--output", spec)
    assert code == 2, text
    assert "argument --output: " + message in text
    assert _snapshots(project) == before  # r.json not written either


@pytest.mark.parametrize(
    ("path", "fmt"),
    [
        ("out/r.html", "html"),
        ("r.json", "json"),
        ("r.sarif", "sarif"),
        ("r.xml", "junit"),
        ("r.md", "markdown"),
        ("R.HTML", "html"),
    ],
)
def test_an_output_without_a_format_takes_it_from_its_extension(
    project: Path, run_cli: CliRunner, capsys: pytest.CaptureFixture[str], path: str, fmt: str
) -> None:
    """``--output report.html``, as ``report`` and ``history`` take it: one format writes that
    extension, so the path says it."""
    code, text = _run(run_cli, capsys, "--output", path)
    assert code == 0, text
    written = (project / path).read_text(encoding="utf-8")
    expected = {"html": "<!DOCTYPE html>", "json": "{", "sarif": "{", "junit": "<?xml"}
    assert written.startswith(expected.get(fmt, "#"))


def test_an_unknown_format_in_the_config_is_refused_at_its_line_before_any_work(
    project: Path, run_cli: CliRunner, capsys: pytest.CaptureFixture[str], no_work: None
) -> None:
    (project / "policy-check.yaml").write_text(
        "policy_check: 1\npolicies: [policy.yaml]\nsnapshots: [snapshot.yaml]\noutputs:\n"
        "  - {format: json, path: r.json}\n  - {format: htm, path: r.html}\n",
        encoding="utf-8",
    )
    before = _snapshots(project)
    result = run_cli("check", "--as-of", AS_OF)
    text = result.out + result.err
    assert result.code == 2, text
    assert "policy-check.yaml:6:14: error: 'htm' is not one of " in text
    assert "did you mean 'html'? (at $.outputs[1].format)" in text
    assert _snapshots(project) == before


def test_the_config_schema_lists_exactly_the_report_formats() -> None:
    from reports import REPORTERS

    schema = json.loads((REPO / "policies/schemas/config.schema.json").read_text())
    formats = schema["properties"]["outputs"]["items"]["properties"]["format"]["enum"]
    assert sorted(formats) == sorted(REPORTERS)


# --- an output onto an input ------------------------------------------------------------------


def _config_writing(project: Path, path: str, snapshots: str = "snapshot.yaml") -> None:
    (project / "policy-check.yaml").write_text(
        f"policy_check: 1\npolicies: [policy.yaml]\nsnapshots: [{snapshots}]\n"
        f"waivers: waivers.yaml\noutputs:\n  - {{format: json, path: {path}}}\n",
        encoding="utf-8",
    )


def test_a_config_output_onto_the_snapshot_is_refused_and_the_snapshot_untouched(
    project: Path, run_cli: CliRunner, no_work: None
) -> None:
    _config_writing(project, "snapshot.yaml")
    before = _snapshots(project)
    result = run_cli("check", "--as-of", AS_OF)
    assert result.code == 2, result.out + result.err
    assert result.err == (
        "policy-check.yaml:6:26: error: output 'snapshot.yaml' would overwrite the snapshot "
        "snapshot.yaml; write the report somewhere else (at $.outputs[0].path)\n"
    )
    assert _snapshots(project) == before


@pytest.mark.parametrize(
    ("target", "what"),
    [
        ("policy.yaml", "the policy policy.yaml"),
        ("./snapshot.yaml", "the snapshot snapshot.yaml"),
        ("{abs}/snapshot.yaml", "the snapshot snapshot.yaml"),
        ("sub/../snapshot.yaml", "the snapshot snapshot.yaml"),
        ("link.yaml", "the snapshot snapshot.yaml"),
        ("hardlink.yaml", "the snapshot snapshot.yaml"),
        ("waivers.yaml", "the waivers waivers.yaml"),
        ("policy-check.yaml", "the config policy-check.yaml"),
        ("snaps/more.yaml", "the snapshot snaps/more.yaml"),
    ],
)
def test_an_output_onto_any_input_is_refused_before_any_work(
    project: Path,
    run_cli: CliRunner,
    capsys: pytest.CaptureFixture[str],
    no_work: None,
    target: str,
    what: str,
) -> None:
    _config_writing(project, "out/r.json", "snapshot.yaml, snaps")
    (project / "sub").mkdir()
    (project / "link.yaml").symlink_to("snapshot.yaml")
    os.link(project / "snapshot.yaml", project / "hardlink.yaml")
    (project / "snaps").mkdir()
    (project / "snaps/more.yaml").write_text(SNAPSHOT, encoding="utf-8")
    before = {p: p.read_bytes() for p in project.rglob("*") if p.is_file()}
    spec = target.format(abs=project)
    result = run_cli("check", "--as-of", AS_OF, "--output", f"json={spec}")
    assert result.code == 2, result.out + result.err
    assert result.err == (
        f"--output json={spec}: error: --output json={spec} would overwrite {what}; "
        "write the report somewhere else\n"
    )
    assert {p: p.read_bytes() for p in project.rglob("*") if p.is_file()} == before


def test_an_output_onto_an_imported_export_is_refused_before_checking(
    project: Path, run_cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    import checker.execution.units

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("checking started")

    monkeypatch.setattr(checker.execution.units, "check_unit", forbidden)
    shutil.copy(PLAN, project / "plan.json")
    (project / "snapshot.yaml").write_text(SNAPSHOT + IMPORTS, encoding="utf-8")
    before = (project / "plan.json").read_bytes()
    result = run_cli(
        "check", "--policy", "policy.yaml", "--snapshot", "snapshot.yaml", "--as-of", AS_OF,
        "--output", "json=plan.json",
    )  # fmt: skip
    assert result.code == 2, result.out + result.err
    assert result.err == (
        "--output json=plan.json: error: --output json=plan.json would overwrite the export "
        "plan.json (imported by snapshot.yaml); write the report somewhere else\n"
    )
    assert (project / "plan.json").read_bytes() == before


# --- outputs onto each other, or onto a folder ------------------------------------------------


def test_two_outputs_to_one_file_are_refused_before_any_work(
    project: Path, run_cli: CliRunner, capsys: pytest.CaptureFixture[str], no_work: None
) -> None:
    before = _snapshots(project)
    code, text = _run(run_cli, capsys, "--output", "json=r.json", "--output", "html=./r.json")
    assert code == 2, text
    assert text == (
        "--output html=./r.json: error: --output html=./r.json writes to the same file as "
        "--output json=r.json; give each report its own path\n"
    )
    assert _snapshots(project) == before


def test_a_config_output_and_an_option_to_one_file_are_refused(
    project: Path, run_cli: CliRunner, no_work: None
) -> None:
    _config_writing(project, "out/r.json")
    result = run_cli("check", "--as-of", AS_OF, "--output", f"html={project}/out/r.json")
    assert result.code == 2, result.out + result.err
    assert "writes to the same file as output 'out/r.json'" in result.err
    assert not (project / "out").exists()


def test_an_output_onto_a_folder_is_refused_before_any_work(
    project: Path, run_cli: CliRunner, capsys: pytest.CaptureFixture[str], no_work: None
) -> None:
    (project / "out").mkdir()
    code, text = _run(run_cli, capsys, "--output", "html=out")
    assert code == 2, text
    assert "--output html=out is a folder; give a file name, e.g. out/report.html" in text
    assert list((project / "out").iterdir()) == []


def test_an_output_under_a_file_is_refused_before_any_work(
    project: Path, run_cli: CliRunner, capsys: pytest.CaptureFixture[str], no_work: None
) -> None:
    """A file where the report's folder would be made said "File exists" after the run."""
    code, text = _run(run_cli, capsys, "--output", "html=snapshot.yaml/sub/r.html")
    assert code == 2, text
    assert (
        "--output html=snapshot.yaml/sub/r.html cannot be written: snapshot.yaml is a file, "
        "not a folder"
    ) in text
    assert "File exists" not in text


def test_an_output_to_a_dash_is_refused_before_any_work(
    project: Path, run_cli: CliRunner, capsys: pytest.CaptureFixture[str], no_work: None
) -> None:
    """``--output sarif=-`` wrote a file named ``-``, where a user means standard output."""
    code, text = _run(run_cli, capsys, "--output", "sarif=-")
    assert code == 2, text
    assert (
        "--output sarif=- would write a file named '-'; for standard output use --format sarif"
    ) in text
    assert not (project / "-").exists()


# --- --generated-at and SOURCE_DATE_EPOCH -----------------------------------------------------


@pytest.mark.parametrize(
    "value", ["banana", "", "2026-11-21", "2026-13-01T00:00:00Z", "21/11/2026 12:00"]
)
def test_a_bad_generated_at_is_refused_before_any_work(
    project: Path,
    run_cli: CliRunner,
    capsys: pytest.CaptureFixture[str],
    no_work: None,
    value: str,
) -> None:
    before = _snapshots(project)
    code, text = _run(run_cli, capsys, "--generated-at", value, "--output", "json=r.json")
    assert code == 2, text
    assert f"argument --generated-at: {value!r} is not a date and time" in text
    assert "e.g. 2026-11-21T12:00:00Z, or 'now'" in text
    assert _snapshots(project) == before


@pytest.mark.parametrize(
    ("value", "stamped"),
    [
        ("2026-11-21T12:00:00+00:00", "2026-11-21T12:00:00+00:00"),
        ("2026-11-21T12:00:00Z", "2026-11-21T12:00:00+00:00"),
        ("2026-11-21T13:30:00+01:00", "2026-11-21T13:30:00+01:00"),
        ("2026-11-21T12:00:00", "2026-11-21T12:00:00+00:00"),
        ("2026-11-21 12:00", "2026-11-21T12:00:00+00:00"),
    ],
)
def test_generated_at_takes_an_iso_8601_date_and_time(
    project: Path,
    run_cli: CliRunner,
    capsys: pytest.CaptureFixture[str],
    value: str,
    stamped: str,
) -> None:
    code, text = _run(run_cli, capsys, "--generated-at", value, "--format", "json")
    assert code == 0, text
    assert json.loads(text)["generated_at"] == stamped


@pytest.mark.parametrize("epoch", ["banana", "-1", "1.5", "99999999999999999999"])
def test_a_bad_source_date_epoch_is_refused_before_any_work(
    project: Path,
    run_cli: CliRunner,
    capsys: pytest.CaptureFixture[str],
    no_work: None,
    epoch: str,
) -> None:
    code, text = _run(run_cli, capsys, environ={"SOURCE_DATE_EPOCH": epoch})
    assert code == 2, text
    assert f"SOURCE_DATE_EPOCH={epoch!r} is not a number of seconds since 1970-01-01" in text


# --- a config named on the command line is used -----------------------------------------------


def test_a_config_named_with_paths_on_the_command_line_still_writes_its_outputs(
    project: Path, run_cli: CliRunner, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "conf").mkdir()
    (project / "conf/policy-check.yaml").write_text(
        "policy_check: 1\npolicies: [missing.yaml]\nsnapshots: [missing.yaml]\nfail_on: high\n"
        "outputs:\n  - {format: json, path: out/r.json}\n",
        encoding="utf-8",
    )
    code, text = _run(run_cli, capsys, "--config", "conf/policy-check.yaml")
    assert code == 0, text
    results = json.loads((project / "conf/out/r.json").read_text(encoding="utf-8"))
    assert results["fail_on"] == "high"
    assert [d["file"] for d in results["documents"]] == ["policy.yaml", "snapshot.yaml"]


def test_an_output_path_with_a_nul_character_is_refused_before_any_work(
    project: Path, run_cli: CliRunner, no_work: None
) -> None:
    """No file system takes the name: a usage error, shown escaped on one line."""
    _config_writing(project, '"o\\0.json"')
    result = run_cli("check", "--as-of", AS_OF)
    assert result.code == 2, result.out + result.err
    assert result.err == (
        "policy-check.yaml:6:26: error: output 'o\\x00.json' contains a NUL character "
        "(at $.outputs[0].path)\n"
    )


def test_pdf_without_a_browser_is_refused_before_any_work(
    project: Path,
    run_cli: CliRunner,
    capsys: pytest.CaptureFixture[str],
    no_work: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("POLICY_CHECK_CHROMIUM", str(project / "no-such-browser"))
    before = _snapshots(project)
    code, text = _run(run_cli, capsys, "--output", "json=r.json", "--output", "pdf=r.pdf")
    assert code == 2, text
    assert "--output pdf=r.pdf: error: PDF output needs Chromium and none was found" in text
    assert "POLICY_CHECK_CHROMIUM" in text
    assert _snapshots(project) == before


# --- special files: written through, never replaced -----------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_an_output_to_a_named_pipe_is_written_through_it(
    project: Path, run_cli: CliRunner, capsys: pytest.CaptureFixture[str]
) -> None:
    # A report written to a FIFO (or /dev/null, /dev/stdout) reaches whatever reads it; it
    # must not replace the special file with a regular one, which as root would replace
    # /dev/null itself.
    fifo = project / "pipe.json"
    os.mkfifo(fifo)
    received: list[str] = []
    reader = threading.Thread(
        target=lambda: received.append(fifo.read_text(encoding="utf-8")), daemon=True
    )
    reader.start()
    code, text = _run(run_cli, capsys, "--output", "json=pipe.json", "--output", "r.sarif")
    reader.join(timeout=10)
    assert code == 0, text
    assert stat.S_ISFIFO(fifo.lstat().st_mode), "the named pipe was replaced by a file"
    assert received and json.loads(received[0])["verdict"] == "compliant"
    assert (project / "r.sarif").is_file()  # other outputs are still written as files


def test_a_report_that_fails_midway_leaves_no_temporary_file(tmp_path: Path) -> None:
    # The report is written to a temporary file beside the destination, then renamed: when
    # writing stops (a browser that crashes while printing the PDF, Ctrl-C), nothing is left.
    from reports.outputs import Target, write_file

    def broken(stream: TextIO) -> None:
        stream.write("half a report")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_file(Target("html", str(tmp_path / "report.html")), broken)
    assert list(tmp_path.iterdir()) == []
