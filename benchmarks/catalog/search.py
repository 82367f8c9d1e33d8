"""Measuring search latency over the catalog already loaded, with synthetic docs pages if asked.

Queries are drawn from the index itself (whole names, prefixes of names, two words of a title,
a word of a description, a name with one letter dropped) so they hit real rows at any size,
and each runs as the search page runs it: one page of hits plus the facet counts.
"""

from __future__ import annotations

import random
import statistics
import time
from dataclasses import dataclass

from django.db import connection

from catalog.models import Entity
from portal.search.backends import get_backend
from portal.search.indexing import replace_documents
from portal.search.models import SearchDocument
from portal.search.query import build_query

from .words import AREAS

SYNTHETIC_MARKER = "benchmark"
PAGES_PER_ENTITY = 20
_TOPICS = ("Getting started", "Architecture", "Runbook", "On-call", "Deploying", "Monitoring", "Troubleshooting")


def generate_docs_pages(count: int, seed: int = 7) -> int:
    """Index ``count`` synthetic docs pages, twenty per catalog component (or other entity).

    Pages go through ``replace_documents``, as TechDocs builds send them. Returns how many were
    stored (fewer when the catalog has too few entities to hold them).
    """
    chooser = random.Random(seed)
    owners = list(
        Entity.objects.exclude(kind__iexact="location")
        .order_by("kind", "ref")
        .values_list("ref", flat=True)[: -(-count // PAGES_PER_ENTITY)]
    )
    stored = 0
    for owner in owners:
        size = min(PAGES_PER_ENTITY, count - stored)
        name = owner.rpartition("/")[2]
        pages = []
        for number in range(size):
            topic = _TOPICS[number % len(_TOPICS)]
            words = " ".join(chooser.choice(AREAS) for _ in range(60))
            pages.append(
                {
                    "title": f"{topic} {number}: {name}",
                    "location": f"/docs/{owner.replace(':', '/')}/page-{number}/#{SYNTHETIC_MARKER}",
                    "text": f"How {name} handles {words}.",
                    "headings": [topic, f"{name} {chooser.choice(AREAS)}"],
                }
            )
        stored += replace_documents("techdocs", owner, pages)
        if stored >= count:
            break
    return stored


def settle_index() -> bool:
    """Vacuum and analyse the index table as autovacuum does a little after a bulk write.

    Right after indexing 100,000 rows the planner has no statistics for them and the GIN pending
    lists hold the new entries: timing then measures that passing state, not search. PostgreSQL
    only, and not inside a transaction (VACUUM cannot run there); returns whether it ran.
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return False
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) portal_searchdocument")
    return True


def sample_terms(count: int, seed: int = 11) -> list[tuple[str, str]]:
    """``(category, term)`` pairs drawn from indexed titles and names."""
    chooser = random.Random(seed)
    ids = list(SearchDocument.objects.order_by("id").values_list("id", flat=True)[:200_000])
    picked = chooser.sample(ids, min(len(ids), count))
    rows = dict(SearchDocument.objects.filter(id__in=picked).values_list("id", "name"))
    titles = dict(SearchDocument.objects.filter(id__in=picked).values_list("id", "title"))
    terms: list[tuple[str, str]] = []
    for index, row_id in enumerate(picked):
        name = rows[row_id] or titles[row_id].split(" ")[0]
        title_words = titles[row_id].split()
        kind = index % 5
        if kind == 0:
            terms.append(("exact name", name))
        elif kind == 1:
            terms.append(("prefix", name[: max(3, len(name) // 2)]))
        elif kind == 2:
            terms.append(("two words", " ".join(title_words[:2])))
        elif kind == 3:
            terms.append(("text word", chooser.choice(AREAS)))
        else:
            middle = len(name) // 2
            terms.append(("typo", name[:middle] + name[middle + 1 :] if len(name) > 4 else name))
    return terms


@dataclass
class Latency:
    category: str
    runs: int
    p50_ms: float
    p95_ms: float
    max_ms: float


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def measure(terms: list[tuple[str, str]], *, repeat: int = 1) -> list[Latency]:
    """Latency of each term (page of 20 plus facets), by category and overall."""
    backend = get_backend()
    timings: dict[str, list[float]] = {}
    for _ in range(repeat):
        for category, term in terms:
            query = build_query(term, [], {})
            start = time.perf_counter()
            backend.search(query, offset=0, limit=20)
            elapsed = (time.perf_counter() - start) * 1000
            timings.setdefault(category, []).append(elapsed)
            timings.setdefault("all", []).append(elapsed)
    return [
        Latency(
            category,
            len(values),
            round(statistics.median(values), 2),
            round(_percentile(values, 0.95), 2),
            round(max(values), 2),
        )
        for category, values in timings.items()
    ]
