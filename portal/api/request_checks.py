"""One check of every request's path parameters and query string, before any view runs.

A NUL character (``%00``) cannot be held by PostgreSQL text, so a lookup with one fails in the
database (``DataError``, a 500) rather than finding nothing. Refusing it here, for every route at
once, answers 400 naming the parameter: Backstage's error shape under ``/api/``, the portal's
400 page elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, JsonResponse

from .errors import error_body

_API_PREFIX = "/api/"


def unstorable_parameter(request: HttpRequest, view_kwargs: dict[str, Any]) -> str | None:
    """A sentence naming the first path or query parameter holding a NUL character, or None."""
    for name, value in view_kwargs.items():
        if isinstance(value, str) and "\x00" in value:
            return f"path parameter {name!r} must not contain NUL characters"
    for name, values in request.GET.lists():
        if "\x00" in name or any("\x00" in value for value in values):
            return f"query parameter {name!r} must not contain NUL characters"
    return None


class RequestParameterMiddleware:
    """Answers 400 to a request whose path parameters or query string hold a NUL character."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        message = unstorable_parameter(request, view_kwargs)
        if message is None:
            return None
        if request.path_info.startswith(_API_PREFIX):
            return JsonResponse(error_body(request, 400, "InputError", message), status=400)
        raise BadRequest(message)
