"""DRF's JSON renderer with orjson doing the encoding: the same JSON, several times faster.

Large answers (an owner lookup lists hundreds of dependents with their owners) spent more time in
``json.dumps`` than in the database. orjson writes what DRF's encoder writes for the types the API
returns (dicts, lists, strings, numbers, UUIDs, UTC datetimes as ``...Z``); for anything else (lazy
translations, sets, Decimals) it raises TypeError and DRF's own encoder takes over, so no answer
changes. Indented output (``Accept: application/json; indent=2``) is left to DRF too.
"""

from __future__ import annotations

from typing import Any

import orjson
from rest_framework.renderers import JSONRenderer

_OPTIONS = orjson.OPT_UTC_Z


class FastJSONRenderer(JSONRenderer):
    """Renders JSON with orjson, falling back to DRF's encoder for types orjson does not know."""

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        if data is None:
            return b""
        if self.get_indent(accepted_media_type or "", renderer_context or {}) is not None:
            return super().render(data, accepted_media_type, renderer_context)
        try:
            encoded = orjson.dumps(data, option=_OPTIONS)
        except TypeError:
            return super().render(data, accepted_media_type, renderer_context)
        # Like DRF: the two line separators that are valid JSON but end a line in JavaScript.
        return encoded.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")
