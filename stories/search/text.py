"""
The words of search, without a database: what a reader typed, cleaned and
parsed into terms; words folded, stemmed and stop words left out, in English
and Spanish; and the excerpt and ``<mark>`` highlighting shown with a result.

It imports no model, so ``stories.models`` can use it (``fold`` orders theme
names) and both engines build on it.
"""

import functools
import re
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import snowballstemmer
from django.utils.html import escape
from django.utils.safestring import mark_safe

# Long enough for any real question; bounds the work a pasted essay can cause.
MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
SNIPPET_WORDS = 30

LANGUAGES = ("en", "es")
SNOWBALL_ALGORITHMS = {"en": "english", "es": "spanish"}

# The engines wrap matched words in these private-use characters; they become
# <mark> only after the text around them has been escaped.
MARK_START, MARK_END = "\ue000", "\ue001"
_MARKED = re.compile(f"{MARK_START}([^{MARK_START}{MARK_END}]*){MARK_END}")

# Letters and digits; FTS5's unicode61 tokenizer splits on everything else, "_" included.
WORD = re.compile(r"[^\W_]+")
# A quoted phrase (the closing quote may be missing) or a run of non-space characters.
QUERY_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ue000\ue001]")


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
    # The glossary's counterparts, ((language, words), ...): each searched as an alternative
    # to ``words`` by that language's reading (Glossary.translated).
    alternatives: tuple = ()

    def forms(self, language):
        """What this term looks for in ``language``'s reading: as typed, then the glossary's."""
        return [self.words, *(words for code, words in self.alternatives if code == language)]


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


SHORTEST_SHARED_STEM = 4


class Glossary:
    """The archive's bilingual glossary, without a database: pairs of English and Spanish spellings.

    A word (or "quoted phrase") of a query that is, in some form, one of a
    pair's spellings in its language ("families" is "family"; "policías" is
    "policía") is searched with the pair's other spellings too, each in its
    own language's reading: "familia" also finds English stories with
    "family". Forms are compared by their stems in the spelling's own
    language only, so English "policy" never reaches Spanish "policía".
    """

    def __init__(self, pairs=()):
        # pairs: (English spellings, Spanish spellings), each a sequence of strings.
        self.entries = []
        self.index = {}
        for english, spanish in pairs:
            entry = {
                "en": self._spellings(english, "en"),
                "es": self._spellings(spanish, "es"),
            }
            if not (entry["en"] and entry["es"]):
                continue
            self.entries.append(entry)
            for language in LANGUAGES:
                for stems, words, _spelling in entry[language]:
                    self.index.setdefault((language, stems), []).append((entry, words))

    @staticmethod
    def _spellings(spellings, language):
        found = []
        for spelling in spellings:
            words = tuple(fold(word) for word in words_of(spelling))
            stems = tuple(stems_of(words, language))
            if stems:
                found.append((stems, words, spelling.strip()))
        return found

    def __bool__(self):
        return bool(self.entries)

    def entries_for(self, words):
        """The glossary's entries that ``words`` (folded) is a form of, in either language.

        Snowball cuts some words short ("redada" to "red"), where another word
        of either language stems alike ("red", "redes"): a stem shorter than
        SHORTEST_SHARED_STEM matches only the spelling itself.
        """
        found = []
        for language in LANGUAGES:
            stems = tuple(stems_of(words, language))
            for entry, spelled in self.index.get((language, stems), ()):
                too_short = any(len(stem) < SHORTEST_SHARED_STEM for stem in stems)
                if entry not in found and (spelled == words or not too_short):
                    found.append(entry)
        return found

    def translated(self, term):
        """``term`` with the glossary's counterparts as alternatives, and their spellings.

        A negated term stays as typed: leaving out "-policía" does not leave out "police".
        """
        if term.negated:
            return term, []
        typed = {language: tuple(stems_of(term.words, language)) for language in LANGUAGES}
        alternatives = []
        for entry in self.entries_for(term.words):
            for language in LANGUAGES:
                for stems, words, spelling in entry[language]:
                    if stems != typed[language] and (language, words, spelling) not in alternatives:
                        alternatives.append((language, words, spelling))
        if not alternatives:
            return term, []
        return Term(
            term.words,
            negated=term.negated,
            either=term.either,
            alternatives=tuple((language, words) for language, words, _ in alternatives),
        ), [(language, spelling) for language, _, spelling in alternatives]


@dataclass(frozen=True)
class Query:
    """What a reader asked for, as the engines read it: the cleaned text and its terms.

    ``terms`` carry the glossary's counterparts when the search goes across
    languages; ``also_searched`` names them for the page ("Also searched:
    familia"), as (language, spelling) pairs.
    """

    text: str
    terms: tuple
    also_searched: tuple = ()

    @classmethod
    def of(cls, query, glossary=None):
        """``query`` (what was typed, or a Query already) read, through ``glossary`` if given."""
        if isinstance(query, Query):
            return query
        text = clean_query(query)
        terms, also = [], []
        for term in parse(text):
            if glossary:
                term, spellings = glossary.translated(term)
                also += [spelling for spelling in spellings if spelling not in also]
            terms.append(term)
        return cls(text, tuple(terms), tuple(also))

    @property
    def is_translated(self):
        return bool(self.also_searched)

    def __str__(self):
        return self.text


def has_terms(query):
    """Whether ``query`` asks for any word that either language would search for."""
    return any(
        stems_of(term.words, language)
        for term in Query.of(query).terms
        if not term.negated
        for language in LANGUAGES
    )


def query_stems(query, language):
    """The stems of the words a reader is looking for, read in ``language``, glossary's included."""
    return {
        word_stem
        for term in Query.of(query).terms
        if not term.negated
        for words in term.forms(language)
        for word_stem in stems_of(words, language)
    }


def highlight(marked_text):
    """Escape narrator text, then turn the engine's sentinels into <mark>.

    Only well-formed pairs become markup; a stray sentinel (one a narrator
    typed, say) is dropped, so no tag is ever left open.
    """
    escaped = escape(marked_text)
    html = _MARKED.sub(r"<mark>\1</mark>", escaped)
    return mark_safe(html.replace(MARK_START, "").replace(MARK_END, ""))


def mentions(text, language, stems):
    """Whether ``text``, read in ``language``, holds a word with one of these stems."""
    return any(index_stem(word, language) in stems for word in words_of(text))


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
