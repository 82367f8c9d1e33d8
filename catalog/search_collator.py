"""The catalog's entities in search: read by ref and etag for ``portal.search.indexing``.

Registered from ``CatalogConfig.ready()`` as a ``portal.registry.SearchCollator``; the shape of
each index row is ``search_documents``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from portal.registry import SearchCollator
from portal.search.models import SearchDocument

from .formats.refs import parse_entity_ref
from .models import Entity
from .search_documents import entity_document, entity_title, facet_values


def read_entities(refs: list[str]) -> dict[str, tuple[str, dict[str, Any], tuple]]:
    """``{ref: (etag, body, row)}`` for the entities of ``refs`` in the catalog (one query)."""
    rows = Entity.objects.filter(ref__in=refs).values_list("ref", "kind", "namespace", "name", "body", "etag")
    return {row[0]: (row[5], row[4], row) for row in rows}


def entity_row_document(ref: str, row: tuple) -> SearchDocument | None:
    _ref, kind, namespace, name, body, etag = row
    location = Entity(kind=kind, namespace=namespace, name=name).get_absolute_url()
    return entity_document(ref, body, location, etag)


def entity_etags() -> Iterator[tuple[str, str]]:
    """Every indexed entity's ref and etag: Location entities are plumbing, not results."""
    return Entity.objects.exclude(kind__iexact="location").values_list("ref", "etag").iterator(5000)


def entity_body(ref: str) -> dict[str, Any] | None:
    return Entity.objects.filter(ref=ref).values_list("body", flat=True).first()


def owner_filter_ref(value: str) -> str:
    """An owner filter as a full ref, kind defaulting to group; ``InvalidEntityRef`` otherwise."""
    return str(parse_entity_ref(value, default_kind="group"))


CATALOG_COLLATOR = SearchCollator(
    key="catalog",
    read=read_entities,
    document=entity_row_document,
    etags=entity_etags,
    body=entity_body,
    facets=facet_values,
    title=entity_title,
    owner_ref=owner_filter_ref,
)
