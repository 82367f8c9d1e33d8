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


def test_new_rows_are_appended_with_their_history_in_one_statement():
    from soundcheck.models import CheckResultChange
    from soundcheck.services.bulk import append_with_history

    check = make_check("has-owner", {"fact": "catalog.owner", "exists": True})
    other = make_check("has-readme", {"fact": "repository.has_readme", "equals": True})
    message = "line one\nline\ttwo \\ with ünïcode and a quote '"
    rows = [("component:default/s-1", check.pk, "failed", message), ("component:default/s-1", other.pk, "passed", ""),
            ("component:default/s-2", check.pk, "failed", message)]  # fmt: skip
    with CaptureQueriesContext(connection) as queries:
        append_with_history(CheckResult, FIELDS[:4], rows, ("evaluated_at", "changed_at"), adapt_datetime(LATE),
                            CheckResultChange, ("entity_ref", "rule_check", "state", "changed_at"))  # fmt: skip
        append_with_history(CheckResult, FIELDS[:4], [], ("evaluated_at", "changed_at"), adapt_datetime(LATE),
                            CheckResultChange, ("entity_ref", "rule_check", "state", "changed_at"))  # fmt: skip
    assert len(queries) == (1 if connection.vendor == "postgresql" else 2)
    stored = CheckResult.objects.order_by("entity_ref", "rule_check_id")
    assert [(r.entity_ref, r.rule_check_id, r.state, r.message) for r in stored] == sorted(rows)
    assert {(r.evaluated_at, r.changed_at) for r in stored} == {(LATE, LATE)}
    history = CheckResultChange.objects.order_by("entity_ref", "rule_check_id")
    assert [(r.entity_ref, r.rule_check_id, r.state, r.changed_at) for r in history] == [
        (ref, check_id, state, LATE) for ref, check_id, state, _ in sorted(rows)
    ]


def test_update_rows_sets_fields_by_key_and_ignores_unknown_keys():
    from soundcheck.models import EntityDigest
    from soundcheck.services.bulk import update_rows

    EntityDigest.objects.create(entity_ref="component:default/shop", digest="a" * 32)
    update_rows(EntityDigest, "entity_ref", ("inputs", "expires_at", "errors"),
                [("component:default/shop", "b" * 32, adapt_datetime(LATE), 2),
                 ("component:default/gone", "c" * 32, None, 0)])  # fmt: skip
    stored = EntityDigest.objects.get()
    assert (stored.digest, stored.inputs, stored.expires_at, stored.errors) == ("a" * 32, "b" * 32, LATE, 2)


def test_an_upsert_keeps_the_time_of_the_last_state_change_when_the_state_is_the_same():
    check = make_check("has-owner", {"fact": "catalog.owner", "exists": True})
    for ref in ("component:default/same", "component:default/other"):
        CheckResult.objects.create(entity_ref=ref, rule_check=check, state="failed", message="no owner",
                                   evaluated_at=EARLY, changed_at=EARLY)  # fmt: skip
    late = adapt_datetime(LATE)
    rows = [("component:default/same", check.pk, "failed", "still no owner", late, late),
            ("component:default/other", check.pk, "passed", "", late, late)]  # fmt: skip
    update = ("state", "message", "evaluated_at", "changed_at")
    insert_rows(CheckResult, FIELDS, rows, conflict=("entity_ref", "rule_check"), update=update,
                unless_same={"changed_at": "state"})  # fmt: skip
    same = CheckResult.objects.get(entity_ref="component:default/same")
    other = CheckResult.objects.get(entity_ref="component:default/other")
    assert (same.message, same.evaluated_at, same.changed_at) == ("still no owner", LATE, EARLY)
    assert (other.state, other.changed_at) == ("passed", LATE)
