"""Fact collectors: catalog, repository (files and git mirrors), TechDocs and Tech Radar."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from portal.registry import register_fact_collector, restored_registry
from soundcheck.collection import collect_facts
from soundcheck.models import CheckResult, Fact, FactHistory

from .conftest import descriptor

pytestmark = pytest.mark.django_db

SHOP = "component:default/shop"


def facts(ref: str, prefix: str) -> dict:
    return dict(Fact.objects.filter(entity_ref=ref, name__startswith=prefix).values_list("name", "value"))


def test_catalog_facts(make_catalog):
    make_catalog(
        descriptor("shop", tags=["java"], description="The shop", system="commerce", providesApis="[orders]"),
        descriptor("orders", kind="API", type="openapi", definition="openapi-text"),
    )
    collect_facts(only=["catalog"])
    shop = facts(SHOP, "catalog.")
    assert shop["catalog.owner"] == "group:default/team-a"
    assert shop["catalog.description"] == "The shop"
    assert shop["catalog.lifecycle"] == "production"
    assert shop["catalog.system"] == "system:default/commerce"
    assert shop["catalog.tags"] == ["java"]
    assert shop["catalog.kind"] == "component"
    assert shop["catalog.has_api_definition"] is True
    assert shop["catalog.relations"]["ownedBy"] == ["group:default/team-a"]
    assert "backstage.io/managed-by-location" in shop["catalog.annotations"]
    assert facts("api:default/orders", "catalog.")["catalog.has_api_definition"] is True


def test_missing_catalog_fields_are_null(make_catalog):
    make_catalog(descriptor("shop", kind="System", type=None, lifecycle=None))
    collect_facts(only=["catalog"])
    shop = facts("system:default/shop", "catalog.")
    assert shop["catalog.lifecycle"] is None
    assert shop["catalog.description"] is None
    assert shop["catalog.system"] is None
    assert shop["catalog.has_api_definition"] is False


def test_history_is_kept_only_when_a_value_changes(make_catalog, write_file):
    make_catalog(descriptor("shop", description="One"))
    collect_facts(only=["catalog"])
    collect_facts(only=["catalog"])
    assert FactHistory.objects.filter(entity_ref=SHOP, name="catalog.description").count() == 1
    write_file("catalog-1.yaml", descriptor("shop", description="Two"))
    from catalog.models import Location
    from catalog.services import refresh_location

    refresh_location(Location.objects.get(target__endswith="catalog-1.yaml"))
    collect_facts(only=["catalog"])
    values = FactHistory.objects.filter(entity_ref=SHOP, name="catalog.description").values_list("value", flat=True)
    assert sorted(values) == ["One", "Two"]


def test_repository_facts_from_a_file_location(make_catalog, write_file):
    write_file("README.md", "# shop")
    write_file(".github/CODEOWNERS", "* @team-a")
    write_file(".github/workflows/ci.yml", "on: push")
    make_catalog(descriptor("shop"))
    collect_facts(only=["repository"])
    assert facts(SHOP, "repository.") == {
        "repository.has_readme": True,
        "repository.has_codeowners": True,
        "repository.has_ci_config": True,
        "repository.has_license": False,
        "repository.default_branch": None,
        "repository.last_commit_at": None,
    }


def test_repository_facts_from_the_catalogs_git_mirror(db, git_repo):
    from catalog.services import refresh_location, register_location, validate_location_spec

    repo = git_repo("shop")
    repo.commit(
        {
            "catalog-info.yaml": descriptor("shop"),
            "LICENSE": "Apache-2.0",
            ".gitlab-ci.yml": "test: {script: [make]}",
            "CODEOWNERS": "* @team-a",
            # A hook the repository brings must never run: nothing is checked out or executed.
            ".githooks/post-checkout": "#!/bin/sh\ntouch /tmp/soundcheck-pwned\n",
        }
    )
    location = register_location(validate_location_spec("url", f"{repo.url}#main:catalog-info.yaml"), trusted=True)
    refresh_location(location)
    collect_facts(only=["repository"])
    found = facts(SHOP, "repository.")
    assert found["repository.has_readme"] is False
    assert found["repository.has_license"] is True
    assert found["repository.has_ci_config"] is True
    assert found["repository.has_codeowners"] is True
    assert found["repository.default_branch"] == "main"
    committed = timezone.datetime.fromisoformat(found["repository.last_commit_at"])
    assert (timezone.now() - committed).total_seconds() < 600


def test_a_repository_the_catalog_never_mirrored_gets_no_facts(make_catalog, tmp_path):
    from catalog.models import Entity

    make_catalog(descriptor("shop"))
    Entity.objects.filter(ref=SHOP).update(location_key=f"url:file://{tmp_path}/missing#main:catalog-info.yaml")
    collect_facts(only=["repository"])
    assert facts(SHOP, "repository.") == {}


def test_techdocs_facts(make_catalog):
    from techdocs.models import DocBuild, DocSite

    make_catalog(descriptor("shop"), descriptor("billing"))
    site = DocSite.objects.create(entity_ref=SHOP, namespace="default", kind="component", name="shop")
    good = DocBuild.objects.create(site=site, status="succeeded", finished_at=timezone.now())
    failed = DocBuild.objects.create(site=site, status="failed", finished_at=timezone.now())
    DocSite.objects.filter(pk=site.pk).update(current_build=good, latest_build=failed)
    collect_facts(only=["techdocs"])
    shop = facts(SHOP, "techdocs.")
    assert shop["techdocs.has_docs"] is True
    assert shop["techdocs.last_build_ok"] is False
    assert shop["techdocs.annotated"] is False
    assert facts("component:default/billing", "techdocs.") == {
        "techdocs.annotated": False,
        "techdocs.has_docs": False,
        "techdocs.last_built_at": None,
    }


def test_techradar_facts(make_catalog):
    from techradar.format import parse_radar_file
    from techradar.services import import_radar
    from tests.techradar.conftest import radar_document

    document = radar_document(8)
    hold = next(entry for entry in document["entries"] if entry["timeline"][0]["ringId"] == "hold")
    import_radar(parse_radar_file(json.dumps(document).encode(), "radar.json"), "default")
    make_catalog(descriptor("shop", tags=[hold["key"]]), descriptor("billing", tags=["nothing-on-hold"]))
    collect_facts(only=["techradar"])
    assert facts(SHOP, "techradar.") == {"techradar.uses_hold": True, "techradar.hold_entries": [hold["key"]]}
    assert facts("component:default/billing", "techradar.")["techradar.uses_hold"] is False


def test_a_failing_collector_does_not_stop_the_others(make_catalog):
    make_catalog(descriptor("shop"))

    def broken(entities):
        raise RuntimeError("backend down")

    with restored_registry():
        register_fact_collector("broken", broken)
        report = collect_facts()
    assert report.errors == {"broken": "RuntimeError: backend down"}
    assert facts(SHOP, "catalog.owner") == {"catalog.owner": "group:default/team-a"}


def test_collection_queries_grow_with_batches_not_entities(make_catalog, settings, django_assert_max_num_queries):
    make_catalog(*(descriptor(f"service-{index}") for index in range(20)))
    collect_facts(only=["catalog"])
    with django_assert_max_num_queries(20):
        collect_facts(only=["catalog"])


def test_a_site_never_built_reads_not_collected_yet_on_the_build_check(make_catalog):
    from soundcheck.services.evaluations import evaluate_all
    from soundcheck.tab import CheckRow

    from .conftest import make_check, make_track

    build_ok = make_check("techdocs-build-ok", {"fact": "techdocs.last_build_ok", "equals": True})
    make_track("docs", [[build_ok]], {"kind": ["component"]})
    make_catalog(descriptor("billing"))
    collect_facts(only=["techdocs"])
    evaluate_all()
    result = CheckResult.objects.get(entity_ref="component:default/billing", rule_check=build_ok)
    row = CheckRow(check=build_ok, result=result, fix_html=None)
    assert (row.state, row.uncollected) == ("uncollected", ["techdocs.last_build_ok"])
