"""Every TechDocs write: requesting, running and publishing builds, and uploads from CI."""

from __future__ import annotations

import json
import logging
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

from django.db import transaction
from django.utils import timezone

from catalog.filtering import condition_q
from catalog.formats.filter_syntax import Condition
from catalog.models import Entity
from portal.jobs import send_job
from portal.services.audit import record_write

from .. import storage
from ..archives import ArchiveRefused, extract_archive
from ..build_memory import config_digest, repeated_failure
from ..builder import BuildFailed, BuildLimits, check_site, run_mkdocs
from ..config import TECHDOCS_ANNOTATION, source_policy, techdocs_settings
from ..documents import search_documents
from ..models import DocBuild, DocSite
from ..signals import site_built
from ..sources import SourceError, fetch_source, resolve_source
from .build_claims import claim_build

logger = logging.getLogger(__name__)

# The reason of builds asked for by Backstage's sync: they are run by ``run_sync``, others by ``run_build``.
SYNC_REASON = "sync"


def documented_entities():
    """Entities carrying ``backstage.io/techdocs-ref`` (answered from the catalog's search index)."""
    return Entity.objects.filter(condition_q(Condition(f"metadata.annotations.{TECHDOCS_ANNOTATION}", None)))


def site_for(entity: Entity) -> DocSite:
    site, _ = DocSite.objects.get_or_create(
        entity_ref=entity.ref,
        defaults={"namespace": entity.namespace.lower(), "kind": entity.kind.lower(), "name": entity.name.lower()},
    )
    return site


def request_build(entity: Entity, *, reason: str, user: Any = None) -> DocBuild:
    """Queue a forced rebuild (an owner's or admin's request), audited, run after the commit."""
    with transaction.atomic():
        site = site_for(entity)
        build = DocBuild.objects.create(
            site=site, reason=reason, requested_by=getattr(user, "username", "") or "", mode=DocBuild.Mode.LOCAL
        )
        DocSite.objects.filter(pk=site.pk).update(latest_build=build)
        if user is not None:
            record_write("techdocs.rebuild", entity.ref, build=build.pk)
        send_job("techdocs.build", build.pk)
    return build


def _limits() -> BuildLimits:
    config = techdocs_settings()
    return BuildLimits(
        timeout_seconds=config["BUILD_TIMEOUT"],
        memory_bytes=config["BUILD_MEMORY_BYTES"],
        max_site_bytes=config["MAX_SITE_BYTES"],
        allowed_plugins=list(config["ALLOWED_PLUGINS"]),
        network_sandbox=config["NETWORK_SANDBOX"],
    )


def _source_for(entity: Entity):
    location = entity.location
    return resolve_source(entity, location.type, location.target, location.last_commit)


def check_entity_docs(entity_ref: str) -> DocBuild | None:
    """Build the entity's docs when their source changed since the online build; None when unchanged."""
    entity = Entity.objects.filter(ref=entity_ref.lower()).select_related("location").first()
    if entity is None:
        return None
    site = site_for(entity)
    current = site.current_build if site.current_build_id else None
    digest = config_digest(_limits())
    with tempfile.TemporaryDirectory(prefix="greenroom-docs-") as scratch:
        source_dir = Path(scratch) / "source"
        source_dir.mkdir()
        try:
            source = _source_for(entity)
            if current and source.pinned_commit and source.pinned_commit == current.source_commit:
                return None
            if repeated_failure(site, source.pinned_commit, digest):
                return None
            fetched = fetch_source(source, source_dir, source_policy())
        except SourceError as error:
            latest = site.latest_build
            if latest is not None and latest.status == DocBuild.Status.FAILED and latest.error == str(error):
                return None  # already reported; a refresh every few minutes should not pile up failures
            build = DocBuild.objects.create(site=site, reason="source check", status=DocBuild.Status.RUNNING)
            return _fail(site, build, str(error), "")
        if current and fetched.version and fetched.version == current.source_commit:
            return None
        if repeated_failure(site, fetched.version, digest):
            return None  # it failed at this version with this configuration; an owner may force a rebuild
        build = DocBuild.objects.create(site=site, reason="source changed", status=DocBuild.Status.QUEUED)
        return _build_from(entity, site, build, source_dir, fetched)


def run_build(build_id: int) -> DocBuild | None:
    """Run a queued (forced) build: fetch the source, build it, publish it."""
    if not claim_build(build_id):
        # Finished, or taken by another worker (a redelivered message): never built twice.
        return DocBuild.objects.filter(pk=build_id).first()
    build = DocBuild.objects.select_related("site").filter(pk=build_id).first()
    if build is None or build.is_finished:
        return build
    site = build.site
    entity = Entity.objects.filter(ref=site.entity_ref).select_related("location").first()
    if entity is None:
        return _fail(site, build, f"{site.entity_ref} is no longer in the catalog", "")
    with tempfile.TemporaryDirectory(prefix="greenroom-docs-") as scratch:
        source_dir = Path(scratch) / "source"
        source_dir.mkdir()
        try:
            fetched = fetch_source(_source_for(entity), source_dir, source_policy())
        except SourceError as error:
            return _fail(site, build, str(error), "")
        return _build_from(entity, site, build, source_dir, fetched)


def request_sync(entity: Entity) -> DocBuild:
    """A build that rebuilds only if the source changed (Backstage's sync), queued after the commit.

    A sync or rebuild already queued or running for the site (and younger than the build timeout)
    is answered instead, so readers opening the same page do not pile up builds.
    """
    site = site_for(entity)
    recent = timezone.now() - timedelta(seconds=techdocs_settings()["BUILD_TIMEOUT"] + 60)
    pending = (
        site.builds.filter(status__in=[DocBuild.Status.QUEUED, DocBuild.Status.RUNNING], created_at__gte=recent)
        .order_by("-id")
        .first()
    )
    if pending is not None:
        return pending
    build = DocBuild.objects.create(site=site, reason=SYNC_REASON, mode=DocBuild.Mode.LOCAL)
    send_job("techdocs.sync", build.pk)
    return build


def queued_builds_to_redispatch(cutoff: datetime, limit: int) -> list[tuple[int, bool]]:
    """``(build id, is a sync)`` of builds still queued (never claimed) that were created before ``cutoff``."""
    waiting = (
        DocBuild.objects.filter(status=DocBuild.Status.QUEUED, mode=DocBuild.Mode.LOCAL, created_at__lt=cutoff)
        .order_by("created_at")
        .values_list("pk", "reason")[:limit]
    )
    return [(pk, reason == SYNC_REASON) for pk, reason in waiting]


def run_sync(build_id: int) -> DocBuild | None:
    """Run a queued sync: unchanged sources finish ``unchanged`` without a build; others are built."""
    if not claim_build(build_id):
        return DocBuild.objects.filter(pk=build_id).first()
    build = DocBuild.objects.select_related("site__current_build").filter(pk=build_id).first()
    if build is None or build.is_finished:
        return build
    site = build.site
    entity = Entity.objects.filter(ref=site.entity_ref).select_related("location").first()
    if entity is None:
        return _fail(site, build, f"{site.entity_ref} is no longer in the catalog", "")
    current = site.current_build
    digest = config_digest(_limits())
    with tempfile.TemporaryDirectory(prefix="greenroom-docs-") as scratch:
        source_dir = Path(scratch) / "source"
        source_dir.mkdir()
        try:
            source = _source_for(entity)
            if current and source.pinned_commit and source.pinned_commit == current.source_commit:
                return _unchanged(build, current.source_commit)
            failed = repeated_failure(site, source.pinned_commit, digest)
            if failed is not None:
                return _not_repeated(site, build, failed)
            fetched = fetch_source(source, source_dir, source_policy())
        except SourceError as error:
            return _fail(site, build, str(error), "")
        if current and fetched.version and fetched.version == current.source_commit:
            return _unchanged(build, fetched.version)
        failed = repeated_failure(site, fetched.version, digest)
        if failed is not None:
            return _not_repeated(site, build, failed)
        return _build_from(entity, site, build, source_dir, fetched)


def _unchanged(build: DocBuild, commit: str) -> DocBuild:
    build.status = DocBuild.Status.UNCHANGED
    build.source_commit = commit
    build.log = f"greenroom: the source is unchanged at {commit or 'the same version'}; nothing to build\n"
    build.finished_at = timezone.now()
    build.save(update_fields=["status", "source_commit", "log", "finished_at"])
    return build


def _not_repeated(site: DocSite, build: DocBuild, failed: DocBuild) -> DocBuild:
    """Fail ``build`` with ``failed``'s error, without building: nothing that decides the outcome changed."""
    build.source_commit, build.config_digest = failed.source_commit, failed.config_digest
    note = (
        f"greenroom: not built again: build {failed.pk} of {failed.source_commit} failed with the same build "
        "configuration; change the source, or ask for a rebuild\n"
    )
    return _fail(site, build, failed.error, note)


def _build_from(entity: Entity, site: DocSite, build: DocBuild, source_dir: Path, fetched) -> DocBuild:
    now = timezone.now()
    limits = _limits()
    build.config_digest = config_digest(limits)
    DocBuild.objects.filter(pk=build.pk).update(
        status=DocBuild.Status.RUNNING, started_at=now, config_digest=build.config_digest
    )
    DocSite.objects.filter(pk=site.pk).update(latest_build=build)
    build.source_commit = fetched.version
    log = f"greenroom: read {fetched.files} files ({fetched.bytes} bytes), version {fetched.version or 'unknown'}\n"
    log += "".join(f"greenroom: skipped {warning}\n" for warning in fetched.warnings)
    site_dir = source_dir.parent / "site"
    DocBuild.objects.filter(pk=build.pk).update(log=log)

    def progress(text: str) -> None:  # readers of the build (the sync stream) follow the log as it grows
        DocBuild.objects.filter(pk=build.pk).update(log=log + text)

    try:
        output = run_mkdocs(source_dir, site_dir, limits, entity.title or entity.name, on_output=progress)
    except BuildFailed as error:
        return _fail(site, build, str(error), log + error.log)
    return publish(site, build, site_dir, log + output.log, output.nav)


def _fail(site: DocSite, build: DocBuild, error: str, log: str) -> DocBuild:
    build.status = DocBuild.Status.FAILED
    build.error = error
    build.log = log
    build.finished_at = timezone.now()
    build.save(update_fields=["status", "error", "log", "finished_at", "source_commit", "config_digest"])
    DocSite.objects.filter(pk=site.pk).update(latest_build=build)
    logger.warning("docs build %s for %s failed: %s", build.pk, site.entity_ref, error)
    return build


def publish(site: DocSite, build: DocBuild, site_dir: Path, log: str, nav: list[dict[str, Any]]) -> DocBuild:
    """Store a checked site, complete its metadata, put it online and announce it."""
    files, size = check_site(site_dir, techdocs_settings()["MAX_SITE_BYTES"])
    metadata_path = site_dir / "techdocs_metadata.json"
    try:
        metadata = json.loads(metadata_path.read_text(encoding="utf-8")) if metadata_path.is_file() else {}
        if not isinstance(metadata, dict):
            metadata = {}
    except ValueError:
        metadata = {}
    metadata.setdefault("site_name", site.name)
    metadata.setdefault("site_description", "None")
    metadata["build_timestamp"] = int(time.time() * 1000)
    if build.source_commit:
        metadata["etag"] = build.source_commit
    file_list = sorted(path.relative_to(site_dir).as_posix() for path in site_dir.rglob("*") if path.is_file())
    metadata["files"] = sorted({*file_list, "techdocs_metadata.json"})
    metadata_path.write_text(json.dumps(metadata), encoding="utf-8")
    prefix = storage.build_prefix(site.namespace, site.kind, site.name, build.pk)
    storage.publish_directory(site_dir, prefix)
    previous = DocSite.objects.filter(pk=site.pk).values_list("current_build__storage_prefix", flat=True).first()
    build.status = DocBuild.Status.SUCCEEDED
    build.log = log
    build.error = ""
    build.storage_prefix = prefix
    build.metadata = metadata
    build.nav = nav
    build.file_count = files + (0 if "techdocs_metadata.json" in file_list else 1)
    build.size_bytes = size
    build.finished_at = timezone.now()
    build.save()
    DocSite.objects.filter(pk=site.pk).update(current_build=build, latest_build=build)
    if previous and previous != prefix:
        storage.delete_prefix(previous)
    index = storage.read_file(prefix, "search/search_index.json")
    documents = search_documents(index, site.namespace, site.kind, site.name)
    site_built.send(sender=DocSite, entity_ref=site.entity_ref, documents=documents)
    return build


def publish_upload(entity: Entity, archive: BinaryIO, *, user: Any) -> DocBuild:
    """Publish a site built by CI (external build mode); raise ``ArchiveRefused`` for a bad archive."""
    config = techdocs_settings()
    site = site_for(entity)
    build = DocBuild.objects.create(
        site=site,
        mode=DocBuild.Mode.EXTERNAL,
        status=DocBuild.Status.RUNNING,
        reason="uploaded",
        requested_by=getattr(user, "username", "") or "",
        started_at=timezone.now(),
    )
    with tempfile.TemporaryDirectory(prefix="greenroom-upload-") as scratch:
        site_dir = Path(scratch) / "site"
        site_dir.mkdir()
        try:
            count = extract_archive(archive, site_dir, config["MAX_SITE_BYTES"], config["MAX_SOURCE_FILES"])
            check_site(site_dir, config["MAX_SITE_BYTES"])
        except (ArchiveRefused, BuildFailed) as error:
            _fail(site, build, f"Upload refused: {error}", "")
            raise ArchiveRefused(str(error)) from None
        record_write("techdocs.publish", entity.ref, build=build.pk, files=count)
        return publish(site, build, site_dir, f"greenroom: published an uploaded site of {count} files\n", [])
