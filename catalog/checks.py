"""System checks: ``manage.py check`` (and every command that runs the checks) reads the app-config.

A ``GREENROOM_CONFIG`` file that cannot be read, or whose ``catalog`` or ``integrations`` sections
are malformed, is reported here with the message naming the file and key path, rather than on the
first request or refresh that needs the catalog's settings.
"""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.core.exceptions import ImproperlyConfigured


def app_config_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """``catalog.E001`` when the app-config does not load; ``catalog.W001`` per provider left out."""
    from .config import catalog_settings, configured_providers

    try:
        catalog_settings()
        providers = configured_providers()
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), hint="See docs/app-config.md.", id="catalog.E001")]
    return [checks.Warning(problem, id="catalog.W001") for problem in providers.problems]
