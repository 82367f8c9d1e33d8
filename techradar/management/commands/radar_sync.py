from django.core.management.base import BaseCommand, CommandError

from techradar.tasks import sync_radars


class Command(BaseCommand):
    help = "Sync every radar listed in the TECH_RADAR setting's SOURCES now (what the scheduled job does)."

    def handle(self, *args, **options):
        results = sync_radars()
        for result in results:
            if result["ok"]:
                self.stdout.write(f"radar {result['radar']}: synced")
            for error in result["errors"]:
                self.stderr.write(f"radar {result['radar']}: {error}")
        if any(not result["ok"] for result in results):
            raise CommandError("some radars could not be synced; they keep their previous data")
