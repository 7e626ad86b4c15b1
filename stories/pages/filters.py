"""The filters and the orders of the browse and search pages, read from the query string."""

from django import forms
from django.db.models import F
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ..models import Perspective, Story, Theme, in_local_order, in_name_order, listed_places
from ..pagecache.store import counted_once_per_generation
from ..search.text import clean_query


def perspectives_and_themes():
    """Every perspective, and every theme in the order of the reader's language: read
    once a generation (a change to either renews it), a query each."""
    return counted_once_per_generation(
        f"perspectives-and-themes-{get_language()}",
        lambda: (list(Perspective.objects.all()), in_local_order(Theme.objects.all())),
    )


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
    # Only the places readers can browse (models/places.py): any other is ignored.
    place = forms.ChoiceField(label=_("Place"), required=False)
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
        # of the search page's facets, where a ModelChoiceField and the facets
        # would read them again.
        self.perspectives, self.themes = perspectives_and_themes()
        self.fields["perspective"].choices = self._choices(_("All perspectives"), self.perspectives)
        self.fields["theme"].choices = self._choices(_("All themes"), self.themes)
        self.fields["year"].choices = [("", _("Any year"))] + [(y, y) for y in years]
        self.places = listed_places()
        self.fields["place"].choices = [("", _("All places"))] + [
            (place.key, place.name) for place in in_name_order(self.places.values())
        ]

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

    @property
    def narrowed(self):
        """Whether a filter is chosen (on the search page, the words are not a filter)."""
        return any(self.cleaned_data.get(name) for name in StoryFilterForm.base_fields)

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
        if self.cleaned_data.get("place"):
            stories = stories.in_place(self.places[self.cleaned_data["place"]])
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


# The orders a list of stories can be read in; each ends on the id, newest first, so that
# stories published at the same moment keep their places from one page to the next.
ORDERS = {
    "newest": ("-published_at", "-pk"),
    "oldest": ("published_at", "pk"),
    # The year it happened, earliest first, as the timeline reads: a list in the order
    # of the city's history. Stories with no year come last, newest first.
    "year": (F("year_happened").asc(nulls_last=True), "-published_at", "-pk"),
}
RELEVANCE = "relevance"


class SortForm(forms.Form):
    """The order a list is read in (``?sort=``); anything unknown is the list's default."""

    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            (RELEVANCE, _("Best match")),
            ("newest", _("Newest")),
            ("oldest", _("Oldest")),
            ("year", _("Year it happened")),
        ],
    )

    def __init__(self, *args, ranked=False, **kwargs):
        super().__init__(*args, **kwargs)
        # Best match only where words are looked for (the search page with a query).
        self.ranked = ranked
        self.default = RELEVANCE if ranked else "newest"
        if not ranked:
            self.fields["sort"].choices = self.fields["sort"].choices[1:]

    @property
    def chosen(self):
        """The order asked for if it is one of this list's, else the default."""
        return (self.is_valid() and self.cleaned_data["sort"]) or self.default

    @property
    def options(self):
        """(value, label, whether chosen) for each order: the links of stories/_sort.html."""
        chosen = self.chosen
        return [(value, label, value == chosen) for value, label in self.fields["sort"].choices]

    def order(self, stories):
        """``stories`` in the chosen order (ranked ones are left to the search)."""
        return stories if self.chosen == RELEVANCE else stories.order_by(*ORDERS[self.chosen])
