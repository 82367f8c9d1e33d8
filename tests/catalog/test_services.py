"""Ingestion from file locations: what is stored, what is refused, and that nothing good is lost."""

from __future__ import annotations

import pytest

from catalog.formats.filter_syntax import parse_filters
from catalog.models import Entity, EntityHistory, Location, Relation
from catalog.services import (
    LocationExists,
    delete_location,
    delete_orphans,
    parse_location_target,
    refresh_location,
    register_location,
    validate_location_spec,
)
from tests.conftest import API_WITH_TEXT_PLACEHOLDER, component

pytestmark = pytest.mark.django_db

GROUP = """
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team-a
spec:
  type: team
  children: []
"""


def register(path) -> Location:
    return register_location(validate_location_spec("file", str(path)), trusted=True)


def entity(ref: str) -> Entity:
    return Entity.objects.get(ref=ref)


def test_loads_entities_with_namespace_uid_etag_and_annotations(write_file):
    path = write_file("catalog-info.yaml", component("web"))
    location = register(path)

    report = refresh_location(location)

    assert report.added == [location.entity_ref, "component:default/web"]
    web = entity("component:default/web")
    metadata = web.body["metadata"]
    assert metadata["namespace"] == "default"
    assert metadata["uid"] == str(web.pk)
    assert metadata["etag"] == web.etag
    assert metadata["annotations"]["backstage.io/managed-by-location"] == f"file:{path}"
    assert metadata["annotations"]["backstage.io/managed-by-origin-location"] == f"file:{path}"


def test_registered_location_gets_its_generated_location_entity(write_file):
    location = register(write_file("catalog-info.yaml", component("web")))
    refresh_location(location)
    generated = entity(location.entity_ref)
    assert generated.body["spec"] == {"type": "file", "target": location.target}
    assert generated.name.startswith("generated-")


def test_relations_are_served_both_ways(write_file):
    refresh_location(register(write_file("all.yaml", component("web") + "---\n" + GROUP)))
    assert set(Relation.objects.values_list("source_ref", "type", "target_ref")) == {
        ("component:default/web", "ownedBy", "group:default/team-a"),
    }
    web, team = Entity.objects.filter(kind__in=["Component", "Group"]).order_by("kind").with_relations()
    assert web.output_relations == [{"type": "ownedBy", "targetRef": "group:default/team-a"}]
    assert team.output_relations == [{"type": "ownerOf", "targetRef": "component:default/web"}]


def test_unchanged_refresh_writes_nothing_and_keeps_etag(write_file):
    location = register(write_file("catalog-info.yaml", component("web")))
    refresh_location(location)
    before = entity("component:default/web")

    report = refresh_location(location)

    after = entity("component:default/web")
    assert report.added == [] and report.changed == [] and report.unchanged == 2
    assert (after.etag, after.generation, after.updated_at) == (
        before.etag,
        before.generation,
        before.updated_at,
    )
    assert EntityHistory.objects.filter(entity_ref="component:default/web").count() == 1


def test_changed_entity_gets_new_etag_generation_and_history(write_file):
    path = write_file("catalog-info.yaml", component("web"))
    location = register(path)
    refresh_location(location)
    before = entity("component:default/web")

    write_file("catalog-info.yaml", component("web", owner="team-b"))
    report = refresh_location(location)

    after = entity("component:default/web")
    assert report.changed == ["component:default/web"]
    assert after.pk == before.pk
    assert after.generation == 2 and after.etag != before.etag
    latest = EntityHistory.objects.filter(entity_ref="component:default/web").order_by("-generation").first()
    assert (latest.change, latest.generation, latest.changed_fields) == ("updated", 2, ["spec.owner"])
    assert latest.body["spec"]["owner"] == "team-b"
    assert list(Relation.objects.filter(emitter=after).values_list("target_ref", flat=True)) == ["group:default/team-b"]


def test_dangling_relation_resolves_when_target_arrives(write_file):
    location = register(write_file("catalog-info.yaml", component("web")))
    refresh_location(location)
    assert not Entity.objects.filter(ref="group:default/team-a").exists()

    write_file("catalog-info.yaml", component("web") + "---\n" + GROUP)
    refresh_location(location)

    team = Entity.objects.filter(ref="group:default/team-a").with_relations()[0]
    assert team.output_relations == [{"type": "ownerOf", "targetRef": "component:default/web"}]


def test_follows_location_entities_to_relative_targets(write_file):
    write_file("teams/group.yaml", GROUP)
    write_file("services/web.yaml", component("web"))
    root = write_file(
        "catalog-info.yaml",
        """
        apiVersion: backstage.io/v1alpha1
        kind: Location
        metadata:
          name: root
        spec:
          targets: [./teams/group.yaml, ./services/*.yaml]
        """,
    )
    refresh_location(register(root))
    assert (
        Entity.objects.filter(
            ref__in=["group:default/team-a", "component:default/web", "location:default/root"]
        ).count()
        == 3
    )
    assert entity("component:default/web").location_key == f"file:{root.parent / 'services' / 'web.yaml'}"


def test_yaml_syntax_error_keeps_last_good_version(write_file):
    location = register(write_file("catalog-info.yaml", component("web")))
    refresh_location(location)
    good = entity("component:default/web")

    write_file("catalog-info.yaml", "apiVersion: backstage.io/v1alpha1\nkind: [unclosed\n")
    report = refresh_location(location)

    kept = entity("component:default/web")
    assert (kept.body, kept.etag, kept.is_orphan) == (good.body, good.etag, False)
    assert "catalog-info.yaml" in str(report.refused[0]) and "line" in str(report.refused[0])
    assert kept.processing_errors[0]["level"] == "error"
    location.refresh_from_db()
    assert location.status == Location.Status.ERROR
    assert location.errors[0]["line"] is not None


def test_invalid_update_keeps_last_good_version_with_error(write_file):
    location = register(write_file("catalog-info.yaml", component("web")))
    refresh_location(location)
    good = entity("component:default/web")

    write_file("catalog-info.yaml", component("web").replace("  type: service\n", ""))
    report = refresh_location(location)

    kept = entity("component:default/web")
    assert kept.body == good.body and kept.generation == 1
    error = report.refused[0]
    assert (error.field, error.document, error.entity_ref) == ("spec.type", 0, "component:default/web")
    assert "spec.type" in kept.processing_errors[0]["message"]


def test_invalid_new_entity_is_not_stored_and_names_file_document_field(write_file):
    path = write_file("catalog-info.yaml", component("web") + "---\n" + component("bad name"))
    report = refresh_location(register(path))

    assert Entity.objects.filter(kind="Component").count() == 1
    message = str(report.refused[0])
    assert str(path) in message and "document 2" in message and "metadata.name" in message


def test_non_utf8_file_is_refused_and_nothing_is_lost(write_file):
    location = register(write_file("catalog-info.yaml", component("web")))
    refresh_location(location)
    write_file("catalog-info.yaml", component("web").encode() + b"\xff\xfe")
    report = refresh_location(location)
    assert "UTF-8" in str(report.refused[0]) or "utf-8" in str(report.refused[0])
    assert not entity("component:default/web").is_orphan


def test_alias_bomb_is_refused(write_file):
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(8):
        previous, current = chr(97 + level), chr(98 + level)
        lines.append(f"{current}: &{current} [" + ", ".join([f"*{previous}"] * 10) + "]")
    location = register(write_file("catalog-info.yaml", "\n".join(lines) + "\n"))
    report = refresh_location(location)
    assert any("alias" in str(error) or "nodes" in str(error) for error in report.refused)
    assert Entity.objects.filter(kind="Component").count() == 0


def test_oversized_file_is_refused(write_file, settings):
    settings.CATALOG = {**settings.CATALOG, "MAX_FILE_BYTES": 2000}
    from catalog import config

    config.catalog_settings.cache_clear()
    location = register(write_file("catalog-info.yaml", component("web") + "# " + "x" * 5000 + "\n"))
    report = refresh_location(location)
    assert report.refused and not Entity.objects.filter(kind="Component").exists()


def test_missing_target_is_an_error_on_the_location(tmp_path):
    location = register(tmp_path / "nowhere.yaml")
    report = refresh_location(location)
    assert "not found" in str(report.refused[0]).lower()
    location.refresh_from_db()
    assert location.status == Location.Status.ERROR


def test_entity_no_longer_emitted_is_orphaned_not_deleted(write_file):
    location = register(write_file("catalog-info.yaml", component("web") + "---\n" + component("api-gw")))
    refresh_location(location)

    write_file("catalog-info.yaml", component("web"))
    report = refresh_location(location)

    gone = entity("component:default/api-gw")
    assert report.orphaned == ["component:default/api-gw"]
    assert gone.is_orphan and gone.body["metadata"]["annotations"]["backstage.io/orphan"] == "true"
    assert Entity.objects.matching(parse_filters(["metadata.annotations.backstage.io/orphan=true"])).count() == 1


def test_orphan_is_reclaimed_when_emitted_again(write_file):
    location = register(write_file("catalog-info.yaml", component("web") + "---\n" + component("api-gw")))
    refresh_location(location)
    write_file("catalog-info.yaml", component("web"))
    refresh_location(location)
    write_file("catalog-info.yaml", component("web") + "---\n" + component("api-gw"))
    refresh_location(location)
    back = entity("component:default/api-gw")
    assert not back.is_orphan and "backstage.io/orphan" not in back.body["metadata"]["annotations"]


def test_removing_orphans_is_explicit_and_recorded(write_file):
    location = register(write_file("catalog-info.yaml", component("web") + "---\n" + component("api-gw")))
    refresh_location(location)
    write_file("catalog-info.yaml", component("web"))
    refresh_location(location)

    assert delete_orphans() == 1

    assert not Entity.objects.filter(ref="component:default/api-gw").exists()
    assert EntityHistory.objects.filter(entity_ref="component:default/api-gw", change="deleted").exists()


def test_entity_claimed_by_two_locations_stays_with_the_first(write_file):
    first = register(write_file("a/catalog-info.yaml", component("web")))
    second = register(write_file("b/catalog-info.yaml", component("web", owner="team-b")))
    refresh_location(first)

    report = refresh_location(second)

    assert entity("component:default/web").location_id == first.pk
    assert entity("component:default/web").body["spec"]["owner"] == "team-a"
    assert report.conflicts == ["component:default/web"]
    assert "already provided by location" in str(report.refused[0])


def test_duplicate_entity_within_one_location_keeps_the_first(write_file):
    path = write_file("catalog-info.yaml", component("web") + "---\n" + component("web", owner="team-b"))
    report = refresh_location(register(path))
    assert entity("component:default/web").body["spec"]["owner"] == "team-a"
    assert "duplicate entity component:default/web" in str(report.refused[0])


def test_rules_refuse_kinds_not_allowed(write_file, settings):
    settings.CATALOG = {**settings.CATALOG, "RULES": [{"allow": ["Component", "Location"]}]}
    from catalog import config

    config.catalog_settings.cache_clear()
    report = refresh_location(register(write_file("all.yaml", component("web") + "---\n" + GROUP)))
    assert not Entity.objects.filter(kind="Group").exists()
    assert Entity.objects.filter(kind="Component").exists()
    assert "not an allowed kind" in str(report.refused[0])


def test_location_rules_extend_the_global_rules(write_file, settings):
    settings.CATALOG = {**settings.CATALOG, "RULES": [{"allow": ["Component", "Location"]}]}
    from catalog import config

    config.catalog_settings.cache_clear()
    path = write_file("all.yaml", component("web") + "---\n" + GROUP)
    location = register_location(validate_location_spec("file", str(path)), rules=[{"allow": ["Group"]}], trusted=True)
    refresh_location(location)
    assert Entity.objects.filter(kind="Group").exists()


def test_relative_target_escaping_the_location_is_refused(write_file, tmp_path):
    (tmp_path / "secret.yaml").write_text(component("stolen"))
    root = write_file(
        "catalog-info.yaml",
        """
        apiVersion: backstage.io/v1alpha1
        kind: Location
        metadata:
          name: sneaky
        spec:
          targets: [../secret.yaml]
        """,
    )
    report = refresh_location(register(root))
    assert not Entity.objects.filter(name="stolen").exists()
    assert report.refused


def test_text_placeholder_reads_a_sibling_file(write_file):
    write_file("openapi.yaml", "openapi: 3.0.0\n")
    path = write_file("catalog-info.yaml", API_WITH_TEXT_PLACEHOLDER)
    refresh_location(register(path))
    assert entity("api:default/pets").body["spec"]["definition"] == "openapi: 3.0.0\n"


def test_registering_twice_is_a_conflict(write_file):
    path = write_file("catalog-info.yaml", component("web"))
    register(path)
    with pytest.raises(LocationExists, match="already exists"):
        register(path)


def test_parse_location_target_reads_paths_and_git_urls(tmp_path):
    assert parse_location_target(str(tmp_path / "x.yaml")).type == "file"
    assert parse_location_target("file:/srv/catalog/*.yaml").target == "/srv/catalog/*.yaml"
    assert parse_location_target("https://git.example.com/org/repo/blob/main/catalog-info.yaml").type == "url"
    assert parse_location_target("file:///srv/repo.git#main:**/catalog-info.yaml").type == "url"


def test_delete_location_removes_its_entities_and_records_history(write_file):
    location = register(write_file("catalog-info.yaml", component("web")))
    refresh_location(location)
    assert delete_location(location) == 2
    assert not Entity.objects.exists()
    assert EntityHistory.objects.filter(change="deleted").count() == 2


def test_nan_and_infinity_are_stored_as_null(write_file):
    path = write_file("catalog-info.yaml", component("web", ratio=".NaN", limit="-.inf"))
    refresh_location(register(path))
    spec = entity("component:default/web").body["spec"]
    assert spec["ratio"] is None and spec["limit"] is None


def test_directory_target_means_every_catalog_info_beneath_it(write_file):
    write_file("a/catalog-info.yaml", component("web"))
    write_file("b/c/catalog-info.yaml", component("api"))
    write_file("b/other.yaml", component("ignored"))
    directory = write_file("a/catalog-info.yaml", component("web")).parent.parent
    spec = parse_location_target(str(directory))
    refresh_location(register_location(spec, trusted=True))
    assert spec.target == f"{directory}/**/catalog-info.yaml"
    assert set(Entity.objects.filter(kind="Component").values_list("name", flat=True)) == {"web", "api"}


def test_history_answers_what_an_entity_looked_like_then(write_file):
    from datetime import timedelta

    from django.utils import timezone

    location = register(write_file("catalog-info.yaml", component("web")))
    refresh_location(location)
    EntityHistory.objects.update(recorded_at=timezone.now() - timedelta(days=8))
    write_file("catalog-info.yaml", component("web", owner="team-b"))
    refresh_location(location)

    last_week = EntityHistory.objects.as_of("Component:default/web", timezone.now() - timedelta(days=7))
    today = EntityHistory.objects.as_of("component:default/web", timezone.now())
    assert last_week.body["spec"]["owner"] == "team-a" and last_week.generation == 1
    assert today.body["spec"]["owner"] == "team-b"
    assert EntityHistory.objects.as_of("component:default/web", timezone.now() - timedelta(days=30)) is None


def test_nesting_past_the_parsers_cap_keeps_the_files_other_entities(write_file):
    location = register(write_file("catalog-info.yaml", component("web") + "---\n" + component("api")))
    refresh_location(location)
    good = entity("component:default/api")

    deep = "[" * 1_500 + "]" * 1_500
    write_file("catalog-info.yaml", component("web") + "---\n" + component("api", tags=deep))
    report = refresh_location(location)

    kept = entity("component:default/api")
    assert (kept.body, kept.is_orphan) == (good.body, False)
    message = str(report.refused[0])
    assert "catalog-info.yaml" in message and "document 2" in message and "nests deeper than 64 levels" in message
    assert not entity("component:default/web").is_orphan
