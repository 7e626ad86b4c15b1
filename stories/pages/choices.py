"""
The choice fields of the public forms: choices named and ordered in the reader's language,
each described by the text shown under it, and refusing a number that no row can have
(hostile input) as a plain error rather than a server error.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import in_local_order

# The largest key a database row can have (a signed 64-bit integer). A larger
# number names no row, and SQLite cannot even compare it: its driver raises
# OverflowError, which Django's model choice fields do not turn into a form error.
LARGEST_KEY = 2**63 - 1


def beyond_any_key(value):
    """Whether ``value`` is a whole number no database key can be; other text the field judges."""
    try:
        return abs(int(str(value))) > LARGEST_KEY
    except ValueError:
        return False


class LocalNameChoiceField(forms.ModelChoiceField):
    def to_python(self, value):
        if value not in self.empty_values and beyond_any_key(value):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)

    def label_from_instance(self, obj):
        return obj.local_name


class LocalOrderChoiceIterator(forms.models.ModelChoiceIterator):
    def __iter__(self):
        for choice in in_local_order(self.queryset):
            yield self.choice(choice)


class LocalNameMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Themes to tick, named and ordered in the reader's language."""

    iterator = LocalOrderChoiceIterator

    def clean(self, value):
        for key in value if isinstance(value, list | tuple) else ():
            if beyond_any_key(key):
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": key},
                )
        return super().clean(value)

    def label_from_instance(self, obj):
        return obj.local_name


class DescribedRadioSelect(forms.RadioSelect):
    """Radio buttons, each described by the text shown under it (a perspective's description).

    The template (``_described_choices.html``) writes each option's ``description`` with
    the id ``<option id>_description``.
    """

    # The attribute of each choice's instance that describes it, in the reader's language.
    description_attribute = "local_description"

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        option["description"] = getattr(instance, self.description_attribute, "")
        if option["description"] and option["attrs"].get("id"):
            option["attrs"]["aria-describedby"] = f"{option['attrs']['id']}_description"
        return option


class LicenceRadioSelect(DescribedRadioSelect):
    """The licences offered, each described by what it lets readers do."""

    description_attribute = "local_summary"


class ReadOnceChoiceIterator(forms.models.ModelChoiceIterator):
    def __iter__(self):
        for licence in self.field.read():
            yield self.choice(licence)

    def __len__(self):
        return len(self.field.read())


class LicenceChoiceField(LocalNameChoiceField):
    """A choice of licences by their names in the reader's language; anything else refused.

    The licences are read once per form: shown, and a choice checked, against the same
    list (a licence no longer offered, or a number naming none, is not among them).
    """

    iterator = ReadOnceChoiceIterator

    def __init__(self, queryset, **kwargs):
        kwargs.setdefault("widget", LicenceRadioSelect)
        kwargs.setdefault(
            "error_messages",
            {
                "required": _("Choose what readers may do with your story."),
                "invalid_choice": _(
                    "That choice is not one of the licences offered. Choose one of those listed."
                ),
            },
        )
        super().__init__(queryset=queryset, empty_label=None, **kwargs)

    def _set_queryset(self, queryset):
        self._read = None
        forms.ModelChoiceField._set_queryset(self, queryset)

    queryset = property(forms.ModelChoiceField._get_queryset, _set_queryset)

    def read(self):
        if self._read is None:
            self._read = list(self.queryset)
        return self._read

    def label_from_instance(self, obj):
        # Its short name (the summary under it says in plain words what it lets readers do).
        return obj.local_short_name

    def to_python(self, value):
        if value in self.empty_values:
            return None
        chosen = str(value).strip()
        for licence in self.read():
            if str(licence.pk) == chosen:
                return licence
        raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
