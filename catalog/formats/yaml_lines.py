"""The line a field is written on, for error messages: ``spec.type`` of the third document.

Documents are read as events, without line numbers kept (``yaml_documents``): holding a mark per node
would cost every file of a large catalog memory for the few documents with an error. When an error
names a field, the file is walked once more as events, up to that document, and the line of the
field's key (or of the deepest parent written, for a missing field) is taken from the parser's marks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class _Frame:
    is_mapping: bool
    path: tuple[str, ...]
    key: str = ""
    expecting_key: bool = True
    lines: dict[str, int] = field(default_factory=dict)


def field_line(data: bytes, document_index: int, field_path: str) -> int | None:
    """1-based line of ``field_path`` (dotted, as validation names it) in document ``document_index``.

    A missing field gives the line of its deepest parent that is written; None when nothing matches
    or the file cannot be walked.
    """
    document = -1
    frames: list[_Frame] = []
    best: int | None = None
    try:
        for event in yaml.parse(data, Loader=_LOADER):
            if isinstance(event, yaml.DocumentStartEvent):
                document += 1
                if document > document_index:
                    break
                continue
            if document != document_index:
                continue
            if isinstance(event, yaml.CollectionStartEvent):
                frames.append(_Frame(isinstance(event, yaml.MappingStartEvent), _child_path(frames)))
            elif isinstance(event, yaml.CollectionEndEvent):
                frames.pop()
                if frames and frames[-1].is_mapping:
                    frames[-1].expecting_key = True
            elif isinstance(event, (yaml.ScalarEvent, yaml.AliasEvent)) and frames and frames[-1].is_mapping:
                top = frames[-1]
                if not top.expecting_key:
                    top.expecting_key = True
                    continue
                top.key, top.expecting_key = str(getattr(event, "value", "")), False
                written = ".".join((*top.path, top.key))
                line = event.start_mark.line + 1
                if written == field_path:
                    return line
                if field_path.startswith(written + "."):
                    best = line
    except yaml.YAMLError:
        return None
    return best


def _child_path(frames: list[_Frame]) -> tuple[str, ...]:
    if not frames:
        return ()
    top = frames[-1]
    if not top.is_mapping:
        return (*top.path, "[]")
    top.expecting_key = False  # this collection is the value of ``top.key``
    return (*top.path, top.key)
