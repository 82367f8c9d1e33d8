"""Evaluating checks and track levels for entities, in bulk or one entity at a time, and forgetting
the results of deleted entities.

A full evaluation first drops, in one set-based query, the entities whose stored inputs show that
nothing their outcomes depend on changed (``soundcheck.evaluation.inputs``; PostgreSQL). Both paths
compute the others' outcomes with ``soundcheck.evaluation`` and store them with
``results.evaluate_batch``, one batch of ``SOUNDCHECK["BATCH_SIZE"]`` entities at a time, so a full
evaluation's query count grows with the number of batches, not of entities. Which scopes select
which entities is one query (per chunk). Definitions come from ``plan.current_plan()``, cached per
process, so evaluating one entity costs a handful of queries. A full evaluation is recorded once
(``EvaluationRun``) instead of stamping each row it confirmed.

Evaluations are background bookkeeping: they are not in the audit log (a re-run asked for on the
entity page is, by ``reruns.request_rerun``).
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from django.db import connection, transaction
from django.utils import timezone

from portal.metrics import SOUNDCHECK_EVALUATION_SECONDS

from ..evaluation.inputs import unchanged
from ..evaluation.membership import NOTHING, Members, batch_size, chunks, membership
from ..evaluation.outcomes import Memo, Summary
from ..models import CheckResult, EntityDigest, EvaluationRun, TrackResult
from ..plan import current_plan
from .results import evaluate_batch

# Rows a full run may add or remove before it refreshes the planner's statistics itself.
ANALYZE_AFTER_ROWS = 50_000
RESULT_TABLES = ("soundcheck_checkresult", "soundcheck_trackresult", "soundcheck_entitydigest")


def evaluate_all() -> Summary:
    """Evaluate every check and track for every entity they apply to, and drop results out of scope.

    Entities whose inputs are unchanged (``evaluation.inputs``, PostgreSQL) are skipped before their
    facts are read; entities whose outcomes match their stored fingerprint are skipped without
    reading or writing their results. The run itself is recorded (``EvaluationRun``) instead of
    re-stamping every row.
    """
    with SOUNDCHECK_EVALUATION_SECONDS.labels("full").time():
        started = time.monotonic()
        now = timezone.now()
        run = EvaluationRun.objects.create(started_at=now)
        plan = current_plan()
        members = membership(plan, None)
        summary = Summary()
        # Entities whose inputs are those their stored outcomes came from are done here (PostgreSQL).
        skipped = unchanged(plan, members, now)
        summary.entities = len(skipped)
        for ref, errors in skipped.items():
            summary.results += len(members[ref][0])
            summary.errors += errors
        refs = sorted(ref for ref in members if ref not in skipped)
        del skipped
        memo: Memo = {}
        for chunk in chunks(refs, batch_size()):
            summary.add(evaluate_batch(plan, {ref: members[ref] for ref in chunk}, now, memo, full_run=True))
        summary.removed += _remove_out_of_scope(members)
        _refresh_statistics(summary)
        summary.seconds = time.monotonic() - started
        _finish_run(run, summary)
    return summary


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
        members = membership(plan, wanted)
        summary = Summary()
        memo: Memo = {}
        for chunk in chunks(wanted, batch_size()):
            batch = {ref: members.get(ref, NOTHING) for ref in chunk}
            summary.add(evaluate_batch(plan, batch, now, memo, full_run=False))
        summary.seconds = time.monotonic() - started
    return summary


def evaluate_entity(ref: str) -> None:
    """Re-evaluate one entity: its results change, appear or (if it left every scope) disappear."""
    evaluate_refs([ref])


def delete_results(refs: Iterable[str]) -> int:
    """Forget the current results of deleted entities (their change history stays)."""
    refs = [ref.lower() for ref in refs]
    removed = 0
    for chunk in chunks(refs, batch_size()):
        with transaction.atomic():
            removed += CheckResult.objects.filter(entity_ref__in=chunk).delete()[0]
            removed += TrackResult.objects.filter(entity_ref__in=chunk).delete()[0]
            EntityDigest.objects.filter(entity_ref__in=chunk).delete()
    return removed


def _remove_out_of_scope(members: Members) -> int:
    """Delete results and fingerprints of entities no longer selected by anything (or gone): those
    with a fingerprint, and any result without one (written before fingerprints, or edited by
    hand), so the result tables' distinct refs are read too."""
    held: set[str] = set(EntityDigest.objects.values_list("entity_ref", flat=True))
    held.update(CheckResult.objects.values_list("entity_ref", flat=True).distinct())
    held.update(TrackResult.objects.values_list("entity_ref", flat=True).distinct())
    return delete_results(sorted(held.difference(members)))  # results, fingerprints and all


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
