"""
The archive's translations of a story into the language it was not told in:
its title and text here, its summary on the story (``summary_translation``),
each transcript paragraph (``TranscriptSegment.text_translation``) and each
index segment (index_segments.py). A mixin of ``Story``.

A translation is the archive's reading of a narrator's words, never their
words: every page, track and record that shows one labels it ("Translated by
the archive from Spanish"), the identity shield reads it, and erasure empties
it with the text it was made from (docs/languages.md, "Translations").
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from .recording import TranscriptSegment

# The other of the archive's two languages: a story told in one is translated into the other.
OTHER_LANGUAGE = {"en": "es", "es": "en"}

TRANSLATION_EDITED_NOTE = gettext_noop("Translation edited")

TRANSLATED_FROM = {
    "en": _("Translated by the archive from English"),
    "es": _("Translated by the archive from Spanish"),
}


class TranslatedStory(models.Model):
    """The translated title and text of ``Story``, and what is said of a translation."""

    title_translation = models.CharField(
        _("title translated by the archive"), max_length=200, blank=True
    )
    body_translation = models.TextField(
        _("story translated by the archive"),
        blank=True,
        help_text=_(
            "The story's text in the other language, written by a moderator or a volunteer "
            "translator. Readers see it labelled as the archive's translation."
        ),
    )

    class Meta:
        abstract = True

    @property
    def translation_language(self):
        """The language a translation of this story is in: the one it was not told in."""
        return OTHER_LANGUAGE.get(self.language, "es")

    @property
    def translated_from(self):
        """The label every translation of this story carries, in the reader's language."""
        return TRANSLATED_FROM.get(self.language, TRANSLATED_FROM["en"])

    @property
    def has_written_translation(self):
        """Whether its title, text or summary has the archive's translation (no query)."""
        return bool(self.title_translation or self.body_translation or self.summary_translation)

    def rewrite_translation(self, fields, paragraphs, *, version_seen, by):
        """Save the translation as the translation page posted it, unless the story changed
        since ``version_seen`` (``StaleVersion``): ``fields`` of the story's own
        (title_translation, body_translation, summary_translation) and ``paragraphs``,
        {transcript paragraph's pk: its translation}. Recorded in the story's history."""
        with self.locked_as_seen(version_seen) as story:
            for name, value in fields.items():
                setattr(story, name, value)
            rows = [row for row in story.transcript.all() if row.pk in paragraphs]
            for row in rows:
                row.text_translation = paragraphs[row.pk]
            TranscriptSegment.objects.bulk_update(rows, ["text_translation"])
            # Saved after the paragraphs: the story's signal tells cached pages of both.
            story.save(update_fields=[*fields, "updated_at"])
            story.record_event(TRANSLATION_EDITED_NOTE, by=by)
