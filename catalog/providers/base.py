"""The contract between entity providers and the catalog.

A provider is configured under ``catalog.providers`` in Backstage's app-config shape. Each entry
becomes one :class:`EntityProvider` with a stable ``provider_id`` (``"<configKey>:<entryId>"``, for
example ``"ldapOrg:corp"``). A run calls :meth:`EntityProvider.read`, which returns every entity the
provider owns right now; the catalog replaces the provider's previous set with it in one transaction.
A run that raises :class:`ProviderError` changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol


class ProviderError(Exception):
    """A run failed. ``str()`` is shown to platform teams, so it never holds a credential."""


@dataclass(frozen=True)
class Schedule:
    """When a provider runs: every ``frequency_seconds``, killed after ``timeout_seconds``."""

    frequency_seconds: float
    timeout_seconds: float
    initial_delay_seconds: float = 0.0


@dataclass(frozen=True)
class ProviderOutput:
    """What one run read: Backstage-shaped entity bodies (apiVersion, kind, metadata, spec).

    Discovery providers return ``Location`` entities whose targets the catalog then reads, as
    Backstage's discovery providers do.
    """

    entities: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)


class EntityProvider(Protocol):
    """One configured provider entry."""

    provider_id: str
    schedule: Schedule | None

    def read(self) -> ProviderOutput:
        """Read the provider's full current set, or raise :class:`ProviderError`."""
        ...


# The config key under ``catalog.providers`` and the factory that turns its value into providers.
# Each factory is ``providers_from_config(value: Mapping | list, *, path: str) -> list[EntityProvider]``
# and raises ``ValueError`` naming the key path (``catalog.providers.ldapOrg.corp.target``) on a bad
# value. A factory is looked up by dotted path so each provider module loads only when configured.
FACTORY_PATHS: Mapping[str, str] = {
    "ldapOrg": "catalog.providers.ldap_org:providers_from_config",
    "github": "catalog.providers.github_discovery:providers_from_config",
    "githubOrg": "catalog.providers.github_org:providers_from_config",
    "gitlab": "catalog.providers.gitlab:providers_from_config",
}
