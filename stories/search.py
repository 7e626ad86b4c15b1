"""
Full-text search: one interface, two engines, chosen by the database in use.

- ``Story.objects.published().search(query)`` narrows to the matching stories
  and ranks them, best first (title over summary over body);
  ``.matching(query)`` only narrows, for counts and facets, which need no rank.
- ``ranked_slice(results, query, bottom, top)`` reads one page of them and
  gives each story a short, escaped excerpt of its text with the matched
  words in ``<mark>``.
- ``reindex(stories)`` keeps the index current. The model methods that change
  what the public could find (approval, return to review, withdrawal, edits in
  the admin, theme renames and merges, deletion) call it; it is not done by
  SQL triggers, because theme names live in another table and, on SQLite,
  stemming happens in Python. ``rebuild()`` indexes everything again.

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
from dataclasses import dataclass
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
        from .models import Story

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
        from .models import Story

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
    from .models import TaggedTheme

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

    def with_snippets(self, stories, query):
        """Snippets are cut in Python, from the bodies read for the page."""
        return stories

    def snippet(self, story, query):
        language = language_of(story)
        return excerpt(story.body, language, query_stems(query, language))

    def reindex(self, stories):
        from .models import Story

        connection = connections[stories.db]
        self.forget(list(stories.values_list("pk", flat=True)), connection)
        approved = stories.filter(status=Story.Status.APPROVED).prefetch_related("themes")
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
        for theme in story.themes.all()
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
    return (
        engine_for(stories.db)
        .search(stories, query)
        .order_by("-search_rank", "-published_at", "-pk")
    )


def ranked_slice(results, query, bottom, top):
    """Results ``bottom`` to ``top`` of ``results`` (``search(query)``), each with its snippet.

    Ranking sorts every match, and sorting whole rows (the body and every
    column a page shows) costs more than ranking them; so the matches are
    ranked and sorted with their ids alone, and then only the page's stories
    are read, by id, with their snippets and no second match (a "deferred
    join"). On 100,000 stories this took the first page of "police" (13,115
    matches) on PostgreSQL from 100 to 83 ms, and on SQLite from 78 to 53 ms
    (docs/performance.md).

    ``snippet`` is safe HTML: the narrator's text escaped, the matched words
    in ``<mark>``.
    """
    from .models import Story

    engine = engine_for(results.db)
    query = clean_query(query)
    ids = list(results.values_list("pk", flat=True)[bottom:top])
    # Read through the public gateway again: a story withdrawn between the
    # two queries drops out of the page instead of being shown.
    rows = Story.objects.using(results.db).published().for_listing()
    found = engine.with_snippets(rows, query).in_bulk(ids)
    page = [found[pk] for pk in ids if pk in found]
    for story in page:
        story.snippet = highlight(engine.snippet(story, query))
    return page


class RankedPaginator(Paginator):
    """Pages of the ranked results of ``query``, each read with ``ranked_slice()``."""

    def __init__(self, object_list, per_page, *, query, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.query = query

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        page = ranked_slice(self.object_list, self.query, bottom, top)
        return self._get_page(page, number, self)


def reindex(stories):
    """Bring the index up to date for a story or a queryset of stories."""
    from .models import Story

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
    from .models import Story

    with transaction.atomic(using=using):
        engine_for(using).rebuild(Story.objects.using(using))
