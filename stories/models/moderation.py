"""
What moderators and narrators do around a story: the status changes it went
through (``ModerationEvent``), readers' reports, narrators' theme suggestions,
the links between stories in conversation, and the consent text a narrator
agreed to, version by version.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from ..signals import stories_changed_in_bulk
from .event_notes import RETURNED_BY_REPORTS, shown_note
from .story import InvalidTransition, Story
from .taxonomy import TaggedTheme, Theme


class ConsentTextQuerySet(models.QuerySet):
    def current(self):
        """The version the share form shows now: the newest."""
        return self.order_by("-created_at", "-pk").first()

    def get_by_natural_key(self, version):
        return self.get(version=version)


class ConsentText(models.Model):
    """One version of what a narrator agrees to, word for word, in both languages.

    A version is never edited once written: a change is a new version, so
    each story keeps the exact text its narrator agreed to. Lines starting
    with "- " are the points of a list; blank lines separate paragraphs.
    """

    version = models.CharField(_("version"), max_length=20, unique=True)
    text_en = models.TextField(_("text in English"))
    text_es = models.TextField(_("text in Spanish"))
    # The text in a few plain points, shown above the consent box with the whole text a
    # tap away. Part of the version: a new text comes with its own summary.
    summary_en = models.TextField(_("summary in English"), blank=True)
    summary_es = models.TextField(_("summary in Spanish"), blank=True)
    created_at = models.DateTimeField(_("in use from"), default=timezone.now)

    objects = ConsentTextQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("consent text")
        verbose_name_plural = _("consent texts")

    def __str__(self):
        return self.version

    def natural_key(self):
        return (self.version,)

    def text_in(self, language):
        return self.text_es if language == "es" else self.text_en

    def summary_in(self, language):
        return self.summary_es if language == "es" else self.summary_en

    def blocks(self, language):
        """The text in ``language`` as paragraphs and lists, for a template to lay out."""
        return self._blocks_of(self.text_in(language))

    def summary_blocks(self, language):
        """The summary in ``language``, laid out as ``blocks``; empty for a version without one."""
        return self._blocks_of(self.summary_in(language))

    @staticmethod
    def _blocks_of(text):
        blocks = []
        for chunk in text.strip().split("\n\n"):
            lines = [line.strip() for line in chunk.splitlines() if line.strip()]
            if lines and all(line.startswith("- ") for line in lines):
                blocks.append(ConsentBlock(points=tuple(line[2:] for line in lines)))
            elif lines:
                blocks.append(ConsentBlock(paragraph=" ".join(lines)))
        return blocks


@dataclass(frozen=True)
class ConsentBlock:
    paragraph: str = ""
    points: tuple = ()


class ModerationEvent(models.Model):
    """One line of a story's audit trail, written by the method that changed it."""

    class RejectionReason(models.TextChoices):
        OFF_TOPIC = "off_topic", _("Not about the city's sanctuary policies")
        IDENTIFIES_SOMEONE = "identifies_someone", _("Could identify someone who has not agreed")
        NOT_FIRST_HAND = "not_first_hand", _("Not a first-hand account")
        HATE = "hate", _("Hate, harassment or a threat")
        SPAM = "spam", _("Spam or advertising")
        DUPLICATE = "duplicate", _("Duplicate of another story")
        OTHER = "other", _("Another reason, given in the note")

    story = models.ForeignKey(
        Story, on_delete=models.CASCADE, related_name="events", verbose_name=_("story")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="moderation_events",
        verbose_name=_("changed by"),
        help_text=_("Empty when the narrator or the system acted."),
    )
    from_status = models.CharField(
        _("from status"), max_length=16, choices=Story.Status.choices, blank=True
    )
    to_status = models.CharField(_("to status"), max_length=16, choices=Story.Status.choices)
    reason = models.CharField(
        _("rejection reason"), max_length=32, choices=RejectionReason.choices, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    # A rejection's note the narrator reads on their private page and in the notice.
    note_to_narrator = models.TextField(_("note for the narrator"), blank=True)
    # What a narrator asked of moderators from their private page (a correction).
    narrator_message = models.TextField(_("narrator's message"), blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("moderation event")
        verbose_name_plural = _("moderation events")
        indexes = [models.Index(fields=["story", "created_at"], name="event_story_idx")]

    def __str__(self):
        # Statuses by their labels, in the reader's language: the admin shows this over each
        # line of a story's history.
        before = self.get_from_status_display() or "-"
        return f"{self.story_id}: {before} → {self.get_to_status_display()}"

    @property
    def shown_note(self):
        """The note in the reader's language when the archive wrote it (event_notes.py)."""
        return shown_note(self.note)


class ReportQuerySet(models.QuerySet):
    def open(self):
        return self.filter(resolved_at=None)


class Report(models.Model):
    """A reader's report that a published story breaks the archive's rules.

    Who reported is known only by the keyed hash of their network, as
    submitters are (stories/safety/limits.py): enough to count distinct reporters,
    never an address.
    """

    class Reason(models.TextChoices):
        PERSONAL_INFORMATION = "personal_information", _("Personal information exposed")
        HARASSMENT = "harassment", _("Harassment or hate")
        FALSE_ATTRIBUTION = "false_attribution", _("False attribution")
        SPAM = "spam", _("Spam")
        OTHER = "other", _("Other")

    class Resolution(models.TextChoices):
        NO_ACTION = "no_action", _("No change needed")
        STORY_EDITED = "story_edited", _("Story edited or redacted")
        STORY_REMOVED = "story_removed", _("Story taken off the site")

    story = models.ForeignKey(
        Story, on_delete=models.CASCADE, related_name="reports", verbose_name=_("story")
    )
    reason = models.CharField(_("reason"), max_length=32, choices=Reason.choices)
    details = models.TextField(_("details"), max_length=2000, blank=True)
    email = models.EmailField(_("reporter's email"), blank=True)
    reporter_hash = models.CharField(_("reporter network (keyed hash)"), max_length=64)
    created_at = models.DateTimeField(_("reported"), default=timezone.now, editable=False)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True, editable=False)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resolved_reports",
        verbose_name=_("resolved by"),
        editable=False,
    )
    resolution = models.CharField(
        _("resolution"), max_length=32, choices=Resolution.choices, blank=True, editable=False
    )

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        indexes = [models.Index(fields=["story", "resolved_at"], name="report_story_open_idx")]

    def __str__(self):
        return f"{self.get_reason_display()}: {self.story}"

    @classmethod
    def file(cls, story, *, reason, details, email, reporter_hash):
        """Record a report; enough reporters of exposed personal information hide the story.

        Counted by distinct reporter hash, so one person cannot take a story
        down alone: at REPORTS_TO_HIDE_STORY, the story goes back to review at
        once, recorded as the system's event, and a moderator decides.
        """
        report = cls.objects.create(
            story=story, reason=reason, details=details, email=email, reporter_hash=reporter_hash
        )
        if reason == cls.Reason.PERSONAL_INFORMATION:
            # Since the story was last approved: a moderator who approves it again
            # has judged the reports before, even if they left them open.
            approved_at = (
                story.events.filter(to_status=Story.Status.APPROVED)
                # An approval, not a line written of an approved story (featured, a correction).
                .exclude(from_status=F("to_status"))
                .order_by("-created_at")
                .values_list("created_at", flat=True)
                .first()
            )
            reports = story.reports.open().filter(reason=cls.Reason.PERSONAL_INFORMATION)
            if approved_at is not None:
                reports = reports.filter(created_at__gte=approved_at)
            reporters = reports.values("reporter_hash").distinct().count()
            if (
                reporters >= settings.REPORTS_TO_HIDE_STORY
                and story.status == Story.Status.APPROVED
            ):
                try:
                    story.return_to_review(
                        by=None,
                        note=RETURNED_BY_REPORTS % {"count": reporters},
                    )
                except InvalidTransition:
                    pass  # another report got there first
        return report

    def resolve(self, resolution, *, by):
        """Close the report, recording who closed it and how; False if it was closed already."""
        closed = Report.objects.filter(pk=self.pk, resolved_at=None).update(
            resolved_at=timezone.now(), resolved_by=by, resolution=resolution
        )
        self.refresh_from_db(fields=["resolved_at", "resolved_by", "resolution"])
        return bool(closed)


def suggestion_key(text):
    """The form two narrators' ways of writing one theme share: "Schools" and "schools"."""
    return slugify(text.strip().casefold(), allow_unicode=True)[:80]


class ThemeSuggestionQuerySet(models.QuerySet):
    def for_text(self, text):
        """The suggestion a narrator's words belong to, made on first use."""
        key = suggestion_key(text)
        if not key:
            return None
        suggestion, _created = self.get_or_create(key=key, defaults={"name": text.strip()[:80]})
        return suggestion

    def waiting(self):
        """Suggestions no moderator has decided on, most asked-for first."""
        return (
            self.filter(decision=ThemeSuggestion.Decision.WAITING)
            .annotate(story_count=Count("stories"))
            .filter(story_count__gt=0)
            .order_by("-story_count", "created_at")
        )


class ThemeSuggestion(models.Model):
    """A theme narrators asked for, and what moderators decided about it."""

    class Decision(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        ACCEPTED = "accepted", _("Accepted as a new theme")
        MAPPED = "mapped", _("Mapped onto an existing theme")
        DECLINED = "declined", _("Declined")

    name = models.CharField(_("suggested as"), max_length=80)
    key = models.CharField(_("key"), max_length=80, unique=True, editable=False)
    decision = models.CharField(
        _("decision"),
        max_length=16,
        choices=Decision.choices,
        default=Decision.WAITING,
        editable=False,
    )
    theme = models.ForeignKey(
        Theme,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="suggestions",
        verbose_name=_("theme"),
        editable=False,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
        editable=False,
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("first suggested"), default=timezone.now, editable=False)

    objects = ThemeSuggestionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("theme suggestion")
        verbose_name_plural = _("theme suggestions")

    def __str__(self):
        return self.name

    def forget_a_narrator(self):
        """A story that asked for this was erased: its narrator's words go.

        The name is the first narrator's own wording: it takes that of the
        first narrator still asking, or the suggestion goes once none is left,
        whatever a moderator decided (a theme made from it is the moderator's
        and stays).
        """
        wordings = self.stories.exclude(suggested_theme="").order_by("submitted_at", "pk")
        wording = wordings.values_list("suggested_theme", flat=True).first()
        if wording is None:
            self.delete()
        elif self.name != wording.strip()[:80]:
            self.name = wording.strip()[:80]
            self.save(update_fields=["name"])

    def accept(self, *, by, name=None, name_es=""):
        """Create the theme (named as suggested unless ``name`` says otherwise); tag the stories."""
        with transaction.atomic():
            theme = Theme.objects.create(name=name or self.name, name_es=name_es)
            self._decide(self.Decision.ACCEPTED, theme, by)
        return theme

    def map_onto(self, theme, *, by):
        """Tag the stories that asked for this suggestion with an existing theme."""
        with transaction.atomic():
            self._decide(self.Decision.MAPPED, theme, by)

    def decline(self, *, by):
        self._decide(self.Decision.DECLINED, None, by)

    def _decide(self, decision, theme, by):
        self.decision, self.theme = decision, theme
        self.decided_by, self.decided_at = by, timezone.now()
        self.save()
        if theme is not None:
            stories = Story.objects.filter(theme_suggestion=self)
            already = TaggedTheme.objects.filter(tag=theme).values("content_object")
            TaggedTheme.objects.bulk_create(
                TaggedTheme(content_object=story, tag=theme)
                for story in stories.exclude(pk__in=already)
            )
            # Their themes changed: a change form opened before must not save over it.
            stories.update(version=F("version") + 1)
            # bulk_create and update() send no signal: the cached pages and the index learn it here.
            stories_changed_in_bulk(stories)


class StoryLinkQuerySet(models.QuerySet):
    def public(self):
        """Links whose two stories are both published: only these are ever shown."""
        published = Story.objects.published()
        return self.filter(from_story__in=published, to_story__in=published)


class StoryLink(models.Model):
    """Two stories in conversation, linked by a moderator."""

    class Relation(models.TextChoices):
        RESPONDS_TO = "responds_to", _("responds to")
        SAME_EVENT = "same_event", _("tells of the same event as")
        CONTRASTING_VIEW = "contrasting_view", _("gives a contrasting view to")

    from_story = models.ForeignKey(
        Story, on_delete=models.CASCADE, related_name="links_out", verbose_name=_("story")
    )
    relation = models.CharField(_("relation"), max_length=32, choices=Relation.choices)
    to_story = models.ForeignKey(
        Story, on_delete=models.CASCADE, related_name="links_in", verbose_name=_("linked story")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("linked"), default=timezone.now, editable=False)

    # How the story page words a link, seen from either of its two stories.
    OUTGOING = {
        Relation.RESPONDS_TO: _("Responds to"),
        Relation.SAME_EVENT: _("The same event"),
        Relation.CONTRASTING_VIEW: _("A contrasting view"),
    }
    INCOMING = {
        Relation.RESPONDS_TO: _("A response"),
        Relation.SAME_EVENT: _("The same event"),
        Relation.CONTRASTING_VIEW: _("A contrasting view"),
    }

    objects = StoryLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("linked story")
        verbose_name_plural = _("stories in conversation")
        constraints = [
            models.UniqueConstraint(fields=["from_story", "to_story"], name="unique_story_link"),
            models.CheckConstraint(
                condition=~Q(from_story=F("to_story")), name="story_link_not_to_itself"
            ),
        ]

    def __str__(self):
        return f"{self.from_story} {self.get_relation_display()} {self.to_story}"

    def clean(self):
        if self.from_story_id and self.from_story_id == self.to_story_id:
            raise ValidationError(_("A story cannot be linked to itself."))
        if self.to_story_id and not Story.objects.published().filter(pk=self.to_story_id).exists():
            raise ValidationError(_("Only a published story can be linked."))
        reverse = StoryLink.objects.filter(from_story=self.to_story_id, to_story=self.from_story_id)
        if self.from_story_id and reverse.exists():
            raise ValidationError(_("These two stories are linked already, the other way round."))
