"""Issuing, checking, editing and revoking API tokens; the admin, the pages, the command and the API
call these.

A token is ``grn_`` followed by 43 URL-safe characters (32 random bytes). The prefix makes a
leaked token easy to recognise (secret scanners, logs). Only the SHA-256 digest is stored: with
256 bits of entropy a token cannot be guessed or found in a precomputed table, so a salt or a slow
password hash would add nothing but cost on every request, and an unsalted digest lets a request
find its token with one indexed equality lookup.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import secrets
import threading
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from portal.models import ApiToken
from portal.services.audit import record_event

TOKEN_PREFIX = "grn_"
# Characters of the plain token kept in ``ApiToken.prefix``: "grn_" and 8 random ones.
DISPLAY_PREFIX_LENGTH = 12
# ``last_used_at`` is written at most this often per token, so reads do not become writes.
LAST_USED_RESOLUTION = timedelta(minutes=1)
# secrets.token_urlsafe(32) is 43 characters; anything else cannot be a Greenroom token.
_TOKEN_LENGTH = len(TOKEN_PREFIX) + 43


# Tokens that passed their check lately, by digest: (trusted until, token with its user). A CI job
# sends many requests with one token; each reuse within API_TOKEN_CACHE_SECONDS skips a database
# round trip. Revoking, saving a token or a user in this process forgets them all at once; another
# process notices within those seconds (documented in docs/settings.md and SECURITY.md).
_recently_checked: dict[str, tuple[float, ApiToken]] = {}
_recently_checked_lock = threading.Lock()
_RECENTLY_CHECKED_MAX = 1000


def forget_checked_tokens(**_signal_kwargs: object) -> None:
    """Drop every remembered token check (called when tokens or users change)."""
    with _recently_checked_lock:
        _recently_checked.clear()


class TokenError(Exception):
    """A token was refused; the message says why and is safe to show to the caller."""


def token_digest(raw: str) -> str:
    """Hex SHA-256 of a plain token, as stored in ``ApiToken.digest``."""
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(user: AbstractBaseUser, name: str, *, expires_at: datetime | None = None) -> tuple[ApiToken, str]:
    """Create a token for ``user`` and return it with the plain token, which is never stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=raw[:DISPLAY_PREFIX_LENGTH],
            digest=token_digest(raw),
            expires_at=expires_at,
        )
        details = {
            "name": name,
            "user": user.get_username(),
            "expires_at": expires_at.isoformat() if expires_at else None,
        }
        record_event("token.create", f"token:{token.prefix}", details)
    return token, raw


def check_token(raw: str) -> ApiToken:
    """The usable token matching ``raw``, with its user loaded; raises ``TokenError`` saying why not.

    One query finds the token and its user; ``last_used_at`` costs a second one at most once a
    minute. The lookup compares digests in the database, which is not constant-time, but its timing
    could only reveal how much of a SHA-256 digest matches a stored one, and digests cannot be
    turned back into tokens. The fetched row is compared in constant time all the same.
    """
    if not raw.startswith(TOKEN_PREFIX) or len(raw) != _TOKEN_LENGTH:
        raise TokenError("not a Greenroom API token")
    digest = token_digest(raw)
    now = timezone.now()
    remembered = _recently_checked.get(digest)
    if remembered is not None and remembered[0] > time.monotonic() and not remembered[1].is_expired(now):
        token = remembered[1]
    else:
        token = ApiToken.objects.select_related("user").filter(digest=digest).first()
        if token is None or not hmac.compare_digest(token.digest, digest):
            raise TokenError("unknown API token")
        if token.is_revoked:
            raise TokenError("this API token has been revoked")
        if token.is_expired(now):
            raise TokenError("this API token has expired")
        if not token.user.is_active:
            raise TokenError("the user of this API token is inactive")
        _remember(digest, token)
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    # Each request gets its own copies: per-request state cached on a user (permissions) stays its own.
    request_token = copy.copy(token)
    request_token.user = copy.copy(token.user)
    return request_token


def _remember(digest: str, token: ApiToken) -> None:
    seconds = settings.API_TOKEN_CACHE_SECONDS
    if seconds <= 0:
        return
    with _recently_checked_lock:
        if len(_recently_checked) >= _RECENTLY_CHECKED_MAX:
            _recently_checked.clear()
        _recently_checked[digest] = (time.monotonic() + seconds, token)


def authenticate_token(raw: str) -> ApiToken | None:
    """The usable token matching ``raw``, or None if it is unknown, revoked, expired or inactive."""
    try:
        return check_token(raw)
    except TokenError:
        return None


def revoke_token(token: ApiToken) -> None:
    """Stop a token from working; revoking a revoked token keeps its first revocation time."""
    if token.revoked_at is None:
        with transaction.atomic():
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            forget_checked_tokens()
            record_event(
                "token.revoke", f"token:{token.prefix}", {"name": token.name, "user": token.user.get_username()}
            )


def update_token(token: ApiToken, changed_fields: list[str]) -> ApiToken:
    """Store a token's new name or expiry, already set on ``token`` (the admin's change form).

    The owner and the secret are fixed at issue. ``changed_fields`` names what the edit changed; the
    event records their new values.
    """
    editable = [field for field in ("name", "expires_at") if field in changed_fields]
    details: dict[str, object] = {"user": token.user.get_username()}
    if "name" in editable:
        details["name"] = token.name
    if "expires_at" in editable:
        details["expires_at"] = token.expires_at.isoformat() if token.expires_at else None
    with transaction.atomic():
        token.save(update_fields=editable or ["name"])
        forget_checked_tokens()
        record_event("token.update", f"token:{token.prefix}", details)
    return token


def delete_token(token: ApiToken) -> None:
    """Delete a token outright (the admin); revoking keeps it listed and is usually what is meant."""
    with transaction.atomic():
        details = {"name": token.name, "user": token.user.get_username()}
        prefix = token.prefix
        token.delete()
        forget_checked_tokens()
        record_event("token.delete", f"token:{prefix}", details)
