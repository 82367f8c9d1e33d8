"""``$openapi``/``$asyncapi`` placeholders: multi-file definitions bundled from file and git locations.

The fixtures (``tests/fixtures/openapi-bundle``, ``asyncapi-bundle``) are copied into a temporary
folder or committed to a temporary git repository and registered as the catalog would be.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from catalog.formats.yaml_reader import parse_documents
from catalog.models import Entity
from catalog.services import parse_location_target, refresh_location, register_location, validate_location_spec

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def parsed(text: str) -> dict:
    (document,) = parse_documents(text.encode(), source="test")
    assert document.error is None
    return document.data


def copy_fixture(name: str, tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURES / name, tmp_path / name))


def register_file(path: Path):
    return register_location(validate_location_spec("file", str(path)), trusted=True)


def api_descriptor(name: str, key: str, target: str) -> str:
    """An API entity whose definition is the placeholder ``{key: target}``."""
    spec_type = key.removeprefix("$")
    return (
        f"apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata: {{name: {name}}}\n"
        f"spec: {{type: {spec_type}, lifecycle: production, owner: team-a, definition: {{{key}: {target}}}}}\n"
    )


def definition_of(ref: str) -> str:
    return Entity.objects.get(ref=ref).body["spec"]["definition"]


def test_openapi_files_are_bundled_into_one_document_with_internal_refs(tmp_path):
    folder = copy_fixture("openapi-bundle", tmp_path)

    report = refresh_location(register_file(folder / "catalog-info.yaml"))

    assert report.refused == []
    bundled = parsed(definition_of("api:default/nursery-api"))
    assert bundled == parsed((FIXTURES / "openapi-bundle-expected.yaml").read_text())


def test_each_file_target_is_written_once_and_cycles_end_as_internal_refs(tmp_path):
    folder = copy_fixture("openapi-bundle", tmp_path)
    refresh_location(register_file(folder / "catalog-info.yaml"))
    text = definition_of("api:default/nursery-api")
    bundled = parsed(text)

    assert text.count("A plant for sale.") == 1 and text.count("A botanical family.") == 1
    schemas = bundled["components"]["schemas"]
    assert list(schemas) == ["Plant", "Error", "family", "Timestamp"]
    assert schemas["Plant"]["properties"]["companions"]["items"] == {"$ref": "#/components/schemas/Plant"}
    assert schemas["family"]["properties"]["typical"] == {"$ref": "#/components/schemas/Plant"}
    assert "$ref: ./" not in text and "$ref: ../" not in text


def test_a_reference_back_to_the_root_file_becomes_internal(tmp_path):
    folder = copy_fixture("openapi-bundle", tmp_path)
    refresh_location(register_file(folder / "catalog-info.yaml"))
    responses = parsed(definition_of("api:default/nursery-api"))["components"]["responses"]

    assert responses["NotFound"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


def test_asyncapi_messages_and_payloads_move_to_components(tmp_path):
    folder = copy_fixture("asyncapi-bundle", tmp_path)
    (folder / "catalog-info.yaml").write_text(api_descriptor("watering", "$asyncapi", "./asyncapi.yaml"))

    report = refresh_location(register_file(folder / "catalog-info.yaml"))

    assert report.refused == []
    bundled = parsed(definition_of("api:default/watering"))
    assert bundled["channels"]["plants/dry"]["subscribe"]["message"] == {
        "oneOf": [{"$ref": "#/components/messages/dry"}, {"$ref": "#/components/messages/watered"}]
    }
    assert bundled["components"]["messages"]["watered"] == {
        "name": "PlantWatered",
        "contentType": "application/json",
        "payload": {"$ref": "#/components/schemas/watering"},
    }
    assert bundled["components"]["schemas"]["watering"]["properties"]["litres"] == {"type": "number"}


def test_a_json_target_is_bundled_as_json(write_file):
    write_file("schemas.json", '{"Pet": {"type": "object", "properties": {"id": {"type": "integer"}}}}')
    write_file(
        "openapi.json",
        '{"openapi": "3.1.0", "info": {"title": "J", "version": "1"}, "paths": {"/p": {"get": {"responses": '
        '{"200": {"description": "ok", "content": {"application/json": {"schema": '
        '{"$ref": "schemas.json#/Pet"}}}}}}}}}',
    )
    descriptor = write_file("catalog-info.yaml", api_descriptor("j", "$openapi", "./openapi.json"))

    refresh_location(register_file(descriptor))

    text = definition_of("api:default/j")
    assert text.startswith("{\n")
    assert parsed(text)["components"] == {
        "schemas": {"Pet": {"type": "object", "properties": {"id": {"type": "integer"}}}}
    }


def test_a_git_location_bundles_files_of_the_same_commit(git_repo):
    repo = git_repo()
    files = {
        str(path.relative_to(FIXTURES / "openapi-bundle")): path.read_text()
        for path in (FIXTURES / "openapi-bundle").rglob("*.yaml")
    }
    repo.commit(files)
    location = register_location(parse_location_target(f"{repo.url}#main:catalog-info.yaml"), trusted=True)

    report = refresh_location(location)

    assert report.refused == []
    bundled = parsed(definition_of("api:default/nursery-api"))
    assert bundled == parsed((FIXTURES / "openapi-bundle-expected.yaml").read_text())


def test_a_git_reference_outside_the_repository_is_refused(git_repo):
    repo = git_repo()
    repo.commit(
        {
            "catalog-info.yaml": (FIXTURES / "openapi-bundle" / "catalog-info.yaml").read_text(),
            "openapi.yaml": "openapi: 3.0.3\ninfo: {title: x, version: '1'}\npaths: {/x: {$ref: '../../etc/passwd'}}\n",
        }
    )
    location = register_location(parse_location_target(f"{repo.url}#main:catalog-info.yaml"), trusted=True)

    report = refresh_location(location)

    assert not Entity.objects.filter(ref="api:default/nursery-api").exists()
    (error,) = report.refused
    assert error.field == "spec.definition"
    assert error.message.startswith("$openapi placeholder ./openapi.yaml: url:")
    assert "openapi.yaml (paths./x): $ref ../../etc/passwd: Refused target '../../etc/passwd'" in error.message
    assert "leaves the repository root" in error.message


def test_a_broken_reference_keeps_the_stored_definition_and_records_the_error(tmp_path):
    folder = copy_fixture("openapi-bundle", tmp_path)
    location = register_file(folder / "catalog-info.yaml")
    refresh_location(location)
    before = Entity.objects.get(ref="api:default/nursery-api")
    (folder / "common.yaml").write_text("Moment: {type: string}\n")

    report = refresh_location(location)

    after = Entity.objects.get(ref="api:default/nursery-api")
    assert after.body == before.body and after.etag == before.etag
    (error,) = report.refused
    expected = (
        f"$openapi placeholder ./openapi.yaml: file:{folder}/schemas/plant.yaml (properties.plantedAt): "
        f"$ref ../common.yaml#/Timestamp: nothing at #/Timestamp in file:{folder}/common.yaml"
    )
    assert error.message == expected
    assert [item["message"] for item in after.processing_errors] == [
        f"InputError: {folder}/catalog-info.yaml, document 1 (line 10), spec.definition: {expected}"
    ]


def test_the_api_page_shows_the_bundled_schemas(client, settings, tmp_path):
    settings.API_ANONYMOUS_READ = True
    folder = copy_fixture("openapi-bundle", tmp_path)
    refresh_location(register_file(folder / "catalog-info.yaml"))

    page = client.get("/catalog/api/default/nursery-api/definition/").content.decode()

    assert "List the plants in stock" in page and "Read one plant" in page
    assert 'id="schema-Plant"' in page and 'id="schema-family"' in page and 'id="schema-Timestamp"' in page
    assert "A botanical family." in page
    assert "external reference, not fetched" not in page


def test_the_documented_example_loads_with_the_fixture_files(tmp_path):
    doc = (Path(__file__).resolve().parents[2] / "docs" / "apis-and-explore.md").read_text()
    section = doc[doc.index("## Multi-file definitions") :]
    descriptor, definition = re.findall(r"```yaml\n(.*?)```", section, re.S)[:2]
    folder = copy_fixture("openapi-bundle", tmp_path)
    (folder / "catalog-info.yaml").write_text(descriptor)
    (folder / "openapi.yaml").write_text(definition)

    report = refresh_location(register_file(folder / "catalog-info.yaml"))

    assert report.refused == []
    bundled = parsed(definition_of("api:default/nursery-api"))
    assert bundled["paths"]["/plants/{plantId}"]["get"]["parameters"] == [{"$ref": "#/components/parameters/PlantId"}]
    assert list(bundled["components"]["schemas"]) == ["Plant", "Error", "family", "Timestamp"]
    not_found = bundled["components"]["responses"]["NotFound"]["content"]["application/json"]
    assert not_found["schema"] == {"$ref": "#/components/schemas/Error"}


def test_values_yaml_1_1_would_misread_are_written_as_json(write_file):
    write_file("enum.yaml", "type: string\nenum: ['0o17', 'yes', '1e3']\n")
    write_file(
        "openapi.yaml",
        "openapi: 3.0.3\ninfo: {title: E, version: '1'}\ncomponents: {schemas: {E: {$ref: ./enum.yaml}}}\n",
    )
    descriptor = write_file("catalog-info.yaml", api_descriptor("e", "$openapi", "./openapi.yaml"))

    refresh_location(register_file(descriptor))

    text = definition_of("api:default/e")
    assert text.startswith("{\n")
    assert parsed(text)["components"]["schemas"]["E"] == {"type": "string", "enum": ["0o17", "yes", "1e3"]}


def test_a_symbolic_link_in_git_is_not_followed(git_repo):
    repo = git_repo()
    (repo.path / "pet.yaml").symlink_to("/etc/passwd")
    repo.commit(
        {
            "catalog-info.yaml": api_descriptor("linked", "$openapi", "./openapi.yaml"),
            "openapi.yaml": "openapi: 3.0.3\ncomponents: {schemas: {Pet: {$ref: ./pet.yaml}}}\n",
        }
    )
    location = register_location(parse_location_target(f"{repo.url}#main:catalog-info.yaml"), trusted=True)

    report = refresh_location(location)

    assert not Entity.objects.filter(ref="api:default/linked").exists()
    (error,) = report.refused
    assert "openapi.yaml (components.schemas.Pet): $ref ./pet.yaml: 'pet.yaml' is a symbolic link in" in error.message
    assert error.message.endswith("; not followed") and "root:" not in error.message
