"""Fast bulk inserts: PostgreSQL's COPY where available, ``bulk_create`` elsewhere.

Django's ``bulk_create`` on PostgreSQL binds every value client-side (arrays of JSON text escaped in
Python) and needs a model instance per row; at 100,000 entities with their relations and history
that dominated ingestion. Rows here are plain tuples, streamed with psycopg 3's ``cursor.copy()``,
JSON encoded by orjson (a body is encoded once even when two tables store it).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Any

import orjson
from django.db import connection, models

BULK_CREATE_BATCH = 1000
MAX_SHARED_TEXT = 16 * 1024


class JsonTexts:
    """The JSON text of values shared by several inserts (an entity's body goes to the entity and
    its history row): each is encoded once. Values are kept, so their ids are not reused."""

    def __init__(self) -> None:
        self._texts: dict[int, tuple[Any, str]] = {}

    def text(self, value: Any) -> str:
        cached = self._texts.get(id(value))
        if cached is not None:
            return cached[1]
        text = dump_json(value)
        # Large texts are encoded again rather than kept: a batch of bodies that expand through
        # their aliases must not pile up here.
        if len(text) <= MAX_SHARED_TEXT:
            self._texts[id(value)] = (value, text)
        return text


def dump_json(value: Any) -> str:
    """Compact JSON text for a jsonb column (key order is jsonb's business)."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        # Integers beyond 64 bits and types orjson does not know: the standard library's encoder.
        return json.dumps(value, separators=(",", ":"))


def text_array_literal(values: Sequence[str]) -> str:
    """PostgreSQL's literal of a ``text[]`` (``{"a","b"}``), for COPY: lists here are JSON."""
    if not values:
        return "{}"
    joined = '","'.join(values)
    if "\\" not in joined and joined.count('"') == 2 * (len(values) - 1):
        # No element holds a quote or a backslash (the usual case): every element quoted in one join.
        return '{"' + joined + '"}'
    quoted = ('"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"' for value in values)
    return "{" + ",".join(quoted) + "}"


def _dump(value: Any, shared: JsonTexts | None) -> Any:
    cls = value.__class__
    if cls is str or cls is int or cls is bool or value is None:
        # Most values of a row: passed through without the checks below.
        return value
    if isinstance(value, dict | list):
        return shared.text(value) if shared is not None else dump_json(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def column_names(model: type[models.Model], fields: Sequence[str]) -> list[str]:
    """The quoted table columns of ``fields``: model attribute names, or the names of columns the
    model lists in ``POSTGRES_ONLY_COLUMNS`` (PostgreSQL only)."""
    meta, quote = model._meta, connection.ops.quote_name
    extra = getattr(model, "POSTGRES_ONLY_COLUMNS", ())
    return [quote(name if name in extra else meta.get_field(name).column) for name in fields]


def insert_rows(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    shared: JsonTexts | None = None,
) -> None:
    """Insert ``rows`` (values in the order of ``fields``, attribute names) into ``model``'s table.

    No signals, no returned keys: for writers that already know every value. ``shared`` encodes a
    JSON value once for all the inserts given it.
    """
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(
            [model(**dict(zip(fields, row, strict=True))) for row in rows], batch_size=BULK_CREATE_BATCH
        )
        return
    columns = ", ".join(column_names(model, fields))
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([_dump(value, shared) for value in row])


def update_rows(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    shared: JsonTexts | None = None,
) -> None:
    """Set ``fields[1:]`` of the rows whose primary key is the first value of each row.

    On PostgreSQL the rows are copied into a temporary staging table and applied with one
    ``UPDATE ... FROM``; elsewhere one UPDATE per row (correct, not fast).
    """
    if not rows:
        return
    meta = model._meta
    if connection.vendor != "postgresql":
        for row in rows:
            model.objects.filter(pk=row[0]).update(**dict(zip(fields[1:], row[1:], strict=True)))
        return
    quote = connection.ops.quote_name
    columns = column_names(model, fields)
    table, staging = quote(meta.db_table), quote(f"{meta.db_table}_staging")
    key, assignments = columns[0], ", ".join(f"{column} = s.{column}" for column in columns[1:])
    with connection.cursor() as cursor:
        # The table's column types, none of its constraints or indexes; gone at commit or rollback
        # at the latest (dropped at once, so a transaction may update several times).
        listed = ", ".join(columns)
        cursor.execute(f"CREATE TEMPORARY TABLE {staging} ON COMMIT DROP AS SELECT {listed} FROM {table} WITH NO DATA")
        with cursor.cursor.copy(f"COPY {staging} ({listed}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([_dump(value, shared) for value in row])
        cursor.execute(f"UPDATE {table} AS t SET {assignments} FROM {staging} AS s WHERE t.{key} = s.{key}")
        cursor.execute(f"DROP TABLE {staging}")
