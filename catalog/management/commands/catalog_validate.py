from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from catalog.config import allowed_location_types, reader_policy
from catalog.services.checks import check_file


class Command(BaseCommand):
    help = (
        "Validate catalog descriptor files the way the catalog would read them (placeholders resolved "
        "next to the file, Location targets checked). Prints a verdict per document with file, line "
        "and field; exits non-zero if any entity is invalid."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="catalog-info.yaml files to check")

    def handle(self, *args, files: list[str], **options):
        invalid = 0
        policy, allowed = reader_policy(), allowed_location_types()
        for name in files:
            for verdict in check_file(Path(name), policy, allowed_location_types=allowed):
                stream = self.stdout if verdict.ok else self.stderr
                for line in verdict.lines():
                    stream.write(line)
                invalid += not verdict.ok
        if invalid:
            raise CommandError(f"{invalid} invalid document(s)")
