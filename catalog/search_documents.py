"""What a catalog entity looks like in the search index: its result type, text and facet values."""

from __future__ import annotations

from typing import Any

from portal.search.indexing import MAX_TEXT
from portal.search.models import SearchDocument

from .formats.refs import InvalidEntityRef, parse_entity_ref

# Kinds that are not results of their own: Location entities are plumbing, not things to find.
UNINDEXED_KINDS = frozenset({"location"})
PEOPLE_KINDS = frozenset({"user", "group"})


def result_type(kind: str) -> str | None:
    """The result type of an entity of ``kind`` (None: not indexed)."""
    lowered = kind.lower()
    if lowered in UNINDEXED_KINDS:
        return None
    if lowered == "template":
        return SearchDocument.Type.TEMPLATES
    if lowered in PEOPLE_KINDS:
        return SearchDocument.Type.PEOPLE
    return SearchDocument.Type.CATALOG


def _text(value: Any, limit: int = 400) -> str:
    return value[:limit] if isinstance(value, str) else ""


def owner_ref(body: dict[str, Any]) -> str:
    """``spec.owner`` as a full lowercase ref (kind defaults to group, namespace to the entity's)."""
    spec = body.get("spec") if isinstance(body.get("spec"), dict) else {}
    owner = spec.get("owner")
    if not isinstance(owner, str) or not owner:
        return ""
    namespace = (body.get("metadata") or {}).get("namespace") or "default"
    try:
        return str(parse_entity_ref(owner, default_kind="group", default_namespace=namespace))
    except InvalidEntityRef:
        return ""


def facet_values(body: dict[str, Any]) -> dict[str, str]:
    """The facet columns of an entity (and of its docs pages)."""
    metadata = body.get("metadata") or {}
    spec = body.get("spec") if isinstance(body.get("spec"), dict) else {}
    return {
        "kind": _text(body.get("kind"), 63),
        "namespace": _text(metadata.get("namespace"), 63) or "default",
        "owner": owner_ref(body),
        "lifecycle": _text(spec.get("lifecycle"), 200).lower(),
        "entity_type": _text(spec.get("type"), 200).lower(),
    }


def entity_title(body: dict[str, Any]) -> str:
    """What people call the entity: its title, a person's or team's display name, else its name."""
    metadata = body.get("metadata") or {}
    spec = body.get("spec") if isinstance(body.get("spec"), dict) else {}
    profile = spec.get("profile") if isinstance(spec.get("profile"), dict) else {}
    return _text(metadata.get("title")) or _text(profile.get("displayName")) or _text(metadata.get("name"), 255)


def entity_document(ref: str, body: dict[str, Any], location: str, etag: str) -> SearchDocument | None:
    """The unsaved index row for one entity, or None for kinds that are not indexed."""
    kind = _text(body.get("kind"), 63)
    document_type = result_type(kind)
    if document_type is None:
        return None
    metadata = body.get("metadata") or {}
    spec = body.get("spec") if isinstance(body.get("spec"), dict) else {}
    profile = spec.get("profile") if isinstance(spec.get("profile"), dict) else {}
    tags = [tag for tag in metadata.get("tags") or [] if isinstance(tag, str)]
    facets = facet_values(body)
    email = _text(profile.get("email"))
    keywords = [
        *tags,
        facets["owner"],
        facets["owner"].rpartition("/")[2],
        kind,
        facets["entity_type"],
        facets["lifecycle"],
        ref,
        email,
        _text(profile.get("displayName")),
    ]
    return SearchDocument(
        type=document_type,
        source_ref=ref,
        location=location,
        title=entity_title(body),
        name=_text(metadata.get("name"), 255),
        keywords=" ".join(word for word in keywords if word),
        text=" ".join(part for part in (_text(metadata.get("description"), MAX_TEXT), email) if part),
        etag=etag,
        extra={"tags": tags, **({"email": email} if email else {})},
        **facets,
    )
