"""One YAML document built from parser events with an explicit stack, its expanded size counted.

``DocumentReader`` consumes the events of one document and assembles its mappings and sequences
without recursion, so no input can raise ``RecursionError``. Aliases share the object built for their
anchor; every alias counts as a full copy of it against the document's ``DocumentLimits`` (nodes,
bytes of scalar text, depth) as events arrive, so alias bombs are refused before they cost anything.
Mapping keys are stringified as JavaScript would, and duplicates are refused.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)
from yaml.nodes import ScalarNode

from .yaml_core_schema import (
    IMPLICIT_FIRST_CHARACTERS,
    MAP,
    SEQ,
    STR,
    CatalogLoader,
    DocumentError,
    StopReading,
    tag_name,
)

# Characters that PostgreSQL cannot keep in text or jsonb. Strict UTF-8 decoding
# already rules out encoded surrogates; escapes in double-quoted scalars are the
# only other way in.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_IMPLICIT_FIRST = IMPLICIT_FIRST_CHARACTERS


@dataclass(frozen=True, slots=True)
class _Size:
    """What an anchored value costs once expanded: nodes, UTF-8 bytes of scalar text, and height."""

    nodes: int
    text_bytes: int
    height: int


_SCALAR_SIZE_HEIGHT = 0


@dataclass(frozen=True, slots=True)
class DocumentLimits:
    """How large one document may grow once its aliases are expanded."""

    nodes: int
    text_bytes: int
    depth: int


class _Frame:
    """A collection being filled: its value, the document's totals when it opened, its height so far.

    A frame's expanded size is the growth of the document's totals while it was open (every scalar,
    collection and alias is counted there as it arrives), so only its height is tracked here.
    """

    __slots__ = ("anchor", "height", "is_mapping", "key", "start_nodes", "start_text_bytes", "value")

    def __init__(
        self, value: dict[str, Any] | list[Any], anchor: str | None, start_nodes: int, start_text_bytes: int
    ) -> None:
        self.value = value
        self.anchor = anchor
        self.is_mapping = isinstance(value, dict)
        self.start_nodes = start_nodes
        self.start_text_bytes = start_text_bytes
        self.height = 1
        self.key: Any = _NO_KEY


_NO_KEY = object()
_PENDING = object()


def _js_key(key: Any) -> str:
    """Stringify a scalar mapping key the way JavaScript's `String()` would."""
    if isinstance(key, str):
        return key
    if key is None:
        return ""
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, float):
        if math.isnan(key):
            return "NaN"
        if math.isinf(key):
            return "Infinity" if key > 0 else "-Infinity"
        if key.is_integer() and abs(key) < 1e21:
            return str(int(key))
        return repr(key)
    return str(key)


class DocumentReader:
    """Consumes the events of one document and builds its value with an explicit stack.

    The loop is written out in one method, with the commonest events (plain scalars, mapping keys)
    first and no per-event objects: a 100,000-entity file is about 4 million events, and their
    handling was most of ingestion's parsing time.
    """

    def __init__(self, loader: CatalogLoader, limits: DocumentLimits) -> None:
        self.loader = loader
        self.max_nodes = limits.nodes
        self.max_text_bytes = limits.text_bytes
        self.max_depth = limits.depth
        self.stack: list[_Frame] = []
        # anchor -> (value, expanded size); value is _PENDING while its collection is open.
        self.anchors: dict[str, tuple[Any, _Size]] = {}
        self.total_nodes = 0
        self.total_text_bytes = 0
        self.has_aliases = False
        self.root: Any = None

    def read(self) -> Any:
        """Read events up to the end of the document; return its root value."""
        get_event = self.loader.get_event
        while True:
            event = get_event()
            if event.__class__ is DocumentEndEvent:
                return self.root
            self._consume(event)

    def _consume(self, event: Any) -> None:
        """Consume ``event`` and the events after it, up to the end of the value it starts.

        The commonest events (plain scalars, mapping keys) are handled inline, with no per-event
        objects; a refusal names the line of the event that caused it.
        """
        get_event = self.loader.get_event
        stack = self.stack
        max_nodes = self.max_nodes
        max_text_bytes = self.max_text_bytes
        max_depth = self.max_depth
        try:
            while True:
                cls = event.__class__
                if cls is ScalarEvent:
                    text = event.value
                    tag = event.tag
                    if tag is None and event.implicit[0]:
                        value = text if text and text[0] not in _IMPLICIT_FIRST else self._plain(text)
                    else:
                        value = self._scalar(event)
                    text_bytes = len(text) if text.isascii() else _utf8_length(text)
                    self.total_nodes += 1
                    self.total_text_bytes += text_bytes
                    if self.total_nodes > max_nodes or self.total_text_bytes > max_text_bytes:
                        self._check_totals()
                    if event.anchor is not None:
                        self.anchors[event.anchor] = (value, _Size(1, text_bytes, _SCALAR_SIZE_HEIGHT))
                    if not stack:
                        self.root = value
                        return
                    parent = stack[-1]
                    if not parent.is_mapping:
                        parent.value.append(value)  # type: ignore[union-attr]
                    elif parent.key is _NO_KEY:
                        key = value if value.__class__ is str else _js_key(value)
                        if key in parent.value:
                            line = event.start_mark.line + 1
                            raise DocumentError(f"duplicate key '{key}' at line {line}; mapping keys must be unique")
                        parent.key = key
                    else:
                        parent.value[parent.key] = value  # type: ignore[call-overload]
                        parent.key = _NO_KEY
                elif cls is MappingStartEvent or cls is SequenceStartEvent:
                    if event.tag is not None or event.anchor is not None or len(stack) >= max_depth:
                        self._open(event)
                    else:
                        start_nodes = self.total_nodes
                        self.total_nodes += 1
                        if self.total_nodes > max_nodes:
                            self._check_totals()
                        value = {} if cls is MappingStartEvent else []
                        stack.append(_Frame(value, None, start_nodes, self.total_text_bytes))
                elif cls is MappingEndEvent or cls is SequenceEndEvent:
                    frame = stack.pop()
                    if frame.anchor is not None:
                        size = _Size(
                            self.total_nodes - frame.start_nodes,
                            self.total_text_bytes - frame.start_text_bytes,
                            frame.height,
                        )
                        self.anchors[frame.anchor] = (frame.value, size)
                    if not self._add_collection(frame.value, frame.height, event):
                        return
                elif cls is AliasEvent:
                    if not self._alias(event):
                        return
                else:
                    return
                if not stack:
                    return
                event = get_event()
        except DocumentError as error:
            message = str(error)
            if "line " not in message:
                message = f"{message} (line {event.start_mark.line + 1})"
            if isinstance(error, StopReading):
                raise StopReading(f"{message}; the rest of the file was not read") from None
            self._skip_to_document_end()
            raise DocumentError(message) from None

    def _plain(self, text: str) -> Any:
        """A plain scalar whose first character may start a null, bool, int or float."""
        loader = self.loader
        tag = loader.resolve(ScalarNode, text, (True, False))
        return text if tag == STR else loader.construct_scalar_value(tag, text)

    def _skip_to_document_end(self) -> None:
        """Drop the rest of a refused document, still refusing to follow deep nesting."""
        depth = len(self.stack)
        self.stack.clear()
        self.anchors.clear()
        loader = self.loader
        while True:
            event = loader.get_event()
            if isinstance(event, DocumentEndEvent):
                return
            if isinstance(event, MappingStartEvent | SequenceStartEvent):
                depth += 1
                if depth > self.max_depth:
                    where = event.start_mark.line + 1
                    raise StopReading(
                        f"document nests deeper than {self.max_depth} levels (line {where})"
                        "; the rest of the file was not read"
                    )
            elif isinstance(event, MappingEndEvent | SequenceEndEvent):
                depth -= 1

    def _count(self, size: _Size) -> None:
        """Add a value's expanded size to the document's; refuse the document past a limit."""
        self.total_nodes += size.nodes
        self.total_text_bytes += size.text_bytes
        self._check_totals()

    def _check_totals(self) -> None:
        if self.total_nodes > self.max_nodes:
            raise DocumentError(self._too_large(f"{self.max_nodes} nodes"))
        if self.total_text_bytes > self.max_text_bytes:
            raise DocumentError(self._too_large(f"{self.max_text_bytes} bytes of text"))

    def _too_large(self, limit: str) -> str:
        if self.has_aliases:
            return f"document expands to more than {limit} through its aliases"
        return f"document has more than {limit}"

    def _scalar(self, event: ScalarEvent) -> Any:
        tag = event.tag
        text = event.value
        if tag is None:
            tag = self.loader.resolve(ScalarNode, text, event.implicit) if event.implicit[0] else STR
        elif tag == "!":
            tag = STR
        value = self.loader.construct_scalar_value(tag, text)
        if event.style == '"' and _UNSTORABLE.search(text):
            raise DocumentError("a string holds a NUL character or a lone surrogate, which cannot be stored")
        return value

    def _open(self, event: MappingStartEvent | SequenceStartEvent) -> None:
        is_mapping = event.__class__ is MappingStartEvent
        tag = event.tag
        if tag not in (None, "!", MAP if is_mapping else SEQ):
            raise DocumentError(f"tag {tag_name(tag)} is not allowed on a {'mapping' if is_mapping else 'sequence'}")
        if len(self.stack) >= self.max_depth:
            raise StopReading(f"document nests deeper than {self.max_depth} levels")
        frame = _Frame({} if is_mapping else [], event.anchor, self.total_nodes, self.total_text_bytes)
        self._count(_Size(1, 0, 1))
        if event.anchor is not None:
            self.anchors[event.anchor] = (_PENDING, _Size(0, 0, 0))
        self.stack.append(frame)

    def _alias(self, event: AliasEvent) -> bool:
        target = self.anchors.get(event.anchor)
        if target is None:
            raise DocumentError(f"alias *{event.anchor} refers to an unknown anchor")
        value, size = target
        if value is _PENDING:
            raise DocumentError(f"alias *{event.anchor} refers to a collection that contains it")
        if len(self.stack) + size.height > self.max_depth:
            raise DocumentError(f"document nests deeper than {self.max_depth} levels")
        self.has_aliases = True
        self._count(size)
        return self._add_collection(value, size.height, event)

    def _add_collection(self, value: Any, height: int, event: Any) -> bool:
        """Put a collection (or an alias's value) into its parent; False when it was the root."""
        if not self.stack:
            self.root = value
            return False
        parent = self.stack[-1]
        if height + 1 > parent.height:
            parent.height = height + 1
        if not parent.is_mapping:
            parent.value.append(value)  # type: ignore[union-attr]
        elif parent.key is _NO_KEY:
            line = event.start_mark.line + 1
            if isinstance(value, dict | list):
                raise DocumentError(f"a mapping key at line {line} is a collection; keys must be scalars")
            key = _js_key(value)
            if key in parent.value:
                raise DocumentError(f"duplicate key '{key}' at line {line}; mapping keys must be unique")
            parent.key = key
        else:
            parent.value[parent.key] = value  # type: ignore[call-overload]
            parent.key = _NO_KEY
        return True


def _utf8_length(text: str) -> int:
    # Lone surrogates (from escapes) are refused later; count them as their 3 encoded bytes.
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))
