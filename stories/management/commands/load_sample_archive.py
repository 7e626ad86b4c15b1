from django.core.management import call_command
from django.core.management.base import BaseCommand

from stories import search
from stories.models import Story


class Command(BaseCommand):
    help = (
        "Load the fictional sample archive (fixtures/sample_archive.json) into an empty database."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even if the archive already holds stories.",
        )

    def handle(self, *args, force=False, **options):
        if Story.objects.exists() and not force:
            self.stdout.write("The archive already holds stories; sample archive not loaded.")
            return
        call_command("loaddata", "sample_archive", verbosity=options["verbosity"])
        # loaddata saves rows as they are, past the model methods that index them.
        search.rebuild()
        self.stdout.write(self.style.SUCCESS("Sample archive loaded (fictional stories)."))
