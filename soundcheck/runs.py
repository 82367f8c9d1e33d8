"""Full evaluation runs: recorded once per run instead of re-stamping every confirmed result.

A full evaluation that finds an entity's outcomes unchanged writes nothing for it. The time a result
was last evaluated is then the later of the row's own ``evaluated_at`` (set when it was written, and
by incremental evaluations, which stamp the few rows they touch) and the start of the last full run
that finished: every row still present after that run was confirmed by it.
"""

from __future__ import annotations

from datetime import datetime

from .models import EvaluationRun


def last_full_run_start() -> datetime | None:
    """When the last finished full evaluation started, or None before the first one: one query."""
    return (
        EvaluationRun.objects.filter(finished_at__isnull=False)
        .order_by("-finished_at")
        .values_list("started_at", flat=True)
        .first()
    )


def effective_evaluated_at(row_evaluated_at: datetime, last_full: datetime | None) -> datetime:
    """The later of a result's own stamp and the start of the last finished full run."""
    if last_full is None or row_evaluated_at >= last_full:
        return row_evaluated_at
    return last_full
