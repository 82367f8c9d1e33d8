"""Plugins: Django apps that join Greenroom without an edit to any of its files (docs/plugins.md).

A plugin is a package that declares an entry point in the ``greenroom.plugins`` group (its value
names the package, or its ``AppConfig`` as ``package.apps:Config``), or whose module is named in
``GREENROOM_PLUGINS`` (comma-separated). Settings call ``plugin_apps()`` once: each plugin is
imported there, and only those that import are added to ``INSTALLED_APPS``; a plugin that fails is
remembered with its error, logged once logging is set up (``log_failures()``, from the portal's
``ready()``) and shown on ``/plugins/``, and every other page works on. ``plugin_urlpatterns()``
mounts each loaded plugin's ``urls`` module under ``plugins/<label>/`` or the ``url_prefix`` its
``AppConfig`` declares.

This module reads no setting at import time: settings import it.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import logging
import traceback
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.module_loading import module_has_submodule

ENTRY_POINT_GROUP = "greenroom.plugins"
SETTING_SOURCE = "GREENROOM_PLUGINS"
logger = logging.getLogger("portal.plugins")


@dataclass
class Plugin:
    """One plugin found: its module, how it was found, its distribution's version, and any error."""

    module: str
    # The INSTALLED_APPS entry: the module, or the dotted path of the AppConfig the entry point names.
    app: str
    sources: list[str] = field(default_factory=list)
    distribution: str = ""
    version: str = ""
    error: str = ""
    error_detail: str = ""

    @property
    def is_loaded(self) -> bool:
        return not self.error

    @property
    def source(self) -> str:
        return ", ".join(self.sources)


_PLUGINS: list[Plugin] = []


def discover_plugins(names: Iterable[str], installed: Iterable[str] = ()) -> list[Plugin]:
    """Every plugin declared by entry point or named in ``names``, imported; those that failed carry ``error``.

    ``installed`` are the apps already in ``INSTALLED_APPS``: a plugin may not stand in for one.
    """
    found: dict[str, Plugin] = {}
    for entry_point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        module = entry_point.module
        plugin = found.setdefault(module, Plugin(module, entry_point.value.replace(":", ".")))
        plugin.sources.append(f"entry point {entry_point.name!r}")
        if entry_point.dist is not None:
            plugin.distribution, plugin.version = entry_point.dist.name, entry_point.dist.version
    for name in names:
        plugin = found.setdefault(name, Plugin(name, name))
        plugin.sources.append(SETTING_SOURCE)
    taken = set(installed)
    for plugin in found.values():
        _load(plugin, taken)
        taken.add(plugin.app)
    return list(found.values())


def _load(plugin: Plugin, installed: set[str]) -> None:
    module = plugin.module
    if not all(part.isidentifier() for part in module.split(".")):
        plugin.error = f"{module!r} is not a Python module name"
        return
    if module in installed or plugin.app in installed:
        plugin.error = f"{module!r} is already an installed app"
        return
    try:
        package = importlib.import_module(module)
        # Django imports the app's ``apps`` module while it loads the app registry; fail here instead.
        if module_has_submodule(package, "apps"):
            importlib.import_module(f"{module}.apps")
    except Exception as error:  # any failure of a plugin's code must not stop Greenroom
        plugin.error = f"{type(error).__name__}: {error}"
        plugin.error_detail = traceback.format_exc()
        return
    if not plugin.version:
        plugin.distribution, plugin.version = _distribution(module)


def _distribution(module: str) -> tuple[str, str]:
    """The name and version of the installed distribution that ships ``module``, if any does."""
    top = module.split(".")[0]
    for name in importlib.metadata.packages_distributions().get(top, []):
        try:
            return name, importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return "", ""


def plugin_apps(names: Iterable[str], installed: Iterable[str] = ()) -> list[str]:
    """The ``INSTALLED_APPS`` entries of the plugins that import; remembers every plugin for ``/plugins/``."""
    _PLUGINS[:] = discover_plugins(names, installed)
    return [plugin.app for plugin in _PLUGINS if plugin.is_loaded]


def installed_plugins() -> list[Plugin]:
    """The plugins settings found, loaded or not, in the order they were found."""
    return list(_PLUGINS)


def log_failures() -> None:
    """Log each plugin that failed to load, with its traceback (settings run before logging is set up)."""
    for plugin in _PLUGINS:
        if not plugin.is_loaded:
            logger.error(
                "plugin %s (%s) was not loaded: %s\n%s", plugin.module, plugin.source, plugin.error, plugin.error_detail
            )


def plugin_app_config(plugin: Plugin) -> Any:
    """The plugin's ``AppConfig`` once the app registry is ready, or None when it is not installed."""
    from django.apps import apps

    for config in apps.get_app_configs():
        if config.name == plugin.module:
            return config
    return None


def url_prefix(config: Any) -> str:
    """Where a plugin's URLs are mounted: its ``AppConfig.url_prefix``, else ``plugins/<label>/``."""
    prefix = str(getattr(config, "url_prefix", "") or "").strip("/")
    return (prefix or f"plugins/{config.label}") + "/"


def plugin_urlpatterns() -> list[Any]:
    """An ``include()`` of each loaded plugin's ``urls`` module; a module that fails to import is an error."""
    from django.urls import include, path

    patterns = []
    for plugin in _PLUGINS:
        config = plugin_app_config(plugin) if plugin.is_loaded else None
        if config is None or not module_has_submodule(config.module, "urls"):
            continue
        try:
            patterns.append(path(url_prefix(config), include(f"{plugin.module}.urls")))
        except Exception as error:  # a plugin's broken URLs must not take the portal down
            plugin.error = f"its URLs failed to load: {type(error).__name__}: {error}"
            plugin.error_detail = traceback.format_exc()
            logger.error("plugin %s: %s\n%s", plugin.module, plugin.error, plugin.error_detail)
    return patterns
