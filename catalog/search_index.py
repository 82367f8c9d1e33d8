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
    # Values are gathered in lists (most keys get one) and made unique and sorted at the end.
    index: dict[str, list[str]] = {}

    def add(key: str, text: str | None) -> None:
        if len(key) > MAX_KEY_LENGTH:
            return
        values = index.get(key)
        if values is None:
            values = index[key] = []
        if text is not None and len(text) <= MAX_VALUE_LENGTH:
            values.append(text)

    # An explicit stack rather than recursion: validated entities are shallow, but nothing here
    # should depend on that. Written out for speed (ingestion builds one per entity): string leaves,
    # the commonest values, are added inline.
    stack: list[tuple[str, Any]] = [
        (key.lower(), value) for key, value in entity.items() if key not in ("relations", "status")
    ]
    pop, push, setdefault = stack.pop, stack.append, index.setdefault
    while stack:
        key, value = pop()
        if value.__class__ is str:
            if len(key) <= MAX_KEY_LENGTH:
                text = value.lower()
                if len(text) <= MAX_VALUE_LENGTH:
                    setdefault(key, []).append(text)
                else:
                    setdefault(key, [])
        elif isinstance(value, dict):
            for child_key, child in value.items():
                push((f"{key}.{child_key.lower() if child_key.__class__ is str else str(child_key).lower()}", child))
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, str) and len(key) + len(item) < MAX_KEY_LENGTH:
                    add(f"{key}.{item.lower()}", "true")
                push((key, item))
        else:
            add(key, _text(value))
    metadata = entity.get("metadata") or {}
    namespace = metadata.get("namespace") or "default"
    add("metadata.namespace", namespace.lower() if namespace.__class__ is str else _text(namespace))
    return {key: values if len(values) < 2 else sorted(set(values)) for key, values in index.items()}


# The fields whose values ``text_terms`` holds (full-text filters, catalog.filtering.TEXT_KEYS), in
# the order migration 0016's catalog_text_terms() lists them.
TEXT_TERM_KEYS = ("metadata.name", "metadata.title", "metadata.uid", "spec.profile.displayname")


def escape_term_key(key: str) -> str:
    """A key as a filter term writes it: ``\\`` and ``=`` escaped, so no pair reads as another."""
    return key.replace("\\", "\\\\").replace("=", "\\=")


def filter_terms(search: dict[str, list[str]]) -> list[str]:
    """The ``terms`` column of a search document (PostgreSQL): ``key`` and ``key=value`` for each value.

    The same terms as the database function catalog_search_terms() (migration 0014), which fills
    the column for writers that leave it out; computed here by the bulk writers, for speed.
    """
    terms: list[str] = []
    append, extend = terms.append, terms.extend
    for key, values in search.items():
        # Written out for speed (the refresh writer builds one per entity): most keys need no escape.
        escaped = escape_term_key(key) if "=" in key or "\\" in key else key
        append(escaped)
        if isinstance(values, list):
            extend([f"{escaped}={value}" for value in values])
    return terms


def text_terms(search: dict[str, list[str]]) -> str:
    """The ``text_terms`` column (PostgreSQL): the values of ``TEXT_TERM_KEYS``, one per line.

    Equal to the database function catalog_text_terms() (migration 0016).
    """
    return "\n".join(value for key in TEXT_TERM_KEYS if isinstance(search.get(key), list) for value in search[key])
