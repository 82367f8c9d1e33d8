"""Storing facts: new, changed and unchanged values, their history, and the cost of a large push."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.registry import FactRecord
from soundcheck.models import Fact, FactHistory
from soundcheck.services.facts import record_facts

pytestmark = pytest.mark.django_db

EARLY = datetime(2026, 1, 1, tzinfo=UTC)
LATE = datetime(2026, 2, 1, 12, 30, tzinfo=UTC)
SHOP = "component:default/shop"


def values() -> dict[tuple[str, str], object]:
    return {(fact.entity_ref, fact.name): fact.value for fact in Fact.objects.all()}


def test_new_changed_and_unchanged_values_with_history_for_new_and_changed_only():
    record_facts([FactRecord(SHOP, "ci.coverage", 71), FactRecord(SHOP, "repo.readme", True)], "ci", EARLY)
    write = record_facts([FactRecord(SHOP, "ci.coverage", 84.5), FactRecord(SHOP, "repo.readme", True)], "ci", LATE)

    assert (write.created, write.changed, write.unchanged) == (0, 1, 1)
    assert values() == {(SHOP, "ci.coverage"): 84.5, (SHOP, "repo.readme"): True}
    assert {fact.name: fact.collected_at for fact in Fact.objects.all()} == {"ci.coverage": LATE, "repo.readme": LATE}
    history = list(FactHistory.objects.order_by("collected_at", "name").values_list("name", "value", "collected_at"))
    assert history == [("ci.coverage", 71, EARLY), ("repo.readme", True, EARLY), ("ci.coverage", 84.5, LATE)]


def test_changed_values_of_every_json_shape_are_stored_as_sent():
    shapes = {
        "a.mapping": {"owners": ["ops", "sre"], "nested": {"ok": False}},
        "a.list": [1, "two", None],
        "a.text": "naïve ☃ text with a ' quote and a \" quote",
        "a.number": 1.5,
        "a.flag": False,
    }
    record_facts([FactRecord(SHOP, name, "before") for name in shapes], "ci", EARLY)
    write = record_facts([FactRecord(SHOP, name, value) for name, value in shapes.items()], "ci", LATE)

    assert write.changed == len(shapes)
    assert values() == {(SHOP, name): value for name, value in shapes.items()}


def test_a_number_written_as_a_float_is_a_change_and_the_refs_case_is_folded():
    record_facts([FactRecord(SHOP, "ci.coverage", 1)], "ci", EARLY)
    write = record_facts([FactRecord("Component:default/Shop", "ci.coverage", 1.0)], "ci", LATE)

    assert (write.changed, write.unchanged) == (1, 0)
    assert Fact.objects.get().value == 1.0 and isinstance(Fact.objects.get().value, float)


def test_the_same_value_from_another_collector_changes_the_collector_without_history():
    record_facts([FactRecord(SHOP, "ci.coverage", 80)], "ci", EARLY)
    write = record_facts([FactRecord(SHOP, "ci.coverage", 80)], "nightly", LATE)

    assert (write.changed, write.unchanged) == (0, 1)
    fact = Fact.objects.get()
    assert (fact.collector, fact.collected_at) == ("nightly", LATE)
    assert FactHistory.objects.count() == 1


def test_a_large_push_of_changed_values_costs_a_statement_per_thousand_rows_not_per_row():
    refs = [f"component:default/service-{index}" for index in range(2500)]
    record_facts([FactRecord(ref, "ci.coverage", 10) for ref in refs], "ci", EARLY)
    with CaptureQueriesContext(connection) as queries:
        write = record_facts([FactRecord(ref, "ci.coverage", 90) for ref in refs], "ci", LATE)

    assert write.changed == 2500
    # 1,000 + 1,000 + 500 rows; Django logs SQLite's executemany as "<n> times: UPDATE ..."
    updates = [query["sql"] for query in queries.captured_queries if query["sql"].split(": ")[-1].startswith("UPDATE")]
    assert len(updates) == 3
    assert set(Fact.objects.values_list("value", flat=True)) == {90}
    assert FactHistory.objects.filter(collected_at=LATE).count() == 2500
