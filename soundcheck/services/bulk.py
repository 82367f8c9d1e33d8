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
from collections.abc import Mapping, Sequence
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
    unless_same: Mapping[str, str] | None = None,
    batch: int = 1000,
) -> None:
    """Insert ``rows`` (tuples in the order of ``fields``); on a ``conflict`` with an existing row,
    overwrite its ``update`` fields instead, except that a field of ``unless_same`` keeps its value
    where the field it maps to is unchanged (``{"changed_at": "state"}``: the time of the last state
    change). Field names are model field names."""
    if not rows:
        return
    quote = connection.ops.quote_name
    meta = model._meta
    columns = [quote(meta.get_field(name).column) for name in fields]
    suffix = ""
    if conflict:
        targets = ", ".join(quote(meta.get_field(name).column) for name in conflict)
        table, kept = quote(meta.db_table), unless_same or {}
        assignments = []
        for name in update:
            column = quote(meta.get_field(name).column)
            value = f"EXCLUDED.{column}"
            if name in kept:
                compared = quote(meta.get_field(kept[name]).column)
                value = f"CASE WHEN {table}.{compared} = EXCLUDED.{compared} THEN {table}.{column} ELSE {value} END"
            assignments.append(f"{column} = {value}")
        suffix = f" ON CONFLICT ({targets}) DO UPDATE SET " + ", ".join(assignments)
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


def append_with_history(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[Sequence[Any]],
    stamped: Sequence[str],
    stamp: Any,
    history: type[models.Model],
    history_fields: Sequence[str],
) -> None:
    """Append ``rows`` that cannot conflict (tuples of ``fields``, the first an entity ref), with each
    of the ``stamped`` fields set to ``stamp``, and for each row a ``history`` row of its
    ``history_fields`` (names among ``fields`` and ``stamped``): a first evaluation's results.

    On PostgreSQL one statement for both tables: each distinct ref and each distinct rest of a row
    (a check's state and message, a track's level and owner: few, as entities share outcomes) is
    sent once, the rows as two arrays of indexes into them, and PostgreSQL rebuilds them
    (``INSERT ... SELECT`` with ``RETURNING`` into the history). Millions of rows cost no per-row
    formatting in Python nor per-row parsing in the server, which ``COPY`` both needs.
    """
    if not rows:
        return
    if connection.vendor != "postgresql":
        stamps = (stamp,) * len(stamped)
        insert_rows(model, [*fields, *stamped], [(*row, *stamps) for row in rows])
        positions = {name: index for index, name in enumerate([*fields, *stamped])}
        picks = [positions[name] for name in history_fields]
        insert_rows(history, history_fields, [[(*row, *stamps)[index] for index in picks] for row in rows])
        return
    keys: dict[Any, int] = {}
    rests: dict[tuple, int] = {}
    row_keys: list[int] = []
    row_rests: list[int] = []
    for row in rows:
        row_keys.append(keys.setdefault(row[0], len(keys) + 1))
        row_rests.append(rests.setdefault(tuple(row[1:]), len(rests) + 1))
    quote = connection.ops.quote_name
    meta, history_meta = model._meta, history._meta
    types = [meta.get_field(name).db_type(connection) for name in fields]
    rest_names = [f"v{index}" for index in range(1, len(fields))]
    rest_arrays = ", ".join(f"%s::{db_type}[]" for db_type in types[1:])
    columns = [quote(meta.get_field(name).column) for name in [*fields, *stamped]]
    history_columns = [quote(history_meta.get_field(name).column) for name in history_fields]
    returned = [quote(meta.get_field(name).column) for name in history_fields]
    sql = (
        f"WITH k AS (SELECT * FROM unnest(%s::{types[0]}[]) WITH ORDINALITY AS k(v0, n)), "
        f"v AS (SELECT * FROM unnest({rest_arrays}) WITH ORDINALITY AS v({', '.join(rest_names)}, n)), "
        f"new AS (INSERT INTO {quote(meta.db_table)} ({', '.join(columns)}) "
        f"SELECT k.v0, {', '.join('v.' + name for name in rest_names)}{', %s' * len(stamped)} "
        "FROM unnest(%s::text::int[], %s::text::int[]) WITH ORDINALITY AS r(k, v, n) "
        "JOIN k ON k.n = r.k JOIN v ON v.n = r.v ORDER BY r.n "
        f"RETURNING {', '.join(returned)}) "
        f"INSERT INTO {quote(history_meta.db_table)} ({', '.join(history_columns)}) SELECT * FROM new"
    )
    rest_columns = [list(column) for column in zip(*rests, strict=True)]
    with connection.cursor() as cursor:
        # The two index arrays as array literals: psycopg adapts a list element by element in Python.
        indexes = ["{" + ",".join(map(str, column)) + "}" for column in (row_keys, row_rests)]
        cursor.execute(sql, [list(keys), *rest_columns, *([stamp] * len(stamped)), *indexes])


def update_rows(model: type[models.Model], key: str, fields: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Set ``fields`` of the rows whose ``key`` is the first value of each of ``rows`` (the others in
    the order of ``fields``); keys that match no row are ignored. One statement per 1,000 rows."""
    if not rows:
        return
    quote = connection.ops.quote_name
    meta = model._meta
    names = [key, *fields]
    columns = [quote(meta.get_field(name).column) for name in names]
    assignments = ", ".join(f"{column} = v.{column}" for column in columns[1:])
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 1000):
            chunk = rows[start : start + 1000]
            if connection.vendor == "postgresql":
                types = [meta.get_field(name).db_type(connection) for name in names]
                arrays = ", ".join(f"%s::{db_type}[]" for db_type in types)
                cursor.execute(
                    f"UPDATE {quote(meta.db_table)} AS t SET {assignments} FROM unnest({arrays}) "
                    f"AS v({', '.join(columns)}) WHERE t.{columns[0]} = v.{columns[0]}",
                    [list(column) for column in zip(*chunk, strict=True)],
                )
            else:
                sets = ", ".join(f"{column} = %s" for column in columns[1:])
                cursor.executemany(
                    f"UPDATE {quote(meta.db_table)} SET {sets} WHERE {columns[0]} = %s",
                    [(*row[1:], row[0]) for row in chunk],
                )


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
