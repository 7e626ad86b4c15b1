"""
The identity shield over a story: every public text it reads (the story's
fields and its transcript's paragraphs), what it finds there, redaction, and
a moderator's waiver of one finding (``ShieldWaiver``). A mixin of ``Story``
(story.py), kept apart so the story's module stays about its fields and workflow.

A story is not published while a high-risk finding (``shield.HIGH_RISK``) in
its public text is unresolved: neither redacted nor waived
(``ShieldedStory.unresolved_findings``, read by ``Story.unready_reason``).
"""

import datetime
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from ..recordings import transcripts
from ..safety import privacy, shield
from .event_notes import REDACTED_NOTE, WAIVED_NOTE
from .index_segments import IndexSegment
from .recording import TranscriptSegment

# The story fields readers see once it is published (the suggested theme is
# shielded too, but never shown): a finding there, or in the transcript, holds a story back.
PUBLIC_SHIELDED_FIELDS = frozenset(
    privacy.named(
        "Story",
        lambda field: (
            field.shielded and field.visibility in (privacy.PUBLIC, privacy.PUBLIC_UNLESS_ANONYMOUS)
        ),
    )
)
# How much of the text on each side of a finding its waiver holds to: an edit
# there (or to the detail itself) and the finding must be waived again.
WAIVER_CONTEXT = 20


class WaiverRefused(ValueError):
    """A waiver without a reason, of a finding no longer there, or whose reason quotes it."""


def moderator_label(finding):
    return shield.KINDS_FOR_MODERATORS[finding.kind]


def is_public(finding):
    return finding.field in PUBLIC_SHIELDED_FIELDS or finding.field.startswith(
        ("transcript-", "segment-")
    )


def holds_back(finding, waived):
    """Whether ``finding`` keeps its story from being published: high-risk, in what
    readers would see, and not among the ``waived`` (``ShieldedStory.shield_review``)."""
    return finding.is_high_risk and is_public(finding) and finding not in waived


def fingerprint(text, finding):
    """A keyed hash of ``finding`` and the text around it: matches it again after
    edits elsewhere, never says what it was (a phone number's hash alone could be
    reversed by trying every number; this one needs the archive's secret key)."""
    around = text[max(0, finding.start - WAIVER_CONTEXT) : finding.end + WAIVER_CONTEXT]
    return salted_hmac(
        "stories.shield.waiver", f"{finding.kind}\0{finding.field}\0{around}", algorithm="sha256"
    ).hexdigest()


class ShieldWaiver(models.Model):
    """A moderator's decision to publish one finding of the shield, and why.

    The finding is named by its kind, its field and a keyed hash
    (``fingerprint``), never by its value: the waiver stops applying once the
    detail or the words around it change.
    """

    story = models.ForeignKey(
        "Story", on_delete=models.CASCADE, related_name="waivers", verbose_name=_("story")
    )
    kind = models.CharField(
        _("kind"), max_length=32, choices=list(shield.KINDS_FOR_MODERATORS.items())
    )
    field = models.CharField(_("field"), max_length=64)
    fingerprint = models.CharField(_("finding (keyed hash)"), max_length=64)
    reason = models.TextField(_("reason"))
    waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("waived by"),
    )
    waived_at = models.DateTimeField(_("waived at"), default=timezone.now)

    class Meta:
        ordering = ["waived_at", "pk"]
        verbose_name = _("identity-shield waiver")
        verbose_name_plural = _("identity-shield waivers")

    def __str__(self):
        return f"{self.kind} in {self.field}"


@dataclass(frozen=True)
class ShieldedText:
    """A text the identity shield reads (Story.shielded_texts), as a moderator sees it named."""

    label: str
    text: str
    # The row it is read from when not the story's own field (a TranscriptSegment or an
    # IndexSegment), and which of that row's fields: where a redaction writes it back.
    row: object = None
    attribute: str = "text"


class ShieldedStory:
    """What the identity shield does on a story (``Story``'s fields, ``self.transcript``)."""

    def shield_findings(self):
        """What the identity shield finds in this story's public text (stories/safety/shield.py).

        Its own fields, and each paragraph of its transcript. An anonymous
        narrator's own name is looked for too, while it is kept (until approval).
        """
        return self._findings_in(self.shielded_texts())

    def _findings_in(self, texts):
        names = (self.narrator_name,) if self.is_anonymous else ()
        return [
            finding
            for field, shielded in texts.items()
            for finding in shield.scan(shielded.text, field=field, names=names)
        ]

    def shield_review(self):
        """(findings, {finding: its waiver}) for this story, from what is loaded
        (``transcript`` and ``waivers`` prefetched, or two queries)."""
        texts = self.shielded_texts()
        findings = self._findings_in(texts)
        waivers = self.waivers_by_key()
        waived = {}
        for finding in findings:
            key = (finding.kind, finding.field, fingerprint(texts[finding.field].text, finding))
            if key in waivers:
                waived[finding] = waivers[key]
        return findings, waived

    def transcript_read_ahead(self):
        """Its transcript's paragraphs; for a story of a list read with
        ``StoryQuerySet.with_shield_review()``, from the rows read with it."""
        if not hasattr(self, "transcript_rows"):
            return self.transcript.all()
        return _rows_as(TranscriptSegment, self.pk, self.transcript_rows)

    def index_read_ahead(self):
        """Its recording's index segments; read with the list's rows, as the transcript."""
        if not hasattr(self, "index_rows"):
            return self.index_segments.all()
        return _rows_as(IndexSegment, self.pk, self.index_rows)

    def waivers_by_key(self):
        """{(kind, field, fingerprint): its waiver}; for a story of a list read with
        ``StoryQuerySet.with_shield_review()``, the keys alone, each to True."""
        if hasattr(self, "waiver_keys"):
            return {tuple(key.split(":")): True for key in (self.waiver_keys or "").split()}
        return {(w.kind, w.field, w.fingerprint): w for w in self.waivers.all()}

    def unresolved_findings(self):
        """The high-risk findings in what readers would see, neither redacted nor waived."""
        findings, waived = self.shield_review()
        return [finding for finding in findings if holds_back(finding, waived)]

    def unresolved_findings_reason(self):
        """Why the shield holds this story back, naming each finding by kind and place
        ("Phone number in Body"), never by its value; "" if it does not."""
        unresolved = self.unresolved_findings()
        if not unresolved:
            return ""
        texts = self.shielded_texts()
        # Counted by kind and place, in the order found: twenty times the same
        # phone number is one thing to do, said once.
        places = Counter(
            (str(moderator_label(finding)), str(texts[finding.field].label))
            for finding in unresolved
        )
        named = "; ".join(
            (_("%(kind)s in %(field)s (%(count)d)") if count > 1 else _("%(kind)s in %(field)s"))
            % {"kind": kind, "field": field, "count": count}
            for (kind, field), count in places.items()
        )
        return _(
            "Redact or waive, with a reason, each detail that could identify someone first: "
            "%(findings)s."
        ) % {"findings": named}

    def waive(self, key, reason, *, by):
        """Waive the finding named ``key`` (``Finding.key``), for ``reason``; the new waiver.

        Found again on the locked row, like a redaction. The reason is required,
        and may not quote the detail: the history is read by every moderator,
        and it records the kind, the field and the reason, never the value.
        """
        reason = reason.strip()
        if not reason:
            raise WaiverRefused(_("Say why this detail may be published."))
        with self.locked() as story:
            texts = story.shielded_texts()
            finding = next((f for f in story._findings_in(texts) if f.key == key), None)
            if finding is None:
                raise WaiverRefused(
                    _("That detail has changed or gone since the page was loaded; look again.")
                )
            if finding.text.casefold() in reason.casefold():
                raise WaiverRefused(_("Give the reason without repeating the detail itself."))
            waiver = story.waivers.create(
                kind=finding.kind,
                field=finding.field,
                fingerprint=fingerprint(texts[finding.field].text, finding),
                reason=reason,
                waived_by=by,
            )
            where = finding.field.partition("-")[0]  # "transcript", not one paragraph's key
            story.record_event(
                WAIVED_NOTE % {"detail": f"{finding.kind} in {where}", "reason": reason},
                by=by,
            )
        return waiver

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
        for paragraph in self.transcript_read_ahead():
            time = transcripts.clock(paragraph.start)
            label = _("Transcript at %(time)s") % {"time": time}
            texts[paragraph.shield_field] = ShieldedText(label, paragraph.text, paragraph)
            if paragraph.text_translation:
                label = _("Transcript translated by the archive at %(time)s") % {"time": time}
                texts[f"{paragraph.shield_field}-translation"] = ShieldedText(
                    label, paragraph.text_translation, paragraph, "text_translation"
                )
        for segment in self.index_read_ahead():
            for name in IndexSegment.SHIELDED_FIELDS:
                text = getattr(segment, name)
                if text:
                    label = _("Index segment at %(time)s: %(field)s") % {
                        "time": segment.clock,
                        "field": segment._meta.get_field(name).verbose_name,
                    }
                    texts[segment.shield_field(name)] = ShieldedText(label, text, segment, name)
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
                shielded = texts[field]
                if shielded.row is None:
                    setattr(story, field, redacted)
                else:
                    setattr(shielded.row, shielded.attribute, redacted)
                    shielded.row.save(update_fields=[shielded.attribute])
            if story.slug and any(finding.field == "title" for finding in chosen):
                # The old address spelled out what was just redacted: it goes
                # (404, not 410) and the story takes one from the new title.
                story.slug = story._unique_slug()
            story.save()
            kinds = {f"{finding.kind} in {finding.field.partition('-')[0]}" for finding in chosen}
            story.record_event(REDACTED_NOTE % {"details": ", ".join(sorted(kinds))}, by=by)
        return chosen


def _rows_as(model, story_id, rows):
    """The JSON rows read with a list's story (``with_shield_review``) as unsaved ``model``s."""
    return [
        model(story_id=story_id, **{**row, "start": datetime.timedelta(seconds=row["start"])})
        for row in sorted(rows or (), key=lambda row: (row["start"], row["id"]))
    ]
