"""Celery entry points for TechDocs: they take ids or refs, re-read rows, and call services."""

from __future__ import annotations

from celery import shared_task

from .config import techdocs_settings


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


@shared_task(name="techdocs.check_sources")
def check_sources_task() -> int:
    """The periodic tick: queue a source check for every documented entity."""
    from .services import documented_entities

    if techdocs_settings()["BUILDER"] != "local":
        return 0
    refs = list(documented_entities().values_list("ref", flat=True))
    for ref in refs:
        check_entity_docs_task.delay(ref)
    return len(refs)


@shared_task(name="techdocs.fail_stale_builds")
def fail_stale_builds_task() -> int:
    """The periodic reaper: builds left running by a worker that died are marked failed."""
    from .build_claims import fail_stale_builds

    return len(fail_stale_builds())
