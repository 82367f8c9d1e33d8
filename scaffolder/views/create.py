"""The Create page: every Template in the catalog as a card, with text search and filters in the URL."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views import View

from portal.views import HtmxPageMixin, ReadAccessMixin

from ..template_catalog import TemplateFilters, template_cards


class TemplateListView(ReadAccessMixin, HtmxPageMixin, View):
    """One URL renders the page, or only the cards for htmx (``HX-Request``)."""

    template_name = "scaffolder/template_list.html"
    partial_name = "scaffolder/partials/template_cards.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        filters = TemplateFilters.from_query(request.GET)
        cards, facets = template_cards(filters)
        context = {"cards": cards, "facets": facets, "filters": filters}
        return self.render_page(context)
