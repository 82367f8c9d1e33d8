"""Reactions to the catalog and to outdated facts: re-collect facts and re-evaluate the entities they touched.

Any write to a check, track, level (or its checks) or campaign, from the admin, a config sync or
code, bumps the definitions version so every process reloads its evaluation plan.

Catalog writes arrive as one ``entities_changed`` signal per write, already after commit. Results of
deleted entities are dropped at once (one query per batch); written entities are collected and
evaluated by Celery in tasks of ``SOUNDCHECK["BATCH_SIZE"]`` refs, so a refresh of 100,000
entities queues a hundred tasks, not 100,000. An app behind a fact collector sends
``portal.registry.facts_outdated`` when its data changed (TechDocs after each docs build): that
collector alone runs again for those entities.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from catalog.signals import entities_changed
from portal.jobs import send_job, send_job_now
from portal.registry import facts_outdated

from .evaluation.membership import batch_size
from .models import Campaign, Check, Level, Track
from .plan import bump_definitions_version
from .services.evaluations import delete_results


@receiver(entities_changed, dispatch_uid="soundcheck-entities-changed")
def on_entities_changed(sender: Any, written: list[str], deleted: list[str], **kwargs: Any) -> None:
    if deleted:
        delete_results(deleted)
    size = batch_size()
    for start in range(0, len(written), size):
        send_job_now("soundcheck.collect_and_evaluate_refs", list(written[start : start + size]))


@receiver(facts_outdated, dispatch_uid="soundcheck-facts-outdated")
def on_facts_outdated(sender: Any, collector: str, entity_refs: list[str], **kwargs: Any) -> None:
    """One collector's facts changed (say, ``techdocs`` after a docs build): refresh them and the results."""
    send_job("soundcheck.collect_and_evaluate_refs", list(entity_refs), [collector])


def on_definition_changed(sender: Any, **kwargs: Any) -> None:
    """A check, track, level or campaign was written: evaluation plans are out of date."""
    bump_definitions_version()


for _model in (Check, Track, Level, Campaign):
    post_save.connect(on_definition_changed, sender=_model, dispatch_uid=f"soundcheck-plan-save-{_model.__name__}")
    post_delete.connect(on_definition_changed, sender=_model, dispatch_uid=f"soundcheck-plan-delete-{_model.__name__}")
m2m_changed.connect(on_definition_changed, sender=Level.checks.through, dispatch_uid="soundcheck-plan-level-checks")
