"""Backstage's TechDocs endpoints (metadata, static files, sync) and the upload used by CI.

Same authentication as the catalog API (bearer tokens or a session; reads follow
``API_ANONYMOUS_READ``) and Backstage's error shape. Writes (upload, sync) need the entity's owner
or a platform admin.
"""

from __future__ import annotations

import json
import mimetypes
import posixpath
import tempfile
from collections.abc import Iterator
from typing import Any

from django.http import HttpResponse, HttpResponseNotModified, StreamingHttpResponse
from django.http.response import HttpResponseBase
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.api.serializers import entity_payload
from catalog.models import Entity
from catalog.permissions import can_refresh_entity
from portal.api.errors import ApiError, ConflictError, InputError, NotAllowedError, NotFoundError, PayloadTooLargeError
from portal.api.schema import ACCEPTED, CONFLICT, CREATED

from .. import storage
from ..archives import ArchiveRefused
from ..config import techdocs_settings
from ..models import DocSite
from ..pages import normalise_path
from ..services import publish_upload, request_build, request_sync
from ..sources import SourceError, has_techdocs, resolve_source
from ..sync_stream import follow_build
from ..views import ASSET_POLICY

# Backstage serves these as plain text so a site file can never run as a page of the API's origin.
_PLAIN_TYPES = ("text/html", "image/svg+xml", "application/xml", "text/xml", "application/xhtml+xml")


def _entity(namespace: str, kind: str, name: str) -> Entity:
    return Entity.objects.select_related("location").get_by_name_or_404(kind, namespace, name, with_relations=True)


def _current_build(entity: Entity):
    site = DocSite.objects.filter(entity_ref=entity.ref).select_related("current_build").first()
    if site is None or site.current_build is None:
        raise NotFoundError(f"No docs have been published for {entity.ref}")
    return site.current_build


def _owner_only(request: Any, entity: Entity) -> None:
    if not has_techdocs(entity):
        raise InputError(f"{entity.ref} has no backstage.io/techdocs-ref annotation")
    if not can_refresh_entity(request.user, entity):
        raise NotAllowedError(f"only the owners of {entity.ref} and platform admins may publish its docs")


class TechDocsMetadataView(APIView):
    """``GET metadata/techdocs/:namespace/:kind/:name``: the site's techdocs_metadata.json."""

    def get(self, request, namespace: str, kind: str, name: str) -> Response:
        return Response(_current_build(_entity(namespace, kind, name)).metadata)


class EntityMetadataView(APIView):
    """``GET metadata/entity/:namespace/:kind/:name``: the entity with ``locationMetadata``."""

    def get(self, request, namespace: str, kind: str, name: str) -> Response:
        entity = _entity(namespace, kind, name)
        payload = entity_payload(entity)
        try:
            source = resolve_source(entity, entity.location.type, entity.location.target)
            payload["locationMetadata"] = {"type": source.location_type, "target": source.location_target}
        except SourceError:
            pass
        return Response(payload)


class StaticDocsView(APIView):
    """``GET static/docs/:namespace/:kind/:name/<path>``: a site file, HTML-like types as plain text."""

    def get(self, request, namespace: str, kind: str, name: str, path: str) -> HttpResponse:
        build = _current_build(_entity(namespace, kind, name))
        normal = normalise_path(path)
        if not normal or normal.endswith("/"):
            normal = (normal or "") + "index.html"
        data = storage.read_file(build.storage_prefix, normal) if normal else None
        if data is None:
            raise NotFoundError(f"No file {path!r} in these docs")
        content_type = mimetypes.guess_type(posixpath.basename(normal))[0] or "application/octet-stream"
        if content_type in _PLAIN_TYPES:
            content_type = "text/plain; charset=utf-8"
        response = HttpResponse(data, content_type=content_type)
        response["Content-Security-Policy"] = ASSET_POLICY
        response["X-Content-Type-Options"] = "nosniff"
        return response


class PublishView(APIView):
    """``POST publish/:namespace/:kind/:name``: a site built by CI, as a .tar.gz or .zip request body.

    The body is read from the stream with its own cap (``TECHDOCS["MAX_UPLOAD_BYTES"]``) rather
    than the API's small JSON body limit.
    """

    @extend_schema(
        request={"application/gzip": OpenApiTypes.BINARY, "application/zip": OpenApiTypes.BINARY},
        responses={201: CREATED},
    )
    def post(self, request, namespace: str, kind: str, name: str) -> Response:
        entity = _entity(namespace, kind, name)
        _owner_only(request, entity)
        limit = techdocs_settings()["MAX_UPLOAD_BYTES"]
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            raise InputError("Content-Length must be a number") from None
        if declared > limit:
            raise PayloadTooLargeError(f"the archive is {declared} bytes; the limit is {limit}")
        if declared <= 0:
            raise InputError("send the site as a .tar.gz or .zip request body")
        with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as spool:
            received = 0
            stream = request._request
            while chunk := stream.read(min(1024 * 1024, declared - received + 1)):
                received += len(chunk)
                if received > limit or received > declared:
                    raise PayloadTooLargeError(f"the archive is larger than {min(limit, declared)} bytes")
                spool.write(chunk)
            spool.seek(0)
            try:
                build = publish_upload(entity, spool, user=request.user)
            except ArchiveRefused as error:
                raise InputError(f"archive refused: {error}") from None
        return Response(
            {"build": build.pk, "status": build.status, "files": build.file_count, "metadata": build.metadata},
            status=status.HTTP_201_CREATED,
        )


class EventStreamRenderer(BaseRenderer):
    """Lets ``Accept: text/event-stream`` through content negotiation; the view streams itself."""

    media_type = "text/event-stream"
    format = "event-stream"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        return json.dumps(data).encode()


class SyncView(APIView):
    """Backstage's ``GET sync/:namespace/:kind/:name`` and Greenroom's forced ``POST``.

    GET rebuilds the docs if their source changed. With ``Accept: text/event-stream`` it streams
    ``log`` events (one line each), then ``finish`` (``{"updated": bool}``) or ``error``. Without it,
    Backstage's older answers: 201 ``{"message": ...}`` when a new site went online, 304 when
    nothing changed, an error when the build failed, and 202 when the build outlasts the wait.
    POST queues a forced rebuild (owners and platform admins).
    """

    renderer_classes = [JSONRenderer, EventStreamRenderer]

    def handle_exception(self, exc: Exception) -> Response:
        # Errors are JSON in Backstage's shape even when the client asked for a stream.
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)

    @extend_schema(
        responses={
            (200, "text/event-stream"): OpenApiResponse(OpenApiTypes.STR, description="log, finish or error events"),
            201: CREATED,
            202: ACCEPTED,
            304: OpenApiResponse(description="nothing changed"),
            422: OpenApiResponse(description="the docs build failed"),
        }
    )
    def get(self, request, namespace: str, kind: str, name: str) -> HttpResponseBase:
        entity = _entity(namespace, kind, name)
        if not has_techdocs(entity):
            raise InputError(f"{entity.ref} has no backstage.io/techdocs-ref annotation")
        if techdocs_settings()["BUILDER"] != "local":
            events: Iterator[tuple[str, Any]] = iter([("finish", {"updated": False})])
        else:
            events = follow_build(request_sync(entity).pk)
        if "text/event-stream" in request.headers.get("Accept", ""):
            response = StreamingHttpResponse(_frames(events), content_type="text/event-stream")
            response["Cache-Control"] = "no-cache"
            response["X-Accel-Buffering"] = "no"
            return response
        return _legacy_answer(events)

    @extend_schema(request=None, responses={202: ACCEPTED, 409: CONFLICT})
    def post(self, request, namespace: str, kind: str, name: str) -> Response:
        entity = _entity(namespace, kind, name)
        _owner_only(request, entity)
        if techdocs_settings()["BUILDER"] != "local":
            raise ConflictError("docs are built externally (TECHDOCS_BUILDER=external); publish them from CI")
        build = request_build(entity, reason="requested through the API", user=request.user)
        return Response({"build": build.pk, "status": build.status}, status=status.HTTP_202_ACCEPTED)


class DocsBuildFailed(ApiError):
    name = "Error"
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY


def _frames(events: Iterator[tuple[str, Any]]) -> Iterator[str]:
    for event, data in events:
        if event == "timeout":
            yield f"event: log\ndata: {json.dumps(data)}\n\n"
            event, data = "finish", {"updated": False}
        yield f"event: {event}\ndata: {json.dumps(data)}\n\n"


def _legacy_answer(events: Iterator[tuple[str, Any]]) -> HttpResponseBase:
    for event, data in events:
        if event == "error":
            raise DocsBuildFailed(f"the docs build failed: {data}")
        if event == "timeout":
            return Response({"message": data}, status=status.HTTP_202_ACCEPTED)
        if event == "finish" and data["updated"]:
            return Response({"message": "Docs updated or did not need updating"}, status=status.HTTP_201_CREATED)
        if event == "finish":
            return HttpResponseNotModified()
    raise DocsBuildFailed("the docs build ended without an outcome")
