"""The APIs page: API entities by type (OpenAPI, AsyncAPI, GraphQL, gRPC, others), filterable."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.views import View

from portal.views import HtmxPageMixin

from ..cache import cached_count
from ..models import Entity
from ..querysets import owner_refs
from ..views import CatalogReadMixin
from .common import cached, light_rows, paged_by_ref, rows_of

PAGE_SIZE = 50
API_TYPES = (("openapi", "OpenAPI"), ("asyncapi", "AsyncAPI"), ("graphql", "GraphQL"), ("grpc", "gRPC"))
OTHER = "other"


def type_q(api_type: str) -> Q:
    """The ``spec_type`` condition for one tab of the page (``other``: every type not listed)."""
    if api_type == OTHER:
        return ~Q(spec_type__in=[key for key, _ in API_TYPES])
    return Q(spec_type=api_type)


def type_counts(text: str) -> dict[str, int]:
    """How many APIs (matching the text filter) each tab holds; one GROUP BY on the plain column."""

    def compute() -> dict[str, int]:
        rows = Entity.objects.filter(kind="API").matching_text(text).order_by().values_list("spec_type")
        counts = {key: 0 for key, _ in API_TYPES} | {OTHER: 0}
        for spec_type, count in rows.annotate(count=Count("id")):
            counts[spec_type if spec_type in counts and spec_type != OTHER else OTHER] += count
        return counts

    return cached("api-type-counts", text, compute)


def attach_owners_and_systems(rows: list[Entity]) -> None:
    """Set ``owner_refs`` and ``system_refs`` from each API's stitched relations (joined, no query)."""
    for row in rows:
        try:
            relations = row.stitched.relations
        except ObjectDoesNotExist:
            # Written by a refresh still running: stitched when it finishes.
            relations = []
        row.owner_refs = owner_refs(row)
        parents = [item["targetRef"] for item in relations if item["type"] == "partOf"]
        row.system_refs = [ref for ref in parents if ref.startswith("system:")]


class ApiListView(CatalogReadMixin, HtmxPageMixin, View):
    """One URL renders the page, or only the list for htmx (``HX-Request``)."""

    template_name = "catalog/api_list.html"
    partial_name = "catalog/partials/api_table.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        text = request.GET.get("q", "").strip()[:200]
        api_type = request.GET.get("type", "").strip().lower()
        if api_type not in {key for key, _ in API_TYPES} | {OTHER}:
            api_type = ""
        lifecycle = request.GET.get("lifecycle", "").strip().lower()[:200]
        condition = Q(kind="API")
        if api_type:
            condition &= type_q(api_type)
        if lifecycle:
            condition &= Q(lifecycle=lifecycle)
        qs = Entity.objects.filter(condition).matching_text(text).order_by("name", "ref")
        paginator = paged_by_ref(qs, PAGE_SIZE)
        paginator.count = cached_count(qs, {"filter": ["apis", text, api_type, lifecycle]})
        page = paginator.get_page(request.GET.get("page"))
        rows = list(rows_of(page, light_rows(qs.select_related("stitched"), "stitched__relations")))
        attach_owners_and_systems(rows)
        counts = type_counts(text)
        query = request.GET.copy()
        query.pop("page", None)
        base = request.GET.copy()
        for key in ("page", "type"):
            base.pop(key, None)
        context: dict[str, Any] = {
            "page": page,
            "rows": rows,
            "text": text,
            "api_type": api_type,
            "lifecycle": lifecycle,
            "type_tabs": [
                {"key": key, "label": label, "count": counts[key]} for key, label in (*API_TYPES, (OTHER, "Other"))
            ],
            "total": sum(counts.values()),
            "query": query.urlencode(),
            "tab_query": base.urlencode(),
        }
        return self.render_page(context)
