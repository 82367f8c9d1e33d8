"""Which catalog entities a track or campaign applies to, from its ``entity_filter``.

A filter is a mapping of keys to lists: ``kind``, ``type`` (``spec.type``), ``lifecycle``, ``tags``
and ``owner`` (owner refs such as ``group:default/team-a``; a bare name means a Group in the
default namespace, as Backstage reads ``spec.owner``), and ``filter``: Backstage filter expressions
(``metadata.annotations.backstage.io/techdocs-ref,spec.type=service``), ORed with each other.
Values within a key are ORed, keys are ANDed, and every comparison ignores case. An empty filter
selects every entity. The filter becomes clauses of the catalog's one filter compiler
(``catalog.filtering``), so it selects what the explorer and the API select for the same conditions.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from catalog.filtering import filter_q
from catalog.formats.filter_syntax import Condition, FilterClause, FilterSyntaxError, parse_filter, parse_filters
from catalog.formats.refs import InvalidEntityRef, parse_entity_ref
from catalog.models import Entity

FILTER_KEYS = {
    "kind": "kind",
    "type": "spec.type",
    "lifecycle": "spec.lifecycle",
    "tags": "metadata.tags",
    "owner": "relations.ownedby",
    "filter": "",  # Backstage filter expressions, each a clause
}


class EntityFilterError(ValueError):
    """An entity filter cannot be used; the message names the key at fault."""


def normalize_entity_filter(entity_filter: Any, where: str = "filter") -> dict[str, list[str]]:
    """The filter with lowercase string lists and full owner refs; raises ``EntityFilterError``."""
    if entity_filter in (None, ""):
        return {}
    if not isinstance(entity_filter, dict):
        raise EntityFilterError(f"{where}: expected a mapping of {', '.join(FILTER_KEYS)}")
    normalized: dict[str, list[str]] = {}
    for key, values in entity_filter.items():
        if key not in FILTER_KEYS:
            raise EntityFilterError(f"{where}.{key}: unknown filter key (expected one of {', '.join(FILTER_KEYS)})")
        if isinstance(values, str):
            values = [values]
        if not isinstance(values, list) or not values:
            raise EntityFilterError(f"{where}.{key}: expected a non-empty list of strings")
        cleaned = []
        for index, value in enumerate(values):
            if not isinstance(value, str) or not value.strip():
                raise EntityFilterError(f"{where}.{key}[{index}]: expected a non-empty string")
            if key == "filter":
                try:
                    parse_filters([value])  # as the API reads it, so the messages are the same
                except FilterSyntaxError as error:
                    raise EntityFilterError(f"{where}.{key}[{index}]: {error}") from None
            value = value.strip()
            if key == "owner":
                try:
                    value = str(parse_entity_ref(value, default_kind="group", default_namespace="default"))
                except InvalidEntityRef as error:
                    raise EntityFilterError(f"{where}.{key}[{index}]: {error}") from None
            cleaned.append(value.lower())
        normalized[key] = cleaned
    return normalized


def selection_clauses(entity_filter: Any) -> list[FilterClause]:
    """``entity_filter`` as the catalog's filter clauses (none for the empty filter); raises
    ``EntityFilterError`` like ``normalize_entity_filter``."""
    normalized = normalize_entity_filter(entity_filter)
    fields = tuple(Condition(FILTER_KEYS[key], tuple(values)) for key, values in normalized.items() if key != "filter")
    expressions = normalized.get("filter")
    if not expressions:
        return [fields] if fields else []
    return [fields + parse_filter(expression) for expression in expressions]


def entities_matching(entity_filter: Any) -> QuerySet[Entity]:
    """Catalog entities selected by ``entity_filter`` (see the module docstring); one query when read.

    A filter that cannot be used raises ``EntityFilterError``: definitions are validated when they
    are saved, so this only happens for rows written around the parser.
    """
    return Entity.objects.matching(selection_clauses(entity_filter))


def entity_filter_q(entity_filter: Any) -> Q:
    """``entity_filter`` as a condition on ``Entity`` (an empty ``Q`` for the empty filter), for
    querysets or annotations; raises ``EntityFilterError`` like ``entities_matching``."""
    return filter_q(selection_clauses(entity_filter))
