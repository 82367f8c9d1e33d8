"""Turning ``catalog.providers`` into :class:`EntityProvider` objects.

Each key under ``catalog.providers`` names a factory in ``FACTORY_PATHS``, imported by dotted path
only when configured. A key with no factory, a factory that cannot be imported and an entry the
factory refuses are each named in a warning and left out: a typo in one provider's config never
stops the portal or the other providers. ``catalog.providerOptions.<providerId>.disabled: true``
leaves a provider out as well.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .base import FACTORY_PATHS, EntityProvider

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ConfiguredProviders:
    """What ``catalog.providers`` yields: the providers, and a problem per key or entry left out."""

    providers: tuple[EntityProvider, ...]
    problems: tuple[str, ...] = ()

    def by_id(self, provider_id: str) -> EntityProvider | None:
        return next((provider for provider in self.providers if provider.provider_id == provider_id), None)


def load_factory(dotted: str) -> Callable[..., list[EntityProvider]]:
    """The callable at ``module.path:attribute``; ``ImportError``/``AttributeError`` when absent."""
    module_name, _, attribute = dotted.partition(":")
    return getattr(importlib.import_module(module_name), attribute)


def build_providers(
    providers: Mapping[str, Any],
    options: Mapping[str, Any] | None = None,
    *,
    factories: Mapping[str, str] | None = None,
) -> ConfiguredProviders:
    """Every provider ``catalog.providers`` configures, less the disabled ones; problems are warned."""
    built: list[EntityProvider] = []
    problems: list[str] = []
    options = options or {}
    factories = FACTORY_PATHS if factories is None else factories
    for key, value in providers.items():
        path = f"catalog.providers.{key}"
        dotted = factories.get(key)
        if dotted is None:
            problems.append(f"{path}: no entity provider is known by this key; it is ignored")
            continue
        try:
            factory = load_factory(dotted)
        except (ImportError, AttributeError) as error:
            problems.append(f"{path}: the {key} provider is not available ({type(error).__name__}: {error}); ignored")
            continue
        try:
            made = factory(value, path=path)
        except ValueError as error:
            problems.append(f"{path}: {error}" if not str(error).startswith(path) else str(error))
            continue
        for provider in made:
            option = options.get(provider.provider_id)
            if isinstance(option, Mapping) and option.get("disabled") is True:
                logger.info("entity provider %s is disabled by catalog.providerOptions", provider.provider_id)
                continue
            if any(other.provider_id == provider.provider_id for other in built):
                problems.append(f"{path}: provider id {provider.provider_id} is configured twice; ignored")
                continue
            built.append(provider)
    for problem in problems:
        logger.warning("%s", problem)
    return ConfiguredProviders(tuple(built), tuple(problems))
