from django.core.management.base import BaseCommand, CommandError

from catalog.services import LocationError, parse_location_target, refresh_location, register_location

from ._report import write_report


class Command(BaseCommand):
    help = (
        "Register a catalog location: a file or glob path, file:PATH, or a git URL "
        "(https://host/org/repo/blob/BRANCH/PATH, file:///repo#BRANCH:GLOB, ...)."
    )

    def add_arguments(self, parser):
        parser.add_argument("target", help="path, file:PATH, url:URL or git URL")
        parser.add_argument("--wait", action="store_true", help="refresh it now and print what changed")
        parser.add_argument("--optional", action="store_true", help="a missing target is not an error")

    def handle(self, *args, target: str, wait: bool, optional: bool, **options):
        try:
            spec = parse_location_target(target)
            if optional:
                spec = type(spec)(spec.type, spec.target, "optional")
            # Without --wait the refresh is queued for the worker; with it, it runs here instead.
            location = register_location(spec, exists_ok=True, trusted=True, queue_refresh=not wait)
        except LocationError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"registered {location.location_ref} (id {location.pk})")
        if not wait:
            self.stdout.write("a refresh has been queued for the background worker")
            return
        report = refresh_location(location)
        write_report(self.stdout, self.stderr, location.location_ref, report)
        if not report.ok:
            raise CommandError(f"{len(report.refused)} problem(s) while reading {location.location_ref}")
