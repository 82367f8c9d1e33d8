"""The portal's Content-Security-Policy and the other security headers every response carries.

Catalog text, docs, template UI text and radar data come from repositories Greenroom does not
control. Templates escape them, links go through ``catalog.formats.safe_urls`` and docs HTML through nh3;
the policy is the second wall: even markup that slipped through cannot run script in the
portal's origin, because only script files served by the portal itself may run.

A view that needs a different policy sets its own ``Content-Security-Policy`` header (the docs
asset path's stricter sandboxed one, for instance); this middleware never replaces it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

# Styles: stylesheets only from the portal (no injected <style> element, the form of CSS that can
# read a page's attributes through selectors); style *attributes* are allowed because radar rings
# carry their colour per element and the admin uses them. Without a <style> element an attribute
# can only restyle its own element, and img-src keeps url() from reaching another host.
DEFAULT_POLICY: dict[str, str] = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "style-src-attr": "'unsafe-inline'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "object-src": "'none'",
    "base-uri": "'none'",
}


def policy_header(policy: dict[str, str]) -> str:
    """The header value for a directive mapping: ``"default-src 'self'; script-src 'self'"``."""
    return "; ".join(f"{directive} {sources}".strip() for directive, sources in policy.items())


def portal_policy() -> str:
    """The configured policy: ``DEFAULT_POLICY`` with ``CONTENT_SECURITY_POLICY`` overrides."""
    overrides: dict[str, str] = getattr(settings, "CONTENT_SECURITY_POLICY", {})
    return policy_header({**DEFAULT_POLICY, **overrides})


class SecurityHeadersMiddleware:
    """Adds the portal's CSP (unless the view set one) and the cross-origin isolation headers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = portal_policy()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        # Django's SecurityMiddleware sends nosniff and the Referrer-Policy; these complete the set.
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
        return response
