"""Refusals name the type that was given: a list is an array, not an "object"."""

from __future__ import annotations

from catalog.formats.validation import FieldError, validate_entity
from catalog.formats.yaml_reader import parse_documents


def component(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Component",
        "metadata": {"name": "web"},
        "spec": {"type": "service", "lifecycle": "production", "owner": "team-a"},
    }
    body.update(overrides)
    return body


def test_a_list_at_the_document_root_is_reported_as_an_array():
    [document] = parse_documents(b"- apiVersion: backstage.io/v1alpha1\n  kind: Component\n", source="x.yaml")

    assert document.error == "Expected object at root, got array (line 1)"


def test_a_list_where_metadata_belongs_is_reported_as_an_array():
    assert validate_entity(component(metadata=[{"name": "web"}])) == [
        FieldError("metadata", "metadata must be an object, got array")
    ]


def test_a_list_where_spec_belongs_is_reported_as_an_array():
    assert validate_entity(component(spec=["service"])) == [FieldError("spec", "spec must be an object, got array")]


def test_a_list_where_annotations_belong_is_reported_as_an_array():
    errors = validate_entity(component(metadata={"name": "web", "annotations": ["a=b"]}))

    assert errors == [FieldError("metadata.annotations", "metadata.annotations must be an object, got array")]


def test_a_list_where_a_spec_object_belongs_is_reported_as_an_array():
    entity = component(kind="User", metadata={"name": "ada"}, spec={"memberOf": [], "profile": ["Ada Lovelace"]})

    assert validate_entity(entity) == [FieldError("spec.profile", "spec.profile must be an object, got array")]
