"""``/metrics``: Prometheus's text format, for callers on loopback or holding ``METRICS_TOKEN``."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from .exposition import scrape_registry

LOOPBACK_ADDRESSES = frozenset({"127.0.0.1", "::1"})


def is_allowed(request: HttpRequest) -> bool:
    """The bearer token matches, or (when allowed) the caller is on this machine."""
    token = settings.METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer "):
        return hmac.compare_digest(header.removeprefix("Bearer ").strip().encode(), token.encode())
    return settings.METRICS_ALLOW_LOOPBACK and request.META.get("REMOTE_ADDR") in LOOPBACK_ADDRESSES


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """The metrics of every process sharing ``PROMETHEUS_MULTIPROC_DIR``, plus the catalog's gauges."""
    if not is_allowed(request):
        response = HttpResponse(
            "/metrics needs 'Authorization: Bearer <METRICS_TOKEN>' (or a call from loopback)\n",
            status=401,
            content_type="text/plain; charset=utf-8",
        )
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(generate_latest(scrape_registry()), content_type=CONTENT_TYPE_LATEST)
