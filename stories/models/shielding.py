"""
The identity shield over a story: every public text it reads (the story's
fields and its transcript's paragraphs), what it finds there, and redaction.
A mixin of ``Story`` (story.py), kept apart so the story's module stays
about its fields and workflow.
"""

from dataclasses import dataclass

from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from ..recordings import transcripts
from ..safety import shield
from .event_notes import REDACTED_NOTE


@dataclass(frozen=True)
class ShieldedText:
    """A text the identity shield reads (Story.shielded_texts), as a moderator sees it named."""

    label: str
    text: str
    segment: object = None  # the TranscriptSegment it is, for a transcript paragraph


class ShieldedStory:
    """What the identity shield does on a story (``Story``'s fields, ``self.transcript``)."""

    def shield_findings(self):
        """What the identity shield finds in this story's public text (stories/safety/shield.py).

        Its own fields, and each paragraph of its transcript. An anonymous
        narrator's own name is looked for too, while it is kept (until approval).
        """
        names = (self.narrator_name,) if self.is_anonymous else ()
        return [
            finding
            for field, shielded in self.shielded_texts().items()
            for finding in shield.scan(shielded.text, field=field, names=names)
        ]

    def shielded_texts(self):
        """Every text the shield reads, by the name its findings give it (``Finding.field``).

        A story field by its own name; a transcript paragraph as
        "transcript-<pk>", labelled with its time. One query for the transcript.
        """
        texts = {
            name: ShieldedText(
                capfirst(self._meta.get_field(name).verbose_name), getattr(self, name)
            )
            for name in shield.SHIELDED_FIELDS
        }
        for segment in self.transcript.all():
            label = _("Transcript at %(time)s") % {"time": transcripts.clock(segment.start)}
            texts[segment.shield_field] = ShieldedText(label, segment.text, segment)
        return texts

    def redact(self, selected, *, by):
        """Replace the chosen findings with "[redacted]" and record what kinds were redacted.

        ``selected`` holds finding keys (``shield.Finding.key``), as a moderator
        ticked them; the findings are found again on the locked row, so a key
        that no longer matches the text redacts nothing. The event's note names
        the kinds and fields, never the values. Returns the findings redacted.
        """
        with self.locked() as story:
            chosen = [f for f in story.shield_findings() if f.key in set(selected)]
            if not chosen:
                return []
            texts = story.shielded_texts()
            for field in {finding.field for finding in chosen}:
                in_field = [finding for finding in chosen if finding.field == field]
                redacted = shield.redact(texts[field].text, in_field)
                if texts[field].segment is None:
                    setattr(story, field, redacted)
                else:
                    texts[field].segment.text = redacted
                    texts[field].segment.save(update_fields=["text"])
            if story.slug and any(finding.field == "title" for finding in chosen):
                # The old address spelled out what was just redacted: it goes
                # (404, not 410) and the story takes one from the new title.
                story.slug = story._unique_slug()
            story.save()
            kinds = {f"{finding.kind} in {finding.field.partition('-')[0]}" for finding in chosen}
            story.record_event(REDACTED_NOTE % {"details": ", ".join(sorted(kinds))}, by=by)
        return chosen
