"""``manage.py load_soundcheck_defaults``: store the shipped checks and tracks, optionally evaluate."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from soundcheck.definitions.sources import load_defaults


class Command(BaseCommand):
    help = "Store Soundcheck's built-in checks and tracks (soundcheck/defaults/*.yaml)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--evaluate", action="store_true", help="Collect facts and evaluate every entity after.")

    def handle(self, *args, **options) -> None:
        outcome = load_defaults()
        if outcome.errors:
            raise CommandError("\n".join(outcome.errors))
        self.stdout.write(
            f"Soundcheck defaults: {len(outcome.created)} created, {len(outcome.updated)} updated, "
            f"{len(outcome.removed)} removed"
        )
        if options["evaluate"]:
            from soundcheck.tasks import collect_and_evaluate

            result = collect_and_evaluate()
            self.stdout.write(f"Evaluated {result['evaluation']['entities']} entities")
