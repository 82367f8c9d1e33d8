"""Who a signed-in person is in the catalog: their User entity, and the refs that count as theirs.

A Django account resolves to a catalog ``User`` entity the way Backstage's sign-in resolvers do,
first match wins:

1. a configured annotation (``IDENTITY_ANNOTATION``, e.g. ``github.com/user-login``) equal to the
   account's username;
2. ``spec.profile.email`` equal to the account's email (case-insensitive);
3. a User entity named like the account's username.

"Owned by me" means owned by that User entity or by a group it is a member of. Answers are cached
per catalog version (so a refresh that changes memberships is seen at once) and per request.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache

from catalog.cache import catalog_version
from catalog.filters import Condition
from catalog.models import Entity
from catalog.querysets import condition_q

_REQUEST_ATTRIBUTE = "_greenroom_ownership_refs"
_CACHE_SECONDS = 600


def user_entity_ref(user) -> str | None:
    """The ref of the catalog User entity this account is, or None when no entity matches."""
    refs = ownership_refs(user)
    return refs[0] if refs else None


def ownership_refs(user) -> list[str]:
    """The account's User entity ref followed by its groups' refs (sorted); empty when unresolved."""
    if user is None or not user.is_authenticated:
        return []
    cached = getattr(user, _REQUEST_ATTRIBUTE, None)
    if cached is not None:
        return cached
    key = f"portal:identity:{catalog_version()}:{user.pk}"
    refs = cache.get(key)
    if refs is None:
        refs = _resolve(user)
        cache.set(key, refs, _CACHE_SECONDS)
    setattr(user, _REQUEST_ATTRIBUTE, refs)
    return refs


def _resolve(user) -> list[str]:
    entity = _find_user_entity(user)
    if entity is None:
        return []
    groups = sorted({item["targetRef"] for item in entity.output_relations if item["type"] == "memberOf"})
    return [entity.ref, *groups]


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
