"""Running templates end to end in-process: steps, publish to a bare remote, registration, output."""

from __future__ import annotations

import pytest

from catalog.models import Entity
from scaffolder.models import Task
from scaffolder.services import create_task
from scaffolder.tasks import run_task
from tests.scaffolder.conftest import VALUES, git_show

pytestmark = pytest.mark.django_db


def run(task: Task) -> Task:
    run_task(str(task.pk))
    task.refresh_from_db()
    return task


def messages(task: Task) -> list[str]:
    return [event.body.get("message", "") for event in task.events.all()]


def test_creates_publishes_and_registers_a_service(
    alice_registers_local_remotes, make_template, bare_remote, alice, django_capture_on_commit_callbacks
):
    remote = bare_remote()
    template = make_template()
    with django_capture_on_commit_callbacks() as callbacks:
        task = create_task(template, {**VALUES, "port": 9000}, alice)
    assert len(callbacks) == 1
    task = run(task)
    assert task.status == Task.Status.COMPLETED, messages(task)
    readme = git_show(remote, "main:README.md")
    assert readme == "# billing\n\nListens on port 9000.\n"
    assert git_show(remote, "main:src/billing/__init__.py") == 'NAME = "billing"\n'
    files = git_show(remote, "main:").split()
    assert "docs/" not in files  # the optional directory's name rendered empty
    assert Entity.objects.filter(ref="component:default/billing").exists()
    assert task.output["links"] == [
        {"title": "Repository", "url": f"file://{remote}"},
        {"title": "Open in catalog", "icon": "catalog", "entityRef": "component:default/billing"},
    ]
    assert task.output["text"] == [{"title": "Next", "content": "Run `make` in **billing**."}]
    statuses = [(event.step_id, event.status) for event in task.events.exclude(status="")]
    assert statuses == [
        ("fetch", "processing"), ("fetch", "completed"),
        ("publish", "processing"), ("publish", "completed"),
        ("register", "processing"), ("register", "completed"),
    ]  # fmt: skip


def test_workspace_is_removed_after_the_run(alice_registers_local_remotes, make_template, bare_remote, alice, tmp_path):
    bare_remote()
    task = run(create_task(make_template(), VALUES, alice))
    assert task.status == Task.Status.COMPLETED
    assert list((tmp_path / "workspaces").iterdir()) == []
