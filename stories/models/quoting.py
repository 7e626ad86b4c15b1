"""
A story's pull quote: one sentence of its own words, chosen by a moderator,
shown on cards and on the theme page's comparison. A mixin of ``Story``.

The quote must be found in the story's body or in its transcript, as typed
there: comparing ignores case, runs of whitespace and quotation marks (a
moderator may paste it with or without them, with curly or straight ones),
so a quote never puts words in a narrator's mouth.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

QUOTE_MAX_LENGTH = 280
# Straight, curly, angled and low quotation marks, which a sentence may lose or gain in a quote.
QUOTATION_MARKS = re.compile(
    "[\"'\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u00ab\u00bb\u2039\u203a]"
)
SPACES = re.compile(r"\s+")


def comparable(text):
    """``text`` without quotation marks, lower-cased, its whitespace as single spaces."""
    return SPACES.sub(" ", QUOTATION_MARKS.sub("", text)).strip().casefold()


def found_in(quote, texts):
    """Whether ``quote`` is found, as ``comparable()`` reads it, in one of ``texts``."""
    wanted = comparable(quote)
    return bool(wanted) and any(wanted in comparable(text) for text in texts)


class QuotedStory:
    """The pull quote's check, run by the admin's forms (``Model.full_clean()``)."""

    def quoted_texts(self):
        """Where a quote may come from: the body, and the transcript once the story has a row."""
        texts = [self.body]
        if self.pk:
            texts.extend(self.transcript.values_list("text", flat=True))
        return texts

    def clean(self):
        super().clean()
        if self.quote and not found_in(self.quote, self.quoted_texts()):
            raise ValidationError(
                {
                    "quote": _(
                        "The quote must be words of the story itself: copy one sentence "
                        "from its text or its transcript."
                    )
                },
                code="not_in_story",
            )
