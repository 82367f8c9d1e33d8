"""Served relations (both directions) stay in step with every write that changes relation rows."""

from __future__ import annotations

import pytest

from catalog.models import Entity
from catalog.services import (
    delete_location,
    delete_orphans,
    refresh_location,
    register_location,
    validate_location_spec,
)
from catalog.services.entities import delete_entity
from tests.conftest import component

pytestmark = pytest.mark.django_db


def group(name: str) -> str:
    return (
        "apiVersion: backstage.io/v1alpha1\nkind: Group\n"
        f"metadata: {{name: {name}}}\nspec: {{type: team, children: []}}\n"
    )


def served(ref: str) -> list[dict]:
    return Entity.objects.filter(ref=ref).with_relations()[0].output_relations


def register(write_file, name: str, text: str):
    location = register_location(validate_location_spec("file", str(write_file(name, text))), trusted=True)
    refresh_location(location)
    return location


def test_changing_owner_moves_the_reverse_relation(write_file):
    location = register(write_file, "c.yaml", component("web") + "---\n" + group("team-a") + "---\n" + group("team-b"))
    assert served("group:default/team-a") == [{"type": "ownerOf", "targetRef": "component:default/web"}]
    write_file("c.yaml", component("web", owner="team-b") + "---\n" + group("team-a") + "---\n" + group("team-b"))
    refresh_location(location)
    assert served("group:default/team-a") == []
    assert served("group:default/team-b") == [{"type": "ownerOf", "targetRef": "component:default/web"}]
    assert served("component:default/web") == [{"type": "ownedBy", "targetRef": "group:default/team-b"}]


def test_target_arriving_in_another_location_gets_its_reverse_relations(write_file):
    register(write_file, "a.yaml", component("web"))
    register(write_file, "b.yaml", group("team-a"))
    assert served("group:default/team-a") == [{"type": "ownerOf", "targetRef": "component:default/web"}]


def test_deleting_an_entity_removes_it_from_its_targets(write_file):
    register(write_file, "c.yaml", group("team-a"))
    register(write_file, "d.yaml", component("web"))
    delete_entity(Entity.objects.get(ref="component:default/web"))
    assert served("group:default/team-a") == []


def test_deleting_a_location_restitches_the_entities_it_pointed_at(write_file):
    register(write_file, "c.yaml", group("team-a"))
    services = register(write_file, "d.yaml", component("web") + "---\n" + component("api"))
    assert len(served("group:default/team-a")) == 2
    delete_location(services)
    assert served("group:default/team-a") == []


def test_deleting_orphans_restitches_their_targets(write_file):
    register(write_file, "c.yaml", group("team-a"))
    location = register(write_file, "d.yaml", component("web") + "---\n" + component("api"))
    write_file("d.yaml", component("web"))
    refresh_location(location)
    assert len(served("group:default/team-a")) == 2  # an orphan keeps its relations until deleted
    delete_orphans()
    assert served("group:default/team-a") == [{"type": "ownerOf", "targetRef": "component:default/web"}]


def test_unchanged_refresh_keeps_served_relations(write_file):
    location = register(write_file, "c.yaml", component("web") + "---\n" + group("team-a"))
    before = served("group:default/team-a")
    refresh_location(location)
    assert served("group:default/team-a") == before
