"""Soundcheck's REST API: results per entity, owner and check; definitions; facts pushed by CI.

Reads follow the catalog's rule (a signed-in user or token, or anyone with ``API_ANONYMOUS_READ``).
Writing facts needs a token or session, and the caller must be a platform admin or an owner of
the entity (``catalog.permissions``); facts for an entity not in the catalog are accepted from
platform admins only. Stored facts are evaluated at once for that entity.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Count
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.formats.refs import InvalidEntityRef, parse_entity_ref
from catalog.models import Entity
from catalog.permissions import is_entity_owner
from portal.api.errors import InputError, NotAllowedError, NotFoundError, PayloadTooLargeError
from portal.permissions import is_platform_admin

from ..ci_reports import ReportError, parse_coverage, parse_junit
from ..facts import MAX_FACTS_PER_CALL, FactError, validate_fact
from ..models import Check, CheckResult, Track, TrackResult
from ..runs import effective_evaluated_at, last_full_run_start
from ..services.facts import push_facts


def _ref(kind: str, namespace: str, name: str) -> str:
    return f"{kind}:{namespace}/{name}".lower()


def _check_summary(check: Check) -> dict[str, Any]:
    return {"key": check.key, "name": check.name, "description": check.description, "rule": check.rule,
            "failMessage": check.fail_message, "fix": check.fix, "source": check.source}  # fmt: skip


class EntityResultsView(APIView):
    """Every check result and track level of one entity."""

    @extend_schema(summary="Soundcheck results of an entity", responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, kind: str, namespace: str, name: str) -> Response:
        ref = _ref(kind, namespace, name)
        checks = CheckResult.objects.filter(entity_ref=ref).select_related("rule_check").order_by("rule_check__key")
        tracks = TrackResult.objects.filter(entity_ref=ref).select_related("track").order_by("track__key")
        last_full = last_full_run_start()
        return Response(
            {
                "entityRef": ref,
                "checks": [
                    {
                        "key": row.rule_check.key,
                        "name": row.rule_check.name,
                        "state": row.state,
                        "message": row.message,
                        "evaluatedAt": effective_evaluated_at(row.evaluated_at, last_full),
                        "changedAt": row.changed_at,
                    }
                    for row in checks
                ],
                "tracks": [
                    {"key": row.track.key, "name": row.track.name, "level": row.level, "changedAt": row.changed_at}
                    for row in tracks
                ],
            }
        )


class OwnerResultsView(APIView):
    """A team's entities with their track levels, and per track how many entities hold each level."""

    @extend_schema(summary="Soundcheck results of an owner's entities", responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, kind: str, namespace: str, name: str) -> Response:
        ref = _ref(kind, namespace, name)
        rows = TrackResult.objects.filter(owner_ref=ref).select_related("track").order_by("entity_ref", "track__key")
        counts = (
            TrackResult.objects.filter(owner_ref=ref)
            .values("track__key", "level")
            .annotate(entities=Count("pk"))
            .order_by("track__key", "level")
        )
        tracks: dict[str, dict[str, int]] = {}
        for row in counts:
            tracks.setdefault(row["track__key"], {})[str(row["level"])] = row["entities"]
        entities: dict[str, dict[str, int]] = {}
        for row in rows:
            entities.setdefault(row.entity_ref, {})[row.track.key] = row.level
        return Response(
            {
                "ownerRef": ref,
                "tracks": [{"key": key, "levels": levels} for key, levels in tracks.items()],
                "entities": [{"entityRef": entity, "tracks": levels} for entity, levels in entities.items()],
            }
        )


class ResultPagination(PageNumberPagination):
    page_size = 100
    max_page_size = 1000
    page_size_query_param = "pageSize"


class CheckResultsView(APIView):
    """Results of one check, paged (``?page=2&state=failed``)."""

    @extend_schema(
        summary="Results of one check",
        parameters=[OpenApiParameter("state", str, enum=["passed", "failed", "error"]), OpenApiParameter("page", int)],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request, key: str) -> Response:
        check = Check.objects.filter(key=key).first()
        if check is None:
            raise NotFoundError(f"no check with key {key!r}")
        results = CheckResult.objects.filter(rule_check=check).order_by("entity_ref")
        state = request.query_params.get("state")
        if state:
            if state not in ("passed", "failed", "error"):
                raise InputError(f"state: expected passed, failed or error, got {state!r}")
            results = results.filter(state=state)
        paginator = ResultPagination()
        page = paginator.paginate_queryset(
            results.values("entity_ref", "state", "message", "evaluated_at", "changed_at"), request, self
        )
        last_full = last_full_run_start()
        items = [
            {"entityRef": row["entity_ref"], "state": row["state"], "message": row["message"],
             "evaluatedAt": effective_evaluated_at(row["evaluated_at"], last_full), "changedAt": row["changed_at"]}
            for row in page or []
        ]  # fmt: skip
        return paginator.get_paginated_response(items)


class CheckListView(APIView):
    @extend_schema(summary="Check definitions", responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        return Response({"items": [_check_summary(check) for check in Check.objects.order_by("key")]})


class TrackListView(APIView):
    @extend_schema(summary="Track definitions with their levels", responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        items = []
        for track in Track.objects.prefetch_related("levels__checks").order_by("key"):
            levels = [
                {"ordinal": level.ordinal, "name": level.name, "description": level.description,
                 "checks": [check.key for check in level.checks.all()]}
                for level in track.levels.all()
            ]  # fmt: skip
            items.append({"key": track.key, "name": track.name, "description": track.description,
                          "filter": track.entity_filter, "ownerRef": track.owner_ref, "levels": levels,
                          "source": track.source})  # fmt: skip
        return Response({"items": items})


def _entity_ref_param(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise InputError("entityRef: required, e.g. component:default/shop")
    try:
        return str(parse_entity_ref(value, default_namespace="default"))
    except InvalidEntityRef as error:
        raise InputError(f"entityRef: {error}") from None


def _authorize(request: Request, ref: str) -> None:
    """Platform admins may push facts for any entity; owners for their own (which must exist)."""
    if is_platform_admin(request.user):
        return
    entity = Entity.objects.filter(ref=ref).first()
    if entity is None:
        raise NotAllowedError(f"{ref} is not in the catalog; only platform admins may push facts for it")
    if not is_entity_owner(request.user, entity):
        raise NotAllowedError(f"only the owners of {ref} and platform admins may push its facts")


def _store(request: Request, ref: str, values: dict[str, Any], collector: str) -> Response:
    _authorize(request, ref)
    result = push_facts(ref, values, collector)
    return Response({"entityRef": ref, "facts": values, "created": result.created, "changed": result.changed})


def _max_upload() -> int:
    return int(settings.SOUNDCHECK.get("MAX_UPLOAD_BYTES", 10 * 1024 * 1024))


def _upload(request: Request) -> bytes:
    """The report from a multipart ``file`` field, or the raw request body; bounded in size."""
    limit = _max_upload()
    content_type = request.content_type or ""
    if content_type.startswith("multipart/form-data"):
        upload = request.FILES.get("file")
        if upload is None:
            raise InputError("file: send the report in a multipart field named 'file', or as the raw body")
        if upload.size > limit:
            raise PayloadTooLargeError(f"file: {upload.size} bytes, over the {limit} byte limit")
        return upload.read()
    data = request._request.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLargeError(f"request body is over the {limit} byte limit")
    return data


class FactsView(APIView):
    """Push named facts for one entity: ``{"entityRef": "...", "facts": {"name": value}}``."""

    @extend_schema(
        summary="Push facts for an entity", request=OpenApiTypes.OBJECT, responses={200: OpenApiTypes.OBJECT}
    )
    def post(self, request: Request) -> Response:
        if not isinstance(request.data, dict):
            raise InputError("expected a JSON object with entityRef and facts")
        ref = _entity_ref_param(request.data.get("entityRef"))
        facts = request.data.get("facts")
        if not isinstance(facts, dict) or not facts:
            raise InputError("facts: expected a non-empty object of fact names to values")
        if len(facts) > MAX_FACTS_PER_CALL:
            raise InputError(f"facts: at most {MAX_FACTS_PER_CALL} facts per call")
        values = {}
        for name, value in facts.items():
            try:
                values[name] = validate_fact(name, value)
            except FactError as error:
                raise InputError(f"facts.{name}: {error}") from None
        return _store(request, ref, values, "api")


_REPORT_SCHEMA = {
    "parameters": [OpenApiParameter("entityRef", str, required=True)],
    "request": {"multipart/form-data": OpenApiTypes.BINARY, "application/xml": OpenApiTypes.BINARY},
    "responses": {200: OpenApiTypes.OBJECT},
}


class JUnitView(APIView):
    """Upload a JUnit XML report (multipart ``file`` or raw body) with ``?entityRef=``."""

    parser_classes = [MultiPartParser]

    @extend_schema(summary="Upload a JUnit XML report", **_REPORT_SCHEMA)
    def post(self, request: Request) -> Response:
        ref = _entity_ref_param(request.query_params.get("entityRef"))
        _authorize(request, ref)
        try:
            values = parse_junit(_upload(request), _max_upload())
        except ReportError as error:
            raise InputError(str(error)) from None
        return _store(request, ref, values, "junit")


class CoverageView(APIView):
    """Upload a Cobertura XML report or a plain percentage (multipart ``file`` or raw body)."""

    parser_classes = [MultiPartParser]

    @extend_schema(summary="Upload line coverage (Cobertura XML or a number)", **_REPORT_SCHEMA)
    def post(self, request: Request) -> Response:
        ref = _entity_ref_param(request.query_params.get("entityRef"))
        _authorize(request, ref)
        try:
            values = parse_coverage(_upload(request), _max_upload())
        except ReportError as error:
            raise InputError(str(error)) from None
        return _store(request, ref, values, "coverage")
