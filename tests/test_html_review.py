"""What a review meeting needs from the HTML report, checked on the bundled demo run.

The demo (``policy-check.yaml``: the 2025 consumer policy against the violating example
snapshot, with the example waivers) breaks every one of its 25 promises, shares identifiable
data with three recipients in five ways and has one waiver that lapsed: the states the report
must put in words a meeting can act on.
"""

from __future__ import annotations

import io
import json
import re
from html import unescape

import pytest

from checker.cli.main import main
from checker.core.results import DocumentInfo
from reports import get_reporter
from reports.html import _css_string, _path
from reports.json_report import result_from_dict
from tests.conftest import REPO
from tests.report_fixtures import mixed_result


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, object]]:
    """The demo's HTML report and its JSON results."""
    folder = tmp_path_factory.mktemp("demo")
    html, results = folder / "report.html", folder / "results.json"
    code = main(
        [
            "check",
            "--config",
            str(REPO / "policy-check.yaml"),
            "--no-config-outputs",
            "--output",
            f"html={html}",
            "--output",
            f"json={results}",
        ],
        out=io.StringIO(),
        err=io.StringIO(),
        environ={},
    )
    assert code == 1
    return html.read_text(encoding="utf-8"), json.loads(results.read_text(encoding="utf-8"))


def text_of(html: str) -> str:
    """The report's words, without tags, on one line."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_each_policy_shows_owner_description_and_source(demo: tuple[str, object]) -> None:
    words = text_of(demo[0])
    assert "Anthropic privacy team" in words
    assert re.search(r"shared\s*/\s*seeds\s*/\s*000_2c03690bf39f4ccd\.txt", words)
    assert "Consumer conversations (Free, Pro, Max) are used for training by default" in words


def test_needs_attention_says_how_many_more(demo: tuple[str, object]) -> None:
    banner = demo[0][: demo[0].index("</header>")]
    shown = banner.count('<li><span class="badge sev-')
    assert shown == 5
    # 24 promises need attention (the 25th is broken only where a waiver covers it), and
    # minors-protected is both failing and not evidenced: 25 cards, 19 more than shown.
    cards = demo[0].count('<article class="card')
    assert cards == 25
    assert "+19 more promises need attention" in text_of(banner)


def test_resource_counts_count_resources_not_findings(demo: tuple[str, object]) -> None:
    # Third-party sharing fails five times for three recipients.
    html = demo[0]
    failures = html[html.index('id="failures"') :]
    card = failures[failures.index("No identifiable user data is shared with third parties") :]
    card = card[: card.index("</article>")]
    assert "3 resources, 5 findings" in text_of(card)


def test_promises_kept_counts_promises(demo: tuple[str, object]) -> None:
    # All 25 promises are broken somewhere; the session cache's is otherwise only waived.
    assert "0 of 25 promises kept" in text_of(demo[0])


def test_every_finding_has_a_remediation(demo: tuple[str, dict[str, object]]) -> None:
    findings = demo[1]["findings"]
    assert isinstance(findings, list) and findings
    assert all(f["remediation"].strip() for f in findings)
    assert "no remediation given" not in demo[0]


def test_waivers_say_when_and_by_whom_they_were_granted(demo: tuple[str, object]) -> None:
    words = text_of(demo[0])
    assert "granted 14 October 2026 by Dana Whitfield (Data Protection Officer)" in words
    assert "until 31 March 2027 (130 days) granted 14 October 2026" in words


def test_a_failing_card_mentions_its_expired_waiver(demo: tuple[str, object]) -> None:
    html = demo[0]
    failures = html[html.index('id="failures"') : html.index('id="waivers"')]
    words = text_of(failures)
    assert (
        "Waiver expired external-audit-postponed covered this until 30 September 2026 "
        "(granted 20 April 2026 by Priya Raman (Chief Privacy Officer), ticket GRC-412 ); "
        "it no longer applies."
    ) in words


def test_sign_off_block_and_no_contradictory_print_hint(demo: tuple[str, object]) -> None:
    words = text_of(demo[0])
    assert "Sign-off" in words and "Reviewed by" in words and "Decision" in words
    assert "collapsed in print" not in words


def test_pass_rows_state_each_promise_once(demo: tuple[str, object]) -> None:
    html = demo[0]
    passes = html[html.index('id="passes"') : html.index('id="sign-off"')]
    screen = passes[: passes.index('class="print-only passes-print"')]
    promise = "Conversations are encrypted at rest with managed keys"
    stated = text_of(screen).count(promise)
    assert stated <= 1, f"the promise is repeated {stated} times among the passes"


def test_policy_about_round_trips_through_json_results() -> None:
    result = mixed_result()
    result.documents[0] = DocumentInfo(
        "policy", "p.yaml", "p", "P", "1", "2026-01-01", owner="Privacy", source="doc"
    )
    stream = io.StringIO()
    get_reporter("json").render(result, stream)
    data = json.loads(stream.getvalue())
    assert {"owner": "Privacy", "source": "doc"}.items() <= data["documents"][0].items()
    assert "description" not in data["documents"][0]  # left out when not set
    again = result_from_dict(data)
    assert again.documents[0].owner == "Privacy" and again.documents[0].source == "doc"


@pytest.mark.parametrize(
    "hostile",
    ['"; } body { display: none } /*', "</style><script>alert(1)</script>", "a\\\nb", "ünï"],
)
def test_running_header_string_cannot_escape_css(hostile: str) -> None:
    quoted = str(_css_string(hostile))
    inner = quoted[1:-1]
    assert quoted.startswith('"') and quoted.endswith('"') and '"' not in inner
    assert re.fullmatch(r"(?:[A-Za-z0-9]|\\[0-9a-f]{6})*", inner)


def test_paths_break_only_after_slashes() -> None:
    assert str(_path("/a/b<c>/d-e.yaml:12:3")) == (
        '/<wbr><span class="seg">a</span>/<wbr><span class="seg">b&lt;c&gt;</span>/<wbr>'
        '<span class="seg">d-e.yaml:12:3</span>'
    )


def test_json_results_schema_knows_the_new_fields() -> None:
    schema = json.loads((REPO / "policies/schemas/results.schema.json").read_text())
    properties = schema["$defs"]["document"]["properties"]
    assert {"owner", "description", "source"} <= properties.keys()
