# ruff: noqa: PTH113, PTH118, PTH120
"""The README beside an entity's catalog file, rendered as its docs when it has no TechDocs.

Only entities read from ``file`` locations get this fallback: the README is found with one
``stat`` (no query, so the entity page's tab bar stays cheap) and read confined to the location's
root, as the catalog reads its files.
"""

from __future__ import annotations

import os
from typing import Any

import markdown
import nh3

from catalog.readers.filereader import FileRefused, read_inside

from .render import ALLOWED_ATTRIBUTES, ALLOWED_TAGS
from .sources import location_root

README_NAMES = ("README.md", "readme.md", "Readme.md")
MAX_README_BYTES = 1024 * 1024


def readme_path(entity: Any) -> str | None:
    key = getattr(entity, "location_key", "") or ""
    if not key.startswith("file:"):
        return None
    directory = os.path.dirname(key.removeprefix("file:"))
    for name in README_NAMES:
        candidate = os.path.join(directory, name)
        if os.path.isfile(candidate):
            return candidate
    return None


def render_readme(entity: Any) -> str | None:
    """The README as sanitised HTML, or None when there is none or it cannot be read safely."""
    path = readme_path(entity)
    if path is None:
        return None
    location = entity.location
    root = location_root(location.target) if location.type == "file" else os.path.dirname(path)
    try:
        data = read_inside(path, os.path.realpath(root), MAX_README_BYTES)
    except FileRefused:
        return None
    rendered = markdown.markdown(
        data.decode("utf-8", "replace"), extensions=["extra", "sane_lists", "toc"], output_format="html"
    )
    return nh3.clean(
        rendered,
        tags=ALLOWED_TAGS - {"img", "input", "label"},
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_absolute_links_only,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


def _absolute_links_only(element: str, attribute: str, value: str) -> str | None:
    # A README's relative links point into its repository, which the portal does not serve.
    if attribute == "href" and not value.startswith(("http://", "https://", "mailto:", "#")):
        return None
    return value
