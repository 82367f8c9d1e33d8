"""The run pages: progress fragment while running, output at the end, cancel/retry rights, history."""

from __future__ import annotations

import pytest
from django.urls import reverse

from scaffolder.models import Task, TaskEvent
from scaffolder.services import create_task
from scaffolder.tasks import run_task
from tests.scaffolder.conftest import VALUES

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(make_template, alice):
    return create_task(make_template(), VALUES, alice)


def test_running_task_page_polls_its_progress_fragment(client, alice, task):
    client.force_login(alice)
    response = client.get(task.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert f'hx-get="{task.get_absolute_url()}" hx-trigger="every 1s"' in html
    assert "Fetch skeleton" in html and "Waiting" in html
    fragment = client.get(task.get_absolute_url(), HTTP_HX_REQUEST="true")
    assert fragment.content.decode().lstrip().startswith('<div id="task-progress"')
    assert "HX-Request" in fragment["Vary"]


def test_finished_task_stops_polling_and_shows_its_links(
    alice_registers_local_remotes, client, alice, task, bare_remote
):
    bare_remote()
    run_task(str(task.pk))
    client.force_login(alice)
    html = client.get(task.get_absolute_url()).content.decode()
    assert "every 1s" not in html
    assert 'href="/catalog/component/default/billing/"' in html
    assert "<p>Run <code>make</code> in <strong>billing</strong>.</p>" in html


def test_output_links_other_than_http_are_not_links(client, alice, task):
    Task.objects.filter(pk=task.pk).update(
        status=Task.Status.COMPLETED, output={"links": [{"title": "Evil", "url": "javascript:alert(1)"}]}
    )
    client.force_login(alice)
    html = client.get(task.get_absolute_url()).content.decode()
    assert 'href="javascript:' not in html and "<span><bdi>Evil</bdi></span>" in html


def test_output_text_markdown_is_sanitised(client, alice, task):
    content = "[click](javascript:alert(1)) <script>alert(2)</script> **ok**"
    Task.objects.filter(pk=task.pk).update(
        status=Task.Status.COMPLETED, output={"text": [{"title": "T", "content": content}]}
    )
    client.force_login(alice)
    html = client.get(task.get_absolute_url()).content.decode()
    assert "<strong>ok</strong>" in html
    assert "javascript:" not in html and "<script>alert" not in html


def test_other_users_cannot_see_or_cancel_a_task(client, bob, task):
    client.force_login(bob)
    assert client.get(task.get_absolute_url()).status_code == 404
    assert client.post(reverse("scaffolder:task_cancel", args=[task.pk])).status_code == 404
    task.refresh_from_db()
    assert task.status == Task.Status.OPEN and not task.cancel_requested


def test_platform_admin_can_cancel_anyones_task(client, platform_admin, task):
    client.force_login(platform_admin)
    response = client.post(reverse("scaffolder:task_cancel", args=[task.pk]))
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == Task.Status.CANCELLED
    assert task.events.filter(type=TaskEvent.Type.CANCELLED).count() == 1


def test_retry_creates_a_new_task_with_the_same_values(client, alice, task, django_capture_on_commit_callbacks):
    Task.objects.filter(pk=task.pk).update(status=Task.Status.FAILED)
    client.force_login(alice)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("scaffolder:task_retry", args=[task.pk]))
    retry = Task.objects.exclude(pk=task.pk).get()
    assert response["Location"] == retry.get_absolute_url()
    assert retry.values == task.values and retry.retry_of_id == task.pk and len(callbacks) == 1


def test_cancel_needs_post(client, alice, task):
    client.force_login(alice)
    assert client.get(reverse("scaffolder:task_cancel", args=[task.pk])).status_code == 405


def test_task_list_shows_only_my_runs_filtered_by_template(
    client, alice, bob, make_template, django_assert_num_queries
):
    template = make_template()
    for _ in range(3):
        create_task(template, VALUES, alice)
    create_task(template, VALUES, bob)
    client.force_login(alice)
    url = reverse("scaffolder:task_list")
    response = client.get(url, {"template": template.ref})
    assert len(response.context["tasks"]) == 3
    assert client.get(url, {"template": "template:default/other"}).context["tasks"].count() == 0
    with django_assert_num_queries(6):
        client.get(url)
    for _ in range(3):
        create_task(template, VALUES, alice)
    with django_assert_num_queries(6):
        client.get(url)


def test_pages_need_sign_in(client, task):
    response = client.get(task.get_absolute_url())
    assert response.status_code == 302 and "login" in response["Location"]


def test_task_page_query_count_does_not_grow_with_the_log(client, alice, task, django_assert_num_queries):
    from scaffolder.models import TaskEvent

    client.force_login(alice)
    TaskEvent.objects.create(task=task, body={"message": "one"})
    with django_assert_num_queries(5):
        client.get(task.get_absolute_url(), HTTP_HX_REQUEST="true")
    TaskEvent.objects.bulk_create([TaskEvent(task=task, body={"message": f"line {n}"}) for n in range(20)])
    with django_assert_num_queries(5):
        client.get(task.get_absolute_url(), HTTP_HX_REQUEST="true")
