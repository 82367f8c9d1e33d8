"""The star toggle: a plain form post that htmx upgrades to swapping the button in place."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from portal.views import HtmxPageMixin

from .models import Entity
from .personal import star_context
from .services.stars import set_star


class StarToggleView(LoginRequiredMixin, HtmxPageMixin, View):
    """``POST ref=<entity ref>&starred=true|false``: set the star, answer with the button or a redirect.

    The wanted state travels with the post (not "flip whatever is stored"), so a double click or a
    resent form leaves the star as the person last saw it.
    """

    http_method_names = ["post"]
    # Only htmx gets a page back (the button); a plain post is redirected.
    partial_name = "catalog/partials/star_toggle.html"

    def post(self, request: HttpRequest) -> HttpResponse:
        ref = request.POST.get("ref", "").strip().lower()
        wanted = request.POST.get("starred")
        if wanted not in ("true", "false"):
            return HttpResponseBadRequest("starred must be 'true' or 'false'")
        entity = Entity.objects.only("id", "ref", "kind", "namespace", "name").get_by_ref_or_404(ref)
        set_star(request.user, entity, wanted == "true")
        next_url = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
            next_url = entity.get_absolute_url()
        if not self.is_htmx():
            return redirect(next_url)
        return self.render_page(star_context(request, entity.ref, next_url))
