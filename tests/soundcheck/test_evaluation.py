"""The evaluation engine: results, levels, change history, scopes, and query counts in batches."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from soundcheck.models import Check, CheckResult, CheckResultChange, ResultState, TrackResult, TrackResultChange
from soundcheck.services.evaluations import delete_results, evaluate_all, evaluate_entity

from .conftest import BILLING, SHOP, descriptor, make_check, make_track, push

pytestmark = pytest.mark.django_db


def state(ref: str, key: str) -> str:
    return CheckResult.objects.get(entity_ref=ref, rule_check__key=key).state


def level(ref: str, key: str) -> int:
    return TrackResult.objects.get(entity_ref=ref, track__key=key).level


def test_level_is_the_highest_with_every_lower_level_passed(ladder):
    push(SHOP, catalog__owner="group:default/team-a", repository__has_readme=False, ci__coverage=90)
    push(BILLING, catalog__owner="group:default/team-b", repository__has_readme=True, ci__coverage=90)
    evaluate_all()
    # shop passes L3's check but fails L2, so it holds L1 only.
    assert level(SHOP, "quality") == 1
    assert level(BILLING, "quality") == 3
    assert TrackResult.objects.get(entity_ref=BILLING).owner_ref == "group:default/team-b"


def test_no_level_when_the_first_fails(ladder):
    evaluate_all()
    assert level(SHOP, "quality") == 0
    result = CheckResult.objects.get(entity_ref=SHOP, rule_check__key="has-readme")
    assert (result.state, result.message) == ("failed", "fact repository.has_readme was never collected")


def test_only_the_filtered_entities_get_results(ladder):
    evaluate_all()
    refs = set(CheckResult.objects.values_list("entity_ref", flat=True))
    assert refs == {SHOP, BILLING}  # not the Location entity


def test_changes_are_written_only_when_the_state_changes(ladder):
    push(SHOP, catalog__owner="group:default/team-a")
    evaluate_all()
    assert CheckResultChange.objects.filter(entity_ref=SHOP).count() == 3
    assert TrackResultChange.objects.filter(entity_ref=SHOP).count() == 1
    evaluate_all()
    assert CheckResultChange.objects.filter(entity_ref=SHOP).count() == 3
    push(SHOP, repository__has_readme=True)
    evaluate_all()
    changes = CheckResultChange.objects.filter(entity_ref=SHOP, rule_check__key="has-readme").order_by("pk")
    assert list(changes.values_list("state", flat=True)) == ["failed", "passed"]
    assert list(TrackResultChange.objects.filter(entity_ref=SHOP).order_by("pk").values_list("level", flat=True)) == [
        1,
        2,
    ]


def test_a_bad_rule_stored_anyway_is_an_error_with_the_message(ladder):
    Check.objects.filter(key="coverage").update(rule={"fact": "ci.coverage", "equal": 80})
    evaluate_all()
    result = CheckResult.objects.get(entity_ref=SHOP, rule_check__key="coverage")
    assert result.state == ResultState.ERROR
    assert (
        result.message == "check coverage: rule.fact: unknown operator 'equal' "
        "(expected one of <, <=, >, >=, equals, exists, in, max_age)"
    )
    # The other checks were still evaluated.
    assert state(SHOP, "has-owner") == "failed"


def test_incremental_evaluation_of_one_entity(ladder):
    evaluate_all()
    push(SHOP, catalog__owner="group:default/team-a", repository__has_readme=True)
    evaluate_entity(SHOP)
    assert level(SHOP, "quality") == 2
    assert level(BILLING, "quality") == 0


def test_results_leave_with_the_scope(ladder):
    evaluate_all()
    ladder.entity_filter = {"owner": ["team-b"]}
    ladder.save()
    evaluate_entity(SHOP)
    assert not CheckResult.objects.filter(entity_ref=SHOP).exists()
    assert not TrackResult.objects.filter(entity_ref=SHOP).exists()
    assert CheckResult.objects.filter(entity_ref=BILLING).count() == 3


def test_full_evaluation_drops_results_of_deleted_entities(ladder):
    evaluate_all()
    CheckResult.objects.filter(entity_ref=SHOP).update(entity_ref="component:default/gone")
    evaluate_all()
    assert not CheckResult.objects.filter(entity_ref="component:default/gone").exists()


def test_delete_results_keeps_history(ladder):
    evaluate_all()
    delete_results([SHOP])
    assert not CheckResult.objects.filter(entity_ref=SHOP).exists()
    assert CheckResultChange.objects.filter(entity_ref=SHOP).count() == 3


def test_checks_in_no_track_apply_to_every_entity(make_catalog):
    from catalog.models import Entity

    make_catalog(descriptor("shop"))
    make_check("lonely", {"fact": "x", "exists": False})
    evaluate_all()
    assert set(CheckResult.objects.values_list("entity_ref", flat=True)) == set(
        Entity.objects.values_list("ref", flat=True)
    )
    assert set(CheckResult.objects.values_list("state", flat=True)) == {"passed"}


# PostgreSQL takes a batch's entity locks with one more query; SQLite has a single writer and none.
ENTITY_LOCKS = int(connection.vendor == "postgresql")
# And a full run on PostgreSQL first finds the entities it can skip (``evaluation.inputs``): one query.
SKIP_PASS = int(connection.vendor == "postgresql")


def catalog_of(make_catalog, count: int) -> None:
    make_catalog(*(descriptor(f"service-{index}") for index in range(count)))


def full_evaluation_queries(make_catalog, count: int) -> int:
    catalog_of(make_catalog, count)
    checks = [make_check(f"check-{index}", {"fact": f"fact.{index}", "exists": True}) for index in range(3)]
    make_track("track", [checks[:2], checks[2:]], {"kind": ["component"]})
    evaluate_all()
    for index in range(count):
        push(f"component:default/service-{index}", fact__0=True)
    with CaptureQueriesContext(connection) as queries:
        evaluate_all()
    return len(queries)


@pytest.mark.parametrize("count", [5, 10])
def test_query_count_does_not_grow_with_entities(make_catalog, settings, count, request):
    settings.SOUNDCHECK = {**settings.SOUNDCHECK, "BATCH_SIZE": 100}
    assert full_evaluation_queries(make_catalog, count) == 17 + ENTITY_LOCKS + SKIP_PASS


def test_query_count_grows_with_batches(make_catalog, settings):
    settings.SOUNDCHECK = {**settings.SOUNDCHECK, "BATCH_SIZE": 5}
    # Two batches of five: the per-batch queries (facts, owners, fingerprints, savepoint, fingerprints
    # again under the lock, two result reads, three writes, release: eleven, and PostgreSQL's entity
    # locks) run twice.
    assert full_evaluation_queries(make_catalog, 10) == 17 + 11 + 2 * ENTITY_LOCKS + SKIP_PASS


def test_one_entity_costs_a_fixed_number_of_queries(ladder, django_assert_num_queries):
    evaluate_all()
    push(SHOP, catalog__owner="group:default/team-a")
    # Definitions come from the process's plan: scopes (1), facts (1), owner (1), savepoint, the
    # stored fingerprint (1), current check and track results (2), evaluated_at stamps (2), upsert and
    # change rows of the check and the track that changed (4), the fingerprint (1), release; and on
    # PostgreSQL the entity lock.
    with django_assert_num_queries(15 + ENTITY_LOCKS):
        evaluate_entity(SHOP)
