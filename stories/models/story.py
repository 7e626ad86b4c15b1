"""
The archive's domain: who speaks (Perspective), about what (Theme), what they
said (Story), and how each story reached its status (ModerationEvent).

The one rule lives here: nothing is public until a moderator approves it, and
every public road reads through ``Story.objects.published()``.
"""

import datetime
import hashlib
import uuid
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst, slugify
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from taggit.models import TagBase, TaggedItemBase

from .. import audio, privacy, search, shield, transcripts
from ..pagecache import counted_once_per_generation
from ..signals import stories_changed_in_bulk

EARLIEST_YEAR = 1900


def hash_withdrawal_token(token):
    """What the archive keeps of a withdrawal token: a leaked database cannot withdraw."""
    return hashlib.sha256(token.encode()).hexdigest()


def hash_submission_id(submission_id):
    return hashlib.sha256(submission_id.encode()).hexdigest()


def in_local_order(named):
    """Themes (or anything with ``local_name``) in the alphabetical order of the reader's language.

    Sorted in Python, by the name as the reader sees it, without accents or
    case ("Ámbito" among the a's); the database orders by the English name.
    """
    return sorted(named, key=lambda item: (search.fold(item.local_name), item.pk))


class BilingualNameMixin:
    """Curated names are written in English and Spanish by moderators.

    The English ``name`` is canonical (it drives slugs and taggit); the Spanish
    fields are shown to readers of the Spanish site when a moderator filled
    them in, and English is the fallback.
    """

    @property
    def local_name(self):
        if get_language() == "es" and self.name_es:
            return self.name_es
        return self.name

    @property
    def local_description(self):
        if get_language() == "es" and self.description_es:
            return self.description_es
        return self.description


class PerspectiveQuerySet(models.QuerySet):
    def with_published_counts(self):
        """The perspectives, each with ``published_count``: two queries, however many stories.

        Counted through ``Story.objects.published()`` in one grouped query,
        so a hidden story is never counted (a subquery per perspective took
        0.7 s at 100,000 stories).
        """
        counts = counted_once_per_generation(
            "stories-per-perspective",
            lambda: dict(
                Story.objects.published()
                .order_by()
                .values_list("perspective")
                .annotate(count=Count("pk"))
            ),
        )
        perspectives = list(self)
        for perspective in perspectives:
            perspective.published_count = counts.get(perspective.pk, 0)
        return perspectives

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Perspective(BilingualNameMixin, models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True)
    name_es = models.CharField(_("name in Spanish"), max_length=80, blank=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True)
    description_es = models.TextField(_("description in Spanish"), blank=True)
    display_order = models.PositiveSmallIntegerField(_("display order"), default=0)

    objects = PerspectiveQuerySet.as_manager()

    class Meta:
        ordering = ["display_order", "name"]
        verbose_name = _("perspective")
        verbose_name_plural = _("perspectives")

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)

    def get_absolute_url(self):
        return reverse("stories:perspective-detail", kwargs={"slug": self.slug})


class ThemeQuerySet(models.QuerySet):
    def with_published_counts(self):
        """Every theme, each with ``published_count``, in the reader's order: two queries."""
        counts = counted_once_per_generation(
            "stories-per-theme", lambda: self.counts_among(Story.objects.published())
        )
        themes = in_local_order(self)
        for theme in themes:
            theme.published_count = counts.get(theme.pk, 0)
        return themes

    def counts_among(self, stories):
        """{theme id: how many of ``stories`` carry it}, in one grouped query."""
        return dict(self.tally_among(stories.order_by().values("pk")))

    @staticmethod
    def tally_among(story_ids):
        """The grouped query behind ``counts_among()``: (theme id, count) rows.

        Counted from the story side, through the tags of those stories alone:
        counting from the theme side, a subquery per theme, read every tag in
        the archive (1.8 s for the home page at 100,000 stories).
        """
        return (
            TaggedTheme.objects.filter(content_object__in=story_ids)
            .values_list("tag")
            .annotate(count=Count("pk"))
            .order_by()
        )

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Theme(BilingualNameMixin, TagBase):
    """A curated theme. Narrators choose from these; moderators edit and merge them."""

    # TagBase gives name and slug (unique, canonical English).
    name_es = models.CharField(_("name in Spanish"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_es = models.TextField(_("description in Spanish"), blank=True)

    objects = ThemeQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def natural_key(self):
        return (self.slug,)

    def slugify(self, tag, i=None):
        slug = slugify(tag, allow_unicode=True)
        return f"{slug}-{i}" if i is not None else slug

    def get_absolute_url(self):
        return reverse("stories:theme-detail", kwargs={"slug": self.slug})

    @classmethod
    def from_db(cls, db, field_names, values):
        theme = super().from_db(db, field_names, values)
        theme._remember_names()
        return theme

    def _remember_names(self):
        loaded = self.__dict__
        self._names_as_stored = (loaded.get("name"), loaded.get("name_es"))

    @property
    def names_changed(self):
        """Whether the names differ from the row as last read or saved (stories are found by them).

        Asked by the search index's receiver as the theme is saved; a theme not
        yet stored, or read without its names, is taken as renamed.
        """
        stored = getattr(self, "_names_as_stored", (None, None))
        return None in stored or stored != (self.name, self.name_es)

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        self._remember_names()

    def stories_by_perspective(self, perspectives, *, per_perspective):
        """The theme's newest published stories, one column per perspective.

        Returns ``(perspective, stories, total)`` for every perspective, in
        display order, so an empty column shows a voice that is missing.
        """
        tagged = Story.objects.published().carrying_any_theme_of([self.pk])
        totals = counted_once_per_generation(
            f"theme-{self.pk}-stories-per-perspective",
            lambda: dict(
                tagged.order_by().values_list("perspective_id").annotate(total=Count("pk"))
            ),
        )
        newest = tagged.for_listing().newest_per_perspective(
            per_perspective, [perspective.pk for perspective in perspectives]
        )
        by_perspective = {}
        for story in newest:
            by_perspective.setdefault(story.perspective_id, []).append(story)
        return [
            (perspective, by_perspective.get(perspective.pk, []), totals.get(perspective.pk, 0))
            for perspective in perspectives
        ]

    def merge_into(self, target):
        """Move every story tagged with this theme onto ``target``, then delete this theme."""
        with transaction.atomic():
            already_tagged = TaggedTheme.objects.filter(tag=target).values("content_object")
            retagged = Story.objects.filter(
                pk__in=list(self.tagged_stories.values_list("content_object", flat=True))
            )
            retagged.update(version=F("version") + 1)  # as in ThemeSuggestion._decide
            TaggedTheme.objects.filter(tag=self).exclude(content_object__in=already_tagged).update(
                tag=target
            )
            stories_changed_in_bulk(retagged)
            self.delete()


class TaggedTheme(TaggedItemBase):
    content_object = models.ForeignKey(
        "Story", on_delete=models.CASCADE, related_name="tagged_themes"
    )
    tag = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="tagged_stories")

    class Meta:
        verbose_name = _("story theme")
        verbose_name_plural = _("story themes")
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="unique_story_theme"),
        ]


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

    def blocks(self, language):
        """The text in ``language`` as paragraphs and lists, for a template to lay out."""
        blocks = []
        for chunk in self.text_in(language).strip().split("\n\n"):
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


@dataclass(frozen=True)
class ShieldedText:
    """A text the identity shield reads (Story.shielded_texts), as a moderator sees it named."""

    label: str
    text: str
    segment: object = None  # the TranscriptSegment it is, for a transcript paragraph


@dataclass(frozen=True)
class LanguageCount:
    """A language facet, shaped like the annotated perspectives and themes beside it."""

    slug: str  # the language code, as in ?language=
    local_name: str
    matching_count: int


def facets_of(pairs, theme_counts, perspectives, themes):
    """The facets beside a list of stories, from how many each (perspective,
    language) pair and each theme has, named from ``perspectives`` and ``themes``.

    Each perspective's and each language's count is a sum over the other.
    Every story has exactly one perspective, so their sum is the number of stories.
    """
    by_perspective, by_language = Counter(), Counter()
    for (perspective_id, language), count in pairs.items():
        by_perspective[perspective_id] += count
        by_language[language] += count
    return {
        "total": sum(by_perspective.values()),
        "perspectives": with_matching_counts(perspectives, by_perspective),
        "themes": with_matching_counts(themes, theme_counts),
        "languages": [
            LanguageCount(code, label, by_language[code])
            for code, label in Story.Language.choices
            if by_language[code]
        ],
    }


def with_matching_counts(options, counts):
    """The ``options`` (perspectives or themes) that ``counts`` has, with ``matching_count``."""
    counted = [option for option in options if counts.get(option.pk)]
    for option in counted:
        option.matching_count = counts[option.pk]
    return counted


class InvalidTransition(Exception):
    """A status change that the workflow table does not allow."""


def visible_now():
    """What makes a story visible: approved, and its publication time (an embargo's date) past."""
    return Q(status=Story.Status.APPROVED, published_at__lte=timezone.now())


class StoryQuerySet(models.QuerySet):
    # Set by published() on the set of every public story, nothing left out.
    # Narrowing it makes a new queryset, which does not carry the mark.
    is_every_public_story = False

    def published(self):
        """The one gateway for every public road: approved and past its publication time."""
        stories = self.filter(visible_now())
        # Search counts the matches among every public story in its index alone (search.py).
        stories.is_every_public_story = not self.query.has_filters()
        return stories

    def once_visible(self):
        """Stories readers saw at some time: visible now, or seen before they left the site.

        The one rule for what leaves a trace: only these are OAI-PMH records
        (deleted ones once they have left), and only a withdrawn one of these
        answers 410; any other story answers as an unknown one would
        (``Story.first_visible_at``).
        """
        return self.filter(visible_now() | Q(first_visible_at__isnull=False))

    def withdrawn_after_publication(self):
        """Withdrawn stories that readers once saw: their address answers 410 Gone."""
        return self.once_visible().filter(status=Story.Status.WITHDRAWN)

    def withdrawable_with(self, token_hashes):
        """The pending or approved stories these withdrawal links (their hashes) can withdraw.

        By hash: the narrator's session keeps only the hash of a link opened.
        """
        return self.filter(
            # An empty hash is a withdrawn story's (or one sent without a link): never a match.
            withdrawal_token_hash__in=[token_hash for token_hash in token_hashes if token_hash],
            status__in=[Story.Status.PENDING, Story.Status.APPROVED],
        )

    def due_for_erasure(self):
        """Withdrawn and rejected stories kept long enough: their text is to be erased.

        Withdrawn ones after a grace period (a narrator who withdrew by mistake
        can still ask for the story back); rejected ones once a moderator has
        had time to reconsider. Counted from the withdrawal, or from the last
        rejection in the story's history.
        """
        now = timezone.now()
        rejected_at = (
            ModerationEvent.objects.filter(story=OuterRef("pk"), to_status=Story.Status.REJECTED)
            .order_by("-created_at")
            .values("created_at")[:1]
        )
        withdrawn_before = now - datetime.timedelta(days=settings.WITHDRAWN_TEXT_GRACE_DAYS)
        rejected_before = now - datetime.timedelta(days=settings.REJECTED_TEXT_RETENTION_DAYS)
        return (
            self.filter(erased_at=None)
            .annotate(rejected_at=Subquery(rejected_at))
            .filter(
                Q(status=Story.Status.WITHDRAWN, withdrawn_at__lte=withdrawn_before)
                | Q(status=Story.Status.REJECTED, rejected_at__lte=rejected_before)
            )
        )

    def for_listing(self):
        # The search vector is PostgreSQL's index data: large, and never shown.
        # The recording (if any) comes with the row: cards mark stories that have one.
        return self.select_related("perspective", "recording").with_themes().defer("search_vector")

    def with_themes(self):
        """These stories, each with its themes read ahead (``Story.theme_list``): one query.

        taggit's own prefetch ("themes") also builds a queryset for each story
        as it hands the themes out: 0.2 ms a story, 4 ms for a page of twenty.
        """
        return self.prefetch_related(models.Prefetch("themes", to_attr="themes_read_ahead"))

    def with_public_recording(self):
        """These stories, if they have a recording that a moderator has listened to and cleared."""
        return self.filter(recording__cleared_at__isnull=False)

    def search(self, query):
        """These stories that match ``query``, best first (stories/search.py)."""
        return search.search(self, query)

    def matching(self, query):
        """These stories that match ``query``, in no particular order: cheaper to count."""
        return search.matching(self, query)

    def counts_by_perspective_and_language(self):
        """{(perspective id, language): how many of these stories}, in one grouped query."""
        rows = (
            Story.objects.filter(pk__in=self.order_by().values("pk"))
            .values_list("perspective_id", "language")
            .annotate(count=Count("pk"))
            .order_by()
        )
        return Counter({(perspective, language): count for perspective, language, count in rows})

    def delete(self):
        recordings = Recording.objects.using(self.db).filter(story__in=self.values("pk"))
        files = list(recordings.values_list("stored_as", flat=True))
        deleted = super().delete()
        # Their recordings went with them, by cascade, which leaves the files behind.
        forget_files(files, using=self.db)
        return deleted

    def years_happened(self):
        return (
            self.exclude(year_happened=None)
            .order_by("-year_happened")
            .values_list("year_happened", flat=True)
            .distinct()
        )

    def carrying_any_theme_of(self, themes):
        """These stories, if tagged with any of ``themes``; each story once.

        A correlated EXISTS, not a join: a story is checked against its own
        tags as it is read, so a query that wants only the newest few stops
        after finding them.
        """
        tagged = TaggedTheme.objects.filter(content_object=OuterRef("pk"), tag__in=themes)
        return self.filter(Exists(tagged))

    def newest_per_perspective(self, count, perspective_ids):
        """At most ``count`` newest of these stories for each of the perspectives.

        The ids come first, in one query over the perspectives: for each, the
        k-th newest story's id is a subquery that reads that perspective's
        stories newest first (story_persp_idx) and stops there. Numbering
        every story of the set instead (a window function) read all of them:
        0.1 to 0.3 s at 100,000 stories. Returns a queryset of those stories.
        """
        newest = self.filter(perspective_id=OuterRef("pk")).order_by("-published_at", "-pk")
        ranks = {f"newest_{k}": Subquery(newest.values("pk")[k : k + 1]) for k in range(count)}
        rows = (
            Perspective.objects.filter(pk__in=perspective_ids).annotate(**ranks).values_list(*ranks)
        )
        return self.filter(pk__in=[pk for row in rows for pk in row if pk is not None])


class Story(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

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
    body = models.TextField(_("story"))
    summary = models.CharField(_("summary"), max_length=300, blank=True)
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
        ConsentText,
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

    # PostgreSQL's search index (stories/search.py), filled for approved stories only;
    # its GIN index is made by migration 0004. Empty on SQLite, whose index is an FTS5 table.
    search_vector = SearchVectorField(null=True, editable=False)

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
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "approved", "rejected", "withdrawn"]),
                name="story_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="approved") | models.Q(published_at__isnull=False),
                name="story_approved_has_published_at",
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

    @property
    def is_or_was_visible(self):
        """Whether readers see the story, or saw it as its row stood before this change.

        Asked by the page cache's receivers (stories/pagecache_receivers.py) as a change
        to the story is saved or deleted: a story readers neither see nor saw
        changes no public page. "Before" is the row as last read or saved; a
        story not yet stored was not visible.
        """
        stored = getattr(self, "_as_stored", (None, None))  # never stored: not visible
        return self.is_visible or stored is None or self.visible_with(*stored)

    def save(self, *args, update_fields=None, **kwargs):
        now = timezone.now()
        if self.status == self.Status.APPROVED and self.published_at and self.published_at > now:
            # Approved, waiting for its date: a changed embargo moves the date.
            self.published_at = max(now, self.embargo_until or now)
        if self.suggested_theme and self.theme_suggestion_id is None and update_fields is None:
            # Narrators who ask for the same theme in their own words are counted together.
            self.theme_suggestion = ThemeSuggestion.objects.for_text(self.suggested_theme)
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
        return self.visible_with(self.status, self.published_at)

    @classmethod
    def visible_with(cls, status, published_at):
        """Whether a story with this status and publication time is visible now (visible_now())."""
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
    def public_recording(self):
        """The recording readers may hear, or None: only once a moderator has cleared it.

        Whether the story itself is visible is the caller's business: this is
        read from stories that came through ``published()``.
        """
        try:
            recording = self.recording
        except Recording.DoesNotExist:
            return None
        return recording if recording.is_cleared else None

    @property
    def display_name(self):
        if self.is_anonymous or not self.narrator_name.strip():
            return _("Anonymous")
        return self.narrator_name

    # --- Workflow: the only way status changes ---

    def approve(self, *, by, note=""):
        def publish(story):
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
            # Kept only for review: the email to ask a question, the name of an
            # anonymous narrator to check the story does not reveal it.
            if not story.may_contact:
                story.contact_email = ""
            if story.is_anonymous:
                story.narrator_name = ""

        return self._change_status(self.Status.APPROVED, by=by, note=note, before_save=publish)

    def reject(self, *, by, reason="", note=""):
        """``reason`` is one of ModerationEvent.RejectionReason; ``note`` says more."""
        return self._change_status(self.Status.REJECTED, by=by, note=note, reason=reason)

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
            story.withdrawn_at = timezone.now()
            story.withdrawal_token_hash = ""  # a link works once
            Recording.objects.filter(story=story).delete()

        return self._change_status(self.Status.WITHDRAWN, by=None, note=note, before_save=stamp)

    def set_featured(self, featured, *, by):
        with transaction.atomic():
            story = Story.objects.select_for_update().get(pk=self.pk)
            if story.featured == featured:
                return False
            story.featured = featured
            story.save(update_fields=["featured", "updated_at"])
            note = "Featured" if featured else "Unfeatured"
            ModerationEvent.objects.create(
                story=story,
                actor=by,
                from_status=story.status,
                to_status=story.status,
                note=note,
            )
        self.featured = featured
        return True

    def stories_in_conversation(self):
        """The published stories a moderator linked to this one, as ``(relation, story)``.

        The relation is worded from this story's side: a story that answers
        this one is "A response", one this story answers is "Responds to".
        """
        links = (
            StoryLink.objects.public()
            .filter(Q(from_story=self) | Q(to_story=self))
            .select_related("from_story__perspective", "to_story__perspective")
            .defer(*(f"{side}__{field}" for side in ("from_story", "to_story")
                     for field in ("body", "search_vector")))
            .order_by("relation", "pk")
        )  # fmt: skip
        return [
            (StoryLink.OUTGOING[link.relation], link.to_story)
            if link.from_story_id == self.pk
            else (StoryLink.INCOMING[link.relation], link.from_story)
            for link in links
        ]

    def other_perspectives(self):
        """The newest published story of each other perspective sharing a theme with this one."""
        others = Perspective.objects.exclude(pk=self.perspective_id).values_list("pk", flat=True)
        return (
            Story.objects.published()
            .carrying_any_theme_of(TaggedTheme.objects.filter(content_object=self).values("tag"))
            .for_listing()
            .newest_per_perspective(1, list(others))
            .order_by("perspective__display_order")
        )

    def _change_status(self, to_status, *, by, note, before_save=None, reason=""):
        """Move to ``to_status`` if the workflow allows it, and record the event.

        The row is locked and re-read first, so two moderators acting on the
        same story at once produce one change and one event, not two.
        """
        with transaction.atomic():
            story = Story.objects.select_for_update().get(pk=self.pk)
            if to_status not in self.TRANSITIONS[story.status]:
                raise InvalidTransition(f"A {story.status} story cannot become {to_status}.")
            from_status = story.status
            if story.is_visible and story.first_visible_at is None:
                story.first_visible_at = story.published_at  # it leaves the site now
            story.status = to_status
            if before_save:
                before_save(story)
            story.save()
            event = ModerationEvent.objects.create(
                story=story,
                actor=by,
                from_status=from_status,
                to_status=to_status,
                reason=reason,
                note=note,
            )
        for field in self.WORKFLOW_FIELDS:
            setattr(self, field, getattr(story, field))
        self._as_stored = story._as_stored
        return event

    # What _change_status() may change besides status, copied back to the caller's instance.
    WORKFLOW_FIELDS = (
        "status",
        "published_at",
        "first_visible_at",
        "slug",
        "withdrawn_at",
        "updated_at",
        "contact_email",
        "narrator_name",
        "withdrawal_token_hash",
        "version",
    )

    def shield_findings(self):
        """What the identity shield finds in this story's public text (stories/shield.py).

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
        with transaction.atomic():
            story = Story.objects.select_for_update().get(pk=self.pk)
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
            ModerationEvent.objects.create(
                story=story,
                actor=by,
                from_status=story.status,
                to_status=story.status,
                note="Redacted: "
                + ", ".join(
                    sorted(
                        {
                            f"{finding.kind} in {finding.field.partition('-')[0]}"
                            for finding in chosen
                        }
                    )
                ),
            )
        for field in (*shield.SHIELDED_FIELDS, "slug"):
            setattr(self, field, getattr(story, field))
        return chosen

    def erase(self):
        """Erase the story's text and private details for good; its events remain.

        For stories withdrawn or rejected long enough ago (manage.py
        purge_private_data). What goes from which row is the privacy table
        (stories/privacy.py, each field's ``erasure``):
        the text leaves the row, the search index, the notes of its events, its
        reports, its theme suggestion and the admin's change log. The slug of a
        story readers saw and its narrator withdrew stays, so that address still
        answers 410 Gone rather than 404; any other story's slug goes with its title.
        """
        from django.contrib.admin.models import LogEntry
        from django.contrib.contenttypes.models import ContentType

        with transaction.atomic():
            # Locked and read again: a moderator may have reopened a rejected
            # story since the purge listed it, and that story is not erased.
            story = Story.objects.select_for_update().get(pk=self.pk)
            if story.status not in (self.Status.WITHDRAWN, self.Status.REJECTED):
                return False
            gone = story.status == self.Status.WITHDRAWN and story.was_once_visible
            suggestion = story.theme_suggestion
            for field, value in privacy.erased_values(Story, gone=gone).items():
                setattr(story, field, value)
            story.erased_at = timezone.now()
            story.save()
            if suggestion is not None:
                suggestion.forget_a_narrator()
            story.themes.clear()
            Recording.objects.filter(story=story).delete()
            story.transcript.all().delete()
            story.events.update(**privacy.erased_values(ModerationEvent))
            story.reports.update(**privacy.erased_values(Report))
            LogEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(Story), object_id=str(self.pk)
            ).update(object_repr=f"story {self.pk} (erased)", change_message="")
        self.refresh_from_db()
        return True

    def _unique_slug(self):
        base = slugify(self.title, allow_unicode=True)[:200].strip("-") or f"story-{self.pk}"
        slug, n = base, 2
        while Story.objects.filter(slug=slug).exclude(pk=self.pk).exists():
            slug = f"{base}-{n}"
            n += 1
        return slug


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
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("moderation event")
        verbose_name_plural = _("moderation events")
        indexes = [models.Index(fields=["story", "created_at"], name="event_story_idx")]

    def __str__(self):
        return f"{self.story_id}: {self.from_status or '-'} → {self.to_status}"


class ReportQuerySet(models.QuerySet):
    def open(self):
        return self.filter(resolved_at=None)


class Report(models.Model):
    """A reader's report that a published story breaks the archive's rules.

    Who reported is known only by the keyed hash of their network, as
    submitters are (stories/limits.py): enough to count distinct reporters,
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
                        note=f"Returned to review by the system: {reporters} readers reported "
                        "personal information exposed.",
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


def recordings_storage():
    """Where recordings are kept: the "recordings" storage (settings.STORAGES), read each time.

    Never a storage with a public address: a recording is only ever served by
    the view that checks its story and its clearance (views.recording).
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


class Recording(models.Model):
    """A story's audio, checked, stripped of its tags and kept through the storage API.

    Held for a share form before its story exists (``story`` empty, found
    again through the narrator's session), then attached to the story. Readers
    hear it only once the story is visible and a moderator has listened to it
    and cleared it: a voice can say what the identity shield finds in text.
    """

    story = models.OneToOneField(
        Story,
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
        """Check ``uploaded`` by its content, strip its tags and keep it (stories/audio.py).

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
    def extension(self):
        return audio.ACCEPTED_TYPES[self.mime_type]

    def attach_to(self, story):
        self.story = story
        self.held_by = ""
        self.save(update_fields=["story", "held_by"])

    def set_cleared(self, cleared, *, by):
        """Record that a moderator listened and cleared it (or took that back), with an event."""
        with transaction.atomic():
            recording = Recording.objects.select_for_update().get(pk=self.pk)
            if recording.is_cleared == cleared:
                return False
            recording.cleared_at = timezone.now() if cleared else None
            recording.cleared_by = by if cleared else None
            recording.save(update_fields=["cleared_at", "cleared_by"])
            story = recording.story
            story.touch()
            ModerationEvent.objects.create(
                story=story,
                actor=by,
                from_status=story.status,
                to_status=story.status,
                note="Recording listened to and cleared" if cleared else "Recording held back",
            )
        self.cleared_at, self.cleared_by = recording.cleared_at, recording.cleared_by
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
        Story, on_delete=models.CASCADE, related_name="transcript", verbose_name=_("story")
    )
    start = models.DurationField(
        _("starts at"), help_text=_("Minutes and seconds into the recording, e.g. 1:05.")
    )
    text = models.TextField(_("text"), max_length=transcripts.MAX_CUE_LENGTH)

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

    @classmethod
    def replace_transcript(cls, story, cues):
        """The story's transcript becomes ``cues`` (transcripts.Cue), in one transaction."""
        with transaction.atomic():
            story.transcript.all().delete()
            cls.objects.bulk_create(
                cls(story=story, start=cue.start, text=cue.text) for cue in cues
            )
            # bulk_create sends no signal: cached pages learn of it here.
            stories_changed_in_bulk(Story.objects.filter(pk=story.pk))

    @staticmethod
    def as_webvtt(story, duration=None):
        cues = [
            transcripts.Cue(start=segment.start, end=None, text=segment.text)
            for segment in story.transcript.all()
        ]
        return transcripts.to_webvtt(cues, duration=duration)


def theme_perspective_counts():
    """How many published stories each (theme, perspective) pair has, in one query.

    A plain count: unique_story_theme means a story is tagged with a theme
    once, and COUNT(DISTINCT) cost half a second at 100,000 stories.
    """

    def count():
        rows = (
            TaggedTheme.objects.filter(content_object__in=Story.objects.published())
            .values_list("tag_id", "content_object__perspective_id")
            .annotate(total=Count("pk"))
            .order_by()
        )
        return {(theme_id, perspective_id): total for theme_id, perspective_id, total in rows}

    return counted_once_per_generation("stories-per-theme-and-perspective", count)


class SearchEntry(models.Model):
    """A story's row in SQLite's FTS5 search index (stories/search.py).

    Not managed by Django: migration 0004 creates the virtual table on SQLite
    only, and only the SQLite search engine queries it. Its columns hold stems,
    not text, so nothing is ever shown from it.

    Each row's rowid is its story's id, and searches join on it. SQLite
    could also run that join the other way round, walking the stories and
    probing the index once per story; the statistics that ANALYZE keeps
    (migration 0007, rebuild_search_index, the daily purge_private_data) make
    it run the MATCH once instead.
    """

    story = models.OneToOneField(
        Story,
        primary_key=True,
        db_column="rowid",
        db_constraint=False,
        on_delete=models.DO_NOTHING,
        related_name="search_entry",
    )
    document = search.FTS5Table(db_column="stories_search")

    class Meta:
        managed = False
        db_table = "stories_search"
