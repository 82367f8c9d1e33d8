"""The entity pages a signed-in person opened last, kept in their session.

The session rather than a table: the session row is already read on every request (it holds the
sign-in), so reading the list costs nothing, and remembering a visit costs at most one UPDATE of
that row, none when the page is already the latest visited (reloads, tab switches). A table would
need an upsert and a trim per page view. The price: the list belongs to one browser and ends with
the session (sign-out), which suits "where was I just now".
"""

from __future__ import annotations

from django.http import HttpRequest

from .models import Entity

SESSION_KEY = "catalog:recently-visited"
KEPT = 10


def remember_visit(request: HttpRequest, entity: Entity) -> None:
    """Put ``entity`` first in the signed-in person's recently visited list (anonymous: nothing)."""
    if not request.user.is_authenticated:
        return
    refs = recent_refs(request)
    if refs[:1] == [entity.ref]:
        return
    request.session[SESSION_KEY] = [entity.ref, *(ref for ref in refs if ref != entity.ref)][:KEPT]


def recent_refs(request: HttpRequest) -> list[str]:
    """Refs of the entity pages visited, newest first."""
    refs = request.session.get(SESSION_KEY, [])
    return [ref for ref in refs if isinstance(ref, str)] if isinstance(refs, list) else []


def recent_entities(request: HttpRequest) -> list[Entity]:
    """The recently visited entities still in the catalog, newest first, in one query."""
    refs = recent_refs(request)
    if not refs:
        return []
    by_ref = {entity.ref: entity for entity in Entity.objects.filter(ref__in=refs).for_output()}
    return [by_ref[ref] for ref in refs if ref in by_ref]
