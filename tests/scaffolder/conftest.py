"""Scaffolder fixtures: templates loaded into the catalog from ``tmp_path``, a bare git remote, personas."""

from __future__ import annotations

import subprocess
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from catalog.models import Entity
from catalog.services import refresh_location, register_location, validate_location_spec

GIT_HOST = "git.test"

SERVICE_TEMPLATE = {
    "apiVersion": "scaffolder.backstage.io/v1beta3",
    "kind": "Template",
    "metadata": {"name": "python-service", "title": "Python service"},
    "spec": {
        "owner": "group:default/team-a",
        "type": "service",
        "parameters": [
            {
                "title": "Service",
                "required": ["name", "owner"],
                "properties": {
                    "name": {"type": "string", "pattern": "^[a-z][a-z0-9-]*$", "maxLength": 63},
                    "owner": {"type": "string"},
                    "port": {"type": "integer", "default": 8080},
                    "withDocs": {"type": "boolean", "default": False},
                },
            },
            {
                "title": "Repository",
                "required": ["repoUrl"],
                "properties": {
                    "repoUrl": {"type": "string", "ui:field": "RepoUrlPicker"},
                    "apiKey": {"type": "string", "ui:widget": "password"},
                },
            },
        ],
        "steps": [
            {
                "id": "fetch",
                "name": "Fetch skeleton",
                "action": "fetch:template",
                "input": {
                    "url": "./skeleton",
                    "values": {
                        "name": "${{ parameters.name }}",
                        "owner": "${{ parameters.owner }}",
                        "port": "${{ parameters.port }}",
                        "withDocs": "${{ parameters.withDocs }}",
                    },
                },
            },
            {
                "id": "publish",
                "name": "Publish",
                "action": "publish:git",
                "input": {"repoUrl": "${{ parameters.repoUrl }}", "gitCommitMessage": "Create ${{ parameters.name }}"},
            },
            {
                "id": "register",
                "name": "Register",
                "action": "catalog:register",
                "input": {"repoContentsUrl": "${{ steps.publish.output.repoContentsUrl }}"},
            },
        ],
        "output": {
            "links": [
                {"title": "Repository", "url": "${{ steps.publish.output.remoteUrl }}"},
                {"title": "Open in catalog", "icon": "catalog", "entityRef": "${{ steps.register.output.entityRef }}"},
            ],
            "text": [{"title": "Next", "content": "Run `make` in **${{ parameters.name }}**."}],
        },
    },
}

SKELETON = {
    "catalog-info.yaml": """\
        apiVersion: backstage.io/v1alpha1
        kind: Component
        metadata:
          name: ${{ values.name }}
        spec:
          type: service
          lifecycle: experimental
          owner: ${{ values.owner }}
        """,
    "README.md": "# ${{ values.name }}\n\nListens on port ${{ values.port }}.\n",
    "src/${{ values.name }}/__init__.py": "NAME = ${{ values.name | dump }}\n",
    "${{ 'docs' if values.withDocs }}/index.md": "# Docs for ${{ values.name }}\n",
}


def write_template(root: Path, body: dict[str, Any], skeleton: dict[str, str] | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "template.yaml").write_text(yaml.safe_dump(body, sort_keys=False))
    for relative, content in (skeleton or {}).items():
        path = root / "skeleton" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(content))
    return root / "template.yaml"


def load_entity(path: Path) -> list[Entity]:
    """Register and refresh a file location; its entities, as the catalog stores them."""
    location = register_location(validate_location_spec("file", str(path)), trusted=True)
    refresh_location(location)
    return list(location.entities.exclude(kind="Location"))


@pytest.fixture(autouse=True)
def scaffolder_settings(settings, tmp_path):
    settings.SCAFFOLDER = {
        **settings.SCAFFOLDER,
        "WORKING_DIRECTORY": str(tmp_path / "workspaces"),
        "KEPT_WORKSPACES_DIRECTORY": str(tmp_path / "kept-workspaces"),
        "ALLOW_FILE_REMOTES": True,
        "PUBLISHERS": [
            {"host": GIT_HOST, "type": "git", "remote": f"file://{tmp_path}/remotes/{{owner}}/{{repo}}.git"}
        ],
    }
    settings.CELERY_TASK_ALWAYS_EAGER = False
    return settings


@pytest.fixture
def make_template(tmp_path) -> Callable[..., Entity]:
    """Write a template (and its skeleton) under ``tmp_path`` and load it into the catalog."""

    def make(body: dict[str, Any] | None = None, skeleton: dict[str, str] | None = None, name: str = "tpl") -> Entity:
        path = write_template(
            tmp_path / "templates" / name, body or SERVICE_TEMPLATE, SKELETON if skeleton is None else skeleton
        )
        (entity,) = load_entity(path)
        return entity

    return make


@pytest.fixture
def bare_remote(tmp_path) -> Callable[[str, str], Path]:
    def make(owner: str = "acme", repo: str = "svc") -> Path:
        path = tmp_path / "remotes" / owner / f"{repo}.git"
        path.mkdir(parents=True)
        subprocess.run(["git", "init", "-q", "--bare", str(path)], check=True)
        return path

    return make


def git_show(remote: Path, spec: str) -> str:
    return subprocess.run(["git", "-C", str(remote), "show", spec], check=True, capture_output=True, text=True).stdout


@pytest.fixture
def alice(django_user_model):
    return django_user_model.objects.create_user("alice", password="alice-password-1")


@pytest.fixture
def bob(django_user_model):
    return django_user_model.objects.create_user("bob", password="bob-password-1")


@pytest.fixture
def platform_admin(django_user_model, settings):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("pat", password="pat-password-1")
    user.groups.add(Group.objects.create(name=settings.PLATFORM_ADMIN_GROUP))
    return user


@pytest.fixture
def alice_registers_local_remotes(alice, settings):
    """Alice as a platform admin: the publisher here is a local bare repository standing in for a
    forge, and registering it (``catalog:register``) names a local target, which only settings or a
    platform admin may (``catalog.formats.readers.local_targets``)."""
    from django.contrib.auth.models import Group

    alice.groups.add(Group.objects.get_or_create(name=settings.PLATFORM_ADMIN_GROUP)[0])
    return alice


VALUES = {"name": "billing", "owner": "group:default/team-a", "repoUrl": f"{GIT_HOST}?owner=acme&repo=svc"}


# --- The Create page and the template form ---------------------------------------------------------
from tests.scaffolder.fake_forge import fake_forge  # noqa: E402, F401
from tests.scaffolder.form_fixtures import signed_in, template_catalog  # noqa: E402, F401
