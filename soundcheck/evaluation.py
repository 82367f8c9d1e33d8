"""Evaluating checks and track levels for entities, in bulk or one entity at a time.

Both paths share ``_evaluate_batch``: for a batch of entity refs it reads the facts the rules need,
the current results and the owners with one query each, computes every outcome in Python, and
writes only what changed (``bulk_create``/``bulk_update``), with a ``*Change`` row per state
change in the same transaction. A full evaluation walks every entity in batches of
``SOUNDCHECK["BATCH_SIZE"]``, so its query count grows with the number of batches, not of entities.

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
from django.utils import timezone

from catalog.models import Relation

from .facts import facts_for
from .models import (
    Campaign,
    Check,
    CheckResult,
    CheckResultChange,
    ResultState,
    Track,
    TrackResult,
    TrackResultChange,
)
from .rules import FactValue, RuleError, evaluate_rule, fact_names, parse_rule
from .selection import EntityFilterError, entities_matching


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


@dataclass
class CompiledCheck:
    check: Check
    rule: dict[str, Any] | None
    error: str = ""


@dataclass
class Scope:
    """Entities selected by one filter, and the checks and tracks that apply to them."""

    entity_filter: dict[str, Any]
    check_ids: set[int] = field(default_factory=set)
    track_ids: set[int] = field(default_factory=set)


@dataclass
class Plan:
    """Every check compiled and every track's levels, read once per evaluation."""

    checks: dict[int, CompiledCheck]
    track_levels: dict[int, list[list[int]]]  # track id -> the check ids of levels 1, 2, ...
    scopes: list[Scope]
    fact_names: set[str]


def batch_size() -> int:
    return int(getattr(settings, "SOUNDCHECK", {}).get("BATCH_SIZE", 1000))


def load_plan() -> Plan:
    """Checks (rules parsed once), tracks with levels, and the scopes they apply to: five queries."""
    checks: dict[int, CompiledCheck] = {}
    names: set[str] = set()
    for check in Check.objects.all():
        try:
            rule = parse_rule(check.rule)
        except RuleError as error:
            checks[check.pk] = CompiledCheck(check, None, f"check {check.key}: {error}")
            continue
        checks[check.pk] = CompiledCheck(check, rule)
        names |= fact_names(rule)
    track_levels: dict[int, list[list[int]]] = {}
    scopes: list[Scope] = []
    used: set[int] = set()
    for track in Track.objects.prefetch_related("levels__checks"):
        levels = [[check.pk for check in level.checks.all()] for level in track.levels.all()]
        track_levels[track.pk] = levels
        check_ids = {pk for level in levels for pk in level}
        used |= check_ids
        scopes.append(Scope(track.entity_filter or {}, check_ids, {track.pk}))
    for campaign in Campaign.objects.all():
        if campaign.rule_check_id:
            used.add(campaign.rule_check_id)
            scopes.append(Scope(campaign.entity_filter or {}, {campaign.rule_check_id}, set()))
        elif campaign.track_id in track_levels:
            check_ids = {pk for level in track_levels[campaign.track_id] for pk in level}
            scopes.append(Scope(campaign.entity_filter or {}, check_ids, {campaign.track_id}))
    unused = set(checks) - used
    if unused:
        scopes.append(Scope({}, unused, set()))
    return Plan(checks, track_levels, scopes, names)


def _membership(plan: Plan, refs: list[str] | None) -> dict[str, tuple[set[int], set[int]]]:
    """ref -> (check ids, track ids) applying to it; one query per scope (per chunk of ``refs``)."""
    membership: dict[str, tuple[set[int], set[int]]] = {}
    for scope in plan.scopes:
        try:
            queryset = entities_matching(scope.entity_filter)
        except EntityFilterError:
            # Filters are validated on save; a row written around that selects nothing.
            continue
        chunks: Iterable[list[str] | None] = [None] if refs is None else _chunks(refs, batch_size())
        for chunk in chunks:
            selected = queryset if chunk is None else queryset.filter(ref__in=chunk)
            for ref in selected.values_list("ref", flat=True).order_by():
                check_ids, track_ids = membership.setdefault(ref, (set(), set()))
                check_ids |= scope.check_ids
                track_ids |= scope.track_ids
    return membership


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def evaluate_all() -> Summary:
    """Evaluate every check and track for every entity they apply to, and drop results out of scope."""
    started = time.monotonic()
    now = timezone.now()
    plan = load_plan()
    membership = _membership(plan, None)
    summary = Summary()
    refs = sorted(membership)
    for chunk in _chunks(refs, batch_size()):
        summary.add(_evaluate_batch(plan, {ref: membership[ref] for ref in chunk}, now))
    # Every result still in scope was stamped ``now`` above; older ones belong to entities that are
    # gone or no longer selected.
    with transaction.atomic():
        summary.removed += CheckResult.objects.filter(evaluated_at__lt=now).delete()[0]
        summary.removed += TrackResult.objects.filter(evaluated_at__lt=now).delete()[0]
    summary.seconds = time.monotonic() - started
    return summary


def evaluate_refs(refs: Iterable[str]) -> Summary:
    """Re-evaluate some entities (say, those a catalog refresh or a fact upload touched)."""
    started = time.monotonic()
    now = timezone.now()
    wanted = sorted({ref.lower() for ref in refs})
    plan = load_plan()
    membership = _membership(plan, wanted)
    summary = Summary()
    for chunk in _chunks(wanted, batch_size()):
        summary.add(_evaluate_batch(plan, {ref: membership.get(ref, (set(), set())) for ref in chunk}, now))
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


def _evaluate_batch(plan: Plan, members: dict[str, tuple[set[int], set[int]]], now: datetime) -> Summary:
    """Evaluate one batch of entities; a constant number of queries whatever the batch's size."""
    summary = Summary(entities=len(members))
    refs = list(members)
    facts = facts_for(refs, plan.fact_names) if plan.fact_names else {}
    with transaction.atomic():
        existing_checks = {
            (row.entity_ref, row.rule_check_id): row
            for row in CheckResult.objects.filter(entity_ref__in=refs).select_for_update()
        }
        existing_tracks = {
            (row.entity_ref, row.track_id): row for row in TrackResult.objects.filter(entity_ref__in=refs)
        }
        owners = _owners(refs) if any(track_ids for _, track_ids in members.values()) else {}
        new_checks, changed_checks, check_changes = [], [], []
        new_tracks, changed_tracks, track_changes = [], [], []
        stale_checks, stale_tracks = [], []
        for ref, (check_ids, track_ids) in members.items():
            entity_facts = facts.get(ref, {})
            states: dict[int, str] = {}
            for check_id in sorted(check_ids):
                compiled = plan.checks.get(check_id)
                if compiled is None:
                    continue
                state, message = _outcome(compiled, entity_facts, now)
                states[check_id] = state
                summary.results += 1
                summary.errors += state == ResultState.ERROR
                row = existing_checks.pop((ref, check_id), None)
                if row is None:
                    new_checks.append(
                        CheckResult(
                            entity_ref=ref,
                            rule_check_id=check_id,
                            state=state,
                            message=message,
                            evaluated_at=now,
                            changed_at=now,
                        )
                    )
                    check_changes.append(
                        CheckResultChange(entity_ref=ref, rule_check_id=check_id, state=state, changed_at=now)
                    )
                elif row.state != state or row.message != message:
                    if row.state != state:
                        row.changed_at = now
                        check_changes.append(
                            CheckResultChange(entity_ref=ref, rule_check_id=check_id, state=state, changed_at=now)
                        )
                    row.state, row.message = state, message
                    changed_checks.append(row)
            for track_id in sorted(track_ids):
                levels = plan.track_levels.get(track_id)
                if levels is None:
                    continue
                level = _level(levels, states)
                owner = owners.get(ref, "")
                row = existing_tracks.pop((ref, track_id), None)
                if row is None:
                    new_tracks.append(
                        TrackResult(
                            entity_ref=ref,
                            track_id=track_id,
                            level=level,
                            owner_ref=owner,
                            evaluated_at=now,
                            changed_at=now,
                        )
                    )
                    track_changes.append(
                        TrackResultChange(
                            entity_ref=ref, track_id=track_id, level=level, owner_ref=owner, changed_at=now
                        )
                    )
                elif row.level != level or row.owner_ref != owner:
                    if row.level != level:
                        row.changed_at = now
                        track_changes.append(
                            TrackResultChange(
                                entity_ref=ref, track_id=track_id, level=level, owner_ref=owner, changed_at=now
                            )
                        )
                    row.level, row.owner_ref = level, owner
                    changed_tracks.append(row)
        # Whatever is left of the existing rows no longer applies to these entities.
        stale_checks = [row.pk for row in existing_checks.values()]
        stale_tracks = [row.pk for row in existing_tracks.values()]
        CheckResult.objects.filter(entity_ref__in=refs).update(evaluated_at=now)
        TrackResult.objects.filter(entity_ref__in=refs).update(evaluated_at=now)
        CheckResult.objects.bulk_create(new_checks, batch_size=1000)
        CheckResult.objects.bulk_update(changed_checks, ["state", "message", "changed_at"], batch_size=1000)
        CheckResultChange.objects.bulk_create(check_changes, batch_size=1000)
        TrackResult.objects.bulk_create(new_tracks, batch_size=1000)
        TrackResult.objects.bulk_update(changed_tracks, ["level", "owner_ref", "changed_at"], batch_size=1000)
        TrackResultChange.objects.bulk_create(track_changes, batch_size=1000)
        for chunk in _chunks(stale_checks, 500):
            summary.removed += CheckResult.objects.filter(pk__in=chunk).delete()[0]
        for chunk in _chunks(stale_tracks, 500):
            summary.removed += TrackResult.objects.filter(pk__in=chunk).delete()[0]
    summary.check_changes = len(check_changes)
    summary.track_changes = len(track_changes)
    return summary


def _outcome(compiled: CompiledCheck, facts: dict[str, FactValue], now: datetime) -> tuple[str, str]:
    if compiled.rule is None:
        return ResultState.ERROR, compiled.error
    try:
        outcome = evaluate_rule(compiled.rule, facts, now)
    except Exception as error:
        return ResultState.ERROR, f"check {compiled.check.key}: could not evaluate: {error}"
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
