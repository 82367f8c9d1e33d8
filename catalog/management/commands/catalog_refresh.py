from django.core.management.base import BaseCommand, CommandError

from catalog.models import Location
from catalog.services import (
    LocationError,
    RefreshInProgress,
    parse_location_target,
    refresh_location,
    sync_config_locations,
)
from catalog.services.refresh_requests import enqueue_refresh

from ._report import write_report


class Command(BaseCommand):
    help = "Refresh every location (--all) or one registered location, now or in the background."

    def add_arguments(self, parser):
        parser.add_argument("target", nargs="?", help="a registered location's target or id")
        parser.add_argument("--all", action="store_true", help="refresh every location")
        parser.add_argument("--background", action="store_true", help="queue the refreshes for the worker")

    def handle(self, *args, target: str | None, all: bool, background: bool, **options):
        if bool(target) == all:
            raise CommandError("give either a location target or --all")
        if all:
            sync_config_locations()
            locations = list(Location.objects.exclude(type=Location.PROVIDER_TYPE))
        else:
            locations = [self._find(target)]
        failed = 0
        for location in locations:
            if background:
                enqueue_refresh(location)
                self.stdout.write(f"queued {location.location_ref}")
                continue
            try:
                report = refresh_location(location)
            except RefreshInProgress as busy:
                self.stderr.write(str(busy))
                continue
            write_report(self.stdout, self.stderr, location.location_ref, report)
            failed += not report.ok
        if failed:
            raise CommandError(f"{failed} location(s) reported problems")

    def _find(self, target: str) -> Location:
        location = Location.objects.filter(pk=target).first() if _looks_like_uuid(target) else None
        if location is None:
            try:
                spec = parse_location_target(target)
            except LocationError as error:
                raise CommandError(str(error)) from error
            location = Location.objects.filter(type=spec.type, target=spec.target).first()
        if location is None:
            raise CommandError(f"no registered location matches {target!r}; register it with catalog_register")
        return location


def _looks_like_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
