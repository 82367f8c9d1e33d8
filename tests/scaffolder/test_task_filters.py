"""One FilterSet for runs: the runs page and ``GET /v2/tasks`` select the same tasks for the same query."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from scaffolder.services import cancel_task, create_task
from tests.scaffolder.conftest import SERVICE_TEMPLATE, VALUES

pytestmark = pytest.mark.django_db

QUERIES = [
    {},
    {"template": "TEMPLATE:default/python-service"},
    {"template": "template:default/other-service"},
    {"template": "template:default/missing"},
    {"createdBy": "user:default/alice"},
    {"createdBy": ["user:default/alice", "User:Default/Bob"]},
    {"createdBy": "user:default/nobody"},
    {"status": "cancelled"},
    {"status": ["open", "cancelled"]},
    {"status": "no-such-status"},
    {"template": "template:default/python-service", "createdBy": "user:default/bob", "status": "open"},
]


@pytest.fixture
def runs(make_template, alice, bob):
    other = {**SERVICE_TEMPLATE, "metadata": {"name": "other-service", "title": "Other service"}}
    first, second = make_template(), make_template(other, name="other")
    tasks = [create_task(first, VALUES, alice), create_task(first, VALUES, bob), create_task(second, VALUES, alice)]
    cancel_task(tasks[0])
    return {task.pk for task in tasks}


def expected(runs_by_pk, query) -> set:
    def values(key):
        raw = query.get(key)
        return [raw] if isinstance(raw, str) else raw

    selected = set()
    for task in runs_by_pk:
        if query.get("template") and task.template_ref != query["template"].lower():
            continue
        if query.get("createdBy") and task.created_by_ref not in [ref.lower() for ref in values("createdBy")]:
            continue
        if query.get("status") and task.status not in values("status"):
            continue
        selected.add(task.pk)
    return selected


@pytest.mark.parametrize("query", QUERIES, ids=[str(query) for query in QUERIES])
def test_the_page_and_the_api_select_the_same_runs(client, platform_admin, runs, query):
    from scaffolder.models import Task

    client.force_login(platform_admin)
    page = client.get(reverse("scaffolder:task_list"), query)
    assert page.status_code == 200
    on_page = {task.pk for task in page.context["tasks"]}
    api = APIClient()
    api.force_authenticate(platform_admin)
    body = api.get("/api/scaffolder/v2/tasks", query).json()
    in_api = {Task.objects.get(pk=item["id"]).pk for item in body["tasks"]}
    assert on_page == in_api == expected(Task.objects.filter(pk__in=runs), query)
    assert body["totalTasks"] == len(in_api)


def test_both_lists_use_the_filterset():
    import inspect

    from scaffolder.api import views as api_views
    from scaffolder.views import tasks as page_views

    assert "TaskFilterSet(" in inspect.getsource(api_views.TaskListView.get)
    assert "TaskFilterSet(" in inspect.getsource(page_views.TaskListView.get_queryset)
