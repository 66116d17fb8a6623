"""Documents and loading: one input file as a ``Document``, strict, safe and bounded.

The package also turns what the user named (files, folders, config entries) into documents
(:mod:`checker.documents.inputs`, :mod:`checker.documents.config`).

``load_document`` reads JSON or YAML into plain JSON-compatible data whose top level is a
mapping, keeps where every node sits in the file, and refuses anything doubtful with an
``InputError`` that names the file and, where there is one, the line and column: unreadable
or non-regular files, bad encodings, syntax errors, duplicate keys, non-text keys, YAML tags
beyond plain data, NaN and oversized numbers, and inputs over the ``Limits`` (size, nesting,
alias expansion). It never executes anything from the file.

The format follows the extension: ``.json`` is JSON, ``.yaml`` and ``.yml`` are YAML; for any
other name, content starting with ``{`` or ``[`` is JSON and anything else YAML.
"""

from __future__ import annotations

import os
import re
from collections.abc import Collection
from pathlib import PurePath

from checker.documents.document import Document
from checker.documents.json_loader import load_json
from checker.documents.limits import DEFAULT_LIMITS, Limits
from checker.documents.source import check_size, decode, read_bytes, without_bom
from checker.documents.yaml_loader import load_yaml

__all__ = ["DEFAULT_LIMITS", "Limits", "load_bytes", "load_document"]

_JSON_START = re.compile(rb"(?:\xef\xbb\xbf)?[ \t\r\n]*[\[{]")


def load_document(
    path: str | os.PathLike[str],
    *,
    limits: Limits = DEFAULT_LIMITS,
    name: str | None = None,
    indexed_lists: Collection[str] = (),
) -> Document:
    """Read ``path``; ``name`` is how messages call it (default: the path as given).

    ``indexed_lists`` names top-level lists of a JSON document whose items findings point into
    throughout (a plan's ``resource_changes``): where each item starts is noted as it is read
    (see :func:`~checker.documents.json_positions.read_object`), at a cost in memory."""
    display = str(path) if name is None else name
    doc = _load(path, display, limits, indexed_lists)
    if display != str(path):
        doc.source = str(path)
    return doc


def _load(
    path: str | os.PathLike[str], display: str, limits: Limits, indexed: Collection[str] = ()
) -> Document:
    suffix = PurePath(path).suffix.lower()
    if suffix == ".json":
        whole = [read_bytes(path, display, limits.max_bytes, "JSON input")]
        return _json(whole, display, limits, indexed)
    if suffix in (".yaml", ".yml"):
        raw = read_bytes(path, display, limits.max_yaml_bytes, "YAML input")
        return load_yaml(decode(raw, display), display, limits)
    raw = read_bytes(
        path, display, max(limits.max_bytes, limits.max_yaml_bytes), "JSON or YAML input"
    )
    if _JSON_START.match(raw):
        check_size(raw, display, limits.max_bytes, "JSON input")
        held = [raw]
        del raw  # held alone keeps the bytes, for load_json to let go of them
        return _json(held, display, limits, indexed)
    check_size(raw, display, limits.max_yaml_bytes, "YAML input")
    return load_yaml(decode(raw, display), display, limits)


def _json(held: list[bytes], name: str, limits: Limits, indexed: Collection[str] = ()) -> Document:
    """A JSON document from the bytes ``held`` alone holds: they are let go of once decoded
    and noted (see :func:`load_json`), so that a large file is not kept twice while parsed."""
    text = decode(held[0], name)
    held[0] = without_bom(held[0])
    return load_json(held, text, name, limits, indexed)


def load_bytes(raw: bytes, name: str, *, limits: Limits = DEFAULT_LIMITS) -> Document:
    """A document from bytes read elsewhere (``git show REV:path``), by the same rules as a
    file: the format follows ``name``'s extension, and the same limits apply."""
    suffix = PurePath(name).suffix.lower()
    is_json = suffix == ".json" or (suffix not in (".yaml", ".yml") and _JSON_START.match(raw))
    if is_json:
        check_size(raw, name, limits.max_bytes, "JSON input")
        return _json([raw], name, limits)
    check_size(raw, name, limits.max_yaml_bytes, "YAML input")
    return load_yaml(decode(raw, name), name, limits)
