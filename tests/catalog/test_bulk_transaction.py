"""What a refresh's batch write runs under on PostgreSQL (``catalog.services.bulk.tune_bulk_transaction``).

A batch gets a larger ``work_mem`` for its GIN merges, and when each batch is its own transaction
its commit does not wait for the disk: the refresh's last, durable commit flushes it. Inside a
caller's transaction (a provider's run) every commit stays durable.
"""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from catalog.models import Entity
from catalog.services import bulk, refresh

from .conftest import load_catalog_file

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's settings")

COMPONENTS = """
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: first}
spec: {type: service, lifecycle: production, owner: team-a}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: second}
spec: {type: service, lifecycle: production, owner: team-a}
"""


def setting(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting(%s)", [name])
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_the_settings_last_only_for_the_batch_transaction():
    before = setting("work_mem"), setting("synchronous_commit")
    with transaction.atomic():
        bulk.tune_bulk_transaction(durable=False)
        assert setting("work_mem") == bulk.BULK_WORK_MEM
        assert setting("synchronous_commit") == "off"
    assert (setting("work_mem"), setting("synchronous_commit")) == before


@pytest.mark.django_db(transaction=True)
def test_a_durable_batch_keeps_synchronous_commit_on():
    with transaction.atomic():
        bulk.tune_bulk_transaction(durable=True)
        assert setting("work_mem") == bulk.BULK_WORK_MEM
        assert setting("synchronous_commit") == "on"


def spy_on_batches(monkeypatch) -> list[bool]:
    seen: list[bool] = []

    def tune(*, durable: bool = True) -> None:
        seen.append(durable)
        bulk.tune_bulk_transaction(durable=durable)

    monkeypatch.setattr(refresh, "tune_bulk_transaction", tune)
    return seen


@pytest.mark.django_db(transaction=True)
def test_a_refresh_of_its_own_relaxes_its_batches_and_ends_durably(write_file, monkeypatch):
    seen = spy_on_batches(monkeypatch)

    load_catalog_file(write_file, "catalog.yaml", COMPONENTS)

    assert seen == [False]
    assert Entity.objects.filter(kind="Component").count() == 2
    # The refresh's own commits are behind it; the connection is back to its defaults.
    assert setting("synchronous_commit") == "on"


@pytest.mark.django_db(transaction=True)
def test_batches_inside_a_callers_transaction_stay_durable(write_file, monkeypatch):
    seen = spy_on_batches(monkeypatch)

    with transaction.atomic():
        load_catalog_file(write_file, "catalog.yaml", COMPONENTS)
        assert setting("synchronous_commit") == "on"

    assert seen == [True]
