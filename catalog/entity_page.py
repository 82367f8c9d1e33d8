"""The entity page: a header, a bar of tabs and the active tab's cards, all from the registry.

Greenroom's own tabs and cards are registered in ``catalog.entity_extensions`` exactly as an
outside app would register its own; this view knows none of them by name. Only the active tab's
``context`` and the context of that tab's cards are called, so a costly tab costs nothing until
it is opened.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.views import View

from portal.registry import EntityCard, EntityTab, entity_cards, entity_tabs

from .entity_urls import LANDING_TAB, entity_url
from .lookups.related import related
from .models import Entity
from .permissions import entity_permissions
from .personal import entity_page_context
from .views import CatalogReadMixin


@dataclass(frozen=True)
class TabLink:
    """One entry of the tab bar."""

    tab: EntityTab
    url: str
    is_current: bool


@dataclass(frozen=True)
class RenderedCard:
    """A card and its rendered body; the page frames it with the card's title as a heading."""

    card: EntityCard
    html: SafeString


def load_entity(kind: str, namespace: str, name: str) -> Entity:
    """The entity with ``output_relations`` attached, or 404."""
    return Entity.objects.get_by_name_or_404(kind, namespace, name, with_relations=True)


def page_context(request: HttpRequest, entity: Entity) -> dict[str, Any]:
    """What every tab and card template sees besides its own ``data``."""
    grouped: dict[str, list[str]] = {}
    for item in entity.output_relations:
        grouped.setdefault(item["type"], []).append(item["targetRef"])
    spec = entity.body.get("spec") or {}
    return {
        "entity": entity,
        "metadata": entity.body.get("metadata") or {},
        "spec": spec,
        "relations": sorted((relation, sorted(targets)) for relation, targets in grouped.items()),
        # Titles of the owners for the header: the first use of the page's batched related load.
        "owners": related(entity, "ownedBy"),
        "is_deprecated": str(spec.get("lifecycle", "")).lower() == "deprecated",
        "user": request.user,
        "request": request,
    }


def tab_url(entity: Entity, key: str) -> str:
    return entity_url(entity.kind, entity.namespace, entity.name, key)


def render_cards(request: HttpRequest, entity: Entity, tab_key: str, context: dict[str, Any]) -> list[RenderedCard]:
    """The tab's cards, each rendered with its own ``data`` and the card itself as ``card``."""
    rendered = []
    for card in entity_cards(entity, tab_key):
        data = card.context(request, entity) if card.context else {}
        html = render_to_string(card.template, {**context, "data": data, "card": card}, request=request)
        rendered.append(RenderedCard(card, html))
    return rendered


class EntityDetailView(CatalogReadMixin, View):
    """An entity's page at one of its tabs (the overview when the URL names none)."""

    template_name = "catalog/entity_detail.html"

    def get(self, request: HttpRequest, kind: str, namespace: str, name: str, tab: str = LANDING_TAB) -> HttpResponse:
        entity = load_entity(kind, namespace, name)
        tabs = entity_tabs(entity)
        active = next((candidate for candidate in tabs if candidate.key == tab), None)
        if active is None:
            raise Http404(f"{entity.ref} has no tab {tab!r}")
        if tab == LANDING_TAB and request.resolver_match.url_name == "entity_tab":
            # One address per tab: .../overview/ leads to the entity's own URL.
            return redirect(tab_url(entity, LANDING_TAB), permanent=True)
        context = page_context(request, entity)
        # The header's star toggle (and the visit, remembered for the home page).
        context.update(entity_page_context(request, entity))
        # The header's owner actions (refresh, unregister), shown only to those allowed.
        context["can"] = entity_permissions(request.user, entity)
        context.update(
            {
                "tab": active,
                "tab_links": [
                    TabLink(candidate, tab_url(entity, candidate.key), candidate is active) for candidate in tabs
                ],
                "data": active.context(request, entity) if active.context else {},
                "cards": render_cards(request, entity, active.key, context),
            }
        )
        return render(request, self.template_name, context)
