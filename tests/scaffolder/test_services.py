"""create_task and friends: validation, secrets never stored or logged in clear, audit, the stale-task reaper."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from portal.models import AuditEvent
from scaffolder.models import Task, TaskEvent
from scaffolder.services import (
    STALE_MESSAGE,
    TaskStateError,
    TaskValidationError,
    cancel_task,
    create_task,
    delete_tasks,
    fail_stale_tasks,
    retry_task,
)
from scaffolder.tasks import fail_stale_tasks_task, redispatch_open_tasks_task, run_task
from tests.scaffolder.conftest import SERVICE_TEMPLATE, VALUES

pytestmark = pytest.mark.django_db

SECRET = "hunter2-very-secret"
ECHO_TEMPLATE = {
    **SERVICE_TEMPLATE,
    "spec": {
        **SERVICE_TEMPLATE["spec"],
        "steps": [
            {"id": "echo", "action": "debug:log", "input": {"message": "key=${{ parameters.apiKey }}"}},
            {"id": "fail", "action": "fetch:template", "input": {"url": "./missing-${{ parameters.apiKey }}"}},
        ],
        "output": {},
    },
}


def stored_text(task: Task) -> str:
    task.refresh_from_db()
    events = [event.body for event in task.events.all()]
    return json.dumps([task.values, task.output, task.error, task.encrypted_secrets, events])


def test_secret_fields_are_masked_and_never_logged(make_template, alice):
    task = create_task(make_template(ECHO_TEMPLATE, skeleton={}), {**VALUES, "apiKey": SECRET}, alice)
    assert task.values["apiKey"] == "***"
    assert SECRET not in task.encrypted_secrets and task.encrypted_secrets
    run_task(str(task.pk))
    task.refresh_from_db()
    assert task.status == Task.Status.FAILED
    assert "key=***" in [event.body.get("message", "").split(": ", 1)[-1] for event in task.events.all()]
    assert SECRET not in stored_text(task)
    assert task.encrypted_secrets == ""  # erased when the run ends


def test_invalid_values_are_refused_with_field_errors(make_template, alice):
    with pytest.raises(TaskValidationError) as refused:
        create_task(make_template(), {"name": "Bad Name"}, alice)
    fields = {error.field for error in refused.value.errors}
    assert {"name", "owner", "repoUrl"} <= fields
    assert Task.objects.count() == 0 and not AuditEvent.objects.filter(action="scaffolder.run").exists()


def test_values_must_be_an_object(make_template, alice):
    with pytest.raises(TaskValidationError, match="values: must be an object"):
        create_task(make_template(), ["not", "an", "object"], alice)


def test_non_templates_are_refused(make_template, alice, write_file):
    from tests.scaffolder.conftest import load_entity

    (component,) = load_entity(
        write_file(
            "c.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: Component\n"
            "metadata: {name: c}\nspec: {type: service, owner: a, lifecycle: x}\n",
        )
    )
    with pytest.raises(TaskValidationError, match="is not a Template"):
        create_task(component, {}, alice)


def test_create_task_records_the_run_in_the_audit_log(make_template, alice):
    template = make_template()
    task = create_task(template, VALUES, alice)
    event = AuditEvent.objects.get(action="scaffolder.run")
    assert event.target == template.ref and event.details == {"task": str(task.pk), "dry_run": False}


def test_stale_processing_tasks_are_failed_by_the_reaper(make_template, alice):
    template = make_template()
    task = create_task(template, VALUES, alice)
    Task.objects.filter(pk=task.pk).update(
        status=Task.Status.PROCESSING, last_heartbeat_at=timezone.now() - timedelta(hours=1)
    )
    fresh = create_task(template, VALUES, alice)
    Task.objects.filter(pk=fresh.pk).update(status=Task.Status.PROCESSING, last_heartbeat_at=timezone.now())
    assert fail_stale_tasks_task() == 1
    task.refresh_from_db()
    fresh.refresh_from_db()
    assert task.status == Task.Status.FAILED and fresh.status == Task.Status.PROCESSING
    assert task.events.filter(type=TaskEvent.Type.COMPLETION).count() == 1
    assert fail_stale_tasks() == []  # running it twice is harmless
    assert task.events.filter(body__message=STALE_MESSAGE).count() == 1


def test_a_task_is_run_once(alice_registers_local_remotes, make_template, alice, bare_remote):
    bare_remote()
    task = create_task(make_template(), VALUES, alice)
    assert run_task(str(task.pk)) == "completed"
    count = TaskEvent.objects.filter(task=task).count()
    assert run_task(str(task.pk)) is None
    assert TaskEvent.objects.filter(task=task).count() == count


def test_a_cancelled_open_task_never_runs(make_template, alice):
    task = create_task(make_template(), VALUES, alice)
    cancel_task(task)
    assert run_task(str(task.pk)) is None
    task.refresh_from_db()
    assert task.status == Task.Status.CANCELLED
    with pytest.raises(TaskStateError):
        cancel_task(task)


def test_delete_tasks_removes_the_named_tasks_with_their_events(make_template, alice):
    template = make_template()
    gone, kept = create_task(template, VALUES, alice), create_task(template, VALUES, alice)
    run_task(str(gone.pk))
    assert TaskEvent.objects.filter(task=gone).exists()

    assert delete_tasks([str(gone.pk)]) == 1
    assert list(Task.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not TaskEvent.objects.filter(task_id=gone.pk).exists()


def test_retry_only_from_a_final_failure(make_template, alice):
    task = create_task(make_template(), VALUES, alice)
    with pytest.raises(TaskStateError):
        retry_task(task, alice)


def test_a_failed_publish_fails_the_task_and_removes_the_workspace(make_template, alice, tmp_path):
    task = create_task(make_template(), VALUES, alice)  # no bare remote: the push fails
    run_task(str(task.pk))
    task.refresh_from_db()
    assert task.status == Task.Status.FAILED and task.error.startswith("Could not publish to file://")
    assert list((tmp_path / "workspaces").iterdir()) == []


def test_local_remotes_need_the_setting(make_template, alice, bare_remote, settings):
    bare_remote()
    settings.SCAFFOLDER = {**settings.SCAFFOLDER, "ALLOW_FILE_REMOTES": False}
    task = create_task(make_template(), VALUES, alice)
    run_task(str(task.pk))
    task.refresh_from_db()
    assert task.error == "repoUrl: local remotes are not allowed (git.test)"


def test_unconfigured_hosts_are_refused(make_template, alice):
    task = create_task(make_template(), {**VALUES, "repoUrl": "github.com?owner=acme&repo=svc"}, alice)
    run_task(str(task.pk))
    task.refresh_from_db()
    assert task.error == "repoUrl: no publisher is configured for host 'github.com'"


def test_dry_run_task_keeps_the_files_and_publishes_nothing(make_template, alice, bare_remote):
    remote = bare_remote()
    task = create_task(make_template(), VALUES, alice, dry_run=True)
    run_task(str(task.pk))
    task.refresh_from_db()
    assert task.status == Task.Status.COMPLETED
    assert sorted(item["path"] for item in task.files) == ["README.md", "catalog-info.yaml", "src/billing/__init__.py"]
    assert not list(remote.glob("refs/heads/*"))


def test_open_tasks_waiting_past_the_redispatch_delay_are_sent_again(make_template, alice, settings, monkeypatch):
    settings.JOB_REDISPATCH_AFTER = 300
    template = make_template()
    waiting, _young, started = (create_task(template, VALUES, alice) for _ in range(3))
    long_ago = timezone.now() - timedelta(seconds=301)
    Task.objects.filter(pk__in=[waiting.pk, started.pk]).update(created_at=long_ago)
    Task.objects.filter(pk=started.pk).update(status=Task.Status.PROCESSING, last_heartbeat_at=timezone.now())
    sent = []
    monkeypatch.setattr(run_task, "delay", sent.append)

    assert redispatch_open_tasks_task() == 1
    assert sent == [str(waiting.pk)]


def test_a_task_sent_twice_runs_once(make_template, alice, monkeypatch):
    task = create_task(make_template(), VALUES, alice)
    ran = []
    monkeypatch.setattr("scaffolder.tasks.execute_task", lambda claimed: ran.append(claimed.pk) or "completed")

    assert run_task(str(task.pk)) == "completed"
    assert run_task(str(task.pk)) is None
    assert ran == [task.pk]
