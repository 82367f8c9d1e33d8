"""Writing one batch of evaluated entities: only what changed, in one transaction per batch.

In a full run, entities whose stored inputs show nothing they depend on changed are done before
their facts are read (``evaluation.inputs``, PostgreSQL), and entities whose outcomes match their
stored fingerprint are done without a read or a write of their results. The others (every entity
of an incremental evaluation) have their current results read as tuples; only new or changed rows
are written: new results with their change rows in one statement (``append_with_history``),
changed ones as one upsert per table (``INSERT ... ON CONFLICT``) with a ``*Change`` row per state
change, and the new fingerprint.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction

from ..digests import stored_digests, stored_fingerprints
from ..evaluation.membership import Members, chunks
from ..evaluation.outcomes import Memo, Summary, outcomes_of
from ..models import CheckResult, CheckResultChange, EntityDigest, TrackResult, TrackResultChange
from ..plan import Plan
from .bulk import adapt_datetime, append_with_history, copy_rows, insert_rows, lock_entities, update_rows

# Rows per INSERT: well under SQLite's 32,766 parameters with the widest row (6 columns).
WRITE_BATCH = 1000

CHECK_FIELDS = ("entity_ref", "rule_check", "state", "message", "evaluated_at", "changed_at")
NEW_CHECK_FIELDS = CHECK_FIELDS[:4]  # a new result: both times are the evaluation's
CHECK_CHANGE_FIELDS = ("entity_ref", "rule_check", "state", "changed_at")
TRACK_FIELDS = ("entity_ref", "track", "level", "owner_ref", "evaluated_at", "changed_at")
NEW_TRACK_FIELDS = TRACK_FIELDS[:4]
STAMPED = ("evaluated_at", "changed_at")
DIGEST_FIELDS = ("entity_ref", "digest", "inputs", "expires_at", "errors")
TRACK_CHANGE_FIELDS = ("entity_ref", "track", "level", "owner_ref", "changed_at")


@dataclass
class _Writes:
    """Rows one batch writes, as tuples in the order of the ``*_FIELDS`` above: new results (each
    with its change row, written together), changed results and the change history of those whose
    state changed, the ids of stale results, and fingerprints to store or drop."""

    stamp: Any  # ``now`` in database form
    checks: list[tuple] = field(default_factory=list)  # changed results
    new_checks: list[tuple] = field(default_factory=list)  # results the entity did not have (NEW_*)
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


def evaluate_batch(plan: Plan, members: Members, now: datetime, memo: Memo, *, full_run: bool) -> Summary:
    """Evaluate one batch of entities and store what changed; a constant number of queries whatever
    the batch's size (see the module's docstring)."""
    summary = Summary(entities=len(members))
    refs = list(members)
    evaluated = outcomes_of(plan, members, now, summary, memo)
    outcomes, digests = evaluated.outcomes, evaluated.digests
    if full_run:
        stored = stored_fingerprints(refs)
        exact = [ref for ref in refs if ref not in stored or stored[ref][0] != digests[ref]]
        # Same outcomes from other inputs (a fact changed, nothing it decides did): keep the new ones.
        same = [ref for ref in refs if ref in stored and stored[ref][0] == digests[ref]]
        _keep_inputs([(ref, *evaluated.kept[ref]) for ref in same if stored[ref][1:] != evaluated.kept[ref]])
    else:
        exact = refs
    if not exact:
        return summary
    writes = _Writes(adapt_datetime(now))
    with transaction.atomic():
        # Two evaluations of the same entity (the scheduled run and a fact upload) take turns here.
        lock_entities(exact)
        writes.digested = set(stored_digests(exact))
        # No times read: an upsert keeps ``changed_at`` where the state (level) is the same.
        existing_checks = {
            (ref, check_id): (pk, state, message)
            for pk, ref, check_id, state, message in CheckResult.objects.filter(entity_ref__in=exact).values_list(
                "pk", "entity_ref", "rule_check_id", "state", "message"
            )
        }
        existing_tracks = {
            (ref, track_id): (pk, level, owner)
            for pk, ref, track_id, level, owner in TrackResult.objects.filter(entity_ref__in=exact).values_list(
                "pk", "entity_ref", "track_id", "level", "owner_ref"
            )
        }
        for ref in exact:
            checks, tracks = outcomes[ref]
            written = writes.row_count()
            for check_id, state, message, *_ in checks:
                _check_write(ref, check_id, state, message, existing_checks, writes)
            for track_id, level, owner in tracks:
                _track_write(ref, track_id, level, owner, existing_tracks, writes)
            if checks or tracks:
                inputs, expires, errors = evaluated.kept[ref]
                writes.digests.append((ref, digests[ref], inputs, _stamp(expires), errors))
            else:
                writes.dropped_digests.append(ref)
            summary.changed_entities += writes.row_count() > written
        # Whatever is left of the existing rows no longer applies to these entities.
        writes.stale_checks = [row[0] for row in existing_checks.values()]
        writes.stale_tracks = [row[0] for row in existing_tracks.values()]
        summary.removed += _write(exact if not full_run else [], writes, now)
    summary.check_changes = len(writes.check_changes) + len(writes.new_checks)
    summary.track_changes = len(writes.track_changes) + len(writes.new_tracks)
    return summary


def _check_write(
    ref: str,
    check_id: int,
    state: str,
    message: str,
    existing: dict[tuple[str, int], tuple[int, str, str]],
    writes: _Writes,
) -> None:
    row = existing.pop((ref, check_id), None)
    if row is not None and row[1] == state and row[2] == message:
        return
    if row is None:
        writes.new_checks.append((ref, check_id, state, message))
        return
    is_state_change = row[1] != state
    writes.checks.append((ref, check_id, state, message, writes.stamp, writes.stamp))
    if is_state_change:
        writes.check_changes.append((ref, check_id, state, writes.stamp))


def _track_write(
    ref: str,
    track_id: int,
    level: int,
    owner: str,
    existing: dict[tuple[str, int], tuple[int, int, str]],
    writes: _Writes,
) -> None:
    row = existing.pop((ref, track_id), None)
    if row is not None and row[1] == level and row[2] == owner:
        return
    if row is None:
        writes.new_tracks.append((ref, track_id, level, owner))
        return
    is_level_change = row[1] != level
    writes.tracks.append((ref, track_id, level, owner, writes.stamp, writes.stamp))
    if is_level_change:
        writes.track_changes.append((ref, track_id, level, owner, writes.stamp))


def _write(stamped: list[str], writes: _Writes, now: datetime) -> int:
    """Stamp the ``stamped`` entities' results, write new and changed rows, append history, store
    fingerprints and delete stale rows; the number of result rows deleted.

    Rows the batch found absent (under ``lock_entities``, so no other evaluation adds them
    meanwhile) are appended with their change rows (``append_with_history``); rows that exist are
    overwritten with an upsert.
    """
    if stamped:
        CheckResult.objects.filter(entity_ref__in=stamped).update(evaluated_at=now)
        TrackResult.objects.filter(entity_ref__in=stamped).update(evaluated_at=now)
    append_with_history(CheckResult, NEW_CHECK_FIELDS, writes.new_checks, STAMPED, writes.stamp,
                        CheckResultChange, CHECK_CHANGE_FIELDS)  # fmt: skip
    insert_rows(CheckResult, CHECK_FIELDS, writes.checks, conflict=("entity_ref", "rule_check"),
                update=("state", "message", "evaluated_at", "changed_at"), unless_same={"changed_at": "state"},
                batch=WRITE_BATCH)  # fmt: skip
    append_with_history(TrackResult, NEW_TRACK_FIELDS, writes.new_tracks, STAMPED, writes.stamp,
                        TrackResultChange, TRACK_CHANGE_FIELDS)  # fmt: skip
    insert_rows(TrackResult, TRACK_FIELDS, writes.tracks, conflict=("entity_ref", "track"),
                update=("level", "owner_ref", "evaluated_at", "changed_at"), unless_same={"changed_at": "level"},
                batch=WRITE_BATCH)  # fmt: skip
    copy_rows(CheckResultChange, CHECK_CHANGE_FIELDS, writes.check_changes)
    copy_rows(TrackResultChange, TRACK_CHANGE_FIELDS, writes.track_changes)
    new_digests = [row for row in writes.digests if row[0] not in writes.digested]
    old_digests = [row for row in writes.digests if row[0] in writes.digested]
    copy_rows(EntityDigest, DIGEST_FIELDS, new_digests)
    insert_rows(EntityDigest, DIGEST_FIELDS, old_digests, conflict=("entity_ref",),
                update=DIGEST_FIELDS[1:], batch=WRITE_BATCH)  # fmt: skip
    if writes.dropped_digests:
        EntityDigest.objects.filter(entity_ref__in=writes.dropped_digests).delete()
    removed = 0
    for chunk in chunks(writes.stale_checks, 500):
        removed += CheckResult.objects.filter(pk__in=chunk).delete()[0]
    for chunk in chunks(writes.stale_tracks, 500):
        removed += TrackResult.objects.filter(pk__in=chunk).delete()[0]
    return removed


def _stamp(moment: datetime | None) -> Any:
    return None if moment is None else adapt_datetime(moment)


def _keep_inputs(rows: list[tuple[str, str, datetime | None, int]]) -> None:
    """Store new inputs of entities whose outcome digest is unchanged (no lock: ``inputs`` is bound
    to the digest it was computed with, so a concurrent rewrite of the digest voids it)."""
    update_rows(EntityDigest, "entity_ref", ("inputs", "expires_at", "errors"),
                [(ref, inputs, _stamp(expires), errors) for ref, inputs, expires, errors in rows])  # fmt: skip
