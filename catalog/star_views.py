"""The star toggle: a plain form post that htmx upgrades to swapping the button in place."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from .models import Entity
from .personal import star_context
from .services.stars import set_star


class StarToggleView(LoginRequiredMixin, View):
    """``POST ref=<entity ref>&starred=true|false``: set the star, answer with the button or a redirect.

    The wanted state travels with the post (not "flip whatever is stored"), so a double click or a
    resent form leaves the star as the person last saw it.
    """

    http_method_names = ["post"]
    template_name = "catalog/partials/star_toggle.html"

    def post(self, request: HttpRequest) -> HttpResponse:
        ref = request.POST.get("ref", "").strip().lower()
        wanted = request.POST.get("starred")
        if wanted not in ("true", "false"):
            return HttpResponseBadRequest("starred must be 'true' or 'false'")
        entity = Entity.objects.filter(ref=ref).only("id", "ref", "kind", "namespace", "name").first()
        if entity is None:
            raise Http404(f"No entity {ref!r} in the catalog")
        set_star(request.user, entity, wanted == "true")
        next_url = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
            next_url = entity.get_absolute_url()
        if not request.headers.get("HX-Request"):
            return redirect(next_url)
        response = render(request, self.template_name, star_context(request, entity.ref, next_url))
        patch_vary_headers(response, ["HX-Request"])
        return response
