"""
Full-text search: one interface, two engines, chosen by the database in use.

- ``search(stories, query)`` narrows ``stories`` (``Story.objects.published()``)
  to the matching ones and ranks them, best first (title over summary over
  body); ``matching(stories, query)`` only narrows, which counts need.
- ``find(stories, query, bottom, top)`` counts the matches (and, if asked,
  divides them into facets) and ranks them, giving the ids of one page, in
  as few readings of the matches as the engine allows; ``RankedPaginator``
  pages with it. ``with_snippets(ids, query)`` reads the page's stories,
  each with a short, escaped excerpt of its text, matched words in ``<mark>``.
- ``reindex(stories)`` keeps the index current. Only the receivers of
  stories/search/receivers.py call it, as a story, its themes or a theme's
  names change, however they were changed; it is not done by SQL triggers,
  because theme names live in another table and, on SQLite, stemming happens
  in Python. ``rebuild()`` indexes everything again.

Only approved stories are indexed, and every search starts from
``published()``, so an embargoed story is indexed but not found until its
publication time.

PostgreSQL: a stored ``search_vector`` per story, built with the story's own
language configuration (``perspectives_en`` / ``perspectives_es``: Snowball
stemming after ``unaccent``, created by migration 0004), a GIN index per
language (migration 0008), a ``websearch`` query read in both languages,
``SearchRank`` and ``SearchHeadline``.

SQLite: an FTS5 table (``stories_search``, migrations 0004 and 0007) whose
rows hold words already folded (lower case, no accents) and stemmed in Python
with Snowball, English or Spanish by the story's language, because FTS5's only
stemmer is English. A query is parsed here (words, "quoted phrases", ``-word``,
``or``), each word stemmed and tagged for both languages, and every piece
quoted, so FTS5 syntax typed by a reader is only ever text. bm25 ranks it,
title weighted highest.
"""

import functools
import re
import threading
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import snowballstemmer
from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.core.exceptions import ImproperlyConfigured
from django.core.paginator import Paginator
from django.db import connections, models, transaction
from django.db.models import Case, F, Func, OuterRef, Q, Subquery, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, NullIf, Replace
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.safestring import mark_safe

# Long enough for any real question; bounds the work a pasted essay can cause.
MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
SNIPPET_WORDS = 30

LANGUAGES = ("en", "es")
POSTGRES_CONFIGS = {"en": "perspectives_en", "es": "perspectives_es"}
SNOWBALL_ALGORITHMS = {"en": "english", "es": "spanish"}

# bm25 weights of the FTS5 columns: title, summary, body, other (descriptor,
# place, theme names); in the proportions of PostgreSQL's default weights for
# the A, B, C and D parts of the search vector (1.0, 0.4, 0.2, 0.1).
FTS5_WEIGHTS = (10.0, 4.0, 2.0, 1.0)
# How many of the best matches beyond a page SQLite ranks without its filters
# before it falls back to ranking every match through the join.
FTS5_FIRST_CANDIDATES = 200

# The engines wrap matched words in these private-use characters; they become
# <mark> only after the text around them has been escaped.
MARK_START, MARK_END = "\ue000", "\ue001"
_MARKED = re.compile(f"{MARK_START}([^{MARK_START}{MARK_END}]*){MARK_END}")

# ts_headline drops anything that looks like an HTML tag; a narrator's "<" and
# ">" are text to show, so they pass through it disguised as these.
HEADLINE_LT, HEADLINE_GT = "\ue002", "\ue003"

# Letters and digits; FTS5's unicode61 tokenizer splits on everything else, "_" included.
WORD = re.compile(r"[^\W_]+")
# A quoted phrase (the closing quote may be missing) or a run of non-space characters.
QUERY_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ue000\ue001]")


class FTS5Table(models.TextField):
    """The hidden column that bears an FTS5 table's own name: the left side of MATCH."""


@FTS5Table.register_lookup
class Match(models.Lookup):
    lookup_name = "match"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} MATCH {rhs}", [*lhs_params, *rhs_params]


def _stop_words(algorithm):
    path = Path(__file__).parent / "stopwords" / f"{algorithm}.txt"
    return frozenset(fold(line.strip()) for line in path.read_text("utf-8").splitlines())


def clean_query(query):
    """What a reader typed, made safe to hand to either engine."""
    return CONTROL_CHARACTERS.sub(" ", query or "")[:MAX_QUERY_LENGTH].strip()


def fold(text):
    """Lower case without accents: "Policía" and "policia" are one word to search."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# PostgreSQL's stemming dictionaries leave these out; so does the SQLite index.
STOP_WORDS = {language: _stop_words(SNOWBALL_ALGORITHMS[language]) for language in LANGUAGES}

_stemmers = threading.local()


@functools.lru_cache(maxsize=100_000)
def stem(word, language):
    # Snowball stemmer objects keep state while they work: one per thread.
    stemmer = getattr(_stemmers, language, None)
    if stemmer is None:
        stemmer = snowballstemmer.stemmer(SNOWBALL_ALGORITHMS[language])
        setattr(_stemmers, language, stemmer)
    return stemmer.stemWord(word)


def language_of(story):
    """The language a story is indexed and searched in."""
    return story.language if story.language in LANGUAGES else "en"


def words_of(text):
    """The words of ``text``, as written (composed to NFC)."""
    return WORD.findall(unicodedata.normalize("NFC", text))


@functools.lru_cache(maxsize=200_000)
def index_stem(word, language):
    """What ``language`` indexes ``word`` as: folded and stemmed; "" for a stop word."""
    folded = fold(word)
    return "" if folded in STOP_WORDS[language] else stem(folded, language)


def marked(stem, language):
    """A stem as the SQLite index holds it: tagged with its language.

    English "policy" and Spanish "policía" share the Snowball stem "polici";
    tagged ("en0polici", "es0polici") they stay apart, as they do in
    PostgreSQL, where each reading of a query meets only stories in its language.
    """
    return f"{language}0{stem}"


def stemmed(text, language):
    """The words of ``text``, folded, stemmed, stop words left out: what the SQLite index holds."""
    return " ".join(
        marked(stem, language)
        for stem in (index_stem(word, language) for word in words_of(text))
        if stem
    )


@dataclass(frozen=True)
class Term:
    words: tuple  # folded words; more than one for a "quoted phrase" or "co-op"
    negated: bool = False
    either: bool = False  # joined to the term before it by "or"


@dataclass
class Findings:
    """What one reading of a query's matches gives: how many, how they divide, one ranked page.

    ``total`` is the number of matches. ``pairs`` ({(perspective id,
    language): matches}) and ``themes`` ({theme id: matches}) are the facet
    counts, filled only when asked for. ``ids`` are the page's stories, best first.
    """

    total: int
    ids: list
    pairs: Counter = field(default_factory=Counter)
    themes: dict = field(default_factory=dict)


def parse(query):
    """Read a query the way PostgreSQL's websearch_to_tsquery does."""
    terms, either = [], False
    for negated, phrase, bare in QUERY_TOKEN.findall(clean_query(query)):
        if bare.casefold() == "or":
            either = bool(terms)
            continue
        if bare.startswith("-") and len(bare) > 1:
            negated, bare = "-", bare[1:]
        words = tuple(fold(word) for word in words_of(phrase or bare))
        if words:
            terms.append(Term(words, negated=bool(negated), either=either and not negated))
        either = False
    return terms[:MAX_TERMS]


def stems_of(words, language):
    """The stems ``language`` searches for; its stop words are left out, as PostgreSQL does."""
    return [stem(word, language) for word in words if word not in STOP_WORDS[language]]


def has_terms(query):
    """Whether ``query`` asks for any word that either language would search for."""
    return any(
        stems_of(term.words, language)
        for term in parse(query)
        if not term.negated
        for language in LANGUAGES
    )


def query_stems(query, language):
    """The stems of the words a reader is looking for, read in ``language``."""
    return {
        word_stem
        for term in parse(query)
        if not term.negated
        for word_stem in stems_of(term.words, language)
    }


def highlight(marked_text):
    """Escape narrator text, then turn the engine's sentinels into <mark>.

    Only well-formed pairs become markup; a stray sentinel (one a narrator
    typed, say) is dropped, so no tag is ever left open.
    """
    escaped = escape(marked_text)
    html = _MARKED.sub(r"<mark>\1</mark>", escaped)
    return mark_safe(html.replace(MARK_START, "").replace(MARK_END, ""))


def postgres_queries(query):
    """A query read in each language: its language is unknown, each story's is known."""
    return {
        language: SearchQuery(query, config=config, search_type="websearch")
        for language, config in POSTGRES_CONFIGS.items()
    }


def by_story_language(make_expression, queries):
    """An expression that uses, for each story, the reading of the query in its language."""
    return Case(
        *(When(language=language, then=make_expression(q)) for language, q in queries.items()),
        default=make_expression(queries["en"]),
    )


class PostgresEngine:
    def matching(self, stories, query):
        readings = Q()
        for language, search_query in postgres_queries(query).items():
            readings |= Q(language=language, search_vector=search_query)
        return stories.filter(readings)

    def search(self, stories, query):
        queries = postgres_queries(query)
        return self.matching(stories, query).annotate(
            search_rank=by_story_language(lambda q: SearchRank(F("search_vector"), q), queries),
        )

    def find(self, stories, query, bottom, top, facets):
        """Count (or divide into facets) and rank the matches in one statement.

        What a common word costs is reading its matches' rows, not ranking
        them: "court" reads 15,000 pages of the table for its 18,718 matches
        at 100,000 stories. Separate queries for the count, the facets and the
        page each read them again. Here the matches' ids and ranks are read
        once into a materialized CTE, and every figure and the page are taken
        from it (docs/performance.md).
        """
        from ..models import Theme

        matches = (
            self.search(stories, query)
            .order_by()
            .values_list("pk", "perspective_id", "language", "search_rank")
        )
        matches_sql, params = matches.query.sql_with_params()
        params = list(params)
        if facets:
            tags = Theme.objects.tally_among(RawSQL("SELECT id FROM matches", ()))
            tags_sql, tags_params = tags.query.sql_with_params()
            figures = (
                "(SELECT json_agg(json_build_array(perspective_id, language, n)) FROM"
                " (SELECT perspective_id, language, count(*) AS n FROM matches"
                "  GROUP BY perspective_id, language) AS pairs),"
                " (SELECT json_agg(json_build_array(theme, n))"
                f" FROM ({tags_sql}) AS themes (theme, n))"
            )
            params += tags_params
        else:
            figures = "(SELECT count(*) FROM matches), NULL"
        # The same order as search(): rank, then the newest id among equals.
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
        from ..models import Story

        stories.filter(status=Story.Status.APPROVED).update(search_vector=search_vector())
        stories.exclude(status=Story.Status.APPROVED).exclude(search_vector=None).update(
            search_vector=None
        )

    def forget(self, ids, connection):
        """Deleted stories take their vector with them."""

    def rebuild(self, stories):
        # Every row is written once: vectors for approved stories, none for the rest.
        self.reindex(stories)

    def clear(self, connection):
        from ..models import Story

        Story.objects.using(connection.alias).exclude(search_vector=None).update(search_vector=None)

    def optimize(self, connection):
        """Autovacuum keeps PostgreSQL's statistics."""


def story_config():
    """The text search configuration of each story's own language."""
    return Case(
        *(When(language=code, then=Value(config)) for code, config in POSTGRES_CONFIGS.items()),
        default=Value(POSTGRES_CONFIGS["en"]),
    )


def search_vector():
    """A story's PostgreSQL search vector, built from its row and its themes' names."""
    from ..models import TaggedTheme

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
        + SearchVector("summary", config=config, weight="B")
        + SearchVector("body", config=config, weight="C")
        + SearchVector("narrator_descriptor", "place", themes, config=config, weight="D")
    )


class SQLiteEngine:
    TABLE = "stories_search"

    def matching(self, stories, query):
        # The ids come from the FTS5 table alone: no join, so nothing is read
        # from the index but the ids, and SQLite looks each story up once.
        expression = fts5_expression(parse(query))
        if expression is None:
            return stories.none()
        ids = RawSQL(f"SELECT rowid FROM {self.TABLE} WHERE {self.TABLE} MATCH %s", [expression])
        return stories.filter(pk__in=ids)

    def search(self, stories, query):
        expression = fts5_expression(parse(query))
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
        from ..models import Theme

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
        from ..models import Story

        if not stories.is_every_public_story:
            return self.matching(stories, query).count()
        waiting = (
            Story.objects.using(stories.db)
            .filter(status=Story.Status.APPROVED, published_at__gt=timezone.now())
            .values("pk")
        )
        waiting_sql, waiting_params = waiting.query.sql_with_params()
        expression = fts5_expression(parse(query))
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
        expression = fts5_expression(parse(query))
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
        return list(search(stories, query).values_list("pk", flat=True)[bottom:top])

    def with_snippets(self, stories, query):
        """Snippets are cut in Python, from the bodies read for the page."""
        return stories

    def snippet(self, story, query):
        language = language_of(story)
        return excerpt(story.body, language, query_stems(query, language))

    def reindex(self, stories):
        from ..models import Story

        connection = connections[stories.db]
        self.forget(list(stories.values_list("pk", flat=True)), connection)
        approved = stories.filter(status=Story.Status.APPROVED).with_themes()
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
    language = language_of(story)
    theme_names = [
        (theme.name_es or theme.name) if language == "es" else theme.name
        for theme in story.theme_list
    ]
    other = stemmed(" ".join([story.narrator_descriptor, story.place, *theme_names]), language)
    return (
        story.pk,
        stemmed(story.title, language),
        stemmed(story.summary, language),
        stemmed(story.body, language),
        other,
    )


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
    quoted = [
        (term, " ".join(marked(stem, language) for stem in stems_of(term.words, language)))
        for term in terms
    ]
    quoted = [(term, f'"{stems}"') for term, stems in quoted if stems]
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


def excerpt(text, language, stems):
    """About SNIPPET_WORDS words of ``text`` around its first matched word, matches marked."""
    text = unicodedata.normalize("NFC", text)
    words = list(WORD.finditer(text))
    matched = [i for i, word in enumerate(words) if index_stem(word.group(), language) in stems]
    if not words:
        return ""
    first = max(0, matched[0] - SNIPPET_WORDS // 4) if matched else 0
    last = min(len(words), first + SNIPPET_WORDS)
    matched = {i for i in matched if first <= i < last}
    pieces, position = [], words[first].start()
    for i in range(first, last):
        word = words[i]
        pieces.append(text[position : word.start()])
        if i in matched:
            pieces.append(f"{MARK_START}{word.group()}{MARK_END}")
        else:
            pieces.append(word.group())
        position = word.end()
    snippet = "".join(pieces)
    if last < len(words):
        snippet += text[position : words[last].start()].rstrip() + " …"
    if first > 0:
        snippet = "… " + snippet
    return snippet


ENGINES = {"postgresql": PostgresEngine(), "sqlite": SQLiteEngine()}


def engine_for(alias):
    vendor = connections[alias].vendor
    try:
        return ENGINES[vendor]
    except KeyError:
        raise ImproperlyConfigured(
            f"Search supports PostgreSQL and SQLite, not {vendor}."
        ) from None


def matching(stories, query):
    """``stories`` that match ``query``, unranked: what counts and facets need."""
    if not has_terms(query):
        return stories.none()
    return engine_for(stories.db).matching(stories, clean_query(query))


def search(stories, query):
    """``stories`` that match ``query``, best first; none when no word is asked for."""
    if not has_terms(query):
        return stories.none()
    query = clean_query(query)
    return engine_for(stories.db).search(stories, query).order_by("-search_rank", "-pk")


def find(stories, query, bottom, top, *, facets=False):
    """How many of ``stories`` match ``query``, and the ids of matches ``bottom`` to ``top``.

    The ids are best first. With ``facets``, also how the matches divide by
    perspective and language and by theme (``Findings``). Each engine reads
    the matches as few times as it can: PostgreSQL once for everything,
    SQLite ranks the best of them in its FTS5 table alone.
    """
    if not has_terms(query):
        return Findings(total=0, ids=[])
    return engine_for(stories.db).find(stories, clean_query(query), bottom, top, facets)


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
    in ``<mark>``.
    """
    from ..models import Story

    engine = engine_for(using)
    query = clean_query(query)
    rows = Story.objects.using(using).published().for_listing()
    page = in_order(engine.with_snippets(rows, query), ids)
    for story in page:
        story.snippet = highlight(engine.snippet(story, query))
    return page


# Far past any archive, and, with a page and the candidates SQLite ranks added, still within
# the 64-bit integers that SQLite and PostgreSQL take as LIMIT and OFFSET.
LARGEST_OFFSET = 2**62


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
        # Paginator's does. Until then it only places the page; a place past what a database
        # can count to (page=9223372036854775808) is as empty as any place past the end.
        try:
            bottom = min((max(int(number), 1) - 1) * self.per_page, LARGEST_OFFSET)
        except (TypeError, ValueError):
            bottom = 0
        top = bottom + self.per_page + self.orphans
        self.findings = find(self.object_list, self.query, bottom, top, facets=self.facets)
        self.count = self.findings.total
        number = self.validate_number(number)
        shown = self.per_page
        if bottom + shown + self.orphans >= self.count:
            shown = self.count - bottom
        return self._get_page(self.read(self.findings.ids[:shown]), number, self)


def reindex(stories):
    """Bring the index up to date for a story or a queryset of stories."""
    from ..models import Story

    if isinstance(stories, Story):
        stories = Story.objects.using(stories._state.db).filter(pk=stories.pk)
    # One transaction: the index never shows a half-done update, and SQLite's FTS5
    # writes its segments once instead of once per story.
    with transaction.atomic(using=stories.db):
        engine_for(stories.db).reindex(stories)


def forget(ids, using):
    """Take deleted stories out of the index."""
    engine_for(using).forget(list(ids), connections[using])


def optimize(using="default"):
    """Keep the statistics the search's query plans depend on current (run daily)."""
    engine_for(using).optimize(connections[using])


def rebuild(using="default"):
    """Index every story again from scratch (after a restore, an upgrade or a bulk load)."""
    from ..models import Story

    with transaction.atomic(using=using):
        engine_for(using).rebuild(Story.objects.using(using))
