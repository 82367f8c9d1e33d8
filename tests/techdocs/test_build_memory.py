"""A docs source that fails to build is built once per (source version, build configuration)."""

from __future__ import annotations

import pytest

from techdocs import services
from techdocs.models import DocBuild
from techdocs.services import check_entity_docs, request_build, request_sync, run_build, run_sync

pytestmark = pytest.mark.django_db

PAGE = "# Title\n\nText.\n"
# A few lines that stand for 10**9 nav entries once the aliases are followed.
_LEVELS = ["  - &n0 [index.md]"] + [f"  - &n{level} [{', '.join([f'*n{level - 1}'] * 10)}]" for level in range(1, 9)]
BOMB = "site_name: S\nanchors:\n" + "\n".join(_LEVELS) + "\nnav: [" + ", ".join(["*n8"] * 10) + "]\n"


@pytest.fixture
def mkdocs_runs(monkeypatch) -> list[str]:
    """Names of the sites MkDocs was started for."""
    runs: list[str] = []
    real = services.run_mkdocs

    def counted(source_dir, site_dir, limits, default_name, **kwargs):
        runs.append(default_name)
        return real(source_dir, site_dir, limits, default_name, **kwargs)

    monkeypatch.setattr(services, "run_mkdocs", counted)
    return runs


@pytest.fixture
def bomb_site(docs_source, register):
    return register(docs_source({"docs/index.md": PAGE, "mkdocs.yml": BOMB}))


def test_a_yaml_bomb_is_refused_once_and_not_rebuilt_at_the_same_version(bomb_site, mkdocs_runs):
    first = check_entity_docs(bomb_site.ref)
    assert first.status == DocBuild.Status.FAILED
    assert first.error == (
        "Refused: mkdocs.yml: nav has more than 20000 entries, counting those of included sites; remove it"
    )
    assert check_entity_docs(bomb_site.ref) is None
    assert check_entity_docs(bomb_site.ref) is None
    assert DocBuild.objects.count() == 1 and len(mkdocs_runs) == 1


def test_a_changed_source_is_built_again(bomb_site, docs_source, register, mkdocs_runs):
    check_entity_docs(bomb_site.ref)
    register(docs_source({"docs/index.md": PAGE, "mkdocs.yml": "site_name: S\n"}))
    assert check_entity_docs(bomb_site.ref).status == DocBuild.Status.SUCCEEDED
    assert len(mkdocs_runs) == 2


def test_a_changed_build_configuration_is_built_again(bomb_site, settings, mkdocs_runs):
    check_entity_docs(bomb_site.ref)
    settings.TECHDOCS = {**settings.TECHDOCS, "BUILD_TIMEOUT": settings.TECHDOCS["BUILD_TIMEOUT"] + 1}
    assert check_entity_docs(bomb_site.ref).status == DocBuild.Status.FAILED
    assert DocBuild.objects.count() == 2 and len(mkdocs_runs) == 2


def test_a_sync_at_the_same_version_reports_the_failure_without_building(bomb_site, mkdocs_runs):
    first = check_entity_docs(bomb_site.ref)
    sync = run_sync(request_sync(bomb_site).pk)
    assert sync.status == DocBuild.Status.FAILED and sync.error == first.error
    assert f"not built again: build {first.pk} of {first.source_commit} failed" in sync.log
    assert len(mkdocs_runs) == 1


def test_a_forced_rebuild_still_runs(bomb_site, mkdocs_runs):
    check_entity_docs(bomb_site.ref)
    assert run_build(request_build(bomb_site, reason="owner asked").pk).status == DocBuild.Status.FAILED
    assert len(mkdocs_runs) == 2
