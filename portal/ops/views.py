"""Liveness and readiness endpoints for load balancers, compose and Kubernetes probes.

Both are unauthenticated, uncached and never redirected (``SECURE_REDIRECT_EXEMPT``); they answer JSON.
"""

from __future__ import annotations

import logging

from django.db import connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portal.registry import readiness_details

from .health import run_checks

logger = logging.getLogger(__name__)


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
    details = readiness_details()
    if details:
        # What the apps report beside the checks (entity providers' last runs); it never makes the
        # answer 503, and a summary that fails is named by its exception class only.
        body["details"] = {key: _summary(summary) for key, summary in details.items()}
    return JsonResponse(body, status=503 if failed else 200)


def _summary(summary) -> object:
    try:
        return summary()
    except Exception as error:
        logger.warning("readiness detail failed: %s: %s", type(error).__name__, error)
        return {"error": type(error).__name__}
