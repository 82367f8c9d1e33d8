"""What the catalog's pages show about the person viewing them: their star, visits and filter counts.

The entity page calls ``entity_page_context`` once; the header includes
``catalog/partials/star_toggle.html``, which reads what it returns.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from portal.identity import ownership_refs

from .cache import cached_count
from .models import Entity, Star
from .querysets import EntityQuerySet
from .recent import remember_visit


def entity_page_context(request: HttpRequest, entity: Entity) -> dict[str, Any]:
    """Remember the visit and return the star toggle's context (one query for a signed-in person)."""
    remember_visit(request, entity)
    return star_context(request, entity.ref)


def star_context(request: HttpRequest, ref: str, next_url: str = "") -> dict[str, Any]:
    """The star toggle's context; ``star`` is None for anonymous visitors, who see no toggle."""
    if not request.user.is_authenticated:
        return {"star": None}
    starred = Star.objects.filter(user=request.user, entity_ref=ref).exists()
    return {"star": {"ref": ref, "is_starred": starred, "next": next_url or request.get_full_path()}}


def personal_filter_counts(request: HttpRequest, qs: EntityQuerySet, filters: list | None) -> dict[str, int] | None:
    """How many of the explorer's current rows are owned by the person, and starred by them.

    None for anonymous visitors (the explorer shows them no personal filters). The owned count is
    cached with the filters (and the ownership refs they carry); the starred count, which changes
    with every star, is counted each time over the person's few stars.
    """
    user = request.user
    if not user.is_authenticated:
        return None
    refs = ownership_refs(user)
    owned = qs.owned_by_any(refs)
    if filters is None:
        owned_count = owned.count()
    else:
        owned_count = cached_count(owned, {"filter": ["ui-owned-count", [*filters, ["owned-by", refs]]]})
    return {"owned": owned_count, "starred": qs.starred_by(user).count()}
