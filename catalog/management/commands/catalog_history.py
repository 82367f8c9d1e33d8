import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.timezone import make_aware

from catalog.models import EntityHistory


class Command(BaseCommand):
    help = (
        "Show an entity's recorded changes, or with --at the entity as it was at that moment "
        "(ISO date or date-time, e.g. --at 2026-11-14)."
    )

    def add_arguments(self, parser):
        parser.add_argument("entity_ref", help="kind:namespace/name, e.g. component:default/web")
        parser.add_argument("--at", help="print the entity's body as it was then")

    def handle(self, *args, entity_ref: str, at: str | None, **options):
        if at:
            moment = parse_datetime(at) or (parse_date(at) and parse_datetime(f"{at}T23:59:59"))
            if moment is None:
                raise CommandError(f"--at {at!r} is not an ISO date or date-time")
            if moment.tzinfo is None:
                moment = make_aware(moment)
            version = EntityHistory.objects.as_of(entity_ref, moment)
            if version is None:
                raise CommandError(f"{entity_ref} has no recorded version at {moment.isoformat()}")
            self.stdout.write(
                f"# {version.entity_ref} generation {version.generation}, {version.change} at "
                f"{version.recorded_at.isoformat()}" + (f", commit {version.commit}" if version.commit else "")
            )
            self.stdout.write(json.dumps(version.body, indent=2, sort_keys=True))
            return
        rows = EntityHistory.objects.of_entity(entity_ref).order_by("recorded_at", "id")
        if not rows.exists():
            raise CommandError(f"no recorded history for {entity_ref}")
        for row in rows:
            changed = ", ".join(row.changed_fields) if row.changed_fields else ""
            self.stdout.write(
                f"{row.recorded_at.isoformat()}  gen {row.generation:<3} {row.change:<9} {row.location_key}"
                + (f" @{row.commit[:12]}" if row.commit else "")
                + (f"  [{changed}]" if changed else "")
            )
