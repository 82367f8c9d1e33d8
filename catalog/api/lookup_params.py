"""Query-string and path parsing shared by the lookup endpoints: bad input is a 400, never a 500."""

from __future__ import annotations

from django.db.models import QuerySet

from portal.api.errors import InputError, NotFoundError

from ..models import Entity


def int_param(request, name: str, *, default: int | None, minimum: int, maximum: int) -> int | None:
    """An integer query parameter within bounds; absent gives ``default``."""
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise InputError(f"{name} must be an integer, got {raw!r}") from None
    if not minimum <= value <= maximum:
        raise InputError(f"{name} must be between {minimum} and {maximum}, got {value}")
    return value


def not_found(kind: str, namespace: str, name: str) -> NotFoundError:
    """Backstage's by-name 404 message."""
    return NotFoundError(f"No entity named '{name}' found, with kind '{kind}' in namespace '{namespace}'")


def full_ref(kind: str, namespace: str, name: str) -> str:
    """The stored (lowercase) ref; a NUL byte, which PostgreSQL text cannot hold, is an input error."""
    ref = f"{kind}:{namespace}/{name}"
    if "\x00" in ref:
        raise InputError("entity reference must not contain NUL characters")
    return ref.lower()


def entity_by_name(queryset: QuerySet[Entity], kind: str, namespace: str, name: str) -> Entity:
    full_ref(kind, namespace, name)  # a NUL byte is an input error here, not a 404
    return queryset.get_by_name_or_404(kind, namespace, name)
