"""A GitHub ``repository`` webhook (or a GitLab system hook's ``project_*`` event) makes the discovery
providers of that organisation (group) due now.

The provider is not run in the request: its ``ProviderState.run_requested_at`` is set, which the
next scheduler tick (``catalog.run_due_providers``, every ``CATALOG_PROVIDER_TICK`` seconds) honours,
and the run lists the organisation as it always does. A created repository counts only for a
provider whose filters take it (``GitHubDiscoveryProvider.matches``); a deleted, archived or renamed
one for every provider of the organisation, since it may have left the provider's set.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from ..audit import record_write
from ..config import configured_providers
from ..models import ProviderState
from ..providers.github_discovery import GitHubDiscoveryProvider
from ..providers.gitlab import GitLabDiscoveryProvider
from ..webhooks import RepositoryEvent
from .providers import ensure_provider_state

logger = logging.getLogger(__name__)


def providers_for_repository_event(event: RepositoryEvent) -> list[GitHubDiscoveryProvider | GitLabDiscoveryProvider]:
    """The configured discovery providers whose listing ``event`` changes."""
    chosen: list[GitHubDiscoveryProvider | GitLabDiscoveryProvider] = []
    for provider in configured_providers().providers:
        if isinstance(provider, GitLabDiscoveryProvider):
            if _in_group(provider.group, event.organization):
                chosen.append(provider)
            continue
        if not isinstance(provider, GitHubDiscoveryProvider):
            continue
        if provider.organization.lower() != event.organization.lower():
            continue
        if not _same_host(provider.host, event.host):
            continue
        if event.action == "created" and not provider.matches(event.repository):
            continue
        chosen.append(provider)
    return chosen


def request_discovery_runs(event: RepositoryEvent) -> list[str]:
    """Mark each provider ``event`` concerns as due now; the ids of those marked, in order."""
    providers = providers_for_repository_event(event)
    now = timezone.now()
    with transaction.atomic():
        for provider in providers:
            state = ensure_provider_state(provider)
            ProviderState.objects.filter(pk=state.pk).update(run_requested_at=now)
            record_write(
                "provider.refresh", provider.provider_id, reason=f"repository {event.action}: {event.full_name}"
            )
    logger.info("repository %s %s: %d discovery provider(s) due now", event.full_name, event.action, len(providers))
    return [provider.provider_id for provider in providers]


def _in_group(group: str | None, namespace: str) -> bool:
    """A GitLab system hook names no host: a provider of the whole instance, or of the project's
    group or a parent of it, is due (on every configured GitLab host: a run too many is harmless)."""
    return group is None or namespace.lower() == group.lower() or namespace.lower().startswith(f"{group.lower()}/")


def _same_host(configured: str, seen: str) -> bool:
    """``github.com`` is ``github.com``; a host configured without a port takes any port of it."""
    return configured == seen or (":" not in configured and seen.rsplit(":", 1)[0] == configured)
