"""Each catalog corpus loaded through the full pipeline, as Backstage would load it.

Runs on the in-repo fixtures and, when present, on Backstage's own example catalog.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from catalog.models import Entity
from catalog.services import refresh_location, register_location, validate_location_spec
from tests.catalog.corpora import CATALOG_CORPORA, CatalogCorpus

pytestmark = pytest.mark.django_db


def expected_refs(corpus: CatalogCorpus) -> set[str]:
    """Every entity document in the corpus except the deliberately invalid ones."""
    refs = set()
    for relative in corpus.valid_files:
        for document in yaml.safe_load_all((corpus.root / relative).read_text()):
            if isinstance(document, dict) and "kind" in document and "apiVersion" in document:
                namespace = document["metadata"].get("namespace", "default")
                refs.add(f"{document['kind']}:{namespace}/{document['metadata']['name']}".lower())
    return refs


@pytest.fixture(params=CATALOG_CORPORA)
def corpus(request) -> CatalogCorpus:
    return request.param


@pytest.fixture
def loaded(corpus):
    """Each registered file's refresh report, by file; the quiet files are valid and no Location points at them."""
    reports = {}
    for name in (*corpus.trees, *sorted(corpus.invalid), *corpus.quiet):
        # exists_ok: a refused file may also be a target of a tree, which registered it already.
        location = register_location(
            validate_location_spec("file", str(corpus.root / name)), exists_ok=True, trusted=True
        )
        reports[name] = refresh_location(location)
    return reports


def test_every_valid_file_loads_and_nothing_else(corpus, loaded):
    stored = set(Entity.objects.exclude(name__startswith="generated-").values_list("ref", flat=True))
    assert stored == expected_refs(corpus)


def test_invalid_files_are_refused_naming_file_document_and_fields(corpus, loaded):
    for relative, fields in corpus.invalid.items():
        errors = loaded[relative].refused
        assert {error.field for error in errors} >= set(fields), relative
        assert all(f"{Path(relative).name}, document 1" in str(error) for error in errors), relative


def test_only_the_invalid_files_report_errors(corpus, loaded):
    refused_names = [Path(relative).name for relative in corpus.invalid]
    for name in corpus.trees:
        errors = [str(error) for error in loaded[name].refused if error.level == "error"]
        assert [error for error in errors if not any(f"{file}, document" in error for file in refused_names)] == []
    for name in corpus.quiet:
        assert loaded[name].refused == [], name


def test_group_hierarchy_and_membership_relations(corpus, loaded):
    child, parent = Entity.objects.filter(ref__in=[corpus.child_group, corpus.parent_group]).with_relations()
    if child.ref != corpus.child_group:
        child, parent = parent, child
    assert {"type": "childOf", "targetRef": corpus.parent_group} in child.output_relations
    assert {"type": "parentOf", "targetRef": corpus.child_group} in parent.output_relations
    assert any(relation["type"] == "hasMember" for relation in child.output_relations)


def test_remote_placeholders_load_with_a_warning(corpus, loaded):
    api = Entity.objects.get(ref=corpus.remote_placeholder_api)
    assert api.body["spec"]["definition"].startswith("Not loaded: https://")
    assert api.processing_errors[0]["level"] == "warning"


def test_relative_text_placeholder_is_embedded(corpus, loaded):
    ref, relative = corpus.relative_placeholder
    api = Entity.objects.get(ref=ref)
    assert api.body["spec"]["definition"] == (corpus.root / relative).read_text()
