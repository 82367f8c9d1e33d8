"""Backstage's own TechDocs example site builds and is indexed; collected only when ../shared is present."""

from __future__ import annotations

import json

import pytest

from techdocs import storage
from techdocs.models import DocBuild
from techdocs.services import check_entity_docs
from tests.corpus import SHARED_CONFORMANCE

pytestmark = [pytest.mark.django_db, pytest.mark.shared_corpus]
EXAMPLE = SHARED_CONFORMANCE / "techdocs" / "documented-component"


def test_builds_backstages_example_site(docs_source, register, client, settings):
    settings.API_ANONYMOUS_READ = True
    entity = register(docs_source(source=EXAMPLE))
    build = check_entity_docs(entity.ref)
    assert build.status == DocBuild.Status.SUCCEEDED, build.log + build.error
    for path in ("index.html", "sub-page/index.html", "code/code-sample/index.html", "extensions/index.html"):
        assert storage.read_file(build.storage_prefix, path) is not None, path
    metadata = json.loads(storage.read_file(build.storage_prefix, "techdocs_metadata.json"))
    assert metadata["site_name"] == "Example Documentation"
    assert [item["title"] for item in build.nav] == ["Home", "Subpage", "Code Sample", "Extensions"]
    body = client.get("/api/search/query", {"term": "linked off the main page", "types[]": "techdocs"}).json()
    locations = [result["document"]["location"] for result in body["results"]]
    assert "/docs/default/component/documented-component/sub-page/#details" in locations
