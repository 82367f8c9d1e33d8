"""The ``ldapOrg`` entity provider: users and groups of an LDAP directory as User and Group entities.

Configured as Backstage's ``catalog.providers.ldapOrg.<id>`` (docs/ldap.md). Each run binds, reads
every configured user and group search in full, and returns the whole organisation; the catalog
replaces the provider's previous set with it (services/providers.py). Memberships are resolved by
DN from both sides, as Backstage resolves them: a group's ``member`` values (users join it, groups
become its children) and ``memberOf`` values (a user's groups, a group's parent).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .base import EntityProvider, ProviderOutput, Schedule
from .ldap_client import LdapClient
from .ldap_config import LdapSettings, parse_ldap_entry
from .ldap_entities import OrgBuilder


class LdapOrgProvider:
    """One configured directory (``ldapOrg:<id>``)."""

    def __init__(self, settings: LdapSettings) -> None:
        self.settings = settings
        self.provider_id = settings.provider_id
        self.schedule: Schedule | None = settings.schedule

    def __repr__(self) -> str:
        # The settings hold the bind secret: never part of a repr that may reach a log.
        return f"LdapOrgProvider({self.provider_id!r}, target={self.settings.target!r})"

    def read(self) -> ProviderOutput:
        """Bind, search every configured base, and build the organisation's entities."""
        settings = self.settings
        assert settings.schedule is not None
        with LdapClient(settings, timeout_seconds=settings.schedule.timeout_seconds) as client:
            vendor = client.vendor()
            builder = OrgBuilder(vendor, target=settings.target)
            for spec in settings.users:
                for entry in client.search(spec, vendor):
                    builder.add_user(entry, spec)
            for spec in settings.groups:
                for entry in client.search(spec, vendor):
                    builder.add_group(entry, spec)
        return ProviderOutput(entities=builder.entities(), notes=builder.notes)


def providers_from_config(value: Mapping[str, Any] | list[Any], *, path: str) -> list[EntityProvider]:
    """One provider per ``ldapOrg.<id>`` entry; ``ValueError`` names the key path of a bad value."""
    if not isinstance(value, Mapping):
        raise ValueError(f"{path}: must be a mapping of provider ids to their settings")
    providers: list[EntityProvider] = []
    for entry_id, entry in value.items():
        providers.append(LdapOrgProvider(parse_ldap_entry(str(entry_id), entry, path=f"{path}.{entry_id}")))
    return providers
