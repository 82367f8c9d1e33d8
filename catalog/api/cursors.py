"""Opaque cursors for ``/entities/by-query``: base64 JSON, as Backstage's own.

A cursor carries the query it continues (filters, order, full-text filter), the boundary row, the
direction and the total computed on the first page. It never holds a ``query`` key: Backstage's
client takes that as the mark of a predicate-based cursor.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from portal.api.errors import InputError


def encode_cursor(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode()


def decode_cursor(cursor: str) -> dict[str, Any]:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor.encode() + b"=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise InputError("malformed cursor") from None
    if not isinstance(data, dict) or data.get("v") != 1:
        raise InputError("malformed cursor")
    return data
