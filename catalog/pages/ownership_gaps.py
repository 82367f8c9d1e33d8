"""The ownership gaps page: what nobody reachable owns, for the platform team; htmx reloads the table."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views import View

from portal.views import HtmxPageMixin
from portal.views import ReadAccessMixin as CatalogReadMixin

from ..lookups.ownership_gaps import DEFAULT_LIMIT, GAP_TYPES, gap_counts, gap_page


def _after(raw: str) -> str:
    """The ref a page continues after; a malformed cursor starts over (a page never fails on it)."""
    try:
        ref = base64.urlsafe_b64decode(raw.encode()).decode()
    except (binascii.Error, UnicodeError, ValueError):
        return ""
    return ref if ":" in ref and "\x00" not in ref else ""


class OwnershipGapsView(CatalogReadMixin, HtmxPageMixin, View):
    template_name = "catalog/ownership_gaps.html"
    partial_name = "catalog/partials/ownership_gaps_table.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        gap_type = request.GET.get("gap", "").strip()
        gap_types = [gap_type] if gap_type in GAP_TYPES else []
        kind = request.GET.get("kind", "").strip()[:63].replace("\x00", "")
        kinds = [kind] if kind else []
        after = _after(request.GET.get("cursor", "").strip())
        page = gap_page(gap_types, kinds, limit=DEFAULT_LIMIT, after=after)
        query = request.GET.copy()
        query.pop("cursor", None)
        if page.next_after:
            query["cursor"] = base64.urlsafe_b64encode(page.next_after.encode()).decode()
        context: dict[str, Any] = {
            "rows": page.items,
            "counts": gap_counts(gap_types, kinds),
            "gap_type": gap_type if gap_types else "",
            "kind": kind,
            "gap_labels": GAP_TYPES,
            "next_query": query.urlencode() if page.next_after else "",
            "continued": bool(after),
        }
        return self.render_page(context)
