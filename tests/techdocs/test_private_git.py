"""TechDocs built from a private git host over HTTPS, with the catalog's integration credential."""

from __future__ import annotations

import pytest

from catalog.services import refresh_location, register_location, validate_location_spec
from techdocs import storage
from techdocs.models import DocBuild
from techdocs.services import check_entity_docs
from tests.conftest import git

pytestmark = pytest.mark.django_db

ENTITY = "component:default/private-service"


def ingest(host) -> None:
    host.configure_integration()
    report = refresh_location(register_location(validate_location_spec("url", host.location_target)))
    assert ENTITY in report.added, report.refused


def test_docs_build_from_the_private_repository(private_git_host):
    ingest(private_git_host)

    build = check_entity_docs(ENTITY)

    assert build.status == DocBuild.Status.SUCCEEDED, build.log + build.error
    page = storage.read_file(build.storage_prefix, "index.html").decode()
    assert "Served from a private git host." in page
    assert build.source_commit == git(private_git_host.repo.work.path, "rev-parse", "HEAD")
    assert private_git_host.server.seen and None not in private_git_host.server.authorizations()


def test_a_revoked_token_fails_the_build_naming_the_integration(private_git_host):
    ingest(private_git_host)
    private_git_host.server.basic.clear()  # the host no longer takes the token

    build = check_entity_docs(ENTITY)

    assert build.status == DocBuild.Status.FAILED
    netloc = private_git_host.server.netloc
    assert f"authentication failed for {netloc} (integration github[0])" in build.error
