"""The timeline's curated events: moments in the city's history that stories live through."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .story import EARLIEST_YEAR


class TimelineEvent(models.Model):
    """A dated event shown on /timeline/ beside the years stories happened, in both languages.

    Written and kept by moderators in the admin; short and neutral, about no narrator.
    """

    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(EARLIEST_YEAR), MaxValueValidator(2100)]
    )
    title = models.CharField(_("title in English"), max_length=120)
    title_es = models.CharField(_("title in Spanish"), max_length=120, blank=True)
    description = models.TextField(_("description in English"), max_length=600, blank=True)
    description_es = models.TextField(_("description in Spanish"), max_length=600, blank=True)
    link = models.URLField(
        _("link"), blank=True, help_text=_("A source readers can follow to learn more (optional).")
    )

    class Meta:
        ordering = ["year", "pk"]
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")

    def __str__(self):
        return f"{self.year}: {self.title}"

    def get_absolute_url(self):
        return reverse("stories:timeline") + f"#year-{self.year}"

    @property
    def local_title(self):
        """The title in the reader's language: Spanish when written, English otherwise."""
        if get_language() == "es" and self.title_es:
            return self.title_es
        return self.title

    @property
    def local_description(self):
        if get_language() == "es" and self.description_es:
            return self.description_es
        return self.description
