"""The search page (facets, snippets, paging) and the header box's suggestions."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.views import View

from portal.views import ReadAccessMixin

from .backends import get_backend
from .models import SearchDocument
from .query import MAX_TERM_LENGTH, QueryError, build_query
from .results import TYPE_LABELS, result_rows, short_ref

PAGE_SIZE = 20
SUGGESTED_ENTITIES = 6
SUGGESTED_PAGES = 3
# The page's facet parameters: result type, then the filters the API also takes.
FACETS = (("type", "Result type"), ("kind", "Kind"), ("owner", "Owner"), ("lifecycle", "Lifecycle"))
_PAGE_FILTERS = ("kind", "owner", "lifecycle")


def _page_number(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 10_000))
    except ValueError:
        return 1


def _toggle_url(params: QueryDict, name: str, value: str) -> str:
    """The query string with ``name=value`` added or removed, back on page one."""
    query = params.copy()
    query.pop("page", None)
    values = query.getlist(name)
    query.setlist(name, [item for item in values if item != value] if value in values else [*values, value])
    return "?" + query.urlencode()


def _facet_groups(
    params: QueryDict, counts: dict[str, list[tuple[str, int]]], *, is_estimate: bool = False
) -> list[dict[str, Any]]:
    groups = []
    for name, label in FACETS:
        selected = params.getlist(name)
        items = list(counts.get(name, []))[:15]
        shown = {value for value, _ in items}
        # A chosen value with no hits still shows, so it can be cleared.
        items += [(value, 0) for value in selected if value not in shown and value.lower() not in shown]
        groups.append(
            {
                "name": name,
                "label": label,
                "items": [
                    {
                        "value": value,
                        "label": TYPE_LABELS.get(value, value)
                        if name == "type"
                        else short_ref(value)
                        if name == "owner"
                        else value,
                        "count": count,
                        "count_label": f"~{count:,}" if is_estimate and count else f"{count:,}",
                        "selected": value in selected,
                        "url": _toggle_url(params, name, value),
                    }
                    for value, count in items
                ],
            }
        )
    return groups


def _did_you_mean(suggestion: str, params: QueryDict) -> dict[str, str]:
    """The "Did you mean" text and link (filters kept), or nothing."""
    if not suggestion:
        return {}
    query = params.copy()
    query["q"] = suggestion
    return {"suggestion": suggestion, "suggestion_url": "?" + query.urlencode()}


class SearchPageView(ReadAccessMixin, View):
    """``/search/?q=...&type=...&kind=...&owner=...&lifecycle=...&page=N``: links and reloads work."""

    template_name = "search/search.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        params = request.GET
        text = params.get("q", "")
        context: dict[str, Any] = {"q": text, "max_length": MAX_TERM_LENGTH, "searched": False}
        filters = {name: params.getlist(name) for name in _PAGE_FILTERS if params.getlist(name)}
        if not text.strip() and not filters and not params.getlist("type"):
            return render(request, self.template_name, context)
        try:
            query = build_query(text, params.getlist("type"), filters)
        except QueryError as problem:
            context["error"] = str(problem)
            return render(request, self.template_name, context, status=400)
        number = _page_number(params.get("page"))
        page = get_backend().search(query, offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE)
        pages = max(1, -(-page.total // PAGE_SIZE))
        if page.is_estimate:
            # An estimated total can be a little off either way: the next link follows the hits.
            pages = max(pages, number + page.has_more)
        base = params.copy()
        base.pop("page", None)
        if not page.total and query.words:
            context |= _did_you_mean(get_backend().did_you_mean(query), base)
        context |= {
            "searched": True,
            "rows": result_rows(page.hits, query.words),
            "total": page.total,
            "total_label": f"About {page.total:,}" if page.is_estimate else f"{page.total:,}",
            "is_estimate": page.is_estimate,
            "facet_groups": _facet_groups(params, page.facets, is_estimate=page.is_estimate),
            "page_number": number,
            "first_rank": (number - 1) * PAGE_SIZE + 1,
            "page_count": pages,
            "page_count_label": f"about {pages:,}" if page.is_estimate else f"{pages:,}",
            "previous_url": f"?{base.urlencode()}&page={number - 1}" if number > 1 else "",
            "next_url": f"?{base.urlencode()}&page={number + 1}" if page.has_more else "",
        }
        return render(request, self.template_name, context)


class SearchSuggestView(ReadAccessMixin, View):
    """The header box's suggestions (an htmx fragment): entities first, then docs pages."""

    def get(self, request: HttpRequest) -> HttpResponse:
        text = request.GET.get("q", "")[:MAX_TERM_LENGTH]
        rows: list = []
        if text.strip():
            query = build_query(text, [], {})
            backend = get_backend()
            entity_types = [SearchDocument.Type.CATALOG, SearchDocument.Type.TEMPLATES, SearchDocument.Type.PEOPLE]
            entities = backend.search(
                build_query(text, entity_types, {}), offset=0, limit=SUGGESTED_ENTITIES, facets=False
            )
            pages = backend.search(
                build_query(text, [SearchDocument.Type.TECHDOCS], {}), offset=0, limit=SUGGESTED_PAGES, facets=False
            )
            rows = result_rows([*entities.hits, *pages.hits], query.words)
        return render(request, "search/partials/suggestions.html", {"rows": rows, "q": text.strip()})
