"""
Who speaks and about what: the perspectives a story is told from, the curated
themes it is tagged with (``TaggedTheme`` is the tagging row), and how many
published stories each of them has.

Story's module imports this one (a story has a perspective and themes), so
the counts here find Story in Django's app registry (``story_objects()``)
rather than importing it back.
"""

from dataclasses import dataclass

from django.apps import apps
from django.db import models, transaction
from django.db.models import Count, F, OuterRef, Subquery
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from taggit.models import TagBase, TaggedItemBase

from ..pagecache.store import counted_once_per_generation
from ..search.text import fold
from ..signals import stories_changed_in_bulk
from .palette import Colour, Mark, Pattern


def story_objects():
    """Story's manager, from the app registry: story.py imports this module."""
    return apps.get_model("stories", "Story").objects


def in_local_order(named):
    """Themes (or anything with ``local_name``) in the alphabetical order of the reader's language.

    Sorted in Python, by the name as the reader sees it, without accents or
    case ("Ámbito" among the a's); the database orders by the English name.
    """
    return sorted(named, key=lambda item: (fold(item.local_name), item.pk))


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
                story_objects()
                .published()
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
    # Tells the perspectives apart on cards, columns and filters: always beside
    # the name, never alone (templates/stories/_perspective.html).
    colour = models.CharField(
        _("colour"),
        max_length=16,
        choices=Colour.choices,
        default=Colour.RUST,
        help_text=_("From the archive's palette: each reads clearly as text on the page."),
    )
    mark = models.CharField(
        _("mark"),
        max_length=16,
        choices=Mark.choices,
        default=Mark.CIRCLE,
        help_text=_("A simple shape shown before the name. Give each perspective its own."),
    )

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


class QuestionPromptQuerySet(models.QuerySet):
    def shown(self):
        """The prompts the share form shows: active ones, in order, each with its perspective."""
        return self.filter(active=True).select_related("perspective")


class QuestionPrompt(models.Model):
    """A question that helps a narrator begin, curated by moderators, in both languages.

    One with no perspective is for everyone; one with a perspective is shown
    with that perspective's other prompts on the share form.
    """

    text = models.CharField(_("question in English"), max_length=200)
    text_es = models.CharField(_("question in Spanish"), max_length=200, blank=True)
    perspective = models.ForeignKey(
        Perspective,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="prompts",
        verbose_name=_("perspective"),
        help_text=_("Leave empty for a question for everyone."),
    )
    display_order = models.PositiveSmallIntegerField(_("display order"), default=0)
    active = models.BooleanField(
        _("shown on the share form"),
        default=True,
        help_text=_("Untick to stop showing the question without deleting it."),
    )

    objects = QuestionPromptQuerySet.as_manager()

    class Meta:
        ordering = ["display_order", "pk"]
        verbose_name = _("question prompt")
        verbose_name_plural = _("question prompts")

    def __str__(self):
        return self.text

    def get_absolute_url(self):
        return reverse("stories:share")

    @property
    def local_text(self):
        """The question in the reader's language: Spanish when written, English otherwise."""
        if get_language() == "es" and self.text_es:
            return self.text_es
        return self.text

    @property
    def local_language(self):
        """The language ``local_text`` is in, for its ``lang`` attribute."""
        return "es" if get_language() == "es" and self.text_es else "en"


class ThemeQuerySet(models.QuerySet):
    def with_published_counts(self):
        """Every theme, each with ``published_count``, in the reader's order: two queries."""
        counts = counted_once_per_generation(
            "stories-per-theme", lambda: self.counts_among(story_objects().published())
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
    pattern = models.CharField(
        _("pattern"),
        max_length=16,
        choices=Pattern.choices,
        default=Pattern.DOTS,
        help_text=_("A drawn pattern shown with the theme's name on the theme pages."),
    )

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

    def voices(self, perspectives, *, per_perspective):
        """The theme across ``perspectives`` (a queryset of them): a ``PerspectiveOnTheme``
        for each, in display order.

        Each holds the ids of the perspective's ``per_perspective`` newest published stories
        on the theme, how many it has there, and the id of the story it is quoted from: its
        newest featured story on the theme, else its newest. Ids and counts only, in two
        queries: the perspectives, each with subqueries that read its stories newest first
        and stop (at the k-th; at the first featured one, through story_featured_idx), and
        one grouped count (a count per perspective as a subquery took ten times as long at
        100,000 stories). The theme page keeps them for the archive's generation and shows
        each story from its fragments (stories/pages/themes.py).
        """
        tagged = story_objects().published().carrying_any_theme_of([self.pk])
        newest = tagged.newest_per_perspective(per_perspective)
        featured = (
            tagged.filter(featured=True, perspective_id=OuterRef("pk"))
            .order_by("-published_at", "-pk")
            .values("pk")[:1]
        )
        totals = dict(tagged.order_by().values_list("perspective_id").annotate(total=Count("pk")))
        voices = []
        for perspective in perspectives.annotate(**newest, featured_id=Subquery(featured)):
            story_ids = [getattr(perspective, name) for name in newest]
            story_ids = [pk for pk in story_ids if pk is not None]
            quoted_id = perspective.featured_id or next(iter(story_ids), None)
            voices.append(
                PerspectiveOnTheme(perspective, story_ids, totals.get(perspective.pk, 0), quoted_id)
            )
        return voices

    def merge_into(self, target):
        """Move every story tagged with this theme onto ``target``, then delete this theme."""
        with transaction.atomic():
            already_tagged = TaggedTheme.objects.filter(tag=target).values("content_object")
            retagged = story_objects().filter(
                pk__in=list(self.tagged_stories.values_list("content_object", flat=True))
            )
            retagged.update(version=F("version") + 1)  # as in ThemeSuggestion._decide
            TaggedTheme.objects.filter(tag=self).exclude(content_object__in=already_tagged).update(
                tag=target
            )
            stories_changed_in_bulk(retagged)
            self.delete()


@dataclass(frozen=True)
class PerspectiveOnTheme:
    """One perspective on a theme (``Theme.voices()``): its stories there and its quoted one."""

    perspective: Perspective
    story_ids: list  # its newest stories on the theme, newest first
    total: int
    quoted_id: int | None = None  # the story quoted, None when the perspective is missing


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


def theme_perspective_counts():
    """How many published stories each (theme, perspective) pair has, in one query.

    A plain count: unique_story_theme means a story is tagged with a theme
    once, and COUNT(DISTINCT) cost half a second at 100,000 stories.
    """

    def count():
        rows = (
            TaggedTheme.objects.filter(content_object__in=story_objects().published())
            .values_list("tag_id", "content_object__perspective_id")
            .annotate(total=Count("pk"))
            .order_by()
        )
        return {(theme_id, perspective_id): total for theme_id, perspective_id, total in rows}

    return counted_once_per_generation("stories-per-theme-and-perspective", count)
