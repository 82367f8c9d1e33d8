"""Read catalog descriptor files the way Backstage reads them.

Backstage parses `catalog-info.yaml` files as YAML 1.2 with the core schema, so
`yes`/`no`/`on`/`off` and dates stay strings, `0755` is the decimal 755, `<<` is an
ordinary key and duplicate keys are an error. PyYAML's own loaders speak YAML 1.1,
so this module drives PyYAML's parser at the event level and builds the Python
values itself:

* the libyaml C parser (falling back to the pure-Python parser when libyaml is
  missing) turns bytes into events;
* `_Resolver` resolves plain scalars with the YAML 1.2 core schema only;
* `_Constructor` turns scalar events into Python values, refusing any tag outside
  the core set, and assembles collections with an explicit stack, so no input can
  raise `RecursionError`.

Aliases share the object built for their anchor, as in every YAML library. The
expanded size of each document (what a JSON serialisation would hold: its nodes,
the bytes of its scalars and its depth, each alias counted as a full copy of its
anchor) is counted as events arrive, so alias bombs are refused before they cost
anything. Because objects may be shared, callers must copy a document before
changing it in place.

Errors come in two sizes. A problem with the whole file (too large, not UTF-8
(UTF-16 and UTF-32 are recognised by their first bytes and named), NUL bytes,
a syntax error the parser cannot get past) raises `YamlFileError`. A problem
confined to one document (a duplicate key, a refused tag, a document too large
once expanded, a root that is not a mapping) is reported on that `YamlDocument` and the
other documents are still returned. Two cases end reading early:

* a syntax error raises `YamlFileError`, even after good documents: libyaml
  cannot resume after one, and Backstage refuses the whole location anyway;
* nesting deeper than `max_depth` returns the documents read so far plus the
  refused one, and reads no further, because libyaml's cost grows with the
  square of the flow nesting depth and the rest of the input is not worth it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import yaml
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
from yaml.nodes import ScalarNode
from yaml.resolver import BaseResolver

from .validation.types import json_type

try:
    from yaml.cyaml import CParser as _Parser

    HAS_LIBYAML = True
except ImportError:  # pragma: no cover - exercised only where libyaml is absent
    HAS_LIBYAML = False

__all__ = ["HAS_LIBYAML", "YamlDocument", "YamlFileError", "parse_documents"]

_TAG_PREFIX = "tag:yaml.org,2002:"
_STR = _TAG_PREFIX + "str"
_INT = _TAG_PREFIX + "int"
_FLOAT = _TAG_PREFIX + "float"
_BOOL = _TAG_PREFIX + "bool"
_NULL = _TAG_PREFIX + "null"
_MAP = _TAG_PREFIX + "map"
_SEQ = _TAG_PREFIX + "seq"

_BOM = b"\xef\xbb\xbf"
# The encodings YAML 1.2 (section 5.2) detects from a stream's first bytes; Backstage reads only UTF-8.
_WIDE_ENCODINGS = (
    (re.compile(rb"\x00\x00\xfe\xff|\x00\x00\x00[^\x00]|\xff\xfe\x00\x00|[^\x00]\x00\x00\x00"), "UTF-32"),
    (re.compile(rb"\xfe\xff|\xff\xfe|\x00[^\x00]|[^\x00]\x00"), "UTF-16"),
)

# Characters that PostgreSQL cannot keep in text or jsonb. Strict UTF-8 decoding
# already rules out encoded surrogates; escapes in double-quoted scalars are the
# only other way in.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")

# Python refuses to convert longer digit strings to int (CVE-2020-10735 guard);
# JavaScript turns them into a float (usually Infinity), so do the same.
_MAX_INT_DIGITS = 4000


class YamlFileError(ValueError):
    """The file as a whole cannot be read: no document from it should be used."""

    def __init__(self, source: str, line: int | None, message: str) -> None:
        self.source = source
        self.line = line
        self.message = message
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class YamlDocument:
    """One non-empty document of a YAML stream.

    `index` is the 0-based position of the document in the file (skipped empty
    documents still take a position), `line` the 1-based line where it starts.
    Exactly one of `data` and `error` is set.
    """

    index: int
    line: int
    data: dict[str, Any] | None
    error: str | None


class _DocumentError(Exception):
    """A problem confined to the document being read."""


class _StopReading(_DocumentError):
    """A document problem after which the rest of the file is not read.

    libyaml spends time quadratic in the flow nesting depth, so a document
    nested past the limit is not parsed to its end: reading stops there.
    """


def _tag_name(tag: str) -> str:
    return "!!" + tag[len(_TAG_PREFIX) :] if tag.startswith(_TAG_PREFIX) else tag


class _Resolver(BaseResolver):
    """Implicit tags of the YAML 1.2 core schema, spelled as the `yaml` npm package spells them."""

    yaml_implicit_resolvers: dict[str | None, list[tuple[str, re.Pattern[str]]]] = {}


_Resolver.add_implicit_resolver(_NULL, re.compile(r"(?:~|null|Null|NULL)?\Z"), ["~", "n", "N", ""])
_Resolver.add_implicit_resolver(_BOOL, re.compile(r"(?:true|True|TRUE|false|False|FALSE)\Z"), list("tTfF"))
_Resolver.add_implicit_resolver(_INT, re.compile(r"(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)\Z"), list("-+0123456789"))
_Resolver.add_implicit_resolver(
    _FLOAT,
    re.compile(
        r"(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+"
        r"|[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)"
        r"|[-+]?\.(?:inf|Inf|INF)"
        r"|\.(?:nan|NaN|NAN))\Z"
    ),
    list("-+.0123456789"),
)

_INT_FORM = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")
_FLOAT_FORM = re.compile(
    r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)
_BOOL_FORM = re.compile(r"true|True|TRUE|false|False|FALSE")
_NULL_FORM = re.compile(r"(?:~|null|Null|NULL)?")


def _to_int(text: str) -> int | float:
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    if len(text) > _MAX_INT_DIGITS:
        return float(text)
    return int(text, 10)


def _to_float(text: str) -> float:
    lowered = text.lower()
    if lowered == ".nan":
        return math.nan
    if lowered.endswith(".inf"):
        return -math.inf if text.startswith("-") else math.inf
    return float(text)


def _construct_str(text: str) -> str:
    return text


def _construct_int(text: str) -> int | float:
    if not _INT_FORM.fullmatch(text):
        raise _DocumentError(f"'{text}' is not an integer")
    return _to_int(text)


def _construct_float(text: str) -> float:
    if not (_FLOAT_FORM.fullmatch(text) or _INT_FORM.fullmatch(text)):
        raise _DocumentError(f"'{text}' is not a number")
    if _INT_FORM.fullmatch(text):
        return float(_to_int(text))
    return _to_float(text)


def _construct_bool(text: str) -> bool:
    if not _BOOL_FORM.fullmatch(text):
        raise _DocumentError(f"'{text}' is not a boolean")
    return text[0] in "tT"


def _construct_null(text: str) -> None:
    if not _NULL_FORM.fullmatch(text):
        raise _DocumentError(f"'{text}' is not null")
    return None


class _Constructor:
    """Builds Python values for scalars; only the core-schema tags are known."""

    scalar_constructors: dict[str, Callable[[str], Any]] = {
        _STR: _construct_str,
        _INT: _construct_int,
        _FLOAT: _construct_float,
        _BOOL: _construct_bool,
        _NULL: _construct_null,
    }

    def construct_scalar_value(self, tag: str, text: str) -> Any:
        """Return the value of a scalar whose tag is already resolved."""
        construct = self.scalar_constructors.get(tag)
        if construct is None:
            raise _DocumentError(f"tag {_tag_name(tag)} is not allowed")
        return construct(text)


if HAS_LIBYAML:

    class _CatalogLoader(_Parser, _Constructor, _Resolver):
        """libyaml's event parser with the core-schema resolver and constructor."""

        def __init__(self, text: str) -> None:
            _Parser.__init__(self, text)
            _Resolver.__init__(self)

else:  # pragma: no cover - exercised only where libyaml is absent
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _CatalogLoader(Reader, Scanner, Parser, _Constructor, _Resolver):  # type: ignore[no-redef]
        """PyYAML's pure-Python event parser with the core-schema resolver and constructor."""

        def __init__(self, text: str) -> None:
            Reader.__init__(self, text)
            Scanner.__init__(self)
            Parser.__init__(self)
            _Resolver.__init__(self)


@dataclass(frozen=True, slots=True)
class _Size:
    """What a value costs once expanded: nodes, UTF-8 bytes of scalar text, and height."""

    nodes: int
    text_bytes: int
    height: int


_SCALAR_HEIGHT = 0


@dataclass(frozen=True, slots=True)
class _Limits:
    """How large one document may grow once its aliases are expanded."""

    nodes: int
    text_bytes: int
    depth: int


class _Frame:
    """A collection being filled: its value, expanded size and height so far."""

    __slots__ = ("anchor", "height", "is_mapping", "key", "nodes", "text_bytes", "value")

    def __init__(self, value: dict[str, Any] | list[Any], anchor: str | None) -> None:
        self.value = value
        self.anchor = anchor
        self.is_mapping = isinstance(value, dict)
        self.nodes = 1
        self.text_bytes = 0
        self.height = 1
        self.key: Any = _NO_KEY

    def size(self) -> _Size:
        return _Size(self.nodes, self.text_bytes, self.height)


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


class _DocumentReader:
    """Consumes the events of one document and builds its value with an explicit stack."""

    def __init__(self, loader: _CatalogLoader, limits: _Limits) -> None:
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
        loader = self.loader
        while True:
            event = loader.get_event()
            if isinstance(event, DocumentEndEvent):
                return self.root
            line = event.start_mark.line + 1
            try:
                self._handle(event, line)
            except _DocumentError as error:
                message = str(error)
                if "line " not in message:
                    message = f"{message} (line {line})"
                if isinstance(error, _StopReading):
                    raise _StopReading(f"{message}; the rest of the file was not read") from None
                self._skip_to_document_end()
                raise _DocumentError(message) from None

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
                    raise _StopReading(
                        f"document nests deeper than {self.max_depth} levels (line {where})"
                        "; the rest of the file was not read"
                    )
            elif isinstance(event, MappingEndEvent | SequenceEndEvent):
                depth -= 1

    def _count(self, size: _Size) -> None:
        """Add a value's expanded size to the document's; refuse the document past a limit."""
        self.total_nodes += size.nodes
        self.total_text_bytes += size.text_bytes
        if self.total_nodes > self.max_nodes:
            raise _DocumentError(self._too_large(f"{self.max_nodes} nodes"))
        if self.total_text_bytes > self.max_text_bytes:
            raise _DocumentError(self._too_large(f"{self.max_text_bytes} bytes of text"))

    def _too_large(self, limit: str) -> str:
        if self.has_aliases:
            return f"document expands to more than {limit} through its aliases"
        return f"document has more than {limit}"

    def _handle(self, event: Any, line: int) -> None:
        if isinstance(event, ScalarEvent):
            value = self._scalar(event)
            size = _Size(1, _utf8_length(event.value), _SCALAR_HEIGHT)
            self._count(size)
            if event.anchor is not None:
                self.anchors[event.anchor] = (value, size)
            self._add(value, size, line)
        elif isinstance(event, MappingStartEvent | SequenceStartEvent):
            self._open(event, line)
        elif isinstance(event, MappingEndEvent | SequenceEndEvent):
            frame = self.stack.pop()
            if frame.anchor is not None:
                self.anchors[frame.anchor] = (frame.value, frame.size())
            self._add(frame.value, frame.size(), line)
        elif isinstance(event, AliasEvent):
            self._alias(event, line)

    def _scalar(self, event: ScalarEvent) -> Any:
        tag = event.tag
        text = event.value
        if tag is None:
            tag = self.loader.resolve(ScalarNode, text, event.implicit) if event.implicit[0] else _STR
        elif tag == "!":
            tag = _STR
        value = self.loader.construct_scalar_value(tag, text)
        if event.style == '"' and _UNSTORABLE.search(text):
            raise _DocumentError("a string holds a NUL character or a lone surrogate, which cannot be stored")
        return value

    def _open(self, event: MappingStartEvent | SequenceStartEvent, line: int) -> None:
        is_mapping = isinstance(event, MappingStartEvent)
        tag = event.tag
        if tag not in (None, "!", _MAP if is_mapping else _SEQ):
            raise _DocumentError(f"tag {_tag_name(tag)} is not allowed on a {'mapping' if is_mapping else 'sequence'}")
        if len(self.stack) >= self.max_depth:
            raise _StopReading(f"document nests deeper than {self.max_depth} levels")
        self._count(_Size(1, 0, 1))
        frame = _Frame({} if is_mapping else [], event.anchor)
        if event.anchor is not None:
            self.anchors[event.anchor] = (_PENDING, _Size(0, 0, 0))
        self.stack.append(frame)

    def _alias(self, event: AliasEvent, line: int) -> None:
        target = self.anchors.get(event.anchor)
        if target is None:
            raise _DocumentError(f"alias *{event.anchor} refers to an unknown anchor")
        value, size = target
        if value is _PENDING:
            raise _DocumentError(f"alias *{event.anchor} refers to a collection that contains it")
        if len(self.stack) + size.height > self.max_depth:
            raise _DocumentError(f"document nests deeper than {self.max_depth} levels")
        self.has_aliases = True
        self._count(size)
        self._add(value, size, line)

    def _add(self, value: Any, size: _Size, line: int) -> None:
        if not self.stack:
            self.root = value
            return
        parent = self.stack[-1]
        parent.nodes += size.nodes
        parent.text_bytes += size.text_bytes
        if size.height + 1 > parent.height:
            parent.height = size.height + 1
        if not parent.is_mapping:
            parent.value.append(value)  # type: ignore[union-attr]
        elif parent.key is _NO_KEY:
            if isinstance(value, dict | list):
                raise _DocumentError(f"a mapping key at line {line} is a collection; keys must be scalars")
            key = _js_key(value)
            if key in parent.value:
                raise _DocumentError(f"duplicate key '{key}' at line {line}; mapping keys must be unique")
            parent.key = key
        else:
            parent.value[parent.key] = value  # type: ignore[call-overload]
            parent.key = _NO_KEY


def _utf8_length(text: str) -> int:
    # Lone surrogates (from escapes) are refused later; count them as their 3 encoded bytes.
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def _refuse_wide_encodings(data: bytes, source: str) -> None:
    """Name UTF-16 and UTF-32 files for what they are, rather than as bad UTF-8."""
    for pattern, name in _WIDE_ENCODINGS:
        if pattern.match(data):
            raise YamlFileError(source, None, f"{name} is not supported; save the file as UTF-8")


def _decode(data: bytes, source: str) -> str:
    """Decode UTF-8 (an initial BOM is dropped); offsets in messages count bytes of the whole file."""
    _refuse_wide_encodings(data, source)
    skipped = len(_BOM) if data.startswith(_BOM) else 0
    try:
        text = data[skipped:].decode("utf-8")
    except UnicodeDecodeError as error:
        offset = skipped + error.start
        line = data.count(b"\n", 0, offset) + 1
        raise YamlFileError(source, line, f"not valid UTF-8: byte 0x{data[offset]:02x} at offset {offset}") from None
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        offset = skipped + len(text[:nul].encode("utf-8"))
        raise YamlFileError(source, line, f"NUL character at offset {offset}; it cannot be stored")
    return text


def _is_parser_nesting_limit(error: yaml.YAMLError) -> bool:
    """Whether the parser itself gave up on nesting depth, as libyaml does past 1,000 levels."""
    return "exceeded maximum nesting depth" in (getattr(error, "problem", None) or "")


def _syntax_error(error: yaml.YAMLError, text: str, source: str) -> YamlFileError:
    if isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        parts = [part for part in (error.context, error.problem) if part]
        return YamlFileError(source, line, "YAML syntax error: " + ", ".join(parts))
    position = getattr(error, "position", None)
    line = text.count("\n", 0, position) + 1 if isinstance(position, int) else None
    reason = getattr(error, "reason", None) or str(error)
    return YamlFileError(source, line, f"YAML syntax error: {reason}")


def iter_documents(
    data: bytes,
    *,
    source: str,
    max_bytes: int = 4 * 1024 * 1024,
    max_nodes: int = 200_000,
    max_depth: int = 64,
    max_text_bytes: int | None = None,
) -> Iterator[YamlDocument]:
    """Yield the documents of a catalog file one at a time, so a huge file is never held parsed whole.

    `source` names the file in messages. Each document may expand, aliases
    counted in full, to at most `max_nodes` nodes and `max_text_bytes` bytes of
    scalar text (by default twice `max_bytes`: without aliases a document cannot
    hold more text than its file). Documents that are empty or null are
    skipped. A document that cannot be used is yielded with `error` set and
    `data` None; the rest are yielded with their mapping in `data`. After a
    document nested deeper than `max_depth`, the rest of the file is not read.
    Raises `YamlFileError` (possibly after some documents) when the file as a
    whole cannot be read.
    """
    if len(data) > max_bytes:
        raise YamlFileError(source, None, f"file is {len(data)} bytes, more than the limit of {max_bytes}")
    text = _decode(data, source)
    limits = _Limits(max_nodes, 2 * max_bytes if max_text_bytes is None else max_text_bytes, max_depth)
    loader = _CatalogLoader(text)
    index = 0
    line = 1
    try:
        while True:
            event = loader.get_event()
            if isinstance(event, StreamEndEvent):
                break
            if not isinstance(event, DocumentStartEvent):
                continue
            line = event.start_mark.line + 1
            reader = _DocumentReader(loader, limits)
            try:
                root = reader.read()
            except _StopReading as error:
                yield YamlDocument(index, line, None, f"YAML error: {error}")
                break
            except _DocumentError as error:
                yield YamlDocument(index, line, None, f"YAML error: {error}")
            else:
                if isinstance(root, dict):
                    yield YamlDocument(index, line, root, None)
                elif root is not None:
                    message = f"Expected object at root, got {json_type(root)} (line {line})"
                    yield YamlDocument(index, line, None, message)
            index += 1
    except yaml.YAMLError as error:
        if not _is_parser_nesting_limit(error):
            raise _syntax_error(error, text, source) from None
        # The parser's own cap on nesting (libyaml 0.2.5 stops at 1,000 flow levels) is met
        # before our smaller limit when it scans ahead: refuse this document the same way.
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        message = f"document nests deeper than {max_depth} levels{where}; the rest of the file was not read"
        yield YamlDocument(index, line, None, f"YAML error: {message}")
    finally:
        dispose = getattr(loader, "dispose", None)
        if dispose is not None:
            dispose()


def parse_documents(
    data: bytes,
    *,
    source: str,
    max_bytes: int = 4 * 1024 * 1024,
    max_nodes: int = 200_000,
    max_depth: int = 64,
    max_text_bytes: int | None = None,
) -> list[YamlDocument]:
    """Every document of a catalog file, as `iter_documents` yields them."""
    documents = iter_documents(
        data,
        source=source,
        max_bytes=max_bytes,
        max_nodes=max_nodes,
        max_depth=max_depth,
        max_text_bytes=max_text_bytes,
    )
    return list(documents)
