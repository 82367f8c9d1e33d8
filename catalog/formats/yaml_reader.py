"""Read catalog descriptor files the way Backstage reads them.

Backstage parses `catalog-info.yaml` files as YAML 1.2 with the core schema, so
`yes`/`no`/`on`/`off` and dates stay strings, `0755` is the decimal 755, `<<` is an
ordinary key and duplicate keys are an error. PyYAML's own loaders speak YAML 1.1,
so this module drives PyYAML's parser at the event level and builds the Python
values itself:

* the libyaml C parser (falling back to the pure-Python parser when libyaml is
  missing) turns bytes into events;
* a resolver knows the YAML 1.2 core schema only, and a constructor turns scalar
  events into Python values, refusing any tag outside the core set
  (`yaml_core_schema`);
* `yaml_documents` assembles collections with an explicit stack, so no input can
  raise `RecursionError`, and counts each document's expanded size.

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

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.events import DocumentStartEvent, StreamEndEvent

from .validation.types import json_type
from .yaml_core_schema import HAS_LIBYAML, CatalogLoader, DocumentError, StopReading
from .yaml_documents import DocumentLimits, DocumentReader

__all__ = ["HAS_LIBYAML", "MAX_DOCUMENT_TEXT_BYTES", "YamlDocument", "YamlFileError", "parse_documents"]

_BOM = b"\xef\xbb\xbf"
_VALIDATE_CHUNK = 1 << 20
# However large a file may be, one document expands (aliases counted in full) to at most this much
# scalar text by default: a big file holds many documents, not one huge one, and a body's text is
# encoded to JSON a few times on its way to the database.
MAX_DOCUMENT_TEXT_BYTES = 32 * 1024 * 1024
# The encodings YAML 1.2 (section 5.2) detects from a stream's first bytes; Backstage reads only UTF-8.
_WIDE_ENCODINGS = (
    (re.compile(rb"\x00\x00\xfe\xff|\x00\x00\x00[^\x00]|\xff\xfe\x00\x00|[^\x00]\x00\x00\x00"), "UTF-32"),
    (re.compile(rb"\xfe\xff|\xff\xfe|\x00[^\x00]|[^\x00]\x00"), "UTF-16"),
)


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


def _refuse_wide_encodings(data: bytes, source: str) -> None:
    """Name UTF-16 and UTF-32 files for what they are, rather than as bad UTF-8."""
    for pattern, name in _WIDE_ENCODINGS:
        if pattern.match(data):
            raise YamlFileError(source, None, f"{name} is not supported; save the file as UTF-8")


def _check_encoding(data: bytes, source: str) -> None:
    """Refuse what is not UTF-8 without NULs; offsets in messages count bytes of the whole file.

    The parser reads the bytes themselves, so the file is never held decoded as well: a file of
    100 MB costs 100 MB, not three times that. Validation decodes in chunks and keeps nothing.
    """
    _refuse_wide_encodings(data, source)
    skipped = len(_BOM) if data.startswith(_BOM) else 0
    if not data.isascii():
        decoder = codecs.getincrementaldecoder("utf-8")()
        view = memoryview(data)
        for start in range(skipped, len(data), _VALIDATE_CHUNK):
            # Bytes of a character cut by the previous chunk's end are held by the decoder.
            held = len(decoder.getstate()[0])
            try:
                decoder.decode(view[start : start + _VALIDATE_CHUNK], final=start + _VALIDATE_CHUNK >= len(data))
            except UnicodeDecodeError as error:
                offset = start - held + error.start
                line = data.count(b"\n", 0, offset) + 1
                message = f"not valid UTF-8: byte 0x{data[offset]:02x} at offset {offset}"
                raise YamlFileError(source, line, message) from None
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise YamlFileError(source, line, f"NUL character at offset {nul}; it cannot be stored")


def _is_parser_nesting_limit(error: yaml.YAMLError) -> bool:
    """Whether the parser itself gave up on nesting depth, as libyaml does past 1,000 levels."""
    return "exceeded maximum nesting depth" in (getattr(error, "problem", None) or "")


def _syntax_error(error: yaml.YAMLError, data: bytes, source: str) -> YamlFileError:
    if isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        parts = [part for part in (error.context, error.problem) if part]
        return YamlFileError(source, line, "YAML syntax error: " + ", ".join(parts))
    position = getattr(error, "position", None)
    line = data.count(b"\n", 0, position) + 1 if isinstance(position, int) else None
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
    scalar text (by default twice `max_bytes`, since without aliases a document
    cannot hold more text than its file, but never more than
    `MAX_DOCUMENT_TEXT_BYTES`). Documents that are empty or null are
    skipped. A document that cannot be used is yielded with `error` set and
    `data` None; the rest are yielded with their mapping in `data`. After a
    document nested deeper than `max_depth`, the rest of the file is not read.
    Raises `YamlFileError` (possibly after some documents) when the file as a
    whole cannot be read.
    """
    if len(data) > max_bytes:
        raise YamlFileError(source, None, f"file is {len(data)} bytes, more than the limit of {max_bytes}")
    _check_encoding(data, source)
    if max_text_bytes is None:
        max_text_bytes = min(2 * max_bytes, MAX_DOCUMENT_TEXT_BYTES)
    limits = DocumentLimits(max_nodes, max_text_bytes, max_depth)
    loader = CatalogLoader(data)
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
            reader = DocumentReader(loader, limits)
            try:
                root = reader.read()
            except StopReading as error:
                yield YamlDocument(index, line, None, f"YAML error: {error}")
                break
            except DocumentError as error:
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
            raise _syntax_error(error, data, source) from None
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
