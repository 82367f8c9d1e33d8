"""JSON type names for messages: what a value is, spelled as a descriptor's author thinks of it."""

from __future__ import annotations


def json_type(value: object) -> str:
    """``null``, ``boolean``, ``number``, ``string``, ``array`` or ``object``.

    Backstage reports JavaScript's ``typeof``, which calls a list an ``object``; a message that
    says "expected object, got object" helps nobody, so arrays are named as arrays here.
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__
