"""One verdict per document, whichever entry point asks: ingestion, catalog_validate, the API, the admin."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from catalog.models import Entity
from catalog.services import refresh_location, register_location, validate_location_spec
from tests.conftest import API_WITH_TEXT_PLACEHOLDER, component

pytestmark = pytest.mark.django_db
BASE = "/api/catalog"


def location_yaml(name: str, *, spec_type: str | None = None, targets: tuple[str, ...] = ("./web.yaml",)) -> str:
    type_line = f"  type: {spec_type}\n" if spec_type else ""
    target_lines = "".join(f"    - {target}\n" for target in targets)
    return (
        "apiVersion: backstage.io/v1alpha1\nkind: Location\n"
        f"metadata:\n  name: {name}\nspec:\n{type_line}  targets:\n{target_lines}"
    )


def register(path) -> object:
    return register_location(validate_location_spec("file", str(path)), trusted=True)


def validate(path) -> tuple[str, str]:
    """``catalog_validate``'s output and errors; it fails exactly when it printed an error."""
    out, err = StringIO(), StringIO()
    try:
        call_command("catalog_validate", str(path), stdout=out, stderr=err)
    except CommandError:
        assert err.getvalue()
    else:
        assert "warning:" in err.getvalue() or not err.getvalue()
    return out.getvalue(), err.getvalue()


# --- Location targets ----------------------------------------------------------------------------


def test_location_with_a_file_target_ending_in_a_separator_is_refused_and_not_stored(write_file):
    path = write_file("catalog-info.yaml", location_yaml("dir", targets=("./web.yaml", "./teams/")))
    write_file("web.yaml", component("web"))

    report = refresh_location(register(path))

    assert [(error.field, error.entity_ref) for error in report.refused] == [
        ("spec.targets[1]", "location:default/dir")
    ]
    assert "spec.targets[1] './teams/' ends with a path separator" in str(report.refused[0])
    assert not Entity.objects.filter(ref__in=["location:default/dir", "component:default/web"]).exists()


def test_location_of_a_type_that_is_not_allowed_is_refused_and_not_stored(write_file):
    path = write_file("catalog-info.yaml", location_yaml("elsewhere", spec_type="github"))
    write_file("web.yaml", component("web"))

    report = refresh_location(register(path))

    assert [error.field for error in report.refused] == ["spec.type"]
    assert 'Registered locations must be of an allowed type ["url"]' in str(report.refused[0])
    assert not Entity.objects.filter(ref="location:default/elsewhere").exists()


def test_location_naming_the_type_it_was_read_from_is_accepted(write_file):
    path = write_file("catalog-info.yaml", location_yaml("same", spec_type="file"))
    write_file("web.yaml", component("web"))

    report = refresh_location(register(path))

    assert report.refused == []
    assert Entity.objects.filter(ref__in=["location:default/same", "component:default/web"]).count() == 2


def test_a_stored_location_that_becomes_invalid_keeps_its_last_good_version_and_children(write_file):
    path = write_file("catalog-info.yaml", location_yaml("tree"))
    write_file("web.yaml", component("web"))
    location = register(path)
    refresh_location(location)
    stored = Entity.objects.get(ref="location:default/tree")
    path.write_text(location_yaml("tree", spec_type="github"))

    report = refresh_location(location)

    assert report.orphaned == []
    assert [error.field for error in report.refused] == ["spec.type"]
    kept = Entity.objects.get(ref="location:default/tree")
    assert (kept.body, kept.generation) == (stored.body, stored.generation)
    assert kept.processing_errors[0]["level"] == "error"
    assert Entity.objects.get(ref="component:default/web").is_orphan is False


def test_catalog_validate_refuses_the_same_locations(write_file):
    path = write_file("catalog-info.yaml", location_yaml("dir", targets=("./teams/",)))

    out, err = validate(path)

    assert out == ""
    assert "spec.targets[0]: spec.targets[0] './teams/' ends with a path separator" in err


def test_validate_entity_refuses_a_location_of_a_type_that_is_not_allowed(api):
    entity = {
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Location",
        "metadata": {"name": "local"},
        "spec": {"type": "file", "target": "/etc/"},
    }

    response = api.post(
        f"{BASE}/validate-entity", {"entity": entity, "location": "url:https://git.example.com/x"}, format="json"
    )

    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["message"].startswith("spec.type 'file' differs from the type of the location it was read from")


def test_allowed_location_types_follow_the_setting(write_file, settings):
    settings.API_LOCATION_TYPES = ["url", "github"]
    path = write_file("catalog-info.yaml", location_yaml("elsewhere", spec_type="github"))

    out, err = validate(path)

    assert err == ""
    assert out.endswith("ok location:default/elsewhere\n")


# --- Placeholders --------------------------------------------------------------------------------


def test_catalog_validate_resolves_a_relative_placeholder_next_to_the_file(write_file):
    path = write_file("catalog-info.yaml", API_WITH_TEXT_PLACEHOLDER)
    write_file("openapi.yaml", "openapi: 3.0.0\n")

    out, err = validate(path)

    assert (out, err) == (f"{path}:1: document 1: ok api:default/pets\n", "")


def test_catalog_validate_refuses_a_relative_placeholder_whose_file_is_missing(write_file):
    path = write_file("catalog-info.yaml", API_WITH_TEXT_PLACEHOLDER)

    out, err = validate(path)

    assert out == ""
    assert f"{path}:1: document 1 (api:default/pets): spec.definition: $text placeholder: File " in err


def test_catalog_validate_gives_a_remote_placeholder_the_stand_in_and_a_warning(write_file):
    text = API_WITH_TEXT_PLACEHOLDER.replace("./openapi.yaml", "https://example.com/openapi.yaml")
    path = write_file("catalog-info.yaml", text)

    out, _ = validate(path)

    assert out.splitlines() == [
        f"{path}:1: document 1: ok api:default/pets",
        f"{path}:1: document 1 (api:default/pets): warning: spec.definition: $text placeholder "
        "https://example.com/openapi.yaml was not loaded: example.com has no integration; "
        "configure one in integrations: of GREENROOM_CONFIG",
    ]


def test_validate_entity_accepts_a_placeholder_definition_without_reading_it(api):
    entity = {
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "API",
        "metadata": {"name": "pets"},
        "spec": {"type": "openapi", "lifecycle": "production", "owner": "team-a", "definition": {"$text": "./x"}},
    }

    response = api.post(
        f"{BASE}/validate-entity", {"entity": entity, "location": "url:https://git.example.com/x"}, format="json"
    )

    assert response.status_code == 200


def test_admin_edit_resolves_a_relative_placeholder_next_to_the_source_file(admin_client, write_file):
    path = write_file("catalog-info.yaml", API_WITH_TEXT_PLACEHOLDER)
    write_file("openapi.yaml", "openapi: 3.0.0\n")
    refresh_location(register(path))
    entity = Entity.objects.get(ref="api:default/pets")
    write_file("other.yaml", "openapi: 3.1.0\n")
    edited = API_WITH_TEXT_PLACEHOLDER.replace("./openapi.yaml", "./other.yaml")

    response = admin_client.post(f"/admin/catalog/entity/{entity.pk}/change/", {"body_yaml": edited})

    assert response.status_code == 302
    entity.refresh_from_db()
    assert entity.body["spec"]["definition"] == "openapi: 3.1.0\n"


def test_validate_entity_names_the_type_of_an_entity_that_is_no_object(api):
    response = api.post(
        f"{BASE}/validate-entity", {"entity": ["Component"], "location": "url:https://git.example.com/x"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"] == [{"name": "InputError", "message": "entity must be an object, got array"}]
