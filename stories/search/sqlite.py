"""
The SQLite engine: an FTS5 table (``stories_search``, the unmanaged
``SearchEntry``; migrations 0004 and 0007) whose rows hold words already
folded (lower case, no accents) and stemmed in Python with Snowball, English
or Spanish by the story's language, because FTS5's only stemmer is English.
The archive's translations share the row's columns (documents.py), stemmed
and tagged in their own language, so only that language's reading meets them.
A query is parsed (text.parse: words, "quoted phrases", ``-word``, ``or``),
each word stemmed and tagged for both languages, and every piece quoted, so
FTS5 syntax typed by a reader is only ever text. bm25 ranks it, title
weighted highest.
"""

from django.db import connections, models
from django.db.models import F, Func, Value
from django.db.models.expressions import RawSQL

from ..models import OTHER_LANGUAGE, Story, Theme
from .documents import own_parts, translated_parts, with_recording_texts
from .findings import BEST_FIRST, Findings
from .text import (
    LANGUAGES,
    Query,
    excerpt,
    language_of,
    marked,
    query_stems,
    stemmed,
    stems_of,
)

# bm25 weights of the FTS5 columns: title, summary (and index segments), body
# (and transcript), other (descriptor, place, theme names); in the proportions
# of PostgreSQL's default weights for the A, B, C and D parts of the search
# vector (1.0, 0.4, 0.2, 0.1).
FTS5_WEIGHTS = (10.0, 4.0, 2.0, 1.0)
# How many of the best matches beyond a page SQLite ranks without its filters
# before it falls back to ranking every match through the join.
FTS5_FIRST_CANDIDATES = 200


class SQLiteEngine:
    TABLE = "stories_search"

    def matching(self, stories, query):
        # The ids come from the FTS5 table alone: no join, so nothing is read
        # from the index but the ids, and SQLite looks each story up once.
        expression = fts5_expression(Query.of(query).terms)
        if expression is None:
            return stories.none()
        ids = RawSQL(f"SELECT rowid FROM {self.TABLE} WHERE {self.TABLE} MATCH %s", [expression])
        return stories.filter(pk__in=ids)

    def search(self, stories, query):
        expression = fts5_expression(Query.of(query).terms)
        if expression is None:
            return stories.none()
        bm25 = Func(
            F("search_entry__document"),
            *(Value(weight) for weight in FTS5_WEIGHTS),
            function="bm25",
            output_field=models.FloatField(),
        )
        # bm25 is lower for better matches; the interface ranks higher-is-better.
        return stories.filter(search_entry__document__match=expression).annotate(search_rank=-bm25)

    def find(self, stories, query, bottom, top, facets):
        ids = self.ranked_ids(stories, query, bottom, top)
        if not facets:
            return Findings(total=self.count(stories, query), ids=ids)
        matches = self.matching(stories, query)
        pairs = matches.counts_by_perspective_and_language()
        return Findings(
            total=sum(pairs.values()),
            ids=ids,
            pairs=pairs,
            themes=Theme.objects.counts_among(matches),
        )

    def count(self, stories, query):
        """How many of ``stories`` match ``query``.

        Among every public story, counted in the FTS5 table alone (0.7 ms for
        the 13,116 matches of "police" at 100,000 stories, where looking each
        up among the stories takes 8 ms). Only approved stories are indexed,
        so the approved ones still waiting for their publication time are the
        only ones to take away.
        """
        if not stories.is_every_public_story:
            return self.matching(stories, query).count()
        waiting = Story.objects.using(stories.db).awaiting_publication().values("pk")
        waiting_sql, waiting_params = waiting.query.sql_with_params()
        expression = fts5_expression(Query.of(query).terms)
        with connections[stories.db].cursor() as cursor:
            cursor.execute(
                f"SELECT (SELECT count(*) FROM {self.TABLE} WHERE {self.TABLE} MATCH %s)"
                f" - (SELECT count(*) FROM {self.TABLE} WHERE {self.TABLE} MATCH %s"
                f"    AND rowid IN ({waiting_sql}))",
                [expression, expression, *waiting_params],
            )
            return cursor.fetchone()[0]

    def ranked_ids(self, stories, query, bottom, top):
        """The ids of matches ``bottom`` to ``top``, best first, ranked by FTS5 alone if it can.

        Every indexed story is approved, and nearly all are visible: so the
        best few hundred matches are ranked in the FTS5 table alone, without
        a join, and only those are then looked up among ``stories``. A join
        would look up every match (13,116 for "police" at 100,000 stories)
        before it could rank them. When the filters keep too few of the
        best, the join ranks them all.
        """
        expression = fts5_expression(Query.of(query).terms)
        if expression is None or top <= bottom:
            return []
        weights = ", ".join(str(weight) for weight in FTS5_WEIGHTS)
        wanted = FTS5_FIRST_CANDIDATES + top
        kept = stories.filter(pk=RawSQL("best.rowid", ())).values("pk")
        kept_sql, kept_params = kept.query.sql_with_params()
        with connections[stories.db].cursor() as cursor:
            cursor.execute(
                f"SELECT rowid, EXISTS ({kept_sql}) FROM"
                f" (SELECT rowid, bm25({self.TABLE}, {weights}) AS score FROM {self.TABLE}"
                f"  WHERE {self.TABLE} MATCH %s ORDER BY score, rowid DESC LIMIT %s) AS best"
                " ORDER BY score, rowid DESC",
                [*kept_params, expression, wanted],
            )
            candidates = cursor.fetchall()
        ranked = [pk for pk, is_kept in candidates if is_kept]
        if len(ranked) >= top or len(candidates) < wanted:
            return ranked[bottom:top]
        every_match = self.search(stories, query).order_by(*BEST_FIRST)
        return list(every_match.values_list("pk", flat=True)[bottom:top])

    def with_snippets(self, stories, query):
        """Snippets are cut in Python, from the bodies read for the page."""
        return stories

    def snippet(self, story, query):
        language = language_of(story)
        return excerpt(story.body, language, query_stems(query, language))

    def reindex(self, stories):
        connection = connections[stories.db]
        self.forget(list(stories.values_list("pk", flat=True)), connection)
        approved = with_recording_texts(stories.filter(status=Story.Status.APPROVED).with_themes())
        rows = (fts5_row(story) for story in approved.iterator(chunk_size=500))
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {self.TABLE} (rowid, title, summary, body, other) "
                "VALUES (%s, %s, %s, %s, %s)",
                rows,
            )

    def forget(self, ids, connection):
        with connection.cursor() as cursor:
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                placeholders = ", ".join(["%s"] * len(chunk))
                cursor.execute(f"DELETE FROM {self.TABLE} WHERE rowid IN ({placeholders})", chunk)

    def rebuild(self, stories):
        # Rows of stories deleted without forget() (by raw SQL, say) go too.
        self.clear(connections[stories.db])
        self.reindex(stories)
        self.optimize(connections[stories.db])

    def optimize(self, connection):
        """Refresh the statistics SQLite plans searches with (SearchEntry says why)."""
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    def clear(self, connection):
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {self.TABLE}")


def fts5_row(story):
    """A story's row: each column its own words' stems, then its translations' (documents.py)."""
    language = language_of(story)
    translation = OTHER_LANGUAGE[language]
    own, translated = own_parts(story), translated_parts(story)
    theme_names = [
        (theme.name_es or theme.name) if language == "es" else theme.name
        for theme in story.theme_list
    ]
    columns = [
        " ".join(
            stems
            for stems in (
                *(stemmed(text, language) for text in own[part]),
                *(stemmed(text, translation) for text in translated[part]),
            )
            if stems
        )
        for part in ("title", "summary", "body")
    ]
    other = stemmed(" ".join([story.narrator_descriptor, story.place, *theme_names]), language)
    return (story.pk, *columns, other)


def fts5_expression(terms):
    """An FTS5 query for ``terms``, or None when nothing positive is asked for.

    Like the PostgreSQL engine, it reads the query once as English and once as
    Spanish; the stems of each reading carry their language's tag, so each
    meets only the stories told in that language. Every piece is a
    double-quoted string of stems, which FTS5 reads as a word or a phrase and
    never as syntax.
    """
    readings = [fts5_reading(terms, language) for language in LANGUAGES]
    return " OR ".join(f"({reading})" for reading in readings if reading) or None


def fts5_reading(terms, language):
    # A term whose words are all stop words in this language drops out of this reading.
    quoted = [(term, fts5_term(term, language)) for term in terms]
    quoted = [(term, phrase) for term, phrase in quoted if phrase]
    expression = ""
    for term, phrase in quoted:
        if not term.negated:
            joint = (" OR " if term.either else " AND ") if expression else ""
            expression += joint + phrase
    if not expression:
        return None
    for term, phrase in quoted:
        if term.negated:
            expression = f"({expression}) NOT {phrase}"
    return expression


def fts5_term(term, language):
    """A term in one reading: its quoted stems, or its forms (typed, glossary's) joined by OR."""
    phrases = []
    for words in term.forms(language):
        stems = " ".join(marked(stem, language) for stem in stems_of(words, language))
        if stems and f'"{stems}"' not in phrases:
            phrases.append(f'"{stems}"')
    if len(phrases) > 1:
        return "(" + " OR ".join(phrases) + ")"
    return phrases[0] if phrases else None
