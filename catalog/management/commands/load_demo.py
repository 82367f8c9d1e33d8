from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from catalog.services import refresh_location, register_location, validate_location_spec

from ._report import write_report

DEMO_CATALOG = Path(settings.BASE_DIR) / "catalog" / "demo" / "catalog-info.yaml"


class Command(BaseCommand):
    help = "Register and load Greenroom's demo catalog (a small fictional company)."

    def handle(self, *args, **options):
        if not DEMO_CATALOG.exists():
            raise CommandError(f"demo catalog not found at {DEMO_CATALOG}")
        location = register_location(validate_location_spec("file", str(DEMO_CATALOG)), exists_ok=True)
        report = refresh_location(location)
        write_report(self.stdout, self.stderr, "demo catalog", report)
