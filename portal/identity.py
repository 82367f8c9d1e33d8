"""Who a signed-in person is: the ref of their entity, and the refs that count as theirs.

Apps register the resolvers (``portal.registry.register_identity_resolver``); the catalog's
resolves an account to its ``User`` entity and that entity's groups (``catalog.identity``).
Answers are cached per resolver data version (so a refresh that changes memberships is seen at
once) and per request.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache

from portal.registry import identity_resolvers

_REQUEST_ATTRIBUTE = "_greenroom_ownership_refs"
_CACHE_SECONDS = 600


def user_entity_ref(user) -> str | None:
    """The ref of the entity this account is, or None when no resolver matches."""
    refs = ownership_refs(user)
    return refs[0] if refs else None


def ownership_refs(user) -> list[str]:
    """The account's own entity ref followed by its groups' refs (sorted); empty when unresolved."""
    if user is None or not user.is_authenticated:
        return []
    cached = getattr(user, _REQUEST_ATTRIBUTE, None)
    if cached is not None:
        return cached
    resolvers = identity_resolvers()
    version = ":".join(str(resolver.version()) for resolver in resolvers)
    key = f"portal:identity:{version}:{user.pk}"
    refs = cache.get(key)
    if refs is None:
        refs = _resolve(resolvers, user)
        cache.set(key, refs, _CACHE_SECONDS)
    setattr(user, _REQUEST_ATTRIBUTE, refs)
    return refs


def identity_entity(ref: str) -> Any | None:
    """The object a resolved ref names (the catalog's User entity), or None."""
    for resolver in identity_resolvers():
        if resolver.entity is not None and (found := resolver.entity(ref)) is not None:
            return found
    return None


def _resolve(resolvers, user) -> list[str]:
    for resolver in resolvers:
        refs = resolver.resolve(user)
        if refs:
            return refs
    return []
