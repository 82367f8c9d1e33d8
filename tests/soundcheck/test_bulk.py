"""Multi-row inserts and upserts of plain tuples (evaluation's writes)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from soundcheck.models import CheckResult
from soundcheck.services.bulk import adapt_datetime, copy_rows, insert_rows, lock_entities

from .conftest import make_check

pytestmark = pytest.mark.django_db

FIELDS = ("entity_ref", "rule_check", "state", "message", "evaluated_at", "changed_at")
EARLY = datetime(2026, 1, 1, tzinfo=UTC)
LATE = datetime(2026, 2, 1, 12, 30, tzinfo=UTC)


def test_inserts_rows_in_batches():
    check = make_check("has-owner", {"fact": "catalog.owner", "exists": True})
    rows = [(f"component:default/s-{index}", check.pk, "passed", "", adapt_datetime(EARLY), adapt_datetime(EARLY))
            for index in range(7)]  # fmt: skip
    insert_rows(CheckResult, FIELDS, rows, batch=3)
    assert CheckResult.objects.count() == 7
    assert CheckResult.objects.get(entity_ref="component:default/s-6").evaluated_at == EARLY


def test_upsert_overwrites_the_named_fields_of_an_existing_row():
    check = make_check("has-owner", {"fact": "catalog.owner", "exists": True})
    CheckResult.objects.create(entity_ref="component:default/shop", rule_check=check, state="failed",
                               message="no owner", evaluated_at=EARLY, changed_at=EARLY)  # fmt: skip
    row = ("component:default/shop", check.pk, "passed", "", adapt_datetime(LATE), adapt_datetime(LATE))
    insert_rows(CheckResult, FIELDS, [row], conflict=("entity_ref", "rule_check"), update=("state", "evaluated_at"))
    result = CheckResult.objects.get()
    assert (result.state, result.message, result.evaluated_at, result.changed_at) == ("passed", "no owner", LATE, EARLY)


def test_nothing_to_insert_sends_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        insert_rows(CheckResult, FIELDS, [])


def test_copy_appends_rows_with_unicode_and_newlines_intact_and_is_in_the_query_log():
    check = make_check("has-owner", {"fact": "catalog.owner", "exists": True})
    message = "line one\nline\ttwo \\ with ünïcode and a quote '"
    rows = [(f"component:default/s-{index}", check.pk, "failed", message, adapt_datetime(LATE), adapt_datetime(EARLY))
            for index in range(3)]  # fmt: skip
    with CaptureQueriesContext(connection) as queries:
        copy_rows(CheckResult, FIELDS, rows)
        copy_rows(CheckResult, FIELDS, [])  # nothing to write: no statement
    assert len(queries) == 1
    stored = CheckResult.objects.get(entity_ref="component:default/s-2")
    assert (stored.message, stored.evaluated_at, stored.changed_at) == (message, LATE, EARLY)


def test_entity_locks_make_a_second_evaluation_of_the_same_entity_wait():
    with CaptureQueriesContext(connection) as queries:
        lock_entities(["component:default/shop", "component:default/billing"])
    if connection.vendor != "postgresql":
        assert len(queries) == 0  # SQLite takes one writer at a time by itself
        return
    taken: list[bool] = []

    def other_evaluation(ref: str) -> None:
        try:
            with connections["default"].cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_xact_lock(hashtextextended(%s, 0))", [ref])
                taken.append(cursor.fetchone()[0])
        finally:
            connections["default"].close()

    for ref in ("component:default/shop", "component:default/other"):
        thread = threading.Thread(target=other_evaluation, args=(ref,))
        thread.start()
        thread.join()
    assert taken == [False, True]  # shop is held by this transaction; another entity is free
