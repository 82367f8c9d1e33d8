"""Annotations the catalog owns on every stored entity, and the links a descriptor may set itself.

``managed-by-location`` and ``managed-by-origin-location`` say where the entity was read from and
``backstage.io/orphan`` says nothing emits it any more: the catalog alone knows these, so values
written in a file are replaced or dropped, as Backstage does. ``view-url``, ``edit-url`` and
``source-location`` are derived from the file's URL where the catalog can (SCM web URLs) and then
replace what the file says; elsewhere a descriptor's own value is kept only when it is an http(s)
link on the host the file was read from, since the portal shows it as "View source".
"""

from __future__ import annotations

import functools
from typing import Any
from urllib.parse import urlsplit

from ..formats.readers import parse_git_target
from ..formats.safe_urls import REJECTED_URL, safe_link_url
from ..formats.validation import FieldError
from .scm import scm_annotations

MANAGED_BY_LOCATION = "backstage.io/managed-by-location"
MANAGED_BY_ORIGIN_LOCATION = "backstage.io/managed-by-origin-location"
ORPHAN = "backstage.io/orphan"
VIEW_URL = "backstage.io/view-url"
EDIT_URL = "backstage.io/edit-url"
SOURCE_LOCATION = "backstage.io/source-location"


def stamp_annotations(
    annotations: dict[str, Any], location_key: str, origin_ref: str
) -> tuple[dict[str, Any], list[FieldError]]:
    """``annotations`` with the catalog's own values set, and a warning for each link refused."""
    stamped = {key: value for key, value in annotations.items() if key != ORPHAN}
    derived = scm_annotations(location_key)
    stamped.update(derived)
    warnings: list[FieldError] = []
    host = _host_of(location_key)
    for key in (VIEW_URL, EDIT_URL, SOURCE_LOCATION):
        if key in derived or key not in stamped:
            continue
        value = stamped[key]
        link = value.removeprefix("url:") if key == SOURCE_LOCATION and isinstance(value, str) else value
        problem = _link_problem(link, host)
        if problem is None:
            continue
        field = f"metadata.annotations.{key}"
        if key == SOURCE_LOCATION:
            del stamped[key]
            warnings.append(FieldError(field, f"{field} was dropped: {problem}"))
        else:
            stamped[key] = REJECTED_URL
            warnings.append(FieldError(field, f"{field} was replaced by {REJECTED_URL}: {problem}"))
    stamped[MANAGED_BY_LOCATION] = location_key
    stamped[MANAGED_BY_ORIGIN_LOCATION] = origin_ref
    return stamped, warnings


@functools.lru_cache(maxsize=1024)
def _host_of(location_key: str) -> str | None:
    """The host a ``url`` location's files come from; None for files on this machine.

    Cached: every entity of a file asks with the same key, and parsing the target took a tenth of
    the time spent judging a document.
    """
    location_type, _, target = location_key.partition(":")
    if location_type != "url":
        return None
    try:
        return parse_git_target(target).host
    except ValueError:
        return None


def _link_problem(value: object, host: str | None) -> str | None:
    url = safe_link_url(value)
    if not url:
        return "only absolute http(s) URLs with a host are shown as links"
    if host is not None and (urlsplit(url).hostname or "").lower() != host.lower():
        return f"it points off {host}, the host the entity was read from"
    return None
