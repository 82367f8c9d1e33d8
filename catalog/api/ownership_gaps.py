"""``GET /api/catalog/ownership-gaps``: entities whose owner is missing or orphaned, empty groups,
systems without an owner; one page in ref order with counts by gap type, kind and domain."""

from __future__ import annotations

import base64
import binascii

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api.errors import InputError

from ..lookups.ownership_gaps import DEFAULT_LIMIT, GAP_TYPES, MAX_LIMIT, gap_counts, gap_page
from .lookup_params import int_param

_COUNTS = serializers.DictField(child=serializers.IntegerField())
_ANSWER = inline_serializer(
    "OwnershipGaps",
    {
        "items": inline_serializer(
            "OwnershipGap",
            {
                "entityRef": serializers.CharField(),
                "kind": serializers.CharField(),
                "name": serializers.CharField(),
                "title": serializers.CharField(),
                "url": serializers.CharField(help_text="the entity's page"),
                "gapTypes": serializers.ListField(child=serializers.ChoiceField(choices=list(GAP_TYPES))),
                "ownerRef": serializers.CharField(allow_null=True, help_text="target of the ownedBy relation"),
                "domainRef": serializers.CharField(allow_null=True, help_text="its system's domain, or a system's own"),
            },
            many=True,
        ),
        "pageInfo": inline_serializer(
            "OwnershipGapsPageInfo",
            {"nextCursor": serializers.CharField(required=False, help_text="absent on the last page")},
        ),
        "counts": inline_serializer(
            "OwnershipGapsCounts",
            {"total": serializers.IntegerField(), "byGapType": _COUNTS, "byKind": _COUNTS, "byDomain": _COUNTS},
        ),
        "limit": serializers.IntegerField(),
    },
)


def encode_cursor(ref: str) -> str:
    return base64.urlsafe_b64encode(ref.encode()).decode()


def decode_cursor(raw: str) -> str:
    try:
        ref = base64.urlsafe_b64decode(raw.strip().encode()).decode()
    except (binascii.Error, UnicodeError, ValueError):
        raise InputError("cursor: malformed, pass pageInfo.nextCursor of a previous page") from None
    if not ref or "\x00" in ref or ":" not in ref:
        raise InputError("cursor: malformed, pass pageInfo.nextCursor of a previous page")
    return ref


def list_param(request: Request, name: str) -> list[str]:
    """A repeatable, comma-separated query parameter, stripped, without empties."""
    values = [part.strip() for raw in request.query_params.getlist(name) for part in raw.split(",")]
    values = [value for value in values if value]
    if any("\x00" in value for value in values):
        raise InputError(f"{name} must not contain NUL characters")
    return values


def gap_types_param(values: list[str]) -> list[str]:
    unknown = [value for value in values if value not in GAP_TYPES]
    if unknown:
        raise InputError(f"gapType: unknown {', '.join(unknown)}; one of {', '.join(GAP_TYPES)}")
    return values


class OwnershipGapsView(APIView):
    @extend_schema(
        operation_id="getOwnershipGaps",
        parameters=[
            OpenApiParameter("gapType", OpenApiTypes.STR, many=True, description=f"one of {', '.join(GAP_TYPES)}"),
            OpenApiParameter("kind", OpenApiTypes.STR, many=True, description="entity kinds, e.g. Component"),
            OpenApiParameter("limit", OpenApiTypes.INT, description=f"1-{MAX_LIMIT} (default {DEFAULT_LIMIT})"),
            OpenApiParameter("cursor", OpenApiTypes.STR, description="pageInfo.nextCursor of the previous page"),
        ],
        responses={200: _ANSWER, 400: OpenApiResponse(description="InputError: unknown gapType, bad limit or cursor")},
    )
    def get(self, request: Request) -> Response:
        gap_types = gap_types_param(list_param(request, "gapType"))
        kinds = list_param(request, "kind")
        limit = int_param(request, "limit", default=DEFAULT_LIMIT, minimum=1, maximum=MAX_LIMIT)
        raw = request.query_params.get("cursor")
        after = decode_cursor(raw) if raw is not None else ""
        page = gap_page(gap_types, kinds, limit=limit, after=after)
        page_info = {"nextCursor": encode_cursor(page.next_after)} if page.next_after else {}
        return Response(
            {"items": page.items, "pageInfo": page_info, "counts": gap_counts(gap_types, kinds), "limit": limit}
        )
