"""Reading the archive: home, stories, perspectives, themes, from published()."""

from django.http import Http404
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language
from django.views.generic import ListView, TemplateView

from ..models import (
    Perspective,
    Story,
    Theme,
)
from ..opendata import records
from ..pagecache.store import counted_once_per_generation, digest
from . import story_cards, structured_data, themes
from .compare import CompareForm
from .filters import (
    ORDERS,
    SortForm,
    StoryFilterForm,
)
from .paging import KeysetPaginator

STORIES_PER_PAGE = 20
HOME_STORIES = 6


class PublishedStoriesMixin:
    """Lists of published stories, a page at a time, counted once per generation."""

    paginate_by = STORIES_PER_PAGE

    def count_name(self):
        """A name to keep this list's length under per generation, or None to count each time."""
        return None

    def get_paginator(self, queryset, *args, **kwargs):
        paginator = super().get_paginator(queryset, *args, **kwargs)
        name = self.count_name()
        if name:
            # Counting every published story took 20 ms a page at 100,000 stories.
            paginator.count = counted_once_per_generation(name, lambda: queryset.count())
        return paginator

    def filters_from_request(self, form_class):
        """The page's filter form, bound to the query string, offering the years stories have."""
        years = counted_once_per_generation(
            "years", lambda: list(Story.objects.published().years_happened())
        )
        return form_class(self.request.GET, years=years)


class StoryCardsMixin(PublishedStoriesMixin):
    """A list of stories shown as cards: the page's ids from the public gateway, then their cards.

    Only the ids are read, in the list's order (``story_ids``), once a generation; the
    cards are kept per story (stories/pages/story_cards.py), and ``cards`` holds them in
    the same order. Pages after the first are read by keyset (pages/paging.py).

    A view's ``get_queryset`` returns ``deferred(build)`` and ``list_order`` its order: the
    queryset is built only when what the page lists is not kept for this generation.
    """

    card_variant = "card"
    context_object_name = "story_ids"
    paginator_class = KeysetPaginator
    # The list's order, as readers chose it (``?sort=``), where they can.
    sort_form = None

    def list_name(self):
        """What the list holds, whatever its order: its pages' bookmarks are kept under it."""
        return self.count_name()

    def list_order(self):
        """The list's ``order_by()`` terms (filters.ORDERS)."""
        return ORDERS[self.sort_form.chosen if self.sort_form else "newest"]

    def get_paginator(self, queryset, *args, **kwargs):
        return super().get_paginator(
            queryset, *args, name=self.list_name(), order=self.list_order(), **kwargs
        )

    def get_template_names(self):
        # ListView would read the queryset's model for a name of its own, building it.
        return [self.template_name]

    def deferred(self, build):
        """The ids ``build()`` orders and narrows, as a queryset built only if it is read."""
        return SimpleLazyObject(lambda: self.story_ids(build()))

    def published_stories(self):
        return Story.objects.published()

    def story_ids(self, stories):
        return stories.values_list("pk", flat=True)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["cards"] = story_cards.cards(context["object_list"], variant=self.card_variant)
        return context


class HomeView(TemplateView):
    template_name = "stories/home.html"

    def get_context_data(self, **kwargs):
        # Stories in the page's language first (docs/languages.md): chosen once a generation.
        language = get_language()
        featured_ids, recent_ids = counted_once_per_generation(
            f"home-{language}", lambda: self.chosen_stories(language)
        )
        # Both rows of cards at once: one read, and one query for the cards not kept.
        cards = story_cards.cards([*featured_ids, *recent_ids])
        return super().get_context_data(
            featured_cards=story_cards.Cards(card for card in cards if card.pk in featured_ids),
            recent_cards=story_cards.Cards(card for card in cards if card.pk not in featured_ids),
            # Functions, called only when the kept counts are rendered again (home.html).
            perspectives=Perspective.objects.with_published_counts,
            themes=Theme.objects.with_published_counts,
            **kwargs,
        )

    @staticmethod
    def chosen_stories(language):
        """The ids of the featured stories the home page shows, and of the newest others."""
        stories = Story.objects.published()
        featured_ids = stories.featured_ids_for(language, HOME_STORIES)
        recent_ids = list(
            stories.filter(featured=False)
            .exclude(pk__in=featured_ids)
            .values_list("pk", flat=True)[:HOME_STORIES]
        )
        return featured_ids, recent_ids


class StoryListView(StoryCardsMixin, ListView):
    template_name = "stories/story_list.html"

    def get_queryset(self):
        self.sort_form = SortForm(self.request.GET)
        self.filtered = not StoryFilterForm.base_fields.keys().isdisjoint(self.request.GET)
        if self.filtered:
            self.filter_form = self.filters_from_request(StoryFilterForm)
            self.filter_form.is_valid()  # its choices name the list (count_name)
            return self.deferred(
                lambda: self.sort_form.order(self.filter_form.filter(self.published_stories()))
            )
        # The list most asked for needs its filters only for their menus, which are
        # kept with the page's other parts once a generation (story_list.html).
        self.filter_form = SimpleLazyObject(lambda: self.filters_from_request(StoryFilterForm))
        return self.deferred(lambda: self.sort_form.order(self.published_stories()))

    def count_name(self):
        if not self.filtered:
            return "stories-listed"
        chosen = self.filter_form.cleaned_data
        return "stories-listed:" + ":".join(
            str(getattr(chosen.get(name), "pk", chosen.get(name)) or "")
            for name in self.filter_form.fields
        )

    def get_context_data(self, **kwargs):
        # Functions, called only when the page's kept parts are rendered again.
        return super().get_context_data(
            filter_form=self.filter_form,
            sort_form=self.sort_form,
            is_filtered=lambda: self.filtered and any(self.filter_form.cleaned_data.values()),
            recorded_count=lambda: counted_once_per_generation(
                "stories-recorded", Story.objects.published().with_public_recording().count
            ),
            **kwargs,
        )


class PerspectiveListView(ListView):
    template_name = "stories/perspective_list.html"
    context_object_name = "perspectives"

    def get_queryset(self):
        return Perspective.objects.with_published_counts()


class PerspectiveDetailView(StoryCardsMixin, ListView):
    template_name = "stories/perspective_detail.html"

    def get_queryset(self):
        slug = self.kwargs["slug"]
        # Once a generation (a perspective's change renews it); the slug is the reader's:
        # hashed, and an unknown one is not kept.
        self.perspective = counted_once_per_generation(
            f"perspective:{digest(slug)}",
            lambda: Perspective.objects.filter(slug=slug).first(),
            keep_none=False,
        )
        if self.perspective is None:
            raise Http404
        return self.deferred(
            lambda: (
                self.published_stories()
                .filter(perspective=self.perspective)
                .order_by(*self.list_order())
            )
        )

    def count_name(self):
        return f"perspective-{self.perspective.pk}-stories"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(perspective=self.perspective, **kwargs)
        context["structured_data"] = structured_data.for_collection(
            self.perspective,
            [(card.title, card.path) for card in context["cards"]],
            base_url=records.base_url(self.request),
            language=get_language(),
        )
        return context


class ThemeListView(TemplateView):
    template_name = "stories/theme_list.html"

    def get_context_data(self, **kwargs):
        # Read only when the template's kept grid is made: once a generation.
        return super().get_context_data(grid=themes.Grid(), **kwargs)


class ThemeDetailView(TemplateView):
    """A theme from every side: the listing kept per generation, the stories' parts kept per
    story (stories/pages/themes.py), the compare form per query string."""

    template_name = "stories/theme_detail.html"

    def get_context_data(self, **kwargs):
        page = themes.side_by_side(self.kwargs["slug"])
        asked = CompareForm.asked_in(self.request.GET)
        # Built only when a comparison is asked for or its kept HTML is made: most readers
        # ask for none, and the form's fields and choices were a twentieth of the page.
        compare_form = SimpleLazyObject(
            lambda: CompareForm.from_query(self.request.GET, perspectives=page.perspectives)
        )
        return super().get_context_data(
            theme=page.theme,
            voices=page.voices,
            structured_data=structured_data.for_collection(
                page.theme,
                page.listed,
                base_url=records.base_url(self.request),
                language=get_language(),
            ),
            passages=page.passages,
            perspectives_without_passages=page.without_passages,
            compare_form=compare_form,
            compare_asked=asked,
            compared=compare_form.pick(page.voices) if asked else None,
            **kwargs,
        )
