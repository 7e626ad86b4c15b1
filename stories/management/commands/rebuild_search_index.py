import time

from django.core.management.base import BaseCommand

from stories.models import Story
from stories.search import index as search_index


class Command(BaseCommand):
    help = (
        "Build the full-text search index again from scratch, for every approved story. "
        "Run it after restoring a backup, after loading data with loaddata, and when an "
        "upgrade's notes ask for it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default", help="Database alias.")

    def handle(self, *args, database, **options):
        started = time.perf_counter()
        search_index.rebuild(using=database)
        indexed = Story.objects.using(database).filter(status=Story.Status.APPROVED).count()
        self.stdout.write(
            f"Search index rebuilt: {indexed} approved stories "
            f"in {time.perf_counter() - started:.1f} s."
        )
