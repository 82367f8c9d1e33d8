"""allauth adapters: who may sign up, and which provider emails are trusted to resolve identity."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    """Local sign-up follows ``SIGN_UP_OPEN``; accounts otherwise come from admins or single sign-on."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return settings.SIGN_UP_OPEN


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """First single sign-on creates the account (``SSO_SIGN_UP_OPEN``); only verified emails are kept.

    The email is what resolves an account to its catalog User entity and so to ownership: an address
    the provider itself reports as unverified could claim someone else's entity, so it is dropped.
    GitLab reports no verification flag, but only lets a confirmed address be a user's primary one.
    """

    TRUSTS_PRIMARY_EMAIL = frozenset({"gitlab"})

    def is_open_for_signup(self, request: HttpRequest, sociallogin) -> bool:
        return settings.SSO_SIGN_UP_OPEN

    def populate_user(self, request: HttpRequest, sociallogin, data: dict[str, Any]):
        user = super().populate_user(request, sociallogin, data)
        if sociallogin.account.provider not in self.TRUSTS_PRIMARY_EMAIL:
            user.email = trusted_email(user.email, sociallogin.email_addresses)
        return user


def trusted_email(email: str, addresses: list) -> str:
    """``email`` when the provider verified it, else its first verified address, else empty."""
    verified = [address.email for address in addresses if address.verified]
    if email and email.lower() in {address.lower() for address in verified}:
        return email
    return verified[0] if verified else ""
