"""Redaction of secret-looking values from evidence, in every output format.

Snapshots are exports of real configuration, and configuration holds credentials. Reports are
archived, attached to tickets and printed, so whatever a check quotes from a snapshot passes
through :func:`redact` first. What is redacted (each replaced by ``[REDACTED]``):

- private key blocks (``-----BEGIN … PRIVATE KEY-----`` to the matching END line);
- the password in URLs such as ``https://user:password@host`` (the user and host stay);
- JSON Web Tokens (``eyJ….eyJ….…``);
- GitHub tokens (``ghp_``, ``gho_``, ``ghu_``, ``ghs_``, ``ghr_``, ``github_pat_``);
- Slack tokens (``xoxa-``, ``xoxb-``, ``xoxp-``, ``xoxr-``, ``xoxs-``) and Slack webhook URLs;
- AWS access key ids (``AKIA…``, ``ASIA…`` and the other 4-letter prefixes, 20 characters);
- bearer tokens (``Bearer`` followed by a token of at least 16 characters with a digit);
- the value of key-value pairs whose key ends in password, passwd, pwd, secret, token,
  api key, access key, secret key, private key, client secret or credential(s), written
  ``key=value``, ``key: value`` or ``"key": "value"`` (the key stays, so the reader knows what
  was there);
- a 40-character base64 string after a key-ish word (``aws``, ``secret``, ``key``) — the shape
  of an AWS secret access key;
- e-mail addresses;
- any other run of 32 or more base64/base64url characters that mixes upper case, lower case
  and digits and looks random (at least 4 bits of entropy per character).

Deliberately *not* redacted: hexadecimal strings (SHA-256 digests, commit ids, KMS key ids,
UUIDs) and lower-case identifiers however long (bucket names, ARNs, Terraform addresses). They
are how a reader finds the resource, and hex alone is the usual shape of an id, not a secret.

Only evidence is redacted — what came from a snapshot: finding messages, expected and actual
values, resource names and evidence paths, and diagnostic messages. Promises, remediation and
waiver justifications are written by the policy's authors and are shown as written.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections import Counter
from functools import lru_cache

from checker.diagnostics import Diagnostic, Location
from checker.model import Finding, Result

MASK = "[REDACTED]"

_KEY_WORDS = (
    r"password|passwd|pwd|passphrase|secret|token|api[_-]?key|apikey|access[_-]?key|"
    r"secret[_-]?key|private[_-]?key|client[_-]?secret|credentials?"
)

# One alternation, tried left to right at each position: a single scan per string.
_PATTERN = re.compile(
    r"""
    (?P<pem>-----BEGIN[ A-Z0-9]*PRIVATE\ KEY(?:\ BLOCK)?-----
        (?:.*?-----END[ A-Z0-9]*PRIVATE\ KEY(?:\ BLOCK)?-----|[A-Za-z0-9+/=\s:,-]*))
  | (?P<url_scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)(?P<url_user>[^\s:/@?\#\[\]]+):
        (?P<url_pass>[^\s/@?\#]+)(?=@)
  | (?P<jwt>\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*)
  | (?P<github>\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b)
  | (?P<slack>\bxox[abprs]-[A-Za-z0-9-]{10,}
        |https://hooks\.slack\.com/services/[A-Za-z0-9/_-]+)
  | (?P<aws_id>\b(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ABIA|ACCA|A3T[A-Z0-9])
        [A-Z0-9]{16}\b)
  | (?P<bearer_word>\b[Bb]earer\s+)
        (?P<bearer>(?=[A-Za-z0-9._~+/=-]*[0-9])[A-Za-z0-9._~+/-]{16,}=*)
  | (?P<kv_key>(?<![A-Za-z0-9])[A-Za-z0-9_.-]*?(?i:"""
    + _KEY_WORDS
    + r""")(?![A-Za-z0-9_]))
        (?P<kv_sep>["']?[ \t]*[:=][ \t]*)
        (?P<kv_val>\[REDACTED\]|"[^"\n]*"|'[^'\n]*'|[^\s"',;&}\]]+)
  | (?P<aws_word>(?<![A-Za-z])(?i:aws|secret|key)[^\n]{0,20}?)
        (?P<aws_secret>(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=]))
  | (?P<email>\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b)
  | (?P<blob>(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/_-]{32,}=*)
    """,
    re.VERBOSE | re.DOTALL,
)

# A cheap superset of the pattern above, so that most evidence skips the full scan (tens of
# microseconds per string). Each alternative needs: a marker of its own (PEM, URL, JWT,
# GitHub, Slack, bearer, e-mail); or a key word followed somewhere by ':' or '=' (key-value
# secrets); or a run of 20 token characters that has an upper-case letter (AWS key ids,
# random blobs) or follows aws/secret/key (an AWS secret key).
_MARKERS = (
    "-----begin",
    "eyj",
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "xox",
    "bearer",
    "@",
    "://",
)
_KEY_MARKERS = ("password", "passwd", "pwd", "passphrase", "secret", "token", "key", "credential")
_AWS_WORDS = ("aws", "secret", "key")
# The lookbehind makes the scan try only where a run starts, so it stays linear.
_TOKEN_RUN = re.compile(r"(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{20}")


def _maybe_secret(text: str) -> bool:
    low = text.lower()
    if any(marker in low for marker in _MARKERS):
        return True
    if ("=" in text or ":" in text) and any(word in low for word in _KEY_MARKERS):
        return True
    if _TOKEN_RUN.search(text) is None:
        return False
    return not text.islower() or any(word in low for word in _AWS_WORDS)


_HEX = re.compile(r"[0-9a-fA-F-]+=*\Z")


def _looks_random(text: str) -> bool:
    """Mixed case and digits, not hex, and high character entropy: the shape of a key."""
    core = text.rstrip("=")
    if _HEX.match(core):
        return False
    if not (
        any(c.isupper() for c in core)
        and any(c.islower() for c in core)
        and sum(c.isdigit() for c in core) >= 2
    ):
        return False
    counts = Counter(core)
    size = len(core)
    entropy = -sum(n / size * math.log2(n / size) for n in counts.values())
    return entropy >= 4.0


def _replace(match: re.Match[str]) -> str:
    kind = match.lastgroup
    if kind == "url_pass":
        return f"{match['url_scheme']}{match['url_user']}:{MASK}"
    if kind == "bearer":
        return f"{match['bearer_word']}{MASK}"
    if kind == "kv_val":
        value = match["kv_val"]
        quote = value[0] if value[:1] in ("'", '"') else ""
        return f"{match['kv_key']}{match['kv_sep']}{quote}{MASK}{quote}"
    if kind == "aws_secret":
        return f"{match['aws_word']}{MASK}"
    if kind == "blob":
        return MASK if _looks_random(match["blob"]) else match["blob"]
    return MASK


@lru_cache(maxsize=65536)
def redact(text: str) -> str:
    """``text`` with secret-looking substrings replaced by ``[REDACTED]``."""
    if len(text) < 8 or not _maybe_secret(text):
        return text
    return _PATTERN.sub(_replace, text)


def _redact_location(location: Location | None) -> Location | None:
    if location is None or not any(isinstance(p, str) for p in location.path):
        return location
    path = tuple(redact(p) if isinstance(p, str) else p for p in location.path)
    return location if path == location.path else dataclasses.replace(location, path=path)


def _redact_finding(finding: Finding) -> Finding:
    message, expected = redact(finding.message), redact(finding.expected)
    actual, resource = redact(finding.actual), redact(finding.resource)
    evidence = _redact_location(finding.evidence_location)
    if (
        message == finding.message
        and expected == finding.expected
        and actual == finding.actual
        and resource == finding.resource
        and evidence is finding.evidence_location
    ):
        return finding
    return dataclasses.replace(
        finding,
        message=message,
        expected=expected,
        actual=actual,
        resource=resource,
        evidence_location=evidence,
    )


def _redact_diagnostic(diagnostic: Diagnostic) -> Diagnostic:
    message = redact(diagnostic.message)
    location = _redact_location(diagnostic.location)
    if message == diagnostic.message and location is diagnostic.location:
        return diagnostic
    assert location is not None
    return dataclasses.replace(diagnostic, message=message, location=location)


def redact_result(result: Result) -> Result:
    """A copy of ``result`` whose evidence is redacted; ``result`` itself is not changed."""
    return dataclasses.replace(
        result,
        findings=[_redact_finding(f) for f in result.findings],
        diagnostics=[_redact_diagnostic(d) for d in result.diagnostics],
        documents=list(result.documents),
        waivers=list(result.waivers),
        pass_counts=list(result.pass_counts),
    )
