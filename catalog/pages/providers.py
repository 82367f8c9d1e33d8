"""The entity providers page: each configured provider's last run, counts and error, for staff.

``GET /catalog/providers/`` lists them; ``POST /catalog/providers/refresh/`` with ``provider`` asks
for a run now (a background job) and returns to the list.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import AccessMixin
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views import View

from portal.permissions import is_platform_admin

from ..config import configured_providers
from ..models import ProviderState
from ..services.providers import request_provider_run, sync_provider_states


class StaffOnlyMixin(AccessMixin):
    """Staff and platform admins; others signed in get 403, anonymous people the sign-in page."""

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if not (user.is_authenticated and (user.is_staff or is_platform_admin(user))):
            return self.handle_no_permission()
        return super().dispatch(request, *args, **kwargs)


class ProviderListView(StaffOnlyMixin, View):
    template_name = "catalog/providers.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        configured = configured_providers()
        states = {state.provider_id: state for state in sync_provider_states(configured.providers)}
        rows = [{"provider": provider, "state": states[provider.provider_id]} for provider in configured.providers]
        context = {"rows": rows, "problems": configured.problems}
        return render(request, self.template_name, context)


class ProviderRefreshView(StaffOnlyMixin, View):
    def post(self, request: HttpRequest) -> HttpResponse:
        provider_id = request.POST.get("provider", "").strip()[:200]
        state = ProviderState.objects.filter(provider_id=provider_id).first()
        if state is None or configured_providers().by_id(provider_id) is None:
            raise Http404("no such entity provider is configured")
        request_provider_run(state)
        messages.success(request, f"A run of {provider_id} was asked for.")
        return HttpResponseRedirect(reverse("catalog:providers"))
