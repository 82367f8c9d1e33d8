"""Catalog writes announced for the audit log, without the catalog knowing who keeps the log.

Each service function that changes the catalog on someone's behalf calls ``record_write`` once,
inside its transaction: a write that fails and rolls back leaves no record. ``portal.audit``
listens and stores who did it. Refreshes themselves are not announced: they are the catalog
reading its sources, and every change they make is in the entity history.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import Signal

# Sent with ``action`` (e.g. "location.delete"), ``target`` (a location or entity ref) and ``details``.
catalog_write = Signal()


def record_write(action: str, target: str, **details: Any) -> None:
    """Announce one write; ``details`` must be JSON-serialisable."""
    catalog_write.send(sender=record_write, action=action, target=target, details=details)
