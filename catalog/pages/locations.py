"""The Locations pages: every registered or configured location, its last refresh and its errors.

Platform teams see here why documents never became entities (file, line, field and message of each
error of the last refresh) and may queue a refresh; owners of what a location provides may too.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views import View

from portal.views import ReadAccessMixin

from ..models import Entity, Location
from ..permissions import can_refresh_location
from ..services.refresh_requests import request_refresh

PAGE_SIZE = 50
PROVIDED_LIMIT = 50
STATUSES = {status.value: status.label for status in Location.Status}


def location_or_404(pk: str) -> Location:
    try:
        return Location.objects.get(pk=pk)
    except (Location.DoesNotExist, ValueError, TypeError) as error:  # a malformed id is no location
        raise Http404("No such location.") from error


class LocationListView(ReadAccessMixin, View):
    """``/catalog/locations/``: every location, errors first; ``status`` filters."""

    def get(self, request: HttpRequest) -> HttpResponse:
        status = request.GET.get("status", "")
        qs = Location.objects.annotate(
            entity_count=Count("entities", filter=~Q(entities__kind="Location")),
        ).order_by("-consecutive_failures", "created_at", "id")
        if status in STATUSES:
            qs = qs.filter(status=status)
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        counts = dict(Location.objects.order_by().values_list("status").annotate(n=Count("id")))
        context: dict[str, Any] = {
            "page": page,
            "status": status if status in STATUSES else "",
            "statuses": STATUSES,
            "counts": {value: counts.get(value, 0) for value in STATUSES},
        }
        return render(request, "catalog/locations.html", context)


class LocationDetailView(ReadAccessMixin, View):
    """``/catalog/locations/<id>/``: status, schedule, every error of the last refresh, what it provides."""

    def get(self, request: HttpRequest, pk: str) -> HttpResponse:
        location = location_or_404(pk)
        provided = Entity.objects.filter(location=location).exclude(kind="Location").order_by("ref")
        context = {
            "location": location,
            "provided": list(provided.only("ref", "kind", "namespace", "name", "title")[:PROVIDED_LIMIT]),
            "provided_count": provided.count(),
            "can_refresh": can_refresh_location(request.user, location),
        }
        return render(request, "catalog/location_detail.html", context)


class LocationRefreshView(LoginRequiredMixin, View):
    """``POST``: queue a refresh of the location; platform admins and owners of what it provides."""

    def post(self, request: HttpRequest, pk: str) -> HttpResponse:
        location = location_or_404(pk)
        if not can_refresh_location(request.user, location):
            raise PermissionDenied("Only platform admins and owners of what this location provides may refresh it.")
        request_refresh(location, reason="locations page")
        messages.success(request, f"A refresh of {location.location_ref} is queued.")
        return redirect("catalog:location_detail", pk=location.pk)
