"""Build page URLs from values that come from data, never failing on a value no URL can hold.

Entity refs are parsed without checking their parts (Backstage's rule), so an owner or a
template's output can name ``group:../../etc/passwd`` or a name holding ``/``. ``reverse``
quotes every character a path segment cannot hold as such (``?``, ``#``, ``%``, spaces), and
``.`` and ``..`` segments are escaped here so a browser cannot collapse them into another page's
address. A value the route's converter refuses (a ``/`` or an empty string for ``<str:...>``)
has no page, and the caller shows it as text.
"""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

# The resolver sees the decoded path, so %2E%2E still reaches the view as the value "..".
_DOT_SEGMENTS = {".": "%2E", "..": "%2E%2E"}


def reverse_or_empty(viewname: str, *args: object) -> str:
    """The URL of ``viewname`` for ``args``, or ``""`` when no URL of that view can hold them."""
    try:
        url = reverse(viewname, args=[str(arg) for arg in args])
    except NoReverseMatch:
        return ""
    return "/".join(_DOT_SEGMENTS.get(segment, segment) for segment in url.split("/"))
