"""``/refresh``, ``/validate-entity`` and ``/analyze-location``."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api.errors import InputError, NotAllowedError, NotFoundError
from portal.api.schema import VALIDATION_ERRORS
from portal.permissions import is_platform_admin

from ..config import allowed_location_types, reader_policy
from ..credentialed_hosts import credentialed_host_refusal
from ..formats.readers import parse_git_target, read_location
from ..formats.refs import InvalidEntityRef, entity_ref_of, parse_entity_ref
from ..formats.validation import FieldError
from ..formats.validation.types import json_type
from ..formats.yaml_reader import YamlFileError, parse_documents
from ..models import Entity
from ..permissions import can_refresh_entity
from ..services.checks import check_entity
from ..services.location_targets import check_location_target
from ..services.locations import LocationError, LocationSpec
from ..services.refresh_requests import request_refresh


def _body(request: Request) -> dict[str, Any]:
    if not isinstance(request.data, dict):
        raise InputError("request body must be a JSON object")
    return request.data


def _describe(error: FieldError) -> str:
    """The error's message, prefixed with its field unless the message already names it."""
    if not error.field or error.message.startswith(error.field):
        return error.message
    return f"{error.field}: {error.message}"


class RefreshView(APIView):
    """``POST /refresh {entityRef}``: schedule the entity's location for a refresh now."""

    def post(self, request: Request) -> Response:
        ref = _body(request).get("entityRef")
        if not isinstance(ref, str):
            raise InputError("entityRef must be a string")
        try:
            canonical = str(parse_entity_ref(ref))
        except InvalidEntityRef as error:
            raise InputError(str(error)) from None
        entity = Entity.objects.filter(ref=canonical).select_related("location").first()
        if entity is None:
            raise NotFoundError(f"No entity with ref {ref}")
        if not can_refresh_entity(request.user, entity):
            raise NotAllowedError(f"only the owners of {entity.ref} and platform admins may refresh it")
        request_refresh(entity.location, entity=entity)
        return Response(status=200)


class ValidateEntityView(APIView):
    """``POST /validate-entity {entity, location}``: 200 when valid, 400 ``{errors}`` otherwise."""

    is_read_only_post = True

    @extend_schema(request=OpenApiTypes.OBJECT, responses={200: None, 400: VALIDATION_ERRORS})
    def post(self, request: Request) -> Response:
        body = _body(request)
        location = body.get("location")
        errors: list[dict[str, str]] = []
        if not isinstance(location, str) or not location.startswith("url:") or len(location) <= 4:
            errors.append(
                {"name": "InputError", "message": f"Invalid location ref {location!r}, expected url:<target>"}
            )
        entity = body.get("entity")
        if not isinstance(entity, dict):
            errors.append({"name": "InputError", "message": f"entity must be an object, got {json_type(entity)}"})
        else:
            # With a refused location ref the entity's own problems are still reported, as from a url location.
            location_ref = location if not errors else "url:"
            problems, _ = check_entity(entity, location_ref, allowed_location_types=allowed_location_types())
            errors += [{"name": "InputError", "message": _describe(error)} for error in problems]
        if errors:
            return Response({"errors": errors}, status=400)
        return Response(status=200)


class AnalyzeLocationView(APIView):
    """``POST /analyze-location``: what a repository holds, or a Component to create for it."""

    is_read_only_post = True

    @extend_schema(request=OpenApiTypes.OBJECT, responses={200: None, 400: VALIDATION_ERRORS})
    def post(self, request: Request) -> Response:
        body = _body(request)
        location = body.get("location")
        if (
            not isinstance(location, dict)
            or location.get("type", "url") != "url"
            or not isinstance(location.get("target"), str)
        ):
            raise InputError("location must be {type: 'url', target: '<repository URL>'}")
        filename = body.get("catalogFilename") or "catalog-info.yaml"
        if not isinstance(filename, str) or filename.startswith("/") or ".." in PurePosixPath(filename).parts:
            raise InputError("catalogFilename must be a relative path inside the repository")
        target = location["target"]
        trusted = is_platform_admin(request.user)
        try:
            git_target = parse_git_target(target)
            check_location_target(LocationSpec("url", target), trusted=trusted)
        except (ValueError, LocationError) as error:
            raise InputError(str(error)) from None
        refusal = credentialed_host_refusal(request.user, LocationSpec("url", target))
        if refusal:
            raise NotAllowedError(refusal)
        read_target = f"{git_target.clone_url}#{git_target.branch or ''}:{filename}"
        result = read_location("url", read_target, reader_policy(trusted=trusted))
        problems = [error.message for error in result.errors if not error.message.startswith("File ")]
        if problems:
            # The repository itself could not be read: say so rather than suggest a new component.
            raise InputError(f"cannot analyze {target}: {problems[0]}")
        existing = []
        for source in result.files:
            try:
                documents = parse_documents(source.data, source=source.location_key)
            except YamlFileError as error:
                raise InputError(str(error)) from None
            for document in documents:
                if document.data is None:
                    continue
                try:
                    registered = Entity.objects.filter(ref=entity_ref_of(document.data)).exists()
                except (KeyError, TypeError):
                    registered = False
                existing.append(
                    {
                        "entity": document.data,
                        "isRegistered": registered,
                        "location": {"type": "url", "target": source.location_key.partition(":")[2]},
                    }
                )
        if existing:
            return Response({"existingEntityFiles": existing, "generateEntities": []})
        name = PurePosixPath(git_target.clone_url.rstrip("/")).name.removesuffix(".git") or "component"
        suggestion = {
            "entity": {
                "apiVersion": "backstage.io/v1alpha1",
                "kind": "Component",
                "metadata": {"name": name},
                "spec": {"type": "other", "lifecycle": "unknown"},
            },
            "fields": [
                {
                    "field": "spec.owner",
                    "state": "needsUserInput",
                    "value": "",
                    "description": "Entity owner",
                },
            ],
        }
        return Response({"existingEntityFiles": [], "generateEntities": [suggestion]})
