"""
The facets beside a list of stories: how many of them each perspective, theme
and language has, named for the reader (the search page's filters).
"""

from collections import Counter
from dataclasses import dataclass

from .story import Story


@dataclass(frozen=True)
class LanguageCount:
    """A language facet, shaped like the annotated perspectives and themes beside it."""

    slug: str  # the language code, as in ?language=
    local_name: str
    matching_count: int


def facets_of(pairs, theme_counts, perspectives, themes):
    """The facets beside a list of stories, from how many each (perspective,
    language) pair and each theme has, named from ``perspectives`` and ``themes``.

    Each perspective's and each language's count is a sum over the other.
    Every story has exactly one perspective, so their sum is the number of stories.
    """
    by_perspective, by_language = Counter(), Counter()
    for (perspective_id, language), count in pairs.items():
        by_perspective[perspective_id] += count
        by_language[language] += count
    return {
        "total": sum(by_perspective.values()),
        "perspectives": with_matching_counts(perspectives, by_perspective),
        "themes": with_matching_counts(themes, theme_counts),
        "languages": [
            LanguageCount(code, label, by_language[code])
            for code, label in Story.Language.choices
            if by_language[code]
        ],
    }


def with_matching_counts(options, counts):
    """The ``options`` (perspectives or themes) that ``counts`` has, with ``matching_count``."""
    counted = [option for option in options if counts.get(option.pk)]
    for option in counted:
        option.matching_count = counts[option.pk]
    return counted
