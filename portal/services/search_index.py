"""The search index's rows: every write ``portal.search.indexing`` decides on is made here.

Indexing is bookkeeping, not someone's edit: nothing here records an audit event (the write that
changed the entity recorded one).
"""

from __future__ import annotations

from collections.abc import Iterable

from portal.search.models import SearchDocument


def delete_documents(refs: list[str], types: Iterable[str] | None = None) -> int:
    """Remove the rows of these source refs (only of ``types`` when given); returns how many went."""
    rows = SearchDocument.objects.filter(source_ref__in=refs)
    if types is not None:
        rows = rows.filter(type__in=list(types))
    return rows.delete()[0]


def replace_documents_of(refs: list[str], types: Iterable[str], documents: list[SearchDocument]) -> None:
    """Swap the rows of ``types`` for these refs for ``documents``; call it inside a transaction."""
    delete_documents(refs, types)
    SearchDocument.objects.bulk_create(documents, batch_size=500)


def update_document_facets(pages: list[SearchDocument], fields: list[str]) -> None:
    """Store the facet ``fields`` already set on ``pages``."""
    if pages:
        SearchDocument.objects.bulk_update(pages, fields, batch_size=500)
