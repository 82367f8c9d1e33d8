"""Register an existing component: paste a URL, see what a dry run finds, confirm to register.

Both steps run the same dry run (``catalog.services.preview_location``) as the API's
``POST /locations?dryRun=true``; confirming reads the target again, so what is registered is what
passed the checks just now, not what a hand-made form claims.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View

from portal.permissions import is_platform_admin
from portal.views import HtmxPageMixin

from .credentialed_hosts import credentialed_host_refusal
from .forms import RegisterLocationForm
from .models import Location
from .services import (
    LocationError,
    LocationExists,
    LocationPreview,
    preview_location,
    register_location,
    spec_from_input,
)


class RegisterLocationView(LoginRequiredMixin, HtmxPageMixin, View):
    """``GET`` the form; ``POST action=preview`` shows the dry run, ``action=register`` registers."""

    template_name = "catalog/register.html"
    partial_name = "catalog/partials/register_panel.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        context: dict[str, Any] = {"form": RegisterLocationForm(), "registered": registered_location(request)}
        return self._render(request, context)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = RegisterLocationForm(request.POST)
        context: dict[str, Any] = {"form": form, "preview": None, "registered": None}
        if not form.is_valid():
            return self._render(request, context)
        try:
            spec = spec_from_input(form.cleaned_data["target"])
        except LocationError as error:
            form.add_error("target", str(error))
            return self._render(request, context)
        refused = credentialed_host_refusal(request.user, spec)
        if refused:
            form.add_error("target", refused + ".")
            # htmx swaps only 2xx answers into the panel; a plain form post gets the 403.
            return self.render_page(context, status=200 if self.is_htmx() else 403)
        trusted = is_platform_admin(request.user)
        try:
            preview = preview_location(spec, trusted=trusted)
        except LocationError as error:
            form.add_error("target", str(error))
            return self._render(request, context)
        problem = refusal(preview)
        if problem:
            form.add_error("target", problem)
        # A target that could not be read has nothing to preview; the form's error says why.
        context["preview"] = None if preview.read_failed else preview
        if problem or request.POST.get("action") != "register":
            return self._render(request, context)
        try:
            location = register_location(spec, trusted=trusted, queue_refresh=True)
        except LocationExists as error:
            form.add_error("target", f"{error}: it is already in the catalog.")
            return self._render(request, context)
        if self.is_htmx():
            context.update(form=RegisterLocationForm(), preview=None, registered=location)
            return self._render(request, context)
        return redirect(f"{reverse('catalog:register_location')}?registered={location.pk}")

    def _render(self, request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
        return self.render_page(context)


def registered_location(request: HttpRequest) -> Location | None:
    """The location named by ``?registered=<id>`` after a registration (None for a missing or bad id)."""
    try:
        location_id = uuid.UUID(request.GET.get("registered", ""))
    except ValueError:
        return None
    return Location.objects.filter(pk=location_id).first()


def refusal(preview: LocationPreview) -> str:
    """Why this location cannot be registered as it stands (empty when it can)."""
    target = preview.location.target
    if preview.read_failed:
        reasons = "; ".join(error.message for error in preview.errors) or "it could not be read"
        return f"Could not read {target}: {reasons}"
    if preview.exists:
        return f"{preview.location.location_ref} is already registered."
    if not preview.found:
        if preview.errors:
            return f"No valid entities in {target}: fix the problems listed below and try again."
        return f"No entities found in {target}."
    return ""
