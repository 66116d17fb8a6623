"""Strict, safe YAML: plain data only, every node's position kept, every bound enforced.

The document is built straight from the parser's event stream (libyaml's ``CParser`` when
available) by ``yaml_builder``, never through PyYAML's composer or constructors. This module
runs the parser and turns its errors into one-line diagnostics.

Nesting is bounded by ``Limits.max_depth`` alone, whatever the parser: libyaml 0.2.6 (in
PyYAML 6.0.4's wheels) refuses more than 1,000 levels with an error of its own, scanning ahead
of the events the depth check reads. When it does, the document is read again by PyYAML's
pure-Python parser, which has no such ceiling: first only the text up to where libyaml stopped,
which already holds the level the limit refuses (so a hostile file is still refused at once),
and the whole text only when nothing in that prefix was refused (a limit above libyaml's).
"""

from __future__ import annotations

from typing import Any

import yaml

from checker.core.diagnostics import Position
from checker.core.errors import InputError
from checker.core.gc_pause import collector_paused
from checker.documents.document import Document
from checker.documents.limits import Limits
from checker.documents.problems import input_error
from checker.documents.source import text_position
from checker.documents.yaml_builder import Builder, mark_position

_Loader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_PureLoader: type[Any] = yaml.SafeLoader


def load_yaml(text: str, name: str, limits: Limits) -> Document:
    """Parse ``text`` (already decoded) as one YAML document whose top level is a mapping."""
    try:
        return _build(text, name, limits)
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(name, exc) from None
    except yaml.reader.ReaderError as exc:
        raise _reader_error(name, text, exc) from None
    except yaml.YAMLError as exc:
        raise input_error(name, "yaml-syntax", f"invalid YAML: {_one_line(str(exc))}") from None


def _build(text: str, name: str, limits: Limits) -> Document:
    try:
        return _parse(_Loader, text, name, limits)
    except yaml.MarkedYAMLError as exc:
        if _Loader is _PureLoader or not _parser_nesting_limit(exc):
            raise
        mark = exc.problem_mark
    # Up to where libyaml stopped, the events are the whole document's: a refusal placed before
    # that point (our depth limit, normally) is the document's own. The cut is at the start of
    # a token, so no key or scalar before it is cut short.
    stop = _offset(text, mark)
    try:
        _parse(_PureLoader, text[:stop], name, limits)
    except InputError as exc:
        position = exc.diagnostic.location.position
        if position is not None and mark is not None and _before(position, mark):
            raise
    except yaml.YAMLError:
        pass  # the prefix ends mid-document: only the whole text can say more
    return _parse(_PureLoader, text, name, limits)


def _parse(loader_type: type[Any], text: str, name: str, limits: Limits) -> Document:
    loader = loader_type(text)  # the pure-Python reader checks the characters here already
    try:
        with collector_paused():  # a node is several objects, none in a cycle: see gc_pause
            return Builder(name, limits).build(loader)
    finally:
        loader.dispose()


def _before(position: Position, mark: Any) -> bool:
    return (position.line, position.column) < (mark.line + 1, mark.column + 1)


def _parser_nesting_limit(exc: yaml.MarkedYAMLError) -> bool:
    """Whether the parser stopped at a nesting ceiling of its own rather than at bad syntax."""
    problem = (exc.problem or "").lower()
    return "nesting" in problem or "depth" in problem


def _offset(text: str, mark: Any) -> int:
    """The character offset of a parser mark, from its line and column (libyaml's ``index``
    counts bytes); the end of the text when there is no mark."""
    if mark is None:
        return len(text)
    start = 0
    line: int = mark.line
    column: int = mark.column
    for _ in range(line):
        start = text.find("\n", start) + 1
        if start == 0:
            return len(text)
    return min(len(text), start + column)


def _reader_error(name: str, text: str, exc: yaml.reader.ReaderError) -> InputError:
    """A character YAML does not allow. Its first occurrence is where the reader stopped (the
    offset it reports counts bytes with libyaml and characters without)."""
    code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "?")
    offset = text.find(chr(code))
    position = text_position(text, offset) if offset >= 0 else None
    message = f"character U+{code:04X} is not allowed in YAML"
    return input_error(name, "encoding", message, position)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _syntax_error(name: str, exc: yaml.MarkedYAMLError) -> InputError:
    mark = exc.problem_mark or exc.context_mark
    message = f"invalid YAML: {_one_line(exc.problem or 'cannot parse')}"
    if exc.context:
        context = _one_line(exc.context)
        if exc.context_mark is not None and exc.context_mark is not mark:
            context += f" that starts at line {exc.context_mark.line + 1}"
        message += f" ({context})"
    return input_error(name, "yaml-syntax", message, mark_position(mark))
