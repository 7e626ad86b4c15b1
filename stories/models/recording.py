"""
A story's recording and its transcript: the audio file (held for a narrator
until the story is sent, then attached), the moderator's clearance that lets
readers hear it, where the files are stored and how they are forgotten, and
the transcript's timed paragraphs.
"""

import datetime
import uuid

from django.conf import settings
from django.core.files.storage import storages
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, ngettext

from ..recordings import audio, transcripts
from ..signals import stories_changed_in_bulk
from .index_segments import IndexSegment
from .locking import LockedChanges

INDEX_EDITED_NOTE = gettext_noop("Index of the recording edited")


def recordings_storage():
    """Where recordings are kept: the "recordings" storage (settings.STORAGES), read each time.

    Never a storage with a public address: a recording is only ever served by
    the view that checks its story and its clearance (recordings/views.py).
    """
    return storages["recordings"]


def held_recordings_expire_at():
    """Recordings held for a share form since before this moment are no longer held."""
    return timezone.now() - datetime.timedelta(seconds=settings.RECORDING_HOLD_SECONDS)


def hold_minutes():
    """RECORDING_HOLD_SECONDS in whole minutes, as narrators are told it."""
    return max(1, settings.RECORDING_HOLD_SECONDS // 60)


class HoldRefused(Exception):
    """A recording the share form cannot hold now: over the bytes held for one client, or in all.

    ``code`` names which ("held_by_client", "held_in_all").
    """

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


class RecordingQuerySet(models.QuerySet):
    def held_since_before(self, moment):
        """Uploads still held for a share form (no story yet) since before ``moment``."""
        return self.filter(story=None, created_at__lt=moment)

    def held(self):
        """Uploads held for a share form not yet sent, and not yet for too long."""
        return self.filter(story=None, created_at__gte=held_recordings_expire_at())

    def total_size(self):
        return self.aggregate(total=models.Sum("size"))["total"] or 0

    def delete(self):
        names = list(self.values_list("stored_as", flat=True))
        deleted = super().delete()
        forget_files(names, using=self.db)
        return deleted


def forget_files(names, *, using):
    """Delete recording files once the deletion of their rows is committed.

    After the commit, not before: a transaction rolled back must not leave a
    row whose file is gone. Files are deleted by name, which is all a
    queryset's delete() (or a cascade from a story) leaves to go on.
    """

    def delete_files():
        storage = recordings_storage()
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete_files, using=using)


class Voice(models.TextChoices):
    """What a narrator who sends a recording chooses for it (``Story.voice``).

    Blank: no choice was asked (the story came without a recording, or before
    the choice existed, when narrators were told readers would hear it once cleared).
    """

    PUBLISHED = "published", _("Publish my recording")
    PRIVATE = "private", _("Keep my voice private: publish only a transcript")


class RecordedStory:
    """What readers may have of a story's recording: Story's part of this module.

    A voice kept private is never served (DESIGN.md): moderators hear it in
    the admin and transcribe it; readers get the transcript alone.
    """

    @property
    def cleared_recording(self):
        """The recording a moderator has listened to and cleared, heard by readers or not.

        Its transcript is public once it is cleared (on a visible story),
        whatever the narrator chose for the voice.
        """
        try:
            recording = self.recording
        except Recording.DoesNotExist:
            return None
        return recording if recording.is_cleared else None

    @property
    def public_recording(self):
        """The recording readers may hear, or None: cleared, and its voice not kept private.

        Whether the story itself is visible is the caller's business: this is
        read from stories that came through ``published()``.
        """
        return None if self.keeps_voice_private else self.cleared_recording

    @property
    def keeps_voice_private(self):
        return self.voice == Voice.PRIVATE

    def rewrite_transcript(self, cues, *, version_seen):
        """The transcript becomes ``cues``, unless the story changed since ``version_seen``.

        The story is saved too, which raises its version: a page still showing
        the old paragraphs (the story's change form, another editor) is then
        refused rather than writing them back. Raises ``StaleVersion``.
        """
        with self.locked_as_seen(version_seen) as story:
            TranscriptSegment.replace_transcript(story, cues)
            story.save(update_fields=["updated_at"])

    def rewrite_index(self, segments, *, version_seen, by):
        """The recording's index becomes ``segments`` (unsaved IndexSegments, each with
        ``theme_ids``), unless the story changed since ``version_seen``; recorded in its
        history. Raises ``StaleVersion``, as ``rewrite_transcript``."""
        with self.locked_as_seen(version_seen) as story:
            IndexSegment.replace_index(story, segments)
            story.save(update_fields=["updated_at"])
            story.record_event(INDEX_EDITED_NOTE, by=by)

    def keep_voice_private(self, *, by=None):
        """The narrator's choice made more private: only a transcript, never the audio.

        One way only: nothing makes a private voice public again. ``by`` is
        None for the narrator (from their private page), or the moderator who
        acted on their request. Returns whether anything changed.
        """
        with self.locked() as story:
            if story.keeps_voice_private:
                return False
            story.voice = Voice.PRIVATE
            story.save(update_fields=["voice", "updated_at"])
            story.record_event(gettext_noop("Voice kept private: transcript only"), by=by)
        return True


class Recording(LockedChanges, models.Model):
    """A story's audio, checked, stripped of its tags and kept through the storage API.

    Held for a share form before its story exists (``story`` empty, found
    again through the narrator's session), then attached to the story. Readers
    hear it only once the story is visible and a moderator has listened to it
    and cleared it: a voice can say what the identity shield finds in text.
    """

    story = models.OneToOneField(
        "Story",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="recording",
        verbose_name=_("story"),
    )
    # A name of our own making: the uploaded file's name can hold the narrator's.
    stored_as = models.CharField(_("stored as"), max_length=200, unique=True, editable=False)
    mime_type = models.CharField(
        _("type"), max_length=32, choices=[(t, t) for t in audio.ACCEPTED_TYPES], editable=False
    )
    duration = models.FloatField(_("length (seconds)"), editable=False)
    size = models.PositiveBigIntegerField(_("size (bytes)"), editable=False)
    cleared_at = models.DateTimeField(
        _("listened to and cleared"), null=True, blank=True, editable=False
    )
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cleared by"),
        editable=False,
    )
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now, editable=False)
    # While held for a share form: the sender's keyed network hash
    # (limits.client_key), which caps the bytes one client holds. Emptied as
    # the recording joins its story.
    held_by = models.CharField(
        _("held for (keyed network hash)"), max_length=64, blank=True, editable=False
    )

    objects = RecordingQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("recording")
        verbose_name_plural = _("recordings")

    def __str__(self):
        return _("Recording, %(length)s") % {"length": self.length}

    def get_absolute_url(self):
        return reverse("story-recording", kwargs={"story_id": self.story_id})

    @classmethod
    def store(cls, uploaded, *, story=None, held_by=""):
        """Check ``uploaded`` by its content, strip its tags and keep it (recordings/audio.py).

        Raises ``audio.RecordingRefused`` for anything that is not a recording
        the archive takes.
        """
        with audio.prepared_recording(uploaded) as checked:
            name = recordings_storage().save(
                f"recordings/{uuid.uuid4().hex}.{checked.extension}", checked.file
            )
        try:
            return cls.objects.create(
                story=story,
                stored_as=name,
                mime_type=checked.mime_type,
                duration=checked.duration,
                size=checked.size,
                held_by=held_by,
            )
        except Exception:
            recordings_storage().delete(name)
            raise

    @classmethod
    def hold(cls, uploaded, *, held_by, replacing=None):
        """Keep ``uploaded`` for a share form not yet sent, within the bytes held for forms.

        ``held_by`` is the sender's keyed network hash; ``replacing``, the
        recording this form held until now, is about to go and is not counted.
        Raises ``HoldRefused`` over RECORDING_HOLD_BYTES_PER_CLIENT or
        RECORDING_HOLD_BYTES_TOTAL, and ``audio.RecordingRefused`` as ``store``.
        """
        # Recordings held too long go first, here rather than only at the daily
        # purge: what the caps count is then what is on the disk.
        cls.objects.held_since_before(held_recordings_expire_at()).delete()
        held = cls.objects.held().exclude(pk=getattr(replacing, "pk", None))
        minutes = hold_minutes()
        mine = held.filter(held_by=held_by).total_size()
        if mine + uploaded.size > settings.RECORDING_HOLD_BYTES_PER_CLIENT:
            raise HoldRefused(
                "held_by_client",
                ngettext(
                    "You have sent more recordings than we can keep for you at once. Send "
                    "your story without a recording, or try again in %(minutes)d minute.",
                    "You have sent more recordings than we can keep for you at once. Send "
                    "your story without a recording, or try again in %(minutes)d minutes.",
                    minutes,
                )
                % {"minutes": minutes},
            )
        if held.total_size() + uploaded.size > settings.RECORDING_HOLD_BYTES_TOTAL:
            raise HoldRefused(
                "held_in_all",
                ngettext(
                    "The archive cannot take more recordings just now. Send your story "
                    "without a recording, or try again in %(minutes)d minute.",
                    "The archive cannot take more recordings just now. Send your story "
                    "without a recording, or try again in %(minutes)d minutes.",
                    minutes,
                )
                % {"minutes": minutes},
            )
        return cls.store(uploaded, held_by=held_by)

    def replace_with(self, new):
        """Put the held recording ``new`` in this one's place; this one and its file go."""
        with transaction.atomic():
            story = self.story
            self.delete()
            new.attach_to(story)
        return new

    @property
    def is_cleared(self):
        return self.cleared_at is not None

    @property
    def length(self):
        return transcripts.clock(datetime.timedelta(seconds=self.duration))

    @property
    def listening_minutes(self):
        """Whole minutes to hear it, at least one ("Listen: 4 min")."""
        return max(1, round(self.duration / 60))

    @property
    def extension(self):
        return audio.ACCEPTED_TYPES[self.mime_type]

    def attach_to(self, story):
        self.story = story
        self.held_by = ""
        self.save(update_fields=["story", "held_by"])

    def set_cleared(self, cleared, *, by):
        """Record that a moderator listened and cleared it (or took that back), with an event."""
        with self.locked() as recording:
            if recording.is_cleared == cleared:
                return False
            recording.cleared_at = timezone.now() if cleared else None
            recording.cleared_by = by if cleared else None
            recording.save(update_fields=["cleared_at", "cleared_by"])
            recording.story.touch()
            recording.story.record_event(
                gettext_noop("Recording listened to and cleared")
                if cleared
                else gettext_noop("Recording held back"),
                by=by,
            )
        return True

    def open(self):
        return recordings_storage().open(self.stored_as, "rb")

    def delete(self, *args, **kwargs):
        name, using = self.stored_as, self._state.db
        if self.is_cleared and self.story_id:
            self.story.touch()  # readers (and harvesters) heard it: its story changed
        deleted = super().delete(*args, **kwargs)
        forget_files([name], using=using)
        return deleted


class TranscriptSegment(models.Model):
    """One paragraph of a recording's transcript, from the time it starts to the next one."""

    story = models.ForeignKey(
        "Story", on_delete=models.CASCADE, related_name="transcript", verbose_name=_("story")
    )
    start = models.DurationField(
        _("starts at"), help_text=_("Minutes and seconds into the recording, e.g. 1:05.")
    )
    text = models.TextField(_("text"), max_length=transcripts.MAX_CUE_LENGTH)
    # The archive's words, in the language the story is not told in (models/translations.py):
    # the second caption track, labelled as a translation.
    text_translation = models.TextField(
        _("translation by the archive"), max_length=transcripts.MAX_CUE_LENGTH, blank=True
    )

    class Meta:
        ordering = ["start", "pk"]
        verbose_name = _("transcript paragraph")
        verbose_name_plural = _("transcript")

    def __str__(self):
        return transcripts.clock(self.start)

    @property
    def shield_field(self):
        """How the identity shield names this paragraph in a finding (Finding.field)."""
        return f"transcript-{self.pk}"

    @property
    def seconds(self):
        return self.start.total_seconds()

    @property
    def moment(self):
        return transcripts.moment(self.start)

    @property
    def clock(self):
        return transcripts.clock(self.start)

    @classmethod
    def replace_transcript(cls, story, cues):
        """The story's transcript becomes ``cues`` (transcripts.Cue), in one transaction.

        A paragraph that starts where one started before keeps that one's
        translation: rewording a paragraph, or splitting the text again with the
        same times, does not throw the translator's work away.
        """
        with transaction.atomic():
            translations = dict(story.transcript.values_list("start", "text_translation"))
            story.transcript.all().delete()
            cls.objects.bulk_create(
                cls(
                    story=story,
                    start=cue.start,
                    text=cue.text,
                    text_translation=translations.get(cue.start, ""),
                )
                for cue in cues
            )
            # bulk_create sends no signal: cached pages learn of it here.
            stories_changed_in_bulk(type(story).objects.filter(pk=story.pk))

    @staticmethod
    def as_text(story, *, translated=False):
        """The transcript as plain text, for a reader to download; ``translated``: the
        archive's translation of it, its label first (the file leaves the page behind)."""
        segments = story.transcript.all()
        if not translated:
            cues = (transcripts.Cue(start=s.start, end=None, text=s.text) for s in segments)
            return transcripts.to_text(cues)
        cues = (
            transcripts.Cue(start=s.start, end=None, text=s.text_translation)
            for s in segments
            if s.text_translation
        )
        return f"{translation_note(story)}\n\n{transcripts.to_text(cues)}"

    @staticmethod
    def as_webvtt(story, duration=None, *, translated=False):
        """The transcript as WebVTT; ``translated``: the archive's translation of it instead.

        A translated cue keeps its original's times, to the next original paragraph: a
        paragraph the archive has not translated is left out, and leaves a gap rather than
        the words of another language (docs/languages.md, "Translations").
        """
        segments = list(story.transcript.all())
        if not translated:
            cues = [transcripts.Cue(start=s.start, end=None, text=s.text) for s in segments]
            return transcripts.to_webvtt(cues, duration=duration)
        ends = [later.start for later in segments[1:]] + [None]
        cues = [
            transcripts.Cue(start=segment.start, end=end, text=segment.text_translation)
            for segment, end in zip(segments, ends, strict=True)
            if segment.text_translation
        ]
        return transcripts.to_webvtt(cues, duration=duration, note=translation_note(story))


# Said after "Translated by the archive from Spanish" wherever a translation leaves the page.
NOT_THE_NARRATORS_WORDS = gettext_noop("not the narrator's own words")


def translation_note(story):
    """What a file of the archive's translation says of itself, in the translation's language."""
    with translation.override(story.translation_language):
        return f"{story.translated_from} — {translation.gettext(NOT_THE_NARRATORS_WORDS)}"
