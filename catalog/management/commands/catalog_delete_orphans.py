from django.core.management.base import BaseCommand

from catalog.services import delete_orphans


class Command(BaseCommand):
    help = "Delete every orphaned entity (entities no location emits any more). History keeps them."

    def handle(self, *args, **options):
        self.stdout.write(f"deleted {delete_orphans()} orphaned entities")
