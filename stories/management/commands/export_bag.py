"""
Write an archival package (a BagIt bag) of the published collection, or of one story, for a
library that takes the archive in deposit (docs/deploy.md, "Archival packages"):

    python manage.py export_bag /srv/deposits/perspectives-2026-12-06
    python manage.py export_bag /srv/deposits/story-21 --story 21

The work is in ``stories.opendata.bags``; this command only reads its arguments and reports.
"""

from django.core.management.base import BaseCommand, CommandError

from stories.opendata import bags


class Command(BaseCommand):
    help = (
        "Write a BagIt bag (an archival package) of the published stories, or of one, into "
        "an empty or new directory: public records, Dublin Core, texts, licences, and the "
        "recordings, transcripts and indexes readers may have, with SHA-256 and SHA-512 "
        "checksums."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="An empty directory, or one to create.")
        parser.add_argument(
            "--story",
            type=int,
            metavar="ID",
            help="Only this published story (its id, as in /s/<id>/).",
        )

    def handle(self, *args, directory, story=None, **options):
        try:
            summary = bags.export_bag(directory, story_id=story)
        except bags.ExportRefused as refusal:
            raise CommandError(str(refusal)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Bag written to {summary.path}: {summary.stories} published "
                f"{'story' if summary.stories == 1 else 'stories'}, {summary.recordings} "
                f"{'recording' if summary.recordings == 1 else 'recordings'}, "
                f"{summary.files} payload files. Check it with: bagit.py --validate "
                f"{summary.path}"
            )
        )
