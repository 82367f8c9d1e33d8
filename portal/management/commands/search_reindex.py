"""``search_reindex``: bring the search index in line with the catalog (after an upgrade, or to repair)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from portal.search.indexing import sync_catalog


class Command(BaseCommand):
    help = "Index catalog entities whose etag the index does not have, and drop rows of entities that are gone."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="rewrite every entity's row, changed or not")

    def handle(self, *args, force: bool, **options):
        report = sync_catalog(force=force)
        self.stdout.write(f"{report.indexed} indexed, {report.removed} removed, {report.unchanged} unchanged")
