"""The SQL of a ``/entities/by-query`` page, compiled once per query and reused with each page's boundary.

Building a page's queryset and compiling it to SQL took more of a request's CPU than PostgreSQL
took to run the statement. Every page of one query (its filters, predicate, order, full-text
filter, offset, page size and direction) has the same SQL; only the boundary row of a cursor page
differs. So the statement is compiled once with stand-in boundary values, the positions of those
values among its parameters are recorded, and later pages bind their own boundary there and run
the SQL directly. A query whose stand-ins do not each appear exactly once among the parameters is
compiled afresh every time instead (never bound in the wrong place).

Only pages rendered by PostgreSQL (``with_payload`` rows) use it; SQLite and model-instance pages
run the ORM as before. ``tests/catalog/test_compiled_pages.py`` holds every shape of page equal to
the ORM's answer.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection

# Stand-ins no real boundary holds: a random id and a sort value with a control character.
STAND_IN_UID = uuid.uuid4()
STAND_IN_VALUE = f"\x1f{uuid.uuid4().hex}"
# Distinct queries kept; the least recently used is dropped past this (each entry is one SQL string).
MAX_COMPILED = 512
# State keys that do not shape the SQL: the total is carried for the answer, the boundary is bound.
_UNSHAPING = ("total", "include_total", "boundary")


@dataclass(frozen=True)
class PageSql:
    """A compiled page statement and where its boundary values go among the parameters."""

    sql: str
    params: tuple[Any, ...]
    uid_at: int | None = None
    value_at: int | None = None

    def bind(self, boundary: list[Any] | None) -> list[Any]:
        params = list(self.params)
        if boundary is None:
            return params
        if self.uid_at is not None:
            stand_in = params[self.uid_at]
            uid = uuid.UUID(str(boundary[-1]))
            params[self.uid_at] = uid if isinstance(stand_in, uuid.UUID) else str(uid)
        if self.value_at is not None:
            params[self.value_at] = str(boundary[0])
        return params


_compiled: OrderedDict[str, PageSql] = OrderedDict()
_lock = threading.Lock()


def page_shape(state: dict[str, Any], limit: int, start: int) -> str:
    """What makes two pages' SQL the same: the state but for total and boundary values, the window."""
    shaping = {key: value for key, value in state.items() if key not in _UNSHAPING}
    shaping["has_boundary"] = state.get("boundary") is not None
    shaping["window"] = [start, limit]
    return json.dumps(shaping, sort_keys=True, separators=(",", ":"))


def stand_in_boundary(boundary: list[Any] | None) -> list[Any] | None:
    """The boundary the template is compiled with: stand-ins in the real boundary's form."""
    if boundary is None:
        return None
    return [STAND_IN_UID] if len(boundary) == 1 else [STAND_IN_VALUE, STAND_IN_UID]


def _template(sql: str, params: tuple[Any, ...], boundary: list[Any] | None) -> PageSql | None:
    """The statement with its stand-ins located, or None if one is not found exactly once."""
    if boundary is None:
        return PageSql(sql, params)
    uid_at = [i for i, value in enumerate(params) if value == STAND_IN_UID or value == str(STAND_IN_UID)]
    value_at = [i for i, value in enumerate(params) if value == STAND_IN_VALUE]
    if len(uid_at) != 1 or len(value_at) != (len(boundary) == 2):
        return None
    return PageSql(sql, params, uid_at[0], value_at[0] if value_at else None)


def page_rows(shape: str, build: Callable[[list[Any] | None], Any], boundary: list[Any] | None) -> list[tuple]:
    """The rows of a page: ``build(boundary)`` is the page's ``values_list`` queryset for a boundary.

    The first page of a shape compiles ``build(stand-ins)``; the others bind their boundary into it.
    """
    with _lock:
        template = _compiled.get(shape)
        if template is not None:
            _compiled.move_to_end(shape)
    if template is None:
        try:
            sql, params = build(stand_in_boundary(boundary)).query.sql_with_params()
        except EmptyResultSet:  # a filter Django knows matches nothing: it runs no SQL for it
            return list(build(boundary))
        template = _template(sql, tuple(params), boundary)
        if template is None:
            return list(build(boundary))
        with _lock:
            _compiled[shape] = template
            while len(_compiled) > MAX_COMPILED:
                _compiled.popitem(last=False)
    with connection.cursor() as cursor:
        cursor.execute(template.sql, template.bind(boundary))
        return cursor.fetchall()


def forget_compiled_pages() -> None:
    """Drop every compiled page (tests that compare the two paths start from none)."""
    with _lock:
        _compiled.clear()
