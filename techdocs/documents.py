"""Search documents from a built site's ``search/search_index.json`` (MkDocs' search plugin output)."""

from __future__ import annotations

import json
from typing import Any

from portal.links import reverse_or_empty


def page_url(namespace: str, kind: str, name: str, location: str) -> str:
    """The portal URL of a site location such as ``sub-page/#details`` (relative to the site root)."""
    path, _, anchor = location.partition("#")
    url = reverse_or_empty("techdocs:entity_docs", namespace, kind, name) + path.lstrip("/")
    return f"{url}#{anchor}" if anchor else url


def search_documents(index_bytes: bytes | None, namespace: str, kind: str, name: str) -> list[dict[str, Any]]:
    """One document per search index entry; an unreadable index gives none."""
    try:
        entries = json.loads(index_bytes or b"{}").get("docs") or []
    except (ValueError, AttributeError):
        return []
    entries = [entry for entry in entries if isinstance(entry, dict) and isinstance(entry.get("location"), str)]
    sections: dict[str, list[str]] = {}
    for entry in entries:
        page, anchor_separator, _ = entry["location"].partition("#")
        if anchor_separator:
            sections.setdefault(page, []).append(str(entry.get("title") or ""))
    documents = []
    for entry in entries:
        location = entry["location"]
        page, anchor_separator, _ = location.partition("#")
        title = str(entry.get("title") or "")
        documents.append(
            {
                "title": title,
                "location": page_url(namespace, kind, name, location),
                "text": str(entry.get("text") or ""),
                "headings": [title] if anchor_separator else sections.get(page, []),
            }
        )
    return documents
