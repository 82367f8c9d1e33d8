"""Owner lookup: who owns an entity, how to reach them, and what fails when it fails."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api.errors import InputError

from ..formats.refs import InvalidEntityRef, parse_entity_ref
from ..lookups.ownership import DEFAULT_PAGE, MAX_DEPENDENTS, MAX_DEPTH, MAX_MEMBERS, MAX_PAGE, cached_owner_lookup
from ..lookups.paging import BadCursor, decode_page_cursor
from ..models import Entity
from .lookup_params import entity_by_name, int_param

_OWNER_LOOKUP = inline_serializer(
    "OwnerLookup",
    {
        "entity": inline_serializer(
            "OwnerLookupEntity",
            {
                "entityRef": serializers.CharField(),
                "kind": serializers.CharField(),
                "name": serializers.CharField(),
                "title": serializers.CharField(),
                "description": serializers.CharField(allow_null=True),
            },
        ),
        "ownerRef": serializers.CharField(allow_null=True, help_text="target of the ownedBy relation"),
        "owner": inline_serializer(
            "OwnerLookupOwner",
            {
                "entityRef": serializers.CharField(),
                "kind": serializers.CharField(),
                "title": serializers.CharField(),
                "displayName": serializers.CharField(),
                "email": serializers.CharField(allow_null=True, help_text="spec.profile.email"),
                "links": serializers.ListField(child=serializers.DictField()),
                "memberCount": serializers.IntegerField(
                    help_text=f"all members of the group; members lists the first {MAX_MEMBERS} by ref"
                ),
                "members": inline_serializer(
                    "OwnerLookupMember",
                    {
                        "entityRef": serializers.CharField(),
                        "name": serializers.CharField(),
                        "displayName": serializers.CharField(allow_null=True),
                        "email": serializers.CharField(allow_null=True),
                    },
                    many=True,
                ),
                "parents": inline_serializer(
                    "OwnerLookupParent",
                    {"entityRef": serializers.CharField(), "title": serializers.CharField(allow_null=True)},
                    many=True,
                ),
            },
            allow_null=True,
        ),
        "ownerMissing": serializers.CharField(allow_null=True, help_text="why owner is null"),
        "contacts": inline_serializer(
            "OwnerLookupContact",
            {
                "key": serializers.CharField(),
                "value": serializers.CharField(),
                "entityRef": serializers.CharField(),
            },
            many=True,
        ),
        "dependents": inline_serializer(
            "OwnerLookupDependents",
            {
                "items": inline_serializer(
                    "OwnerLookupDependent",
                    {
                        "entityRef": serializers.CharField(),
                        "kind": serializers.CharField(),
                        "title": serializers.CharField(allow_null=True),
                        "inCatalog": serializers.BooleanField(),
                        "depth": serializers.IntegerField(),
                        "via": serializers.ListField(
                            child=serializers.DictField(child=serializers.CharField()),
                            help_text="hops from the entity: [{type, targetRef}, ...]",
                        ),
                        "ownerRef": serializers.CharField(allow_null=True),
                        "ownerEmail": serializers.CharField(allow_null=True),
                    },
                    many=True,
                ),
                "pageInfo": inline_serializer(
                    "OwnerLookupPageInfo",
                    {
                        "nextCursor": serializers.CharField(
                            required=False, help_text="pass as cursor for the next page; absent on the last page"
                        )
                    },
                ),
                "hasMore": serializers.BooleanField(help_text="another page follows (pageInfo.nextCursor is set)"),
                "truncated": serializers.BooleanField(
                    allow_null=True,
                    help_text=(
                        f"the walk stopped at maxDepth or at {MAX_DEPENDENTS} dependents, so more depend on the "
                        "entity than the pages list; null until the last page"
                    ),
                ),
                "maxDepth": serializers.IntegerField(),
                "limit": serializers.IntegerField(help_text="dependents per page"),
                "maxDependents": serializers.IntegerField(help_text="the most dependents all pages list together"),
            },
        ),
    },
)
_BOUNDS = [
    OpenApiParameter("maxDepth", OpenApiTypes.INT, description=f"hops to follow, 1-{MAX_DEPTH} (default {MAX_DEPTH})"),
    OpenApiParameter(
        "limit", OpenApiTypes.INT, description=f"dependents per page, 1-{MAX_PAGE} (default {DEFAULT_PAGE})"
    ),
    OpenApiParameter(
        "cursor",
        OpenApiTypes.STR,
        description="dependents.pageInfo.nextCursor of the previous page; it keeps that page's maxDepth",
    ),
]
_ERRORS = {
    400: OpenApiResponse(description="InputError: malformed ref, bound or cursor"),
    404: OpenApiResponse(description="NotFoundError: no such entity"),
}
_BAD_CURSOR = "malformed cursor: pass dependents.pageInfo.nextCursor of a previous page of this lookup"


class OwnerLookupMixin:
    queryset = Entity.objects.all()

    def lookup(self, request: Request, entity: Entity) -> Response:
        max_depth = int_param(request, "maxDepth", default=None, minimum=1, maximum=MAX_DEPTH)
        limit = int_param(request, "limit", default=DEFAULT_PAGE, minimum=1, maximum=MAX_PAGE)
        offset = 0
        raw = request.query_params.get("cursor")
        if raw is not None:
            try:
                cursor = decode_page_cursor(raw.strip(), max_depth=MAX_DEPTH, max_offset=MAX_DEPENDENTS)
            except BadCursor:
                raise InputError(_BAD_CURSOR) from None
            if cursor.ref != entity.ref:
                raise InputError(f"cursor continues the lookup of {cursor.ref}, not of {entity.ref}")
            if max_depth is not None and max_depth != cursor.max_depth:
                raise InputError(f"maxDepth={max_depth} differs from the cursor's {cursor.max_depth}: drop one")
            max_depth, offset = cursor.max_depth, cursor.offset
        max_depth = MAX_DEPTH if max_depth is None else max_depth
        return Response(cached_owner_lookup(entity, max_depth=max_depth, limit=limit, offset=offset))


class OwnerLookupByNameView(OwnerLookupMixin, APIView):
    """``GET /owners/{kind}/{namespace}/{name}``."""

    @extend_schema(
        operation_id="getOwnerLookupByName",
        summary="Owner, contacts, members, parent groups and a page of transitive dependents of an entity",
        parameters=_BOUNDS,
        responses={200: _OWNER_LOOKUP, **_ERRORS},
    )
    def get(self, request: Request, kind: str, namespace: str, name: str) -> Response:
        return self.lookup(request, entity_by_name(self.queryset, kind, namespace, name))


class OwnerLookupView(OwnerLookupMixin, APIView):
    """``GET /owners?entityRef=component:default/web`` (namespace defaults to ``default``)."""

    @extend_schema(
        operation_id="getOwnerLookup",
        summary="Owner lookup by entity ref",
        parameters=[
            OpenApiParameter("entityRef", OpenApiTypes.STR, required=True, description="kind:[namespace/]name"),
            *_BOUNDS,
        ],
        responses={200: _OWNER_LOOKUP, **_ERRORS},
    )
    def get(self, request: Request) -> Response:
        raw = request.query_params.get("entityRef", "").strip()
        if not raw:
            raise InputError("entityRef is required, e.g. entityRef=component:default/web")
        try:
            ref = parse_entity_ref(raw)
        except InvalidEntityRef as error:
            raise InputError(f"entityRef: {error}") from None
        return self.lookup(request, entity_by_name(self.queryset, ref.kind, ref.namespace, ref.name))
