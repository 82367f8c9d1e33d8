"""The portal shell's own pages."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.mixins import AccessMixin
from django.views.generic import TemplateView

from portal.registry import home_widgets


class ReadAccessMixin(AccessMixin):
    """Pages are for signed-in people unless anonymous read is switched on (as for the API)."""

    def dispatch(self, request, *args, **kwargs):
        if not (request.user.is_authenticated or settings.API_ANONYMOUS_READ):
            return self.handle_no_permission()
        return super().dispatch(request, *args, **kwargs)


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
