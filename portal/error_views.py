"""The answer to an unhandled error: a clear 503 when the database is unreachable, else Django's 500.

(``not_found`` below answers a path no route takes: JSON under ``/api/``, the 404 page elsewhere.)

A database outage (PostgreSQL restarting, a failover, a network cut) raises ``OperationalError`` or
``InterfaceError`` wherever the first query happens: in a view, a template, or a middleware loading
the session. It is a temporary condition, not a bug, so the reader gets "try again shortly" with
``Retry-After`` instead of a server error; API callers get it in Backstage's error shape. The page
is rendered without the request's context processors, which would query the database again.
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views.defaults import page_not_found as django_page_not_found
from django.views.defaults import server_error as django_server_error

from portal.api.errors import error_body

# Seconds a client is told to wait; a PostgreSQL restart or failover takes about this long.
RETRY_AFTER_SECONDS = 30
DATABASE_UNAVAILABLE = "The portal cannot reach its database right now; try again in a minute."


def is_database_outage(error: BaseException | None) -> bool:
    """True for the errors a database that cannot be reached or went away raises."""
    return isinstance(error, OperationalError | InterfaceError)


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: called by Django while it handles the unhandled exception (``sys.exc_info``)."""
    if not is_database_outage(sys.exc_info()[1]):
        return django_server_error(request)
    if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
        response: HttpResponse = JsonResponse(
            error_body(request, 503, "ServiceUnavailableError", DATABASE_UNAVAILABLE), status=503
        )
    else:
        response = HttpResponse(render_to_string("503.html", {"message": DATABASE_UNAVAILABLE}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """``handler404``: under ``/api/`` a path no route takes is a Backstage-shaped 404, not an HTML page."""
    if request.path.startswith("/api/"):
        message = f"no API endpoint at {request.path}"
        return JsonResponse(error_body(request, 404, "NotFoundError", message), status=404)
    return django_page_not_found(request, exception)
