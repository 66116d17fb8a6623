"""Plain data from a YAML event stream, node by node, with every bound checked on the way.

Building from events rather than through PyYAML's composer and constructors means: no tag can
construct an object (only the core schema's are accepted), nesting is checked as it is read
(the composer recurses, and would overflow the stack), aliases are expanded against a budget
(an alias bomb stops at once), and every node keeps its line and column.

Merge keys (``<<``) are refused: they let a mapping silently override keys it inherits, which
hides exactly the duplicate keys this loader exists to catch.

Speed: the event loop places the common node inline: an untagged, unanchored scalar (a key,
text, or a plain number, boolean or null without a surprise), and the start of an untagged,
unanchored mapping or list. Anything else (tags, anchors, aliases, surprises, every error)
goes through the general methods, so messages and positions come from one place.
Positions stay packed integers (``yaml_positions.pack``) until someone asks for one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

from checker.core.diagnostics import JsonPath, Position
from checker.core.errors import InputError
from checker.documents.document import Document, Surprise
from checker.documents.limits import Limits
from checker.documents.problems import input_error, shown
from checker.documents.yaml_positions import SHIFT, Mirror, YamlPositions, pack, unpack
from checker.documents.yaml_scalars import (
    MAP,
    MERGE,
    SEQ,
    STR,
    TIMESTAMP,
    ScalarError,
    construct,
    describe,
    plain_tag,
    resolve,
    short_tag,
    timestamp,
)

_SURROGATE = re.compile("[\ud800-\udfff]")
_UNKNOWN: Any = object()  # "not a plain value": the scalar takes the general path
# Plain scalars repeat (keys' values such as kinds, regions, booleans): their values are
# remembered, up to a bound, so that each is resolved once.
_KNOWN_MAX = 4096
_KNOWN_LENGTH = 64


def mark_position(mark: Any) -> Position | None:
    """The 1-based position of a PyYAML mark (they count from 0)."""
    return None if mark is None else Position(mark.line + 1, mark.column + 1)


@dataclass(slots=True)
class _Anchor:
    """What an anchor names, ready to be copied wherever an alias uses it."""

    value: Any
    mirror: Mirror
    nodes: int  # how many nodes one copy adds
    height: int  # levels of nesting inside (0 for a scalar)
    surprises: list[tuple[JsonPath, Surprise]]  # relative to the anchored node
    done: bool


class _Frame:
    """A mapping or list being read."""

    __slots__ = (
        "anchor",
        "data",
        "inner",
        "is_map",
        "key",
        "key_position",
        "mirror",
        "nodes_before",
        "position",
        "prefix",
        "surprises_before",
    )

    def __init__(self, is_map: bool, position: int) -> None:
        self.is_map = is_map
        self.position = position  # packed, as every position of the mirror
        self.data: Any = {} if is_map else []
        self.mirror: Any = {} if is_map else []
        self.key: str | None = None
        self.key_position = position
        self.inner = 0
        self.anchor: str | None = None
        self.prefix: JsonPath = ()
        self.nodes_before = 0
        self.surprises_before = 0


class Builder:
    """Reads the events of one document into a ``Document``."""

    def __init__(self, name: str, limits: Limits) -> None:
        self.name = name
        self.limits = limits
        self.stack: list[_Frame] = []
        self.anchors: dict[str, _Anchor] = {}
        self.nodes = 0  # nodes made so far, alias copies included
        self.alias_nodes = 0  # nodes made by copying what aliases name
        self.surprises: list[tuple[JsonPath, Surprise]] = []
        self.root: tuple[Any, int, Mirror] | None = None

    def empty(self) -> InputError:
        return input_error(self.name, "empty", "file has no content: expected a mapping")

    def error(self, code: str, message: str, mark: Any, path: JsonPath = ()) -> InputError:
        return input_error(self.name, code, message, mark_position(mark), path)

    def key_path(self, key: str) -> JsonPath:
        """The path of member ``key`` of the mapping being read."""
        return (*self.path()[:-1], key)

    # -- the event loop ----------------------------------------------------------------------

    def build(self, loader: Any) -> Document:
        get = loader.get_event
        get()  # stream start
        event = get()
        if isinstance(event, StreamEndEvent):
            raise self.empty()
        stack = self.stack
        max_depth = self.limits.max_depth
        known: dict[str, Any] = {}  # plain scalar text -> its value, when it has no surprise
        text_keys: set[str] = set()  # plain keys known to read as text
        while True:
            event = get()
            kind = type(event)
            if kind is ScalarEvent:
                if event.tag is not None or event.anchor is not None or not stack:
                    self.scalar(event)
                    continue
                text = event.value
                top = stack[-1]
                if event.style == '"' and _SURROGATE.search(text):
                    self.scalar(event)  # refuses it
                    continue
                plain = event.implicit[0]
                mark = event.start_mark
                if top.is_map and top.key is None:
                    if plain and text not in text_keys:
                        if plain_tag(text) != STR:
                            self.scalar(event)  # refuses it, with the general message
                            continue
                        if len(text_keys) < _KNOWN_MAX and len(text) <= _KNOWN_LENGTH:
                            text_keys.add(text)
                    if text in top.mirror:
                        self.scalar(event)  # refuses it, with the general message
                        continue
                    self.nodes += 1
                    top.key = text
                    top.key_position = mark.line << SHIFT | mark.column  # yaml_positions.pack
                    continue
                if plain:
                    value = known.get(text, _UNKNOWN)
                    if value is _UNKNOWN:
                        value = self.plain_value(text)
                        if value is _UNKNOWN:
                            self.scalar(event)  # a surprise, or an error
                            continue
                        if len(known) < _KNOWN_MAX and len(text) <= _KNOWN_LENGTH:
                            known[text] = value
                else:
                    value = text
                self.nodes += 1
                if top.is_map:
                    key = top.key
                    top.data[key] = value
                    top.mirror[key] = (top.key_position, mark.line << SHIFT | mark.column, None)
                    top.key = None
                else:
                    top.data.append(value)
                    top.mirror.append((mark.line << SHIFT | mark.column, None))
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                is_map = kind is MappingStartEvent
                if (
                    event.tag is not None
                    or event.anchor is not None
                    or not stack
                    or len(stack) >= max_depth
                ):
                    self.open(event, is_map)
                    continue
                top = stack[-1]
                if top.is_map and top.key is None:
                    self.open(event, is_map)  # refuses it
                    continue
                self.nodes += 1
                mark = event.start_mark
                stack.append(_Frame(is_map, mark.line << SHIFT | mark.column))
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                frame = stack[-1]
                if frame.anchor is not None or len(stack) == 1:
                    self.close()
                    continue
                stack.pop()
                top = stack[-1]
                height = frame.inner + 1
                if height > top.inner:
                    top.inner = height
                if top.is_map:
                    key = top.key
                    top.data[key] = frame.data
                    top.mirror[key] = (top.key_position, frame.position, frame.mirror)
                    top.key = None
                else:
                    top.data.append(frame.data)
                    top.mirror.append((frame.position, frame.mirror))
            elif kind is AliasEvent:
                self.alias(event)
            elif kind is DocumentEndEvent:
                break
        event = get()
        if isinstance(event, DocumentStartEvent):
            raise self.error(
                "yaml-multiple-documents",
                "a second YAML document starts here; put one document in each file",
                event.start_mark,
            )
        assert self.root is not None
        data, position, mirror = self.root
        return Document(
            self.name, data, "yaml", YamlPositions(position, mirror), dict(self.surprises)
        )

    def path(self) -> JsonPath:
        """The path of the node about to be placed."""
        path: list[str | int] = []
        for frame in self.stack:
            path.append(len(frame.data) if frame.key is None else frame.key)
        return tuple(path)

    def place(self, value: Any, position: int, mirror: Mirror, height: int) -> None:
        if not self.stack:
            self.root = (value, position, mirror)
            return
        top = self.stack[-1]
        if height > top.inner:
            top.inner = height
        if top.is_map:
            key = top.key
            assert key is not None
            top.data[key] = value
            top.mirror[key] = (top.key_position, position, mirror)
            top.key = None
        else:
            top.data.append(value)
            top.mirror.append((position, mirror))

    # -- nodes -------------------------------------------------------------------------------

    def plain_value(self, text: str) -> Any:
        """The value of an untagged plain scalar, or ``_UNKNOWN`` when it is a surprise or an
        error (which ``scalar`` then reports)."""
        tag = plain_tag(text)
        if tag == STR:
            return text
        try:
            value, surprise = construct(text, tag, True, self.limits)
        except ScalarError:
            return _UNKNOWN
        return _UNKNOWN if surprise is not None else value

    def scalar(self, event: ScalarEvent) -> None:
        self.nodes += 1
        if event.style == '"' and _SURROGATE.search(event.value):
            # libyaml refuses such escapes; the pure-Python parser lets them through.
            raise self.error(
                "encoding",
                "string contains an unpaired surrogate escape (\\ud800-\\udfff): not valid Unicode",
                event.start_mark,
            )
        top = self.stack[-1] if self.stack else None
        wants_key = top is not None and top.is_map and top.key is None
        try:
            tag, implicit = resolve(event.value, event.tag, event.implicit[0])
            if wants_key:
                self.key(event.value, tag, event.start_mark)
                if event.anchor is not None:
                    self.anchors[event.anchor] = _Anchor(event.value, None, 1, 0, [], True)
                return
            value, surprise = construct(event.value, tag, implicit, self.limits)
        except ScalarError as exc:
            raise self.error(exc.code, exc.message, event.start_mark) from None
        if top is None:
            self.top_level_scalar(event, tag)
        position = pack(event.start_mark)
        found: Surprise | None = None
        if surprise is not None:
            shown_value = timestamp(event.value) if tag == TIMESTAMP else value
            found = Surprise(event.value, surprise, shown_value)
            self.surprises.append((self.path(), found))
        if event.anchor is not None:
            relative: list[tuple[JsonPath, Surprise]] = [] if found is None else [((), found)]
            self.anchors[event.anchor] = _Anchor(value, None, 1, 0, relative, True)
        self.place(value, position, None, 0)

    def top_level_scalar(self, event: ScalarEvent, tag: str) -> None:
        if event.value == "" and event.tag is None and event.implicit[0]:
            raise self.empty()
        message = f"the top level is {describe(tag)}: expected a mapping"
        raise self.error("not-a-mapping", message, event.start_mark)

    def key(self, text: str, tag: str, mark: Any) -> None:
        top = self.stack[-1]
        if tag == MERGE:
            raise self.error(
                "yaml-merge-key",
                "merge keys (<<) are not supported: they can hide duplicate keys; "
                "write the keys out",
                mark,
            )
        if tag != STR:
            # Text that resolves to another tag matches one of YAML's one-line patterns.
            label = text if len(text) <= 60 else text[:60] + "…"
            written = f"mapping key {label}" if text else "an empty mapping key"
            raise self.error(
                "yaml-key",
                f"{written} is read as {describe(tag)}, but keys must be text; "
                f"quote it: {shown(text)}",
                mark,
                self.key_path(text),
            )
        self.set_key(top, text, mark)

    def set_key(self, top: _Frame, key: str, mark: Any) -> None:
        first = top.mirror.get(key)
        if first is not None:
            raise self.error(
                "yaml-duplicate-key",
                f"duplicate key {shown(key)} (first defined at line {unpack(first[0]).line})",
                mark,
                self.key_path(key),
            )
        top.key = key
        top.key_position = pack(mark)

    def open(self, event: MappingStartEvent | SequenceStartEvent, is_map: bool) -> None:
        self.nodes += 1
        expected = MAP if is_map else SEQ
        if event.tag not in (None, "!", expected):
            raise self.error(
                "yaml-tag",
                f"tag {short_tag(event.tag)} is not allowed; only plain data is",
                event.start_mark,
            )
        top = self.stack[-1] if self.stack else None
        if top is not None and top.is_map and top.key is None:
            raise self.error(
                "yaml-key",
                f"mapping key is a {'mapping' if is_map else 'list'}, but keys must be text",
                event.start_mark,
                self.path()[:-1],  # the mapping it is a key of
            )
        if top is None and not is_map:
            raise self.error(
                "not-a-mapping", "the top level is a list: expected a mapping", event.start_mark
            )
        if len(self.stack) >= self.limits.max_depth:
            raise self.too_deep(event.start_mark)
        frame = _Frame(is_map, pack(event.start_mark))
        if event.anchor is not None:
            frame.anchor = event.anchor
            frame.prefix = self.path()
            frame.nodes_before = self.nodes - 1
            frame.surprises_before = len(self.surprises)
            self.anchors[event.anchor] = _Anchor(None, None, 0, 0, [], False)
        self.stack.append(frame)

    def too_deep(self, mark: Any) -> InputError:
        return self.error(
            "too-deep", f"nesting is deeper than {self.limits.max_depth} levels", mark
        )

    def close(self) -> None:
        frame = self.stack.pop()
        height = frame.inner + 1
        if frame.anchor is not None:
            cut = len(frame.prefix)
            relative = [(path[cut:], s) for path, s in self.surprises[frame.surprises_before :]]
            self.anchors[frame.anchor] = _Anchor(
                frame.data, frame.mirror, self.nodes - frame.nodes_before, height, relative, True
            )
        self.place(frame.data, frame.position, frame.mirror, height)

    def alias(self, event: AliasEvent) -> None:
        anchor = self.anchors.get(event.anchor or "")
        label = (
            f"*{event.anchor}"
            if len(event.anchor or "") <= 60
            else "*" + (event.anchor or "")[:60] + "…"
        )
        if anchor is None:
            raise self.error("yaml-alias", f"alias {label} names no anchor", event.start_mark)
        if not anchor.done:
            raise self.error(
                "yaml-alias",
                f"alias {label} refers to a node that contains it (a recursive alias)",
                event.start_mark,
            )
        top = self.stack[-1] if self.stack else None
        if top is not None and top.is_map and top.key is None:
            if not isinstance(anchor.value, str):
                raise self.error(
                    "yaml-key",
                    f"alias {label} used as a key is not text",
                    event.start_mark,
                    self.path()[:-1],  # the mapping it is a key of
                )
            self.set_key(top, anchor.value, event.start_mark)
            return
        self.nodes += anchor.nodes
        self.alias_nodes += anchor.nodes
        if self.alias_nodes > self.limits.max_alias_nodes:
            raise self.error(
                "too-many-aliases",
                f"aliases expand to more than {self.limits.max_alias_nodes} nodes (an alias bomb?)",
                event.start_mark,
            )
        if len(self.stack) + anchor.height > self.limits.max_depth:
            raise self.too_deep(event.start_mark)
        if anchor.surprises:
            prefix = self.path()
            self.surprises.extend((prefix + path, s) for path, s in anchor.surprises)
        position = pack(event.start_mark)
        self.place(_copy(anchor.value), position, anchor.mirror, anchor.height)


def _copy(value: Any) -> Any:
    """A deep copy of plain data, without recursion (the copy may be as deep as the limit)."""
    if not isinstance(value, dict | list):
        return value
    root: Any = {} if isinstance(value, dict) else []
    pending = [(value, root)]
    while pending:
        source, target = pending.pop()
        items = source.items() if isinstance(source, dict) else enumerate(source)
        is_map = isinstance(target, dict)
        for key, item in items:
            if isinstance(item, dict | list):
                copied: Any = {} if isinstance(item, dict) else []
                pending.append((item, copied))
            else:
                copied = item
            if is_map:
                target[key] = copied
            else:
                target.append(copied)
    return root
