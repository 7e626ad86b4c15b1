"""
Full-text search: one interface, two engines, chosen by the database in use.

- results.py reads, for the pages and the API. ``search(stories, query)``
  narrows ``stories`` (``Story.objects.published()``) to the matching ones
  and ranks them, best first (title over summary over body);
  ``matching(stories, query)`` only narrows, which counts need.
  ``find(stories, query, bottom, top)`` counts the matches (and, if asked,
  divides them into facets) and ranks them, giving the ids of one page, in as
  few readings of the matches as the engine allows; ``RankedPaginator`` pages
  with it. ``with_snippets(ids, query)`` reads the page's stories, each with a
  short, escaped excerpt of its text, matched words in ``<mark>``.
- index.py writes. ``reindex(stories)`` keeps the index current; only the
  receivers of receivers.py call it, as a story, its themes or a theme's names
  change. ``rebuild()`` indexes everything again.
- backends.py writes down the interface every engine meets (``SearchEngine``)
  and picks one by database (``engine_for``); postgres.py and sqlite.py are
  the two engines, findings.py what they give back.
- text.py holds the words, without a database: a query cleaned and parsed,
  folding, stemming, stop words, excerpts and highlighting.

Only approved stories are indexed, and every search starts from
``published()``, so an embargoed story is indexed but not found until its
publication time.

This file imports nothing: ``stories.models`` imports text.py, and the
engines, which import the models, run only when imported by name.
"""
