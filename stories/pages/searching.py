"""
The search page (``/search/?q=…``): the stories that match a reader's words
under the browse page's filters, best first or in the order chosen, each with
its excerpt, and the facet counts beside them; with no words, the archive's
stories under those filters, with the same facets.

What a search costs is reading its matches: 200 ms for "police" at 100,000
stories on PostgreSQL (docs/performance.md), and a popular query is asked
again and again. So what a search finds is kept under the archive's
generation (pagecache/store.py: any change readers can see renews it, so a
withdrawn or redacted story never comes back from what was kept), and
COUNTS_CACHE_SECONDS bounds it (0: nothing is kept):

- **What a query found**, for whichever address or language asks it again:
  the number of stories found and how they divide (the facets), per words
  and filters; the ids of a page's stories with their excerpts (``Hit``), per
  words, filters, order and page number. The page's stories are read again
  through ``Story.objects.published()`` to show them.
- **The part of the page they make**, rendered, per address and language
  (``kept_page``): asked again, the page is the frame and one cache read.

Keys are digests of what was asked: the words as the engines read them, the
filters as the form cleaned them. Nothing a reader typed reaches a key as it
was typed, and an address longer than any reader's question is answered but
never kept.
"""

import dataclasses
import hashlib

from django.core.paginator import InvalidPage, Page, Paginator
from django.http import Http404
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.generic import TemplateView

from ..models import Story, Theme, facets_of
from ..pagecache.fragments import release
from ..pagecache.store import counted_once_per_generation
from ..search import results
from ..search.findings import Findings
from ..search.snippets import Source
from .browse import STORIES_PER_PAGE, PublishedStoriesMixin
from .filters import RELEVANCE, SearchForm, SortForm, StoryFilterForm

RESULTS_TEMPLATE = "stories/_search_results.html"
# Far longer than the words (200 characters at most), every filter and a page number; what is
# longer is answered, but not kept.
LONGEST_KEPT_ADDRESS = 1000


class SearchView(PublishedStoriesMixin, TemplateView):
    """Full-text search with the browse page's filters, ranked, with facet counts."""

    template_name = "stories/search.html"

    def get_context_data(self, **kwargs):
        query, results_part = kept_page(self.request, self.results_part)
        return super().get_context_data(query=query, results=results_part, **kwargs)

    def results_part(self):
        """(the words searched for, the page's part rendered): what ``kept_page`` keeps."""
        search = Search(self.request, self.filters_from_request(SearchForm))
        html = render_to_string(RESULTS_TEMPLATE, search.context(), request=self.request)
        # Rendered by our own template, autoescape on: the narrator's words in it are escaped.
        return search.query, mark_safe(html)


def kept_page(request, make):
    """``make()``, kept per address (the query string) and language; made afresh if too long."""
    address = request.GET.urlencode()
    if len(address) > LONGEST_KEPT_ADDRESS:
        return make()
    return kept("part", (get_language(), address), make)


def kept(kind, asked, make):
    """``make()``, worked out once per generation for what was ``asked`` (hashed into the key).

    The release is in the key too: what is kept holds this release's HTML and classes.
    """
    digest = hashlib.blake2b(repr(asked).encode(), digest_size=16).hexdigest()
    return counted_once_per_generation(f"search:{kind}:{release()}:{digest}", make)


@dataclasses.dataclass(frozen=True)
class Hit:
    """A story on a page of results, with its excerpt (search/snippets.py) if words were asked."""

    pk: int
    snippet: str = ""
    source: Source | None = None


class CountedPaginator(Paginator):
    """Pages of stories whose number is already known (it is kept with the facets).

    Nothing is sliced from it: each page's stories are read on their own.
    """

    def __init__(self, count, per_page):
        super().__init__((), per_page)
        self.count = count

    def number_asked(self, asked):
        """The page ``asked`` for (?page=: a number, or "last"), as ListView reads it; else 404."""
        try:
            number = int(asked)
        except (TypeError, ValueError):
            if asked != "last":
                raise Http404 from None
            number = self.num_pages
        try:
            return self.validate_number(number)
        except InvalidPage:
            raise Http404 from None


class Search:
    """One reader's search, read from the query string: words, filters, order and page."""

    def __init__(self, request, form):
        self.request = request
        self.form = form
        self.stories = form.filter(Story.objects.published())
        self.query = form.cleaned_data.get("q", "")
        self.sort_form = SortForm(request.GET, ranked=bool(self.query))
        # Best first (the engine ranks), or in the order the reader chose.
        self.ranked = bool(self.query) and self.sort_form.chosen == RELEVANCE
        # The glossary's words in the other language are searched too, unless asked not to.
        self.exact = bool(form.cleaned_data.get("exact"))
        self.asked = results.asked(self.query, across_languages=not self.exact)
        chosen = form.cleaned_data
        # What the engines are given: the words as read (their glossary counterparts
        # included), the filters as cleaned. Typed otherwise, the same search is the same key.
        self.key = (
            (self.asked.text, self.asked.terms) if self.query else None,
            tuple(
                str(getattr(chosen.get(name), "pk", chosen.get(name)) or "")
                for name in StoryFilterForm.base_fields
            ),
        )

    def context(self):
        """The results part's context; a page number that is none of the pages is a 404."""
        asked_for = self.request.GET.get("page") or 1
        # The first reading of a ranked search places the page too: the matches are read once.
        found_ids = {}

        def count():
            if not self.query:
                pairs = self.stories.counts_by_perspective_and_language()
                themes = Theme.objects.counts_among(self.stories)
                return Findings(sum(pairs.values()), [], pairs, themes)
            place = results.placed(asked_for, STORIES_PER_PAGE) if self.ranked else (0, 0)
            findings = results.find(self.stories, self.asked, *place, facets=True)
            found_ids[place] = findings.ids
            return dataclasses.replace(findings, ids=[])

        counted = kept("facets", self.key, count)
        paginator = CountedPaginator(counted.total, STORIES_PER_PAGE)
        number = paginator.number_asked(asked_for)
        place = results.placed(number, STORIES_PER_PAGE)
        made = []

        def page_hits():
            stories = self.page_stories(place, found_ids.get(place))
            made.append(stories)
            return [Hit(story.pk, *self.excerpt_of(story)) for story in stories]

        hits = kept("page", (*self.key, self.sort_form.chosen, number), page_hits)
        # Made just now, the stories are at hand; kept, they are read again (one query).
        stories = made[0] if made else stories_of(hits)
        page = Page(stories, number, paginator)
        return {
            "search_form": self.form,
            # The places the form's menu read, for the cards' place links (stories/_place.html).
            "listed_places": self.form.places,
            "query": self.query,
            "sort_form": self.sort_form,
            "asked": self.asked,
            # Searched as typed, where the glossary would have added words: the page says so.
            "could_translate": self.exact and results.asked(self.query).is_translated,
            "selected": {name: self.request.GET.get(name, "") for name in self.form.fields},
            # What the filters' menus show chosen: the values asked for, as the form reads them.
            "filters_chosen": [
                self.request.GET.get(name, "") for name in StoryFilterForm.base_fields
            ],
            "facets": facets_of(
                counted.pairs, counted.themes, self.form.perspectives, self.form.themes
            ),
            "paginator": paginator,
            "page_obj": page,
            "is_paginated": page.has_other_pages(),
            "stories": stories,
        }

    def page_stories(self, place, ids=None):
        """The stories from ``bottom`` to ``top``, with their excerpts if words were asked."""
        bottom, top = place
        if not self.query:
            return list(self.sort_form.order(self.stories.for_listing())[bottom:top])
        if ids is None and self.ranked:
            ids = results.find(self.stories, self.asked, bottom, top).ids
        elif ids is None:
            # Matches in another order than the best first: their ids in that order.
            matches = results.matching(self.stories, self.asked)
            ids = list(self.sort_form.order(matches).values_list("pk", flat=True)[bottom:top])
        return results.with_snippets(ids, self.asked)

    def excerpt_of(self, story):
        return (story.snippet, story.snippet_source) if self.query else ()


def stories_of(hits):
    """The public stories of kept ``hits``, in their order, each with its kept excerpt.

    Read through ``published()`` again: a story that left it since is left out.
    """
    kept_hits = {hit.pk: hit for hit in hits}
    stories = results.in_order(Story.objects.published().for_listing(), list(kept_hits))
    for story in stories:
        hit = kept_hits[story.pk]
        story.snippet, story.snippet_source = hit.snippet, hit.source
    return stories
