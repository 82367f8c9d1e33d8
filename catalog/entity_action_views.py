"""The entity page's actions: refresh now, and unregister (its location, with a preview of what goes).

The buttons show only to those allowed (``catalog.permissions.entity_permissions``); these views
check again, whatever posted to them.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views import View

from .models import Entity, Location
from .permissions import can_refresh_entity, can_unregister_entity
from .services import delete_location
from .services.refresh_requests import request_refresh

UNREGISTER_PREVIEW_LIMIT = 200


def entity_or_404(kind: str, namespace: str, name: str) -> Entity:
    return Entity.objects.select_related("location").get_by_name_or_404(kind, namespace, name)


class EntityRefreshView(LoginRequiredMixin, View):
    """``POST``: queue a refresh of the entity's location; owners and platform admins only."""

    def post(self, request: HttpRequest, kind: str, namespace: str, name: str) -> HttpResponse:
        entity = entity_or_404(kind, namespace, name)
        if not can_refresh_entity(request.user, entity):
            raise PermissionDenied("Only the entity's owners and platform admins may refresh it.")
        request_refresh(entity.location, entity=entity)
        messages.success(request, f"A refresh of {entity.location.location_ref} is queued.")
        return redirect(entity.get_absolute_url())


class EntityUnregisterView(LoginRequiredMixin, View):
    """``GET``: what unregistering would delete; ``POST``: delete the entity's location and all it provides."""

    template_name = "catalog/entity_unregister.html"

    def get(self, request: HttpRequest, kind: str, namespace: str, name: str) -> HttpResponse:
        entity = self._allowed(request, kind, namespace, name)
        provided = Entity.objects.filter(location=entity.location).exclude(kind="Location").order_by("ref")
        context = {
            "entity": entity,
            "location": entity.location,
            "doomed": list(provided.only("ref", "kind", "namespace", "name", "title")[:UNREGISTER_PREVIEW_LIMIT]),
            "doomed_count": provided.count(),
        }
        return render(request, self.template_name, context)

    def post(self, request: HttpRequest, kind: str, namespace: str, name: str) -> HttpResponse:
        entity = self._allowed(request, kind, namespace, name)
        location: Location = entity.location
        delete_location(location)
        messages.success(request, f"Unregistered {location.location_ref} and every entity it provided.")
        return redirect("catalog:entity_list")

    @staticmethod
    def _allowed(request: HttpRequest, kind: str, namespace: str, name: str) -> Entity:
        entity = entity_or_404(kind, namespace, name)
        if entity.location.origin == Location.Origin.CONFIG:
            raise PermissionDenied("This entity's location comes from settings; remove it there.")
        if not can_unregister_entity(request.user, entity):
            raise PermissionDenied(
                "Only platform admins, or the owners of every entity its location provides, may unregister it."
            )
        return entity
