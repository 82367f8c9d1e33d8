"""Celery entry points for TechDocs: they take ids or refs, re-read rows, and call services."""

from __future__ import annotations

import logging

from celery import shared_task

from portal.jobs import REDISPATCH_BATCH, redispatch_cutoff, send_job_now

from .config import techdocs_settings

logger = logging.getLogger(__name__)


@shared_task(name="techdocs.build")
def build_docs_task(build_id: int) -> str | None:
    """Run one queued build; a build already finished (a retried message) is left alone."""
    from .services import run_build

    build = run_build(build_id)
    return build.status if build else None


@shared_task(name="techdocs.sync")
def sync_docs_task(build_id: int) -> str | None:
    """Run one sync: build only if the source changed since the online site."""
    from .services import run_sync

    build = run_sync(build_id)
    return build.status if build else None


@shared_task(name="techdocs.check_entity")
def check_entity_docs_task(entity_ref: str) -> str:
    """Rebuild an entity's docs if their source changed (external builds are never built here)."""
    from .services import check_entity_docs

    if techdocs_settings()["BUILDER"] != "local":
        return "external"
    build = check_entity_docs(entity_ref)
    return build.status if build else "unchanged"


@shared_task(name="techdocs.check_entities")
def check_entities_docs_task(entity_refs: list[str]) -> int:
    """``techdocs.check_entity`` for a batch of refs: a refresh of thousands of documented entities
    sends a handful of messages rather than one per entity. Returns how many builds were queued."""
    from .services import check_entity_docs

    if techdocs_settings()["BUILDER"] != "local":
        return 0
    queued = 0
    for ref in entity_refs:
        try:
            queued += check_entity_docs(ref) is not None
        except Exception:
            # One entity's failure must not cost the rest of the batch their check.
            logger.exception("checking the docs of %s failed", ref)
    return queued


@shared_task(name="techdocs.check_sources")
def check_sources_task() -> int:
    """The periodic tick: queue a source check for every documented entity."""
    from .services import documented_entities

    if techdocs_settings()["BUILDER"] != "local":
        return 0
    refs = list(documented_entities().values_list("ref", flat=True))
    for ref in refs:
        send_job_now(check_entity_docs_task.name, ref)
    return len(refs)


@shared_task(name="techdocs.redispatch_queued_builds")
def redispatch_queued_builds_task() -> int:
    """The periodic sweeper: builds still queued after ``JOB_REDISPATCH_AFTER`` seconds are sent again."""
    from .services import queued_builds_to_redispatch

    waiting = queued_builds_to_redispatch(redispatch_cutoff(), REDISPATCH_BATCH)
    for build_id, is_sync in waiting:
        send_job_now((sync_docs_task if is_sync else build_docs_task).name, build_id)
    if waiting:
        logger.warning("sent %d waiting docs builds to the job queue again", len(waiting))
    return len(waiting)


@shared_task(name="techdocs.fail_stale_builds")
def fail_stale_builds_task() -> int:
    """The periodic reaper: builds left running by a worker that died are marked failed."""
    from .services.build_claims import fail_stale_builds

    return len(fail_stale_builds())
