from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from techradar.format import RadarFormatError, parse_radar_file
from techradar.services import import_radar


class Command(BaseCommand):
    help = "Replace a radar with the content of a Backstage tech-radar data file (JSON or YAML)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="path to the data file")
        parser.add_argument("--radar", default="default", help="the radar's slug (default: default)")
        parser.add_argument("--title", default="", help="the radar's title (kept when omitted)")

    def handle(self, *args, file: str, radar: str, title: str, **options):
        path = Path(file)
        try:
            data = parse_radar_file(path.read_bytes(), str(path))
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error.strerror}") from None
        except RadarFormatError as error:
            for message in error.errors:
                self.stderr.write(f"{error.source}: {message}")
            raise CommandError(
                f"{path} is not valid tech-radar data ({len(error.errors)} problem(s)); nothing changed"
            ) from None
        result = import_radar(data, radar, title=title, actor_note=f"file:{path.resolve()}")
        self.stdout.write(
            f"radar {result.slug}: {len(data.entries)} entries, {len(data.rings)} rings, "
            f"{len(data.quadrants)} quadrants"
        )
