"""TechDocs facts, read from TechDocs' site table as an outside plugin would (``apps.get_model``).

Facts: ``techdocs.has_docs`` (a site is online), ``techdocs.last_build_ok`` (the latest build or
upload succeeded or found nothing to change; null before any build), ``techdocs.last_built_at``
(when the latest build finished) and ``techdocs.annotated`` (the entity names a docs source).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import apps

from ..facts import FactRecord

DOCS_ANNOTATION = "backstage.io/techdocs-ref"
GOOD_STATUSES = ("succeeded", "unchanged")


def collect(entities: Sequence[Any]) -> list[FactRecord]:
    site_model = apps.get_model("techdocs", "DocSite")
    sites = {
        site.entity_ref: site
        for site in site_model.objects.filter(entity_ref__in=[entity.ref for entity in entities]).select_related(
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
            "techdocs.annotated": bool(annotations.get(DOCS_ANNOTATION)),
            "techdocs.has_docs": bool(site is not None and site.current_build_id),
            "techdocs.last_build_ok": None if build is None else build.status in GOOD_STATUSES,
            "techdocs.last_built_at": finished,
        }
        records += [FactRecord(entity.ref, name, value) for name, value in values.items()]
    return records
