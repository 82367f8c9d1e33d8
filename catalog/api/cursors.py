"""Opaque cursors for ``/entities/by-query``: base64 JSON, as Backstage's own.

A cursor carries the query it continues (filters, order, full-text filter), the boundary row, the
direction and the total computed on the first page. It never holds a ``query`` key: Backstage's
client takes that as the mark of a predicate-based cursor.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Callable
from typing import Any

from portal.api.errors import InputError
from portal.api.json_body import UnreadableJson, check_json_value

from .params import MAX_LIMIT

# Offsets and totals a cursor may carry: the bounds the query parameters have.
MAX_OFFSET = 10**9
MAX_TOTAL = 2**63 - 1


def encode_cursor(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode()


def decode_cursor(cursor: str) -> dict[str, Any]:
    """The JSON object a cursor holds; ``InputError`` unless it is one of this API's (``v: 1``)."""
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor.encode() + b"=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise InputError("malformed cursor") from None
    if not isinstance(data, dict) or data.get("v") != 1:
        raise InputError("malformed cursor")
    try:
        # What a request body may not hold, a cursor may not smuggle in either.
        check_json_value(data, what="cursor")
    except UnreadableJson as error:
        raise InputError(str(error)) from None
    return data


def _is_count(value: Any, maximum: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= maximum


def _is_uuid(value: Any) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def _are_strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _is_boundary(value: Any) -> bool:
    """``[id]`` or ``[sort value, id]``, as ``/entities/by-query`` writes them."""
    if not isinstance(value, list) or len(value) not in (1, 2) or not _is_uuid(value[-1]):
        return False
    return len(value) == 1 or (isinstance(value[0], str | int | float) and not isinstance(value[0], bool))


# Each key a by-query cursor may hold, and what its value must be; anything else is a forged cursor.
_QUERY_STATE: dict[str, Callable[[Any], bool]] = {
    "v": lambda value: value == 1,
    "filter": _are_strings,
    "predicate": lambda value: isinstance(value, dict),
    "orderField": lambda value: (
        value is None
        or (isinstance(value, list) and len(value) == 2 and isinstance(value[0], str) and value[1] in ("asc", "desc"))
    ),
    "fullText": lambda value: (
        value is None
        or (isinstance(value, dict) and isinstance(value.get("term"), str) and _are_strings(value.get("fields")))
    ),
    "offset": lambda value: _is_count(value, MAX_OFFSET),
    "include_total": lambda value: isinstance(value, bool),
    "total": lambda value: value is None or _is_count(value, MAX_TOTAL),
    "boundary": lambda value: value is None or _is_boundary(value),
    "direction": lambda value: value in ("next", "prev"),
}


def decode_query_cursor(cursor: str) -> dict[str, Any]:
    """The state a ``/entities/by-query`` cursor carries, each key checked; ``InputError`` naming the bad one."""
    data = decode_cursor(cursor)
    for key, value in data.items():
        rule = _QUERY_STATE.get(key)
        if rule is None or not rule(value):
            raise InputError(f"malformed cursor ({key!r}): pass pageInfo.nextCursor or prevCursor of a previous page")
    return data


def decode_offset_cursor(after: str) -> tuple[int, int]:
    """``(limit, offset)`` from an ``after`` cursor of ``GET /entities``; ``InputError`` for anything else."""
    try:
        position = json.loads(base64.b64decode(after, validate=True))
        limit, offset = position["limit"], position["offset"]
    except (binascii.Error, ValueError, UnicodeDecodeError, KeyError, TypeError):
        raise InputError("malformed 'after' cursor: pass the one from the previous page's Link header") from None
    if not _is_count(limit, MAX_LIMIT) or limit == 0 or not _is_count(offset, MAX_OFFSET):
        raise InputError("malformed 'after' cursor: pass the one from the previous page's Link header")
    return limit, offset
