"""Reading the archive: home, stories, a story, perspectives, themes, from published()."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language
from django.views.generic import DetailView, ListView, TemplateView

from ..models import (
    IndexSegment,
    Perspective,
    Story,
    Theme,
    passages_on_theme,
    theme_perspective_counts,
)
from ..opendata import records
from ..opendata.citations import citations
from ..opendata.oembed import discovery_url
from ..pagecache.store import counted_once_per_generation
from ..recordings import transcripts
from . import sharing, story_cards, structured_data
from .compare import CompareForm
from .filters import SortForm, StoryFilterForm

STORIES_PER_PAGE = 20
STORIES_PER_COLUMN = 3
# A phone's screenful of passages per perspective; the count says how many more there are.
PASSAGES_PER_PERSPECTIVE = 2
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
            paginator.count = counted_once_per_generation(name, queryset.count)
        return paginator

    def filters_from_request(self, form_class):
        """The page's filter form, bound to the query string, offering the years stories have."""
        years = counted_once_per_generation(
            "years", lambda: list(Story.objects.published().years_happened())
        )
        return form_class(self.request.GET, years=years)


class StoryCardsMixin(PublishedStoriesMixin):
    """A list of stories shown as cards: the page's ids from the public gateway, then their cards.

    Only the ids are read, in the list's order (``story_ids``); the cards are
    kept per story (stories/pages/story_cards.py), and ``cards`` holds them in
    the same order.
    """

    card_variant = "card"
    context_object_name = "story_ids"

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
        # Stories in the page's language first (docs/languages.md): worked out once a generation.
        language = get_language()
        featured_ids = counted_once_per_generation(
            f"featured-{language}",
            lambda: Story.objects.published().featured_ids_for(language, HOME_STORIES),
        )
        recent_ids = list(
            Story.objects.published()
            .filter(featured=False)
            .exclude(pk__in=featured_ids)
            .values_list("pk", flat=True)[:HOME_STORIES]
        )
        # Both rows of cards at once: one read, and one query for the cards not kept.
        cards = story_cards.cards([*featured_ids, *recent_ids])
        return super().get_context_data(
            featured_cards=story_cards.Cards(card for card in cards if card.pk in featured_ids),
            recent_cards=story_cards.Cards(card for card in cards if card.pk not in featured_ids),
            perspectives=Perspective.objects.with_published_counts(),
            themes=Theme.objects.with_published_counts(),
            **kwargs,
        )


class StoryListView(StoryCardsMixin, ListView):
    template_name = "stories/story_list.html"

    def get_queryset(self):
        self.filter_form = self.filters_from_request(StoryFilterForm)
        self.sort_form = SortForm(self.request.GET)
        return self.story_ids(
            self.sort_form.order(self.filter_form.filter(self.published_stories()))
        )

    def count_name(self):
        chosen = self.filter_form.cleaned_data
        return "stories-listed:" + ":".join(
            str(getattr(chosen.get(name), "pk", chosen.get(name)) or "")
            for name in self.filter_form.fields
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            filter_form=self.filter_form,
            # The places the form's menu read, for the cards' place links (stories/_place.html).
            listed_places=self.filter_form.places,
            sort_form=self.sort_form,
            is_filtered=any(self.filter_form.cleaned_data.values()),
            recorded_count=counted_once_per_generation(
                "stories-recorded", Story.objects.published().with_public_recording().count
            ),
            **kwargs,
        )


class StoryDetailView(DetailView):
    template_name = "stories/story_detail.html"
    context_object_name = "story"

    def get_object(self, queryset=None):
        slug = self.kwargs["slug"]
        story = (
            Story.objects.published()
            .for_listing()
            .with_themes()
            .select_related("licence")
            .filter(slug=slug)
            .first()
        )
        if story is None:
            raise Http404
        return story

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            if Story.objects.withdrawn_after_publication().filter(slug=kwargs["slug"]).exists():
                return render(request, "stories/story_withdrawn.html", status=410)
            raise

    def get_context_data(self, **kwargs):
        story = self.object
        record = records.PublicRecord.of(story)
        base_url = records.base_url(self.request)
        permalink = base_url + record.permalink_path
        # A transcript is the recording's: shown once a moderator cleared it, beside
        # the player, or alone where the narrator kept the voice private.
        transcript = list(story.transcript.all()) if story.cleared_recording else []
        # The archive's translation comes first where it is in the page's language; the
        # narrator's words stay one click away (docs/languages.md, "Translations").
        reads_translation = story.translation_language == get_language()
        text_views = ["translation", "original"]
        if not reads_translation:
            text_views.reverse()
        return super().get_context_data(
            transcript=transcript,
            chapters=self.chapters(),
            reads_translation=reads_translation,
            text_views=text_views if story.body and story.body_translation else [],
            captions_translated=any(segment.text_translation for segment in transcript),
            # Written and spoken the same: Listen and Read are two views of one story.
            listen_or_read=bool(story.public_recording and transcript)
            and transcripts.same_words(story.body, (segment.text for segment in transcript)),
            other_perspectives=story_cards.cards(story.other_perspectives()),
            in_conversation=story.stories_in_conversation(),
            permalink=permalink,
            share_links=sharing.share_links(title=story.title, permalink=permalink),
            citations=citations(record, base_url),
            structured_data=structured_data.for_story(
                story, base_url=base_url, transcript=transcript
            ),
            # oEmbed's discovery link: the card of this page, in this page's language.
            oembed_url=discovery_url(self.request, base_url + story.get_absolute_url()),
            **kwargs,
        )

    def chapters(self):
        """The recording's index, public with its transcript (docs/listening.md, "The
        recording's index"): read through the published stories, as every public road is."""
        if not self.object.cleared_recording:
            return []
        heard = Story.objects.published().with_cleared_recording().filter(pk=self.object.pk)
        return list(IndexSegment.objects.of_stories(heard).with_themes())


class PerspectiveListView(ListView):
    template_name = "stories/perspective_list.html"
    context_object_name = "perspectives"

    def get_queryset(self):
        return Perspective.objects.with_published_counts()


class PerspectiveDetailView(StoryCardsMixin, ListView):
    template_name = "stories/perspective_detail.html"

    def get_queryset(self):
        self.perspective = get_object_or_404(Perspective, slug=self.kwargs["slug"])
        return self.story_ids(self.published_stories().filter(perspective=self.perspective))

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
        perspectives = list(Perspective.objects.all())
        themes = list(Theme.objects.with_published_counts())
        counts = theme_perspective_counts()
        grid = [
            (theme, [(p, counts.get((theme.pk, p.pk), 0)) for p in perspectives])
            for theme in themes
        ]
        return super().get_context_data(
            themes=themes, perspectives=perspectives, grid=grid, **kwargs
        )


class ThemeDetailView(TemplateView):
    template_name = "stories/theme_detail.html"

    def get_context_data(self, **kwargs):
        theme = get_object_or_404(Theme, slug=self.kwargs["slug"])
        perspectives = list(Perspective.objects.all())
        voices = theme.voices(perspectives, per_perspective=STORIES_PER_COLUMN)
        compare_form = CompareForm.from_query(self.request.GET, perspectives=perspectives)
        passages = passages_on_theme(
            theme,
            perspectives,
            per_perspective=PASSAGES_PER_PERSPECTIVE,
            language=get_language(),
        )
        # Every story the page lists: the voices read across, their columns, the passages.
        listed = structured_data.listed_once(
            [
                *(story for voice in voices for story in (voice.quoted, *voice.stories)),
                *(passage.story for found in passages for passage in found.passages),
            ]
        )
        return super().get_context_data(
            theme=theme,
            voices=voices,
            structured_data=structured_data.for_collection(
                theme, listed, base_url=records.base_url(self.request), language=get_language()
            ),
            passages=[found for found in passages if found.total],
            perspectives_without_passages=[
                found.perspective for found in passages if not found.total
            ],
            compare_form=compare_form,
            compared=compare_form.pick(voices),
            **kwargs,
        )
