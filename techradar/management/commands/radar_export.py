import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from techradar.models import Radar
from techradar.services import export_radar


class Command(BaseCommand):
    help = "Print a radar as Backstage tech-radar data (JSON), as /api/tech-radar/data serves it."

    def add_arguments(self, parser):
        parser.add_argument("--radar", default="default", help="the radar's slug (default: default)")
        parser.add_argument("--output", "-o", default="", help="write to this file instead of standard output")

    def handle(self, *args, radar: str, output: str, **options):
        found = Radar.objects.filter(slug=radar).first()
        if found is None:
            raise CommandError(
                f"no radar {radar!r}; radars: {', '.join(Radar.objects.values_list('slug', flat=True)) or 'none'}"
            )
        text = json.dumps(export_radar(found), indent=2, ensure_ascii=False) + "\n"
        if output:
            Path(output).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")
