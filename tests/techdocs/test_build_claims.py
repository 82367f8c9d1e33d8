"""A queued build is run by one worker only, and a build whose worker died does not stay running."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from techdocs.models import DocBuild, DocSite
from techdocs.services import run_build
from techdocs.services.build_claims import ABANDONED_ERROR, claim_build, fail_stale_builds
from techdocs.tasks import build_docs_task, redispatch_queued_builds_task, sync_docs_task

pytestmark = pytest.mark.django_db


def make_build(status: str = DocBuild.Status.QUEUED, started_ago: int | None = None) -> DocBuild:
    site, _ = DocSite.objects.get_or_create(entity_ref="component:default/shop")
    started = timezone.now() - timedelta(seconds=started_ago) if started_ago is not None else None
    return DocBuild.objects.create(site=site, status=status, started_at=started)


def test_claims_a_queued_build_once():
    build = make_build()

    assert claim_build(build.pk) is True
    assert claim_build(build.pk) is False
    build.refresh_from_db()
    assert build.status == DocBuild.Status.RUNNING
    assert build.started_at is not None


def test_a_redelivered_build_already_running_is_not_built_again():
    build = make_build(DocBuild.Status.RUNNING, started_ago=5)

    returned = run_build(build.pk)

    assert returned.pk == build.pk
    build.refresh_from_db()
    assert build.status == DocBuild.Status.RUNNING
    assert build.log == ""


def test_fails_running_builds_older_than_the_timeout(settings):
    settings.TECHDOCS = {**settings.TECHDOCS, "BUILD_TIMEOUT": 60}
    stale = make_build(DocBuild.Status.RUNNING, started_ago=60 + 121)

    assert fail_stale_builds() == [stale.pk]
    stale.refresh_from_db()
    assert stale.status == DocBuild.Status.FAILED
    assert stale.error == ABANDONED_ERROR
    assert stale.finished_at is not None


def test_leaves_young_running_builds_and_finished_ones_alone(settings):
    settings.TECHDOCS = {**settings.TECHDOCS, "BUILD_TIMEOUT": 60}
    young = make_build(DocBuild.Status.RUNNING, started_ago=60)
    done = make_build(DocBuild.Status.SUCCEEDED, started_ago=10_000)

    assert fail_stale_builds() == []
    young.refresh_from_db()
    done.refresh_from_db()
    assert young.status == DocBuild.Status.RUNNING
    assert done.status == DocBuild.Status.SUCCEEDED


def test_builds_queued_past_the_redispatch_delay_are_sent_again_to_their_task(settings, monkeypatch):
    settings.JOB_REDISPATCH_AFTER = 300
    site, _ = DocSite.objects.get_or_create(entity_ref="component:default/shop")
    sync = DocBuild.objects.create(site=site, reason="sync")
    forced = DocBuild.objects.create(site=site, reason="requested")
    young = DocBuild.objects.create(site=site, reason="sync")
    running = make_build(DocBuild.Status.RUNNING, started_ago=1)
    external = DocBuild.objects.create(site=site, mode=DocBuild.Mode.EXTERNAL)
    long_ago = timezone.now() - timedelta(seconds=301)
    DocBuild.objects.exclude(pk=young.pk).update(created_at=long_ago)
    sent = []
    monkeypatch.setattr(sync_docs_task, "delay", lambda build_id: sent.append(("sync", build_id)))
    monkeypatch.setattr(build_docs_task, "delay", lambda build_id: sent.append(("build", build_id)))

    assert redispatch_queued_builds_task() == 2
    assert sent == [("sync", sync.pk), ("build", forced.pk)]
    assert {running.pk, external.pk}.isdisjoint(build_id for _, build_id in sent)
