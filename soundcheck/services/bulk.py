"""Multi-row INSERT (and upsert) of plain tuples, for evaluation's large writes.

``bulk_create`` builds a model instance per row and prepares every value through its field, which
costs more than the evaluation itself at a million rows. Evaluation already holds values in database
form (strings, ints, datetimes passed through ``adapt_datetime``), so it writes them as they are,
``batch`` rows per statement, with ``ON CONFLICT (...) DO UPDATE`` for an upsert (PostgreSQL, and
SQLite from 3.24). On PostgreSQL each column is sent as one array and the rows are rebuilt with
``unnest``: psycopg rewrites a statement's placeholders in Python, which for thousands of
``%s`` costs more than the insert itself. SQLite takes ``VALUES (...), (...)``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import connection, models


def adapt_datetime(value: datetime) -> Any:
    """A datetime as the backend stores it (SQLite: UTC text; PostgreSQL: the value itself)."""
    return connection.ops.adapt_datetimefield_value(value)


def insert_rows(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    conflict: Sequence[str] = (),
    update: Sequence[str] = (),
    batch: int = 1000,
) -> None:
    """Insert ``rows`` (tuples in the order of ``fields``); on a ``conflict`` with an existing row,
    overwrite its ``update`` fields instead. Field names are model field names."""
    if not rows:
        return
    quote = connection.ops.quote_name
    meta = model._meta
    columns = [quote(meta.get_field(name).column) for name in fields]
    suffix = ""
    if conflict:
        targets = ", ".join(quote(meta.get_field(name).column) for name in conflict)
        updates = [quote(meta.get_field(name).column) for name in update]
        suffix = f" ON CONFLICT ({targets}) DO UPDATE SET " + ", ".join(f"{c} = EXCLUDED.{c}" for c in updates)
    head = f"INSERT INTO {quote(meta.db_table)} ({', '.join(columns)}) "
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            if connection.vendor == "postgresql":
                types = [meta.get_field(name).db_type(connection) for name in fields]
                arrays = ", ".join(f"%s::{db_type}[]" for db_type in types)
                columns_of_chunk = [list(column) for column in zip(*chunk, strict=True)]
                cursor.execute(f"{head}SELECT * FROM unnest({arrays}){suffix}", columns_of_chunk)
            else:
                row_placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
                params = [value for row in chunk for value in row]
                cursor.execute(head + "VALUES " + ", ".join([row_placeholders] * len(chunk)) + suffix, params)


def copy_rows(model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Append ``rows`` that cannot conflict with existing ones (history, results of entities that
    had none, under ``lock_entities``). PostgreSQL takes them with ``COPY``, about three times
    faster than a multi-row INSERT for the millions of rows of a first evaluation; elsewhere they
    go through ``insert_rows``."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        insert_rows(model, fields, rows)
        return
    quote = connection.ops.quote_name
    meta = model._meta
    columns = ", ".join(quote(meta.get_field(name).column) for name in fields)
    sql = f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN"
    started = time.monotonic()
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
    if connection.queries_logged:  # Django's query log (and assertNumQueries) sees the COPY too
        connection.queries_log.append(
            {"sql": f"{sql} -- {len(rows)} rows", "time": f"{time.monotonic() - started:.3f}"}
        )


def lock_entities(refs: Sequence[str]) -> None:
    """Hold, until the transaction ends, a lock per entity ref, so two evaluations of the same entity
    (the scheduled run and a fact upload) take turns between reading its results and writing them.
    PostgreSQL advisory locks, taken in sorted order so two batches cannot deadlock; SQLite allows a
    single writer at a time and needs none."""
    if not refs or connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_advisory_xact_lock(hashtextextended(ref, 0))) FROM "
            "(SELECT ref FROM unnest(%s::text[]) AS ref ORDER BY ref) AS wanted",
            [sorted(refs)],
        )
