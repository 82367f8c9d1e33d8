"""The /api/scaffolder/v2 endpoints: Backstage's shapes, bearer tokens, refusals in Backstage's error shape."""

from __future__ import annotations

import base64
import json

import pytest
from rest_framework.test import APIClient

from portal.models import AuditEvent
from portal.services.tokens import issue_token
from scaffolder.models import Task, TaskEvent
from scaffolder.services import create_task
from scaffolder.tasks import run_task
from tests.scaffolder.conftest import VALUES
from tests.workers import broker_unreachable

pytestmark = pytest.mark.django_db
BASE = "/api/scaffolder/v2"


@pytest.fixture
def token_client(alice) -> APIClient:
    _, raw = issue_token(alice, "ci")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


@pytest.fixture
def template(make_template):
    return make_template()


def test_create_task_with_a_bearer_token(token_client, template, alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        response = token_client.post(f"{BASE}/tasks", {"templateRef": template.ref, "values": VALUES}, format="json")
    assert response.status_code == 201
    task = Task.objects.get()
    assert response.json() == {"id": str(task.pk)}
    assert task.created_by == alice and len(callbacks) == 1
    event = AuditEvent.objects.get(action="scaffolder.run")
    assert event.target == template.ref and event.user == alice


def test_create_task_while_the_broker_is_down_is_accepted_and_left_open(
    token_client, template, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(run_task, "delay", broker_unreachable)

    with django_capture_on_commit_callbacks(execute=True):
        response = token_client.post(f"{BASE}/tasks", {"templateRef": template.ref, "values": VALUES}, format="json")

    assert response.status_code == 201
    task = Task.objects.get()
    assert response.json() == {"id": str(task.pk)}
    assert task.status == Task.Status.OPEN


def test_create_task_refuses_bad_values_with_validation_errors(token_client, template):
    response = token_client.post(
        f"{BASE}/tasks", {"templateRef": template.ref, "values": {**VALUES, "name": "Not Valid!"}}, format="json"
    )
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["property"] == "instance.name" and error["name"] == "ValidationError"
    assert Task.objects.count() == 0


def test_create_task_refuses_huge_values(token_client, template, settings):
    settings.SCAFFOLDER = {**settings.SCAFFOLDER, "MAX_VALUES_BYTES": 1000}
    response = token_client.post(
        f"{BASE}/tasks", {"templateRef": template.ref, "values": {**VALUES, "owner": "x" * 5000}}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"].endswith("over the limit of 1000")
    assert Task.objects.count() == 0


def test_unknown_template_is_a_backstage_not_found(token_client):
    response = token_client.post(f"{BASE}/tasks", {"templateRef": "template:default/nope", "values": {}}, format="json")
    assert response.status_code == 404
    assert response.json()["error"] == {"name": "NotFoundError", "message": "Template template:default/nope not found"}


def test_anonymous_calls_are_refused(template):
    response = APIClient().post(f"{BASE}/tasks", {"templateRef": template.ref, "values": VALUES}, format="json")
    assert response.status_code == 401 and response.json()["error"]["name"] == "AuthenticationError"


def test_get_task_in_backstage_shape_without_secrets(token_client, template, alice):
    task = create_task(template, {**VALUES, "apiKey": "hunter2-secret"}, alice, secrets={"TOKEN": "abc-secret"})
    body = token_client.get(f"{BASE}/tasks/{task.pk}").json()
    assert set(body) == {"id", "spec", "status", "createdAt", "lastHeartbeatAt", "createdBy"}
    assert body["status"] == "open" and body["createdBy"] == "user:default/alice"
    assert body["spec"]["parameters"]["apiKey"] == "***"
    assert body["spec"]["templateInfo"]["entityRef"] == template.ref
    assert "hunter2-secret" not in json.dumps(body) and "abc-secret" not in json.dumps(body)


def test_other_users_tasks_are_not_found(template, bob, alice):
    task = create_task(template, VALUES, alice)
    client = APIClient()
    client.force_authenticate(bob)
    assert client.get(f"{BASE}/tasks/{task.pk}").status_code == 404
    assert client.post(f"{BASE}/tasks/{task.pk}/cancel").status_code == 404
    assert client.get(f"{BASE}/tasks/not-a-uuid").status_code == 404


def test_list_tasks_filters_by_created_by(token_client, template, alice, bob, platform_admin):
    create_task(template, VALUES, alice)
    create_task(template, VALUES, bob)
    mine = token_client.get(f"{BASE}/tasks", {"createdBy": "user:default/alice"}).json()
    assert mine["totalTasks"] == 1 and mine["tasks"][0]["createdBy"] == "user:default/alice"
    admin = APIClient()
    admin.force_authenticate(platform_admin)
    assert admin.get(f"{BASE}/tasks").json()["totalTasks"] == 2
    assert admin.get(f"{BASE}/tasks", {"createdBy": "user:default/bob"}).json()["totalTasks"] == 1
    assert admin.get(f"{BASE}/tasks", {"order": "sideways"}).status_code == 400


def test_events_after_an_id_always_include_completion(
    alice_registers_local_remotes, token_client, template, alice, bare_remote
):
    bare_remote()
    task = create_task(template, VALUES, alice)
    run_task(str(task.pk))
    events = token_client.get(f"{BASE}/tasks/{task.pk}/events").json()
    assert events[0]["body"]["message"] == "Starting up task with 3 steps"
    assert set(events[0]) == {"id", "taskId", "type", "body", "createdAt"}
    last = events[-1]
    assert last["type"] == "completion" and last["body"]["message"] == "Run completed with status: completed"
    after = token_client.get(f"{BASE}/tasks/{task.pk}/events", {"after": last["id"]}).json()
    assert [event["type"] for event in after] == ["completion"]
    middle = token_client.get(f"{BASE}/tasks/{task.pk}/events", {"after": events[-3]["id"]}).json()
    assert [event["id"] for event in middle] == [event["id"] for event in events[-2:]]


def test_event_stream_sends_server_sent_events_until_completion(token_client, template, alice, bare_remote):
    bare_remote()
    task = create_task(template, VALUES, alice)
    run_task(str(task.pk))
    response = token_client.get(f"{BASE}/tasks/{task.pk}/eventstream", HTTP_ACCEPT="text/event-stream")
    assert response["Content-Type"] == "text/event-stream"
    frames = b"".join(response.streaming_content).decode().strip().split("\n\n")
    assert frames[0].startswith("id: ") and "\nevent: log\ndata: {" in frames[0]
    assert frames[-1].split("\n")[1] == "event: completion"
    assert len(frames) == TaskEvent.objects.filter(task=task).count()


def test_cancel_an_open_task(token_client, template, alice):
    task = create_task(template, VALUES, alice)
    response = token_client.post(f"{BASE}/tasks/{task.pk}/cancel")
    assert response.status_code == 200 and response.json() == {"status": "cancelled"}
    task.refresh_from_db()
    assert task.status == "cancelled"
    again = token_client.post(f"{BASE}/tasks/{task.pk}/cancel")
    assert again.status_code == 409 and again.json()["error"]["name"] == "ConflictError"


def test_retry_a_failed_task(token_client, template, alice):
    task = create_task(template, VALUES, alice)
    assert token_client.post(f"{BASE}/tasks/{task.pk}/retry").status_code == 409
    Task.objects.filter(pk=task.pk).update(status=Task.Status.FAILED)
    response = token_client.post(f"{BASE}/tasks/{task.pk}/retry")
    assert response.status_code == 201
    assert Task.objects.get(pk=response.json()["id"]).retry_of_id == task.pk


def test_actions_list_in_backstage_shape(token_client):
    actions = token_client.get(f"{BASE}/actions").json()
    assert [action["id"] for action in actions] == sorted(action["id"] for action in actions)
    fetch = next(action for action in actions if action["id"] == "fetch:template")
    assert set(fetch) == {"id", "description", "examples", "schema"}
    assert fetch["schema"]["input"]["required"] == ["url"]


def test_parameter_schema(token_client, template):
    body = token_client.get(f"{BASE}/templates/default/template/python-service/parameter-schema").json()
    assert body["title"] == "Python service"
    assert [step["title"] for step in body["steps"]] == ["Service", "Repository"]
    assert token_client.get(f"{BASE}/templates/default/component/x/parameter-schema").status_code == 400
    assert token_client.get(f"{BASE}/templates/default/template/nope/parameter-schema").status_code == 404


def dry_run_body(**overrides):
    template = {
        "apiVersion": "scaffolder.backstage.io/v1beta3",
        "kind": "Template",
        "metadata": {"name": "inline"},
        "spec": {
            "parameters": {"properties": {"name": {"type": "string"}}},
            "steps": [
                {
                    "id": "fetch",
                    "action": "fetch:template",
                    "input": {"url": "./skeleton", "values": {"n": "${{ parameters.name }}"}},
                },
                {"id": "publish", "action": "publish:github", "input": {"repoUrl": "github.com?owner=a&repo=b"}},
            ],
            "output": {"links": [{"title": "Repo", "url": "${{ steps.publish.output.remoteUrl }}"}]},
        },
    }
    contents = [
        {"path": "skeleton/${{ values.n }}.txt", "base64Content": base64.b64encode(b"hi ${{ values.n }}").decode()}
    ]
    return {"template": template, "values": {"name": "svc"}, "directoryContents": contents, **overrides}


def test_dry_run_returns_files_and_skips_side_effects(token_client):
    response = token_client.post(f"{BASE}/dry-run", dry_run_body(), format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["directoryContents"] == [
        {"path": "svc.txt", "executable": False, "base64Content": base64.b64encode(b"hi svc").decode()}
    ]
    assert body["output"] == {"links": [{"title": "Repo", "url": "<example>"}]}
    assert any("Skipping action publish:github" in entry["body"]["message"] for entry in body["log"])
    assert Task.objects.count() == 0


@pytest.mark.parametrize("path", ["../escape.txt", "/etc/passwd", "a/../../b", "skeleton/.git/config"])
def test_dry_run_refuses_directory_contents_outside_its_folder(token_client, path):
    body = dry_run_body(directoryContents=[{"path": path, "base64Content": ""}])
    response = token_client.post(f"{BASE}/dry-run", body, format="json")
    assert response.status_code == 400 and response.json()["error"]["name"] == "InputError"
