# The TechDocs fixtures are imported by name, so test arguments shadow them on purpose.
# ruff: noqa: F811
"""A ``backstage.io/techdocs-ref: url:`` annotation is repository content: it never names a local repository."""

from __future__ import annotations

import pytest

from techdocs.models import DocBuild
from techdocs.services import check_entity_docs
from tests.techdocs.conftest import docs_source, register, techdocs_storage  # noqa: F401

pytestmark = pytest.mark.django_db
SECRET = "server-docs-secret-93"


@pytest.mark.parametrize("spelling", ["file://{path}#main:docs-root", "{path}#main:docs-root"])
def test_a_techdocs_ref_naming_a_local_repository_is_refused(docs_source, register, git_repo, tmp_path, spelling):
    secret = git_repo("secret")
    secret.commit({"docs-root/mkdocs.yml": "site_name: secret\n", "docs-root/docs/index.md": f"# {SECRET}\n"})
    ref = "url:" + spelling.format(path=secret.path)
    build = check_entity_docs(register(docs_source({"docs/index.md": "# Home\n"}, ref=ref)).ref)
    assert build.status == DocBuild.Status.FAILED
    assert "local targets come only from settings, app-config or a platform admin" in build.error
    published = [path for path in (tmp_path / "sites").rglob("*") if path.is_file()]
    assert not any(SECRET.encode() in path.read_bytes() for path in published)
