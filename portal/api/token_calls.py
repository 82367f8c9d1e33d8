"""Token calls to the API skip the authentication and message middleware a browser's session needs.

A request under ``/api/`` that carries an ``Authorization`` header is authenticated by its token
alone: ``BearerTokenAuthentication`` comes first in DRF's list and answers 401 to any header it
does not accept, so DRF's ``SessionAuthentication`` (the only reader of the session under
``/api/``; every route there is a DRF view, ``tests/portal/test_token_calls.py``) never runs for
it. The authentication and message middleware do nothing such a call needs, so these subclasses,
listed in ``MIDDLEWARE`` in place of Django's, pass it straight on: no user is read from the
session and no message storage is set up; DRF puts the token's user on the request. Django's own
session and CSRF middleware stay (the deploy checks look for their exact paths): the session store
they make is lazy and never read for such a call, so nothing is loaded or saved, and DRF's views
are CSRF-exempt, so no token is asked for or set.

Every other request, an API call signed in by its session cookie included, runs the middleware
unchanged: DRF's ``SessionAuthentication`` checks its CSRF token itself, as before. CSRF protects
the session cookie a browser sends by itself; a token call never reads that cookie, and a
cross-site page cannot set an ``Authorization`` header.

allauth's ``AccountMiddleware`` stays as it is: allauth refuses to start unless that exact path is
in ``MIDDLEWARE``, and for a call that is not a 404 it sets a context variable and nothing more.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import middleware as auth_middleware
from django.contrib.messages import middleware as messages_middleware
from django.http import HttpRequest, HttpResponse

API_PREFIX = "/api/"


def is_token_call(request: HttpRequest) -> bool:
    """A request under ``/api/`` with a non-blank ``Authorization`` header (DRF's test for one)."""
    return request.path_info.startswith(API_PREFIX) and bool(request.META.get("HTTP_AUTHORIZATION", "").strip())


class BrowserOnly:
    """Mixin for a ``MiddlewareMixin`` class: a token call to the API passes it untouched."""

    get_response: Callable[[HttpRequest], HttpResponse]

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_token_call(request):
            return self.get_response(request)
        return super().__call__(request)  # type: ignore[misc]


class AuthenticationMiddleware(BrowserOnly, auth_middleware.AuthenticationMiddleware):
    """Django's (it reads the session), but a token call's user is set by DRF from its token."""


class MessageMiddleware(BrowserOnly, messages_middleware.MessageMiddleware):
    """Django's, but no message storage for token calls (the API shows no messages)."""
