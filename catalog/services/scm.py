"""Annotations derived from where an entity was read: view, edit and source links for SCM URLs."""

from __future__ import annotations

import re

# (pattern of a file URL, replacement giving its edit URL)
_EDIT_URLS = (
    (re.compile(r"^(https://[^/]+/[^/]+/[^/]+)/blob/(.+)$"), r"\1/edit/\2"),  # GitHub
    (re.compile(r"^(https://[^/]+/.+?)/-/blob/(.+)$"), r"\1/-/edit/\2"),  # GitLab
    (re.compile(r"^(https://[^/]+/[^/]+/[^/]+)/src/branch/(.+)$"), r"\1/_edit/\2"),  # Gitea
)
_COMMIT_SHA = re.compile(r"/[0-9a-f]{40,}/")


def scm_annotations(location_key: str) -> dict[str, str]:
    """``view-url``, ``edit-url`` and ``source-location`` for an entity read from ``location_key``.

    Only ``url:`` locations on a recognised SCM web URL get them; a URL pinned to a commit gets no
    edit link, since a commit cannot be edited.
    """
    location_type, _, url = location_key.partition(":")
    if location_type != "url":
        return {}
    for pattern, replacement in _EDIT_URLS:
        if pattern.match(url):
            annotations = {
                "backstage.io/view-url": url,
                "backstage.io/source-location": "url:" + url.rsplit("/", 1)[0] + "/",
            }
            if not _COMMIT_SHA.search(url):
                annotations["backstage.io/edit-url"] = pattern.sub(replacement, url)
            return annotations
    return {}
