"""Django's admin widgets, named for assistive technology (docs/accessibility.md).

The story's change page uses two of Django's widgets that axe faults at WCAG A: the theme
picker names its search icons on a span with no role, and the split date-and-time widget
labels its two inputs with plain text. These keep Django's behaviour and give each a name.
"""

from django import forms
from django.contrib.admin.widgets import AdminSplitDateTime, FilteredSelectMultiple
from django.utils.translation import gettext_lazy as _


class NamedSplitDateTime(AdminSplitDateTime):
    """Date and time, each input named as the text before it reads ("Date:", "Time:")."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        date, time = self.widgets
        date.attrs["aria-label"] = _("Date")
        time.attrs["aria-label"] = _("Time")


class NamedFilteredSelectMultiple(FilteredSelectMultiple):
    """Django's two-box picker; a script of ours, run after Django's, gives its icons a role."""

    @property
    def media(self):
        # Django's script named first, so that the merged media keep ours after it.
        after_django = ["admin/js/SelectFilter2.js", "js/admin-select-filter.js"]
        return super().media + forms.Media(js=after_django)
