"""Fixtures for the location readers: real git repositories built in ``tmp_path``."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from catalog.formats.readers import ReaderPolicy
from catalog.services import refresh_location, register_location, validate_location_spec
from tests.catalog.api_fixtures import CATALOG

GIT_IDENTITY = ["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "init.defaultBranch=main"]


def git(repo: Path, *args: str) -> str:
    """Run git in a test repository and return its stdout."""
    done = subprocess.run(["git", *GIT_IDENTITY, *args], cwd=repo, check=True, capture_output=True, text=True)
    return done.stdout.strip()


def write_files(repo: Path, files: Mapping[str, str | bytes]) -> None:
    """Write files (creating directories) under ``repo``."""
    for name, content in files.items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode())


def commit(repo: Path, files: Mapping[str, str | bytes], message: str = "Change files") -> str:
    """Write files, commit them all, and return the new commit sha."""
    write_files(repo, files)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture
def make_repo(tmp_path: Path) -> Callable[..., Path]:
    """Build a git repository with one commit of the given files on ``main``."""

    def build(files: Mapping[str, str | bytes], name: str = "repo") -> Path:
        repo = tmp_path / name
        repo.mkdir()
        git(repo, "init", "-q")
        commit(repo, files, "Initial commit")
        return repo

    return build


@pytest.fixture
def policy(tmp_path: Path) -> ReaderPolicy:
    """A policy with its git mirrors in ``tmp_path`` and a short timeout."""
    return ReaderPolicy(cache_dir=tmp_path / "cache", git_timeout_seconds=30)


# --- API test fixtures ---------------------------------------------------------------------------


@pytest.fixture
def api(db) -> APIClient:
    client = APIClient()
    client.force_authenticate(get_user_model().objects.create_user("alice"))
    return client


@pytest.fixture
def admin_api(db) -> APIClient:
    """A platform admin's client: deletes and refreshes need an owner or an admin."""
    client = APIClient()
    client.force_authenticate(get_user_model().objects.create_superuser("root", password="root-password-1"))
    return client


@pytest.fixture
def load_catalog(write_file) -> Callable[[str], None]:
    """Load YAML text as the one file location's content, registering it on first use."""

    def load(text: str) -> None:
        path = write_file("catalog.yaml", text)
        refresh_location(register_location(validate_location_spec("file", str(path)), exists_ok=True, trusted=True))

    return load


def load_catalog_file(write_file, name: str, text: str):
    """Register a catalog file written under ``tmp_path`` and refresh it; returns its location."""
    location = register_location(validate_location_spec("file", str(write_file(name, text))), trusted=True)
    refresh_location(location)
    return location


@pytest.fixture
def catalog(write_file):
    return load_catalog_file(write_file, "catalog.yaml", CATALOG)


@pytest.fixture
def reader(client, settings):
    """A browser client reading the portal's pages anonymously, as anonymous read allows."""
    settings.API_ANONYMOUS_READ = True
    return client


# --- People for the personal pages (stars, visits, "owned by me") --------------------------------
from tests.catalog.personal_fixtures import (  # noqa: E402, F401
    alice,
    bob,
    carol,
    people_catalog,
    starred_components,
)
