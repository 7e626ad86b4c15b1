"""The theme page's "Compare two voices": two perspectives picked from the query string.

A plain GET form (?compare=<slug>&with=<slug>), so it works without
JavaScript and its answer is a page like any other, cached by its address.
Its HTML is kept once per generation for each value asked (``asked``).
"""

from django import forms
from django.utils.translation import gettext_lazy as _


class CompareForm(forms.Form):
    compare = forms.ChoiceField(label=_("One voice"))
    # "with" is a Python keyword: the field is added under that name in __init__.
    FIELD_NAMES = ("compare", "with")

    def __init__(self, data, *, perspectives):
        super().__init__(data)
        choices = [(p.slug, p.local_name) for p in perspectives]
        self.fields["compare"].choices = choices
        self.fields["with"] = forms.ChoiceField(label=_("and another"), choices=choices)
        # Before a first choice, the menus offer the first two perspectives.
        self.initial = {
            name: slug for name, (slug, _name) in zip(self.FIELD_NAMES, choices[:2], strict=False)
        }

    @classmethod
    def from_query(cls, query, *, perspectives):
        """The form bound when the query string asks for a comparison, unbound otherwise."""
        return cls(query if cls.asked_in(query) else None, perspectives=perspectives)

    @classmethod
    def asked_in(cls, query):
        """What the form shows depends on besides the perspectives and the language: "" if
        the query string asks for no comparison, else the two values it asks for. The page
        keeps the form's HTML under it."""
        if not any(name in query for name in cls.FIELD_NAMES):
            return ""
        return repr([query.get(name) for name in cls.FIELD_NAMES])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("compare") and cleaned.get("compare") == cleaned.get("with"):
            raise forms.ValidationError(
                _("Choose two different perspectives to compare."), code="same"
            )
        return cleaned

    def pick(self, voices):
        """Of ``voices`` (``Theme.voices()``), the two chosen, in the order chosen; or None."""
        if not self.is_valid():
            return None
        by_slug = {voice.perspective.slug: voice for voice in voices}
        return [by_slug[self.cleaned_data[name]] for name in self.FIELD_NAMES]
