"""The Tech Radar API: Backstage's ``/data`` endpoint, and entries (read by anyone who may read, written by admins)."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.viewsets import ViewSet

from portal.api.schema import NOT_FOUND
from portal.permissions import is_platform_admin

from ..models import Radar, RadarEntry
from ..services import EntryChange, create_entry, export_radar
from ..services.entries import RadarEditError, change_entry
from .serializers import RadarEntrySerializer, RadarEntryWriteSerializer


class RadarDataView(APIView):
    """``GET /api/tech-radar/data[/<slug>]``: the radar as Backstage's frontend loads it.

    The body is ``{entries, quadrants, rings}``, exactly the data file's shape.
    """

    @extend_schema(responses={200: dict, 404: NOT_FOUND})
    def get(self, request, slug: str | None = None) -> Response:
        radar = get_object_or_404(Radar, slug=slug or settings.TECH_RADAR["DEFAULT_RADAR"])
        return Response(export_radar(radar))


class HealthView(APIView):
    """``GET /api/tech-radar/health``, as Backstage's tech-radar backend answers it."""

    permission_classes: list = []

    @extend_schema(responses={200: dict})
    def get(self, request) -> Response:
        return Response({"status": "ok"})


def _entries(slug: str):
    return (
        RadarEntry.objects.for_display()
        .filter(radar__slug=slug)
        .prefetch_related("timeline__ring", "timeline__from_ring")
    )


class RadarEntryViewSet(ViewSet):
    """Entries of one radar. Reads follow the API's read rule; creating and changing needs a platform admin."""

    lookup_field = "key"
    lookup_value_regex = r"[A-Za-z0-9][A-Za-z0-9._-]*"
    serializer_class = RadarEntrySerializer

    def _check_admin(self, request) -> None:
        if not is_platform_admin(request.user):
            raise PermissionDenied("only platform admins change the Tech Radar")

    def list(self, request, slug: str) -> Response:
        radar = get_object_or_404(Radar, slug=slug)
        return Response({"items": RadarEntrySerializer(_entries(radar.slug), many=True).data})

    def retrieve(self, request, slug: str, key: str) -> Response:
        return Response(RadarEntrySerializer(get_object_or_404(_entries(slug), key=key)).data)

    @extend_schema(request=RadarEntryWriteSerializer, responses={201: RadarEntrySerializer})
    def create(self, request, slug: str) -> Response:
        self._check_admin(request)
        radar = get_object_or_404(Radar, slug=slug)
        data = self._input(request, required=("key", "title", "quadrant", "ring"))
        quadrant = self._pick(radar.quadrants, "quadrant", data["quadrant"])
        ring = self._pick(radar.rings, "ring", data["ring"])
        change = EntryChange(data["title"], quadrant, data.get("description", ""), tuple(data.get("links", ())))
        try:
            entry = create_entry(radar, data["key"], change, ring, reason=data.get("reason", ""))
        except RadarEditError as error:
            raise ValidationError({error.field: [error.message]}) from None
        return Response(
            RadarEntrySerializer(get_object_or_404(_entries(slug), pk=entry.pk)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=RadarEntryWriteSerializer, responses={200: RadarEntrySerializer})
    def partial_update(self, request, slug: str, key: str) -> Response:
        self._check_admin(request)
        entry = get_object_or_404(_entries(slug), key=key)
        data = self._input(request, required=())
        if "key" in data and data["key"] != entry.key:
            raise ValidationError({"key": ["an entry's key cannot change"]})
        try:
            change = None
            if {"title", "quadrant", "description", "links"} & data.keys():
                quadrant = (
                    self._pick(entry.radar.quadrants, "quadrant", data["quadrant"])
                    if "quadrant" in data
                    else entry.quadrant
                )
                change = EntryChange(
                    data.get("title", entry.title),
                    quadrant,
                    data.get("description", entry.description),
                    tuple(data["links"]) if "links" in data else tuple(entry.links),
                )
            ring = None
            if "ring" in data and data["ring"] != entry.ring.key:
                ring = self._pick(entry.radar.rings, "ring", data["ring"])
            change_entry(entry, change, ring, data.get("reason", ""))
        except RadarEditError as error:
            raise ValidationError({error.field: [error.message]}) from None
        return Response(RadarEntrySerializer(get_object_or_404(_entries(slug), key=key)).data)

    @staticmethod
    def _input(request, required: tuple[str, ...]) -> dict:
        serializer = RadarEntryWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        missing = [field for field in required if field not in data]
        if missing:
            raise ValidationError({field: ["This field is required."] for field in missing})
        if "links" in data:
            data["links"] = [dict(link) for link in data["links"]]
        return data

    @staticmethod
    def _pick(manager, field: str, key: str):
        found = manager.filter(key=key).first()
        if found is None:
            choices = ", ".join(manager.values_list("key", flat=True))
            raise ValidationError({field: [f"unknown {field} {key!r}; choose one of {choices}"]})
        return found
