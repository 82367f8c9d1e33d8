"""Evaluating checks and track levels for entities, in bulk or one entity at a time.

Both paths share ``_evaluate_batch``: for a batch of entity refs it reads the facts the rules need
and the owners with one query each and computes every outcome in Python. A full evaluation then
compares each entity's outcomes with its stored fingerprint (``digests``, one query per batch) and
is done with the entities that match: no result is read or written for them, and the run is
recorded once (``EvaluationRun``) instead of stamping each row. The other entities (and every
entity of an incremental evaluation) have their current results read as tuples; only what changed
is written, as one upsert per table (``INSERT ... ON CONFLICT``), with a ``*Change`` row per state
change and the new fingerprint, in one transaction per batch. Which scopes select which entities is
one query (per chunk). A full evaluation walks every entity in batches of
``SOUNDCHECK["BATCH_SIZE"]``, so its query count grows with the number of batches, not of entities;
definitions come from ``plan.current_plan()``, cached per process, so evaluating one entity costs a
handful of queries.

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
from django.db import connection, transaction
from django.db.models import Case, Value, When
from django.utils import timezone

from catalog.models import Entity
from catalog.querysets import owner_refs_of
from portal.metrics import SOUNDCHECK_EVALUATION_SECONDS

from .bulk import adapt_datetime, copy_rows, insert_rows, lock_entities
from .digests import TrackOutcome, check_token, digest_of_tokens, stored_digests
from .facts import facts_for
from .models import (
    CheckResult,
    CheckResultChange,
    EntityDigest,
    EvaluationRun,
    ResultState,
    TrackResult,
    TrackResultChange,
)
from .plan import CompiledCheck, Plan, Scope, current_plan
from .rules import FactValue, evaluate_rule
from .selection import EntityFilterError, entity_filter_q

# Rows per INSERT: well under SQLite's 32,766 parameters with the widest row (6 columns).
WRITE_BATCH = 1000
# Distinct (check, fact values) outcomes remembered across a run's batches before starting afresh.
MEMO_LIMIT = 200_000


@dataclass
class Summary:
    """What one evaluation did."""

    entities: int = 0
    results: int = 0
    check_changes: int = 0
    track_changes: int = 0
    errors: int = 0
    removed: int = 0
    changed_entities: int = 0  # entities whose results were rewritten
    seconds: float = 0.0

    def add(self, other: Summary) -> None:
        for name in ("entities", "results", "check_changes", "track_changes", "errors", "removed", "changed_entities"):
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
    """Evaluate every check and track for every entity they apply to, and drop results out of scope.

    Entities whose outcomes match their stored fingerprint are skipped without reading or writing
    their results; the run itself is recorded (``EvaluationRun``) instead of re-stamping every row.
    """
    with SOUNDCHECK_EVALUATION_SECONDS.labels("full").time():
        started = time.monotonic()
        now = timezone.now()
        run = EvaluationRun.objects.create(started_at=now)
        plan = current_plan()
        members = _membership(plan, None)
        summary = Summary()
        refs = sorted(members)
        memo: Memo = {}
        for chunk in _chunks(refs, batch_size()):
            summary.add(_evaluate_batch(plan, {ref: members[ref] for ref in chunk}, now, memo, full_run=True))
        summary.removed += _remove_out_of_scope(members)
        _refresh_statistics(summary)
        summary.seconds = time.monotonic() - started
        _finish_run(run, summary)
    return summary


# Rows a full run may add or remove before it refreshes the planner's statistics itself.
ANALYZE_AFTER_ROWS = 50_000
RESULT_TABLES = ("soundcheck_checkresult", "soundcheck_trackresult", "soundcheck_entitydigest")


def _refresh_statistics(summary: Summary) -> None:
    """ANALYZE the result tables after a run that changed many rows (the first run writes millions):
    until autovacuum gets to it (or never, where it is off), PostgreSQL plans the next run's lookups
    from the empty table's statistics and scans millions of rows per batch."""
    if connection.vendor != "postgresql":
        return
    if summary.check_changes + summary.track_changes + summary.removed < ANALYZE_AFTER_ROWS:
        return
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(table) for table in RESULT_TABLES))


def _finish_run(run: EvaluationRun, summary: Summary) -> None:
    for name in ("entities", "results", "changed_entities", "check_changes", "track_changes", "errors", "removed"):
        setattr(run, name, getattr(summary, name))
    run.seconds = summary.seconds
    run.finished_at = timezone.now()
    run.save()


def _remove_out_of_scope(members: Members) -> int:
    """Delete results and fingerprints of entities no longer selected by anything (or gone)."""
    held: set[str] = set(CheckResult.objects.values_list("entity_ref", flat=True).distinct())
    held.update(TrackResult.objects.values_list("entity_ref", flat=True).distinct())
    removed = delete_results(sorted(held.difference(members)))
    stale_digests = set(EntityDigest.objects.values_list("entity_ref", flat=True)).difference(members)
    for chunk in _chunks(sorted(stale_digests), 500):
        EntityDigest.objects.filter(entity_ref__in=chunk).delete()
    return removed


def evaluate_refs(refs: Iterable[str]) -> Summary:
    """Re-evaluate some entities (say, those a catalog refresh or a fact upload touched).

    Every entity takes the exact path (its results are read and compared) and its results are
    stamped, so the time shown is this evaluation's even when nothing changed.
    """
    with SOUNDCHECK_EVALUATION_SECONDS.labels("incremental").time():
        started = time.monotonic()
        now = timezone.now()
        wanted = sorted({ref.lower() for ref in refs})
        plan = current_plan()
        members = _membership(plan, wanted)
        summary = Summary()
        memo: Memo = {}
        for chunk in _chunks(wanted, batch_size()):
            batch = {ref: members.get(ref, NOTHING) for ref in chunk}
            summary.add(_evaluate_batch(plan, batch, now, memo, full_run=False))
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
            EntityDigest.objects.filter(entity_ref__in=chunk).delete()
    return removed


def _owners(refs: list[str]) -> dict[str, str]:
    """Each entity's first owner (its track results are filed under it)."""
    return {ref: owners[0] for ref, owners in owner_refs_of(refs).items()}


CHECK_FIELDS = ("entity_ref", "rule_check", "state", "message", "evaluated_at", "changed_at")
CHECK_CHANGE_FIELDS = ("entity_ref", "rule_check", "state", "changed_at")
TRACK_FIELDS = ("entity_ref", "track", "level", "owner_ref", "evaluated_at", "changed_at")
TRACK_CHANGE_FIELDS = ("entity_ref", "track", "level", "owner_ref", "changed_at")

# A check outcome with its fingerprint token: (check id, state, message, token).
Scored = tuple[int, str, str, bytes]
# ref -> (check outcomes, track outcomes), each in id order.
Outcomes = dict[str, tuple[list[Scored], list[TrackOutcome]]]
# (check, the values of the facts its rule reads) -> the outcome: entities with the same values get
# the same outcome, computed once per run.
Memo = dict[tuple, Scored]


@dataclass
class _Writes:
    """Rows one batch writes, as tuples in the order of the ``*_FIELDS`` above: upserts (new or
    changed results), change history, the ids of stale results, and fingerprints to store or drop."""

    stamp: Any  # ``now`` in database form
    checks: list[tuple] = field(default_factory=list)  # changed results
    new_checks: list[tuple] = field(default_factory=list)  # results the entity did not have
    check_changes: list[tuple] = field(default_factory=list)
    tracks: list[tuple] = field(default_factory=list)
    new_tracks: list[tuple] = field(default_factory=list)
    track_changes: list[tuple] = field(default_factory=list)
    stale_checks: list[int] = field(default_factory=list)
    stale_tracks: list[int] = field(default_factory=list)
    digests: list[tuple[str, str]] = field(default_factory=list)
    dropped_digests: list[str] = field(default_factory=list)
    digested: set[str] = field(default_factory=set)  # refs that have a fingerprint row already

    def row_count(self) -> int:
        return len(self.checks) + len(self.new_checks) + len(self.tracks) + len(self.new_tracks)


def _evaluate_batch(plan: Plan, members: Members, now: datetime, memo: Memo, *, full_run: bool) -> Summary:
    """Evaluate one batch of entities; a constant number of queries whatever the batch's size.

    Outcomes are computed in Python from the facts (one read). In a full run, entities whose
    outcomes match their stored fingerprint are done; the others (all of them in an incremental
    evaluation) have their current results read as tuples and only new or changed rows written, as
    one upsert per table, with their new fingerprint, in one transaction.
    """
    summary = Summary(entities=len(members))
    refs = list(members)
    outcomes, digests = _outcomes(plan, members, now, summary, memo)
    if full_run:
        stored = stored_digests(refs)
        exact = [ref for ref in refs if stored.get(ref) != digests[ref]]
    else:
        exact = refs
    if not exact:
        return summary
    writes = _Writes(adapt_datetime(now))
    with transaction.atomic():
        # Two evaluations of the same entity (the scheduled run and a fact upload) take turns here.
        lock_entities(exact)
        writes.digested = set(stored_digests(exact))
        existing_checks = {
            (ref, check_id): (pk, state, message, changed_at)
            for pk, ref, check_id, state, message, changed_at in CheckResult.objects.filter(
                entity_ref__in=exact
            ).values_list("pk", "entity_ref", "rule_check_id", "state", "message", "changed_at")
        }
        existing_tracks = {
            (ref, track_id): (pk, level, owner, changed_at)
            for pk, ref, track_id, level, owner, changed_at in TrackResult.objects.filter(
                entity_ref__in=exact
            ).values_list("pk", "entity_ref", "track_id", "level", "owner_ref", "changed_at")
        }
        for ref in exact:
            checks, tracks = outcomes[ref]
            written = writes.row_count()
            for check_id, state, message, _ in checks:
                _check_write(ref, check_id, state, message, existing_checks, writes)
            for track_id, level, owner in tracks:
                _track_write(ref, track_id, level, owner, existing_tracks, writes)
            if checks or tracks:
                writes.digests.append((ref, digests[ref]))
            else:
                writes.dropped_digests.append(ref)
            summary.changed_entities += writes.row_count() > written
        # Whatever is left of the existing rows no longer applies to these entities.
        writes.stale_checks = [row[0] for row in existing_checks.values()]
        writes.stale_tracks = [row[0] for row in existing_tracks.values()]
        summary.removed += _write(exact if not full_run else [], writes, now)
    summary.check_changes = len(writes.check_changes)
    summary.track_changes = len(writes.track_changes)
    return summary


def _outcomes(
    plan: Plan, members: Members, now: datetime, summary: Summary, memo: Memo
) -> tuple[Outcomes, dict[str, str]]:
    """Every check state and track level of the batch's entities, from their facts (one query) and
    owners (one query, when a track applies), and each entity's fingerprint."""
    refs = list(members)
    facts = facts_for(refs, plan.fact_names, with_collected_at=plan.reads_collected_at) if plan.fact_names else {}
    owners = _owners(refs) if any(track_ids for _, track_ids in members.values()) else {}
    if len(memo) > MEMO_LIMIT:
        memo.clear()
    outcomes: Outcomes = {}
    digests: dict[str, str] = {}
    no_facts: dict[str, FactValue] = {}
    error = ResultState.ERROR.value
    for ref, (check_ids, track_ids) in members.items():
        checks = _check_outcomes(plan, check_ids, facts.get(ref, no_facts), now, memo)
        summary.results += len(checks)
        summary.errors += sum(1 for check in checks if check[1] == error)
        tracks: list[TrackOutcome] = []
        if track_ids:
            states = {check[0]: check[1] for check in checks}
            owner = owners.get(ref, "")
            for track_id in track_ids:
                levels = plan.track_levels.get(track_id)
                if levels is not None:
                    tracks.append((track_id, _level(levels, states), owner))
        outcomes[ref] = (checks, tracks)
        digests[ref] = digest_of_tokens([check[3] for check in checks], tracks)
    return outcomes, digests


def _check_outcomes(
    plan: Plan, check_ids: tuple[int, ...], entity_facts: dict[str, FactValue], now: datetime, memo: Memo
) -> list[Scored]:
    outcomes: list[Scored] = []
    for check_id in check_ids:
        compiled = plan.checks.get(check_id)
        if compiled is None:
            continue
        key = _memo_key(compiled, entity_facts)
        scored = memo.get(key) if key is not None else None
        if scored is None:
            state, message = _outcome(compiled, entity_facts, now)
            scored = (check_id, state, message, check_token(check_id, state, message))
            if key is not None:
                memo[key] = scored
        outcomes.append(scored)
    return outcomes


def _check_write(
    ref: str,
    check_id: int,
    state: str,
    message: str,
    existing: dict[tuple[str, int], tuple[int, str, str, datetime]],
    writes: _Writes,
) -> None:
    row = existing.pop((ref, check_id), None)
    if row is not None and row[1] == state and row[2] == message:
        return
    is_state_change = row is None or row[1] != state
    changed_at = writes.stamp if is_state_change else adapt_datetime(row[3])
    (writes.new_checks if row is None else writes.checks).append(
        (ref, check_id, state, message, writes.stamp, changed_at)
    )
    if is_state_change:
        writes.check_changes.append((ref, check_id, state, writes.stamp))


def _track_write(
    ref: str,
    track_id: int,
    level: int,
    owner: str,
    existing: dict[tuple[str, int], tuple[int, int, str, datetime]],
    writes: _Writes,
) -> None:
    row = existing.pop((ref, track_id), None)
    if row is not None and row[1] == level and row[2] == owner:
        return
    is_level_change = row is None or row[1] != level
    changed_at = writes.stamp if is_level_change else adapt_datetime(row[3])
    (writes.new_tracks if row is None else writes.tracks).append(
        (ref, track_id, level, owner, writes.stamp, changed_at)
    )
    if is_level_change:
        writes.track_changes.append((ref, track_id, level, owner, writes.stamp))


def _write(stamped: list[str], writes: _Writes, now: datetime) -> int:
    """Stamp the ``stamped`` entities' results, write new and changed rows, append history, store
    fingerprints and delete stale rows; the number of result rows deleted.

    Rows the batch found absent (under ``lock_entities``, so no other evaluation adds them
    meanwhile) are appended (``copy_rows``); rows that exist are overwritten with an upsert.
    """
    if stamped:
        CheckResult.objects.filter(entity_ref__in=stamped).update(evaluated_at=now)
        TrackResult.objects.filter(entity_ref__in=stamped).update(evaluated_at=now)
    copy_rows(CheckResult, CHECK_FIELDS, writes.new_checks)
    insert_rows(CheckResult, CHECK_FIELDS, writes.checks, conflict=("entity_ref", "rule_check"),
                update=("state", "message", "evaluated_at", "changed_at"), batch=WRITE_BATCH)  # fmt: skip
    copy_rows(TrackResult, TRACK_FIELDS, writes.new_tracks)
    insert_rows(TrackResult, TRACK_FIELDS, writes.tracks, conflict=("entity_ref", "track"),
                update=("level", "owner_ref", "evaluated_at", "changed_at"), batch=WRITE_BATCH)  # fmt: skip
    copy_rows(CheckResultChange, CHECK_CHANGE_FIELDS, writes.check_changes)
    copy_rows(TrackResultChange, TRACK_CHANGE_FIELDS, writes.track_changes)
    new_digests = [row for row in writes.digests if row[0] not in writes.digested]
    old_digests = [row for row in writes.digests if row[0] in writes.digested]
    copy_rows(EntityDigest, ("entity_ref", "digest"), new_digests)
    insert_rows(EntityDigest, ("entity_ref", "digest"), old_digests, conflict=("entity_ref",),
                update=("digest",), batch=WRITE_BATCH)  # fmt: skip
    if writes.dropped_digests:
        EntityDigest.objects.filter(entity_ref__in=writes.dropped_digests).delete()
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
    names = compiled.fact_names
    if len(names) == 1 and not compiled.reads_collected_at:  # most rules: one fact, its value only
        fact = facts.get(names[0])
        if fact is None:
            return (compiled.pk, None)
        value = fact.value
        return (compiled.pk, type(value), value) if type(value) in _SCALARS else None
    key: list[Any] = [compiled.pk]
    for name in names:
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
    # Plain strings, not the enum members: outcomes are fingerprinted with ``repr``.
    if compiled.rule is None:
        return ResultState.ERROR.value, compiled.error
    try:
        outcome = evaluate_rule(compiled.rule, facts, now)
    except Exception as error:
        return ResultState.ERROR.value, f"check {compiled.key}: could not evaluate: {error}"
    return (ResultState.PASSED.value, "") if outcome.passed else (ResultState.FAILED.value, outcome.message)


def _level(levels: list[list[int]], states: dict[int, str]) -> int:
    """The highest L such that every check of levels 1..L passed."""
    held = 0
    for ordinal, check_ids in enumerate(levels, start=1):
        if all(states.get(check_id) == ResultState.PASSED for check_id in check_ids):
            held = ordinal
        else:
            break
    return held
