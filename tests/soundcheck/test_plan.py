"""The per-process evaluation plan: reused while definitions are unchanged, reloaded after any write."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from soundcheck.models import Campaign, Check, CheckResult, Level
from soundcheck.plan import VERSION_KEY, current_plan, definitions_version
from soundcheck.services.evaluations import evaluate_entity

from .conftest import descriptor, make_check, make_track

pytestmark = pytest.mark.django_db

SHOP = "component:default/shop"


@pytest.fixture
def track(make_catalog):
    make_catalog(descriptor("shop"))
    owner = make_check("has-owner", {"fact": "catalog.owner", "exists": True})
    return make_track("basics", [[owner]], {"kind": ["component"]})


def test_plan_is_reused_while_definitions_are_unchanged(track):
    first = current_plan()
    with CaptureQueriesContext(connection) as queries:
        assert current_plan() is first
    assert len(queries) == 0


def test_saving_a_check_reloads_the_plan(track):
    first = current_plan()
    make_check("has-description", {"fact": "catalog.description", "exists": True})
    plan = current_plan()
    assert plan is not first
    assert {check.key for check in plan.checks.values()} == {"has-owner", "has-description"}


def test_deleting_a_check_reloads_the_plan(track):
    current_plan()
    Check.objects.get(key="has-owner").delete()
    assert current_plan().checks == {}


def test_changing_a_levels_checks_reloads_the_plan(track):
    current_plan()
    extra = make_check("has-description", {"fact": "catalog.description", "exists": True})
    current_plan()
    Level.objects.get(track=track).checks.add(extra)
    assert current_plan().track_levels[track.pk] == [sorted([extra.pk, Check.objects.get(key="has-owner").pk])]


def test_track_filter_change_reloads_the_plan(track):
    current_plan()
    track.entity_filter = {"kind": ["api"]}
    track.save()
    evaluate_entity(SHOP)
    assert not CheckResult.objects.filter(entity_ref=SHOP).exists()


def test_campaign_write_reloads_the_plan(track):
    version = definitions_version()
    Campaign.objects.create(
        key="push", name="Push", rule_check=Check.objects.get(key="has-owner"), starts_on="2026-01-01",
        deadline="2026-12-31",
    )  # fmt: skip
    assert definitions_version() != version


def test_a_flushed_cache_reloads_the_plan(track):
    first = current_plan()
    cache.delete(VERSION_KEY)
    assert current_plan() is not first


def test_single_entity_reads_no_definitions(track):
    evaluate_entity(SHOP)
    with CaptureQueriesContext(connection) as queries:
        evaluate_entity(SHOP)
    sql = " ".join(query["sql"] for query in queries)
    assert 'FROM "soundcheck_check" ' not in sql
    assert 'FROM "soundcheck_track" ' not in sql
    assert "soundcheck_level" not in sql
    assert 'FROM "soundcheck_checkresult"' in sql  # the capture saw the evaluation
