"""
Reading the index, for the pages and the API: ``search`` narrows a queryset of
stories to the matches and ranks them, ``matching`` only narrows, ``find``
counts (or divides into facets) and ranks one page's ids, ``RankedPaginator``
pages with it, and ``with_snippets`` reads a page's stories with their
highlighted excerpts. Every search starts from ``Story.objects.published()``.

``query`` is what a reader typed (read as typed) or ``asked()``'s reading of
it, which may add the glossary's words in the other language.
"""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

from ..models import GlossaryTerm, Story
from .backends import engine_for
from .findings import BEST_FIRST, Findings
from .snippets import place_snippets
from .text import Query, has_terms


def asked(query, *, across_languages=True, using="default"):
    """What a reader typed, read for the engines (text.Query).

    ``across_languages``, a word of the archive's glossary is also searched
    in its other language ("familia" finds "family"); otherwise only what was
    typed. Either way, the result is what every function here takes as ``query``.
    """
    if not (across_languages and has_terms(query)):
        return Query.of(query)
    return Query.of(query, GlossaryTerm.objects.using(using).glossary())


def matching(stories, query):
    """``stories`` that match ``query``, unranked: what counts and facets need."""
    if not has_terms(query):
        return stories.none()
    return engine_for(stories.db).matching(stories, Query.of(query))


def search(stories, query):
    """``stories`` that match ``query``, best first; none when no word is asked for."""
    if not has_terms(query):
        return stories.none()
    return engine_for(stories.db).search(stories, Query.of(query)).order_by(*BEST_FIRST)


def find(stories, query, bottom, top, *, facets=False):
    """How many of ``stories`` match ``query``, and the ids of matches ``bottom`` to ``top``.

    The ids are best first. With ``facets``, also how the matches divide by
    perspective and language and by theme (``Findings``). Each engine reads
    the matches as few times as it can: PostgreSQL once for everything,
    SQLite ranks the best of them in its FTS5 table alone.
    """
    if not has_terms(query):
        return Findings(total=0, ids=[])
    return engine_for(stories.db).find(stories, Query.of(query), bottom, top, facets)


def in_order(stories, ids):
    """The stories of ``stories`` with these ids, in the order of ``ids``.

    Read through the public gateway again, a story withdrawn since its id was
    found drops out of the page instead of being shown.
    """
    found = stories.in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def with_snippets(ids, query, using="default"):
    """The public stories with these ids, in that order, each with its ``snippet``.

    ``snippet`` is safe HTML: the narrator's text escaped, the matched words
    in ``<mark>``; cut from the story's text, or from where else the words
    were found, told by ``snippet_source`` (snippets.py: a transcript
    paragraph or index segment with its time, or the archive's translation).
    """
    engine = engine_for(using)
    query = Query.of(query)
    rows = Story.objects.using(using).published().for_listing()
    page = in_order(engine.with_snippets(rows, query), ids)
    place_snippets(page, query, lambda story: engine.snippet(story, query), using)
    return page


# Far past any archive, and, with a page and the candidates SQLite ranks added, still within
# the 64-bit integers that SQLite and PostgreSQL take as LIMIT and OFFSET.
LARGEST_OFFSET = 2**62


def placed(number, per_page, orphans=0):
    """(bottom, top): where page ``number`` of a list lies, whatever ``number`` is.

    Anything but a number places the first page; a place past what a database
    can count to (page=9223372036854775808) is as empty as any place past the end.
    """
    try:
        bottom = min((max(int(number), 1) - 1) * per_page, LARGEST_OFFSET)
    except (TypeError, ValueError):
        bottom = 0
    return bottom, bottom + per_page + orphans


class RankedPaginator(Paginator):
    """Pages of the stories of ``object_list`` that match ``query``, best first.

    A page is one ``find()``: the number of matches (with ``facets``, the
    facet counts too, kept as ``findings``) and the page's ids. Ranking sorts
    every match, so only ids are sorted; ``read(ids)`` then loads the page's
    stories, in that order. Sorting whole rows, the body and every column a
    page shows, cost more than ranking them (docs/performance.md).
    """

    def __init__(self, object_list, per_page, *, query, read, facets=False, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.query = query
        self.read = read
        self.facets = facets
        self.findings = None

    @cached_property
    def count(self):
        # Asked before a page is read (for the number of the last page, say).
        if self.findings is None:
            self.findings = find(self.object_list, self.query, 0, 0, facets=self.facets)
        return self.findings.total

    def page(self, number):
        # Whatever ``number`` is, validate_number() judges it once the count is known, as
        # Paginator's does. Until then it only places the page.
        bottom, top = placed(number, self.per_page, self.orphans)
        self.findings = find(self.object_list, self.query, bottom, top, facets=self.facets)
        self.count = self.findings.total
        number = self.validate_number(number)
        shown = self.per_page
        if bottom + shown + self.orphans >= self.count:
            shown = self.count - bottom
        return self._get_page(self.read(self.findings.ids[:shown]), number, self)
