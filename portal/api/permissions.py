"""Who may call the API: reads per the anonymous-read switch, writes only with a signed-in identity."""

from __future__ import annotations

from django.conf import settings
from rest_framework.permissions import SAFE_METHODS, BasePermission


class CatalogAccess(BasePermission):
    """Reads need a signed-in user or token unless ``API_ANONYMOUS_READ``; writes always need one."""

    message = "sign in or send 'Authorization: Bearer <token>' to use this endpoint"

    def has_permission(self, request, view) -> bool:
        is_authenticated = bool(request.user and request.user.is_authenticated)
        if request.method in SAFE_METHODS or getattr(view, "is_read_only_post", False):
            return is_authenticated or settings.API_ANONYMOUS_READ
        return is_authenticated
