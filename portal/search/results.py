"""Presenting hits: labels, links and marked snippets for the page, documents for the API."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.safestring import SafeString

from .backends import SearchHit
from .highlight import excerpt, mark_html, mark_tags
from .models import SearchDocument

TYPE_LABELS = dict(SearchDocument.Type.choices)


def short_ref(ref: str) -> str:
    """``group:default/team-a`` as people say it: ``team-a`` (other namespaces keep theirs)."""
    kind_and_namespace, _, name = ref.rpartition("/")
    namespace = kind_and_namespace.partition(":")[2]
    return name if namespace in ("", "default") else f"{namespace}/{name}"


@dataclass
class ResultRow:
    """One hit as the search page and the suggestions show it."""

    hit: SearchHit
    title_html: SafeString
    snippet_html: SafeString

    @property
    def type_label(self) -> str:
        return TYPE_LABELS.get(self.hit.type, self.hit.type)

    @property
    def owner_label(self) -> str:
        return short_ref(self.hit.owner) if self.hit.owner else ""

    @property
    def context(self) -> str:
        """For a docs page: the entity it documents."""
        return str(self.hit.extra.get("entityTitle", "")) if self.hit.type == SearchDocument.Type.TECHDOCS else ""


def result_rows(hits: Sequence[SearchHit], words: Sequence[str]) -> list[ResultRow]:
    return [ResultRow(hit, mark_html(hit.title, words), mark_html(excerpt(hit.text, words), words)) for hit in hits]


def api_document(hit: SearchHit) -> dict[str, Any]:
    """The ``document`` of an API result: Backstage's title, text and location, then the facets."""
    document: dict[str, Any] = {"title": hit.title, "text": hit.text, "location": hit.location}
    if hit.kind:
        document |= {"kind": hit.kind, "namespace": hit.namespace}
    if hit.name:
        document["name"] = hit.name
    elif hit.source_ref:
        document["name"] = hit.source_ref.rpartition("/")[2]
    if hit.entity_type:
        document |= {"type": hit.entity_type, "componentType": hit.entity_type}
    for key, value in (("lifecycle", hit.lifecycle), ("owner", hit.owner)):
        if value:
            document[key] = value
    return document | {key: value for key, value in hit.extra.items() if key not in document}


def api_highlight(hit: SearchHit, words: Sequence[str], pre_tag: str, post_tag: str) -> dict[str, Any]:
    fields = {}
    for name, value in (("title", hit.title), ("text", excerpt(hit.text, words))):
        marked = mark_tags(value, words, pre_tag, post_tag)
        if marked is not None:
            fields[name] = marked
    return {"preTag": pre_tag, "postTag": post_tag, "fields": fields}
