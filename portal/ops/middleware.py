"""Middleware recording each request's latency and outcome."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from portal.metrics import HTTP_REQUEST_SECONDS, HTTP_REQUESTS

# URL pattern names, never paths: a label per entity page would grow without bound.
UNMATCHED_VIEW = "<unmatched>"


class MetricsMiddleware:
    """Counts and times every request by URL pattern name; first in the chain so it times all others."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = match.view_name if match and match.view_name else UNMATCHED_VIEW
        # Unknown verbs would also grow the label set; they are answered 405 anyway.
        method = request.method if request.method in KNOWN_METHODS else "other"
        HTTP_REQUEST_SECONDS.labels(view, method).observe(time.perf_counter() - started)
        HTTP_REQUESTS.labels(view, method, str(response.status_code)).inc()
        return response


KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
