"""Annotations the catalog owns cannot be claimed by a descriptor, and its own links are checked.

A file may not mark itself orphaned or say it lives elsewhere; its view and edit links are shown as
"View source" and "Edit", so only http(s) links on the host the file came from are kept.
"""

from __future__ import annotations

import pytest

from catalog.models import Entity
from catalog.services import refresh_location, register_location, validate_location_spec

# Backstage's stand-in for a refused link, which its clients recognise.
REJECTED_URL = "https://backstage.io/annotation-rejected-for-security-reasons"
GENERIC = "url:https://git.example.com/shop.git#main:catalog-info.yaml"
GITHUB = "url:https://github.com/acme/shop/blob/main/catalog-info.yaml"


def descriptor(**annotations: str) -> dict[str, object]:
    return {
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Component",
        "metadata": {"name": "web", "annotations": annotations},
        "spec": {"type": "service", "lifecycle": "production", "owner": "team-a"},
    }


def stamped(location_key: str, **annotations: str) -> tuple[dict[str, str], list[str]]:
    """The annotations stored for a descriptor read from ``location_key``, and the warnings."""
    from catalog.services.verdicts import Origin, judge_document

    verdict = judge_document(descriptor(**annotations), Origin(location_key, location_key))
    assert verdict.ok, verdict.errors
    return verdict.body["metadata"]["annotations"], [str(warning) for warning in verdict.warnings]


def test_a_descriptor_cannot_mark_itself_orphaned():
    annotations, _ = stamped(GENERIC, **{"backstage.io/orphan": "true"})

    assert "backstage.io/orphan" not in annotations


def test_a_descriptor_cannot_claim_another_location():
    annotations, _ = stamped(
        GENERIC,
        **{
            "backstage.io/managed-by-location": "url:https://evil.example/x.yaml",
            "backstage.io/managed-by-origin-location": "url:https://evil.example/",
        },
    )

    assert annotations["backstage.io/managed-by-location"] == GENERIC
    assert annotations["backstage.io/managed-by-origin-location"] == GENERIC


def test_links_the_catalog_derives_replace_the_descriptors_own():
    annotations, warnings = stamped(
        GITHUB,
        **{
            "backstage.io/view-url": "https://evil.example/phish",
            "backstage.io/edit-url": "https://evil.example/phish",
            "backstage.io/source-location": "url:https://evil.example/",
        },
    )

    assert annotations["backstage.io/view-url"] == "https://github.com/acme/shop/blob/main/catalog-info.yaml"
    assert annotations["backstage.io/edit-url"] == "https://github.com/acme/shop/edit/main/catalog-info.yaml"
    assert annotations["backstage.io/source-location"] == "url:https://github.com/acme/shop/blob/main/"
    assert warnings == []


@pytest.mark.parametrize(
    "value", ["data:text/html,<script>alert(1)</script>", "JavaScript:alert(1)", "java\tscript:alert(1)", "/relative"]
)
def test_a_view_link_that_is_not_http_is_replaced_with_a_warning(value):
    annotations, warnings = stamped(GENERIC, **{"backstage.io/view-url": value})

    assert annotations["backstage.io/view-url"] == REJECTED_URL
    assert len(warnings) == 1
    assert "metadata.annotations.backstage.io/view-url was replaced" in warnings[0]


def test_an_edit_link_off_the_locations_host_is_replaced_with_a_warning():
    annotations, warnings = stamped(GENERIC, **{"backstage.io/edit-url": "https://evil.example/edit"})

    assert annotations["backstage.io/edit-url"] == REJECTED_URL
    assert "it points off git.example.com" in warnings[0]


def test_links_on_the_locations_host_are_kept():
    view = "https://git.example.com/shop/-/blob/main/catalog-info.yaml"
    annotations, warnings = stamped(GENERIC, **{"backstage.io/view-url": view})

    assert annotations["backstage.io/view-url"] == view
    assert warnings == []


def test_a_source_location_off_the_locations_host_is_dropped():
    annotations, warnings = stamped(GENERIC, **{"backstage.io/source-location": "url:file:///etc/"})

    assert "backstage.io/source-location" not in annotations
    assert "source-location was dropped" in warnings[0]


@pytest.mark.django_db
def test_ingestion_stores_the_catalogs_annotations_and_warns(write_file):
    path = write_file(
        "catalog-info.yaml",
        """
        apiVersion: backstage.io/v1alpha1
        kind: Component
        metadata:
          name: web
          annotations:
            backstage.io/orphan: "true"
            backstage.io/view-url: "data:text/html,<b>hi</b>"
        spec: {type: service, lifecycle: production, owner: team-a}
        """,
    )

    refresh_location(register_location(validate_location_spec("file", str(path)), trusted=True))

    entity = Entity.objects.get(ref="component:default/web")
    annotations = entity.body["metadata"]["annotations"]
    assert "backstage.io/orphan" not in annotations
    assert annotations["backstage.io/view-url"] == REJECTED_URL
    assert entity.is_orphan is False
    assert [item["level"] for item in entity.processing_errors] == ["warning"]
