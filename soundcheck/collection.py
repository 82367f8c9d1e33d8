"""Running the fact collectors over the catalog (or some entities) in batches, then storing the facts."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from catalog.models import Entity
from portal.registry import fact_collectors

from .evaluation.membership import batch_size
from .services.facts import FactWrite, record_facts

logger = logging.getLogger(__name__)


@dataclass
class CollectionReport:
    """What a collection run stored, per collector, and which collectors failed (with why)."""

    entities: int = 0
    written: dict[str, FactWrite] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def _batches(refs: list[str] | None) -> Iterable[list[Entity]]:
    size = batch_size()
    fields = ("ref", "kind", "namespace", "name", "body", "location_key")
    if refs is not None:
        for start in range(0, len(refs), size):
            yield list(Entity.objects.filter(ref__in=refs[start : start + size]).only(*fields).order_by("ref"))
        return
    last = ""
    while True:
        # Keyset pagination on the unique ref: every batch is one indexed range read.
        batch = list(Entity.objects.filter(ref__gt=last).only(*fields).order_by("ref")[:size])
        if not batch:
            return
        yield batch
        last = batch[-1].ref


def collect_facts(refs: Iterable[str] | None = None, only: Iterable[str] | None = None) -> CollectionReport:
    """Run the collectors (all, or those named in ``only``) for the given entities (default: all).

    A collector that raises is logged and reported; the others still run and their facts are kept.
    """
    chosen = {name: collector for name, collector in fact_collectors().items() if only is None or name in set(only)}
    wanted = sorted({ref.lower() for ref in refs}) if refs is not None else None
    report = CollectionReport()
    for batch in _batches(wanted):
        report.entities += len(batch)
        for name, collector in chosen.items():
            if name in report.errors:
                continue
            try:
                records = collector(batch)
            except Exception as error:
                logger.exception("soundcheck collector %s failed", name)
                report.errors[name] = f"{type(error).__name__}: {error}"
                continue
            write = record_facts(records, name)
            total = report.written.setdefault(name, FactWrite())
            total.created += write.created
            total.changed += write.changed
            total.unchanged += write.unchanged
    return report
