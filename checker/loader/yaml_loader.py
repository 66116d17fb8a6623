"""Strict, safe YAML: plain data only, every node's position kept, every bound enforced.

The document is built straight from the parser's event stream (libyaml's ``CParser`` when
available) by ``yaml_builder``, never through PyYAML's composer or constructors. This module
runs the parser and turns its errors into one-line diagnostics.
"""

from __future__ import annotations

from typing import Any

import yaml

from checker.document import Document
from checker.errors import InputError
from checker.loader.limits import Limits
from checker.loader.problems import input_error
from checker.loader.source import text_position
from checker.loader.yaml_builder import Builder, mark_position

_Loader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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
    loader = _Loader(text)  # the pure-Python reader checks the characters here already
    try:
        return Builder(name, limits).build(loader)
    finally:
        loader.dispose()


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
