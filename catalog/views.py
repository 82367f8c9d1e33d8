"""The catalog's pages: explorer and owner lookup for on-call (entity pages: ``entity_page``)."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import View

from portal.views import HtmxPageMixin
from portal.views import ReadAccessMixin as CatalogReadMixin

from .cache import cached_count, catalog_version
from .filtersets import EntityFilterSet
from .lookups.name_matches import find_entities
from .lookups.ownership import cached_owner_lookup
from .lookups.related import relation_targets
from .models import Entity
from .pages.common import paged_by_ref, rows_of
from .pages.explorer import kind_counts, picker_options, sort_headers, with_default_kind, without
from .pages.explorer_table import table_rows
from .personal import personal_filter_counts
from .querysets import owner_refs

PAGE_SIZE = 50


class EntityListView(CatalogReadMixin, HtmxPageMixin, View):
    """The explorer: one URL renders the page, or only the table for htmx (``HX-Request``)."""

    template_name = "catalog/entity_list.html"
    partial_name = "catalog/partials/entity_table.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        data = with_default_kind(request.GET)
        filterset = self.filterset(data)
        if error := filterset.filter_error():
            return self.refuse(request, filterset, error)
        qs = filterset.qs
        # Counts and facets depend on the filters only, not on the page or the order: cached per
        # catalog version, so paging through 100,000 entities never recounts them. Personal filters
        # add the person's scope to the key, or (starred) skip the cache.
        scope = filterset.cache_scope()

        def filters_of(params) -> list | None:
            keys = sorted((key, values) for key, values in params.lists() if key not in ("page", "sort"))
            return None if scope is None else keys + scope

        filters = filters_of(data) or []
        # The page is chosen on refs alone (an index-only walk of (name, ref) for the default order),
        # then only its rows are read whole: deep pages never drag skipped bodies through a join.
        paginator = paged_by_ref(qs, PAGE_SIZE)
        paginator.count = cached_count(qs, {"filter": ["ui", filters]}) if scope is not None else qs.count()
        page = paginator.get_page(request.GET.get("page"))
        rows = rows_of(page, Entity.objects.order_by(*qs.query.order_by)).with_relations()
        for entity in rows:
            entity.owner_refs = owner_refs(entity)
            entity.system_refs = [ref for ref in relation_targets(entity, "partOf") if ref.startswith("system:")]
        query = request.GET.copy()
        query.pop("page", None)
        pickers = {}
        for name in ("kind", "owner", "tag"):
            others = without(data, name)
            picked_from = self.filterset(others).qs
            if name == "kind":
                pickers[name] = kind_counts(picked_from, filters_of(others))
            else:
                pickers[name] = picker_options(name, picked_from, filters_of(others), data.get(name, ""))
        context = {
            "filterset": filterset,
            "page": page,
            "rows": rows,
            "table_rows": table_rows(rows),
            "query": query.urlencode(),
            "kind": data.get("kind", ""),
            "pickers": pickers,
            "headers": sort_headers(request.GET),
            "facets": column_facets(qs, filters_of(data)),
            "personal": personal_filter_counts(request, qs, filters_of(data)),
            # The pickers sit outside the table htmx replaces: they come along out of band.
            "oob_pickers": self.is_htmx(),
        }
        return self.render_page(context)

    def filterset(self, data) -> EntityFilterSet:
        return EntityFilterSet(data, queryset=Entity.objects.order_by("name", "ref"), request=self.request)

    def refuse(self, request: HttpRequest, filterset: EntityFilterSet, error: str) -> HttpResponse:
        """A ``filter`` that cannot be read: 400, with the parser's message where the table would be."""
        query = request.GET.copy()
        query.pop("page", None)
        page = Paginator([], PAGE_SIZE).get_page(1)
        context = {"filterset": filterset, "filter_error": error, "page": page, "rows": [], "query": query.urlencode()}
        extra = {"facets": {}, "personal": None, "pickers": {}, "headers": sort_headers(request.GET)}
        return self.render_page(context | extra, status=400)


def column_facets(qs, filters: list | None) -> dict[str, list[dict[str, Any]]]:
    """The explorer's value counts, grouped on plain columns (the API's facets read bodies instead,
    to keep every value's original case); cached until the catalog changes, unless ``filters`` is None."""
    key = f"catalog:ui-facets:{catalog_version()}:{hashlib.sha1(repr(filters).encode()).hexdigest()}"
    facets = cache.get(key) if filters is not None else None
    if facets is None:
        facets = {}
        for facet, column in (("kind", "kind"), ("spec.type", "spec_type"), ("spec.lifecycle", "lifecycle")):
            rows = qs.exclude(**{column: ""}).order_by().values_list(column).annotate(count=Count("id"))
            facets[facet] = [{"value": value, "count": count} for value, count in sorted(rows)]
        if filters is not None:
            cache.set(key, facets, 600)
    return facets


class WhoisView(CatalogReadMixin, View):
    """On-call's page: type a name, see owner, contacts, escalation chain and dependents at once."""

    def get(self, request: HttpRequest) -> HttpResponse:
        text = request.GET.get("q", "").strip()
        context: dict[str, Any] = {"q": text, "matches": [], "lookup": None}
        if text:
            matches = find_entities(text)
            context["matches"] = matches
            if len(matches) >= 1:
                context["lookup"] = cached_owner_lookup(matches[0], limit=100)
        return render(request, "catalog/whois.html", context)
