"""Rate limits for the endpoints an attacker can call cheaply and often: token issuing and webhooks.

DRF's throttles count requests in the configured cache (Redis in production, so every web process
shares one count). Rates come from ``settings.RATE_LIMITS`` on each request, so a change of
settings applies without a restart of the class; an empty rate switches that limit off.
A refused API call is a 429 in Backstage's error shape (``portal.api.errors``) with ``Retry-After``.
"""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class ConfiguredRateThrottle(SimpleRateThrottle):
    """A throttle whose rate is ``settings.RATE_LIMITS[scope]`` (``"120/minute"``; empty: no limit)."""

    def get_rate(self) -> str | None:
        return getattr(settings, "RATE_LIMITS", {}).get(self.scope) or None


class WebhookThrottle(ConfiguredRateThrottle):
    """Webhook deliveries per client address: signatures are checked only after the count."""

    scope = "webhook"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class TokenIssueThrottle(ConfiguredRateThrottle):
    """API tokens issued per signed-in person (the page and the admin's issue action)."""

    scope = "token"

    def get_cache_key(self, request, view) -> str | None:
        user = getattr(request, "user", None)
        ident = user.pk if user is not None and user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
