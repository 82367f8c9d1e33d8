"""GET /v2/tasks/{id}/events long-polls: it waits for the next event, returns at once when done, and is capped."""

from __future__ import annotations

import time

import pytest
from rest_framework.test import APIClient

from scaffolder.api.long_poll import MAX_WAIT_SECONDS, long_poll_seconds, wait_for_events
from scaffolder.api.views import events_after
from scaffolder.models import Task, TaskEvent
from scaffolder.services import create_task
from tests.scaffolder.conftest import VALUES

pytestmark = pytest.mark.django_db
BASE = "/api/scaffolder/v2"


@pytest.fixture
def open_task(make_template, alice) -> Task:
    task = create_task(make_template(), VALUES, alice)
    assert task.status == Task.Status.OPEN
    return task


@pytest.fixture
def client(alice) -> APIClient:
    client = APIClient()
    client.force_authenticate(alice)
    return client


def test_returns_as_soon_as_an_event_arrives(open_task):
    newest = TaskEvent.objects.filter(task=open_task).order_by("-id").values_list("id", flat=True).first() or 0
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:  # the event arrives while the request waits
        sleeps.append(seconds)
        TaskEvent.objects.create(task=open_task, body={"message": "Beginning step fetch"})

    events = wait_for_events(open_task, lambda: events_after(open_task, newest), seconds=10, sleep=sleep)
    assert sleeps == [0.5]
    assert [event["body"]["message"] for event in events] == ["Beginning step fetch"]


def test_an_open_task_without_events_answers_an_empty_list_after_the_wait(client, open_task, settings):
    settings.SCAFFOLDER = {**settings.SCAFFOLDER, "EVENTS_LONG_POLL_SECONDS": 0.6}
    newest = TaskEvent.objects.filter(task=open_task).order_by("-id").values_list("id", flat=True).first() or 0
    started = time.monotonic()
    response = client.get(f"{BASE}/tasks/{open_task.pk}/events", {"after": newest})
    elapsed = time.monotonic() - started
    assert response.status_code == 200 and response.json() == []
    assert 0.6 <= elapsed < 3


def test_a_finished_task_answers_at_once_without_waiting(open_task):
    open_task.status = Task.Status.FAILED
    open_task.save(update_fields=["status"])

    def sleep(seconds: float) -> None:
        raise AssertionError("a finished task must not wait")

    assert wait_for_events(open_task, lambda: [], seconds=10, sleep=sleep) == []


def test_the_wait_is_capped_whatever_the_setting(settings):
    settings.SCAFFOLDER = {**settings.SCAFFOLDER, "EVENTS_LONG_POLL_SECONDS": 3600}
    assert long_poll_seconds() == MAX_WAIT_SECONDS == 25
    settings.SCAFFOLDER = {**settings.SCAFFOLDER, "EVENTS_LONG_POLL_SECONDS": -5}
    assert long_poll_seconds() == 0


def test_a_bad_after_is_refused_at_once(client, open_task):
    started = time.monotonic()
    response = client.get(f"{BASE}/tasks/{open_task.pk}/events", {"after": "soon"})
    assert response.status_code == 400 and time.monotonic() - started < 2
    assert "after must be an event id" in response.json()["error"]["message"]


def test_another_users_task_is_not_found(open_task, bob):
    client = APIClient()
    client.force_authenticate(bob)
    assert client.get(f"{BASE}/tasks/{open_task.pk}/events").status_code == 404
