"""Liveness and readiness endpoints for load balancers, compose and Kubernetes probes.

Both are unauthenticated, uncached and never redirected (``SECURE_REDIRECT_EXEMPT``); they answer JSON.
"""

from __future__ import annotations

from django.db import connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .health import run_checks


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. Touches no database, so a database outage never restarts pods."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: 200 when the database, broker and TechDocs storage answer, else 503 naming what failed."""
    results = run_checks()
    failed = [result.name for result in results if not result.ok]
    if failed:
        # A broken connection must not be reused by the next request of this thread.
        connections["default"].close_if_unusable_or_obsolete()
    body = {
        "status": "unavailable" if failed else "ok",
        "failed": failed,
        "checks": {
            result.name: {
                "ok": result.ok,
                **({"error": result.error} if result.error else {}),
                "seconds": round(result.seconds, 4),
            }
            for result in results
        },
    }
    return JsonResponse(body, status=503 if failed else 200)
