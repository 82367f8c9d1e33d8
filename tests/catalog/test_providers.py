"""The entity provider framework: loading catalog.providers, full-set runs, failures that change nothing."""

from __future__ import annotations

import logging

import pytest
from django.db import connection

from catalog import config
from catalog.models import Entity, EntityHistory, Location, ProviderState
from catalog.providers import loading
from catalog.providers.loading import build_providers
from catalog.services import providers as provider_services
from catalog.services.providers import due_providers, run_provider
from tests.catalog.provider_doubles import FACTORIES, STATIC_ENTITIES, group, user

pytestmark = pytest.mark.django_db


@pytest.fixture
def configure(settings, monkeypatch):
    monkeypatch.setattr(loading, "FACTORY_PATHS", {**loading.FACTORY_PATHS, **FACTORIES})
    STATIC_ENTITIES.clear()

    def apply(providers, options=None, strategy="keep"):
        settings.CATALOG = {
            **settings.CATALOG,
            "PROVIDERS": providers,
            "PROVIDER_OPTIONS": options or {},
            "ORPHAN_STRATEGY": strategy,
        }
        config.catalog_settings.cache_clear()
        return config.configured_providers()

    yield apply
    STATIC_ENTITIES.clear()


def stored(provider_id: str) -> dict[str, Entity]:
    return {entity.ref: entity for entity in Entity.objects.filter(location__target=provider_id)}


def test_unknown_key_and_missing_module_are_warned_and_skipped(caplog):
    caplog.set_level(logging.WARNING)
    built = build_providers(
        {"nosuch": {"a": {}}, "gone": {"b": {}}, **{"static": {"ok": {}}}},
        factories={**FACTORIES, "gone": "catalog.providers.not_a_module:providers_from_config"},
    )
    assert [provider.provider_id for provider in built.providers] == ["static:ok"]
    assert any("catalog.providers.nosuch" in problem for problem in built.problems)
    assert any("catalog.providers.gone" in problem and "ModuleNotFoundError" in problem for problem in built.problems)
    assert "catalog.providers.nosuch" in caplog.text


def test_factory_refusal_names_the_key_path():
    built = build_providers({"static": ["not", "a", "mapping"]}, factories=FACTORIES)
    assert built.providers == ()
    assert built.problems == ("catalog.providers.static: must be a mapping",)


def test_disabled_provider_is_left_out(configure):
    configured = configure({"static": {"a": {}, "b": {}}}, options={"static:b": {"disabled": True}})
    assert [provider.provider_id for provider in configured.providers] == ["static:a"]


def test_run_attaches_entities_to_the_provider_location(configure):
    configured = configure({"static": {"org": {"entities": [user("ann"), group("team-a")]}}})
    report = run_provider(configured.by_id("static:org"))
    assert report.ok and sorted(report.added) == ["group:default/team-a", "user:default/ann"]
    location = Location.objects.get(type="provider", target="static:org")
    assert location.origin == Location.Origin.PROVIDER
    entities = stored("static:org")
    assert set(entities) == {"group:default/team-a", "user:default/ann"}
    annotations = entities["user:default/ann"].body["metadata"]["annotations"]
    assert annotations["backstage.io/managed-by-location"] == "provider:static:org"
    state = ProviderState.objects.get(provider_id="static:org")
    assert (state.added, state.changed, state.removed, state.entity_count) == (2, 0, 0, 2)
    assert state.last_error == "" and state.consecutive_failures == 0 and state.duration_seconds is not None


def test_second_run_computes_changes_and_orphans_what_is_gone(configure):
    provider = configure({"static": {"org": {}}}).by_id("static:org")
    STATIC_ENTITIES["static:org"] = [user("ann"), user("bob"), group("team-a")]
    run_provider(provider)
    STATIC_ENTITIES["static:org"] = [user("ann", profile={"displayName": "Ann"}), group("team-a")]
    report = run_provider(provider)
    assert (report.added, report.changed, report.removed) == ([], ["user:default/ann"], ["user:default/bob"])
    bob = Entity.objects.get(ref="user:default/bob")
    assert bob.is_orphan and bob.body["metadata"]["annotations"]["backstage.io/orphan"] == "true"
    state = ProviderState.objects.get(provider_id="static:org")
    assert (state.added, state.changed, state.removed, state.entity_count) == (0, 1, 1, 2)


def test_unchanged_run_writes_nothing(configure):
    provider = configure({"static": {"org": {"entities": [user("ann")]}}}).by_id("static:org")
    run_provider(provider)
    history = EntityHistory.objects.count()
    report = run_provider(provider)
    assert (report.added, report.changed, report.removed) == ([], [], [])
    assert EntityHistory.objects.count() == history


def test_delete_strategy_removes_what_is_gone(configure):
    provider = configure({"static": {"org": {}}}, strategy="delete").by_id("static:org")
    STATIC_ENTITIES["static:org"] = [user("ann"), user("bob")]
    run_provider(provider)
    STATIC_ENTITIES["static:org"] = [user("ann")]
    report = run_provider(provider)
    assert report.removed == ["user:default/bob"]
    assert not Entity.objects.filter(ref="user:default/bob").exists()
    assert EntityHistory.objects.filter(entity_ref="user:default/bob", change=EntityHistory.Change.DELETED).exists()


def test_invalid_entities_are_reported_and_the_valid_ones_stored(configure):
    bad = user("not valid!")
    provider = configure({"static": {"org": {"entities": [user("ann"), bad]}}}).by_id("static:org")
    report = run_provider(provider)
    assert report.ok and report.added == ["user:default/ann"]
    assert [(error.document, error.field) for error in report.refused] == [(1, "metadata.name")]
    location = Location.objects.get(target="static:org")
    assert location.status == Location.Status.ERROR
    assert location.errors[0]["field"] == "metadata.name" and "'not valid!'" in location.errors[0]["message"]
    assert ProviderState.objects.get(provider_id="static:org").refused == 1


def test_a_run_with_only_notes_leaves_its_location_ok_with_the_notes_kept(configure):
    note = "read 2 projects of acme, 1 with catalog-info.yaml, in 3 requests"
    provider = configure({"static": {"org": {"entities": [user("ann")], "notes": [note]}}}).by_id("static:org")
    report = run_provider(provider)
    assert report.ok and report.added == ["user:default/ann"]
    location = Location.objects.get(target="static:org")
    assert location.status == Location.Status.OK
    assert [(error["message"], error["level"]) for error in location.errors] == [(note, "warning")]
    assert ProviderState.objects.get(provider_id="static:org").refused == 0


def test_failed_run_changes_nothing_and_records_the_error(configure):
    provider = configure({"static": {"org": {"entities": [user("ann")]}}}).by_id("static:org")
    run_provider(provider)
    before = list(Entity.objects.values_list("ref", "etag", "generation", "is_orphan"))
    failing = configure({"static": {"org": {"fail": "directory unreachable"}}}).by_id("static:org")
    for attempt in (1, 2):
        report = run_provider(failing)
        assert report.error == "directory unreachable"
        state = ProviderState.objects.get(provider_id="static:org")
        assert state.consecutive_failures == attempt and state.last_error == "directory unreachable"
    assert list(Entity.objects.values_list("ref", "etag", "generation", "is_orphan")) == before
    assert (state.added, state.entity_count) == (1, 1)  # the last successful run's counts stay


def test_error_while_writing_rolls_back_the_whole_run(configure, monkeypatch):
    entities = [user(f"u{index}") for index in range(5)]
    provider = configure({"static": {"org": {"entities": entities}}}).by_id("static:org")

    def broken_stitch(refs):
        raise RuntimeError("stitching broke")

    monkeypatch.setattr("catalog.services.refresh.stitch", broken_stitch)
    report = run_provider(provider)
    assert report.error == "RuntimeError: stitching broke"
    assert not Entity.objects.exists()
    assert not EntityHistory.objects.exists()


def test_timeout_fails_the_run(configure):
    schedule = {"frequency": "PT1H", "timeout": {"milliseconds": 200}}
    provider = configure({"static": {"org": {"sleep": 2, "schedule": schedule}}})
    report = run_provider(provider.by_id("static:org"))
    assert report.error == "the run did not finish within its timeout of 0.2 seconds"
    assert not Entity.objects.exists()


def test_a_claimed_provider_is_not_run_twice(configure):
    provider = configure({"static": {"org": {}}}).by_id("static:org")
    state = provider_services.ensure_provider_state(provider)
    ProviderState.objects.filter(pk=state.pk).update(claimed_at=provider_services.timezone.now())
    with pytest.raises(provider_services.ProviderBusy):
        run_provider(provider)


def test_due_providers_follow_frequency_and_requests(configure):
    configured = configure({"static": {"hourly": {"schedule": {"frequency": {"hours": 1}}}}})
    provider = configured.by_id("static:hourly")
    assert due_providers(configured.providers) == [provider]
    run_provider(provider)
    assert due_providers(configured.providers) == []
    provider_services.request_provider_run(ProviderState.objects.get(provider_id="static:hourly"))
    assert due_providers(configured.providers) == [provider]


def test_location_scheduler_leaves_provider_locations_alone(configure):
    from catalog.services import due_locations, refresh_location

    run_provider(configure({"static": {"org": {"entities": [user("ann")]}}}).by_id("static:org"))
    location = Location.objects.get(target="static:org")
    assert location not in due_locations()
    report = refresh_location(location)
    assert not report.ok and "entity provider" in report.refused[0].message
    assert Entity.objects.filter(location=location).count() == 1


def test_unchanged_bodies_are_not_judged_again(configure, monkeypatch):
    from catalog.services import provider_output

    provider = configure({"static": {"org": {}}}).by_id("static:org")
    STATIC_ENTITIES["static:org"] = [user("ann"), user("bob")]
    run_provider(provider)
    judged: list[str] = []
    real = provider_output.judge_document

    def counting(data, origin):
        judged.append(data["metadata"]["name"])
        return real(data, origin)

    monkeypatch.setattr(provider_output, "judge_document", counting)
    STATIC_ENTITIES["static:org"] = [user("ann"), user("bob", profile={"displayName": "Bob"})]
    report = run_provider(provider)
    assert judged == ["bob"] and report.changed == ["user:default/bob"]


def test_an_orphan_that_comes_back_is_reclaimed(configure):
    provider = configure({"static": {"org": {}}}).by_id("static:org")
    STATIC_ENTITIES["static:org"] = [user("ann"), user("bob")]
    run_provider(provider)
    STATIC_ENTITIES["static:org"] = [user("ann")]
    run_provider(provider)
    STATIC_ENTITIES["static:org"] = [user("ann"), user("bob")]
    run_provider(provider)
    bob = Entity.objects.get(ref="user:default/bob")
    assert not bob.is_orphan and "backstage.io/orphan" not in bob.body["metadata"].get("annotations", {})


def test_a_large_run_queues_the_statistics_job_and_a_small_one_does_not(configure, monkeypatch):
    from catalog.services import statistics

    sent: list[str] = []
    monkeypatch.setattr(statistics, "send_job", sent.append)
    monkeypatch.setattr(statistics, "ANALYZE_AFTER_ROWS", 3)
    provider = configure({"static": {"org": {}}}).by_id("static:org")
    STATIC_ENTITIES["static:org"] = [user("ann"), group("team-a")]
    assert run_provider(provider).ok and sent == []
    STATIC_ENTITIES["static:org"] = [user("ann"), user("bob"), user("cy"), user("dee"), group("team-a")]
    assert run_provider(provider).ok
    assert sent == (["catalog.analyze"] if connection.vendor == "postgresql" else [])
