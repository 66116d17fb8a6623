"""The one pattern rule of the tool: where a user writes a name that may match several things
(a waiver's ``resource``, a Terraform mapping rule's ``address`` and ``name``), ``*`` matches
any run of characters, ``?`` any one character, and everything else only itself.

Brackets are literal, unlike ``fnmatch``: Terraform addresses (``aws_s3_bucket.b[0]``) and the
resource names built from them contain them, and a pattern written by copying a name must
match that name.
"""

from __future__ import annotations

import functools
import re


def glob(pattern: str, text: str) -> bool:
    """Whether ``text`` matches ``pattern`` as a whole (case-sensitive)."""
    return _compiled(pattern).fullmatch(text) is not None


@functools.lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str]:
    parts = (".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile("".join(parts), re.DOTALL)
