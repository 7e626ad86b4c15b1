"""
The archive's bilingual glossary: its own vocabulary (family / familia,
police / policía, raid / redada, ...) in English and Spanish, curated by
moderators, so that a search in one language also finds the stories told in
the other (stories/search/text.py, ``Glossary``; docs/languages.md).
"""

from django.db import models
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from ..pagecache.store import counted_once_per_generation
from ..search.text import Glossary

SPELLINGS_HELP = _(
    "One word or a few words. Other spellings after commas: for example “court, tribunal”. "
    "Every form of a word is found: write “family”, not “families”."
)


def spellings(text):
    """The spellings written in one field, in order: "corte, tribunal" → ["corte", "tribunal"]."""
    return [spelling.strip() for spelling in text.split(",") if spelling.strip()]


class GlossaryTermQuerySet(models.QuerySet):
    def glossary(self):
        """The whole glossary, read once per generation of the archive (a glossary term saved
        renews it, as any curated row does)."""
        pairs = counted_once_per_generation(
            "glossary", lambda: [(term.english, term.spanish) for term in self.order_by()]
        )
        return Glossary((spellings(english), spellings(spanish)) for english, spanish in pairs)


class GlossaryTerm(models.Model):
    """A word of the archive's vocabulary and its translation: searched in both languages."""

    english = models.CharField(_("English"), max_length=100, help_text=SPELLINGS_HELP)
    spanish = models.CharField(_("Spanish"), max_length=100, help_text=SPELLINGS_HELP)

    objects = GlossaryTermQuerySet.as_manager()

    class Meta:
        ordering = ["english", "pk"]
        verbose_name = _("glossary term")
        verbose_name_plural = _("glossary terms")
        constraints = [
            models.UniqueConstraint(fields=["english", "spanish"], name="glossary_term_unique"),
        ]

    def __str__(self):
        return f"{self.english} / {self.spanish}"

    def get_absolute_url(self):
        """The search for its first English spelling: what readers find with it."""
        first = (spellings(self.english) or [self.english])[0]
        return reverse("stories:search") + "?" + urlencode({"q": first})
