"""``manage.py readyz``: the /readyz checks from the command line, for worker and beat containers."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from portal.ops.health import run_checks


class Command(BaseCommand):
    help = "Check the database, broker and TechDocs storage; exit 1 naming whatever is unreachable."

    def handle(self, *args: Any, **options: Any) -> None:
        results = run_checks()
        for result in results:
            self.stdout.write(f"{result.name}: {'ok' if result.ok else 'FAILED (' + result.error + ')'}")
        failed = [result.name for result in results if not result.ok]
        if failed:
            raise CommandError(f"not ready: {', '.join(failed)} unreachable")
