"""Pieces the catalog's list pages share: light entity rows, paging on refs, cached grouped counts."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.db.models.fields.json import KT

from ..cache import catalog_version

CACHE_SECONDS = 600


def light_rows(qs: QuerySet, *extra: str) -> QuerySet:
    """Entities without their bodies (an API's body holds its whole definition): the description is
    read out of the body by the database."""
    return qs.only("id", "ref", "kind", "namespace", "name", "title", "spec_type", "lifecycle", *extra).annotate(
        description=KT("body__metadata__description")
    )


def cached(name: str, state: Any, compute: Callable[[], Any]) -> Any:
    """``compute()``, cached until the catalog changes; ``state`` names what shapes the result."""
    digest = hashlib.sha1(repr(state).encode()).hexdigest()
    key = f"catalog:{name}:{catalog_version()}:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_SECONDS)
    return value


def paged_by_ref(qs: QuerySet, per_page: int) -> Paginator:
    """A paginator that picks each page on refs alone; read the page's rows with ``rows_of``.

    Deep pages then skip over an index (index-only for the name order) instead of dragging every
    skipped row, bodies included, through the query.
    """
    return Paginator(qs.values_list("ref", flat=True), per_page)


def rows_of(page: Page, qs: QuerySet) -> QuerySet:
    """The entities of a ``paged_by_ref`` page, in ``qs``'s order (``qs`` shapes what is read)."""
    return qs.filter(ref__in=page.object_list).order_by(*qs.query.order_by)
