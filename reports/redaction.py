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
  these three where no letter or digit is glued to them: an underscore joins the words of an
  identifier (``svc_ghp_…``, ``AKIA…_prod``), so it does not hide a token;
- bearer tokens (``Bearer`` followed by a token of at least 16 characters with a digit), also
  where an underscore joins ``Bearer`` to a word before it;
- the value of key-value pairs whose key ends in password, passwd, pwd, secret, token,
  api key, access key, secret key, private key, client secret or credential(s), written
  ``key=value``, ``key: value`` or ``"key": "value"`` (the key stays, so the reader knows what
  was there);
- a 40-character base64 string after a key-ish word (``aws``, ``secret``, ``key``) — the shape
  of an AWS secret access key;
- e-mail addresses, their letters in any script;
- any other run of 32 or more base64/base64url characters that mixes upper case, lower case
  and digits and looks random (at least 4 bits of entropy per character).

Deliberately *not* redacted: hexadecimal strings (SHA-256 digests, commit ids, KMS key ids,
UUIDs) and lower-case identifiers however long (bucket names, ARNs, Terraform addresses). They
are how a reader finds the resource, and hex alone is the usual shape of an id, not a secret.
A token of a shape above inside such an identifier is still redacted (``store-ghp_…`` becomes
``store-[REDACTED]``): a run kept as it is hides nothing.

Only evidence is redacted — what came from a snapshot: finding messages, expected and actual
values, resource names and evidence paths, and diagnostic messages. Promises, remediation and
waiver justifications are written by the policy's authors and are shown as written.

How the scan stays linear
-------------------------

The shapes above are alternatives of one scan: from left to right, at each position the first
shape (in the order listed in :data:`ORDER`) that matches there is replaced, and the scan goes
on after it; a long run kept as it is (one that does not look random) is no match, so the
scan goes on from the next position. Written as one regular expression that is what ``re.sub``
does (the run aside), but some shapes
start with a run of characters of unbounded length (a URL scheme, the local part of an e-mail
address, the name before ``key=``, the first part of a JWT) and ``re`` tries them again at every
position inside such a run: ``a.a.a.a…`` took time quadratic in its length (a minute for 32 KB).

So each shape has a *finder* that gives its leftmost match at or after a position, and
:func:`_scan` takes, among the finders' next matches, the leftmost (the earlier shape on a tie)
— exactly what the single expression did. The finders of the run-led shapes rely on one fact:
whether such a shape matches at a position inside a run depends only on where the run ends and
what follows it, so if it fails at the first position of a run where it may start, it fails at
every later one, and if it matches there, later starts give the same match, shortened. Each
run is therefore read once: the search only starts where a run starts (a lookbehind), and the
result for a run is kept for when a scan resumes in its middle. A private key's END line is
searched for once, not once per BEGIN line. ``tests/test_redaction.py`` checks the result
against the single expression and times adversarial texts of up to a megabyte.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from functools import lru_cache
from itertools import chain
from operator import attrgetter
from typing import NamedTuple

from checker.core.diagnostics import Diagnostic, Location
from checker.core.results import PASSES_TYPECODE, DocumentInfo, Finding, PassCount, Result
from checker.core.spill import Span, decoded

MASK = "[REDACTED]"

# The shapes, in the order they are tried at a position (the order of the alternatives of the
# single expression the scan is equivalent to).
ORDER = (
    "pem",
    "url",
    "jwt",
    "github",
    "slack",
    "aws_id",
    "bearer",
    "kv",
    "aws",
    "email",
    "blob",
)
_RANK = {name: rank for rank, name in enumerate(ORDER)}

_KEY_WORDS = (
    r"password|passwd|pwd|passphrase|secret|token|api[_-]?key|apikey|access[_-]?key|"
    r"secret[_-]?key|private[_-]?key|client[_-]?secret|credentials?"
)
# The characters a key word can start with, matched case-insensitively ('ſ' is a long s).
_KEY_WORD_STARTS = "pPsS\u017ftTaAcC"
# aws, secret and key, any case: each first letter, then the rest ('K' is the Kelvin sign).
_AWS_WORD_SPELLINGS = (
    ("a", "ws"),
    ("A", "ws"),
    ("s", "ecret"),
    ("S", "ecret"),
    ("\u017f", "ecret"),
    ("k", "ey"),
    ("K", "ey"),
    ("\u212a", "ey"),
)


class _Hit(NamedTuple):
    """One match of one shape: where it is, its rank in :data:`ORDER` and its replacement."""

    start: int
    rank: int
    end: int
    replacement: Callable[[], str]


def _masked() -> str:
    return MASK


class _Finder:
    """The leftmost match of one shape at or after a position (asked for ascending positions).

    ``needs`` lists strings one of which every match contains: a text with none of them is not
    searched.
    """

    rank: int
    needs: tuple[str, ...] = ()

    def __init__(self, text: str) -> None:
        self.text = text

    def find(self, pos: int) -> _Hit | None:
        raise NotImplementedError


# --- Shapes with a bounded start --------------------------------------------------------------
#
# Each starts with a fixed character (``\b`` is checked by a lookbehind after it, so that ``re``
# can skip ahead to that character) or only where its run starts, and reads a bounded stretch
# or a run it then consumes: ``re`` searches them in linear time.


class _PatternFinder(_Finder):
    pattern: re.Pattern[str]

    def find(self, pos: int) -> _Hit | None:
        match = self.pattern.search(self.text, pos)
        if match is None:
            return None
        return _Hit(match.start(), self.rank, match.end(), self._replacement(match))

    def _replacement(self, match: re.Match[str]) -> Callable[[], str]:
        return _masked


class _GitHubFinder(_PatternFinder):
    rank = _RANK["github"]
    pattern = re.compile(
        r"g(?<![A-Za-z0-9]g)(?:h[pousr]_[A-Za-z0-9]{36,255}(?![A-Za-z0-9])"
        r"|ithub_pat_[A-Za-z0-9_]{22,255}(?![A-Za-z0-9_]))"
    )


class _SlackFinder(_PatternFinder):
    rank = _RANK["slack"]
    pattern = re.compile(
        r"x(?<![A-Za-z0-9]x)ox[abprs]-[A-Za-z0-9-]{10,}"
        r"|https://hooks\.slack\.com/services/[A-Za-z0-9/_-]+"
    )


class _AwsIdFinder(_PatternFinder):
    rank = _RANK["aws_id"]
    pattern = re.compile(
        r"A(?<![A-Za-z0-9]A)(?:KIA|SIA|GPA|IDA|ROA|IPA|NPA|NVA|BIA|CCA|3T[A-Z0-9])[A-Z0-9]{16}"
        r"(?![A-Za-z0-9])"
    )


class _BearerFinder(_PatternFinder):
    rank = _RANK["bearer"]
    pattern = re.compile(
        r"(?:B(?<![A-Za-z0-9]B)|b(?<![A-Za-z0-9]b))earer\s+"
        r"(?P<token>(?=[A-Za-z0-9._~+/=-]*[0-9])[A-Za-z0-9._~+/-]{16,}=*)"
    )

    def _replacement(self, match: re.Match[str]) -> Callable[[], str]:
        kept = match.string[match.start() : match.start("token")]  # "Bearer "
        return lambda: kept + MASK


class _AwsSecretFinder(_PatternFinder):
    """A 40-character base64 string shortly after aws, secret or key (any case), not a word's
    end: written with the first letter spelt out, so that ``re`` can skip to those letters."""

    rank = _RANK["aws"]
    _words = "|".join(
        f"{first}(?<![A-Za-z]{first})(?i:{rest})" for first, rest in _AWS_WORD_SPELLINGS
    )
    pattern = re.compile(
        rf"(?:{_words})[^\n]{{0,20}}?"
        r"(?P<secret>(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=]))"
    )

    def _replacement(self, match: re.Match[str]) -> Callable[[], str]:
        kept = match.string[match.start() : match.start("secret")]  # the word and what follows
        return lambda: kept + MASK


class _BlobFinder(_PatternFinder):
    rank = _RANK["blob"]
    pattern = re.compile(r"(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/_-]{32,}=*")

    def _replacement(self, match: re.Match[str]) -> Callable[[], str]:
        return lambda: MASK if _looks_random(match[0]) else match[0]


# --- Private keys -----------------------------------------------------------------------------
_PEM_BEGIN = re.compile(r"-----BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----")
_PEM_END = re.compile(r"-----END[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----")
_PEM_BODY = re.compile(r"[A-Za-z0-9+/=\s:,-]*")  # the body of a block whose END line is missing


class _PemFinder(_Finder):
    """A BEGIN line, then the first END line after it, or else the base64 body that follows."""

    rank = _RANK["pem"]
    needs = ("-----BEGIN",)

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self._end_searched_from = -1  # the END line found searching from here on…
        self._end: re.Match[str] | None = None
        self._body = (-1, -1)  # a body read before: (where it was read from, its end)

    def find(self, pos: int) -> _Hit | None:
        begin = _PEM_BEGIN.search(self.text, pos)
        if begin is None:
            return None
        return _Hit(begin.start(), self.rank, self._block_end(begin.end()), _masked)

    def _block_end(self, after: int) -> int:
        # The first END line at or after ``after``: a search from an earlier position that found
        # nothing before ``after`` gave the same answer. Likewise for a body already read.
        end = self._end
        if not (0 <= self._end_searched_from <= after and (end is None or after <= end.start())):
            end = self._end = _PEM_END.search(self.text, after)
            self._end_searched_from = after
        if end is not None:
            return end.end()
        start, stop = self._body
        if not start <= after <= stop:
            stop = _match(_PEM_BODY, self.text, after).end()
            self._body = (after, stop)
        return stop


def _match(pattern: re.Pattern[str], text: str, pos: int) -> re.Match[str]:
    """A match of a pattern that matches the empty string."""
    match = pattern.match(text, pos)
    assert match is not None
    return match


# --- Shapes led by a run ----------------------------------------------------------------------


class _RunFinder(_Finder):
    """A shape that starts inside a run of ``run`` characters and reads it to its end.

    A subclass declares three expressions: ``run_class``, the run's characters (a character
    class body); ``start``, matching (empty) where in a run the shape may start; ``shape``, the
    shape itself. Where it matches depends only on where the run ends and what follows, so the
    first eligible position of a run decides for the whole run. The compiled patterns are
    derived from them: ``guarded`` is the shape preceded by "a run starts here, then skip to
    its first eligible position", with the shape itself in the group ``hit``.
    """

    run_class: str
    start: str
    shape: str
    in_run: Callable[[str, int], re.Match[str] | None]
    run: re.Pattern[str]
    pattern: re.Pattern[str]
    eligible: re.Pattern[str]
    guarded: re.Pattern[str]

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        cls.in_run = re.compile(rf"[{cls.run_class}]").match  # (text, pos): a run's character?
        cls.run = re.compile(rf"[{cls.run_class}]*+")
        cls.pattern = re.compile(cls.shape)
        cls.eligible = re.compile(cls.start)
        if "guarded" not in cls.__dict__:
            cls.guarded = _guarded(cls.run_class, cls.start, cls.shape)

    def __init__(self, text: str) -> None:
        super().__init__(text)
        # The last run looked at: (its first eligible position, its end, the match there).
        self._run: tuple[int, int, re.Match[str] | None] | None = None

    def find(self, pos: int) -> _Hit | None:
        text = self.text
        if pos > 0 and self.in_run(text, pos - 1):
            # The scan resumes inside a run, after another shape's match: the shape may start
            # at the run's eligible positions from ``pos`` on, and they all fare alike.
            hit, pos = self._inside_run(pos)
            if hit is not None:
                return hit
        match = self.guarded.search(text, pos)
        if match is None:
            return None
        start = match.start("hit")
        self._run = (start, _match(self.run, text, start).end(), match)
        return self._hit(match, start)

    def _inside_run(self, pos: int) -> tuple[_Hit | None, int]:
        text = self.text
        known = self._run
        if known is not None and known[0] < pos <= known[1]:
            run_end = known[1]
        else:
            run_end = _match(self.run, text, pos).end()
            known = None
        # Up to the run's end: a shape that may start on the character after the run (an
        # empty match) is still found there.
        eligible = self.eligible.search(text, pos, run_end)
        if eligible is None:
            return None, run_end
        start = eligible.start()
        if known is None:
            shape = self.pattern.match(text, start)
            self._run = (start, run_end, shape)
            return (self._hit(shape, start) if shape else None), run_end
        first = known[2]
        if first is None:
            return None, run_end
        return self._later(first, start, run_end), run_end

    def _later(self, first: re.Match[str], start: int, run_end: int) -> _Hit | None:
        """The match at ``start``, a later eligible position of the run ``first`` matched in."""
        return self._hit(first, start)

    def _hit(self, shape: re.Match[str], start: int) -> _Hit:
        return _Hit(start, self.rank, shape.end(), _masked)


def _chars(run: str) -> str:
    """The characters of a character class body such as ``A-Za-z0-9_-``."""
    return "".join(chr(c) for c in range(128) if re.match(f"[{run}]", chr(c)))


def _guarded(run: str, eligible: str, shape: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![{run}])(?>[{run}]*?{eligible})(?P<hit>{shape})")


_URL_RUN = "A-Za-z0-9+.-"  # URL scheme characters
_URL = (
    rf"(?P<url_scheme>\b[A-Za-z][{_URL_RUN}]*+://)(?P<url_user>[^\s:/@?\#\[\]]++):"
    r"(?P<url_pass>[^\s/@?\#]++)(?=@)"
)


class _UrlFinder(_RunFinder):
    """The password of a URL: the scheme is the run (any start in it reads to '://')."""

    rank = _RANK["url"]
    needs = ("://",)
    run_class, start, shape = _URL_RUN, r"\b(?=[A-Za-z])", _URL

    def _hit(self, shape: re.Match[str], start: int) -> _Hit:
        text, password = self.text, shape.start("url_pass")
        # The scheme, the user and ':' stay. Sliced only when used: the scheme may be long.
        return _Hit(start, self.rank, shape.end(), lambda: text[start:password] + MASK)


_JWT_RUN = "A-Za-z0-9_-"
_JWT = rf"\beyJ[{_JWT_RUN}]{{5,}}+\.eyJ[{_JWT_RUN}]{{5,}}+\.[{_JWT_RUN}]*+"


class _JwtFinder(_RunFinder):
    """A JSON Web Token: its first part is the run (any start in it reads to the '.')."""

    rank = _RANK["jwt"]
    needs = ("eyJ",)
    run_class, start, shape = _JWT_RUN, r"\b(?=eyJ)", _JWT

    def _later(self, first: re.Match[str], start: int, run_end: int) -> _Hit | None:
        if run_end - start < len("eyJ") + 5:  # the first part is too short from here on
            self._run = (start, run_end, None)
            return None
        return self._hit(first, start)


# Letters and digits of any script: an address is personal data whoever writes it
# (``josé@…``, ``françois.dupont@…``, ``…@exämple.org``). Its end is where no letter or digit
# follows, so that ``…@example.org_prod`` is an address too.
_EMAIL_RUN = r"\w.%+-"
_LABEL = r"(?:[^\W_]|-)+"
_EMAIL = rf"\b[{_EMAIL_RUN}]++@{_LABEL}(?:\.{_LABEL})*\.[^\W\d_]{{2,}}(?![^\W_])"


class _EmailFinder(_RunFinder):
    """An e-mail address: the part before '@' is the run."""

    rank = _RANK["email"]
    needs = ("@",)
    run_class, start, shape = _EMAIL_RUN, rf"\b(?=[{_EMAIL_RUN}])", _EMAIL


_KV_RUN = "A-Za-z0-9_.-"
_KV = (
    rf"(?P<kv_key>(?<![A-Za-z0-9])[{_KV_RUN}]*?(?=[{_KEY_WORD_STARTS}])"
    rf"(?P<kv_word>(?i:{_KEY_WORDS}))(?![A-Za-z0-9_]))"
    r"""(?P<kv_sep>["']?[ \t]*[:=][ \t]*)"""
    r"""(?P<kv_val>\[REDACTED\]|"[^"\n]*"|'[^'\n]*'|[^\s"',;&}\]]+)"""
)


class _KeyValueFinder(_RunFinder):
    """The value after a key ending in a key word: the key is the run. The key word ends where
    the run ends (or, matched case-insensitively, a little after it), then ':' or '='."""

    rank = _RANK["kv"]
    needs = (":", "=")
    run_class, start, shape = _KV_RUN, r"(?<![A-Za-z0-9])", _KV
    # Where a run starts is eligible, so nothing is skipped after the lookbehind.
    guarded = re.compile(rf"(?<![{_KV_RUN}])(?P<hit>{_KV})")

    def _later(self, first: re.Match[str], start: int, run_end: int) -> _Hit | None:
        if start <= first.start("kv_word"):  # the same key word and value: a shorter key
            return self._hit(first, start)
        # Past the first key word only a shorter one ending at the same place can match, a few
        # characters before the run's end.
        shape = self.pattern.match(self.text, start)
        self._run = (start, run_end, shape)
        return self._hit(shape, start) if shape else None

    def _hit(self, shape: re.Match[str], start: int) -> _Hit:
        text, value = self.text, shape.start("kv_val")
        quote = text[value] if text[value] in "'\"" else ""
        # The key and the separator stay. Sliced only when used: the key may be long.
        return _Hit(
            start, self.rank, shape.end(), lambda: f"{text[start:value]}{quote}{MASK}{quote}"
        )


_FINDERS: tuple[type[_Finder], ...] = (
    _PemFinder,
    _UrlFinder,
    _JwtFinder,
    _GitHubFinder,
    _SlackFinder,
    _AwsIdFinder,
    _BearerFinder,
    _KeyValueFinder,
    _AwsSecretFinder,
    _EmailFinder,
    _BlobFinder,
)
assert [finder.rank for finder in _FINDERS] == list(range(len(ORDER)))


def _scan(text: str) -> str:
    """``text`` with every secret-looking match replaced, scanning left to right."""
    finders = [
        finder(text)
        for finder in _FINDERS
        if not finder.needs or any(needed in text for needed in finder.needs)
    ]
    hits = [finder.find(0) for finder in finders]
    out: list[str] = []
    pos = 0
    while True:
        best: _Hit | None = None
        chosen = -1
        for index, hit in enumerate(hits):
            if hit is not None and (best is None or hit < best):
                best, chosen = hit, index
        if best is None:
            break
        assert best.end > best.start
        shown = best.replacement()
        if shown == text[best.start : best.end]:
            # Kept as it is (a long run that does not look random): no match, so what other
            # shapes find within it (a token after "store-") is still theirs.
            hits[chosen] = finders[chosen].find(best.end)
            continue
        out.append(text[pos : best.start])
        out.append(shown)
        pos = best.end
        for index, hit in enumerate(hits):
            if hit is not None and hit.start < pos:
                hits[index] = finders[index].find(pos)
    if not out:
        return text
    out.append(text[pos:])
    return "".join(out)


# A cheap superset of the shapes above, so that most evidence skips the full scan (tens of
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
_TOKEN_CHARS = "A-Za-z0-9+/_-"
_TOKEN_RUN = re.compile(rf"(?<![{_TOKEN_CHARS}])[{_TOKEN_CHARS}]{{20}}")
# The same runs in ASCII text, found with bytes.find: each character of a run made "a", each
# other but a line break made " " (see _lines_with_runs).
_IN_RUNS = _chars(_TOKEN_CHARS)
_AS_RUNS = bytes(
    ord("a") if chr(c) in _IN_RUNS else c if c == ord("\n") else ord(" ") for c in range(256)
)
_RUN = b"a" * 20


# Each tuple as one search: most evidence is checked once (redact() caches), so what costs is
# looking for a dozen words in a string that holds none of them.
_ANY_MARKER = re.compile("|".join(map(re.escape, _MARKERS)))
_ANY_KEY_MARKER = re.compile("|".join(map(re.escape, _KEY_MARKERS)))
_ANY_AWS_WORD = re.compile("|".join(map(re.escape, _AWS_WORDS)))


def _maybe_secret(text: str) -> bool:
    low = text.lower()
    if _ANY_MARKER.search(low):
        return True
    if ("=" in text or ":" in text) and _ANY_KEY_MARKER.search(low):
        return True
    if _TOKEN_RUN.search(text) is None:
        return False
    return not text.islower() or _ANY_AWS_WORD.search(low) is not None


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


_SHORTEST = len("pwd=x")  # the shortest text a shape matches (an e-mail address: "a@b.co")


@lru_cache(maxsize=65536)
def redact(text: str) -> str:
    """``text`` with secret-looking substrings replaced by ``[REDACTED]``."""
    if len(text) < _SHORTEST or not _maybe_secret(text):
        return text
    return _scan(text)


def _redact_location(
    location: Location | None, shown: Callable[[str], str] = redact
) -> Location | None:
    if location is None:
        return location
    path = tuple([shown(p) if isinstance(p, str) else p for p in location.path])
    return location if path == location.path else dataclasses.replace(location, path=path)


# Every text of a finding that redaction reads (:func:`_redact_finding`), but its evidence's path.
_FINDING_TEXTS = attrgetter("message", "expected", "actual", "resource", "system", "environment")


def _finding_texts(findings: Sequence[Finding]) -> set[str]:
    """Every distinct text of ``findings`` that redaction reads: gathered at C speed, where a
    generator a finding took 0.35 s for 120,000 failures."""
    texts = set(chain.from_iterable(map(_FINDING_TEXTS, findings)))
    locations = [f.evidence_location for f in findings if f.evidence_location is not None]
    parts = set(chain.from_iterable(map(attrgetter("path"), locations)))
    texts.update(part for part in parts if isinstance(part, str))
    return texts


def _redact_findings(findings: Sequence[Finding]) -> list[Finding]:
    """``findings`` redacted: their distinct texts searched all at once (:func:`_may_change`),
    and only those redaction changes replaced. 120,000 failures hold about 240,000 distinct
    texts: tried one by one, each through ``redact``'s cache, they took about 0.8 s."""
    texts = _finding_texts(findings)
    changed = {
        text: masked for text in _may_change(texts) if (masked := _redact_name(text)) != text
    }
    if not changed:
        return list(findings)

    def shown(text: str) -> str:
        return changed.get(text, text)

    return [_redact_finding(finding, shown) for finding in findings]


def _redact_finding(finding: Finding, shown: Callable[[str], str] = redact) -> Finding:
    message, expected = shown(finding.message), shown(finding.expected)
    actual, resource = shown(finding.actual), shown(finding.resource)
    evidence = _redact_location(finding.evidence_location, shown)
    # The snapshot's own words (its metadata), like the evidence it records.
    system, environment = shown(finding.system), shown(finding.environment)
    if (
        message == finding.message
        and expected == finding.expected
        and actual == finding.actual
        and resource == finding.resource
        and evidence is finding.evidence_location
        and system == finding.system
        and environment == finding.environment
    ):
        return finding
    return dataclasses.replace(
        finding,
        message=message,
        expected=expected,
        actual=actual,
        resource=resource,
        evidence_location=evidence,
        system=system,
        environment=environment,
    )


def _redact_document(document: DocumentInfo) -> DocumentInfo:
    """A snapshot as the report names it: its system and environment come from its metadata
    (a policy's fields are its authors' words, shown as written)."""
    if document.kind != "snapshot":
        return document
    ident, system = redact(document.id), redact(document.system)
    environment = redact(document.environment)
    if (ident, system, environment) == (document.id, document.system, document.environment):
        return document
    return dataclasses.replace(document, id=ident, system=system, environment=environment)


def _redact_diagnostic(diagnostic: Diagnostic) -> Diagnostic:
    message = redact(diagnostic.message)
    location = _redact_location(diagnostic.location)
    if message == diagnostic.message and location is diagnostic.location:
        return diagnostic
    assert location is not None
    return dataclasses.replace(diagnostic, message=message, location=location)


def _redacted_names(counts: list[PassCount]) -> dict[str, str]:
    """Each name of a passing resource (``--passes resources``) that redaction changes, and
    what it becomes: every name once, though a million stores are named by every promise.
    Names written out were searched as they were written (:func:`marked_names`, the run's
    watcher): only those marked are read here, unless a block was written unwatched."""
    marked: set[str] = set()  # as JSON strings: only the few that may change are decoded
    unread: set[str] = set()  # as JSON strings, of blocks no watcher searched
    held: set[str] = set()
    for counted in counts:
        resources = counted.resources
        if resources is None:
            continue
        for block in resources.blocks:
            if not isinstance(block, Span):
                held.update(block[0])
            elif block.marked is not None:
                marked.update(block.marked)
            else:
                unread.update(block.read(PASSES_TYPECODE)[0])
        held.update(resources.names)
    names = set(_may_change(held))
    names.update(decoded([*marked, *_may_change(unread)]))
    return {name: shown for name in names if (shown := _redact_name(name)) != name}


def marked_names(text: str) -> list[str]:
    """Of the names of a block written out (:mod:`checker.core.spill`), JSON strings one a
    line, those :func:`redact` may change: the run's watcher, searching each block where it
    is written, by the process that checked its stores."""
    if text.isascii():  # JSON strings hold no line break: a line is a name
        return _lines_found(text) if text else []
    return _may_change(set(text.split("\n")))


def _may_change(names: set[str]) -> list[str]:
    """Of ``names``, those :func:`redact` may change: each other holds none of what
    :func:`_maybe_secret` looks for. Searched all at once, a line each (a million names in
    three searches instead of three each); a match marks the name whose line it is on. A name
    of several lines, or not ASCII (whose lower case may differ in length), is kept, and the
    others are still searched together.
    Names given as JSON strings are searched as written: what a name holds, its string holds
    (a marker or a run of key characters has nothing JSON escapes), so an escape can only add
    to what is found."""
    ordered = list(names)
    text = "\n".join(ordered)
    if not text.isascii() or text.count("\n") != len(ordered) - 1:
        # Those kept are kept, and the others searched: one such text does not keep them all.
        kept = [name for name in ordered if not name.isascii() or "\n" in name]
        if kept:
            return kept + _may_change(names.difference(kept))
    if not ordered:
        return []
    return _lines_found(text)


def _lines_found(text: str) -> list[str]:
    """The lines of ASCII ``text`` holding what :func:`_maybe_secret` looks for, in order."""
    low = text.lower()  # ASCII: the same length, so the same lines
    found = _lines_with_runs(text)  # a token run holds no newline
    for marker in (*_MARKERS, *_KEY_MARKERS):  # nor does a marker: each found at C speed
        at = low.find(marker)
        while at != -1:
            found.append(at)
            at = low.find(marker, at + 1)
    lines: dict[int, str] = {}  # where each line found begins: the name it is
    for at in found:
        begins = text.rfind("\n", 0, at) + 1
        if begins not in lines:
            ends = text.find("\n", at)
            lines[begins] = text[begins : ends if ends != -1 else len(text)]
    return [lines[begins] for begins in sorted(lines)]


def _lines_with_runs(text: str) -> list[int]:
    """Where :data:`_TOKEN_RUN` first matches in each line of ASCII ``text`` that it matches
    in: found with ``bytes.find`` at C speed, where the pattern's look-behind is tried at
    every character (a million names: 0.05 s, where the pattern took about 0.28 s)."""
    runs = text.encode("ascii").translate(_AS_RUNS)
    found = []
    at = runs.find(_RUN)  # the first 20 in a row begin a run: the one before is not in it
    while at != -1:
        found.append(at)
        at = runs.find(b"\n", at)
        if at == -1:
            break
        at = runs.find(_RUN, at)
    return found


def _redact_pass_count(counted: PassCount, changed: dict[str, str]) -> PassCount:
    named = counted.resources
    if named is None or not changed:
        return counted
    return dataclasses.replace(counted, resources=named.renamed(changed))


# ``redact`` without its cache, for the names of passing resources: a million would churn it.
_redact_name: Callable[[str], str] = redact.__wrapped__


def redact_result(result: Result) -> Result:
    """A copy of ``result`` whose evidence is redacted; ``result`` itself is not changed."""
    changed = _redacted_names(result.pass_counts)
    return dataclasses.replace(
        result,
        findings=_redact_findings(result.findings),
        diagnostics=[_redact_diagnostic(d) for d in result.diagnostics],
        documents=[_redact_document(d) for d in result.documents],
        waivers=list(result.waivers),
        pass_counts=[_redact_pass_count(c, changed) for c in result.pass_counts],
        comparison=(
            dataclasses.replace(
                result.comparison, fixed=tuple(_redact_findings(result.comparison.fixed))
            )
            if result.comparison is not None
            else None
        ),
    )
