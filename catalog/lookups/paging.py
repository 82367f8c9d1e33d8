"""The owner lookup's dependents cursor: opaque base64 JSON, like ``/entities/by-query``'s.

A cursor names the entity whose walk it continues, the depth bound of that walk and the offset of
the next page. Pages re-read the walk up to their end, so a cursor holds no walk state; a catalog
changed between two pages can shift entities across the page boundary, as offsets do anywhere.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass


class BadCursor(ValueError):
    """The text is not a cursor this lookup wrote."""


@dataclass(frozen=True)
class PageCursor:
    ref: str
    max_depth: int
    offset: int


def encode_page_cursor(ref: str, max_depth: int, offset: int) -> str:
    data = {"v": 1, "ref": ref, "maxDepth": max_depth, "offset": offset}
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode()


def decode_page_cursor(cursor: str, *, max_depth: int, max_offset: int) -> PageCursor:
    """The cursor's position; ``BadCursor`` unless it is one ``encode_page_cursor`` could have written
    with ``maxDepth`` in 1..``max_depth`` and ``offset`` in 1..``max_offset``."""
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor.encode() + b"=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeError):
        raise BadCursor("not base64 JSON") from None
    if not isinstance(data, dict) or set(data) != {"v", "ref", "maxDepth", "offset"} or data["v"] != 1:
        raise BadCursor("not an owner-lookup cursor")
    ref, depth, offset = data["ref"], data["maxDepth"], data["offset"]
    if not isinstance(ref, str) or not _is_int_within(depth, 1, max_depth) or not _is_int_within(offset, 1, max_offset):
        raise BadCursor("not an owner-lookup cursor")
    return PageCursor(ref, depth, offset)


def _is_int_within(value: object, minimum: int, maximum: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and minimum <= value <= maximum
