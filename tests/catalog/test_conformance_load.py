"""Backstage's own example catalog, loaded through the full pipeline as Backstage would load it."""

from __future__ import annotations

import pytest
import yaml

from catalog.models import Entity
from catalog.services import refresh_location, register_location, validate_location_spec
from tests.conftest import CONFORMANCE

EXAMPLES = CONFORMANCE / "backstage-examples"
# Refused: a name with a space and a bad tag; a skill whose spec.allowedTools is a list, not a string.
INVALID_FILES = ("invalid-component.yaml", "frontend-design-skill.yaml")
pytestmark = pytest.mark.django_db


def expected_refs() -> set[str]:
    """Every entity document in the corpus except the invalid ones."""
    refs = set()
    for path in EXAMPLES.rglob("*.yaml"):
        if path.name in INVALID_FILES:
            continue
        for document in yaml.safe_load_all(path.read_text()):
            if isinstance(document, dict) and "kind" in document and "apiVersion" in document:
                namespace = document["metadata"].get("namespace", "default")
                refs.add(f"{document['kind']}:{namespace}/{document['metadata']['name']}".lower())
    return refs


@pytest.fixture
def loaded():
    reports = []
    # The last two are valid files that no Location in the example tree points at.
    for name in (
        "all.yaml",
        "acme-corp.yaml",
        "components/invalid-component.yaml",
        "components/different-namespace.yaml",
        "ai-resources/company-ai-marketplace.yaml",
    ):
        location = register_location(validate_location_spec("file", str(EXAMPLES / name)), trusted=True)
        reports.append(refresh_location(location))
    return reports


def test_every_valid_example_loads(loaded):
    stored = set(Entity.objects.exclude(name__startswith="generated-").values_list("ref", flat=True))
    assert stored == expected_refs()


def test_invalid_component_is_refused_naming_file_document_and_fields(loaded):
    errors = loaded[2].refused
    messages = [str(error) for error in errors]
    assert {error.field for error in errors} >= {"metadata.name"}
    assert any(error.field.startswith("metadata.tags") for error in errors)
    assert all("invalid-component.yaml, document 1" in message for message in messages)
    assert not Entity.objects.filter(kind="Component", name__contains=" ").exists()


def test_only_the_invalid_files_report_errors(loaded):
    all_report, acme_report, _, namespace_report, marketplace_report = loaded
    errors = [error for error in all_report.refused if error.level == "error"]
    assert [(error.location_key.rpartition("/")[2], error.field) for error in errors] == [
        ("frontend-design-skill.yaml", "spec.allowedTools")
    ]
    assert acme_report.refused == namespace_report.refused == marketplace_report.refused == []


def test_group_hierarchy_and_membership_relations(loaded):
    team_a, backstage = (
        Entity.objects.filter(ref__in=["group:default/team-a", "group:default/backstage"])
        .order_by("-ref")
        .with_relations()
    )
    assert {"type": "childOf", "targetRef": "group:default/backstage"} in team_a.output_relations
    assert {"type": "parentOf", "targetRef": "group:default/team-a"} in backstage.output_relations
    assert any(relation["type"] == "hasMember" for relation in team_a.output_relations)


def test_remote_placeholders_load_with_a_warning(loaded):
    spotify = Entity.objects.get(ref="api:default/spotify")
    assert spotify.body["spec"]["definition"].startswith("Not loaded: https://")
    assert spotify.processing_errors[0]["level"] == "warning"


def test_relative_text_placeholder_is_embedded(loaded):
    webhook = Entity.objects.get(ref="api:default/petstore-webhook")
    assert webhook.body["spec"]["definition"] == (EXAMPLES / "apis" / "petstore-webhook.oas.yaml").read_text()
