"""Backstage's location endpoints: register (with dry run), list, read, update, delete, by entity."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api.errors import ConflictError, InputError, NotAllowedError, NotFoundError
from portal.api.schema import CONFLICT, CREATED, OBJECT_LIST
from portal.permissions import is_platform_admin

from ..credentialed_hosts import credentialed_host_refusal
from ..models import Entity, Location
from ..permissions import can_change_location
from ..services import (
    LocationError,
    LocationExists,
    check_registrable_type,
    delete_location,
    preview_location,
    register_location,
    update_location,
    validate_location_spec,
)
from ..services.refresh_requests import request_refresh
from .cursors import decode_cursor, encode_cursor

LOCATION_FIELDS = {"type", "target", "presence"}


def location_payload(location: Location) -> dict[str, Any]:
    return {
        "id": str(location.pk),
        "type": location.type,
        "target": location.target,
        "entityRef": location.entity_ref,
    }


def location_or_404(location_id: str) -> Location:
    try:
        location = Location.objects.filter(pk=uuid.UUID(location_id)).first()
    except ValueError:
        location = None
    if location is None:
        raise NotFoundError(f"Found no location with ID {location_id}")
    return location


def location_spec_from(body: Any):
    if not isinstance(body, dict):
        raise InputError("request body must be a JSON object with type and target")
    unknown = set(body) - LOCATION_FIELDS
    if unknown:
        raise InputError(f"unknown location field(s): {', '.join(sorted(unknown))}")
    location_type, target = body.get("type"), body.get("target")
    if not isinstance(location_type, str) or not isinstance(target, str):
        raise InputError("location type and target must be strings")
    try:
        check_registrable_type(location_type)
        return validate_location_spec(location_type, target, body.get("presence", "required"))
    except LocationError as error:
        raise InputError(str(error)) from None


def refuse_credentialed_host(request: Request, spec) -> None:
    """403 when the caller may not register on the host of ``spec`` (``catalog.credentialed_hosts``)."""
    refusal = credentialed_host_refusal(request.user, spec)
    if refusal:
        raise NotAllowedError(refusal)


class LocationListView(APIView):
    """``GET /locations`` (each wrapped in ``data``) and ``POST /locations`` (``dryRun``, ``onConflict``)."""

    @extend_schema(responses={200: OBJECT_LIST})
    def get(self, request: Request) -> Response:
        locations = Location.objects.filter(origin=Location.Origin.REGISTERED)
        return Response([{"data": location_payload(location)} for location in locations])

    @extend_schema(request=OpenApiTypes.OBJECT, responses={201: CREATED, 409: CONFLICT})
    def post(self, request: Request) -> Response:
        spec = location_spec_from(request.data)
        refuse_credentialed_host(request, spec)
        if request.query_params.get("dryRun") == "true":
            return self._dry_run(spec, trusted=is_platform_admin(request.user))
        on_conflict = request.query_params.get("onConflict", "reject")
        if on_conflict not in ("reject", "refresh"):
            raise InputError("onConflict must be 'reject' or 'refresh'")
        exists = False
        with transaction.atomic():
            try:
                location = register_location(spec, trusted=is_platform_admin(request.user), queue_refresh=True)
            except LocationExists as conflict:
                if on_conflict == "reject":
                    raise ConflictError(str(conflict)) from None
                location, exists = conflict.location, True
                request_refresh(location, reason="registered again")
            except LocationError as error:
                raise InputError(str(error)) from None
        body = {"location": location_payload(location), "entities": []}
        if exists:
            body["exists"] = True
        return Response(body, status=201)

    def _dry_run(self, spec, *, trusted: bool) -> Response:
        try:
            preview = preview_location(spec, trusted=trusted)
        except LocationError as error:
            raise InputError(str(error)) from None
        if preview.errors:
            raise InputError("; ".join(str(error) for error in preview.errors))
        location = preview.location
        payload = {
            "id": location.location_ref,
            "type": spec.type,
            "target": spec.target,
            "entityRef": location.entity_ref,
        }
        entities = [item.body for item in preview.entities]
        return Response({"exists": preview.exists, "location": payload, "entities": entities}, status=201)


class LocationDetailView(APIView):
    """``GET``, ``PUT`` and ``DELETE /locations/{id}``."""

    def get(self, request: Request, location_id: str) -> Response:
        return Response(location_payload(location_or_404(location_id)))

    def put(self, request: Request, location_id: str) -> Response:
        location = self._changeable(request, location_id)
        spec = location_spec_from(request.data)
        refuse_credentialed_host(request, spec)
        try:
            update_location(location, spec, trusted=is_platform_admin(request.user))
        except LocationExists as clash:
            raise ConflictError(str(clash)) from None
        except LocationError as error:
            raise InputError(str(error)) from None
        return Response(location_payload(location))

    def delete(self, request: Request, location_id: str) -> Response:
        delete_location(self._changeable(request, location_id))
        return Response(status=204)

    @staticmethod
    def _changeable(request: Request, location_id: str) -> Location:
        location = location_or_404(location_id)
        if location.origin == Location.Origin.CONFIG:
            raise NotAllowedError(f"Location {location.location_ref} comes from settings; remove it there")
        if not can_change_location(request.user, location):
            raise NotAllowedError(
                f"only platform admins, or the owners of every entity it provides, may change {location.location_ref}"
            )
        return location


class LocationByEntityView(APIView):
    """``GET /locations/by-entity/{kind}/{namespace}/{name}``: the registered location behind it."""

    def get(self, request: Request, kind: str, namespace: str, name: str) -> Response:
        entity: Entity = Entity.objects.get_by_name_or_404(kind, namespace, name)
        return Response(location_payload(entity.location))


class LocationQueryView(APIView):
    """``POST /locations/by-query``: registered locations matching a predicate, paged by id."""

    is_read_only_post = True
    FIELDS = ("id", "type", "target", "entityRef")

    def post(self, request: Request) -> Response:
        body = request.data if isinstance(request.data, dict) else None
        if body is None:
            raise InputError("request body must be a JSON object")
        limit = body.get("limit", 1000)
        if not isinstance(limit, int) or not 1 <= limit <= 10_000:
            raise InputError("limit must be a whole number from 1 to 10000")
        query = body.get("query") or {}
        after = ""
        if body.get("cursor"):
            state = decode_cursor(str(body["cursor"]))
            query, after = state.get("query", {}), str(state.get("after", ""))
        payloads = [
            location_payload(location)
            for location in Location.objects.filter(origin=Location.Origin.REGISTERED).order_by("id")
        ]
        matching = [payload for payload in payloads if self._matches(payload, query)]
        page = [payload for payload in matching if payload["id"] > after][: limit + 1]
        page_info = {}
        if len(page) > limit:
            page = page[:limit]
            page_info["nextCursor"] = encode_cursor({"v": 1, "query": query, "after": page[-1]["id"]})
        return Response({"items": page, "totalItems": len(matching), "pageInfo": page_info})

    def _matches(self, payload: dict[str, Any], query: Any) -> bool:
        """Backstage's predicate language over the four location fields (locations are few)."""
        if not isinstance(query, dict):
            raise InputError("query must be an object")
        for key, value in query.items():
            if key == "$all" and isinstance(value, list):
                matched = all(self._matches(payload, item) for item in value)
            elif key == "$any" and isinstance(value, list):
                matched = any(self._matches(payload, item) for item in value)
            elif key == "$not":
                matched = not self._matches(payload, value)
            elif key in self.FIELDS:
                matched = self._value_matches(str(payload[key]).lower(), value)
            else:
                raise InputError(f"locations can be queried by {', '.join(self.FIELDS)}, not {key!r}")
            if not matched:
                return False
        return True

    @staticmethod
    def _value_matches(actual: str, expected: Any) -> bool:
        if isinstance(expected, str | int | float | bool):
            return actual == str(expected).lower()
        if isinstance(expected, dict) and len(expected) == 1:
            operator, operand = next(iter(expected.items()))
            if operator == "$in" and isinstance(operand, list):
                return actual in {str(item).lower() for item in operand}
            if operator == "$hasPrefix" and isinstance(operand, str):
                return actual.startswith(operand.lower())
            if operator == "$exists" and isinstance(operand, bool):
                return operand
        raise InputError(f"invalid location query value {expected!r}")
