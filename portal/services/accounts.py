"""Account events in the audit log: sign-ins, sign-outs, failed sign-ins and account edits.

Accounts are written by Django's auth and by allauth (sign-up, passwords, email addresses, linked
single sign-on accounts); their signals are connected here (``connect()``, from ``PortalConfig.ready``)
and each records one event. Only what happens in a request the portal served is recorded: a sign-in
made by code (a test client's ``force_login``) is no one's action. Edits in the Django admin go
through ``save_account`` and ``delete_account``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from allauth.account import signals as account_signals
from allauth.socialaccount import signals as social_signals
from django.contrib.auth import signals as auth_signals
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.http import HttpRequest

from portal.audit import current_actor
from portal.services.audit import record_event

# Never recorded, whatever form changed them.
_SECRET_FIELDS = frozenset({"password", "password1", "password2"})


def _served(request: HttpRequest | None) -> bool:
    return request is not None and current_actor().request is request


def _target(user: AbstractBaseUser) -> str:
    return f"account:{user.get_username()}"


def _on_signed_in(sender, request: HttpRequest | None = None, user=None, **kwargs: Any) -> None:
    # Signing up signs the new account in: that request's event is the sign-up.
    if _served(request) and user is not None and not getattr(request, "_greenroom_signed_up", False):
        record_event("account.sign_in", _target(user))


def _on_signed_out(sender, request: HttpRequest | None = None, user=None, **kwargs: Any) -> None:
    if _served(request) and user is not None:
        record_event("account.sign_out", _target(user))


def _on_sign_in_failed(sender, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any) -> None:
    # Django masks the password in ``credentials``; the name tried is kept, trimmed.
    if _served(request):
        tried = str(credentials.get("username") or credentials.get("email") or "")[:150]
        record_event("account.sign_in_failed", f"account:{tried}")


def _on_account_event(action: str, *detail_names: str):
    def receiver(sender, request: HttpRequest | None = None, user=None, **kwargs: Any) -> None:
        if user is None:
            user = getattr(kwargs.get("email_address"), "user", None)
            user = user or getattr(getattr(kwargs.get("sociallogin"), "account", None), "user", None)
        if not _served(request) or user is None:
            return
        details = {name: _describe(kwargs.get(name)) for name in detail_names if kwargs.get(name) is not None}
        record_event(action, _target(user), details)
        if action == "account.sign_up":
            request._greenroom_signed_up = True

    return receiver


def _describe(value: Any) -> str:
    """An email address or linked account as text (its address or provider)."""
    if hasattr(value, "email"):
        return value.email
    account = getattr(value, "account", value)
    return getattr(account, "provider", str(value))


_RECEIVERS = [
    (auth_signals.user_logged_in, _on_signed_in),
    (auth_signals.user_logged_out, _on_signed_out),
    (auth_signals.user_login_failed, _on_sign_in_failed),
    (account_signals.user_signed_up, _on_account_event("account.sign_up")),
    (account_signals.password_changed, _on_account_event("account.password_change")),
    (account_signals.password_set, _on_account_event("account.password_set")),
    (account_signals.password_reset, _on_account_event("account.password_reset")),
    (account_signals.email_added, _on_account_event("account.email_add", "email_address")),
    (account_signals.email_removed, _on_account_event("account.email_remove", "email_address")),
    (account_signals.email_changed, _on_account_event("account.email_primary", "to_email_address")),
    (account_signals.email_confirmed, _on_account_event("account.email_confirm", "email_address")),
    (social_signals.social_account_added, _on_account_event("account.sso_link", "sociallogin")),
    (social_signals.social_account_removed, _on_account_event("account.sso_unlink", "socialaccount")),
]


def connect() -> None:
    """Connect the account signals to the audit log (idempotent)."""
    for signal, receiver in _RECEIVERS:
        signal.connect(receiver, dispatch_uid=f"portal.services.accounts.{receiver.__name__}.{id(signal)}")


def save_account(user: AbstractBaseUser, *, created: bool, changed_fields: Iterable[str] = ()) -> AbstractBaseUser:
    """Store an account edited by an admin; the event names the fields changed, never a password."""
    fields = sorted(set(changed_fields) - _SECRET_FIELDS)
    with transaction.atomic():
        user.save()
        details: dict[str, Any] = {"fields": fields}
        if {"password", "password1", "password2"} & set(changed_fields):
            details["password_changed"] = True
        record_event("account.create" if created else "account.update", _target(user), details)
    return user


def save_account_relations(form: Any) -> None:
    """Store the groups and permissions of an admin's account or group form (``save_account``'s event
    or ``save_group``'s covers them)."""
    form.save_m2m()


def save_account_password(user: AbstractBaseUser) -> AbstractBaseUser:
    """Store the password (or the unusable one) the admin's password form set on ``user``."""
    with transaction.atomic():
        user.save(update_fields=["password"])
        record_event("account.password_set_by_admin", _target(user))
    return user


def delete_account(user: AbstractBaseUser) -> None:
    """Delete an account; its audit events stay, without the link."""
    target = _target(user)
    with transaction.atomic():
        user.delete()
        record_event("account.delete", target)


def save_group(group: Any, *, created: bool, changed_fields: Iterable[str] = ()) -> Any:
    """Store a group of accounts edited by an admin."""
    with transaction.atomic():
        group.save()
        record_event(
            "group.create" if created else "group.update", f"group:{group.name}", {"fields": sorted(changed_fields)}
        )
    return group


def delete_group(group: Any) -> None:
    """Delete a group of accounts."""
    target = f"group:{group.name}"
    with transaction.atomic():
        group.delete()
        record_event("group.delete", target)
