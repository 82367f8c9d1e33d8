"""Turning what someone typed into a safe search request.

User text never reaches SQL or a full-text syntax as written: it is cut into alphanumeric words
(punctuation, quotes, ``*``, ``-``, ``NEAR`` and the like become separators or plain words), each
word is quoted by the backend, and every value is a bound parameter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from portal.registry import search_collators

from .models import SearchDocument

MAX_TERM_LENGTH = 200
MAX_WORDS = 8
MAX_WORD_LENGTH = 64
MAX_FILTER_VALUES = 20
# Letters and digits of any script; ``_`` and everything else separate words.
_WORD = re.compile(r"[^\W_]+")
RESULT_TYPES = tuple(SearchDocument.Type.values)
FILTER_FIELDS = {"kind": "kind", "owner": "owner", "lifecycle": "lifecycle", "type": "entity_type"}


class QueryError(ValueError):
    """A request that cannot be searched; the message names the parameter at fault."""


@dataclass(frozen=True)
class SearchQuery:
    """A checked request: words to match, result types and facet filters (column -> values)."""

    words: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # True when text was typed but held no words: nothing can match it.
    is_blank_text: bool = False

    @property
    def phrase(self) -> str:
        return " ".join(self.words)


def is_prefix_word(word: str) -> bool:
    """Whether a word is matched as a prefix: a one-letter prefix matches nearly everything."""
    return len(word) > 1


def words_of(term: str) -> tuple[str, ...]:
    """The lowercase words of ``term``, duplicates dropped, at most ``MAX_WORDS``."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(term.lower()):
        seen.setdefault(word[:MAX_WORD_LENGTH], None)
    return tuple(seen)[:MAX_WORDS]


def _filter_value(name: str, value: str) -> str:
    value = value.strip()
    if name == "owner":
        for collator in search_collators():
            try:
                return collator.owner_ref(value)
            except ValueError as problem:
                raise QueryError(f"filters[owner]: {problem}") from None
    return value.lower()


def build_query(term: str, types: list[str], filters: dict[str, list[str]]) -> SearchQuery:
    """Check and normalise a request; raises ``QueryError`` naming the parameter at fault."""
    if len(term) > MAX_TERM_LENGTH:
        raise QueryError(f"term: at most {MAX_TERM_LENGTH} characters (got {len(term)})")
    unknown = sorted(set(types) - set(RESULT_TYPES))
    if unknown:
        raise QueryError(f"types: unknown type {unknown[0]!r}; use {', '.join(RESULT_TYPES)}")
    checked: dict[str, tuple[str, ...]] = {}
    for name, values in filters.items():
        if name not in FILTER_FIELDS:
            raise QueryError(f"filters[{name}]: unknown filter; use {', '.join(FILTER_FIELDS)}")
        values = [value for value in values if value.strip()]
        if len(values) > MAX_FILTER_VALUES:
            raise QueryError(f"filters[{name}]: at most {MAX_FILTER_VALUES} values")
        if any(len(value) > 400 for value in values):
            raise QueryError(f"filters[{name}]: values are at most 400 characters")
        if values:
            checked[FILTER_FIELDS[name]] = tuple(sorted({_filter_value(name, value) for value in values}))
    words = words_of(term)
    return SearchQuery(
        words=words,
        types=tuple(sorted(set(types))),
        filters=checked,
        is_blank_text=bool(term.strip()) and not words,
    )
