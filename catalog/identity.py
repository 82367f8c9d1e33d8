"""Resolving an account to its catalog ``User`` entity, registered as the portal's identity resolver.

A Django account resolves to a catalog ``User`` entity the way Backstage's sign-in resolvers do,
first match wins:

1. a configured annotation (``IDENTITY_ANNOTATION``, e.g. ``github.com/user-login``) equal to the
   account's username;
2. ``spec.profile.email`` equal to the account's email (case-insensitive);
3. a User entity named like the account's username.

"Owned by me" means owned by that User entity or by a group it is a member of. ``portal.identity``
caches the answer per catalog version (so a refresh that changes memberships is seen at once).
"""

from __future__ import annotations

from django.conf import settings

from portal.registry import IdentityResolver

from .cache import catalog_version
from .filtering import condition_q
from .formats.filter_syntax import Condition
from .models import Entity


def resolve_user(user) -> list[str]:
    """The account's User entity ref followed by its groups' refs (sorted); empty when none matches."""
    entity = _find_user_entity(user)
    if entity is None:
        return []
    groups = sorted({item["targetRef"] for item in entity.output_relations if item["type"] == "memberOf"})
    return [entity.ref, *groups]


def entity_by_ref(ref: str) -> Entity | None:
    return Entity.objects.filter(ref=ref).first()


def _find_user_entity(user) -> Entity | None:
    users = Entity.objects.filter(kind="User")
    username = (user.get_username() or "").strip().lower()
    email = (getattr(user, "email", "") or "").strip().lower()
    annotation = getattr(settings, "IDENTITY_ANNOTATION", "")
    candidates = []
    if annotation and username:
        candidates.append(condition_q(Condition(f"metadata.annotations.{annotation.lower()}", (username,))))
    if email:
        candidates.append(condition_q(Condition("spec.profile.email", (email,))))
    for condition in candidates:
        found = users.filter(condition).order_by("ref")[:1].with_relations()
        if found:
            return found[0]
    if username:
        found = users.filter(name__iexact=username).order_by("namespace")[:1].with_relations()
        if found:
            return found[0]
    return None


CATALOG_IDENTITY = IdentityResolver("catalog", resolve_user, catalog_version, entity_by_ref)
