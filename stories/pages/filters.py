"""The filters of the browse and search pages, read from the query string."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Perspective, Story, Theme, in_local_order
from ..search.text import clean_query


class StoryFilterForm(forms.Form):
    """The filters of the browse page, read from the query string."""

    # Chosen by slug; cleaned to the Perspective or Theme itself.
    perspective = forms.ChoiceField(label=_("Perspective"), required=False)
    theme = forms.ChoiceField(label=_("Theme"), required=False)
    language = forms.ChoiceField(
        label=_("Language"),
        choices=[("", _("All languages")), *Story.Language.choices],
        required=False,
    )
    year = forms.TypedChoiceField(
        label=_("Year it happened"),
        coerce=int,
        required=False,
        empty_value=None,
    )
    recording = forms.BooleanField(label=_("Only stories with a recording"), required=False)

    # Which story field each filter narrows (the theme has a filter of its own, below).
    LOOKUPS = {
        "perspective": "perspective",
        "language": "language",
        "year": "year_happened",
    }

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Read once, for the menus, to check what was chosen, and for the names
        # of the search page's facets: a query each, where a ModelChoiceField
        # and the facets would read them again.
        self.perspectives = list(Perspective.objects.all())
        self.themes = in_local_order(Theme.objects.all())
        self.fields["perspective"].choices = self._choices(_("All perspectives"), self.perspectives)
        self.fields["theme"].choices = self._choices(_("All themes"), self.themes)
        self.fields["year"].choices = [("", _("Any year"))] + [(y, y) for y in years]

    @staticmethod
    def _choices(everything, options):
        return [("", everything), *((option.slug, option.local_name) for option in options)]

    def clean_perspective(self):
        return self._chosen(self.perspectives, self.cleaned_data["perspective"])

    def clean_theme(self):
        return self._chosen(self.themes, self.cleaned_data["theme"])

    @staticmethod
    def _chosen(options, slug):
        return next((option for option in options if option.slug == slug), None)

    def filter(self, stories):
        """Narrow ``stories`` by whichever filters are valid; invalid ones are ignored."""
        self.is_valid()
        for field, lookup in self.LOOKUPS.items():
            value = self.cleaned_data.get(field)
            if value:
                stories = stories.filter(**{lookup: value})
        if self.cleaned_data.get("theme"):
            # The one theme filter, the machine roads' too: each story once, with no DISTINCT.
            stories = stories.carrying_any_theme_of([self.cleaned_data["theme"].pk])
        if self.cleaned_data.get("recording"):
            stories = stories.with_public_recording()
        return stories


class SearchForm(StoryFilterForm):
    """The search page: words to look for, and the same filters as the browse page."""

    q = forms.CharField(label=_("Words to look for"), required=False)
    # Without it, words of the archive's glossary are searched in both languages too.
    exact = forms.BooleanField(
        label=_("Only the words I typed (no translations from the glossary)"), required=False
    )

    field_order = ["q"]

    def clean_q(self):
        return clean_query(self.cleaned_data["q"])
