import pytest

from catalog.formats.relations import RelationFieldError, both_directions, emitted_relations


def entity(kind: str, spec: dict, namespace: str | None = None) -> dict:
    metadata = {"name": "self"} | ({"namespace": namespace} if namespace else {})
    return {"apiVersion": "backstage.io/v1alpha1", "kind": kind, "metadata": metadata, "spec": spec}


def test_owner_emits_the_forward_row():
    assert emitted_relations(entity("Component", {"owner": "team-a"})) == [
        ("component:default/self", "ownedBy", "group:default/team-a"),
    ]


def test_both_directions_gives_the_reverse_row():
    assert both_directions(("component:default/self", "ownedBy", "group:default/team-a")) == (
        ("component:default/self", "ownedBy", "group:default/team-a"),
        ("group:default/team-a", "ownerOf", "component:default/self"),
    )


def test_refs_default_to_the_entitys_own_namespace():
    rows = emitted_relations(entity("API", {"owner": "team-a", "system": "shop"}, namespace="retail"))
    assert ("api:retail/self", "partOf", "system:retail/shop") in rows
    assert ("api:retail/self", "ownedBy", "group:retail/team-a") in rows


def test_every_component_field_has_its_relation():
    rows = emitted_relations(
        entity(
            "Component",
            {
                "owner": "user:jane",
                "system": "shop",
                "subcomponentOf": "core",
                "providesApis": ["orders"],
                "consumesApis": ["payments"],
                "dependsOn": ["resource:db"],
                "dependencyOf": ["component:web"],
            },
        )
    )
    forward = {(kind, target) for source, kind, target in rows if source == "component:default/self"}
    assert forward == {
        ("ownedBy", "user:default/jane"),
        ("partOf", "system:default/shop"),
        ("partOf", "component:default/core"),
        ("providesApi", "api:default/orders"),
        ("consumesApi", "api:default/payments"),
        ("dependsOn", "resource:default/db"),
        ("dependencyOf", "component:default/web"),
    }
    assert both_directions(("component:default/self", "dependsOn", "resource:default/db"))[1] == (
        "resource:default/db",
        "dependencyOf",
        "component:default/self",
    )


def test_group_and_user_relations():
    group_rows = emitted_relations(
        entity("Group", {"type": "team", "parent": "org", "children": ["sub"], "members": ["jane"]})
    )
    assert ("group:default/self", "childOf", "group:default/org") in group_rows
    assert ("group:default/self", "parentOf", "group:default/sub") in group_rows
    assert ("group:default/self", "hasMember", "user:default/jane") in group_rows
    user_rows = emitted_relations(entity("User", {"memberOf": ["team-a"]}))
    assert ("user:default/self", "memberOf", "group:default/team-a") in user_rows
    assert user_rows == [("user:default/self", "memberOf", "group:default/team-a")]


def test_depends_on_without_kind_is_refused_naming_the_field():
    with pytest.raises(RelationFieldError) as caught:
        emitted_relations(entity("Component", {"owner": "a", "dependsOn": ["resource:ok", "artists-db"]}))
    assert caught.value.field == "spec.dependsOn[1]"
    assert "missing or empty kind" in caught.value.message


def test_location_emits_no_relations():
    assert emitted_relations(entity("Location", {"targets": ["./x.yaml"]})) == []
