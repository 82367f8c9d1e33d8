"""Celery tasks and signal receivers, run eagerly: a catalog refresh collects facts and evaluates,
a deleted entity loses its results, a docs build refreshes TechDocs facts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from catalog.models import Location
from catalog.services import delete_orphans, refresh_location, register_location, validate_location_spec
from soundcheck import tasks
from soundcheck.models import CheckResult, Fact, TrackResult

from .conftest import descriptor, make_check, make_track

pytestmark = pytest.mark.django_db

SHOP = "component:default/shop"
CART = "component:default/cart"


@pytest.fixture
def eager() -> Iterator[None]:
    from portal.celery import app

    was_eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = was_eager


@pytest.fixture
def basics() -> None:
    owner = make_check("has-owner", {"fact": "catalog.owner", "exists": True})
    docs = make_check("has-docs", {"fact": "techdocs.has_docs", "equals": True})
    make_track("basics", [[owner], [docs]], {"kind": ["component"]})


def register(write_file, *descriptors: str) -> Location:
    path = write_file("catalog.yaml", "---\n".join(descriptors))
    return register_location(validate_location_spec("file", str(path)), trusted=True)


def test_refresh_collects_facts_and_writes_results(eager, basics, write_file, django_capture_on_commit_callbacks):
    location = register(write_file, descriptor("shop"), descriptor("cart", owner="team-b"))
    with django_capture_on_commit_callbacks(execute=True):
        refresh_location(location)
    assert Fact.objects.get(entity_ref=SHOP, name="catalog.owner").value == "group:default/team-a"
    assert Fact.objects.get(entity_ref=CART, name="catalog.owner").value == "group:default/team-b"
    assert CheckResult.objects.get(entity_ref=SHOP, rule_check__key="has-owner").state == "passed"
    assert TrackResult.objects.get(entity_ref=CART).level == 1


def test_refresh_is_split_into_tasks_of_batch_size(
    eager, basics, write_file, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.SOUNDCHECK = {**settings.SOUNDCHECK, "BATCH_SIZE": 2}
    calls: list[list[str]] = []
    original = tasks.collect_and_evaluate_refs.run

    def record(refs: list[str], only: list[str] | None = None) -> dict:
        calls.append(refs)
        return original(refs, only)

    monkeypatch.setattr(tasks.collect_and_evaluate_refs, "run", record)
    location = register(write_file, *(descriptor(f"service-{index}") for index in range(5)))
    with django_capture_on_commit_callbacks(execute=True):
        refresh_location(location)
    assert sorted(len(refs) for refs in calls) == [2, 2, 2]  # five components and the location
    assert TrackResult.objects.filter(entity_ref__startswith="component:default/service-").count() == 5


def test_deleted_entity_loses_its_results(eager, basics, write_file, django_capture_on_commit_callbacks):
    location = register(write_file, descriptor("shop"), descriptor("cart"))
    with django_capture_on_commit_callbacks(execute=True):
        refresh_location(location)
    assert CheckResult.objects.filter(entity_ref=CART).count() == 2
    write_file("catalog.yaml", descriptor("shop"))
    with django_capture_on_commit_callbacks(execute=True):
        refresh_location(location)  # cart is an orphan now: still in the catalog, still measured
    assert CheckResult.objects.filter(entity_ref=CART).count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        delete_orphans([CART])
    assert not CheckResult.objects.filter(entity_ref=CART).exists()
    assert not TrackResult.objects.filter(entity_ref=CART).exists()
    assert CheckResult.objects.filter(entity_ref=SHOP).count() == 2


def test_docs_build_collects_techdocs_facts_only(eager, basics, write_file, django_capture_on_commit_callbacks):
    from techdocs.models import DocSite
    from techdocs.signals import site_built

    location = register(write_file, descriptor("shop"))
    refresh_location(location)  # no callbacks run: nothing collected yet
    assert not Fact.objects.filter(entity_ref=SHOP).exists()
    with django_capture_on_commit_callbacks(execute=True):
        site_built.send(sender=DocSite, entity_ref=SHOP, documents=[])
    names = set(Fact.objects.filter(entity_ref=SHOP).values_list("name", flat=True))
    assert names == {"techdocs.annotated", "techdocs.has_docs", "techdocs.last_built_at"}  # no build: not collected
    assert Fact.objects.get(entity_ref=SHOP, name="techdocs.has_docs").value is False
    result = CheckResult.objects.get(entity_ref=SHOP, rule_check__key="has-docs")
    assert (result.state, result.message) == ("failed", "techdocs.has_docs is false, expected true")


def test_outdated_facts_are_collected_again_by_that_collector_only(
    eager, basics, write_file, django_capture_on_commit_callbacks
):
    from portal.registry import announce_facts_outdated

    refresh_location(register(write_file, descriptor("shop")))  # no callbacks run: nothing collected yet
    with django_capture_on_commit_callbacks(execute=True):
        announce_facts_outdated("catalog", [SHOP])
    names = set(Fact.objects.filter(entity_ref=SHOP).values_list("name", flat=True))
    assert names and {name.split(".")[0] for name in names} == {"catalog"}
    result = CheckResult.objects.get(entity_ref=SHOP, rule_check__key="has-owner")
    assert result.state == "passed"


def test_collect_and_evaluate_task_covers_the_catalog(eager, basics, write_file):
    refresh_location(register(write_file, descriptor("shop"), descriptor("cart")))
    outcome = tasks.collect_and_evaluate.delay().get()
    assert outcome["entities"] == 3  # shop, cart and the location entity
    assert outcome["collector_errors"] == {}
    assert outcome["evaluation"]["entities"] == 2
    assert outcome["evaluation"]["results"] == 4
    assert CheckResult.objects.get(entity_ref=SHOP, rule_check__key="has-owner").state == "passed"


def test_evaluate_refs_task_uses_stored_facts_and_runs_twice_harmlessly(eager, basics, write_file):
    refresh_location(register(write_file, descriptor("shop")))
    Fact.objects.create(entity_ref=SHOP, name="catalog.owner", value="group:default/team-a", collector="api",
                        collected_at="2026-01-01T00:00:00Z")  # fmt: skip
    first = tasks.evaluate_refs_task.delay([SHOP]).get()
    second = tasks.evaluate_refs_task.delay([SHOP]).get()
    assert (first["results"], first["check_changes"]) == (2, 2)
    assert (second["results"], second["check_changes"]) == (2, 0)
    assert CheckResult.objects.get(entity_ref=SHOP, rule_check__key="has-owner").state == "passed"


def test_evaluate_all_task_drops_results_of_entities_out_of_scope(eager, basics, write_file):
    refresh_location(register(write_file, descriptor("shop")))
    CheckResult.objects.create(entity_ref="component:default/gone", rule_check_id=CheckResult._meta.get_field(
        "rule_check").related_model.objects.get(key="has-owner").pk, state="passed",
        evaluated_at="2026-01-01T00:00:00Z", changed_at="2026-01-01T00:00:00Z")  # fmt: skip
    outcome = tasks.evaluate_all_task.delay().get()
    assert outcome["removed"] == 1
    assert set(CheckResult.objects.values_list("entity_ref", flat=True)) == {SHOP}


def test_sync_sources_task_with_no_sources_changes_nothing(eager, basics, settings):
    settings.SOUNDCHECK = {**settings.SOUNDCHECK, "SOURCES": []}
    assert tasks.sync_sources.delay().get() == []
