"""Checking a location target before it is stored, so nothing is kept that a read would refuse.

The checks are the readers' own (``catalog.formats.readers``): the target must parse, a local target must
pass the local-target rule for this caller, and a remote's host must be allowed and public. Only a
host that cannot be resolved right now is let through; the first refresh reports it.
"""

from __future__ import annotations

from ..config import reader_policy
from ..formats.readers.local_targets import check_location_is_allowed
from ..formats.readers.remotes import HostUnresolvable, check_remote
from ..formats.readers.targets import parse_git_target
from .locations import LocationError, LocationSpec


def check_location_target(spec: LocationSpec, *, trusted: bool, resolve: bool = True) -> None:
    """Refuse ``spec`` with a ``LocationError`` naming the rule; ``trusted``: from settings or a platform admin."""
    policy = reader_policy(trusted=trusted)
    try:
        check_location_is_allowed(spec.type, spec.target, policy)
        if spec.type == "url":
            target = parse_git_target(spec.target)
            if target.transport in ("https", "ssh"):
                check_remote(target, policy, resolve=resolve)
    except HostUnresolvable:
        return
    except ValueError as error:
        raise LocationError(f"{spec.type}:{spec.target[:200]} is refused: {error}") from None
