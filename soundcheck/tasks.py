"""Celery entry points: collect facts and evaluate (all, or some entities), and sync definitions.

Every task re-reads what it needs and is safe to run twice: facts and results are overwritten with
the same values, and change rows are only written when a state changes.
"""

from __future__ import annotations

from dataclasses import asdict

from celery import shared_task

from .collection import collect_facts
from .services.evaluations import evaluate_all, evaluate_refs


@shared_task(name="soundcheck.collect_and_evaluate")
def collect_and_evaluate() -> dict:
    """Collect every fact for every entity, then evaluate everything (the beat schedule's job)."""
    report = collect_facts()
    summary = evaluate_all()
    return {"entities": report.entities, "collector_errors": report.errors, "evaluation": asdict(summary)}


@shared_task(name="soundcheck.evaluate_all")
def evaluate_all_task() -> dict:
    """Evaluate every check and track from the facts stored now."""
    return asdict(evaluate_all())


@shared_task(name="soundcheck.collect_and_evaluate_refs")
def collect_and_evaluate_refs(refs: list[str], only: list[str] | None = None) -> dict:
    """Collect facts for some entities (with every collector, or those in ``only``) and re-evaluate them."""
    report = collect_facts(refs, only)
    summary = evaluate_refs(refs)
    return {"entities": report.entities, "collector_errors": report.errors, "evaluation": asdict(summary)}


@shared_task(name="soundcheck.evaluate_refs")
def evaluate_refs_task(refs: list[str]) -> dict:
    """Re-evaluate some entities from the facts stored now (after facts were pushed through the API)."""
    return asdict(evaluate_refs(refs))


@shared_task(name="soundcheck.sync_sources")
def sync_sources() -> list[dict]:
    """Read every configured definition source and apply it; a bad source changes nothing stored."""
    from .definitions.sources import sync_all_sources

    return [asdict(outcome) for outcome in sync_all_sources()]
