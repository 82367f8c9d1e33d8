"""Storing facts: the current value per entity and name, with history on change.

Every collector, the API and the benchmark write through ``record_facts``. It reads the current rows
for the batch in one query, creates the new ones, updates the changed ones (one ``UPDATE ... FROM
unnest(...)`` per 1,000 rows: Django's ``bulk_update`` builds a ``CASE WHEN`` per row and field,
which cost about 0.4 ms a fact in Python), touches ``collected_at`` of the unchanged ones, and
appends a ``FactHistory`` row for each new or changed value. Facts pushed through the API
(``push_facts``) are also recorded in the audit log, one event per push; collectors' facts are
background bookkeeping and are not.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from portal.registry import FactRecord
from portal.services.audit import record_event

from ..models import Fact, FactHistory
from .bulk import adapt_datetime, update_rows
from .evaluations import evaluate_entity


@dataclass
class FactWrite:
    """What ``record_facts`` did."""

    created: int = 0
    changed: int = 0
    unchanged: int = 0


def _same(left: Any, right: Any) -> bool:
    if isinstance(left, float) and isinstance(right, float) and math.isnan(left) and math.isnan(right):
        return True
    return json.dumps(left, sort_keys=True) == json.dumps(right, sort_keys=True)


def record_facts(records: Iterable[FactRecord], collector: str, collected_at: datetime | None = None) -> FactWrite:
    """Store facts (values already validated); history rows for new and changed values only."""
    moment = collected_at or timezone.now()
    wanted: dict[tuple[str, str], Any] = {}
    for record in records:
        wanted[(record.entity_ref.lower(), record.name)] = record.value
    write = FactWrite()
    if not wanted:
        return write
    refs = {ref for ref, _ in wanted}
    names = {name for _, name in wanted}
    with transaction.atomic():
        current = {
            (fact.entity_ref, fact.name): fact
            for fact in Fact.objects.filter(entity_ref__in=refs, name__in=names).select_for_update()
        }
        created, unchanged, history = [], [], []
        changed: list[tuple[int, Any, str, Any]] = []  # (id, value in database form, collector, collected_at)
        value_field, stamp = Fact._meta.get_field("value"), adapt_datetime(moment)
        for (ref, name), value in wanted.items():
            fact = current.get((ref, name))
            is_new_value = fact is None or not _same(fact.value, value)
            if is_new_value:
                history.append(
                    FactHistory(entity_ref=ref, name=name, value=value, collector=collector, collected_at=moment)
                )
            if fact is None:
                created.append(Fact(entity_ref=ref, name=name, value=value, collector=collector, collected_at=moment))
                write.created += 1
            elif is_new_value or fact.collector != collector:
                changed.append((fact.pk, value_field.get_db_prep_value(value, connection), collector, stamp))
                write.changed += is_new_value
                write.unchanged += not is_new_value
            else:
                unchanged.append(fact.pk)
                write.unchanged += 1
        Fact.objects.bulk_create(created, batch_size=1000)
        update_rows(Fact, "id", ("value", "collector", "collected_at"), changed)
        for start in range(0, len(unchanged), 500):
            Fact.objects.filter(pk__in=unchanged[start : start + 500]).update(collected_at=moment)
        FactHistory.objects.bulk_create(history, batch_size=1000)
    return write


def push_facts(entity_ref: str, values: Mapping[str, Any], collector: str) -> FactWrite:
    """Store facts sent for one entity (validated and authorised by the caller), record the push in
    the audit log, then evaluate the entity at once."""
    with transaction.atomic():
        write = record_facts([FactRecord(entity_ref, name, value) for name, value in values.items()], collector)
        record_event(
            "soundcheck.facts.push",
            entity_ref,
            {"collector": collector, "facts": sorted(values), "created": write.created, "changed": write.changed},
        )
    evaluate_entity(entity_ref)
    return write


def delete_facts(collector: str) -> int:
    """Forget every fact and fact history row a collector wrote (a benchmark's synthetic facts);
    the number of current facts deleted."""
    with transaction.atomic():
        deleted = Fact.objects.filter(collector=collector).delete()[0]
        FactHistory.objects.filter(collector=collector).delete()
    return deleted
