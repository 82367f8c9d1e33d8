"""Backstage's entity endpoints: list, query with cursors, by refs, by uid, by name, ancestry."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any
from urllib.parse import urlencode

from django.db import connection
from django.db.models import F
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api.errors import InputError, NotAllowedError, NotFoundError
from portal.api.schema import OBJECT_LIST

from ..cache import cached_count
from ..models import Entity
from ..permissions import can_delete_entity
from ..querysets import payload_text_by_ref
from ..services.entities import delete_entity
from . import params
from .compiled_pages import page_rows, page_shape
from .cursors import MAX_OFFSET, decode_offset_cursor, decode_query_cursor, encode_cursor
from .pages import PayloadRow, page_ordering, render, stream_payloads
from .predicates import predicate_q
from .serializers import (
    can_send_payload_text,
    entity_payload,
    json_response,
    select_fields,
    selected_payload_text,
)

DEFAULT_QUERY_LIMIT = 200


class EntityListView(APIView):
    """``GET /entities``: every matching entity, or a page of them with ``limit``/``offset``/``after``."""

    @extend_schema(responses={200: OBJECT_LIST})
    def get(self, request: Request) -> Response:
        qs = Entity.objects.matching(params.filters(request))
        fields = params.fields(params.repeated(request, "fields"))
        orders = [self._order(value) for value in request.query_params.getlist("order")]
        after = request.query_params.get("after")
        limit = params.integer(request, "limit", default=None, minimum=1)
        offset = params.integer(request, "offset", default=None, minimum=0, maximum=10**9)
        if after:
            limit, offset = decode_offset_cursor(after)
        for key, _ in orders:
            qs = qs.has_key(key)
        if orders:
            qs = qs.with_sort_value(orders[0][0])
            qs = qs.order_by(F("sort_value").desc() if orders[0][1] else F("sort_value").asc(), "ref")
        else:
            qs = qs.order_by("ref")
        if limit is None and offset is None:
            if can_send_payload_text(request, fields):
                return stream_payloads(qs)
            return Response(render(qs.with_relations(), fields))
        # A page is rendered by the database; with ``fields`` only those paths of its JSON are kept here.
        raw = can_send_payload_text(request, [])
        offset = offset or 0
        page = qs.window(offset, (limit or params.MAX_LIMIT) + 1)
        entities = page.with_payload().values_list("payload", flat=True) if raw else page.with_relations()
        entities = list(entities)
        headers = {}
        if limit is not None and len(entities) > limit:
            entities = entities[:limit]
            next_after = base64.b64encode(json.dumps({"limit": limit, "offset": offset + limit}).encode()).decode()
            query = [(k, v) for k, v in request.query_params.lists() for v in v if k not in ("offset", "after")]
            headers["Link"] = f'</entities?{urlencode([*query, ("after", next_after)])}>; rel="next"'
        if raw:
            if fields:
                entities = [selected_payload_text(payload, fields) for payload in entities]
            return json_response("[" + ",".join(entities) + "]", headers=headers)
        return Response(render(entities, fields), headers=headers)

    @staticmethod
    def _order(value: str) -> tuple[str, bool]:
        direction, _, field = value.partition(":")
        if direction not in ("asc", "desc") or not field:
            raise InputError(f"invalid order {value!r}: expected asc:<field> or desc:<field>")
        return field.lower(), direction == "desc"


class EntityQueryView(APIView):
    """``/entities/by-query``: filtered, ordered, cursor-paged entities with ``totalItems``."""

    @extend_schema(responses={200: dict})
    def get(self, request: Request) -> Response:
        fields = params.fields(params.repeated(request, "fields"))
        limit = params.integer(request, "limit", default=DEFAULT_QUERY_LIMIT, minimum=0)
        cursor_text = request.query_params.get("cursor")
        if cursor_text:
            return self._page(decode_query_cursor(cursor_text), limit, fields)
        order = self._order_field(request.query_params.getlist("orderField"))
        state = {
            "v": 1,
            "filter": request.query_params.getlist("filter"),
            "orderField": order,
            "fullText": self._full_text(request, order),
            "offset": params.integer(request, "offset", default=0, minimum=0, maximum=10**9),
            "include_total": request.query_params.get("totalItems", "include") != "exclude",
        }
        params.filters(request)  # validate before any query runs
        return self._page(state, limit, fields)

    is_read_only_post = True

    def post(self, request: Request) -> Response:
        """The predicate form: ``{query, orderBy, fullTextFilter, fields, limit, offset, cursor}``."""
        body = request.data if isinstance(request.data, dict) else None
        if body is None:
            raise InputError("request body must be a JSON object")
        fields = params.fields(list(body.get("fields") or []))
        limit = body.get("limit", DEFAULT_QUERY_LIMIT)
        if not isinstance(limit, int) or not 0 <= limit <= params.MAX_LIMIT:
            raise InputError(f"limit must be a whole number from 0 to {params.MAX_LIMIT}")
        if body.get("cursor"):
            return self._page(decode_query_cursor(str(body["cursor"])), limit, fields)
        order_by = body.get("orderBy") or []
        if not isinstance(order_by, list) or not all(isinstance(item, dict) and item.get("field") for item in order_by):
            raise InputError("orderBy must be a list of {field, order}")
        order = [order_by[0]["field"].lower(), order_by[0].get("order", "asc")] if order_by else None
        full_text = body.get("fullTextFilter") or None
        predicate_q(body.get("query") or {})  # validate
        state = {
            "v": 1,
            "predicate": body.get("query") or {},
            "orderField": order,
            "fullText": self._full_text_state(full_text.get("term"), full_text.get("fields"), order)
            if isinstance(full_text, dict)
            else None,
            "offset": self._body_offset(body.get("offset")),
            "include_total": body.get("totalItems", "include") != "exclude",
        }
        return self._page(state, limit, fields)

    @staticmethod
    def _body_offset(value: Any) -> int:
        if value is None:
            return 0
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_OFFSET:
            raise InputError(f"offset must be a whole number from 0 to {MAX_OFFSET}")
        return value

    # --- building the query from a cursor state -----------------------------------------------

    def _base(self, state: dict[str, Any]):
        qs = Entity.objects.all()
        if state.get("filter"):
            qs = qs.matching(params.parse_filters(state["filter"]))
        if state.get("predicate"):
            qs = qs.filter(predicate_q(state["predicate"]))
        order = state.get("orderField")
        if order:
            qs = qs.has_key(order[0]).with_sort_value(order[0])
        if state.get("fullText"):
            qs = qs.full_text(state["fullText"]["term"], state["fullText"]["fields"])
        return qs

    def _base_or_refusal(self, state: dict[str, Any]):
        try:
            return self._base(state)
        except (TypeError, KeyError, IndexError, AttributeError, ValueError):
            raise InputError("malformed cursor") from None

    def _page(self, state: dict[str, Any], limit: int, fields: list[str]) -> Response:
        # The database renders each row; with ``fields`` only those paths of its JSON are kept here.
        raw = can_send_payload_text(self.request, [])
        order = state.get("orderField")
        descending = bool(order) and order[1] == "desc"
        key = ("sort_value", "id") if order else ("id",)
        total = state.get("total")
        if total is None:
            total = cached_count(lambda: self._base_or_refusal(state), state) if state.get("include_total", True) else 0
        backwards = state.get("direction") == "prev"
        boundary = state.get("boundary")
        if boundary is not None and len(boundary) != len(key):
            raise InputError("malformed cursor")
        start = state.get("offset", 0) if boundary is None else 0

        def window(boundary: list[Any] | None):
            qs = self._base_or_refusal(state)
            if boundary is not None:
                qs = self._beyond(qs, key, boundary, descending != backwards, order[0] if order else None)
            qs = qs.order_by(*page_ordering(key, descending != backwards, full_text=state.get("fullText")))
            return qs.window(start, limit + 1)

        if not limit:
            self._base_or_refusal(state)  # a malformed cursor is refused on an empty page too
            rows = []
        elif raw:
            # The same SQL for every page of this query: compiled once, its boundary bound per page.
            build = lambda boundary: window(boundary).with_payload().values_list(*key, "payload")  # noqa: E731
            rows = [PayloadRow(key, row) for row in page_rows(page_shape(state, limit, start), build, boundary)]
        else:
            rows = window(boundary).with_relations()
        has_more = len(rows) > limit
        rows = rows[:limit]
        if backwards:
            rows.reverse()
        page_info: dict[str, str] = {}
        base = {k: v for k, v in state.items() if k not in ("boundary", "direction")} | {"total": total}
        if rows:
            if has_more or backwards:
                page_info["nextCursor"] = encode_cursor(
                    base | {"boundary": self._key_of(rows[-1], key), "direction": "next"}
                )
            if (backwards and has_more) or (not backwards and (boundary is not None or start > 0)):
                page_info["prevCursor"] = encode_cursor(
                    base | {"boundary": self._key_of(rows[0], key), "direction": "prev"}
                )
        if raw:
            payloads = [row.payload for row in rows]
            if fields:
                payloads = [selected_payload_text(payload, fields) for payload in payloads]
            items = "[" + ",".join(payloads) + "]"
            tail = json.dumps({"totalItems": total, "pageInfo": page_info})
            return json_response('{"items":' + items + "," + tail[1:])
        return Response({"items": render(rows, fields), "totalItems": total, "pageInfo": page_info})

    @staticmethod
    def _key_of(entity: Any, key: tuple[str, ...]) -> list[Any]:
        return [str(getattr(entity, name)) if name == "id" else getattr(entity, name) for name in key]

    @staticmethod
    def _beyond(qs, key: tuple[str, ...], boundary: list[Any], descending: bool, sort_key: str | None):
        uid = uuid.UUID(str(boundary[-1]))
        if sort_key is None:
            return qs.beyond((uid,), sort_key=None, descending=descending)
        value = boundary[0]
        if connection.vendor == "postgresql":
            value = str(value)  # sort_value is text there (->>); a number would not compare with it
        return qs.beyond((value, uid), sort_key=sort_key, descending=descending)

    @staticmethod
    def _order_field(values: list[str]) -> list[str] | None:
        if not values:
            return None
        field, _, direction = values[0].partition(",")
        direction = direction.strip().lower() or "asc"
        if not field.strip() or direction not in ("asc", "desc"):
            raise InputError(f"invalid orderField {values[0]!r}: expected <field>[,asc|desc]")
        return [field.strip().lower(), direction]

    def _full_text(self, request: Request, order: list[str] | None) -> dict[str, Any] | None:
        return self._full_text_state(
            request.query_params.get("fullTextFilterTerm"),
            params.repeated(request, "fullTextFilterFields"),
            order,
        )

    @staticmethod
    def _full_text_state(term: Any, fields: Any, order: list[str] | None) -> dict[str, Any] | None:
        if not isinstance(term, str) or not term.strip():
            return None
        if "\x00" in term:
            raise InputError("fullTextFilterTerm contains a NUL character")
        if fields is not None and not (isinstance(fields, list) and all(isinstance(f, str) for f in fields)):
            raise InputError("fullTextFilter fields must be a list of strings")
        keys = [field.lower() for field in fields or []] or ([order[0]] if order else ["metadata.uid"])
        return {"term": term.strip(), "fields": keys}


class EntitiesByRefsView(APIView):
    """``POST /entities/by-refs``: entities in request order, ``null`` for refs not found."""

    is_read_only_post = True

    def post(self, request: Request) -> Response:
        body = request.data if isinstance(request.data, dict) else None
        refs = body.get("entityRefs") if body else None
        if not isinstance(refs, list) or not all(isinstance(ref, str) for ref in refs):
            raise InputError("entityRefs must be a list of entity reference strings")
        if len(refs) > params.MAX_LIMIT:
            raise InputError(f"at most {params.MAX_LIMIT} entityRefs per request")
        fields = params.fields(list(body.get("fields") or []))
        qs = Entity.objects.filter(ref__in=set(refs)).matching(params.filters(request))
        if body.get("query"):
            qs = qs.filter(predicate_q(body["query"]))
        by_ref = {entity.ref: entity for entity in qs.with_relations()}
        # Only canonical lowercase refs match, as in Backstage.
        items = [by_ref.get(ref) for ref in refs]
        return Response(
            {"items": [select_fields(entity_payload(entity), fields) if entity else None for entity in items]}
        )


class EntityByUidView(APIView):
    """``GET``/``DELETE /entities/by-uid/{uid}``."""

    def get(self, request: Request, uid: str) -> Response:
        try:
            found = Entity.objects.filter(pk=uuid.UUID(uid)).with_relations()
        except ValueError:
            found = []
        if not found:
            raise NotFoundError(f"No entity with uid {uid}")
        return Response(entity_payload(found[0]))

    def delete(self, request: Request, uid: str) -> Response:
        entity = self._find(uid)
        if entity is not None:
            if not can_delete_entity(request.user, entity):
                raise NotAllowedError(f"only the owners of {entity.ref} and platform admins may delete it")
            delete_entity(entity)
        return Response(status=204)

    @staticmethod
    def _find(uid: str) -> Entity | None:
        try:
            return Entity.objects.filter(pk=uuid.UUID(uid)).first()
        except ValueError:
            return None


class EntityByNameView(APIView):
    """``GET /entities/by-name/{kind}/{namespace}/{name}`` (matching ignores case)."""

    def get(self, request: Request, kind: str, namespace: str, name: str) -> Response:
        if can_send_payload_text(request, []):
            payload = payload_text_by_ref(f"{kind}:{namespace}/{name}".lower())
            if payload is None:
                Entity.objects.get_by_name_or_404(kind, namespace, name)  # raises the 404
            return json_response(payload)
        return Response(entity_payload(Entity.objects.get_by_name_or_404(kind, namespace, name, with_relations=True)))


class EntityAncestryView(APIView):
    """``GET .../ancestry``: the entity, then the Location entities that led to it, up to the root."""

    def get(self, request: Request, kind: str, namespace: str, name: str) -> Response:
        entity = Entity.objects.get_by_name_or_404(kind, namespace, name)
        chain = [entity]
        seen = {entity.ref}
        while chain[-1].parent_ref and chain[-1].parent_ref not in seen and len(chain) < 64:
            parent = Entity.objects.filter(ref=chain[-1].parent_ref).first()
            if parent is None:
                break
            seen.add(parent.ref)
            chain.append(parent)
        with_relations = {item.ref: item for item in Entity.objects.filter(ref__in=seen).with_relations()}
        return Response(
            {
                "rootEntityRef": entity.ref,
                "items": [
                    {
                        "entity": entity_payload(with_relations[item.ref]),
                        "parentEntityRefs": [item.parent_ref] if item.parent_ref in with_relations else [],
                    }
                    for item in chain
                ],
            }
        )
