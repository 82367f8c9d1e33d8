from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand

DEMO_RADAR = Path(__file__).resolve().parents[2] / "demo" / "radar.yaml"


class Command(BaseCommand):
    help = "Load the demo Tech Radar (Velocity Cycles), whose entries match the demo catalog's tags."

    def handle(self, *args, **options):
        call_command(
            "radar_import", str(DEMO_RADAR), radar="default", title="Velocity Cycles Tech Radar", stdout=self.stdout
        )
