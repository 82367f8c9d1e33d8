"""The Soundcheck tab's action: re-run an entity's checks now (owners and platform admins)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views import View

from catalog.entity_urls import entity_url
from catalog.models import Entity
from catalog.permissions import can_refresh_entity

from ..services.reruns import request_rerun


class RerunChecksView(LoginRequiredMixin, View):
    """``POST``: queue an evaluation of every check of the entity, then back to its Soundcheck tab."""

    def post(self, request: HttpRequest, kind: str, namespace: str, name: str) -> HttpResponse:
        entity = Entity.objects.get_by_name_or_404(kind, namespace, name, with_relations=True)
        if not can_refresh_entity(request.user, entity):
            raise PermissionDenied("Only the entity's owners and platform admins may re-run its checks.")
        if request_rerun(entity.ref):
            messages.success(request, f"The checks of {entity.display_title} will run again in a moment.")
        else:
            messages.warning(
                request,
                f"The job queue is unavailable, so the checks of {entity.display_title} could not be queued: "
                "they run again at the next scheduled evaluation, or try again in a few minutes.",
            )
        return redirect(entity_url(entity.kind, entity.namespace, entity.name, "soundcheck"))
