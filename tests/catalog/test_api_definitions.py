"""The Definition tab of API entities: OpenAPI outlines, AsyncAPI lists, highlighted sources, and
definitions that try to hurt the server."""

from __future__ import annotations

import json
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string

from catalog.api_definitions import definition_context, is_api
from catalog.api_definitions.highlight import MAX_HIGHLIGHT_CHARS
from catalog.api_definitions.schemas import SchemaBuilder
from catalog.api_definitions.tab import build_definition
from portal.registry import entity_tabs

DEFINITIONS = Path(__file__).parent / "definitions"


def definition(name: str) -> str:
    return (DEFINITIONS / name).read_text()


def rendered(text, spec_type: str) -> str:
    return render_to_string("catalog/tabs/api_definition.html", {"data": build_definition(text, spec_type)})


def api_entity(text: str, spec_type: str = "openapi", etag: str = "e1") -> SimpleNamespace:
    body = {"kind": "API", "spec": {"type": spec_type, "definition": text}}
    return SimpleNamespace(pk="00000000-0000-0000-0000-000000000001", kind="API", etag=etag, body=body)


def test_tab_is_registered_for_api_entities_only():
    assert "definition" in [tab.key for tab in entity_tabs(SimpleNamespace(kind="API"))]
    assert "definition" not in [tab.key for tab in entity_tabs(SimpleNamespace(kind="Component"))]
    assert is_api(SimpleNamespace(kind="API")) and not is_api(SimpleNamespace(kind="System"))


def test_openapi_outline_groups_operations_by_tag():
    outline = build_definition(definition("petstore.yaml"), "openapi")["openapi"]
    assert (outline.title, outline.api_version, outline.version) == ("Petstore", "1.2.0", "3.0.3")
    assert outline.servers == [("https://petstore.example.com/v1", "Production")]
    groups = {tag: [(op.method, op.path) for op in ops] for tag, ops in outline.groups}
    assert groups == {
        "pets": [("GET", "/pets"), ("POST", "/pets"), ("GET", "/pets/{petId}")],
        "Other operations": [("GET", "/health")],
    }


def test_openapi_parameters_include_path_level_and_referenced_ones():
    outline = build_definition(definition("petstore.yaml"), "openapi")["openapi"]
    list_pets, _, get_pet = outline.groups[0][1]
    limit = list_pets.parameters[0]
    assert (limit.name, limit.location, limit.required, limit.type) == ("limit", "query", False, "integer (int32)")
    pet_id = get_pet.parameters[0]
    assert (pet_id.name, pet_id.location, pet_id.required, pet_id.type) == ("petId", "path", True, "string")


def test_openapi_bodies_and_responses_resolve_component_refs():
    outline = build_definition(definition("petstore.yaml"), "openapi")["openapi"]
    list_pets, create_pet, _ = outline.groups[0][1]
    media_type, pet = create_pet.request_body.contents[0]
    assert media_type == "application/json" and pet.ref == "Pet" and pet.anchor == "schema-Pet"
    assert [(prop.name, prop.required, prop.schema.type) for prop in pet.properties[:3]] == [
        ("id", True, "integer"),
        ("name", True, "string"),
        ("kind", False, "string"),
    ]
    assert pet.properties[2].schema.enum == ["cat", "dog"]
    statuses = {response.status: response.body for response in list_pets.responses}
    assert statuses["200"].contents[0][1].items.ref == "Pet"
    assert statuses["default"].description == "unexpected error"
    assert statuses["default"].contents[0][1].ref == "Error"


def test_self_reference_is_shown_as_a_cycle_and_remote_refs_are_not_fetched():
    outline = build_definition(definition("petstore.yaml"), "openapi")["openapi"]
    pet = outline.groups[0][1][1].request_body.contents[0][1]
    parent = next(prop.schema for prop in pet.properties if prop.name == "parent")
    avatar = next(prop.schema for prop in pet.properties if prop.name == "avatar")
    assert parent.ref == "Pet" and "cycle" in parent.note and not parent.properties
    assert avatar.ref == "https://schemas.example.com/avatar.json" and "not fetched" in avatar.note


def test_schemas_section_lists_named_schemas():
    outline = build_definition(definition("petstore.yaml"), "openapi")["openapi"]
    assert [name for name, _, _ in outline.schemas] == ["Pet", "Pets", "Error"]


def test_swagger_2_json_reads_body_parameters_and_definitions():
    outline = build_definition(definition("swagger.json"), "openapi")["openapi"]
    assert outline.servers == [("https://users.example.com/api", "")]
    operation = outline.groups[0][1][0]
    assert [(p.name, p.location, p.type) for p in operation.parameters] == [("dryRun", "query", "boolean")]
    assert operation.request_body.contents[0][0] == "application/json"
    assert operation.request_body.contents[0][1].ref == "User"
    assert operation.responses[0].body.contents[0][1].properties[0].schema.format == "email"
    assert [name for name, _, _ in outline.schemas] == ["User"]


def test_openapi_page_renders_operations_schemas_and_escapes_html():
    page = rendered(definition("petstore.yaml"), "openapi")
    assert 'id="schema-Pet"' in page and "List all pets" in page and "/pets/{petId}" in page
    assert "<script>alert" not in page and "&lt;script&gt;alert(&#x27;info&#x27;)&lt;/script&gt;" in page
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<b>name</b>" not in page and "&lt;b&gt;name&lt;/b&gt;" in page
    assert 'class="highlight"' in page  # the source, highlighted, below the outline


def test_asyncapi_lists_channels_operations_and_messages():
    data = build_definition(definition("streetlights.yaml"), "asyncapi")
    outline = data["asyncapi"]
    assert outline.servers == [("production", "mqtt.example.com", "mqtt")]
    channel = outline.channels[0]
    assert channel.address == "light/measured"
    assert [(op.action, op.messages) for op in channel.operations] == [("publish", ["LightMeasured"])]
    assert outline.messages[0].payload.properties[0].name == "lumens"
    page = rendered(definition("streetlights.yaml"), "asyncapi")
    assert 'id="message-lightmeasured"' in page and 'class="highlight"' in page


def test_asyncapi_3_operations_point_at_channels():
    text = json.dumps(
        {
            "asyncapi": "3.0.0",
            "info": {"title": "Orders", "version": "1"},
            "channels": {
                "orders": {
                    "address": "orders.created",
                    "messages": {"created": {"$ref": "#/components/messages/Created"}},
                }
            },
            "operations": {"onCreated": {"action": "receive", "channel": {"$ref": "#/channels/orders"}}},
            "components": {"messages": {"Created": {"payload": {"type": "object"}}}},
        }
    )
    channel = build_definition(text, "asyncapi")["asyncapi"].channels[0]
    assert channel.address == "orders.created" and channel.messages == ["Created"]
    assert [(op.action, op.summary) for op in channel.operations] == [("receive", "onCreated")]


@pytest.mark.parametrize(
    ("spec_type", "text", "token"),
    [
        ("graphql", "type Query {\n  pets: [Pet!]! # all of them\n}\n", '<span class="k">type</span>'),
        ("grpc", 'syntax = "proto3";\nmessage Pet { string name = 1; }\n', '<span class="kd">message</span>'),
    ],
)
def test_graphql_and_protobuf_are_highlighted(spec_type, text, token):
    data = build_definition(text, spec_type)
    assert data["problem"] is None and data["openapi"] is None
    assert token in str(data["source"].html)


def test_script_in_a_graphql_definition_is_escaped():
    page = rendered("type Query { a: String } # </pre><script>alert(1)</script>\n", "graphql")
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_bad_yaml_shows_the_source_with_the_problem_named():
    data = build_definition("openapi: 3.0.0\npaths: {\n  /x: [\n", "openapi")
    assert data["openapi"] is None and "YAML syntax error" in data["problem"] and "line" in data["problem"]
    page = rendered("openapi: 3.0.0\npaths: {\n  /x: [\n", "openapi")
    assert "could not be read" in page and 'class="highlight"' in page


def test_definition_without_version_field_is_named():
    data = build_definition("info: {title: x}\n", "openapi")
    assert data["openapi"] is None and "'openapi' or 'swagger'" in data["problem"]


def test_alias_bomb_is_refused_quickly():
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    text = "openapi: 3.0.0\n" + "\n".join(lines) + "\n"
    started = time.monotonic()
    data = build_definition(text, "openapi")
    assert time.monotonic() - started < 2
    assert data["openapi"] is None and "expands to more than 200000 nodes through its aliases" in data["problem"]


def test_deep_nesting_is_refused():
    text = "openapi: 3.0.0\nx: " + "[" * 5000 + "]" * 5000 + "\n"
    data = build_definition(text, "openapi")
    assert data["openapi"] is None and "deeper than" in data["problem"]


def test_deep_ref_chain_and_mutual_cycles_stop():
    schemas = {
        f"S{i}": {"type": "object", "properties": {"next": {"$ref": f"#/components/schemas/S{i + 1}"}}}
        for i in range(200)
    }
    schemas["S200"] = {"$ref": "#/components/schemas/S0"}
    schemas["Loop"] = {"$ref": "#/components/schemas/Loop"}
    document = {"openapi": "3.1.0", "components": {"schemas": schemas}}
    node = SchemaBuilder(document).build({"$ref": "#/components/schemas/S0"})
    depth = 0
    while node.properties:
        node, depth = node.properties[0].schema, depth + 1
    assert depth <= 6 and "deeper than shown" in node.note
    loop = SchemaBuilder(document).build({"$ref": "#/components/schemas/Loop"})
    assert "cycle" in loop.note
    page = rendered(json.dumps(document), "openapi")
    assert "Schemas" in page


def test_fan_out_is_bounded_by_the_node_budget():
    wide = {f"p{i}": {"$ref": "#/components/schemas/Wide"} for i in range(150)}
    document = {
        "openapi": "3.0.0",
        "paths": {
            "/x": {
                "get": {
                    "responses": {
                        "200": {
                            "description": "x",
                            "content": {"a/b": {"schema": {"$ref": "#/components/schemas/Wide"}}},
                        }
                    }
                }
            }
        },
        "components": {"schemas": {"Wide": {"type": "object", "properties": wide}}},
    }
    started = time.monotonic()
    data = build_definition(json.dumps(document), "openapi")
    render_to_string("catalog/tabs/api_definition.html", {"data": data})
    assert time.monotonic() - started < 5
    assert "too large to show in full" in " ".join(data["openapi"].notes)


def test_five_megabyte_definition_is_not_parsed_and_shown_truncated():
    text = "openapi: 3.0.0\ninfo: {title: big}\nx-padding:\n" + "  - 'padding padding padding padding'\n" * 140_000
    assert len(text) > 5_000_000
    started = time.monotonic()
    page = rendered(text, "openapi")
    assert time.monotonic() - started < 10
    assert "more than the 2,097,152 bytes read here" in page
    assert "only its first" in page
    assert len(page) < MAX_HIGHLIGHT_CHARS * 20


def test_missing_or_non_text_definition_is_named():
    assert "no definition" in build_definition(None, "openapi")["problem"]
    assert "no definition" in build_definition({"openapi": "3.0.0"}, "openapi")["problem"]


def test_context_is_cached_per_etag():
    entity = api_entity("type Query { a: String }", "graphql")
    first = definition_context(None, entity)
    entity.body["spec"]["definition"] = "type Query { b: Int }"
    assert definition_context(None, entity) == first and "Int" not in str(first["source"].html)
    entity.etag = "e2"
    assert "Int" in str(definition_context(None, entity)["source"].html)


@pytest.mark.django_db
def test_definition_tab_renders_through_the_entity_page(client, settings, write_file):
    from catalog.services import refresh_location, register_location, validate_location_spec

    settings.API_ANONYMOUS_READ = True
    write_file("petstore.yaml", definition("petstore.yaml"))
    descriptor = write_file(
        "catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata: {name: petstore}\n"
        "spec: {type: openapi, lifecycle: production, owner: team-a, definition: {$text: ./petstore.yaml}}\n"
        "---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: shop}\n"
        "spec: {type: service, lifecycle: production, owner: team-a}\n",
    )
    refresh_location(register_location(validate_location_spec("file", str(descriptor)), trusted=True))
    overview = client.get("/catalog/api/default/petstore/").content.decode()
    assert 'href="/catalog/api/default/petstore/definition/"' in overview
    page = client.get("/catalog/api/default/petstore/definition/").content.decode()
    assert "List all pets" in page and 'id="schema-Pet"' in page and "&lt;script&gt;alert" in page
    assert client.get("/catalog/component/default/shop/definition/").status_code == 404
