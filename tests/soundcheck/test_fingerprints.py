"""Full evaluations skip entities whose outcomes match their stored fingerprint, and record the run
instead of re-stamping every result; a wrong or missing fingerprint only costs the exact path."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from soundcheck.digests import outcome_digest
from soundcheck.models import CheckResult, EntityDigest, EvaluationRun, TrackResult
from soundcheck.runs import effective_evaluated_at, last_full_run_start
from soundcheck.services.evaluations import evaluate_all, evaluate_entity

from .conftest import BILLING, SHOP, push

pytestmark = pytest.mark.django_db


def result_writes(queries: CaptureQueriesContext) -> list[str]:
    """Statements of a captured run that read or write current results."""
    return [
        query["sql"]
        for query in queries.captured_queries
        if ("soundcheck_checkresult" in query["sql"] or "soundcheck_trackresult" in query["sql"])
        and "SELECT DISTINCT" not in query["sql"]
    ]


def test_every_evaluated_entity_gets_the_fingerprint_of_its_results(ladder):
    push(SHOP, catalog__owner="group:default/team-a")
    evaluate_all()
    for ref in (SHOP, BILLING):
        checks = sorted(CheckResult.objects.filter(entity_ref=ref).values_list("rule_check_id", "state", "message"))
        tracks = sorted(TrackResult.objects.filter(entity_ref=ref).values_list("track_id", "level", "owner_ref"))
        assert EntityDigest.objects.get(entity_ref=ref).digest == outcome_digest(checks, tracks)


def test_an_unchanged_full_run_neither_reads_nor_writes_results(ladder):
    push(SHOP, catalog__owner="group:default/team-a")
    evaluate_all()
    before = list(CheckResult.objects.order_by("pk").values_list("pk", "state", "evaluated_at"))
    with CaptureQueriesContext(connection) as queries:
        summary = evaluate_all()
    assert result_writes(queries) == []
    assert (summary.entities, summary.results, summary.changed_entities) == (2, 6, 0)
    assert list(CheckResult.objects.order_by("pk").values_list("pk", "state", "evaluated_at")) == before


def test_only_the_changed_entity_is_read_and_written(ladder):
    evaluate_all()
    push(SHOP, catalog__owner="group:default/team-a")
    with CaptureQueriesContext(connection) as queries:
        summary = evaluate_all()
    assert summary.changed_entities == 1
    reads = [sql for sql in result_writes(queries) if sql.startswith("SELECT")]
    assert reads and all(BILLING not in sql for sql in reads)
    assert CheckResult.objects.get(entity_ref=SHOP, rule_check__key="has-owner").state == "passed"


def test_a_missing_fingerprint_repairs_results_changed_behind_its_back(ladder):
    evaluate_all()
    # Someone edits a result in the database and loses the fingerprint: the exact path restores it.
    CheckResult.objects.filter(entity_ref=SHOP, rule_check__key="has-owner").update(state="passed", message="")
    EntityDigest.objects.filter(entity_ref=SHOP).delete()
    evaluate_all()
    assert CheckResult.objects.get(entity_ref=SHOP, rule_check__key="has-owner").state == "failed"
    assert EntityDigest.objects.filter(entity_ref=SHOP).exists()


def test_a_wrong_fingerprint_only_costs_the_exact_path(ladder):
    evaluate_all()
    EntityDigest.objects.filter(entity_ref=SHOP).update(digest="0" * 32)
    CheckResult.objects.filter(entity_ref=SHOP, rule_check__key="coverage").delete()
    summary = evaluate_all()
    assert summary.changed_entities == 1
    assert CheckResult.objects.filter(entity_ref=SHOP).count() == 3


def test_a_deleted_check_changes_the_fingerprint_and_nothing_is_left_behind(ladder):
    evaluate_all()
    old = EntityDigest.objects.get(entity_ref=SHOP).digest
    from soundcheck.models import Check

    Check.objects.get(key="coverage").delete()
    evaluate_all()
    assert EntityDigest.objects.get(entity_ref=SHOP).digest != old
    assert CheckResult.objects.filter(entity_ref=SHOP).count() == 2


def test_entities_out_of_scope_lose_results_and_fingerprints(ladder):
    evaluate_all()
    ladder.entity_filter = {"owner": ["team-b"]}
    ladder.save()
    summary = evaluate_all()
    assert summary.removed == 4  # shop's three check results and its track result
    assert not CheckResult.objects.filter(entity_ref=SHOP).exists()
    assert not EntityDigest.objects.filter(entity_ref=SHOP).exists()
    assert EntityDigest.objects.filter(entity_ref=BILLING).exists()


def test_an_entity_leaving_every_scope_loses_its_fingerprint_when_evaluated_alone(ladder):
    evaluate_all()
    ladder.entity_filter = {"owner": ["team-b"]}
    ladder.save()
    evaluate_entity(SHOP)
    assert not EntityDigest.objects.filter(entity_ref=SHOP).exists()


def test_each_full_run_is_recorded_with_what_it_did(ladder):
    push(SHOP, catalog__owner="group:default/team-a")
    evaluate_all()
    evaluate_all()
    first, second = EvaluationRun.objects.order_by("pk")
    assert (first.entities, first.results, first.changed_entities, first.check_changes) == (2, 6, 2, 6)
    assert (second.changed_entities, second.check_changes) == (0, 0)
    assert second.finished_at >= second.started_at
    assert last_full_run_start() == second.started_at


def test_a_run_that_did_not_finish_does_not_count(ladder):
    evaluate_all()
    finished = last_full_run_start()
    EvaluationRun.objects.create(started_at=timezone.now())  # still running, or died
    assert last_full_run_start() == finished


def test_a_confirmed_result_shows_the_time_of_the_run_that_confirmed_it(ladder, client, admin_user):
    evaluate_all()
    stamped = CheckResult.objects.get(entity_ref=SHOP, rule_check__key="has-owner").evaluated_at
    evaluate_all()
    confirmed = last_full_run_start()
    assert confirmed > stamped
    assert CheckResult.objects.get(entity_ref=SHOP, rule_check__key="has-owner").evaluated_at == stamped
    client.force_login(admin_user)
    body = client.get("/api/soundcheck/entities/component/default/shop").json()
    shown = {check["key"]: check["evaluatedAt"] for check in body["checks"]}
    assert shown["has-owner"] == confirmed.isoformat().replace("+00:00", "Z")


def test_effective_time_is_the_later_of_the_row_and_the_run():
    now = timezone.now()
    assert effective_evaluated_at(now, None) == now
    assert effective_evaluated_at(now, now - timedelta(hours=1)) == now
    assert effective_evaluated_at(now - timedelta(hours=1), now) == now


def test_bulk_fact_reads_decode_every_json_value_without_collection_times(ladder):
    from soundcheck.facts import facts_for

    values = {"big": 2**70, "none": None, "nested": {"a": [1, "x", True]}, "text": "ünïcode", "flag": False}
    push(SHOP, **values)
    fast = facts_for([SHOP], list(values), with_collected_at=False)[SHOP]
    assert {name: fact.value for name, fact in fast.items()} == values
    assert {fact.collected_at for fact in fast.values()} == {None}
    full = facts_for([SHOP], list(values))[SHOP]
    assert {name: fact.value for name, fact in full.items()} == values
    assert all(fact.collected_at is not None for fact in full.values())


def test_a_rule_on_collection_time_still_reads_it_in_a_full_run(ladder):
    from soundcheck.models import Check

    Check.objects.filter(key="coverage").update(
        rule={"fact": "ci.coverage", "max_age": 7 * 86400, "age_of": "collected_at"}
    )
    push(SHOP, ci__coverage=10)
    evaluate_all()
    assert CheckResult.objects.get(entity_ref=SHOP, rule_check__key="coverage").state == "passed"
    assert CheckResult.objects.get(entity_ref=BILLING, rule_check__key="coverage").message == (
        "fact ci.coverage was never collected"
    )


def test_a_run_that_rewrote_many_rows_refreshes_the_planner_statistics(ladder, monkeypatch):
    from soundcheck.services import evaluations as evaluation

    monkeypatch.setattr(evaluation, "ANALYZE_AFTER_ROWS", 6)
    with CaptureQueriesContext(connection) as queries:
        evaluate_all()  # six new results and two track levels: over the threshold
    with CaptureQueriesContext(connection) as quiet:
        evaluate_all()  # nothing changed
    analyzed = [query["sql"] for query in queries.captured_queries if query["sql"].startswith("ANALYZE")]
    assert [query for query in quiet.captured_queries if query["sql"].startswith("ANALYZE")] == []
    if connection.vendor == "postgresql":
        assert analyzed == ['ANALYZE "soundcheck_checkresult", "soundcheck_trackresult", "soundcheck_entitydigest"']
    else:  # SQLite plans from its indexes; there is nothing to refresh
        assert analyzed == []
