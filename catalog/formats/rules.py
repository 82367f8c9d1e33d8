"""Catalog rules: which kinds a location may emit, in the shape of Backstage's ``catalog.rules``.

A rule is ``{"allow": [Kind | {"kind": K, "spec.type": T} | "*"], "locations": [...]}``. An entity is
accepted when any applicable rule allows it; the global rules apply to every location unless they
name ``locations``, and a location's own rules apply to it alone.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Any


def _rule_applies(rule: dict[str, Any], location_type: str, location_target: str) -> bool:
    scopes = rule.get("locations")
    if not scopes:
        return True
    for scope in scopes:
        if scope.get("type") and scope["type"] != location_type:
            continue
        if "exact" in scope and scope["exact"] == location_target:
            return True
        if "pattern" in scope and fnmatchcase(location_target.lower(), str(scope["pattern"]).lower()):
            return True
        if "exact" not in scope and "pattern" not in scope:
            return True
    return False


def _allows(allow: Any, entity: dict[str, Any]) -> bool:
    kind = str(entity.get("kind", "")).lower()
    if allow == "*":
        return True
    if isinstance(allow, str):
        return allow.lower() == kind
    if isinstance(allow, dict):
        if str(allow.get("kind", "")).lower() != kind:
            return False
        wanted_type = allow.get("spec.type")
        if wanted_type is None:
            return True
        spec = entity.get("spec") if isinstance(entity.get("spec"), dict) else {}
        return str(spec.get("type", "")).lower() == str(wanted_type).lower()
    return False


def is_allowed(
    entity: dict[str, Any],
    *,
    global_rules: list[dict[str, Any]],
    location_rules: list[dict[str, Any]] | None,
    location_type: str,
    location_target: str,
) -> bool:
    """Whether ``entity`` may be emitted by the registered location ``location_type:location_target``."""
    rules = [rule for rule in global_rules if _rule_applies(rule, location_type, location_target)]
    rules += location_rules or []
    return any(_allows(allow, entity) for rule in rules for allow in rule.get("allow", []))
