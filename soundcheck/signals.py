"""Reactions to the catalog and TechDocs: re-collect facts and re-evaluate the entities they touched.

Catalog writes arrive as one ``entities_changed`` signal per write, already after commit. Results of
deleted entities are dropped at once (one query per batch); written entities are collected and
evaluated by Celery in tasks of ``SOUNDCHECK["BATCH_SIZE"]`` refs, so a refresh of 100,000
entities queues a hundred tasks, not 100,000.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import transaction
from django.dispatch import receiver

from catalog.signals import entities_changed

from .evaluation import batch_size, delete_results


@receiver(entities_changed, dispatch_uid="soundcheck-entities-changed")
def on_entities_changed(sender: Any, written: list[str], deleted: list[str], **kwargs: Any) -> None:
    from .tasks import collect_and_evaluate_refs

    if deleted:
        delete_results(deleted)
    size = batch_size()
    for start in range(0, len(written), size):
        collect_and_evaluate_refs.delay(list(written[start : start + size]))


def on_site_built(sender: Any, entity_ref: str, **kwargs: Any) -> None:
    """A docs build finished: refresh that entity's TechDocs facts and its results."""
    from .tasks import collect_and_evaluate_refs

    transaction.on_commit(lambda: collect_and_evaluate_refs.delay([entity_ref], ["techdocs"]))


if apps.is_installed("techdocs"):
    from techdocs.signals import site_built

    site_built.connect(on_site_built, dispatch_uid="soundcheck-site-built")
