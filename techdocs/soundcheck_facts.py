"""TechDocs' Soundcheck fact collector, registered as ``techdocs`` through ``portal.registry``.

Facts: ``techdocs.has_docs`` (a site is online), ``techdocs.last_build_ok`` (the latest build or
upload succeeded or found nothing to change; not collected before any build, so a check on it reads
"Not collected yet" rather than failed), ``techdocs.last_built_at``
(when the latest build finished) and ``techdocs.annotated`` (the entity names a docs source).
After each build or upload (``site_built``) that entity's facts are announced outdated, so
Soundcheck collects them again; TechDocs does not know who does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from portal.registry import FactRecord, announce_facts_outdated

from .config import TECHDOCS_ANNOTATION
from .models import DocSite

GOOD_STATUSES = ("succeeded", "unchanged")


def collect(entities: Sequence[Any]) -> list[FactRecord]:
    """The TechDocs facts of a batch of entities (one query)."""
    sites = {
        site.entity_ref: site
        for site in DocSite.objects.filter(entity_ref__in=[entity.ref for entity in entities]).select_related(
            "latest_build"
        )
    }
    records = []
    for entity in entities:
        site = sites.get(entity.ref)
        build = site.latest_build if site is not None else None
        metadata = entity.body.get("metadata", {}) if isinstance(entity.body, dict) else {}
        annotations = metadata.get("annotations") if isinstance(metadata.get("annotations"), dict) else {}
        finished = build.finished_at.isoformat() if build is not None and build.finished_at else None
        values = {
            "techdocs.annotated": bool(annotations.get(TECHDOCS_ANNOTATION)),
            "techdocs.has_docs": bool(site is not None and site.current_build_id),
            "techdocs.last_built_at": finished,
        }
        if build is not None:
            values["techdocs.last_build_ok"] = build.status in GOOD_STATUSES
        records += [FactRecord(entity.ref, name, value) for name, value in values.items()]
    return records


def on_site_built(sender: Any, entity_ref: str, **kwargs: Any) -> None:
    """Receiver of ``site_built``: that entity's TechDocs facts changed."""
    announce_facts_outdated("techdocs", [entity_ref])
