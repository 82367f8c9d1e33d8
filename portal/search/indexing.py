"""Keeping the search index: catalog entities as they change, and documents other apps hand in.

Apps register collators (``portal.registry.SearchCollator``) that read their entities by ref and
etag; the catalog's is ``catalog.search_collator``. Catalog writes announce the refs they wrote
and deleted (``catalog.signals.entities_changed``) after commit. A small change (a curator's
edit, a deletion, a refresh touching a few hundred entities) is indexed at once in the process
that made it; a larger one queues ``portal.search.sync_index``, which compares etags over the
whole catalog, so a refresh of 100,000 entities pays nothing for search and the index follows a
few seconds later. Either path works in chunks: a fixed handful of queries per thousand entities, never one per row.
The rows themselves are written by ``portal.services.search_index``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

from django.conf import settings
from django.db import transaction

from portal.jobs import send_job_now
from portal.registry import SearchCollator, search_collators
from portal.services.search_index import delete_documents, replace_documents_of, update_document_facets

from .models import SearchDocument

logger = logging.getLogger(__name__)

CHUNK = 1000
ENTITY_TYPES = (SearchDocument.Type.CATALOG, SearchDocument.Type.TEMPLATES, SearchDocument.Type.PEOPLE)
# Sources other apps may fill through ``replace_documents``, each its own result type.
DOCUMENT_SOURCES = (SearchDocument.Type.TECHDOCS,)
MAX_DOCUMENTS = 50_000
MAX_TEXT = 100_000
_SAFE_LOCATION = re.compile(r"^(/(?!/)|https?://)", re.IGNORECASE)


def inline_limit() -> int:
    """Changes up to this many refs are indexed at once; larger ones go to the etag sync task."""
    return int(getattr(settings, "SEARCH_INLINE_INDEX_LIMIT", 500))


def _chunks(items: Iterable[str]) -> Iterator[list[str]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, CHUNK)):
        yield chunk


@dataclass
class IndexReport:
    """What one indexing pass did."""

    indexed: int = 0
    removed: int = 0
    unchanged: int = 0


def _read(chunk: list[str]) -> dict[str, tuple[SearchCollator, str, Any, Any]]:
    """``{ref: (collator, etag, body, row)}`` for the refs of ``chunk`` some collator has (first wins)."""
    found: dict[str, tuple[SearchCollator, str, Any, Any]] = {}
    for collator in search_collators():
        for ref, (etag, body, row) in collator.read([ref for ref in chunk if ref not in found]).items():
            found[ref] = (collator, etag, body, row)
    return found


def _body(ref: str) -> tuple[SearchCollator, Any] | None:
    for collator in search_collators():
        body = collator.body(ref)
        if body is not None:
            return collator, body
    return None


def index_entities(refs: Iterable[str], *, force: bool = False) -> IndexReport:
    """Bring the index rows of these entities up to date; refs no longer in the catalog are removed.

    Rows whose etag matches the entity's are left alone unless ``force``. Docs pages of a changed
    entity get its new kind, owner and lifecycle for their facets.
    """
    report = IndexReport()
    for chunk in _chunks(sorted(set(refs))):
        entities = _read(chunk)
        stored = dict(
            SearchDocument.objects.filter(source_ref__in=chunk, type__in=ENTITY_TYPES).values_list("source_ref", "etag")
        )
        gone = [ref for ref in chunk if ref not in entities]
        changed = [ref for ref, row in entities.items() if force or stored.get(ref) != row[1]]
        report.unchanged += len(entities) - len(changed)
        if gone:
            report.removed += delete_documents(gone)
        if not changed:
            continue
        rows = []
        for ref in changed:
            collator, _etag, _body, row = entities[ref]
            document = collator.document(ref, row)
            if document is not None:
                rows.append(document)
        with transaction.atomic():
            replace_documents_of(changed, ENTITY_TYPES, rows)
            _update_page_facets({ref: (entities[ref][0], entities[ref][2]) for ref in changed})
        report.indexed += len(rows)
    return report


def _update_page_facets(bodies: dict[str, tuple[SearchCollator, Any]]) -> None:
    """Copy changed entities' facet values onto their docs pages (two queries per chunk)."""
    pages = list(
        SearchDocument.objects.filter(source_ref__in=list(bodies), type__in=DOCUMENT_SOURCES).only("id", "source_ref")
    )
    for page in pages:
        collator, body = bodies[page.source_ref]
        for field, value in collator.facets(body).items():
            setattr(page, field, value)
    update_document_facets(pages, ["kind", "namespace", "owner", "lifecycle", "entity_type"])


def remove_entities(refs: Iterable[str]) -> int:
    """Remove every row of these entities, their docs pages included; returns how many went."""
    removed = 0
    for chunk in _chunks(sorted(set(refs))):
        removed += delete_documents(chunk)
    return removed


def sync_catalog(*, force: bool = False) -> IndexReport:
    """Make the index match the whole catalog by etag: the repair and catch-up path.

    Two scans (entity refs and etags; indexed refs and etags), then only the difference is written.
    """
    current: dict[str, str] = {}
    for collator in search_collators():
        for ref, etag in collator.etags():
            current.setdefault(ref, etag)
    indexed = dict(
        SearchDocument.objects.filter(type__in=ENTITY_TYPES).values_list("source_ref", "etag").iterator(5000)
    )
    stale = [ref for ref, etag in current.items() if force or indexed.get(ref) != etag]
    report = index_entities(stale, force=force)
    report.unchanged += len(current) - len(stale)
    orphaned_pages = set(
        SearchDocument.objects.filter(type__in=DOCUMENT_SOURCES).values_list("source_ref", flat=True).distinct()
    )
    report.removed += remove_entities([ref for ref in indexed if ref not in current])
    report.removed += remove_entities([ref for ref in orphaned_pages if ref not in current])
    return report


def on_entities_changed(sender: Any, written: list[str], deleted: list[str], **kwargs: Any) -> None:
    """Receiver of ``catalog.signals.entities_changed`` (connected in ``CatalogConfig.ready``)."""
    if len(written) + len(deleted) <= inline_limit():
        remove_entities(deleted)
        index_entities(written)
        return
    # Lost to a broker outage, the sync is made by the next large write, or `manage.py search_reindex`.
    send_job_now("portal.search.sync_index")


# --- documents from other apps ----------------------------------------------------------------


class DocumentError(ValueError):
    """A document refused by ``replace_documents``; the message names the document and field."""


def _clean_document(index: int, document: Any) -> dict[str, Any]:
    where = f"documents[{index}]"
    if not isinstance(document, dict):
        raise DocumentError(f"{where}: must be a mapping with title, location, text and headings")
    title, location = document.get("title"), document.get("location")
    text, headings = document.get("text", ""), document.get("headings", [])
    if not isinstance(title, str) or not title.strip():
        raise DocumentError(f"{where}.title: must be a non-empty string")
    if not isinstance(location, str) or not _SAFE_LOCATION.match(location) or len(location) > 2000:
        raise DocumentError(f"{where}.location: must be a path starting with '/' or an http(s) URL")
    if not isinstance(text, str):
        raise DocumentError(f"{where}.text: must be a string")
    if not isinstance(headings, list) or not all(isinstance(heading, str) for heading in headings):
        raise DocumentError(f"{where}.headings: must be a list of strings")
    return {"title": title.strip()[:400], "location": location, "text": text[:MAX_TEXT], "headings": headings}


def replace_documents(source: str, owner_ref: str, documents: list[dict]) -> int:
    """Replace every document ``source`` indexed for the entity ``owner_ref`` with ``documents``.

    TechDocs calls it after each build with one document per page section: ``title``,
    ``location`` (the page URL, maybe with ``#anchor``), ``text`` and ``headings``. An empty list
    removes the entity's documents. Nothing changes if any document is refused
    (``DocumentError``). Returns the number of documents stored.
    """
    if source not in DOCUMENT_SOURCES:
        raise DocumentError(f"source: must be one of {', '.join(DOCUMENT_SOURCES)}, not {source!r}")
    if not isinstance(documents, list):
        raise DocumentError("documents: must be a list")
    if len(documents) > MAX_DOCUMENTS:
        raise DocumentError(f"documents: at most {MAX_DOCUMENTS} per entity")
    owner_ref = owner_ref.lower()
    cleaned = [_clean_document(index, document) for index, document in enumerate(documents)]
    found = _body(owner_ref)
    facets = found[0].facets(found[1]) if found is not None else {}
    entity_title = found[0].title(found[1]) if found is not None else owner_ref.rpartition("/")[2]
    rows = [
        SearchDocument(
            type=source,
            source_ref=owner_ref,
            location=document["location"],
            title=document["title"],
            keywords=" ".join(document["headings"])[:MAX_TEXT],
            text=document["text"],
            extra={"entityTitle": entity_title, "headings": document["headings"]},
            **facets,
        )
        for document in cleaned
    ]
    with transaction.atomic():
        replace_documents_of([owner_ref], [source], rows)
    return len(rows)
