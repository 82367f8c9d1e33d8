"""How a page of entities is read and rendered: rows rendered by the database, streamed arrays, page order."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import F, TextField, Value
from django.db.models.functions import Cast, Concat
from django.http import HttpResponse, StreamingHttpResponse

from ..filtering import trigram_served
from ..models import Entity
from .serializers import entity_payload, json_response, select_fields


class PayloadRow:
    """A page row rendered by the database: the key values cursors need, and the JSON text."""

    def __init__(self, key: tuple[str, ...], values: tuple[Any, ...]) -> None:
        *key_values, self.payload = values
        for name, value in zip(key, key_values, strict=True):
            setattr(self, name, value)


# Up to this many entities are answered from one plain query; more are streamed.
STREAM_ABOVE = 500


def stream_payloads(qs) -> HttpResponse | StreamingHttpResponse:
    """Every entity of ``qs`` as one JSON array; large answers are streamed so none is held whole.

    Most filtered calls (an owner's entities) match a few rows: those are read with one query. A
    server-side cursor costs three more round trips (declare, fetch, close), so it is opened only
    when the first read shows there are more than ``STREAM_ABOVE`` rows.
    """
    payloads = qs.with_payload().values_list("payload", flat=True)
    head = list(payloads[: STREAM_ABOVE + 1])
    if len(head) <= STREAM_ABOVE:
        return json_response("[" + ",".join(head) + "]")

    def chunks():
        yield "["
        first = True
        for payload in payloads.iterator(chunk_size=2000):
            yield payload if first else "," + payload
            first = False
        yield "]"

    return StreamingHttpResponse(chunks(), content_type="application/json")


def page_ordering(key: tuple[str, ...], descending: bool, *, full_text: dict[str, Any] | None) -> list[Any]:
    """The ORDER BY of a by-query page.

    Ordered by a field, a substring filter the trigram index serves (``catalog.filtering.TEXT_KEYS``,
    three characters or more) is ordered by expressions no index matches: PostgreSQL then reads the
    candidates through the trigram index and sorts them. Walking the name index instead, a term
    like "session" would be found only after every name before "s". Ids are not correlated with
    any term, so the default order keeps its index walk.
    """
    expressions: list[Any] = [F(name) for name in key]
    if (
        full_text
        and "sort_value" in key
        and connection.vendor == "postgresql"
        and trigram_served(full_text["term"], full_text["fields"])
    ):
        expressions = [Concat(F("sort_value"), Value("")), Cast(F("id"), TextField())]
    return [expression.desc() if descending else expression.asc() for expression in expressions]


def render(entities: list[Entity], fields: list[str]) -> list[dict[str, Any]]:
    return [select_fields(entity_payload(entity), fields) for entity in entities]
