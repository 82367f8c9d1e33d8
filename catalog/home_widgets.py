"""The catalog's home page widgets: owned by me, starred, recently visited, and what the catalog holds.

Registered from ``CatalogConfig.ready()`` through ``portal.registry``, as any plugin's widgets are.
Each context function runs a fixed number of queries, however many entities it lists.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.http import HttpRequest

from portal.identity import ownership_refs
from portal.registry import HomeWidget, register_home_widget

from .cache import cached_count
from .models import Entity
from .pages.common import cached
from .recent import recent_entities

SHOWN = 10


def owned_context(request: HttpRequest) -> dict[str, Any]:
    """Entities owned by the account's User entity or its groups (first ``SHOWN`` by name, and how many)."""
    user = request.user
    if not user.is_authenticated:
        return {"signed_in": False}
    refs = ownership_refs(user)
    if not refs:
        return {"signed_in": True, "resolved": False, "username": user.get_username()}
    owned = Entity.objects.owned_by_any(refs)
    entities = list(owned.order_by("name", "ref").for_output()[: SHOWN + 1])
    total = len(entities) if len(entities) <= SHOWN else cached_count(owned, {"filter": ["owned-by", refs]})
    return {"signed_in": True, "resolved": True, "me": refs[0], "entities": entities[:SHOWN], "total": total}


def starred_context(request: HttpRequest) -> dict[str, Any]:
    """The person's starred entities still in the catalog, by name (one query)."""
    if not request.user.is_authenticated:
        return {"signed_in": False}
    entities = list(Entity.objects.starred_by(request.user).order_by("name", "ref").for_output()[: SHOWN + 1])
    return {"signed_in": True, "entities": entities[:SHOWN], "more": len(entities) > SHOWN}


def recent_context(request: HttpRequest) -> dict[str, Any]:
    """The entity pages opened last, newest first (one query; the list lives in the session)."""
    if not request.user.is_authenticated:
        return {"signed_in": False}
    return {"signed_in": True, "entities": recent_entities(request)}


def summary_context(request: HttpRequest) -> dict[str, Any]:
    """How many entities of each kind the catalog holds (one grouped query)."""
    # Counting 100,000 rows by kind takes tens of milliseconds: counted once per catalog version.
    return {
        "kind_counts": cached(
            "home-kind-counts",
            None,
            lambda: list(Entity.objects.values("kind").annotate(count=Count("id")).order_by("kind")),
        )
    }


def register_catalog_widgets() -> None:
    register_home_widget(HomeWidget("owned", "Owned by me", "catalog/widgets/owned.html", 10, owned_context))
    register_home_widget(HomeWidget("starred", "Starred", "catalog/widgets/starred.html", 20, starred_context))
    register_home_widget(HomeWidget("recent", "Recently visited", "catalog/widgets/recent.html", 30, recent_context))
    register_home_widget(
        HomeWidget("catalog-summary", "What the catalog holds", "catalog/widgets/summary.html", 50, summary_context)
    )
