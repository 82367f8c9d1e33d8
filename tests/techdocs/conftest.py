"""Fixtures for TechDocs: documented entities in file locations, and a storage under ``tmp_path``."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from catalog.models import Entity
from catalog.services import refresh_location, register_location, validate_location_spec
from tests.corpus import FIXTURES

# A small MkDocs site written for the project (Backstage's own example runs in test_shared_example.py).
EXAMPLE = FIXTURES / "techdocs" / "documented-component"

OWNERS = """\
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team-a
spec:
  type: team
  children: []
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata:
  name: alice
spec:
  memberOf: [team-a]
"""


@pytest.fixture(autouse=True)
def techdocs_storage(settings, tmp_path):
    """Built sites go to this test's own directory; queued builds run eagerly, in the test's process."""
    settings.STORAGES = {
        **settings.STORAGES,
        "techdocs": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "sites")},
        },
    }
    settings.TECHDOCS = {**settings.TECHDOCS, "BUILDER": "local", "BUILD_TIMEOUT": 120}
    from django.core.files.storage import storages

    from portal.celery import app

    storages._storages = {}
    storages._backends = None
    was_eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = was_eager
    storages._storages = {}
    storages._backends = None


@pytest.fixture
def docs_source(tmp_path) -> Callable[..., Path]:
    """A component directory: the in-repo example site, or given files, with a catalog file owned by team-a."""

    def make(
        files: dict[str, str | bytes] | None = None,
        name: str = "documented-component",
        ref: str = "dir:.",
        source: Path = EXAMPLE,
    ) -> Path:
        root = tmp_path / "repos" / name
        if files is None:
            shutil.copytree(source, root)
        else:
            for relative, content in files.items():
                path = root / relative
                path.parent.mkdir(parents=True, exist_ok=True)
                if isinstance(content, bytes):
                    path.write_bytes(content)
                else:
                    path.write_text(textwrap.dedent(content), encoding="utf-8")
        annotation = f"\n  annotations:\n    backstage.io/techdocs-ref: {ref}" if ref else ""
        (root / "catalog-info.yaml").write_text(
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n"
            f"  name: {name}\n  title: Documented Component"
            f"{annotation}\nspec:\n  type: service\n  lifecycle: experimental\n  owner: team-a\n---\n{OWNERS}",
            encoding="utf-8",
        )
        return root

    return make


@pytest.fixture
def register(db) -> Callable[[Path], Entity]:
    """Register a component directory's catalog file and return its Component entity."""

    def load(root: Path) -> Entity:
        location = register_location(
            validate_location_spec("file", str(root / "catalog-info.yaml")), exists_ok=True, trusted=True
        )
        refresh_location(location)
        return Entity.objects.select_related("location").get(kind="Component", name=root.name)

    return load


@pytest.fixture
def alice_user(db):
    return get_user_model().objects.create_user("alice", password="alice-password-1")


@pytest.fixture
def bob_user(db):
    return get_user_model().objects.create_user("bob", password="bob-password-1")
