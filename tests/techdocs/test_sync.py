"""Backstage's GET /api/techdocs/sync: server-sent build logs and the outcome, or the older JSON answers."""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from techdocs.models import DocBuild, DocSite
from techdocs.services import request_sync, site_for
from techdocs.sync_stream import MAX_WAIT_SECONDS, follow_build, sync_wait_seconds
from tests.workers import broker_unreachable

pytestmark = pytest.mark.django_db
SYNC = "/api/techdocs/sync/default/component/documented-component"


@pytest.fixture
def api(alice_user) -> APIClient:
    client = APIClient()
    client.force_authenticate(alice_user)
    return client


def events(response) -> list[tuple[str, object]]:
    text = b"".join(response.streaming_content).decode()
    frames = []
    for frame in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in frame.splitlines())
        frames.append((lines["event"], json.loads(lines["data"])))
    return frames


@pytest.fixture
def immediate(monkeypatch):
    """From its first call, queued work runs when queued, as under autocommit in a web request (the test
    holds a transaction). Registration happens before, so its own docs check is not run."""

    def enable() -> None:
        monkeypatch.setattr("django.db.transaction.on_commit", lambda func, using=None, robust=False: func())

    return enable


def sync(api, immediate, **headers):
    immediate()
    return api.get(SYNC, **headers)


def test_first_sync_builds_and_streams_the_log_then_finish(api, docs_source, register, immediate):
    register(docs_source())
    response = sync(api, immediate, HTTP_ACCEPT="text/event-stream")
    assert response.status_code == 200 and response["Content-Type"] == "text/event-stream"
    frames = events(response)
    assert frames[-1] == ("finish", {"updated": True})
    logs = [data for event, data in frames if event == "log"]
    assert logs[0].startswith("greenroom: read ") and any("mkdocs exited with status 0" in line for line in logs)
    assert DocSite.objects.get().current_build.status == DocBuild.Status.SUCCEEDED


def test_sync_of_an_unchanged_source_finishes_without_an_update(api, docs_source, register, immediate):
    register(docs_source())
    sync(api, immediate)
    online = DocSite.objects.get().current_build_id
    response = sync(api, immediate, HTTP_ACCEPT="text/event-stream")
    frames = events(response)
    assert frames[-1] == ("finish", {"updated": False})
    assert frames[0][1].startswith("greenroom: the source is unchanged at ")
    assert DocSite.objects.get().current_build_id == online
    assert DocBuild.objects.filter(status=DocBuild.Status.UNCHANGED).count() == 1


def test_json_answers_201_when_built_and_304_when_unchanged(api, docs_source, register, immediate):
    register(docs_source())
    first = sync(api, immediate)
    assert first.status_code == 201
    assert first.json() == {"message": "Docs updated or did not need updating"}
    second = sync(api, immediate)
    assert second.status_code == 304 and second.content == b""


def test_a_failed_build_streams_an_error_and_keeps_the_last_site(api, docs_source, register, immediate):
    root = docs_source()
    register(root)
    sync(api, immediate)
    online = DocSite.objects.get().current_build_id
    (root / "mkdocs.yml").write_text("site_name: Broken\ndocs_dir: missing\n")
    response = sync(api, immediate, HTTP_ACCEPT="text/event-stream")
    frames = events(response)
    assert frames[-1] == ("error", "Refused: docs_dir 'missing' does not exist in the source")
    assert DocSite.objects.get().current_build_id == online
    again = DocBuild.objects.filter(status=DocBuild.Status.FAILED).count()
    legacy = sync(api, immediate)  # a new sync builds again and fails again
    assert legacy.status_code == 422
    assert legacy.json()["error"]["message"].startswith("the docs build failed: Refused: docs_dir 'missing'")
    assert DocBuild.objects.filter(status=DocBuild.Status.FAILED).count() == again + 1


def test_unknown_entity_is_404_in_both_shapes(api):
    assert api.get(SYNC).status_code == 404
    streamed = api.get(SYNC, HTTP_ACCEPT="text/event-stream")
    assert streamed.status_code == 404 and streamed.json()["error"]["name"] == "NotFoundError"


def test_entity_without_techdocs_is_refused(api, docs_source, register):
    register(docs_source(ref=""))
    response = api.get(SYNC)
    assert response.status_code == 400
    assert DocBuild.objects.count() == 0


def test_external_builder_never_builds(api, docs_source, register, settings, immediate):
    register(docs_source())
    settings.TECHDOCS = {**settings.TECHDOCS, "BUILDER": "external"}
    response = sync(api, immediate, HTTP_ACCEPT="text/event-stream")
    assert events(response) == [("finish", {"updated": False})]
    assert sync(api, immediate).status_code == 304
    assert DocBuild.objects.count() == 0


def test_follow_build_sends_lines_as_they_are_written(docs_source, register):
    site = site_for(register(docs_source()))
    build = DocBuild.objects.create(site=site, status=DocBuild.Status.RUNNING, log="first\nhalf a li")
    writes = iter(
        [
            {"log": "first\nhalf a line\nsecond\n"},
            {"log": "first\nhalf a line\nsecond\nthird", "status": DocBuild.Status.SUCCEEDED},
        ]
    )

    def sleep(seconds: float) -> None:  # the worker writes more of the log while the request waits
        DocBuild.objects.filter(pk=build.pk).update(**next(writes))

    assert list(follow_build(build.pk, seconds=10, sleep=sleep)) == [
        ("log", "first"),
        ("log", "half a line"),
        ("log", "second"),
        ("log", "third"),
        ("finish", {"updated": True}),
    ]


def test_following_stops_at_the_cap_and_the_build_goes_on(api, docs_source, register, settings):
    site = site_for(register(docs_source()))
    DocBuild.objects.create(site=site, status=DocBuild.Status.RUNNING, reason="sync", log="working\n")
    settings.TECHDOCS = {**settings.TECHDOCS, "SYNC_WAIT_SECONDS": 0}
    streamed = events(api.get(SYNC, HTTP_ACCEPT="text/event-stream"))
    assert streamed[0] == ("log", "working")
    assert streamed[-1] == ("finish", {"updated": False}) and "still running" in streamed[-2][1]
    legacy = api.get(SYNC)
    assert legacy.status_code == 202 and "still running" in legacy.json()["message"]
    assert DocBuild.objects.count() == 1  # readers follow the running build rather than queueing more


def test_a_sync_while_the_broker_is_down_is_queued_and_answered_202(
    api, docs_source, register, immediate, settings, monkeypatch
):
    from techdocs.tasks import sync_docs_task

    register(docs_source())
    settings.TECHDOCS = {**settings.TECHDOCS, "SYNC_WAIT_SECONDS": 0}
    monkeypatch.setattr(sync_docs_task, "delay", broker_unreachable)

    response = sync(api, immediate)

    assert response.status_code == 202 and "still running" in response.json()["message"]
    assert list(DocBuild.objects.values_list("status", "reason")) == [(DocBuild.Status.QUEUED, "sync")]


def test_the_wait_is_capped_whatever_the_setting(settings):
    settings.TECHDOCS = {**settings.TECHDOCS, "SYNC_WAIT_SECONDS": 3600}
    assert sync_wait_seconds() == MAX_WAIT_SECONDS == 25


def test_a_stale_running_build_does_not_block_new_syncs(docs_source, register, settings):
    from datetime import timedelta

    from django.utils import timezone

    site = site_for(register(docs_source()))
    stale = DocBuild.objects.create(site=site, status=DocBuild.Status.RUNNING)
    DocBuild.objects.filter(pk=stale.pk).update(created_at=timezone.now() - timedelta(hours=2))
    assert request_sync(site_entity(site)).pk != stale.pk


def site_entity(site):
    from catalog.models import Entity

    return Entity.objects.select_related("location").get(ref=site.entity_ref)
