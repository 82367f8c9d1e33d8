"""The README fallback for entities read from git locations: through the catalog's git reader, cached per commit."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from catalog.models import Entity
from catalog.services import refresh_location, register_location, validate_location_spec
from techdocs.readme import has_readme, render_readme
from techdocs.tabs import has_docs_tab
from tests.conftest import component

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def load(repo) -> Entity:
    location = register_location(validate_location_spec("url", f"{repo.url}#main:svc/catalog-info.yaml"), trusted=True)
    refresh_location(location)
    return Entity.objects.select_related("location").get(kind="Component")


def test_readme_beside_a_git_catalog_file_is_rendered_sanitised(git_repo):
    repo = git_repo()
    repo.commit(
        {
            "svc/catalog-info.yaml": component("svc"),
            "svc/README.md": "# Service svc\n\n<script>alert(1)</script>[bad](javascript:alert(1)) [ok](https://example.com)\n",
            "README.md": "# The repository's own README\n",
        }
    )
    entity = load(repo)
    html = render_readme(entity)
    assert "<h1" in html and "Service svc" in html
    assert "<script" not in html and "javascript:" not in html and 'href="https://example.com"' in html
    assert has_docs_tab(entity)


def test_the_rendered_readme_is_cached_per_commit(git_repo, monkeypatch):
    repo = git_repo()
    repo.commit({"svc/catalog-info.yaml": component("svc"), "svc/README.md": "# First\n"})
    entity = load(repo)
    assert "First" in render_readme(entity)
    import techdocs.readme

    monkeypatch.setattr(techdocs.readme, "read_location", lambda *args: pytest.fail("read git again"))
    assert "First" in render_readme(entity)


def test_a_repository_without_readme_has_no_docs_tab_once_known(git_repo):
    repo = git_repo()
    repo.commit({"svc/catalog-info.yaml": component("svc"), "svc/notes.md": "# not a readme\n"})
    entity = load(repo)
    assert render_readme(entity) is None
    assert not has_readme(entity) and not has_docs_tab(entity)


def test_an_oversize_readme_is_not_rendered(git_repo, settings):
    settings.TECHDOCS = {**settings.TECHDOCS, "MAX_README_BYTES": 1000}
    repo = git_repo()
    repo.commit({"svc/catalog-info.yaml": component("svc"), "svc/README.md": "# Big\n\n" + "word " * 1000})
    entity = load(repo)
    assert render_readme(entity) is None
