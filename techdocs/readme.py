# ruff: noqa: PTH113, PTH118, PTH120
"""The README beside an entity's catalog file, rendered as its docs when it has no TechDocs.

For ``file`` locations the README is found with one ``stat`` (no query, so the entity page's tab
bar stays cheap) and read confined to the location's root, as the catalog reads its files. For
``url`` (git) locations it is read from the repository at the location's commit through the
catalog's git reader (its remote policy, limits and mirror), and the rendered HTML is cached per
commit, so a page view reads git at most once per change. READMEs larger than
``TECHDOCS["MAX_README_BYTES"]`` are not rendered.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import posixpath
from typing import Any

import markdown
import nh3
from django.core.cache import cache

from catalog.formats.readers import read_location
from catalog.formats.readers.filereader import FileRefused, read_inside
from catalog.formats.readers.targets import parse_git_target

from .config import source_policy, techdocs_settings
from .render import ALLOWED_ATTRIBUTES, ALLOWED_TAGS
from .sources import location_root

README_NAMES = ("README.md", "readme.md", "Readme.md")
# A README documents the repository (or folder) whose descriptor sits beside it: the software
# described in ``catalog-info.yaml``, not the people, groups or Location trees of an org file.
DESCRIPTOR_NAMES = ("catalog-info.yaml", "catalog-info.yml")
NOT_DOCUMENTED_BY_README = frozenset({"Location", "Group", "User"})
CACHE_SECONDS = 24 * 60 * 60
_NONE = ""  # cached: this commit has no readable README


def documented_by_readme(entity: Any) -> bool:
    """Whether a README beside the entity's file is the entity's own: it was read from the folder's
    descriptor (``catalog-info.yaml``) and is software, not a person, group or Location."""
    key = getattr(entity, "location_key", "") or ""
    name = posixpath.basename(key.split("#", 1)[-1].rsplit(":", 1)[-1] if key.startswith("url:") else key)
    return name in DESCRIPTOR_NAMES and getattr(entity, "kind", "") not in NOT_DOCUMENTED_BY_README


def has_readme(entity: Any) -> bool:
    """Whether the Docs tab may show a README: found beside a local file, or (git) not known to be missing."""
    if not documented_by_readme(entity):
        return False
    key = getattr(entity, "location_key", "") or ""
    if key.startswith("url:"):
        return cache.get(_cache_key(entity)) != _NONE
    return readme_path(entity) is not None


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
    if not documented_by_readme(entity):
        return None
    if (getattr(entity, "location_key", "") or "").startswith("url:"):
        key = _cache_key(entity)
        cached = cache.get(key)
        if cached is None:
            data = _git_readme(entity)
            cached = _render(data) if data is not None else _NONE
            cache.set(key, cached, CACHE_SECONDS)
        return cached or None
    path = readme_path(entity)
    if path is None:
        return None
    location = entity.location
    root = location_root(location.target) if location.type == "file" else os.path.dirname(path)
    try:
        data = read_inside(path, os.path.realpath(root), techdocs_settings()["MAX_README_BYTES"])
    except FileRefused:
        return None
    return _render(data)


def _cache_key(entity: Any) -> str:
    commit = getattr(getattr(entity, "location", None), "last_commit", "") or ""
    digest = hashlib.sha256(f"{entity.location_key}\n{commit}".encode()).hexdigest()[:32]
    return f"techdocs:readme:{digest}"


def _git_readme(entity: Any) -> bytes | None:
    """The README beside a git catalog file, read with the catalog's reader; None if absent or refused."""
    try:
        parsed = parse_git_target(entity.location_key.removeprefix("url:"))
    except ValueError:
        return None
    directory = posixpath.dirname(parsed.path)
    policy = dataclasses.replace(source_policy(), max_file_bytes=techdocs_settings()["MAX_README_BYTES"], max_files=1)
    for name in README_NAMES:
        path = f"{directory}/{name}" if directory else name
        result = read_location("url", f"{parsed.clone_url}#{parsed.branch or ''}:{path}", policy)
        if result.files:
            return result.files[0].data
    return None


def _render(data: bytes) -> str:
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
