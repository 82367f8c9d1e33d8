"""Who may change what: the roles every app's rules start from, for the pages, the API and the admin.

Three roles, as in Backstage's usual permission policy:

- readers: any signed-in person (or anyone, for reads, when ``API_ANONYMOUS_READ`` is on);
  any signed-in person may also register a location, as Backstage lets any signed-in user do;
- owners of an entity: the account resolves (``portal.identity``) to the entity's owner or to a
  member of that group; the catalog's rules for them are in ``catalog.permissions``;
- platform admins: superusers and members of the Django group ``PLATFORM_ADMIN_GROUP``; they may
  do everything.
"""

from __future__ import annotations

from django.conf import settings

_ADMIN_ATTRIBUTE = "_greenroom_is_platform_admin"


def is_platform_admin(user) -> bool:
    """Superusers and active members of the platform admin group; answered once per request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, _ADMIN_ATTRIBUTE, None)
    if cached is None:
        cached = user.groups.filter(name=settings.PLATFORM_ADMIN_GROUP).exists()
        setattr(user, _ADMIN_ATTRIBUTE, cached)
    return cached


def can_register_location(user) -> bool:
    return bool(user and user.is_authenticated)
