import array
import functools
import io
import math
import wave

from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import BaseCommand

from stories.models import ArchiveStatement, DataRequest, Recording, Story, recordings_storage
from stories.search import index as search_index

# The sample recordings are tones, not voices: fictional stories have no narrator to hear.
SAMPLE_RATE = 8000
# One note per transcript paragraph, so a listener hears the paragraphs change.
NOTES_HZ = (262, 294, 330, 349, 392, 440, 494, 523)


class Command(BaseCommand):
    help = (
        "Load the fictional sample archive (fixtures/sample_archive.json) into an empty "
        "database, with its sample recordings, and its sample About page and requests for "
        "data (fixtures/sample_about.json) if administrators have written none."
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
        call_command(
            "loaddata", "sample_archive", "sample_timeline", verbosity=options["verbosity"]
        )
        # The sample About page and requests for data, unless administrators wrote their own.
        if not ArchiveStatement.objects.exists() and not DataRequest.objects.exists():
            call_command("loaddata", "sample_about", verbosity=options["verbosity"])
        # loaddata saves rows as they are, past the model methods that index them.
        search_index.rebuild()
        written = write_sample_recordings()
        self.stdout.write(
            self.style.SUCCESS(
                f"Sample archive loaded (fictional stories; {written} sample recordings written)."
            )
        )


def write_sample_recordings():
    """The sample archive's recordings, generated: the fixture holds their rows, not their audio."""
    storage = recordings_storage()
    written = 0
    for recording in Recording.objects.filter(story__is_sample=True).select_related("story"):
        if storage.exists(recording.stored_as):
            continue
        starts = [segment.seconds for segment in recording.story.transcript.all()] or [0.0]
        audio = tone_wav(recording.duration, tuple(starts))
        storage.save(recording.stored_as, ContentFile(audio))
        Recording.objects.filter(pk=recording.pk).update(size=len(audio))
        written += 1
    return written


# Kept for the process: tests load the sample archive afresh for every browser test, and
# making the tones sample by sample takes seconds each time.
@functools.cache
def tone_wav(duration, starts):
    """A quiet WAV of ``duration`` seconds: a note from each of ``starts``, a breath between."""
    samples = array.array("h")
    bounds = [*starts, duration]
    for index, (start, end) in enumerate(zip(bounds, bounds[1:], strict=False)):
        frequency = NOTES_HZ[index % len(NOTES_HZ)]
        count = round(end * SAMPLE_RATE) - round(start * SAMPLE_RATE)
        pause = min(count, int(0.3 * SAMPLE_RATE))
        for n in range(count):
            if n < pause:
                samples.append(0)
                continue
            # Faded in and out, so each note starts and stops without a click.
            fade = min(1.0, (n - pause) / 400, (count - n) / 400)
            samples.append(int(3000 * fade * math.sin(2 * math.pi * frequency * n / SAMPLE_RATE)))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as output:
        output.setnchannels(1)
        output.setsampwidth(2)
        output.setframerate(SAMPLE_RATE)
        output.writeframes(samples.tobytes())
    return buffer.getvalue()
