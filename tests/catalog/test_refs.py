import pytest

from catalog.formats.refs import EntityRef, InvalidEntityRef, entity_ref_of, parse_entity_ref


def test_parses_full_reference():
    assert parse_entity_ref("component:ns/web") == EntityRef("component", "ns", "web")


def test_fills_default_kind_and_namespace():
    assert parse_entity_ref("team-a", default_kind="Group", default_namespace="ops") == EntityRef(
        "Group", "ops", "team-a"
    )


def test_namespace_defaults_to_default():
    assert parse_entity_ref("user:jane") == EntityRef("user", "default", "jane")


def test_colon_after_slash_is_part_of_the_name():
    assert parse_entity_ref("ns/team:a", default_kind="group") == EntityRef("group", "ns", "team:a")


def test_name_keeps_further_slashes():
    assert parse_entity_ref("group:ns/a/b") == EntityRef("group", "ns", "a/b")


def test_stringifies_in_lowercase():
    assert str(EntityRef("Component", "Default", "Web-App")) == "component:default/web-app"


@pytest.mark.parametrize("ref", ["user:", ":x", "group:/x", "ns/", ""])
def test_refuses_empty_parts(ref):
    with pytest.raises(InvalidEntityRef):
        parse_entity_ref(ref, default_kind="group")


def test_refuses_missing_kind_without_default():
    with pytest.raises(InvalidEntityRef, match="missing or empty kind"):
        parse_entity_ref("artists-db")


def test_refuses_non_string():
    with pytest.raises(InvalidEntityRef, match="must be a string"):
        parse_entity_ref({"name": "x"})  # type: ignore[arg-type]


def test_entity_ref_of_uses_default_namespace():
    assert entity_ref_of({"kind": "API", "metadata": {"name": "Pets"}}) == "api:default/pets"
