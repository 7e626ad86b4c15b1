"""
The PostgreSQL engine: a stored ``search_vector`` per story, built with the
story's own language configuration (``perspectives_en`` / ``perspectives_es``:
Snowball stemming after ``unaccent``, created by migration 0004), partial GIN
indexes per story language, a ``websearch`` query read in both languages,
``SearchRank`` and ``SearchHeadline``.

What is ranked is kept apart from what is only matched. ``search_vector``
holds the story's own written words (and its recording's index), is kept in
the row and is the only vector ranking reads. ``said_vector`` (everything the
story says in its language: the same words and its cleared recording's
transcript) and ``translation_vector`` (the archive's translations, in the
language they are in) are large, kept out of the row (migration 0031) and
only matched, each through partial GIN indexes of its own: a reading of a
query meets what a story says in that language and the translations into that
language of the other language's stories. One vector holds all of a story's
own words, so "special order 40" finds a story whose text says "special order"
and whose transcript says "40", as SQLite's one row does. A story found only by
its transcript or a translation ranks 0: reading those vectors back from TOAST
to rank them cost more than everything else a search does
(docs/performance.md).
"""

import functools
import operator
from collections import Counter

from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorField,
)
from django.db import connections, models
from django.db.models import Case, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Concat, NullIf, Replace

from ..models import OTHER_LANGUAGE, IndexSegment, Story, TaggedTheme, TranscriptSegment
from .documents import CLEARED, segment_fields
from .findings import Findings
from .text import MARK_END, MARK_START, SNIPPET_WORDS, Query

POSTGRES_CONFIGS = {"en": "perspectives_en", "es": "perspectives_es"}

# ts_headline drops anything that looks like an HTML tag; a narrator's "<" and
# ">" are text to show, so they pass through it disguised as these.
HEADLINE_LT, HEADLINE_GT = "\ue002", "\ue003"


def postgres_queries(query):
    """A query read in each language: its language is unknown, each story's is known.

    As typed, PostgreSQL reads it (``websearch``). Across languages, with the
    glossary's counterparts (text.Query), it is built from its terms instead.
    """
    query = Query.of(query)
    if not query.is_translated:
        return {
            language: SearchQuery(query.text, config=config, search_type="websearch")
            for language, config in POSTGRES_CONFIGS.items()
        }
    return {language: translated_query(query.terms, language) for language in POSTGRES_CONFIGS}


def translated_query(terms, language):
    """``terms`` read in ``language``, the glossary's forms of each as alternatives.

    Each form is a phrase (``phraseto_tsquery``: stemmed, stop words left out,
    never read as syntax). Terms are joined as the SQLite engine joins them:
    "and" binding before "or", each left-out word taken away from the whole.
    """

    def phrase(words):
        return SearchQuery(" ".join(words), config=POSTGRES_CONFIGS[language], search_type="phrase")

    groups = []
    for term in terms:
        if term.negated:
            continue
        forms = [phrase(words) for words in term.forms(language)]
        piece = functools.reduce(operator.or_, forms)
        if term.either and groups:
            groups.append(piece)
        elif groups:
            groups[-1] = groups[-1] & piece
        else:
            groups.append(piece)
    combined = functools.reduce(operator.or_, groups)
    for term in terms:
        if term.negated:
            combined = combined & ~phrase(term.words)
    return combined


def by_story_language(make_expression, queries):
    """An expression that uses, for each story, the reading of the query in its language."""
    return Case(
        *(When(language=language, then=make_expression(q)) for language, q in queries.items()),
        default=make_expression(queries["en"]),
    )


class PostgresEngine:
    def matching(self, stories, query):
        # Each reading meets what its language's stories say and the translations into it
        # of the other's; each condition is answered by its own partial GIN index.
        readings = Q()
        for language, search_query in postgres_queries(query).items():
            readings |= Q(language=language, said_vector=search_query)
            readings |= Q(language=OTHER_LANGUAGE[language], translation_vector=search_query)
        return stories.filter(readings)

    def search(self, stories, query):
        # Only the story's own written words are ranked (the module's docstring says why).
        rank = by_story_language(
            lambda q: SearchRank(F("search_vector"), q), postgres_queries(query)
        )
        return self.matching(stories, query).annotate(search_rank=rank)

    def find(self, stories, query, bottom, top, facets):
        """Count (or divide into facets) and rank the matches in one statement.

        What a common word costs is reading its matches' rows, not ranking
        them: "court" reads 15,000 pages of the table for its 18,718 matches
        at 100,000 stories. Separate queries for the count, the facets and the
        page each read them again. Here the matches' ids and ranks are read
        once into a materialized CTE, and every figure and the page are taken
        from it (docs/performance.md).
        """
        matches = (
            self.search(stories, query)
            .order_by()
            .values_list("pk", "perspective_id", "language", "search_rank")
        )
        matches_sql, params = matches.query.sql_with_params()
        params = list(params)
        if facets:
            # The matches' tags, counted from the index unique_story_theme alone (a tag's
            # story and theme are both in it), the ids handed to it as one array ("= ANY").
            # "IN (SELECT id FROM matches)" was planned as a loop over the matches, each an
            # index lookup and a read of the table: most of the facets' time
            # (docs/performance.md, "Search, cached by query").
            figures = (
                "(SELECT json_agg(json_build_array(perspective_id, language, n)) FROM"
                " (SELECT perspective_id, language, count(*) AS n FROM matches"
                "  GROUP BY perspective_id, language) AS pairs),"
                " (SELECT json_agg(json_build_array(tag_id, n)) FROM"
                f" (SELECT tag_id, count(*) AS n FROM {TaggedTheme._meta.db_table}"
                "  WHERE content_object_id = ANY (ARRAY(SELECT id FROM matches))"
                "  GROUP BY tag_id) AS themes)"
            )
        else:
            figures = "(SELECT count(*) FROM matches), NULL"
        # The same order as findings.BEST_FIRST: rank, then the newest id among equals.
        page = (
            "(SELECT array_agg(id ORDER BY rank DESC, id DESC) FROM"
            " (SELECT id, rank FROM matches ORDER BY rank DESC, id DESC"
            "  LIMIT %s OFFSET %s) AS page)"
        )
        params += [top - bottom, bottom]
        with connections[stories.db].cursor() as cursor:
            cursor.execute(
                "WITH matches (id, perspective_id, language, rank) AS MATERIALIZED"
                f" ({matches_sql}) SELECT {figures}, {page}",
                params,
            )
            counted, themes, ids = cursor.fetchone()
        if not facets:
            return Findings(total=counted, ids=ids or [])
        pairs = Counter({(perspective, language): n for perspective, language, n in counted or []})
        return Findings(
            total=sum(pairs.values()),
            ids=ids or [],
            pairs=pairs,
            themes=dict(themes or []),
        )

    def with_snippets(self, stories, query):
        """``stories`` with ts_headline of each body: computed only for the rows read."""
        body = Replace(
            Replace(F("body"), Value("<"), Value(HEADLINE_LT)), Value(">"), Value(HEADLINE_GT)
        )
        headline = by_story_language(
            lambda q: SearchHeadline(
                body,
                q,
                config=story_config(),
                start_sel=MARK_START,
                stop_sel=MARK_END,
                max_words=SNIPPET_WORDS,
                min_words=SNIPPET_WORDS // 2,
            ),
            postgres_queries(query),
        )
        return stories.annotate(search_headline=headline)

    def snippet(self, story, query):
        return story.search_headline.replace(HEADLINE_LT, "<").replace(HEADLINE_GT, ">")

    def reindex(self, stories):
        # No translation, no vector: nothing stored, nothing to match.
        untranslated = Value("", output_field=SearchVectorField())
        approved = stories.filter(status=Story.Status.APPROVED)
        # Building the vectors' UPDATE costs some 5 ms of Python: asked first whether there
        # is a story to build them for (a submission and its themes are saved pending).
        if approved.exists():
            approved.update(
                search_vector=search_vector(),
                said_vector=said_vector(),
                translation_vector=NullIf(translation_vector(), untranslated),
            )
        stories.exclude(status=Story.Status.APPROVED).filter(indexed()).update(**unindexed())

    def forget(self, ids, connection):
        """Deleted stories take their vector with them."""

    def rebuild(self, stories):
        # Every row is written once: vectors for approved stories, none for the rest.
        self.reindex(stories)

    def clear(self, connection):
        Story.objects.using(connection.alias).filter(indexed()).update(**unindexed())

    def optimize(self, connection):
        """Autovacuum keeps PostgreSQL's statistics."""


def indexed():
    """Stories with any search vector stored."""
    return functools.reduce(
        operator.or_, (Q(**{f"{name}__isnull": False}) for name in Story.SEARCH_VECTORS)
    )


def unindexed():
    """Every search vector emptied."""
    return dict.fromkeys(Story.SEARCH_VECTORS)


def story_config():
    """The text search configuration of each story's own language."""
    return Case(
        *(When(language=code, then=Value(config)) for code, config in POSTGRES_CONFIGS.items()),
        default=Value(POSTGRES_CONFIGS["en"]),
    )


def translation_config():
    """The text search configuration of each story's translations: the other language's."""
    return Case(
        *(
            When(language=OTHER_LANGUAGE[code], then=Value(config))
            for code, config in POSTGRES_CONFIGS.items()
        ),
        default=Value(POSTGRES_CONFIGS["es"]),
    )


def joined(model, text):
    """The ``text`` of each of a story's cleared recording's transcript paragraphs or index
    segments, joined (documents.py: only a cleared recording's are searched)."""
    rows = (
        model.objects.filter(story=OuterRef("pk"), **CLEARED)
        .order_by()
        .values("story")
        .annotate(joined=StringAgg(text, delimiter=" "))
        .values("joined")
    )
    return Coalesce(Subquery(rows), Value(""), output_field=models.TextField())


def segments_joined(*, translated=False):
    """A story's index segments' titles, synopses and keywords (documents.segment_fields)."""
    fields = [F(name) for name in segment_fields(translated=translated)]
    spaced = [piece for field in fields for piece in (field, Value(" "))][:-1]
    return joined(IndexSegment, Concat(*spaced, output_field=models.TextField()))


def translation_vector():
    """The archive's translations of a story, in their language (documents.translated_parts):
    matched, never ranked, so unweighted."""
    return SearchVector(
        "title_translation",
        "summary_translation",
        segments_joined(translated=True),
        "body_translation",
        joined(TranscriptSegment, F("text_translation")),
        config=translation_config(),
    )


def said_vector():
    """Everything a story says in its language (documents.own_parts): its ranked words and
    its cleared recording's transcript, matched as one, never ranked."""
    return search_vector() + SearchVector(
        joined(TranscriptSegment, F("text")), config=story_config(), weight="C"
    )


def search_vector():
    """A story's ranked PostgreSQL search vector, built from its row, its cleared recording's
    index and its themes' names (documents.own_parts but the transcript, which said_vector
    adds)."""

    def theme_names(name):
        names = (
            TaggedTheme.objects.filter(content_object=OuterRef("pk"))
            .order_by()
            .values("content_object")
            .annotate(names=StringAgg(name, delimiter=" "))
            .values("names")
        )
        return Coalesce(Subquery(names), Value(""), output_field=models.TextField())

    config = story_config()
    # Each story's themes in its own language: the Spanish name where a moderator wrote one.
    spanish_name = Coalesce(NullIf(F("tag__name_es"), Value("")), F("tag__name"))
    themes = Case(
        When(language="es", then=theme_names(spanish_name)), default=theme_names(F("tag__name"))
    )
    return (
        SearchVector("title", config=config, weight="A")
        + SearchVector("summary", segments_joined(), config=config, weight="B")
        + SearchVector("body", config=config, weight="C")
        + SearchVector("narrator_descriptor", "place", themes, config=config, weight="D")
    )
