"""The portal's own tables: API tokens for scripts, CI and service accounts, and the audit log."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, now: datetime | None = None) -> ApiTokenQuerySet:
        """Tokens neither revoked nor expired (the user may still be inactive)."""
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True).exclude(expires_at__lte=now)


class ApiToken(models.Model):
    """A bearer token for the API, issued to one user; only its SHA-256 digest is stored.

    A service account is an ordinary Django user without a usable password, so it cannot sign in to
    the UI and acts only through its tokens; ``manage.py issue_token NAME --create-user`` makes one.
    The plain token is shown once, when it is issued (``portal.services.tokens.issue_token``).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. 'CI for the shop repo'.")
    # The first characters of the plain token, so people can tell their tokens apart in lists.
    prefix = models.CharField(max_length=16, editable=False)
    # Hex SHA-256 of the plain token. Unique, so a request finds its token by one indexed lookup.
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # Refreshed at most once a minute (portal.services.tokens.LAST_USED_RESOLUTION), not on every request.
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Leave empty for no expiry.")
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def is_expired(self, now: datetime | None = None) -> bool:
        """Whether the token has passed its expiry date; tokens without one never expire."""
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())


class AuditEvent(models.Model):
    """One write to the catalog or to API tokens, whoever made it; never changed once written.

    ``actor`` is the account's username, or ``webhook`` or ``system``; ``user`` links the account
    while it exists (deleting an account keeps its events). Reads are not recorded.
    """

    class Channel(models.TextChoices):
        UI = "ui", "Web pages"
        API = "api", "API"
        ADMIN = "admin", "Django admin"
        WEBHOOK = "webhook", "Git webhook"
        TASK = "task", "Background task or command"

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.CharField(max_length=150, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_events"
    )
    # The API token's display prefix when the write came with one.
    token_prefix = models.CharField(max_length=16, blank=True)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    remote_address = models.GenericIPAddressField(null=True, blank=True)
    # A dotted verb: "location.register", "entity.refresh", "token.revoke" …
    action = models.CharField(max_length=64, db_index=True)
    # A location ref, entity ref or token; what the admin's search looks in.
    target = models.TextField()
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "audit event"
        indexes = [models.Index(fields=["channel", "created_at"], name="portal_audit_channel_created")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.actor} {self.action} {self.target}"


from portal.search.models import SearchDocument  # noqa: E402 - the search index's table, kept in its package

__all__ = ["ApiToken", "AuditEvent", "SearchDocument"]
