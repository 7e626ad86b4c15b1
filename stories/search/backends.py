"""
The one interface every search engine meets (``SearchEngine``), and
``engine_for(alias)``, which picks the engine of a database by its vendor:
PostgreSQL's full-text search (postgres.py) or SQLite's FTS5 (sqlite.py).

Only results.py (reading) and index.py (writing) call the engines; a query
reaches them as a ``text.Query`` (cleaned, parsed, perhaps with the glossary's
words in the other language) asking for some word (text.has_terms).
"""

from typing import Protocol

from django.core.exceptions import ImproperlyConfigured
from django.db import connections

from .findings import Findings
from .postgres import PostgresEngine
from .sqlite import SQLiteEngine


class SearchEngine(Protocol):
    def matching(self, stories, query):
        """``stories`` that match ``query``, unranked: what counts and facets need."""

    def search(self, stories, query):
        """``stories`` that match ``query``, annotated with ``search_rank`` (higher is better)."""

    def find(self, stories, query, bottom, top, facets) -> Findings:
        """How many match (with ``facets``, how they divide) and the ids ``bottom`` to ``top``."""

    def with_snippets(self, stories, query):
        """``stories`` with whatever ``snippet()`` will need, read with the rows."""

    def snippet(self, story, query) -> str:
        """An excerpt of ``story``'s body, unescaped, matched words between text.MARK_START/END."""

    def reindex(self, stories):
        """Index the approved ones of ``stories`` afresh and take the others out."""

    def forget(self, ids, connection):
        """Take the stories with these ids, deleted, out of the index."""

    def rebuild(self, stories):
        """Index every one of ``stories`` again, leaving nothing from before."""

    def clear(self, connection):
        """Empty the index."""

    def optimize(self, connection):
        """Refresh what the database plans searches with."""


ENGINES: dict[str, SearchEngine] = {"postgresql": PostgresEngine(), "sqlite": SQLiteEngine()}


def engine_for(alias) -> SearchEngine:
    """The engine of the database ``alias``; only PostgreSQL and SQLite have one."""
    vendor = connections[alias].vendor
    try:
        return ENGINES[vendor]
    except KeyError:
        raise ImproperlyConfigured(
            f"Search supports PostgreSQL and SQLite, not {vendor}."
        ) from None
