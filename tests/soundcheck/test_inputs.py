"""Full runs skip entities whose inputs (plan, scopes, owner, facts, time) are those their stored
outcomes came from (PostgreSQL), and whatever changes one of them is evaluated again, on both
databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.models import Location, Relation
from catalog.services import delete_location
from soundcheck.models import Check, CheckResult, EntityDigest, EvaluationRun, TrackResult
from soundcheck.rules import FactValue, parse_rule, rule_horizon
from soundcheck.services.evaluations import evaluate_all, evaluate_refs

from .conftest import BILLING, SHOP, make_check, push

pytestmark = pytest.mark.django_db
POSTGRES = connection.vendor == "postgresql"


def fact_reads(queries: CaptureQueriesContext) -> list[str]:
    """Statements that read facts one batch at a time (not the set-based pass over every entity)."""
    return [q["sql"] for q in queries.captured_queries if q["sql"].startswith('SELECT "soundcheck_fact"')]


def state(ref: str, key: str) -> tuple[str, str]:
    result = CheckResult.objects.get(entity_ref=ref, rule_check__key=key)
    return result.state, result.message


def test_an_unchanged_run_reads_no_fact_and_counts_what_it_skipped(ladder):
    push(SHOP, catalog__owner="group:default/team-a", ci__coverage=10)
    first = evaluate_all()
    with CaptureQueriesContext(connection) as queries:
        again = evaluate_all()
    assert (again.entities, again.results, again.errors, again.changed_entities) == (2, 6, 0, 0)
    assert (first.results, first.errors) == (again.results, again.errors)
    if POSTGRES:
        assert fact_reads(queries) == []
        assert EntityDigest.objects.exclude(inputs="").count() == 2
    else:  # every entity is evaluated and compared with its fingerprint, as before
        assert fact_reads(queries)


def test_a_changed_fact_is_evaluated_and_only_that_entity_is_read(ladder):
    push(SHOP, ci__coverage=10)
    push(BILLING, ci__coverage=10)
    evaluate_all()
    push(SHOP, ci__coverage=95)
    with CaptureQueriesContext(connection) as queries:
        summary = evaluate_all()
    assert summary.changed_entities == 1
    assert state(SHOP, "coverage") == ("passed", "")
    assert state(BILLING, "coverage")[0] == "failed"
    if POSTGRES:
        reads = fact_reads(queries)
        assert len(reads) == 1 and BILLING not in str(queries.captured_queries)


def test_a_number_written_as_a_float_is_a_changed_fact(ladder):
    Check.objects.filter(key="coverage").update(rule=parse_rule({"fact": "ci.coverage", "equals": "x"}))
    push(SHOP, ci__coverage=1)
    evaluate_all()
    assert "ci.coverage is 1," in state(SHOP, "coverage")[1]
    push(SHOP, ci__coverage=1.0)  # equal in Python and as jsonb, but not shown the same
    evaluate_all()
    assert "ci.coverage is 1.0," in state(SHOP, "coverage")[1]


def test_a_fact_changed_and_changed_back_behind_an_incremental_evaluation(ladder):
    push(SHOP, ci__coverage=10)
    evaluate_all()
    push(SHOP, ci__coverage=95)
    evaluate_refs([SHOP])  # stores the outcome of 95 with its inputs
    push(SHOP, ci__coverage=10)  # no evaluation followed
    evaluate_all()
    assert state(SHOP, "coverage")[0] == "failed"


def test_an_entity_leaving_scope_and_a_new_owner_are_evaluated(ladder):
    evaluate_all()
    evaluate_all()
    ladder.entity_filter = {"owner": ["team-b"]}
    ladder.save()
    evaluate_all()
    assert not CheckResult.objects.filter(entity_ref=SHOP).exists()
    assert not EntityDigest.objects.filter(entity_ref=SHOP).exists()
    assert TrackResult.objects.get(entity_ref=BILLING).owner_ref == "group:default/team-b"
    ladder.entity_filter = {"kind": ["component"]}
    ladder.save()
    evaluate_all()
    # billing's owner changes in the catalog and no evaluation of billing follows (yet).
    Relation.objects.filter(source_ref=BILLING, type="ownedBy").update(target_ref="group:default/team-a")
    evaluate_all()
    assert TrackResult.objects.get(entity_ref=BILLING).owner_ref == "group:default/team-a"


def test_a_removed_check_and_a_row_written_for_it_meanwhile_are_gone_after_the_next_run(ladder):
    evaluate_all()
    coverage = Check.objects.get(key="coverage")
    coverage_id = coverage.pk
    coverage.delete()
    assert not CheckResult.objects.filter(rule_check_id=coverage_id).exists()  # Django's cascade
    # A run that read the definitions before the delete writes its result after it (no database
    # constraint refuses the row any more).
    now = timezone.now()
    CheckResult.objects.create(entity_ref=SHOP, rule_check_id=coverage_id, state="failed", evaluated_at=now,
                               changed_at=now)  # fmt: skip
    evaluate_all()
    assert not CheckResult.objects.filter(rule_check_id=coverage_id).exists()
    assert CheckResult.objects.filter(entity_ref=SHOP).count() == 2


def test_a_deleted_entity_loses_its_inputs_with_its_results(ladder):
    evaluate_all()
    evaluate_all()
    for location in Location.objects.all():
        delete_location(location)
    summary = evaluate_all()
    assert summary.entities == 0
    assert not EntityDigest.objects.exists() and not CheckResult.objects.exists()


def test_a_max_age_outcome_is_evaluated_again_once_it_may_have_changed(ladder, monkeypatch):
    Check.objects.filter(key="coverage").update(rule=parse_rule({"fact": "ci.last_run", "max_age": "30d"}))
    start = timezone.now()
    push(SHOP, ci__last_run=(start - timedelta(days=29)).isoformat())
    evaluate_all()
    assert state(SHOP, "coverage") == ("passed", "")
    digest = EntityDigest.objects.get(entity_ref=SHOP)
    assert digest.expires_at is not None and start < digest.expires_at < start + timedelta(days=2)
    assert EntityDigest.objects.get(entity_ref=BILLING).expires_at is None  # never collected: no age
    with CaptureQueriesContext(connection) as queries:
        evaluate_all()  # still within the 30 days
    if POSTGRES:
        assert fact_reads(queries) == []
    later = start + timedelta(days=2)
    monkeypatch.setattr("soundcheck.services.evaluations.timezone.now", lambda: later)
    evaluate_all()
    shown = state(SHOP, "coverage")
    assert shown[0] == "failed" and "31 days ago" in shown[1]
    assert EntityDigest.objects.get(entity_ref=SHOP).expires_at == later  # a failing age is re-read


def test_a_tampered_fingerprint_is_not_trusted_with_the_inputs(ladder):
    push(SHOP, ci__coverage=95)
    evaluate_all()
    EntityDigest.objects.filter(entity_ref=SHOP).update(digest="0" * 32)
    CheckResult.objects.filter(entity_ref=SHOP, rule_check__key="coverage").delete()
    evaluate_all()
    assert state(SHOP, "coverage") == ("passed", "")


def test_a_rule_on_collection_time_disables_skipping(ladder):
    make_check("fresh", {"fact": "ci.coverage", "max_age": "7d", "age_of": "collected_at"})
    push(SHOP, ci__coverage=95)
    evaluate_all()
    assert set(EntityDigest.objects.values_list("inputs", flat=True)) == {""}
    with CaptureQueriesContext(connection) as queries:
        evaluate_all()
    assert fact_reads(queries)


def test_a_bad_rule_counts_its_errors_in_a_skipped_run(ladder):
    Check.objects.filter(key="coverage").update(rule={"fact": "ci.coverage", "bogus": 1})
    first = evaluate_all()
    again = evaluate_all()
    assert first.errors == again.errors == 2
    assert EvaluationRun.objects.order_by("-pk").first().errors == 2


def test_rule_horizon():
    now = datetime(2026, 12, 1, tzinfo=UTC)
    fresh = {"ci.last_run": FactValue((now - timedelta(days=1)).isoformat(), None)}
    stale = {"ci.last_run": FactValue((now - timedelta(days=40)).isoformat(), None)}
    age = parse_rule({"fact": "ci.last_run", "max_age": "30d"})
    assert rule_horizon(age, fresh, now) == now + timedelta(days=29)
    assert rule_horizon(age, stale, now) == now  # "40 days ago" changes with the time
    assert rule_horizon(age, {}, now) is None  # never collected, whatever the time
    assert rule_horizon(age, {"ci.last_run": FactValue("soon", None)}, now) is None  # not a timestamp
    assert rule_horizon(parse_rule({"fact": "ci.coverage", ">=": 80}), fresh, now) is None
    recent = {"not": {"fact": "ci.last_run", "max_age": "2d"}}
    both = parse_rule({"all": [{"fact": "ci.last_run", "max_age": "30d"}, recent]})
    assert rule_horizon(both, fresh, now) == now + timedelta(days=1)
    collected = parse_rule({"fact": "ci.last_run", "max_age": "1d", "age_of": "collected_at"})
    assert rule_horizon(collected, {"ci.last_run": FactValue(1, now)}, now) == now + timedelta(days=1)


def test_new_inputs_with_the_same_outcomes_are_kept_without_rewriting_results(ladder):
    push(SHOP, catalog__owner="group:default/team-a")
    evaluate_all()
    before = EntityDigest.objects.get(entity_ref=SHOP)
    push(SHOP, catalog__owner="group:default/team-b")  # still set: every outcome is the same
    with CaptureQueriesContext(connection) as queries:
        summary = evaluate_all()
    assert summary.changed_entities == 0
    assert not [q for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "soundcheck_checkresult"')]
    after = EntityDigest.objects.get(entity_ref=SHOP)
    assert after.digest == before.digest
    if POSTGRES:
        assert after.inputs != before.inputs
        with CaptureQueriesContext(connection) as queries:
            evaluate_all()
        assert fact_reads(queries) == []


def test_results_without_a_fingerprint_leave_with_the_scope_though_other_entities_are_skipped(ladder):
    evaluate_all()
    # Written before fingerprints existed (an upgrade): results but no EntityDigest row.
    EntityDigest.objects.filter(entity_ref=SHOP).delete()
    ladder.entity_filter = {"owner": ["team-b"]}
    ladder.save()  # billing's scopes, facts and owner are the same: it is skipped
    summary = evaluate_all()
    assert summary.removed == 4
    assert not CheckResult.objects.filter(entity_ref=SHOP).exists()
    assert not TrackResult.objects.filter(entity_ref=SHOP).exists()
