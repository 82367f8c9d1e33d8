"""Which registered locations a git push concerns."""

from __future__ import annotations

import logging
from functools import reduce
from operator import or_

from django.db.models import Q

from ..formats.readers.targets import GitTarget, parse_git_target
from ..models import Location
from ..webhooks import PushEvent, repository_key

logger = logging.getLogger(__name__)


def _is_pushed_branch(target: GitTarget, event: PushEvent) -> bool:
    """Whether the push moved the branch the target reads.

    A target without a branch reads the remote's default branch. The forges name it in the
    payload, so the push must be to that branch; when a payload does not say, any branch counts
    (a needless refresh costs little, a missed one leaves the catalog stale until the schedule).
    """
    if event.branch is None:
        return True
    if target.branch is not None:
        return target.branch == event.branch
    return event.default_branch is None or event.default_branch == event.branch


def locations_for_push(event: PushEvent) -> list[Location]:
    """Every ``url`` location whose target reads the pushed repository at the pushed branch.

    Targets are compared by repository (``repository_key``: host and path, whatever the spelling:
    web URL, https, ssh or scp-like). Only locations registered directly count: a repository
    reached through a Location entity of another location is refreshed on the schedule.

    Locations number in the hundreds, so the ``url`` locations naming one of the pushed hosts are
    read in one query and matched in Python; targets cannot be parsed in SQL.
    """
    keys = {key for key in map(repository_key, event.repository_urls) if key}
    if not keys:
        return []
    hosts = {key.partition("/")[0] for key in keys}
    candidates = Location.objects.filter(type="url").filter(
        reduce(or_, (Q(target__icontains=host) for host in sorted(hosts)))
    )
    matched = []
    for location in candidates:
        try:
            target = parse_git_target(location.target)
        except ValueError:
            # A target refused here is refused by its refresh too, which records why.
            continue
        if target.host is None or repository_key(target.clone_url) not in keys:
            continue
        if _is_pushed_branch(target, event):
            matched.append(location)
    logger.info(
        "push to %s (%s): %d location(s) to refresh",
        event.repository,
        event.branch or "no branch",
        len(matched),
    )
    return matched
