"""An entity's recorded history: its versions, the entity as it was at a moment, and diffs."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime, time

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api.errors import InputError, NotFoundError

from ..lookups.history import diff_bodies, history_page, latest_version, version_of_generation
from ..models import EntityHistory
from .lookup_params import full_ref, int_param, not_found

DEFAULT_LIMIT = 50
MAX_LIMIT = 500

_VERSION = inline_serializer(
    "EntityHistoryVersion",
    {
        "generation": serializers.IntegerField(),
        "change": serializers.ChoiceField(choices=EntityHistory.Change.choices),
        "recordedAt": serializers.DateTimeField(),
        "locationRef": serializers.CharField(),
        "locationKey": serializers.CharField(),
        "commit": serializers.CharField(),
        "changedFields": serializers.ListField(child=serializers.CharField()),
    },
    many=True,
)
_HISTORY = inline_serializer(
    "EntityHistoryPage",
    {
        "items": _VERSION,
        "pageInfo": inline_serializer("EntityHistoryPageInfo", {"nextCursor": serializers.CharField()}),
    },
)
_AS_OF = inline_serializer(
    "EntityHistoryAsOf",
    {
        "entity": serializers.DictField(),
        "generation": serializers.IntegerField(),
        "change": serializers.CharField(),
        "recordedAt": serializers.DateTimeField(),
    },
)
_DIFF = inline_serializer(
    "EntityHistoryDiff",
    {
        "from": serializers.IntegerField(),
        "to": serializers.IntegerField(),
        "changes": inline_serializer(
            "EntityHistoryChange",
            {
                "path": serializers.CharField(help_text="dotted path, e.g. spec.owner"),
                "op": serializers.ChoiceField(choices=["add", "remove", "replace"]),
                "from": serializers.JSONField(allow_null=True),
                "to": serializers.JSONField(allow_null=True),
            },
            many=True,
        ),
    },
)
_ERRORS = {
    400: OpenApiResponse(description="InputError: malformed parameter"),
    404: OpenApiResponse(description="NotFoundError: no recorded history, or no such version"),
}


def _version(row: EntityHistory) -> dict:
    return {
        "generation": row.generation,
        "change": row.change,
        "recordedAt": row.recorded_at.isoformat(),
        "locationRef": row.location_ref,
        "locationKey": row.location_key,
        "commit": row.commit,
        "changedFields": row.changed_fields,
    }


def _encode_cursor(recorded_at: datetime, pk: int) -> str:
    raw = json.dumps({"recordedAt": recorded_at.isoformat(), "id": pk}).encode()
    return base64.urlsafe_b64encode(raw).decode()


def _decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        recorded_at = parse_datetime(data["recordedAt"])
        pk = data["id"]
    except (binascii.Error, ValueError, TypeError, KeyError, UnicodeDecodeError):
        recorded_at, pk = None, None
    if recorded_at is None or not isinstance(pk, int):
        raise InputError("cursor is malformed; pass pageInfo.nextCursor from the previous page")
    return (timezone.make_aware(recorded_at) if timezone.is_naive(recorded_at) else recorded_at), pk


def _moment(raw: str) -> datetime:
    """An ISO date-time (a date means the end of that day); a '+' decoded as a space is restored."""
    value = raw.strip()
    try:
        moment = parse_datetime(value) or parse_datetime(value.replace(" ", "+"))
        day = None if moment else parse_date(value)
    except ValueError:
        moment, day = None, None
    if day is not None:
        moment = datetime.combine(day, time.max)
    if moment is None:
        raise InputError(f"at must be an ISO date or date-time, e.g. 2026-11-14T09:30:00Z, got {raw!r}")
    try:
        # In UTC: PostgreSQL refuses offsets past ±15:59 that Python reads (e.g. -20:46).
        return (timezone.make_aware(moment) if timezone.is_naive(moment) else moment).astimezone(UTC)
    except OverflowError:
        raise InputError(f"at is out of range, got {raw!r}") from None


class EntityHistoryView(APIView):
    """``GET /entities/by-name/{kind}/{namespace}/{name}/history``: versions, or one moment's body."""

    @extend_schema(
        operation_id="getEntityHistoryByName",
        summary="Recorded versions of an entity, newest first; with `at`, the entity as it was then",
        parameters=[
            OpenApiParameter("limit", OpenApiTypes.INT, description=f"1-{MAX_LIMIT}, default {DEFAULT_LIMIT}"),
            OpenApiParameter("cursor", OpenApiTypes.STR, description="pageInfo.nextCursor of the last page"),
            OpenApiParameter("at", OpenApiTypes.DATETIME, description="return the body as it was then"),
        ],
        responses={
            200: OpenApiResponse(
                PolymorphicProxySerializer(
                    "EntityHistoryResponse", serializers=[_HISTORY, _AS_OF], resource_type_field_name=None
                ),
                description="EntityHistoryPage; with `at`, EntityHistoryAsOf",
            ),
            **_ERRORS,
        },
    )
    def get(self, request: Request, kind: str, namespace: str, name: str) -> Response:
        ref = full_ref(kind, namespace, name)
        if "at" in request.query_params:
            return self._as_of(ref, _moment(request.query_params["at"]), kind, namespace, name)
        limit = int_param(request, "limit", default=DEFAULT_LIMIT, minimum=1, maximum=MAX_LIMIT)
        cursor = request.query_params.get("cursor")
        before = _decode_cursor(cursor) if cursor is not None else None
        rows, next_page = history_page(ref, limit=limit, before=before)
        if not rows and before is None:
            raise not_found(kind, namespace, name)
        page_info = {"nextCursor": _encode_cursor(*next_page)} if next_page else {}
        return Response({"items": [_version(row) for row in rows], "pageInfo": page_info})

    def _as_of(self, ref: str, moment: datetime, kind: str, namespace: str, name: str) -> Response:
        row = EntityHistory.objects.as_of(ref, moment)
        if row is None:
            if not EntityHistory.objects.of_entity(ref).exists():
                raise not_found(kind, namespace, name)
            raise NotFoundError(f"{ref} did not exist yet at {moment.isoformat()}")
        if row.change == EntityHistory.Change.DELETED:
            raise NotFoundError(f"{ref} was deleted at {row.recorded_at.isoformat()}, before {moment.isoformat()}")
        return Response(
            {
                "entity": row.body,
                "generation": row.generation,
                "change": row.change,
                "recordedAt": row.recorded_at.isoformat(),
            }
        )


class EntityHistoryDiffView(APIView):
    """``GET /entities/by-name/{kind}/{namespace}/{name}/history/diff?from=&to=``."""

    @extend_schema(
        operation_id="getEntityHistoryDiffByName",
        summary="Changes between two recorded generations of an entity (to defaults to the latest)",
        parameters=[
            OpenApiParameter("from", OpenApiTypes.INT, required=True, description="generation to diff from"),
            OpenApiParameter("to", OpenApiTypes.INT, description="generation to diff to; default latest"),
        ],
        responses={200: _DIFF, **_ERRORS},
    )
    def get(self, request: Request, kind: str, namespace: str, name: str) -> Response:
        ref = full_ref(kind, namespace, name)
        if "from" not in request.query_params:
            raise InputError("from is required: the generation to diff from")
        generation_from = int_param(request, "from", default=None, minimum=1, maximum=2**31 - 1)
        generation_to = int_param(request, "to", default=None, minimum=1, maximum=2**31 - 1)
        if generation_to is None:
            newer = latest_version(ref)
            if newer is None:
                raise not_found(kind, namespace, name)
        else:
            newer = self._generation(ref, generation_to, kind, namespace, name)
        older = self._generation(ref, generation_from, kind, namespace, name)
        return Response(
            {
                "from": older.generation,
                "to": newer.generation,
                "changes": diff_bodies(older.body, newer.body),
            }
        )

    def _generation(self, ref: str, generation: int, kind: str, namespace: str, name: str) -> EntityHistory:
        row = version_of_generation(ref, generation)
        if row is None:
            if not EntityHistory.objects.of_entity(ref).exists():
                raise not_found(kind, namespace, name)
            raise NotFoundError(f"{ref} has no recorded generation {generation}")
        return row
