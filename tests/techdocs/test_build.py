"""Building sites: the in-repo example, rebuilds, failures keeping the last site, the signal."""

from __future__ import annotations

import json

import pytest

from techdocs import storage
from techdocs.models import DocBuild, DocSite
from techdocs.services import check_entity_docs, run_build
from techdocs.signals import site_built

pytestmark = pytest.mark.django_db


def test_builds_the_example_site(docs_source, register):
    entity = register(docs_source())
    build = check_entity_docs(entity.ref)
    assert build.status == DocBuild.Status.SUCCEEDED, build.log + build.error
    site = DocSite.objects.get(entity_ref=entity.ref)
    assert site.current_build_id == build.pk
    for path in ("index.html", "sub-page/index.html", "code/code-sample/index.html", "search/search_index.json"):
        assert storage.read_file(build.storage_prefix, path) is not None, path
    metadata = json.loads(storage.read_file(build.storage_prefix, "techdocs_metadata.json"))
    assert metadata["site_name"] == "Motor Controller Handbook"
    assert metadata["site_description"] == "None"
    assert "index.html" in metadata["files"] and isinstance(metadata["build_timestamp"], int)
    assert build.metadata == metadata
    assert [item["title"] for item in build.nav] == ["Home", "Wiring", "Code Sample", "Extensions"]
    assert build.source_commit.startswith("sha256:")


def test_unchanged_source_is_not_rebuilt(docs_source, register):
    entity = register(docs_source())
    first = check_entity_docs(entity.ref)
    assert check_entity_docs(entity.ref) is None
    assert DocBuild.objects.count() == 1
    assert DocSite.objects.get().current_build_id == first.pk


def test_changed_source_is_rebuilt_and_the_old_site_removed(docs_source, register):
    root = docs_source()
    entity = register(root)
    first = check_entity_docs(entity.ref)
    (root / "docs" / "sub-page.md").write_text("# Changed page\n\nNew text.\n")
    second = check_entity_docs(entity.ref)
    assert second.status == DocBuild.Status.SUCCEEDED
    assert second.source_commit != first.source_commit
    assert b"Changed page" in storage.read_file(second.storage_prefix, "sub-page/index.html")
    assert storage.read_file(first.storage_prefix, "index.html") is None


def test_failed_build_keeps_the_last_good_site(docs_source, register):
    root = docs_source()
    entity = register(root)
    good = check_entity_docs(entity.ref)
    (root / "mkdocs.yml").write_text("site_name: Broken\nnav:\n  - Home: missing.md\nstrict: true\n")
    failed = check_entity_docs(entity.ref)
    assert failed.status == DocBuild.Status.FAILED
    assert failed.error.startswith("MkDocs failed")
    site = DocSite.objects.get()
    assert site.current_build_id == good.pk
    assert site.latest_build_id == failed.pk
    assert storage.read_file(good.storage_prefix, "index.html") is not None


def test_site_built_signal_sends_search_documents(docs_source, register):
    received = []

    def listener(sender, entity_ref, documents, **kwargs):
        received.append((entity_ref, documents))

    site_built.connect(listener)
    try:
        entity = register(docs_source())
        check_entity_docs(entity.ref)
    finally:
        site_built.disconnect(listener)
    [(ref, documents)] = received
    assert ref == "component:default/documented-component"
    by_location = {document["location"]: document for document in documents}
    home = by_location["/docs/default/component/documented-component/"]
    assert home["title"] == "Home"
    assert "Assist levels" in home["headings"]
    section = by_location["/docs/default/component/documented-component/sub-page/#connectors"]
    assert section["title"] == "Connectors"
    assert section["headings"] == ["Connectors"]
    assert "carries the CAN bus" in section["text"]


def test_forced_build_runs_even_when_unchanged(docs_source, register, django_capture_on_commit_callbacks):
    from techdocs.services import request_build

    entity = register(docs_source())
    check_entity_docs(entity.ref)
    with django_capture_on_commit_callbacks(execute=True):
        build = request_build(entity, reason="test")
    build.refresh_from_db()
    assert build.status == DocBuild.Status.SUCCEEDED
    assert DocSite.objects.get().current_build_id == build.pk
    assert run_build(build.pk).pk == build.pk  # a finished build is left alone


def test_built_pages_are_found_by_search(docs_source, register, client, settings):
    settings.API_ANONYMOUS_READ = True
    entity = register(docs_source())
    check_entity_docs(entity.ref)
    body = client.get("/api/search/query", {"term": "carries the CAN bus", "types[]": "techdocs"}).json()
    locations = [result["document"]["location"] for result in body["results"]]
    assert "/docs/default/component/documented-component/sub-page/#connectors" in locations
