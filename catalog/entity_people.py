"""Context for group and user pages: members, parent and child groups, contacts, what they own."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import reverse

from .lookups.ownership import contacts_of
from .lookups.related import related
from .models import Entity


def contacts_context(request: HttpRequest, entity: Entity) -> dict[str, Any]:
    """The profile email and the chat and on-call annotations of a group or user."""
    profile = (entity.body.get("spec") or {}).get("profile") or {}
    email = profile.get("email") if isinstance(profile, dict) else None
    return {
        "email": email if isinstance(email, str) else "",
        "display_name": profile.get("displayName", "") if isinstance(profile, dict) else "",
        "contacts": contacts_of(entity),
    }


def members_context(request: HttpRequest, entity: Entity) -> dict[str, Any]:
    return {"related": related(entity, "hasMember")}


def hierarchy_context(request: HttpRequest, entity: Entity) -> dict[str, Any]:
    return {"parents": related(entity, "childOf"), "children": related(entity, "parentOf")}


def owned_context(request: HttpRequest, entity: Entity) -> dict[str, Any]:
    """What the group or user owns directly (capped), with the explorer filtered to all of it."""
    explorer = reverse("catalog:entity_list") + "?" + urlencode({"owner": entity.ref})
    return {"related": related(entity, "ownerOf"), "explorer_url": explorer}
