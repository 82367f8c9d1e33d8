"""The API's default parser: DRF's JSON parser with the limits of ``portal.api.json_body``."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from .json_body import UnreadableJson, load_json


class CheckedJSONParser(JSONParser):
    """DRF's JSON parser with ``load_json``'s limits; the default parser of every API view (settings).

    Raises DRF's ``ParseError``, which ``portal.api.errors`` answers as Backstage's ``InputError``
    (importing that module here would be circular: DRF reads this setting while it loads).
    """

    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict[str, Any] | None = None) -> Any:
        encoding = (parser_context or {}).get("encoding") or "utf-8"
        raw = stream.read() if stream is not None else b""
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as error:
            raise ParseError(f"request body is not {encoding} text: {error}") from None
        try:
            return load_json(text)
        except UnreadableJson as error:
            raise ParseError(str(error)) from None
