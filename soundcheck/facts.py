"""Reading and recording facts: the current value per entity and name, with history on change.

Every collector and the API write through ``record_facts``. It reads the current rows for the
batch in one query, creates the new ones, updates the changed ones, touches ``collected_at`` of the
unchanged ones with one UPDATE, and appends a ``FactHistory`` row for each new or changed value.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from django.db import connection, transaction
from django.utils import timezone

from portal.registry import FactRecord

from .models import Fact, FactHistory
from .rules import FactValue
from .rules.parse import FACT_NAME

MAX_FACT_BYTES = 64 * 1024
MAX_FACTS_PER_CALL = 200


class FactError(ValueError):
    """A fact that cannot be stored; the message names it."""


@dataclass
class FactWrite:
    """What ``record_facts`` did."""

    created: int = 0
    changed: int = 0
    unchanged: int = 0


def validate_fact(name: Any, value: Any) -> Any:
    """The value as it will be stored (JSON round-tripped); raises ``FactError`` naming the fact."""
    if not isinstance(name, str) or not FACT_NAME.fullmatch(name) or len(name) > 200:
        raise FactError(f"fact name {name!r}: expected a dotted name of letters, digits, '_' and '-'")
    try:
        text = json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise FactError(f"fact {name}: value is not JSON ({error})") from None
    if len(text.encode()) > MAX_FACT_BYTES:
        raise FactError(f"fact {name}: value is {len(text.encode())} bytes as JSON, over the {MAX_FACT_BYTES} limit")
    if "\x00" in text or "\\u0000" in text:
        raise FactError(f"fact {name}: NUL characters cannot be stored")
    return json.loads(text)


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
        created, changed, unchanged, history = [], [], [], []
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
                fact.value, fact.collector, fact.collected_at = value, collector, moment
                changed.append(fact)
                write.changed += is_new_value
                write.unchanged += not is_new_value
            else:
                unchanged.append(fact.pk)
                write.unchanged += 1
        Fact.objects.bulk_create(created, batch_size=1000)
        Fact.objects.bulk_update(changed, ["value", "collector", "collected_at"], batch_size=1000)
        for start in range(0, len(unchanged), 500):
            Fact.objects.filter(pk__in=unchanged[start : start + 500]).update(collected_at=moment)
        FactHistory.objects.bulk_create(history, batch_size=1000)
    return write


def facts_for(
    refs: Iterable[str], names: Iterable[str], *, with_collected_at: bool = True
) -> dict[str, dict[str, FactValue]]:
    """ref -> fact name -> (value, collected_at), for the given refs and names: one query.

    Without ``with_collected_at`` (no rule reads it) ``collected_at`` is None and the rows are read
    through a plain cursor with the ORM's SQL, values decoded by orjson: a full evaluation reads a
    million facts, and per-row converters cost more than the query.
    """
    queryset = Fact.objects.filter(entity_ref__in=list(refs), name__in=list(names))
    found: dict[str, dict[str, FactValue]] = {}
    if with_collected_at:
        rows = queryset.values_list("entity_ref", "name", "value", "collected_at")
        for ref, name, value, collected_at in rows:
            found.setdefault(ref, {})[name] = FactValue(value, collected_at)
        return found
    sql, params = queryset.values_list("entity_ref", "name", "value").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for ref, name, raw in cursor.fetchall():
            found.setdefault(ref, {})[name] = FactValue(_decode(raw), None)
    return found


def _decode(raw: Any) -> Any:
    """A stored JSON value as Python (the drivers hand JSON columns over as text)."""
    if raw is None or not isinstance(raw, str | bytes):
        return raw
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:  # integers beyond 64 bits, which json reads
        return json.loads(raw)
