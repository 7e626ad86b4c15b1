"""
The story: what a narrator said, and how it moves through the workflow
(approve, reject, withdraw, redact, erase). The one rule: nothing is public
until a moderator approves it, and every public road reads through
``Story.objects.published()`` (story_queryset.py).

The models of moderation.py import this one, so a story reaches its events,
reports and links through their related managers (``self.events``, ...).
"""

from django.apps import apps
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from taggit.managers import TaggableManager

from ..signals import stories_changed_in_bulk
from .claims import ReviewClaim
from .conversation import StoryConversation
from .erasure import ErasedStory
from .licences import LicensedStory, normalise_identifier
from .locking import LockedChanges
from .notices import HearingBack
from .places import place_key
from .quoting import QUOTE_MAX_LENGTH, QuotedStory
from .recording import RecordedStory, Recording, Voice, forget_files
from .second_approval import SecondApproval
from .shielding import ShieldedStory
from .story_queryset import StoryQuerySet
from .taxonomy import Perspective, TaggedTheme, in_local_order
from .translations import TranslatedStory

EARLIEST_YEAR = 1900
# A reader's pace for the reading time shown under a story's title ("6 min read").
WORDS_READ_A_MINUTE = 200


class InvalidTransition(Exception):
    """A status change that the workflow table does not allow."""


class NotReadyToPublish(InvalidTransition):
    """An approval the story's content does not allow yet (``Story.unready_reason``)."""


class Story(
    RecordedStory,
    LockedChanges,
    ShieldedStory,
    HearingBack,
    QuotedStory,
    SecondApproval,
    StoryConversation,
    TranslatedStory,
    LicensedStory,
    ErasedStory,
):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    Voice = Voice  # what the narrator chose for a recording (recording.py)

    class Language(models.TextChoices):
        ENGLISH = "en", _("English")
        SPANISH = "es", _("Spanish")

    # The workflow table (docs/architecture.md). Changing status anywhere but
    # through _change_status() would skip both this check and the audit trail.
    TRANSITIONS = {
        Status.PENDING: {Status.APPROVED, Status.REJECTED, Status.WITHDRAWN},
        Status.APPROVED: {Status.PENDING, Status.WITHDRAWN},
        Status.REJECTED: {Status.PENDING},
        Status.WITHDRAWN: set(),
    }

    # --- Public: shown on the site once approved. ---
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(
        _("slug"),
        max_length=220,
        unique=True,
        null=True,
        blank=True,
        allow_unicode=True,
        editable=False,
        help_text=_("Given at first approval, from the approved title."),
    )
    # May be empty: a story told only in a recording (approved once the recording is cleared).
    body = models.TextField(_("story"), blank=True)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    # The archive's words, not the narrator's: pages label it as a translation (docs/languages.md).
    summary_translation = models.CharField(
        _("summary translated by the archive"),
        max_length=300,
        blank=True,
        help_text=_(
            "The summary in the other language (Spanish for a story told in English, English "
            "for one told in Spanish), written by a moderator. Readers of the other language "
            "see it labelled as the archive's translation, never as the narrator's words."
        ),
    )
    # Chosen by a moderator (stories/models/quoting.py): shown on cards and theme pages.
    quote = models.CharField(
        _("pull quote"),
        max_length=QUOTE_MAX_LENGTH,
        blank=True,
        help_text=_(
            "One sentence of the story, copied from its text or transcript, in its language. "
            "Shown on cards instead of the summary."
        ),
    )
    narrator_name = models.CharField(_("narrator's name"), max_length=100, blank=True)
    is_anonymous = models.BooleanField(_("anonymous"), default=False)
    narrator_descriptor = models.CharField(
        _("narrator descriptor"),
        max_length=150,
        blank=True,
        help_text=_('For example "nurse, Boyle Heights".'),
    )
    perspective = models.ForeignKey(
        Perspective,
        on_delete=models.PROTECT,
        related_name="stories",
        verbose_name=_("perspective"),
    )
    # Ordered, so a story lists its themes the same way on every page, in every
    # feed and after a restore (the order of the tagging rows is not kept).
    themes = TaggableManager(
        through=TaggedTheme,
        blank=True,
        verbose_name=_("themes"),
        help_text="",
        ordering=["name", "pk"],
    )
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.ENGLISH
    )
    place = models.CharField(_("neighbourhood or city"), max_length=100, blank=True)
    year_happened = models.PositiveSmallIntegerField(
        _("year it happened"),
        null=True,
        blank=True,
        validators=[MinValueValidator(EARLIEST_YEAR), MaxValueValidator(2100)],
    )
    content_note = models.CharField(_("content note"), max_length=200, blank=True)
    featured = models.BooleanField(_("featured"), default=False)
    is_sample = models.BooleanField(
        _("sample content"),
        default=False,
        help_text=_("Fictional story from the sample archive."),
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    # --- Private: only moderators in the admin ever see these. ---
    suggested_theme = models.CharField(_("suggested theme"), max_length=80, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    may_contact = models.BooleanField(
        _("may be contacted"),
        default=False,
        help_text=_("The narrator agreed to be contacted about the story after approval."),
    )
    consent = models.ForeignKey(
        "ConsentText",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stories",
        verbose_name=_("consent text agreed to"),
    )
    consent_language = models.CharField(
        _("consent read in"), max_length=8, choices=Language.choices, blank=True
    )
    consent_given_at = models.DateTimeField(_("consent given"), null=True, blank=True)
    # Given with the consent, for a recording; made more private only (keep_voice_private).
    voice = models.CharField(
        _("voice"), max_length=16, choices=Voice.choices, blank=True, editable=False
    )
    # SHA-256 of the share form's one-time submission id: the same form sent twice
    # (a double click, a reload, a resend after a dropped connection) is one story.
    submission_hash = models.CharField(
        _("submission (hash)"), max_length=64, null=True, blank=True, unique=True, editable=False
    )
    # SHA-256 of the narrator's withdrawal token; the token itself is shown once, never stored.
    withdrawal_token_hash = models.CharField(
        _("withdrawal token (hash)"), max_length=64, blank=True, db_index=True
    )
    moderator_notes = models.TextField(_("moderator notes"), blank=True)
    # The kinds of the shield's findings the narrator chose to send anyway ("phone", ...),
    # never their values; [] when nothing was found, None when not recorded.
    sent_with_findings = models.JSONField(
        _("sent with findings"), null=True, blank=True, editable=False
    )
    submitter_hash = models.CharField(
        _("submitter network (keyed hash)"), max_length=64, blank=True
    )
    theme_suggestion = models.ForeignKey(
        "ThemeSuggestion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stories",
        verbose_name=_("theme suggestion"),
    )
    embargo_until = models.DateTimeField(
        _("embargoed until"),
        null=True,
        blank=True,
        help_text=_("Approval publishes the story no earlier than this."),
    )
    # Chosen by the narrator with their consent (the consent version above says what they
    # read), made more restrictive only (restrict_licence, models/licences.py).
    licence = models.ForeignKey(
        "Licence", on_delete=models.PROTECT, related_name="stories", verbose_name=_("licence")
    )
    # An ARK or a DOI minted outside the project for this story; /s/<id>/ stays its resolver.
    persistent_identifier = models.CharField(
        _("persistent identifier"),
        max_length=200,
        blank=True,
        validators=[normalise_identifier],
        help_text=_("An ARK or a DOI minted for this story, for example ark:/12345/x6b9."),
    )

    # PostgreSQL's search index (stories/search/), filled for approved stories only.
    # Empty on SQLite, whose index is an FTS5 table. The story's own written words, kept
    # in the row (migration 0005): ranking reads it, matching does not.
    search_vector = SearchVectorField(null=True, editable=False)
    # What is matched, never ranked, so kept out of the row (migration 0031), each with a
    # partial GIN index per story language: everything the story says in its language, its
    # cleared recording's transcript included, and the archive's translations, read in the
    # other language (the one they are in; migration 0030).
    said_vector = SearchVectorField(null=True, editable=False)
    translation_vector = SearchVectorField(null=True, editable=False)
    # Index data, large and never shown: what reading a story for a page leaves out.
    SEARCH_VECTORS = ("search_vector", "translation_vector", "said_vector")

    # --- Workflow ---
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now, editable=False)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True, editable=False)
    # Whether readers ever saw the story, which decides what its address
    # answers once it has left the site (410 or 404) and whether it stays an
    # OAI-PMH record. Recorded by _change_status() as the story leaves approved
    # status, from the publication time if that had come; until then
    # published_at alone says it. published_at cannot say it afterwards: a story
    # returned to review or withdrawn under an embargo keeps a date that passes
    # with nobody having seen it.
    first_visible_at = models.DateTimeField(
        _("first seen by readers"), null=True, blank=True, editable=False
    )
    erased_at = models.DateTimeField(
        _("text erased"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the story's text and private details were erased; its events remain."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Raised by every save: a moderator's form carries the version it showed,
    # and a save over someone else's newer one is refused (StoryAdminForm).
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects = StoryQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-submitted_at"]
        verbose_name = _("story")
        verbose_name_plural = _("stories")
        # A volunteer translator's one permission: the translation page of published
        # stories, nothing else of the admin (stories/admin/editors.py, docs/moderation.md).
        permissions = [("translate_story", _("Can translate published stories"))]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "approved", "rejected", "withdrawn"]),
                name="story_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="approved") | models.Q(published_at__isnull=False),
                name="story_approved_has_published_at",
            ),
            models.UniqueConstraint(
                fields=["persistent_identifier"],
                condition=~models.Q(persistent_identifier=""),
                name="story_persistent_identifier_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="story_public_idx"),
            models.Index(fields=["status", "submitted_at"], name="story_queue_idx"),
            models.Index(fields=["perspective", "status", "-published_at"], name="story_persp_idx"),
            # The home page's featured stories, newest first, without walking the archive.
            models.Index(
                fields=["-published_at"],
                condition=models.Q(featured=True, status="approved"),
                name="story_featured_idx",
            ),
            # The browse page's list of years.
            models.Index(fields=["status", "year_happened", "published_at"], name="story_year_idx"),
            # A place's page: its stories by the spellings of its name (models/places.py).
            models.Index(fields=["status", "place", "published_at"], name="story_place_idx"),
        ]
        # SQLite alone also has story_visible_idx, made by raw SQL (migration 0007,
        # SearchEntry). A migration that makes Django remake this table on SQLite
        # (adding a field with a default, say) drops it: such a migration must
        # make it again, as 0010 does; test_search's plan test fails otherwise.

    def __str__(self):
        return self.title or f"story {self.pk} (erased)"

    def get_absolute_url(self):
        return reverse("stories:story-detail", kwargs={"slug": self.slug})

    @property
    def place_slug(self):
        """The key of the place the story names ("boyle-heights"), or "" (models/places.py)."""
        return place_key(self.place)

    @property
    def theme_list(self):
        """The story's themes, by English name: read ahead by ``with_themes()``, or read now."""
        try:
            return self.themes_read_ahead
        except AttributeError:
            return list(self.themes.all())

    @property
    def local_theme_list(self):
        """The story's themes, in the alphabetical order of the reader's language."""
        return in_local_order(self.theme_list)

    @classmethod
    def from_db(cls, db, field_names, values):
        story = super().from_db(db, field_names, values)
        story._remember_as_stored()
        return story

    def _remember_as_stored(self):
        """Keep what decides visibility as the row holds it, for ``is_or_was_visible``."""
        loaded = self.__dict__
        if "status" in loaded and "published_at" in loaded:  # not deferred
            self._as_stored = (self.status, self.published_at)
        else:
            self._as_stored = None  # not known: taken as visible

    def take_fields_of(self, row):
        """Take the fields of ``row`` (a change made on it, ``locked()``), as it stands stored."""
        super().take_fields_of(row)
        self._remember_as_stored()

    @property
    def is_or_was_visible(self):
        """Whether readers see the story, or saw it as its row stood before this change.

        Asked by the page cache's receivers (stories/pagecache/receivers.py) as a change
        to the story is saved or deleted: a story readers neither see nor saw
        changes no public page. "Before" is the row as last read or saved; a
        story not yet stored was not visible.
        """
        stored = getattr(self, "_as_stored", (None, None))  # never stored: not visible
        return self.is_visible or stored is None or self.visible_with(*stored)

    def save(self, *args, update_fields=None, **kwargs):
        now = timezone.now()
        self.ensure_licence()
        self.persistent_identifier = normalise_identifier(self.persistent_identifier)
        if self.status == self.Status.APPROVED and self.published_at and self.published_at > now:
            # Approved, waiting for its date: a changed embargo moves the date.
            self.published_at = max(now, self.embargo_until or now)
        if self.suggested_theme and self.theme_suggestion_id is None and update_fields is None:
            # Narrators who ask for the same theme in their own words are counted together.
            # (ThemeSuggestion from the app registry: moderation.py imports Story.)
            suggestions = apps.get_model("stories", "ThemeSuggestion").objects
            self.theme_suggestion = suggestions.for_text(self.suggested_theme)
        if not self._state.adding:
            self.version += 1
            if update_fields is not None:
                update_fields = {*update_fields, "version"}
        super().save(*args, update_fields=update_fields, **kwargs)
        self._remember_as_stored()

    def delete(self, *args, **kwargs):
        pk, using = self.pk, self._state.db
        files = list(
            Recording.objects.using(using).filter(story=pk).values_list("stored_as", flat=True)
        )
        deleted = super().delete(*args, **kwargs)
        forget_files(files, using=using)
        return deleted

    def touch(self):
        """Record that what readers see of the story changed, not its own fields.

        For a recording cleared, held back or removed: feeds, the API and
        OAI-PMH date a story by ``updated_at``, and harvesters ask for what
        changed since. Not through save(): the story's version stays, so no
        moderator's open form is refused for it.
        """
        self.updated_at = timezone.now()
        touched = Story.objects.filter(pk=self.pk)
        touched.update(updated_at=self.updated_at)
        stories_changed_in_bulk(touched)

    @property
    def is_visible(self):
        """Whether readers can see the story now (``StoryQuerySet.published()``)."""
        return self.visible_with(self.status, self.published_at)

    @classmethod
    def visible_with(cls, status, published_at):
        """Whether a story with this status and publication time is visible now.

        The same rule as ``StoryQuerySet.visible_now()``, asked of one story.
        """
        return (
            status == cls.Status.APPROVED
            and published_at is not None
            and published_at <= timezone.now()
        )

    @property
    def was_once_visible(self):
        """Whether readers ever saw the story (``StoryQuerySet.once_visible()``)."""
        return self.is_visible or self.first_visible_at is not None

    @property
    def display_name(self):
        if self.is_anonymous or not self.narrator_name.strip():
            return _("Anonymous")
        return self.narrator_name

    # --- Workflow: the only way status changes ---

    @property
    def reading_minutes(self):
        """Minutes to read the written story at 200 words a minute: at least 1, 0 without words."""
        words = len(self.body.split())
        return max(1, round(words / WORDS_READ_A_MINUTE)) if words else 0

    @property
    def told_only_in_a_recording(self):
        return not self.body.strip()

    def unready_reason(self):
        """Why this story cannot be published yet, or "" if it can.

        A story told only in a recording has nothing a moderator has read: it
        waits until one has listened to all of it and cleared it. Shield: shielding.py.
        """
        if reason := self.unresolved_findings_reason():
            return reason
        recording = getattr(self, "recording", None)
        if self.told_only_in_a_recording and (recording is None or not recording.is_cleared):
            return _(
                "It is told only in a recording, and no moderator has listened to all of "
                "it and cleared it yet."
            )
        return ""

    def approve(self, *, by, note=""):
        """Publish, or record a first approval (second_approval.py): the event says which."""
        with self.locked() as story:
            if reason := story.unready_reason():
                raise NotReadyToPublish(reason)
            if first := story.record_first_approval(by=by, note=note):
                return first  # still pending

        def publish(story):
            if reason := story.unready_reason() or story.second_approval_missing(by):
                raise NotReadyToPublish(reason)
            now = timezone.now()
            embargoed = story.embargo_until is not None and story.embargo_until > now
            # A story approved again keeps its first publication date, for
            # citations, unless its narrator has since asked for a later one.
            # Only a date readers saw it on: one that an embargo had set and
            # that passed while the story was back in review is not that.
            seen = story.first_visible_at is not None and story.published_at <= now
            if not seen or embargoed:
                story.published_at = max(now, story.embargo_until or now)
            if not story.slug:
                story.slug = story._unique_slug()
            # Kept only for review: the email to ask a question (and to send
            # the decision notice, which erases it once sent: notices.py), the
            # name of an anonymous narrator to check the story does not reveal it.
            if not story.may_contact and story.decision_notice_due is None:
                story.contact_email = ""
            if story.is_anonymous:
                story.narrator_name = ""

        return self._change_status(self.Status.APPROVED, by=by, note=note, before_save=publish)

    def reject(self, *, by, reason="", note="", note_to_narrator=""):
        """``reason`` is one of ModerationEvent.RejectionReason; ``note`` says more to
        moderators, ``note_to_narrator`` to the narrator (their private page, the notice)."""
        return self._change_status(
            self.Status.REJECTED, by=by, note=note, reason=reason, note_to_narrator=note_to_narrator
        )

    def return_to_review(self, *, by, note=""):
        """Approved or rejected back to pending; ``by`` is None for the system."""
        return self._change_status(self.Status.PENDING, by=by, note=note)

    def withdraw(self, *, note=""):
        """The narrator takes the story back. Final.

        The recording goes at once, file and all: the text is kept for a grace
        period (in case of a mistake), but a voice is the narrator's own
        identity, and nothing about a withdrawn story needs it.
        """

        def stamp(story):
            # The private link keeps working, to say "withdrawn", until erasure.
            story.withdrawn_at = timezone.now()
            Recording.objects.filter(story=story).delete()

        return self._change_status(self.Status.WITHDRAWN, by=None, note=note, before_save=stamp)

    def set_featured(self, featured, *, by):
        with self.locked() as story:
            if story.featured == featured:
                return False
            story.featured = featured
            story.save(update_fields=["featured", "updated_at"])
            story.record_event(
                gettext_noop("Featured") if featured else gettext_noop("Unfeatured"), by=by
            )
        return True

    def _change_status(self, to_status, *, by, note, before_save=None, **event):
        """Move to ``to_status`` if the workflow allows it, and record the event.

        The row is locked and re-read first, so two moderators acting on the
        same story at once produce one change and one event, not two.
        """
        with self.locked() as story:
            if to_status not in self.TRANSITIONS[story.status]:
                raise InvalidTransition(f"A {story.status} story cannot become {to_status}.")
            from_status = story.status
            if story.is_visible and story.first_visible_at is None:
                story.first_visible_at = story.published_at  # it leaves the site now
            story.status = to_status
            story.plan_decision_notice()
            if before_save:
                before_save(story)
            story.first_approved_by, story.first_approved_at = None, None
            story.save()
            ReviewClaim.objects.filter(story=story).delete()  # decided: no one is reviewing it
            return story.record_event(note, by=by, from_status=from_status, **event)

    def record_event(self, note, *, by, from_status=None, **event):
        """Write one line of the story's history (a ``ModerationEvent``).

        Its move from ``from_status`` to its present status; with no
        ``from_status``, something done to it that left its status as it was.
        ``event``: its other fields (a rejection's reason, a narrator's message).
        """
        return self.events.create(
            actor=by,
            from_status=self.status if from_status is None else from_status,
            to_status=self.status,
            note=note,
            **event,
        )

    def _unique_slug(self):
        base = slugify(self.title, allow_unicode=True)[:200].strip("-") or f"story-{self.pk}"
        slug, n = base, 2
        while Story.objects.filter(slug=slug).exclude(pk=self.pk).exists():
            slug = f"{base}-{n}"
            n += 1
        return slug
