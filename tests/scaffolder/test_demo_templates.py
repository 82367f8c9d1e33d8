"""The demo's golden-path templates, run end to end with the demo publisher: publish, register, docs."""

from __future__ import annotations

import subprocess
from io import StringIO

import pytest
from django.core.management import call_command

from catalog.models import Entity, Location
from scaffolder.actions.builtin.demo_publisher import admit_demo_repositories
from scaffolder.models import Task
from scaffolder.services import create_task
from scaffolder.tasks import run_task
from scaffolder.template_catalog import is_golden_path
from tests.scaffolder.dry_runs import messages

pytestmark = pytest.mark.django_db

DEMO_TEMPLATES = ["django-service", "docs-site", "python-library", "postgres-database"]
VALUES = {
    "django-service": {"system": "system:default/billing"},
    "postgres-database": {"system": "system:default/fleet-telemetry", "size": "medium"},
}


@pytest.fixture
def demo_publisher(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "var"
    settings.SCAFFOLDER = {**settings.SCAFFOLDER, "DEMO_PUBLISHER": True, "ALLOW_FILE_REMOTES": False}
    admit_demo_repositories()
    call_command("load_demo", stdout=StringIO())
    return settings.DATA_DIR / "demo-repos"


def run(template_name: str, user, **values) -> Task:
    template = Entity.objects.get(kind="Template", name=template_name)
    task = create_task(template, {"description": "Made in a test", "owner": "group:default/fleet", **values}, user)
    run_task(str(task.pk))
    task.refresh_from_db()
    return task


def git(repository, *args: str) -> str:
    return subprocess.run(["git", f"--git-dir={repository}", *args], check=True, capture_output=True, text=True).stdout


def test_the_demo_ships_four_golden_path_templates(demo_publisher):
    templates = Entity.objects.filter(kind="Template").order_by("name")
    assert [template.name for template in templates] == sorted(DEMO_TEMPLATES)
    assert all(is_golden_path(template.body) for template in templates)


@pytest.mark.parametrize("name", DEMO_TEMPLATES)
def test_demo_template_publishes_to_a_local_repository_and_registers_it(name, demo_publisher, alice):
    task = run(name, alice, name=f"new-{name}", **VALUES.get(name, {}))

    assert task.status == Task.Status.COMPLETED, messages(task)
    repository = demo_publisher / f"new-{name}.git"
    files = git(repository, "ls-tree", "-r", "--name-only", "main").split()
    assert {"catalog-info.yaml", "mkdocs.yml", "docs/index.md"} <= set(files)
    entity = Entity.objects.get(name=f"new-{name}")
    assert entity.kind == ("Resource" if name == "postgres-database" else "Component")
    assert entity.body["spec"]["owner"] == "group:default/fleet"
    assert entity.body["metadata"]["annotations"]["backstage.io/techdocs-ref"] == "dir:."
    assert Location.objects.get(target__startswith=repository.as_uri()).status == Location.Status.OK
    link = next(link for link in task.output["links"] if "entityRef" in link)
    assert link["entityRef"] == entity.ref


def test_django_service_renders_its_module_and_system(demo_publisher, alice):
    task = run("django-service", alice, name="parking-api", system="system:default/billing")

    repository = demo_publisher / "parking-api.git"
    assert "parking_api/settings.py" in git(repository, "ls-tree", "-r", "--name-only", "main")
    assert 'ROOT_URLCONF = "parking_api.urls"' in git(repository, "show", "main:parking_api/settings.py")
    assert "A Django service owned by **fleet**" in git(repository, "show", "main:docs/index.md")
    assert Entity.objects.get(name="parking-api").body["spec"]["system"] == "system:default/billing"
    assert task.status == Task.Status.COMPLETED


def test_optional_system_is_left_out_when_empty(demo_publisher, alice):
    run("docs-site", alice, name="handbook")

    assert "system" not in Entity.objects.get(name="handbook").body["spec"]


def test_the_new_entity_gets_its_docs_from_the_published_repository(demo_publisher, alice):
    from techdocs.models import DocBuild
    from techdocs.services import request_build, run_build

    run("docs-site", alice, name="rider-handbook")
    build = request_build(Entity.objects.get(name="rider-handbook"), reason="test")
    run_build(build.pk)

    build.refresh_from_db()
    assert build.status == DocBuild.Status.SUCCEEDED, build.log[-2000:]


def test_a_second_run_with_the_same_name_fails_without_touching_the_first(demo_publisher, alice):
    run("python-library", alice, name="geo-utils")
    first = git(demo_publisher / "geo-utils.git", "rev-parse", "main")

    task = run("python-library", alice, name="geo-utils")

    assert task.status == Task.Status.FAILED
    assert "the demo repository 'geo-utils' already exists" in task.error
    assert git(demo_publisher / "geo-utils.git", "rev-parse", "main") == first


def test_the_demo_host_is_refused_when_the_publisher_is_off(demo_publisher, alice, settings):
    settings.SCAFFOLDER = {**settings.SCAFFOLDER, "DEMO_PUBLISHER": False}

    task = run("docs-site", alice, name="offline-site")

    assert task.status == Task.Status.FAILED
    assert "no publisher is configured for host 'demo.local'" in task.error
    assert not (demo_publisher / "offline-site.git").exists()


ESCAPEE = {
    "apiVersion": "backstage.io/v1alpha1",
    "kind": "Component",
    "metadata": {"name": "escapee"},
    "spec": {"type": "service", "lifecycle": "experimental", "owner": "group:default/fleet"},
}


def _demo_publish_template(repo_url: str, register: dict | None = None) -> dict:
    steps = [
        {"id": "write", "action": "catalog:write", "input": {"entity": ESCAPEE}},
        {"id": "publish", "action": "publish:git", "input": {"repoUrl": repo_url}},
    ]
    if register is not None:
        steps.append({"id": "register", "action": "catalog:register", "input": register})
    return {
        "apiVersion": "scaffolder.backstage.io/v1beta3",
        "kind": "Template",
        "metadata": {"name": "escape"},
        "spec": {"owner": "group:default/fleet", "type": "service", "parameters": [], "steps": steps},
    }


@pytest.mark.parametrize(
    "repo_url",
    ["demo.local?owner=o&repo=../../escaped", "demo.local?owner=o&repo=a/b", "demo.local?owner=o&repo=.hidden"],
)
def test_a_template_cannot_publish_outside_the_demo_folder(repo_url, demo_publisher, alice, make_template, tmp_path):
    task = create_task(make_template(_demo_publish_template(repo_url), skeleton={}), {}, alice)
    run_task(str(task.pk))
    task.refresh_from_db()

    assert task.status == Task.Status.FAILED
    assert "repoUrl:" in task.error
    assert not (tmp_path / "escaped.git").exists() and not (tmp_path / "var" / "escaped.git").exists()
    assert sorted(path.name for path in demo_publisher.iterdir()) == []


def test_a_user_may_not_register_a_local_repository_the_demo_publisher_did_not_make(
    demo_publisher, alice, make_template, bare_remote
):
    other = bare_remote("acme", "private")
    body = _demo_publish_template(
        "demo.local?owner=o&repo=fine", register={"catalogInfoUrl": f"{other.as_uri()}#main:catalog-info.yaml"}
    )
    task = create_task(make_template(body, skeleton={}), {}, alice)
    run_task(str(task.pk))
    task.refresh_from_db()

    assert task.status == Task.Status.FAILED
    assert "local targets come only from settings, app-config or a platform admin" in task.error
    assert not Location.objects.filter(target__contains="private.git").exists()
