"""Evaluating checks and track levels for entities, in bulk or one entity at a time.

Both paths share ``_evaluate_batch``: for a batch of entity refs it reads the facts the rules need,
the current results (as tuples, no model instances) and the owners with one query each, computes
every outcome in Python, stamps ``evaluated_at`` with one UPDATE per table and writes only what
changed as one upsert per table (``INSERT ... ON CONFLICT``), with a ``*Change`` row per state
change, in one transaction per batch. Which scopes select which entities is one query (per chunk).
A full evaluation walks every entity in batches of ``SOUNDCHECK["BATCH_SIZE"]``, so its query count
grows with the number of batches, not of entities; definitions come from ``plan.current_plan()``,
cached per process, so evaluating one entity costs a handful of queries.

Which checks apply to an entity: those of every track whose filter selects it (and that track's
level), the check of every campaign whose filter selects it, and checks used by no track or
campaign, which apply to every entity.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Case, Value, When
from django.utils import timezone

from catalog.models import Entity, Relation
from portal.metrics import SOUNDCHECK_EVALUATION_SECONDS

from .bulk import adapt_datetime, insert_rows
from .facts import facts_for
from .models import (
    CheckResult,
    CheckResultChange,
    ResultState,
    TrackResult,
    TrackResultChange,
)
from .plan import CompiledCheck, Plan, Scope, current_plan
from .rules import FactValue, evaluate_rule
from .selection import EntityFilterError, entity_filter_q

# Rows per INSERT: well under SQLite's 32,766 parameters with the widest row (6 columns).
WRITE_BATCH = 1000


@dataclass
class Summary:
    """What one evaluation did."""

    entities: int = 0
    results: int = 0
    check_changes: int = 0
    track_changes: int = 0
    errors: int = 0
    removed: int = 0
    seconds: float = 0.0

    def add(self, other: Summary) -> None:
        for name in ("entities", "results", "check_changes", "track_changes", "errors", "removed"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def batch_size() -> int:
    return int(getattr(settings, "SOUNDCHECK", {}).get("BATCH_SIZE", 1000))


# ref -> (check ids, track ids) that apply to it, each sorted.
Members = dict[str, tuple[tuple[int, ...], tuple[int, ...]]]
NOTHING: tuple[tuple[int, ...], tuple[int, ...]] = ((), ())


def _membership(plan: Plan, refs: list[str] | None) -> Members:
    """Which checks and tracks apply to each entity: one query (per chunk of ``refs``), every scope's
    filter an annotated boolean, so one evaluation costs one read whatever the number of scopes."""
    annotations: dict[str, Any] = {}
    scopes: list[Scope] = []
    for scope in plan.scopes:
        try:
            condition = entity_filter_q(scope.entity_filter)
        except EntityFilterError:
            # Filters are validated on save; a row written around that selects nothing.
            continue
        name = f"in_scope_{len(scopes)}"
        annotations[name] = Case(When(condition, then=Value(True)), default=Value(False)) if condition else Value(True)
        scopes.append(scope)
    if not scopes:
        return {}
    combinations: dict[tuple[bool, ...], tuple[tuple[int, ...], tuple[int, ...]]] = {}
    members: Members = {}
    chunks: Iterable[list[str] | None] = [None] if refs is None else _chunks(refs, batch_size())
    for chunk in chunks:
        queryset = Entity.objects.all() if chunk is None else Entity.objects.filter(ref__in=chunk)
        rows = queryset.annotate(**annotations).values_list("ref", *annotations).order_by()
        for ref, *selected in rows:
            key = tuple(selected)
            combination = combinations.get(key)
            if combination is None:
                check_ids: set[int] = set()
                track_ids: set[int] = set()
                for scope, is_selected in zip(scopes, key, strict=True):
                    if is_selected:
                        check_ids |= scope.check_ids
                        track_ids |= scope.track_ids
                combination = combinations[key] = (tuple(sorted(check_ids)), tuple(sorted(track_ids)))
            if combination[0] or combination[1]:
                members[ref] = combination
    return members


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def evaluate_all() -> Summary:
    """Evaluate every check and track for every entity they apply to, and drop results out of scope."""
    with SOUNDCHECK_EVALUATION_SECONDS.labels("full").time():
        started = time.monotonic()
        now = timezone.now()
        plan = current_plan()
        members = _membership(plan, None)
        summary = Summary()
        refs = sorted(members)
        for chunk in _chunks(refs, batch_size()):
            summary.add(_evaluate_batch(plan, {ref: members[ref] for ref in chunk}, now))
        # Every result still in scope was stamped ``now`` above; older ones belong to entities that
        # are gone or no longer selected.
        with transaction.atomic():
            summary.removed += CheckResult.objects.filter(evaluated_at__lt=now).delete()[0]
            summary.removed += TrackResult.objects.filter(evaluated_at__lt=now).delete()[0]
        summary.seconds = time.monotonic() - started
    return summary


def evaluate_refs(refs: Iterable[str]) -> Summary:
    """Re-evaluate some entities (say, those a catalog refresh or a fact upload touched)."""
    with SOUNDCHECK_EVALUATION_SECONDS.labels("incremental").time():
        started = time.monotonic()
        now = timezone.now()
        wanted = sorted({ref.lower() for ref in refs})
        plan = current_plan()
        members = _membership(plan, wanted)
        summary = Summary()
        for chunk in _chunks(wanted, batch_size()):
            summary.add(_evaluate_batch(plan, {ref: members.get(ref, NOTHING) for ref in chunk}, now))
        summary.seconds = time.monotonic() - started
    return summary


def evaluate_entity(ref: str) -> None:
    """Re-evaluate one entity: its results change, appear or (if it left every scope) disappear."""
    evaluate_refs([ref])


def delete_results(refs: Iterable[str]) -> int:
    """Forget the current results of deleted entities (their change history stays)."""
    refs = [ref.lower() for ref in refs]
    removed = 0
    for chunk in _chunks(refs, batch_size()):
        with transaction.atomic():
            removed += CheckResult.objects.filter(entity_ref__in=chunk).delete()[0]
            removed += TrackResult.objects.filter(entity_ref__in=chunk).delete()[0]
    return removed


def _owners(refs: list[str]) -> dict[str, str]:
    owners: dict[str, str] = {}
    rows = Relation.objects.filter(source_ref__in=refs, type="ownedBy").values_list("source_ref", "target_ref")
    for source, target in sorted(rows):
        owners.setdefault(source, target)
    return owners


CHECK_FIELDS = ("entity_ref", "rule_check", "state", "message", "evaluated_at", "changed_at")
CHECK_CHANGE_FIELDS = ("entity_ref", "rule_check", "state", "changed_at")
TRACK_FIELDS = ("entity_ref", "track", "level", "owner_ref", "evaluated_at", "changed_at")
TRACK_CHANGE_FIELDS = ("entity_ref", "track", "level", "owner_ref", "changed_at")


@dataclass
class _Writes:
    """Rows one batch writes, as tuples in the order of the ``*_FIELDS`` above: upserts (new or
    changed results), change history, and the ids of stale results."""

    stamp: Any  # ``now`` in database form
    checks: list[tuple] = field(default_factory=list)
    check_changes: list[tuple] = field(default_factory=list)
    tracks: list[tuple] = field(default_factory=list)
    track_changes: list[tuple] = field(default_factory=list)
    stale_checks: list[int] = field(default_factory=list)
    stale_tracks: list[int] = field(default_factory=list)


def _evaluate_batch(plan: Plan, members: Members, now: datetime) -> Summary:
    """Evaluate one batch of entities; a constant number of queries whatever the batch's size.

    Current results are read as tuples, outcomes computed in Python, and only new or changed rows
    written, as one upsert per table; unchanged rows only get ``evaluated_at`` (one UPDATE).
    """
    summary = Summary(entities=len(members))
    refs = list(members)
    facts = facts_for(refs, plan.fact_names) if plan.fact_names else {}
    writes = _Writes(adapt_datetime(now))
    # Entities with the same values for a rule's facts get the same outcome: compute it once.
    memo: dict[tuple, tuple[str, str]] = {}
    with transaction.atomic():
        existing_checks = {
            (ref, check_id): (pk, state, message, changed_at)
            for pk, ref, check_id, state, message, changed_at in CheckResult.objects.filter(
                entity_ref__in=refs
            ).values_list("pk", "entity_ref", "rule_check_id", "state", "message", "changed_at")
        }
        existing_tracks = {
            (ref, track_id): (pk, level, owner, changed_at)
            for pk, ref, track_id, level, owner, changed_at in TrackResult.objects.filter(
                entity_ref__in=refs
            ).values_list("pk", "entity_ref", "track_id", "level", "owner_ref", "changed_at")
        }
        owners = _owners(refs) if any(track_ids for _, track_ids in members.values()) else {}
        for ref, (check_ids, track_ids) in members.items():
            states = _evaluate_checks(
                plan, ref, check_ids, facts.get(ref, {}), existing_checks, writes, summary, now, memo
            )
            owner = owners.get(ref, "")
            for track_id in track_ids:
                levels = plan.track_levels.get(track_id)
                if levels is not None:
                    _track_outcome(ref, track_id, _level(levels, states), owner, existing_tracks, writes, now)
        # Whatever is left of the existing rows no longer applies to these entities.
        writes.stale_checks = [row[0] for row in existing_checks.values()]
        writes.stale_tracks = [row[0] for row in existing_tracks.values()]
        summary.removed += _write(refs, writes, now)
    summary.check_changes = len(writes.check_changes)
    summary.track_changes = len(writes.track_changes)
    return summary


def _evaluate_checks(
    plan: Plan,
    ref: str,
    check_ids: tuple[int, ...],
    entity_facts: dict[str, FactValue],
    existing: dict[tuple[str, int], tuple[int, str, str, datetime]],
    writes: _Writes,
    summary: Summary,
    now: datetime,
    memo: dict[tuple, tuple[str, str]],
) -> dict[int, str]:
    states: dict[int, str] = {}
    for check_id in check_ids:
        compiled = plan.checks.get(check_id)
        if compiled is None:
            continue
        key = _memo_key(compiled, entity_facts)
        outcome = memo.get(key) if key is not None else None
        if outcome is None:
            outcome = _outcome(compiled, entity_facts, now)
            if key is not None:
                memo[key] = outcome
        state, message = outcome
        states[check_id] = state
        summary.results += 1
        if state == ResultState.ERROR:
            summary.errors += 1
        row = existing.pop((ref, check_id), None)
        if row is not None and row[1] == state and row[2] == message:
            continue
        is_state_change = row is None or row[1] != state
        changed_at = writes.stamp if is_state_change else adapt_datetime(row[3])
        writes.checks.append((ref, check_id, state, message, writes.stamp, changed_at))
        if is_state_change:
            writes.check_changes.append((ref, check_id, state, writes.stamp))
    return states


def _track_outcome(
    ref: str,
    track_id: int,
    level: int,
    owner: str,
    existing: dict[tuple[str, int], tuple[int, int, str, datetime]],
    writes: _Writes,
    now: datetime,
) -> None:
    row = existing.pop((ref, track_id), None)
    if row is not None and row[1] == level and row[2] == owner:
        return
    is_level_change = row is None or row[1] != level
    changed_at = writes.stamp if is_level_change else adapt_datetime(row[3])
    writes.tracks.append((ref, track_id, level, owner, writes.stamp, changed_at))
    if is_level_change:
        writes.track_changes.append((ref, track_id, level, owner, writes.stamp))


def _write(refs: list[str], writes: _Writes, now: datetime) -> int:
    """Stamp, upsert, append history and delete stale rows; the number of rows deleted."""
    CheckResult.objects.filter(entity_ref__in=refs).update(evaluated_at=now)
    TrackResult.objects.filter(entity_ref__in=refs).update(evaluated_at=now)
    # An upsert rather than insert + update: a concurrent evaluation of the same entity (a task
    # beside the scheduled run) then overwrites instead of failing on the unique constraint.
    insert_rows(
        CheckResult,
        CHECK_FIELDS,
        writes.checks,
        conflict=("entity_ref", "rule_check"),
        update=("state", "message", "evaluated_at", "changed_at"),
        batch=WRITE_BATCH,
    )
    insert_rows(
        TrackResult,
        TRACK_FIELDS,
        writes.tracks,
        conflict=("entity_ref", "track"),
        update=("level", "owner_ref", "evaluated_at", "changed_at"),
        batch=WRITE_BATCH,
    )
    insert_rows(CheckResultChange, CHECK_CHANGE_FIELDS, writes.check_changes, batch=WRITE_BATCH)
    insert_rows(TrackResultChange, TRACK_CHANGE_FIELDS, writes.track_changes, batch=WRITE_BATCH)
    removed = 0
    for chunk in _chunks(writes.stale_checks, 500):
        removed += CheckResult.objects.filter(pk__in=chunk).delete()[0]
    for chunk in _chunks(writes.stale_tracks, 500):
        removed += TrackResult.objects.filter(pk__in=chunk).delete()[0]
    return removed


_SCALARS = (str, int, float, bool, type(None))


def _memo_key(compiled: CompiledCheck, facts: dict[str, FactValue]) -> tuple | None:
    """What the check's outcome depends on, or None when a value is a list or mapping (not hashed).

    Each value is paired with its type, since ``True == 1`` in Python but not in rules.
    """
    key: list[Any] = [compiled.pk]
    for name in compiled.fact_names:
        fact = facts.get(name)
        if fact is None:
            key.append(None)
            continue
        value = fact.value
        if type(value) not in _SCALARS:
            return None
        key.append((type(value), value, fact.collected_at if compiled.reads_collected_at else None))
    return tuple(key)


def _outcome(compiled: CompiledCheck, facts: dict[str, FactValue], now: datetime) -> tuple[str, str]:
    if compiled.rule is None:
        return ResultState.ERROR, compiled.error
    try:
        outcome = evaluate_rule(compiled.rule, facts, now)
    except Exception as error:
        return ResultState.ERROR, f"check {compiled.key}: could not evaluate: {error}"
    return (ResultState.PASSED, "") if outcome.passed else (ResultState.FAILED, outcome.message)


def _level(levels: list[list[int]], states: dict[int, str]) -> int:
    """The highest L such that every check of levels 1..L passed."""
    held = 0
    for ordinal, check_ids in enumerate(levels, start=1):
        if all(states.get(check_id) == ResultState.PASSED for check_id in check_ids):
            held = ordinal
        else:
            break
    return held
