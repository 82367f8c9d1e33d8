"""The audit log: who changed what, when, from where and through which channel.

Who is carried by a context variable for the length of a request or a block of work:

- ``AuditActorMiddleware`` sets it for every request. The account is read when an event is
  recorded, so it is whoever the request turned out to be: the session's user for pages and the
  admin, the token's user for API calls (DRF puts its authenticated user and token on the request);
- the webhook view names the forge (``webhook_actor``): a signed push has no account;
- anything outside a request (Celery tasks, the scheduler, management commands) is ``system``.

Work queued by a request is recorded when the request asks for it, by whoever asked; the worker
that does it later records nothing more (a refresh's changes are in the entity history).
Only writes are recorded, never reads, and a write that fails records nothing: events are written
in the write's own transaction and roll back with it. Sign-ins and sign-outs are recorded too, and so
are failed sign-ins (who tried which account, from where). The events themselves are written by
``portal.services.audit.record_event``; this module only says who acts.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse

from portal.models import AuditEvent


@dataclass(frozen=True)
class Actor:
    """Who acts: a request (its account and channel are read when an event is recorded), or a named system."""

    channel: str
    name: str = ""
    request: HttpRequest | None = None


SYSTEM = Actor(channel=AuditEvent.Channel.TASK, name="system")
_actor: ContextVar[Actor] = ContextVar("greenroom_audit_actor", default=SYSTEM)


def current_actor() -> Actor:
    return _actor.get()


@contextlib.contextmanager
def acting_as(actor: Actor) -> Iterator[Actor]:
    """Record writes inside the block as done by ``actor``."""
    token = _actor.set(actor)
    try:
        yield actor
    finally:
        _actor.reset(token)


def webhook_actor(request: HttpRequest) -> Actor:
    return Actor(channel=AuditEvent.Channel.WEBHOOK, name="webhook", request=request)


def channel_of(request: HttpRequest) -> str:
    """The admin by its URL namespace (wherever it is mounted), the API by its path, else the pages."""
    match = getattr(request, "resolver_match", None)
    if match is not None and "admin" in match.namespaces:
        return AuditEvent.Channel.ADMIN
    if request.path_info.startswith("/api/"):
        return AuditEvent.Channel.API
    return AuditEvent.Channel.UI


class AuditActorMiddleware:
    """Makes each request the actor of the writes it causes (see the module's docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with acting_as(Actor(channel="", request=request)):
            return self.get_response(request)
