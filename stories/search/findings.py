"""
What a search gives back, whichever engine reads it: ``Findings``, and the
order ``BEST_FIRST`` that every ranked result keeps.
"""

from collections import Counter
from dataclasses import dataclass, field

# Rank, then the newest id among equals: a page boundary never splits a tie two ways.
BEST_FIRST = ("-search_rank", "-pk")


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
