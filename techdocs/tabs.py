"""The entity page's Docs tab: the site's home page (or the README beside the catalog file)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest

from .pages import docs_view
from .readme import has_readme, render_readme
from .sources import has_techdocs


def has_docs_tab(entity: Any) -> bool:
    """TechDocs, or a README beside the catalog file; no query either way (git READMEs are cached)."""
    return has_techdocs(entity) or has_readme(entity)


def docs_tab_context(request: HttpRequest, entity: Any) -> dict[str, Any]:
    if not has_techdocs(entity):
        return {"readme": render_readme(entity)}
    try:
        return {"docs": docs_view(request, entity, "")}
    except Http404:
        return {"docs": None, "missing_index": True}
