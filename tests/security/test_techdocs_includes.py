# The TechDocs fixtures are imported by name, so test arguments shadow them on purpose.
# ruff: noqa: F811
"""MkDocs monorepo includes, included docs_dirs and nav pages may not leave the docs source."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from portal.search.models import SearchDocument
from techdocs.mkdocs_config import UnsafeConfig, sanitise_config
from techdocs.models import DocBuild
from techdocs.services import check_entity_docs
from tests.techdocs.conftest import docs_source, register, techdocs_storage  # noqa: F401

pytestmark = pytest.mark.django_db
SECRET = "OUTSIDE-THE-REPOSITORY-7f3a"
PAGE = "# Home\n\nInside.\n"


@pytest.fixture
def outside(tmp_path) -> Path:
    """Another site on the same disk, outside every repository."""
    root = tmp_path / "outside"
    (root / "docs").mkdir(parents=True)
    (root / "mkdocs.yml").write_text("site_name: outside\nnav:\n  - Secret: secret.md\n")
    (root / "docs" / "secret.md").write_text(f"# Secret\n\n{SECRET}\n")
    return root


def assert_nothing_outside_published(tmp_path: Path) -> None:
    sites = tmp_path / "sites"
    published = [path for path in sites.rglob("*") if path.is_file()] if sites.exists() else []
    assert not any(SECRET.encode() in path.read_bytes() for path in published)
    assert not SearchDocument.objects.filter(text__contains=SECRET).exists()


@pytest.mark.parametrize("spelling", ["absolute", "climbing"])
def test_an_include_outside_the_repository_refuses_the_build(docs_source, register, outside, tmp_path, spelling):
    target = str(outside / "mkdocs.yml")
    if spelling == "climbing":
        target = "../" * 40 + target.lstrip("/")
    config = f"site_name: S\nnav:\n  - Home: index.md\n  - Outside: '!include {target}'\n"
    entity = register(docs_source({"docs/index.md": PAGE, "mkdocs.yml": config}))
    build = check_entity_docs(entity.ref)
    assert build.status == DocBuild.Status.FAILED
    assert build.error == (
        f"Refused: mkdocs.yml: nav entry '!include {target}' leaves the docs source; "
        "includes must stay inside the repository; remove it"
    )
    assert_nothing_outside_published(tmp_path)


def test_a_wildcard_include_outside_the_repository_refuses_the_build(docs_source, register, outside, tmp_path):
    pattern = "../" * 40 + f"{str(outside.parent).lstrip('/')}/*/mkdocs.yml"
    config = f"site_name: S\nnav:\n  - Home: index.md\n  - All: '*include {pattern}'\n"
    entity = register(docs_source({"docs/index.md": PAGE, "mkdocs.yml": config}))
    build = check_entity_docs(entity.ref)
    assert build.status == DocBuild.Status.FAILED and "leaves the docs source" in build.error
    assert_nothing_outside_published(tmp_path)


def test_an_included_site_may_not_take_its_docs_from_outside(docs_source, register, outside, tmp_path):
    files = {
        "docs/index.md": PAGE,
        "mkdocs.yml": "site_name: S\nnav:\n  - Home: index.md\n  - Sub: '!include ./sub/mkdocs.yml'\n",
        "sub/mkdocs.yml": f"site_name: sub\ndocs_dir: {outside / 'docs'}\n",
    }
    build = check_entity_docs(register(docs_source(files)).ref)
    assert build.status == DocBuild.Status.FAILED
    assert f"sub/mkdocs.yml: docs_dir '{outside / 'docs'}' leaves the docs source" in build.error
    assert_nothing_outside_published(tmp_path)


def test_an_include_inside_the_repository_still_builds(docs_source, register, tmp_path):
    files = {
        "docs/index.md": PAGE,
        "mkdocs.yml": "site_name: S\nnav:\n  - Home: index.md\n  - Sub: '!include ./sub/mkdocs.yml'\n",
        "sub/mkdocs.yml": "site_name: sub\nnav:\n  - Page: page.md\n",
        "sub/docs/page.md": "# Sub page\n\nInside too.\n",
    }
    build = check_entity_docs(register(docs_source(files)).ref)
    assert build.status == DocBuild.Status.SUCCEEDED, build.error


def test_a_symbolic_link_out_of_the_source_is_resolved_before_the_check(tmp_path, outside):
    source = tmp_path / "source"
    (source / "docs").mkdir(parents=True)
    (source / "linked").symlink_to(outside)
    raw = {"site_name": "S", "nav": [{"Outside": "!include linked/mkdocs.yml"}]}
    with pytest.raises(UnsafeConfig, match=re.escape("nav entry '!include linked/mkdocs.yml' leaves the docs source")):
        sanitise_config(raw, source, ["techdocs-core"], "S")


@pytest.mark.parametrize("page", ["../../outside/docs/secret.md", "/etc/passwd"])
def test_a_nav_page_outside_the_docs_directory_refuses_the_build(tmp_path, page):
    (tmp_path / "docs").mkdir()
    with pytest.raises(UnsafeConfig, match="leaves the docs directory"):
        sanitise_config({"site_name": "S", "nav": [{"Page": page}]}, tmp_path, ["techdocs-core"], "S")


def test_snippets_outside_the_docs_source_are_not_included(docs_source, register, outside, tmp_path):
    secret = outside / "docs" / "secret.md"
    climbing = "../" * 40 + str(secret).lstrip("/")
    page = f'# Home\n\n--8<-- "{secret}"\n\n--8<-- "{climbing}"\n'
    build = check_entity_docs(register(docs_source({"docs/index.md": page, "mkdocs.yml": "site_name: S\n"})).ref)
    assert build.status == DocBuild.Status.SUCCEEDED, build.error
    assert_nothing_outside_published(tmp_path)
