"""The pipeline: options in, a result out; the unit of work and merging its results.

``run_check`` is load → a unit per snapshot → merge. Merging the units must give exactly what
checking every snapshot in one pass gives (the order findings had before there were units),
so that units can later run on other processes and machines.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

from checker.cli.check import check_options
from checker.cli.main import main
from checker.core.diagnostics import IMPORT_FAILED, Diagnostic, Location
from checker.core.errors import UnusableInputs, UsageError
from checker.core.results import Severity, Status
from checker.documents import load_document
from checker.evaluation.engine import PolicySet, check_policy, check_unit, merge_results
from checker.evaluation.frameworks import references_by_check
from checker.evaluation.snapshot import Snapshot, resolve_imports
from checker.evaluation.waivers import apply_waivers, parse_waivers
from checker.pipeline import NOW, CheckOptions, run_check
from reports.outputs import render
from tests.conftest import REPO

AS_OF = dt.date(2026, 11, 21)
LIBRARY = sorted(str(p) for p in (REPO / "policies/library").glob("*.yaml"))
EXAMPLES = REPO / "policies/examples"
SNAPSHOTS = [
    str(EXAMPLES / "compliant/snapshot.yaml"),
    str(EXAMPLES / "violating/snapshot.yaml"),
    str(EXAMPLES / "terraform/snapshot.yaml"),  # imports a Terraform plan
]
WAIVERS = str(EXAMPLES / "waivers.yaml")


def _views() -> list[Snapshot]:
    views = []
    for path in SNAPSHOTS:
        view, notes = resolve_imports(load_document(path))
        assert not notes
        views.append(view)
    return views


def _one_pass(count_passes: bool) -> tuple[list[object], list[object]]:
    """Every snapshot at once, as the engine did before units: each policy against each
    snapshot in turn, then the waivers over everything."""
    policies = [load_document(p) for p in LIBRARY]
    references = references_by_check()
    items = [
        item
        for policy in policies
        for view in _views()
        for item in check_policy(
            policy, view, AS_OF, references=references, count_passes=count_passes
        )
    ]
    findings = [i for i in items if not hasattr(i, "count")]
    counted = [i for i in items if hasattr(i, "count")]
    waived, _, _ = apply_waivers(
        findings,  # type: ignore[arg-type]
        parse_waivers(load_document(WAIVERS)),
        AS_OF,
    )
    return list(waived), counted


@pytest.mark.parametrize("count_passes", [False, True], ids=["listed", "counted"])
def test_merged_units_equal_checking_every_snapshot_at_once(count_passes: bool) -> None:
    options = CheckOptions(LIBRARY, SNAPSHOTS, WAIVERS, as_of=AS_OF, count_passes=count_passes)
    result = run_check(options)
    findings, counted = _one_pass(count_passes)
    assert result.findings == findings  # the same findings, in the same order
    assert result.pass_counts == counted
    assert len(result.findings) > 100 and {f.status for f in result.findings} >= {
        Status.FAIL,
        Status.WAIVED,
    }

    # The units by hand, merged: the same result, totals and exit code.
    policy_set = PolicySet.of(
        [load_document(p) for p in LIBRARY], as_of=AS_OF, count_passes=count_passes
    )
    units = [check_unit(policy_set, view) for view in _views()]
    assert [len([d for d in u.documents if d.kind == "snapshot"]) for u in units] == [1, 1, 1]
    merged = merge_results(units, waivers=load_document(WAIVERS))
    assert merged.findings == result.findings
    assert merged.pass_counts == result.pass_counts
    assert merged.counts() == result.counts()
    assert len(merged.blocking()) == len(result.blocking())
    assert merged.exit_code() == result.exit_code() == 1
    assert merged.documents == result.documents
    assert merged.waivers == result.waivers
    assert merged.diagnostics == result.diagnostics


def test_units_merged_in_any_order_hold_the_same_findings() -> None:
    policy_set = PolicySet.of([load_document(p) for p in LIBRARY], as_of=AS_OF)
    units = [check_unit(policy_set, view) for view in _views()]
    forwards, backwards = merge_results(units), merge_results(units[::-1])
    assert sorted(map(repr, backwards.findings)) == sorted(map(repr, forwards.findings))
    assert backwards.counts() == forwards.counts()
    assert backwards.exit_code() == forwards.exit_code()


def test_merging_refuses_units_of_different_runs() -> None:
    policy_set = PolicySet.of([load_document(LIBRARY[0])], as_of=AS_OF)
    unit = check_unit(policy_set, _views()[0])
    later = dataclasses.replace(unit, as_of=AS_OF + dt.timedelta(days=1))
    with pytest.raises(ValueError, match="same date"):
        merge_results([unit, later])
    other = check_unit(PolicySet.of([load_document(LIBRARY[1])], as_of=AS_OF), _views()[0])
    with pytest.raises(ValueError, match="same policies"):
        merge_results([unit, other])
    with pytest.raises(ValueError, match="at least one"):
        merge_results([])


def test_the_engine_reads_no_framework_file_during_evaluation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The references are loaded once, before the units, and given to them."""
    import checker.evaluation.engine
    import checker.evaluation.frameworks

    policy_set = PolicySet.of([load_document(LIBRARY[0])], as_of=AS_OF)

    def forbidden() -> None:
        raise AssertionError("a framework file read during evaluation")

    monkeypatch.setattr(checker.evaluation.frameworks, "references_by_check", forbidden)
    monkeypatch.setattr(checker.evaluation.engine, "references_by_check", forbidden)
    result = check_unit(policy_set, _views()[1])
    assert any(f.references for f in result.findings)
    own = PolicySet.of([load_document(LIBRARY[0])], as_of=AS_OF, references={})
    assert not any(f.references for f in check_unit(own, _views()[1]).findings if not f.waiver)


def test_generated_at_is_set_when_the_result_is_made() -> None:
    def stamped(generated_at: str) -> str:
        options = CheckOptions(LIBRARY[:1], SNAPSHOTS[:1], as_of=AS_OF, generated_at=generated_at)
        return run_check(options).generated_at

    assert stamped("") == ""
    assert stamped("2026-11-21T12:00:00+00:00") == "2026-11-21T12:00:00+00:00"
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    moment = dt.datetime.fromisoformat(stamped(NOW))
    assert before <= moment <= dt.datetime.now(dt.UTC)


def test_inputs_that_cannot_be_used_raise_a_typed_error(tmp_path: Path) -> None:
    missing_path = str(tmp_path / "nope.yaml")
    with pytest.raises(UnusableInputs) as missing:
        run_check(CheckOptions([missing_path], SNAPSHOTS[:1], as_of=AS_OF))
    assert [(d.code, d.location.file) for d in missing.value.diagnostics] == [
        ("io-error", missing_path)
    ]
    snapshot = tmp_path / "snapshot.yaml"
    text = Path(SNAPSHOTS[2]).read_text(encoding="utf-8")
    snapshot.write_text(text.replace("plan.json", "gone.json"), encoding="utf-8")
    with pytest.raises(UnusableInputs) as unreadable:
        run_check(CheckOptions(LIBRARY[:1], [str(snapshot)], as_of=AS_OF))
    assert [d.code for d in unreadable.value.diagnostics] == [IMPORT_FAILED]
    assert all(d.unreadable for d in unreadable.value.diagnostics)
    assert not Diagnostic(Location("x", None), "m", "schema").unreadable
    with pytest.raises(UsageError, match="nothing to check"):
        CheckOptions([], SNAPSHOTS)


def _args(**given: object) -> argparse.Namespace:
    """``check``'s options as the real parser defaults them, with ``given`` over them."""
    from checker.cli.main import build_parser

    defaults = vars(build_parser().parse_args(["check"]))
    return argparse.Namespace(**{**defaults, **given})


def test_options_are_merged_once_the_command_line_over_the_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    config = tmp_path / "policy-check.yaml"
    config.write_text(
        "policy_check: 1\npolicies: [p.yaml]\nsnapshots: [s.yaml]\nwaivers: w.yaml\n"
        'fail_on: high\nas_of: "2026-01-01"\noutputs:\n  - {format: html, path: r.html}\n',
        encoding="utf-8",
    )
    from_config = check_options(_args(), {})
    assert [str(s.name) for s in from_config.policies] == ["p.yaml"]  # type: ignore[union-attr]
    assert (from_config.as_of, from_config.fail_on) == (dt.date(2026, 1, 1), Severity.HIGH)
    assert [t.format for t in from_config.outputs] == ["html"]
    assert from_config.config == "policy-check.yaml"
    given = check_options(
        _args(config=str(config), policy=["q.yaml"], fail_on="low", as_of=AS_OF),
        {"SOURCE_DATE_EPOCH": "0"},
    )
    assert [str(s.name) for s in given.policies] == ["q.yaml"]  # type: ignore[union-attr]
    assert [str(s.name) for s in given.snapshots] == ["s.yaml"]  # type: ignore[union-attr]
    assert (given.as_of, given.fail_on) == (AS_OF, Severity.LOW)
    assert given.generated_at == "1970-01-01T00:00:00+00:00"
    with pytest.raises(dataclasses.FrozenInstanceError):
        given.as_of = AS_OF  # type: ignore[misc]


def test_the_library_example_runs_without_argparse() -> None:
    """The examples of docs/library.md, run as a library user would: no command line."""
    text = (REPO / "docs/library.md").read_text(encoding="utf-8")
    code = "\n".join(re.findall(r"```python\n(.*?)```", text, re.S))
    assert "run_check" in code and "run_validate" in code and "merge_results" in code
    code += "\nimport sys\nassert 'argparse' not in sys.modules, 'the library needs argparse'\n"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr


def test_the_command_renders_what_run_check_returns() -> None:
    argv = ["check", *[a for p in LIBRARY for a in ("--policy", p)]]
    argv += [*[a for s in SNAPSHOTS for a in ("--snapshot", s)], "--waivers", WAIVERS]
    argv += ["--as-of", AS_OF.isoformat(), "--format", "json"]
    out = io.StringIO()
    assert main(argv, out=out, err=io.StringIO(), environ={}) == 1
    stream = io.StringIO()
    render(run_check(CheckOptions(LIBRARY, SNAPSHOTS, WAIVERS, as_of=AS_OF)), stream, "json")
    assert stream.getvalue() == out.getvalue()
