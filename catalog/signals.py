"""Signals the catalog sends, for apps that react to it without the catalog knowing them.

``location_refreshed`` is sent after a location's refresh has been applied (TechDocs checks for
new commits then).

``entities_changed`` is sent once per write, after its transaction commits, with the refs it wrote
(added, changed, orphaned) and the refs it deleted. A refresh of 100,000 entities sends one
signal with every ref, so a receiver can work in batches instead of once per row; a write that
rolls back sends nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

# Sent with ``written`` and ``deleted``: lists of lowercase entity refs.
entities_changed = Signal()
# Sent after a location's refresh has been applied, with ``location`` and ``report`` (RefreshReport).
location_refreshed = Signal()


def announce_entities_changed(written: Iterable[str] = (), deleted: Iterable[str] = ()) -> None:
    """Send ``entities_changed`` once the current transaction commits (now, outside one)."""
    written, deleted = sorted(set(written)), sorted(set(deleted))
    if not written and not deleted:
        return

    def send() -> None:
        # The write has committed: a receiver that fails is logged, never turned into a failed write.
        for receiver, outcome in entities_changed.send_robust(
            sender=announce_entities_changed, written=written, deleted=deleted
        ):
            if isinstance(outcome, Exception):
                logger.error("entities_changed receiver %r failed: %s", receiver, outcome, exc_info=outcome)

    transaction.on_commit(send)
