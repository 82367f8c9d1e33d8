"""Which catalog-supplied URLs the portal may render as links.

Entity files are written by anyone with a repository: a ``javascript:`` or ``data:`` link in an
annotation or ``metadata.links`` would run in the portal's origin when clicked. Only absolute
``http(s)`` URLs with a host become links; anything else is shown as text, if at all.
"""

from __future__ import annotations

from urllib.parse import urlsplit

LINK_SCHEMES = ("http", "https")
# What Backstage stores in place of a link it refused; its clients recognise it, and it is no link.
REJECTED_URL = "https://backstage.io/annotation-rejected-for-security-reasons"


def safe_link_url(value: object) -> str:
    """``value`` when it is an absolute http(s) URL with a host, else an empty string."""
    if not isinstance(value, str):
        return ""
    url = value.strip()
    # Browsers drop tabs and newlines inside URLs, so "java\tscript:" must not slip past the check.
    if any(character in url for character in "\t\r\n") or any(ord(character) < 32 for character in url):
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme.lower() not in LINK_SCHEMES or not parts.hostname:
        return ""
    return url


def location_url(value: object) -> str:
    """The browsable URL of a location annotation (``url:https://...``), if it is a safe link."""
    if not isinstance(value, str) or value == REJECTED_URL:
        return ""
    kind, separator, target = value.partition(":")
    if separator and kind == "url":
        return safe_link_url(target)
    return safe_link_url(value)
