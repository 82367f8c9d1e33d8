"""Template context every page shares: the sidebar built from the registry."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from portal.registry import nav_items


def navigation(request: HttpRequest) -> dict:
    """The sidebar's items, the current one marked; built once per request (a page renders its
    cards with the request too, and every such render runs the context processors again)."""
    built = getattr(request, "_navigation", None)
    if built is None:
        built = request._navigation = _navigation(request)
    return built


def _navigation(request: HttpRequest) -> dict:
    items = []
    for item in nav_items():
        url = item.url
        path = url.split("?")[0]
        is_current = request.path == path if path == "/" else request.path.startswith(path)
        if item.query:
            is_current = is_current and request.GET.urlencode() == item.query
        items.append({"label": item.label, "url": url, "is_current": is_current})
    return {"nav_items": items}


def sign_in(request: HttpRequest) -> dict:
    """Whether the sign-in page may offer local sign-up (``SIGN_UP_OPEN``)."""
    return {"sign_up_open": settings.SIGN_UP_OPEN}
