"""Writing the audit log: one event per write, stored for whoever ``portal.audit`` says is acting."""

from __future__ import annotations

from typing import Any

from portal.audit import channel_of, current_actor
from portal.models import ApiToken, AuditEvent


def record_event(action: str, target: str, details: dict[str, Any] | None = None) -> AuditEvent:
    """Store one event for the current actor; call it inside the write's transaction."""
    actor = current_actor()
    request = actor.request
    user, token, name = None, None, actor.name
    if request is not None and actor.channel != AuditEvent.Channel.WEBHOOK:
        account = getattr(request, "user", None)
        if account is not None and account.is_authenticated:
            user, name = account, account.get_username()
        auth = getattr(request, "auth", None)
        if isinstance(auth, ApiToken):
            token = auth.prefix
        if user is None:
            name = "anonymous"
    channel = actor.channel or channel_of(request)
    return AuditEvent.objects.create(
        actor=name[: AuditEvent._meta.get_field("actor").max_length],
        user=user,
        token_prefix=token or "",
        channel=channel,
        remote_address=request.META.get("REMOTE_ADDR") if request is not None else None,
        action=action,
        target=target,
        details=details or {},
    )


def record_write(action: str, target: str, **details: Any) -> AuditEvent:
    """``record_event`` with its details as keywords, for the apps' services."""
    return record_event(action, target, details)


def record_catalog_write(sender, action: str, target: str, details: dict[str, Any], **kwargs) -> None:
    """Receiver of ``catalog.audit.catalog_write``: the catalog announces, the portal records."""
    record_event(action, target, details)
