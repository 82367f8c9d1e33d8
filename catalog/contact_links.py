"""Chat and on-call annotations as working links (Slack, PagerDuty, Opsgenie, email, phone).

A known annotation becomes a link built from its value and the configured base URL
(``CATALOG["CONTACT_LINKS"]``, docs/settings.md); any annotation whose value is itself a web
link, an email address or a phone number links to it. Everything else stays text. Values come
from repositories, so each piece is quoted into its URL and only http(s), ``mailto:`` and
``tel:`` URLs are produced.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from django.conf import settings

from .formats.safe_urls import safe_link_url

_EMAIL = re.compile(r"^[^@\s<>\"'()\\,;:]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
_PHONE = re.compile(r"^\+?[0-9][0-9 ().-]{4,30}$")

LABELS = {
    "slack.com/channel": "Slack",
    "pagerduty.com/service-id": "PagerDuty service",
    "pagerduty.com/integration-key": "PagerDuty integration",
    "opsgenie.com/team": "Opsgenie team",
    "opsgenie.com/component-selector": "Opsgenie alerts",
}


@dataclass(frozen=True)
class ContactLink:
    """How one contact annotation is shown: a label, its value and the URL it opens (or none)."""

    key: str
    label: str
    text: str
    url: str


def _base(name: str) -> str:
    return safe_link_url(str(settings.CATALOG.get("CONTACT_LINKS", {}).get(name) or "")).rstrip("/")


# Annotation key -> (configured base, path on it, how the value becomes the path's end).
_KNOWN: dict[str, tuple[str, str, Callable[[str], str]]] = {
    "slack.com/channel": ("slack", "/app_redirect?", lambda value: urlencode({"channel": value.lstrip("#")})),
    "pagerduty.com/service-id": ("pagerduty", "/service-directory/", lambda value: quote(value, safe="")),
    "opsgenie.com/team": ("opsgenie", "/teams/list?", lambda value: urlencode({"query": value})),
    "opsgenie.com/component-selector": ("opsgenie", "/alert/list?", lambda value: urlencode({"query": value})),
}


def _known_url(key: str, value: str) -> str:
    if key not in _KNOWN:
        return ""
    name, path, encode = _KNOWN[key]
    base = _base(name)
    return f"{base}{path}{encode(value)}" if base else ""


def value_url(value: str) -> str:
    """A web link, ``mailto:`` or ``tel:`` URL for a value that is one of those things, else ``""``."""
    value = value.strip()
    if value.lower().startswith("mailto:"):
        value = value[len("mailto:") :]
    elif value.lower().startswith("tel:"):
        value = value[len("tel:") :]
    if _EMAIL.match(value):
        return f"mailto:{quote(value, safe='@')}"
    if _PHONE.match(value):
        return "tel:" + re.sub(r"[^0-9+]", "", value)
    return safe_link_url(value)


def contact_link(key: str, value: object) -> ContactLink:
    """How the annotation ``key: value`` is shown on the owner, contacts and campaign cards."""
    text = str(value)
    url = _known_url(key, text.strip()) if text.strip() else ""
    return ContactLink(key=key, label=LABELS.get(key, key), text=text, url=url or value_url(text))


def link_url(value: object) -> str:
    """A ``metadata.links`` URL that may be opened: http(s), or an explicit ``mailto:``/``tel:``."""
    if isinstance(value, str) and value.strip().lower().startswith(("mailto:", "tel:")):
        return value_url(value)
    return safe_link_url(value)
