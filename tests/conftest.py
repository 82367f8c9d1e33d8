"""Shared fixtures: catalog files and git repositories built in ``tmp_path``, isolated settings."""

from __future__ import annotations

import subprocess
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.corpus import HAS_SHARED, REQUIRE_SHARED, SHARED_CONFORMANCE, SHARED_MARK

REPO_ROOT = Path(__file__).resolve().parents[1]
# The private git host over HTTPS (tests/gitserver.py): ``git_https_server``, ``tls_certificates``.
pytest_plugins = ["tests.gitserver"]
# Modules that read only Backstage's files are not collected when ../shared/conformance is absent.
collect_ignore_glob = [] if HAS_SHARED else ["*/test_shared_*.py"]
_shared_tests_run: list[str] = []


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{SHARED_MARK}: reads Backstage's files from ../shared/conformance")
    if REQUIRE_SHARED and not HAS_SHARED:
        raise pytest.UsageError(f"GREENROOM_REQUIRE_SHARED_CORPUS=1 but {SHARED_CONFORMANCE} is missing")


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    # Called in the controller for every worker's report too, so the count is right under xdist.
    if report.when == "call" and SHARED_MARK in report.keywords:
        _shared_tests_run.append(report.nodeid)


def pytest_terminal_summary(terminalreporter) -> None:
    if HAS_SHARED:
        line = f"ran {len(_shared_tests_run)} tests on it ({SHARED_CONFORMANCE})"
    else:
        line = f"not present ({SHARED_CONFORMANCE}): in-repo fixtures only (tests/fixtures/)"
    terminalreporter.write_line(f"shared conformance corpus: {line}")


@pytest.fixture(autouse=True, scope="session")
def fast_password_hashing() -> None:
    """Passwords hash with MD5 in the test process: PBKDF2's million rounds cost half a second a user.

    Django's own advice for test suites. The production hashers stay listed after it, so a hash made
    by a server process a test starts (with the real settings) still verifies here; a password stored
    here is checked in this process only (a server started in a subprocess signs in with tokens or
    with users it created itself).
    """
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *settings.PASSWORD_HASHERS]


@pytest.fixture(autouse=True)
def isolated_catalog_settings(settings, tmp_path, monkeypatch):
    """Every test gets its own git cache and the default rules, whatever the environment says."""
    from catalog import config
    from portal.services.tokens import forget_checked_tokens

    # Test repositories are local git repositories in tmp_path, standing in for remote ones: local git
    # is on, and the local roots are tmp_path, the checkout (demo, examples) and the shared conformance
    # corpus. Who may name a local target (settings or a platform admin) is not relaxed.
    settings.CATALOG = {
        **settings.CATALOG,
        "GIT_CACHE_DIR": tmp_path / "git-cache",
        "LOCATIONS": [],
        "ALLOW_LOCAL_GIT": True,
        "LOCAL_ROOTS": [str(tmp_path), str(REPO_ROOT), str(SHARED_CONFORMANCE)],
        "CA_BUNDLE": None,
    }
    settings.GREENROOM_CONFIG_FILE = ""
    # A fresh in-memory cache per test: cached facet counts must never leak between tests.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": str(tmp_path)}
    }
    # The demo loader adds its folder for the processes it starts; no test passes that on to the next.
    monkeypatch.delenv("CATALOG_LOCAL_ROOTS", raising=False)
    config.catalog_settings.cache_clear()
    forget_checked_tokens()  # token checks remembered by one test must not serve the next
    yield
    config.catalog_settings.cache_clear()


@pytest.fixture
def eager():
    """Jobs run in-process: Celery reads its configuration once, so the app's own flag is switched."""
    from portal.celery import app

    was_eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = was_eager


@pytest.fixture
def write_file(tmp_path) -> Callable[..., Path]:
    """Write dedented text (or bytes) to a path under ``tmp_path/catalog`` and return the path."""

    def write(relative: str, content: str | bytes) -> Path:
        path = tmp_path / "catalog" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip(), encoding="utf-8")
        return path

    return write


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-c", "user.name=Greenroom Tests", "-c", "user.email=tests@greenroom.invalid", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip()


class GitRepo:
    """A throwaway git repository with a helper to commit files."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True)
        git(path, "init", "-q", "-b", "main")

    @property
    def url(self) -> str:
        return f"file://{self.path}"

    def commit(self, files: dict[str, str | None], message: str = "change") -> str:
        """Write (or with None, delete) files and commit; returns the commit sha."""
        for relative, content in files.items():
            path = self.path / relative
            if content is None:
                path.unlink()
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(content).lstrip(), encoding="utf-8")
        git(self.path, "add", "-A")
        git(self.path, "commit", "-q", "-m", message)
        return git(self.path, "rev-parse", "HEAD")


@pytest.fixture
def git_repo(tmp_path) -> Callable[[str], GitRepo]:
    def make(name: str = "repo") -> GitRepo:
        return GitRepo(tmp_path / name)

    return make


def component(name: str, owner: str = "team-a", **spec: object) -> str:
    """A valid Component descriptor as YAML text."""
    extra = "".join(f"    {key}: {value}\n" for key, value in spec.items())
    return (
        "apiVersion: backstage.io/v1alpha1\n"
        "kind: Component\n"
        "metadata:\n"
        f"  name: {name}\n"
        "spec:\n"
        "  type: service\n"
        "  lifecycle: production\n"
        f"  owner: {owner}\n" + extra.replace("    ", "  ")
    )


API_WITH_TEXT_PLACEHOLDER = """\
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: pets
spec:
  type: openapi
  lifecycle: production
  owner: team-a
  definition:
    $text: ./openapi.yaml
"""
