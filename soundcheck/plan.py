"""The evaluation plan: every check compiled, every track's levels, and the scopes they apply to.

Reading and compiling definitions takes five queries and parses every rule, which would dominate
the evaluation of one entity. ``current_plan()`` keeps the plan per process under a **definitions
version**: a random token in the shared cache, replaced whenever a check, track, level or campaign
is saved or deleted (``bump_definitions_version``, connected in ``signals``), and again when that
transaction commits, so a process that reloaded while the write was still open reloads once more. A
cache that was flushed or evicted has no token: the next reader writes a new one and every process
reloads. ``MAX_PLAN_AGE`` bounds how long a plan lives even if a write escaped the signals (raw SQL).
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db import transaction

from .models import Campaign, Check, Track
from .rules import RuleError, fact_names, parse_rule

VERSION_KEY = "soundcheck:definitions-version"
MAX_PLAN_AGE = 300.0


@dataclass
class CompiledCheck:
    """One check with its rule parsed (or why it could not be)."""

    pk: int
    key: str
    rule: dict[str, Any] | None
    error: str = ""
    fact_names: tuple[str, ...] = ()  # the facts the rule reads, sorted
    reads_collected_at: bool = False  # an ``age_of: collected_at`` leaf: the outcome depends on it
    reads_time: bool = False  # a ``max_age`` leaf: the outcome can change with the time alone


@dataclass
class Scope:
    """Entities selected by one filter, and the checks and tracks that apply to them."""

    entity_filter: dict[str, Any]
    check_ids: frozenset[int] = field(default_factory=frozenset)
    track_ids: frozenset[int] = field(default_factory=frozenset)


@dataclass
class Plan:
    """Every check compiled and every track's levels, read once per definitions version."""

    checks: dict[int, CompiledCheck]
    track_levels: dict[int, list[list[int]]]  # track id -> the check ids of levels 1, 2, ...
    scopes: list[Scope]
    fact_names: set[str]
    # What every outcome depends on besides an entity's facts, owner and scopes: the checks' keys,
    # rules and errors and the tracks' levels (``inputs`` fingerprints entities with it).
    fingerprint: str = ""

    @property
    def reads_collected_at(self) -> bool:
        """Whether any rule reads when a fact was collected (else bulk reads skip that column)."""
        return any(check.reads_collected_at for check in self.checks.values())


def load_plan() -> Plan:
    """Checks (rules parsed once), tracks with levels, and the scopes they apply to: five queries."""
    checks: dict[int, CompiledCheck] = {}
    names: set[str] = set()
    for pk, key, raw_rule in Check.objects.values_list("pk", "key", "rule"):
        try:
            rule = parse_rule(raw_rule)
        except RuleError as error:
            checks[pk] = CompiledCheck(pk, key, None, f"check {key}: {error}")
            continue
        rule_names = fact_names(rule)
        text = _json(rule)
        checks[pk] = CompiledCheck(
            pk, key, rule, "", tuple(sorted(rule_names)), '"age_of": "collected_at"' in text, '"max_age": ' in text
        )
        names |= rule_names
    track_levels: dict[int, list[list[int]]] = {}
    scopes: list[Scope] = []
    used: set[int] = set()
    for track in Track.objects.prefetch_related("levels__checks"):
        levels = [sorted(check.pk for check in level.checks.all()) for level in track.levels.all()]
        track_levels[track.pk] = levels
        check_ids = frozenset(pk for level in levels for pk in level)
        used |= check_ids
        scopes.append(Scope(track.entity_filter or {}, check_ids, frozenset({track.pk})))
    for entity_filter, check_id, track_id in Campaign.objects.values_list("entity_filter", "rule_check_id", "track_id"):
        if check_id:
            used.add(check_id)
            scopes.append(Scope(entity_filter or {}, frozenset({check_id})))
        elif track_id in track_levels:
            check_ids = frozenset(pk for level in track_levels[track_id] for pk in level)
            scopes.append(Scope(entity_filter or {}, check_ids, frozenset({track_id})))
    unused = frozenset(checks) - used
    if unused:
        scopes.append(Scope({}, unused))
    return Plan(checks, track_levels, scopes, names, _fingerprint(checks, track_levels))


def _fingerprint(checks: dict[int, CompiledCheck], track_levels: dict[int, list[list[int]]]) -> str:
    described = [(pk, check.key, _json(check.rule or {}), check.error) for pk, check in checks.items()]
    text = repr((sorted(described), sorted(track_levels.items())))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _json(rule: dict[str, Any]) -> str:
    return json.dumps(rule, sort_keys=True)


def definitions_version() -> str:
    """The current definitions version (a fresh one when the cache has none)."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(VERSION_KEY) or ""
    return version


def bump_definitions_version() -> None:
    """Make every process reload its plan: now, and once more when the current transaction commits."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)
    transaction.on_commit(lambda: cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None))


_lock = threading.Lock()
_cached: tuple[str, float, Plan] | None = None


def current_plan() -> Plan:
    """The plan for the current definitions version: no query while the definitions are unchanged."""
    global _cached
    version = definitions_version()
    cached = _cached
    if cached is not None and cached[0] == version and time.monotonic() - cached[1] < MAX_PLAN_AGE:
        return cached[2]
    plan = load_plan()
    with _lock:
        _cached = (version, time.monotonic(), plan)
    return plan


def forget_plan() -> None:
    """Drop this process's plan (the next evaluation reloads it)."""
    global _cached
    with _lock:
        _cached = None
