"""Reactions to the catalog and TechDocs: re-collect facts and re-evaluate the entities they touched.

Any write to a check, track, level (or its checks) or campaign, from the admin, a config sync or
code, bumps the definitions version so every process reloads its evaluation plan.

Catalog writes arrive as one ``entities_changed`` signal per write, already after commit. Results of
deleted entities are dropped at once (one query per batch); written entities are collected and
evaluated by Celery in tasks of ``SOUNDCHECK["BATCH_SIZE"]`` refs, so a refresh of 100,000
entities queues a hundred tasks, not 100,000.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from catalog.signals import entities_changed
from portal.jobs import send_job, send_job_after_commit

from .evaluation import batch_size, delete_results
from .models import Campaign, Check, Level, Track
from .plan import bump_definitions_version


@receiver(entities_changed, dispatch_uid="soundcheck-entities-changed")
def on_entities_changed(sender: Any, written: list[str], deleted: list[str], **kwargs: Any) -> None:
    from .tasks import collect_and_evaluate_refs

    if deleted:
        delete_results(deleted)
    size = batch_size()
    for start in range(0, len(written), size):
        send_job(collect_and_evaluate_refs, list(written[start : start + size]))


def on_site_built(sender: Any, entity_ref: str, **kwargs: Any) -> None:
    """A docs build finished: refresh that entity's TechDocs facts and its results."""
    from .tasks import collect_and_evaluate_refs

    send_job_after_commit(collect_and_evaluate_refs, [entity_ref], ["techdocs"])


if apps.is_installed("techdocs"):
    from techdocs.signals import site_built

    site_built.connect(on_site_built, dispatch_uid="soundcheck-site-built")


def on_definition_changed(sender: Any, **kwargs: Any) -> None:
    """A check, track, level or campaign was written: evaluation plans are out of date."""
    bump_definitions_version()


for _model in (Check, Track, Level, Campaign):
    post_save.connect(on_definition_changed, sender=_model, dispatch_uid=f"soundcheck-plan-save-{_model.__name__}")
    post_delete.connect(on_definition_changed, sender=_model, dispatch_uid=f"soundcheck-plan-delete-{_model.__name__}")
m2m_changed.connect(on_definition_changed, sender=Level.checks.through, dispatch_uid="soundcheck-plan-level-checks")
