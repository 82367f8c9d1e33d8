"""Scaffolder steps may not read or register repositories on the server's disk for an ordinary user.

``fetch:*`` with an absolute local URL and ``catalog:register`` with a local target are tried in a
dry run and in a real run by a user who is not a platform admin; a platform admin's run under the
local roots still works.
"""

from __future__ import annotations

import base64

import pytest
import yaml
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from catalog.models import Entity, Location
from catalog.services import refresh_location
from scaffolder.models import Task
from scaffolder.services import create_task
from scaffolder.tasks import run_task

pytestmark = pytest.mark.django_db
RULE = "local targets come only from settings, app-config or a platform admin"
SECRET = "server-only-secret-41"


@pytest.fixture
def secret_repo(git_repo):
    repository = git_repo("secret")
    repository.commit({"keys/secret.txt": SECRET, "catalog-info.yaml": "kind: Component\n"})
    return repository


@pytest.fixture
def mallory(db):
    return get_user_model().objects.create_user("mallory")


def template(*steps: dict) -> dict:
    return {
        "apiVersion": "scaffolder.backstage.io/v1beta3",
        "kind": "Template",
        "metadata": {"name": "steal"},
        "spec": {"owner": "group:default/team-a", "type": "service", "steps": list(steps)},
    }


def fetch_steps(secret_repo) -> list[dict]:
    return [
        {"id": "file", "action": "fetch:plain:file", "input": {"url": f"{secret_repo.url}#main:keys/secret.txt"}},
        {"id": "plain", "action": "fetch:plain", "input": {"url": f"{secret_repo.path}#main:keys"}},
        {"id": "template", "action": "fetch:template", "input": {"url": f"{secret_repo.url}#main:keys"}},
    ]


def dry_run(user, body: dict) -> dict:
    client = APIClient()
    client.force_authenticate(user)
    response = client.post("/api/scaffolder/v2/dry-run", body, format="json")
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.parametrize("index", [0, 1, 2])
def test_dry_run_fetch_of_a_local_repository_is_refused(mallory, secret_repo, index):
    step = fetch_steps(secret_repo)[index]
    step["input"]["targetPath"] = "out.txt" if step["action"] == "fetch:plain:file" else "out"
    body = dry_run(mallory, {"template": template(step), "values": {}, "directoryContents": []})
    assert body["status"] == "failed"
    assert RULE in body["error"]
    assert body["directoryContents"] == []
    assert SECRET not in str(body)


def stored_template(tmp_path, body: dict) -> Entity:
    path = tmp_path / "templates" / "template.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(yaml.safe_dump(body))
    refresh_location(Location.objects.create(type="file", target=str(path), origin=Location.Origin.CONFIG))
    return Entity.objects.get(kind="Template")


def run(entity: Entity, user) -> Task:
    task = create_task(entity, {}, user)
    run_task(str(task.pk))
    task.refresh_from_db()
    return task


@pytest.mark.parametrize("index", [0, 1, 2])
def test_real_run_fetch_of_a_local_repository_is_refused(mallory, secret_repo, tmp_path, index):
    step = fetch_steps(secret_repo)[index]
    step["input"]["targetPath"] = "out.txt" if step["action"] == "fetch:plain:file" else "out"
    task = run(stored_template(tmp_path, template(step)), mallory)
    assert task.status == Task.Status.FAILED
    assert RULE in task.error
    assert SECRET not in str(task.files) and SECRET not in str(list(task.events.values_list("body", flat=True)))


def test_real_run_catalog_register_of_a_local_repository_is_refused(mallory, secret_repo, tmp_path):
    step = {"id": "register", "action": "catalog:register", "input": {"catalogInfoUrl": secret_repo.url}}
    entity = stored_template(tmp_path, template(step))
    task = run(entity, mallory)
    assert task.status == Task.Status.FAILED
    assert RULE in task.error
    assert list(Location.objects.values_list("target", flat=True)) == [entity.location.target]


def test_platform_admin_may_fetch_a_local_repository_under_the_roots(admin_user, secret_repo):
    step = {"id": "file", "action": "fetch:plain:file", "input": {"url": f"{secret_repo.url}#main:keys/secret.txt"}}
    step["input"]["targetPath"] = "out.txt"
    body = dry_run(admin_user, {"template": template(step), "values": {}, "directoryContents": []})
    assert body["status"] == "completed", body["error"]
    assert body["directoryContents"][0]["base64Content"] == base64.b64encode(SECRET.encode()).decode()
