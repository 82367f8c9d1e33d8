"""Backstage's TechDocs endpoints (metadata, static files, sync) and the upload used by CI.

Same authentication as the catalog API (bearer tokens or a session; reads follow
``API_ANONYMOUS_READ``) and Backstage's error shape. Writes (upload, sync) need the entity's owner
or a platform admin.
"""

from __future__ import annotations

import mimetypes
import posixpath
import tempfile
from typing import Any

from django.http import HttpResponse
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.api.serializers import entity_payload
from catalog.models import Entity
from portal.api.errors import ConflictError, InputError, NotAllowedError, NotFoundError, PayloadTooLargeError
from portal.permissions import can_refresh_entity

from .. import storage
from ..archives import ArchiveRefused
from ..config import techdocs_settings
from ..models import DocSite
from ..pages import normalise_path
from ..services import publish_upload, request_build
from ..sources import SourceError, has_techdocs, resolve_source
from ..views import ASSET_POLICY

# Backstage serves these as plain text so a site file can never run as a page of the API's origin.
_PLAIN_TYPES = ("text/html", "image/svg+xml", "application/xml", "text/xml", "application/xhtml+xml")


def _entity(namespace: str, kind: str, name: str) -> Entity:
    found = Entity.objects.filter(ref=f"{kind}:{namespace}/{name}".lower()).select_related("location").with_relations()
    if not found:
        raise NotFoundError(f"No entity {kind}:{namespace}/{name} in the catalog")
    return found[0]


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


class SyncView(APIView):
    """``POST sync/:namespace/:kind/:name``: queue a rebuild now (owners and platform admins)."""

    def post(self, request, namespace: str, kind: str, name: str) -> Response:
        entity = _entity(namespace, kind, name)
        _owner_only(request, entity)
        if techdocs_settings()["BUILDER"] != "local":
            raise ConflictError("docs are built externally (TECHDOCS_BUILDER=external); publish them from CI")
        build = request_build(entity, reason="requested through the API", user=request.user)
        return Response({"build": build.pk, "status": build.status}, status=status.HTTP_202_ACCEPTED)
