"""``manage.py soundcheck_sync``: apply the definition sources of ``SOUNDCHECK["SOURCES"]`` (or one given)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from soundcheck.definitions.sources import sync_all_sources, sync_source


class Command(BaseCommand):
    help = "Read Soundcheck definition files (config as code) and apply them; a bad file changes nothing."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--type", choices=["file", "url"], help="Sync this source instead of the settings'.")
        parser.add_argument("--target", help="Path, glob or git URL of the source given with --type.")

    def handle(self, *args, **options) -> None:
        if bool(options["type"]) != bool(options["target"]):
            raise CommandError("--type and --target go together")
        outcomes = [sync_source(options["type"], options["target"])] if options["type"] else sync_all_sources()
        failed = False
        for outcome in outcomes:
            if outcome.errors:
                failed = True
                self.stderr.write(f"{outcome.source}: not applied")
                for error in outcome.errors:
                    self.stderr.write(f"  {error}")
                continue
            self.stdout.write(
                f"{outcome.source}: {len(outcome.created)} created, {len(outcome.updated)} updated, "
                f"{len(outcome.removed)} removed"
            )
        if failed:
            raise CommandError("some sources were not applied; see above")
