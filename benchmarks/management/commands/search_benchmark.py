"""``search_benchmark``: search latency p50/p95 over the catalog already loaded."""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from benchmarks.catalog.search import generate_docs_pages, measure, sample_terms, settle_index
from portal.models import SearchDocument
from portal.search.indexing import sync_catalog


class Command(BaseCommand):
    help = (
        "Measure search latency (p50, p95, max in ms) over the catalog already loaded: the index is "
        "synced with the catalog first; --docs N adds N synthetic docs pages (replacing any earlier "
        "docs pages of the entities they are attached to); on PostgreSQL the table is then vacuumed "
        "and analysed, as autovacuum leaves it a little after a bulk write."
    )

    def add_arguments(self, parser):
        parser.add_argument("--docs", type=int, default=0, help="synthetic docs pages to index first (e.g. 20000)")
        parser.add_argument("--queries", type=int, default=200, help="distinct search terms to run")
        parser.add_argument("--repeat", type=int, default=3, help="times each term runs (the first warms caches)")
        parser.add_argument("--json", dest="json_path", help="also write the figures to this JSON file")

    def handle(self, *args, docs: int, queries: int, repeat: int, json_path: str | None, **options):
        if docs < 0 or queries < 1 or repeat < 1:
            raise CommandError("--docs must be 0 or more; --queries and --repeat at least 1")
        start = time.perf_counter()
        report = sync_catalog()
        self.stdout.write(
            f"index synced in {time.perf_counter() - start:.1f}s: {report.indexed} indexed, "
            f"{report.removed} removed, {report.unchanged} unchanged"
        )
        if docs:
            start = time.perf_counter()
            stored = generate_docs_pages(docs)
            self.stdout.write(f"{stored} docs pages indexed in {time.perf_counter() - start:.1f}s")
        start = time.perf_counter()
        if settle_index():
            self.stdout.write(f"index vacuumed and analysed in {time.perf_counter() - start:.1f}s")
        total = SearchDocument.objects.count()
        if not total:
            raise CommandError("the index is empty: load a catalog first")
        terms = sample_terms(queries)
        results = measure(terms, repeat=repeat)
        self.stdout.write(f"{total} documents in the index; {len(terms)} terms x {repeat}")
        self.stdout.write(f"{'queries':<12} {'runs':>6} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9}")
        for row in results:
            self.stdout.write(f"{row.category:<12} {row.runs:>6} {row.p50_ms:>9} {row.p95_ms:>9} {row.max_ms:>9}")
        if json_path:
            figures = {"documents": total, "terms": len(terms), "latency": [asdict(row) for row in results]}
            Path(json_path).write_text(json.dumps(figures, indent=2), encoding="utf-8")
