"""Multi-row inserts and upserts of plain tuples (evaluation's writes)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from soundcheck.bulk import adapt_datetime, insert_rows
from soundcheck.models import CheckResult

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
