from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.plugin_writer import PluginNameError, write_plugin


class Command(BaseCommand):
    help = (
        "Write a new Greenroom plugin package (an entity tab, a home card, a scaffolder action, a Soundcheck "
        "fact collector, and their tests) into DIR (default ./NAME); install it with pip install -e DIR."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="the plugin's Python module name, e.g. acme_costs")
        parser.add_argument("directory", nargs="?", help="the folder to write (absent or empty; default ./NAME)")

    def handle(self, *args, name: str, directory: str | None, **options):
        target = Path(directory or name).resolve()
        try:
            written = write_plugin(name, target)
        except PluginNameError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"wrote plugin {name} ({len(written)} files) in {target}")
        self.stdout.write(f"install it with: pip install -e {target}")
