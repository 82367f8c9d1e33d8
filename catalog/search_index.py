"""Flatten an entity into the lowercase key/value index that drives filters, as Backstage's does.

Every leaf path becomes a key (``spec.type``), arrays are walked (their items share the array's
key), and a string item ``x`` of array ``a.b`` also yields ``a.b.x = "true"``. Keys over 200
characters are dropped; values over 200 characters only satisfy "key exists".
"""

from __future__ import annotations

from typing import Any

MAX_KEY_LENGTH = 200
MAX_VALUE_LENGTH = 200


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value).lower()


def build_search_document(entity: dict[str, Any]) -> dict[str, list[str]]:
    """Map each lowercase dotted path of ``entity`` to the sorted lowercase values found there."""
    index: dict[str, set[str]] = {}

    def add(key: str, value: Any) -> None:
        if len(key) > MAX_KEY_LENGTH:
            return
        values = index.setdefault(key, set())
        text = _text(value)
        if text is not None and len(text) <= MAX_VALUE_LENGTH:
            values.add(text)

    # An explicit stack rather than recursion: validated entities are shallow, but nothing here
    # should depend on that.
    stack: list[tuple[str, Any]] = [
        (key.lower(), value) for key, value in entity.items() if key not in ("relations", "status")
    ]
    while stack:
        key, value = stack.pop()
        if isinstance(value, dict):
            for child_key, child in value.items():
                stack.append((f"{key}.{str(child_key).lower()}", child))
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, str) and len(key) + len(item) < MAX_KEY_LENGTH:
                    add(f"{key}.{item.lower()}", True)
                stack.append((key, item))
        else:
            add(key, value)
    metadata = entity.get("metadata") or {}
    add("metadata.namespace", metadata.get("namespace") or "default")
    return {key: sorted(values) for key, values in index.items()}
