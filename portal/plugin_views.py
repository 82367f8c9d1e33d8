"""``/plugins/``: each plugin found, whether it loaded, and what every app registered (platform admins)."""

from __future__ import annotations

from itertools import groupby
from typing import Any

from django.apps import apps
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.utils.module_loading import module_has_submodule
from django.views.generic import TemplateView

from portal.permissions import is_platform_admin
from portal.plugins import installed_plugins, plugin_app_config, url_prefix
from portal.registry import Registration, registrations


def _by_kind(entries: list[Registration]) -> list[dict[str, Any]]:
    return [
        {"kind": kind, "keys": [entry.key for entry in group]} for kind, group in groupby(entries, lambda e: e.kind)
    ]


class PluginListView(LoginRequiredMixin, TemplateView):
    """The plugins settings found, with version, source, error and registrations; then the built-in apps'."""

    template_name = "portal/plugins.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not is_platform_admin(request.user):
            raise PermissionDenied("Only platform admins may see the installed plugins.")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        plugins, plugin_labels = [], set()
        for plugin in installed_plugins():
            config = plugin_app_config(plugin)
            label = config.label if config else ""
            plugin_labels.add(label)
            has_urls = config is not None and module_has_submodule(config.module, "urls")
            plugins.append(
                {
                    "plugin": plugin,
                    "label": label,
                    "url_prefix": "/" + url_prefix(config) if has_urls else "",
                    "registered": _by_kind(registrations(label)) if label else [],
                }
            )
        context["plugins"] = plugins
        context["builtin_apps"] = [
            {"config": config, "registered": _by_kind(registrations(config.label))}
            for config in apps.get_app_configs()
            if config.label not in plugin_labels and registrations(config.label)
        ]
        return context
