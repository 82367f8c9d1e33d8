"""Facts: validating a value before it is stored, and reading the current values per entity and name.

Storing them (``record_facts``, with history on change) is ``soundcheck.services.facts``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import orjson
from django.db import connection
from django.db.models.expressions import RawSQL

from portal.registry import FactRecord

from .models import Fact
from .rules import FactValue
from .rules.parse import FACT_NAME

__all__ = ["MAX_FACTS_PER_CALL", "MAX_FACT_BYTES", "FactError", "FactRecord", "facts_for", "validate_fact"]

MAX_FACT_BYTES = 64 * 1024
MAX_FACTS_PER_CALL = 200


class FactError(ValueError):
    """A fact that cannot be stored; the message names it."""


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


def facts_for(
    refs: Iterable[str],
    names: Iterable[str],
    *,
    with_collected_at: bool = True,
    digests: dict[str, int] | None = None,
) -> dict[str, dict[str, FactValue]]:
    """ref -> fact name -> (value, collected_at), for the given refs and names: one query.

    Without ``with_collected_at`` (no rule reads it) ``collected_at`` is None and the rows are read
    through a plain cursor with the ORM's SQL, values decoded by orjson: a full evaluation reads a
    million facts, and per-row converters cost more than the query. Then ``digests``, if given
    (PostgreSQL), is filled with each ref's facts digest (see ``FACT_HASH_SQL``) of the rows read.
    """
    queryset = Fact.objects.filter(entity_ref__in=list(refs), name__in=list(names))
    found: dict[str, dict[str, FactValue]] = {}
    if with_collected_at:
        rows = queryset.values_list("entity_ref", "name", "value", "collected_at")
        for ref, name, value, collected_at in rows:
            found.setdefault(ref, {})[name] = FactValue(value, collected_at)
        return found
    columns = ["entity_ref", "name", "value"]
    if digests is not None:  # hashed by the server from the very rows read: see FACT_HASH_SQL
        queryset = queryset.annotate(fact_hash=RawSQL(FACT_HASH_SQL.format(fact=_quoted_table()), []))
        columns.append("fact_hash")
    sql, params = queryset.values_list(*columns).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for ref, name, raw, *hashed in cursor.fetchall():
            found.setdefault(ref, {})[name] = FactValue(_decode(raw), None)
            if digests is not None:
                digests[ref] = digests.get(ref, 0) ^ hashed[0]
    return found


# One fact's hash, computed by PostgreSQL from the stored row (its name and its value as the server
# renders it, so ``1`` and ``1.0`` differ): an entity's facts digest is the XOR of its facts'
# hashes, in any order, the same whether ``facts_for`` folds them in Python or
# ``evaluation.inputs`` with ``bit_xor`` in SQL. PostgreSQL only (``hashtextextended``).
FACT_HASH_SQL = "hashtextextended({fact}.name || ':' || coalesce({fact}.value::text, ''), 0)"


def _quoted_table() -> str:
    return connection.ops.quote_name(Fact._meta.db_table)


def _decode(raw: Any) -> Any:
    """A stored JSON value as Python (the drivers hand JSON columns over as text)."""
    if raw is None or not isinstance(raw, str | bytes):
        return raw
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:  # integers beyond 64 bits, which json reads
        return json.loads(raw)
