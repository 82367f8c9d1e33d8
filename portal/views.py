"""The portal shell's own pages."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.mixins import AccessMixin
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.generic import TemplateView

from portal.registry import home_widgets


class ReadAccessMixin(AccessMixin):
    """Pages are for signed-in people unless anonymous read is switched on (as for the API)."""

    def dispatch(self, request, *args, **kwargs):
        if not (request.user.is_authenticated or settings.API_ANONYMOUS_READ):
            return self.handle_no_permission()
        return super().dispatch(request, *args, **kwargs)


class HtmxPageMixin:
    """One URL renders the full page, or only ``partial_name`` when htmx asks (``HX-Request``).

    Either answer says ``Vary: HX-Request``, so a cache never serves the fragment for the page.
    Views on ``View`` call ``render_page(context)``; template-response views (``DetailView``) get
    the switch through ``get_template_names()`` and ``render_to_response()``.
    """

    template_name: str | None = None
    partial_name: str | None = None

    def is_htmx(self) -> bool:
        return bool(self.request.headers.get("HX-Request"))

    def render_page(self, context: dict[str, Any], *, fragment: bool | None = None, status: int = 200) -> HttpResponse:
        """The page, or the fragment (``fragment``: whether to, when not simply on ``HX-Request``)."""
        fragment = self.is_htmx() if fragment is None else fragment
        response = render(self.request, self.partial_name if fragment else self.template_name, context, status=status)
        patch_vary_headers(response, ["HX-Request"])
        return response

    def get_template_names(self) -> list[str]:
        if self.is_htmx():
            return [self.partial_name]
        return super().get_template_names()

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        response = super().render_to_response(context, **kwargs)
        patch_vary_headers(response, ["HX-Request"])
        return response


class HomeView(TemplateView):
    """Landing page: the home widgets registered by the apps, in their order.

    Each widget's template gets ``widget`` and ``data`` (what its ``context(request)`` returns)
    and renders the inside of a card whose heading is the widget's title.
    """

    template_name = "portal/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        request = self.request
        context["widgets"] = [
            {"widget": widget, "data": widget.context(request) if widget.context else {}} for widget in home_widgets()
        ]
        return context
