"""``catalog.formats.ref_bundle`` alone: where targets go, their names, and the limits.

The files are held in a dictionary read by a callback, as the catalog's reader would return them.
"""

from __future__ import annotations

import posixpath

import pytest

from catalog.formats.ref_bundle import BundleError, ReadFile, bundle_document, document_kind


def reader(files: dict[str, object]):
    def read(current: ReadFile, file_part: str) -> ReadFile:
        name = posixpath.normpath(posixpath.join(posixpath.dirname(current.name), file_part))
        if name not in files:
            raise BundleError(f"{name} not found")
        return ReadFile(name, files[name], size=len(repr(files[name])))

    return read


def bundle(root: dict, files: dict[str, object], **limits):
    return bundle_document(ReadFile("api/root.yaml", root), reader(files), **limits)


def test_swagger_2_targets_go_to_definitions_parameters_and_responses():
    root = {
        "swagger": "2.0",
        "paths": {
            "/pets": {
                "get": {
                    "parameters": [{"$ref": "common.yaml#/Limit"}],
                    "responses": {
                        "200": {"description": "ok", "schema": {"$ref": "pet.yaml"}},
                        "default": {"$ref": "common.yaml#/Error"},
                    },
                }
            }
        },
    }
    files = {
        "api/common.yaml": {"Limit": {"name": "limit", "in": "query"}, "Error": {"description": "bad"}},
        "api/pet.yaml": {"type": "object"},
    }

    result = bundle(root, files)

    assert result.document["paths"]["/pets"]["get"] == {
        "parameters": [{"$ref": "#/parameters/Limit"}],
        "responses": {
            "200": {"description": "ok", "schema": {"$ref": "#/definitions/pet"}},
            "default": {"$ref": "#/responses/Error"},
        },
    }
    assert result.document["definitions"] == {"pet": {"type": "object"}}
    assert result.document["parameters"] == {"Limit": {"name": "limit", "in": "query"}}
    assert result.document["responses"] == {"Error": {"description": "bad"}}
    assert result.files == ["api/root.yaml", "api/common.yaml", "api/pet.yaml"]


def test_names_already_taken_get_a_number():
    root = {
        "openapi": "3.1.0",
        "paths": {},
        "components": {"schemas": {"Pet": {"type": "string"}, "List": {"items": [{"$ref": "a.yaml#/Pet"}]}}},
        "x-more": {"schema": {"$ref": "b.yaml#/Pet"}},
    }
    files = {"api/a.yaml": {"Pet": {"title": "A"}}, "api/b.yaml": {"Pet": {"title": "B"}}}

    result = bundle(root, files)

    schemas = result.document["components"]["schemas"]
    assert schemas["List"] == {"items": [{"$ref": "#/components/schemas/Pet_2"}]}
    assert result.document["x-more"] == {"schema": {"$ref": "#/components/schemas/Pet_3"}}
    assert schemas["Pet"] == {"type": "string"}
    assert schemas["Pet_2"] == {"title": "A"} and schemas["Pet_3"] == {"title": "B"}


def test_one_target_spelled_two_ways_is_written_once():
    root = {
        "openapi": "3.0.3",
        "components": {
            "schemas": {"A": {"$ref": "./pet.yaml"}, "B": {"properties": {"p": {"$ref": "sub/../pet.yaml"}}}}
        },
    }

    result = bundle(root, {"api/pet.yaml": {"type": "object"}})

    assert result.document["components"]["schemas"] == {
        "A": {"type": "object"},
        "B": {"properties": {"p": {"$ref": "#/components/schemas/A"}}},
    }


def test_two_root_slots_naming_one_file_share_it():
    root = {"openapi": "3.0.3", "components": {"schemas": {"A": {"$ref": "pet.yaml"}, "B": {"$ref": "./pet.yaml"}}}}

    result = bundle(root, {"api/pet.yaml": {"type": "object"}})

    assert result.document["components"]["schemas"] == {
        "A": {"type": "object"},
        "B": {"$ref": "#/components/schemas/A"},
    }


def test_internal_refs_and_keys_beside_a_ref_are_kept():
    root = {
        "openapi": "3.1.0",
        "paths": {"/a": {"get": {"responses": {"200": {"$ref": "#/components/responses/Ok"}}}}},
        "components": {
            "responses": {"Ok": {"description": "ok"}},
            "schemas": {"S": {"properties": {"t": {"$ref": "t.yaml", "description": "When."}}}},
        },
    }

    result = bundle(root, {"api/t.yaml": {"type": "string"}})

    assert result.document["paths"] == root["paths"]
    assert result.document["components"]["schemas"]["S"]["properties"]["t"] == {
        "$ref": "#/components/schemas/t",
        "description": "When.",
    }


def test_the_bytes_read_are_limited():
    root = {"openapi": "3.0.3", "components": {"schemas": {"A": {"$ref": "a.yaml"}, "B": {"$ref": "b.yaml"}}}}
    files = {"api/a.yaml": {"description": "x" * 600}, "api/b.yaml": {"description": "y" * 600}}

    with pytest.raises(BundleError) as refused:
        bundle(root, files, max_bytes=1000)

    assert str(refused.value) == (
        "api/root.yaml (components.schemas.B): $ref b.yaml: the files read would exceed 1,000 bytes"
    )


def test_a_target_written_in_place_many_times_stops_at_the_node_budget():
    root = {"openapi": "3.0.3", "x-fan": [{"$ref": "f0.yaml"}] * 10}
    files = {f"api/f{i}.yaml": {"x-fan": [{"$ref": f"f{i + 1}.yaml"}] * 10} for i in range(8)}
    files["api/f8.yaml"] = {"leaf": True}

    with pytest.raises(BundleError, match=r"^api/root.yaml: the bundled document would exceed 200,000 nodes$"):
        bundle(root, files)


def test_components_that_are_not_a_mapping_are_named():
    root = {"openapi": "3.0.3", "components": ["x"], "paths": {"/a": {"get": {"parameters": [{"$ref": "p.yaml"}]}}}}

    with pytest.raises(BundleError, match=r"^api/root.yaml: 'components' is not a mapping$"):
        bundle(root, {"api/p.yaml": {"name": "p", "in": "query"}})


@pytest.mark.parametrize(
    ("document", "kind"),
    [({"swagger": "2.0"}, "swagger"), ({"asyncapi": "3.0.0"}, "asyncapi"), ({"openapi": "3.1.0"}, "openapi")],
)
def test_document_kind_follows_the_version_field(document, kind):
    assert document_kind(document) == kind


def nested(depth: int, leaf: object) -> object:
    for level in range(depth):
        leaf = {f"x-{level}": leaf}
    return leaf


def test_targets_written_in_place_may_not_nest_past_the_limit():
    root = {"openapi": "3.0.3", "paths": {"/a": {"$ref": "p0.yaml"}}}
    files = {f"api/p{i}.yaml": nested(30, {"$ref": f"p{i + 1}.yaml"}) for i in range(5)}
    files["api/p5.yaml"] = {"get": {}}

    with pytest.raises(BundleError, match=r"^api/p3.yaml: the bundled document nests deeper than 100 levels$"):
        bundle(root, files)


def test_the_text_written_is_limited():
    root = {"openapi": "3.0.3", "x-fan": [{"$ref": "big.yaml"}] * 10}

    with pytest.raises(BundleError, match=r"^api/root.yaml: the bundled document would exceed 8,388,608 bytes$"):
        bundle(root, {"api/big.yaml": {"description": "x" * 1_000_000}}, max_bytes=20_000_000)
