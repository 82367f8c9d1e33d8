"""Parsing a definitions file (``checks:``, ``tracks:``, ``campaigns:``) with errors naming file and path.

The file is read with the catalog's YAML 1.2 reader (size, depth and alias limits; no tags), so a
hostile file is refused like a hostile catalog file. Every problem is collected, not just the first:
``soundcheck.yaml: checks[3].rule.all[1].fact: unknown operator 'equal'``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from catalog.formats.refs import InvalidEntityRef, parse_entity_ref
from catalog.formats.yaml_reader import YamlFileError, parse_documents

from ..rules import RuleError, parse_rule
from ..selection import EntityFilterError, normalize_entity_filter

KEY = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*")
MAX_FILE_BYTES = 1024 * 1024
TOP_KEYS = {"checks", "tracks", "campaigns"}


class DefinitionError(ValueError):
    """A definitions file that cannot be applied; ``errors`` lists every problem found."""

    def __init__(self, source: str, errors: list[str]) -> None:
        self.source = source
        self.errors = errors
        super().__init__("; ".join(f"{source}: {error}" for error in errors))


@dataclass
class Definitions:
    """The parsed content of one or more definitions files."""

    checks: list[dict[str, Any]] = field(default_factory=list)
    tracks: list[dict[str, Any]] = field(default_factory=list)
    campaigns: list[dict[str, Any]] = field(default_factory=list)

    def extend(self, other: Definitions) -> None:
        self.checks += other.checks
        self.tracks += other.tracks
        self.campaigns += other.campaigns


def _text(item: dict, name: str, path: str, errors: list[str], *, required: bool = False, limit: int = 10000) -> str:
    value = item.get(name)
    if value is None:
        if required:
            errors.append(f"{path}.{name}: required")
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        errors.append(f"{path}.{name}: expected a string")
        return ""
    if len(value) > limit:
        errors.append(f"{path}.{name}: longer than {limit} characters")
    return value.strip()


def _key(item: dict, path: str, errors: list[str], seen: set[str]) -> str:
    key = item.get("key")
    if not isinstance(key, str) or not KEY.fullmatch(key) or len(key) > 100:
        errors.append(f"{path}.key: expected a lowercase key of letters, digits, '-' and '_', got {key!r}")
        return ""
    if key in seen:
        errors.append(f"{path}.key: {key!r} is defined twice")
    seen.add(key)
    return key


def _unknown(item: dict, allowed: set[str], path: str, errors: list[str]) -> None:
    for name in item:
        if name not in allowed:
            errors.append(f"{path}: unknown field {name!r} (expected {', '.join(sorted(allowed))})")


def _filter(item: dict, path: str, errors: list[str]) -> dict[str, list[str]]:
    try:
        return normalize_entity_filter(item.get("filter"), f"{path}.filter")
    except EntityFilterError as error:
        errors.append(str(error))
        return {}


def _owner(item: dict, path: str, errors: list[str]) -> str:
    owner = _text(item, "owner", path, errors)
    if not owner:
        return ""
    try:
        return str(parse_entity_ref(owner, default_kind="group", default_namespace="default"))
    except InvalidEntityRef as error:
        errors.append(f"{path}.owner: {error}")
        return ""


def _list(document: dict, name: str, errors: list[str]) -> list:
    value = document.get(name) or []
    if not isinstance(value, list):
        errors.append(f"{name}: expected a list")
        return []
    return value


def parse_definitions(data: bytes, source: str) -> Definitions:
    """Parse one file; raises ``DefinitionError`` listing every problem (file, path, message)."""
    try:
        documents = parse_documents(data, source=source, max_bytes=MAX_FILE_BYTES, max_nodes=50_000, max_depth=40)
    except YamlFileError as error:
        where = "" if error.line is None else f"line {error.line}: "
        raise DefinitionError(source, [f"{where}{error.message}"]) from None
    errors: list[str] = []
    definitions = Definitions()
    checks: set[str] = set()
    tracks: set[str] = set()
    campaigns: set[str] = set()
    for document in documents:
        if document.data is None:
            errors.append(f"line {document.line}: {document.error}")
            continue
        for name in document.data:
            if name not in TOP_KEYS:
                errors.append(f"{name}: unknown section (expected checks, tracks or campaigns)")
        for item in _list(document.data, "checks", errors):
            definitions.checks.append(_check(item, f"checks[{len(definitions.checks)}]", errors, checks))
        for item in _list(document.data, "tracks", errors):
            definitions.tracks.append(_track(item, f"tracks[{len(definitions.tracks)}]", errors, tracks))
        for item in _list(document.data, "campaigns", errors):
            definitions.campaigns.append(_campaign(item, f"campaigns[{len(definitions.campaigns)}]", errors, campaigns))
    if errors:
        raise DefinitionError(source, errors)
    return definitions


def _check(item: Any, path: str, errors: list[str], seen: set[str]) -> dict[str, Any]:
    if not isinstance(item, dict):
        errors.append(f"{path}: expected a mapping")
        return {}
    _unknown(item, {"key", "name", "description", "rule", "fail_message", "fix"}, path, errors)
    key = _key(item, path, errors, seen)
    rule: dict[str, Any] = {}
    if "rule" not in item:
        errors.append(f"{path}.rule: required")
    else:
        try:
            rule = parse_rule(item["rule"], f"{path}.rule")
        except RuleError as error:
            errors.append(str(error))
    return {
        "key": key,
        "name": _text(item, "name", path, errors, required=True, limit=200),
        "description": _text(item, "description", path, errors),
        "rule": rule,
        "fail_message": _text(item, "fail_message", path, errors),
        "fix": _text(item, "fix", path, errors),
    }


def _track(item: Any, path: str, errors: list[str], seen: set[str]) -> dict[str, Any]:
    if not isinstance(item, dict):
        errors.append(f"{path}: expected a mapping")
        return {}
    _unknown(item, {"key", "name", "description", "filter", "owner", "levels"}, path, errors)
    levels = []
    raw_levels = item.get("levels")
    if not isinstance(raw_levels, list) or not raw_levels:
        errors.append(f"{path}.levels: expected a non-empty list of levels")
        raw_levels = []
    for index, level in enumerate(raw_levels):
        where = f"{path}.levels[{index}]"
        if not isinstance(level, dict):
            errors.append(f"{where}: expected a mapping")
            continue
        _unknown(level, {"name", "description", "checks"}, where, errors)
        keys = level.get("checks") or []
        if not isinstance(keys, list) or not all(isinstance(key, str) for key in keys):
            errors.append(f"{where}.checks: expected a list of check keys")
            keys = []
        levels.append(
            {
                "name": _text(level, "name", where, errors, required=True, limit=100),
                "description": _text(level, "description", where, errors),
                "checks": keys,
                "path": where,
            }
        )
    return {
        "key": _key(item, path, errors, seen),
        "name": _text(item, "name", path, errors, required=True, limit=200),
        "description": _text(item, "description", path, errors),
        "entity_filter": _filter(item, path, errors),
        "owner_ref": _owner(item, path, errors),
        "levels": levels,
        "path": path,
    }


def _date(item: dict, name: str, path: str, errors: list[str]) -> date | None:
    value = item.get(name)
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    errors.append(f"{path}.{name}: expected a date like 2026-03-31, got {value!r}")
    return None


def _campaign(item: Any, path: str, errors: list[str], seen: set[str]) -> dict[str, Any]:
    if not isinstance(item, dict):
        errors.append(f"{path}: expected a mapping")
        return {}
    allowed = {"key", "name", "description", "track", "target_level", "check", "filter", "starts_on", "deadline"}
    _unknown(item, allowed | {"owner", "send_reminders"}, path, errors)
    track, check, level = item.get("track"), item.get("check"), item.get("target_level")
    if bool(track) == bool(check):
        errors.append(f"{path}: name either a 'track' with a 'target_level' or a 'check'")
    if track and (isinstance(level, bool) or not isinstance(level, int) or level < 1):
        errors.append(f"{path}.target_level: expected a level number (1 for the first level)")
    starts_on, deadline = _date(item, "starts_on", path, errors), _date(item, "deadline", path, errors)
    if starts_on and deadline and deadline < starts_on:
        errors.append(f"{path}.deadline: before starts_on")
    reminders = item.get("send_reminders", False)
    if not isinstance(reminders, bool):
        errors.append(f"{path}.send_reminders: expected true or false")
    return {
        "key": _key(item, path, errors, seen),
        "name": _text(item, "name", path, errors, required=True, limit=200),
        "description": _text(item, "description", path, errors),
        "track": track if isinstance(track, str) else None,
        "target_level": level if track else None,
        "check": check if isinstance(check, str) else None,
        "entity_filter": _filter(item, path, errors),
        "starts_on": starts_on,
        "deadline": deadline,
        "owner_ref": _owner(item, path, errors),
        "send_reminders": reminders is True,
        "path": path,
    }
