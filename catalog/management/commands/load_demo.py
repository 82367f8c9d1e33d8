from django.core.management.base import BaseCommand, CommandError

from catalog.config import admit_local_root, demo_directory
from catalog.services import refresh_location, register_location, validate_location_spec

from ._report import write_report


class Command(BaseCommand):
    help = "Register and load Greenroom's demo catalog (a small fictional company)."

    def handle(self, *args, **options):
        demo_catalog = demo_directory() / "catalog-info.yaml"
        if not demo_catalog.exists():
            raise CommandError(f"demo catalog not found at {demo_catalog}")
        admit_local_root(demo_directory())
        location = register_location(validate_location_spec("file", str(demo_catalog)), exists_ok=True, trusted=True)
        report = refresh_location(location)
        write_report(self.stdout, self.stderr, "demo catalog", report)
