"""
What the archive holds that readers never see, read from the privacy table
(stories/safety/privacy.py), for the page on requests for data: what a court
order could reach is what is private and still stored, so the list follows
the table and stays true as fields come and go.
"""

from dataclasses import dataclass

from django.apps import apps
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from ..safety import privacy

# Kept rows that only number or link other rows: nothing to hand over of their own.
NOT_HOLDINGS = (privacy.NUMBER,)


@dataclass(frozen=True)
class Holding:
    label: str
    hashed: bool
    until: str


def _until(erasure):
    if isinstance(erasure, privacy.Erased):
        return _("erased with the story's text, if not sooner")
    if isinstance(erasure, privacy.Deleted):
        return _("deleted with the story's text or recording, or sooner")
    return _("kept (it holds no words of the narrator's)")


def private_holdings():
    """``[(kind of row, [Holding, ...]), ...]``: every private field of the rows about narrators.

    Read from the table: a field marked private, of every model holding a
    narrator's words, with whether only a one-way code of it is kept and
    what erasure does with it.
    """
    groups = []
    for name in privacy.NARRATOR_MODELS:
        model = apps.get_model("stories", name)
        holdings = [
            Holding(
                label=capfirst(model._meta.get_field(field_name).verbose_name),
                hashed=field.hashed,
                until=_until(field.erasure),
            )
            for field_name, field in privacy.fields_of(name).items()
            if field.visibility == privacy.PRIVATE and field.erasure not in NOT_HOLDINGS
        ]
        if holdings:
            groups.append((capfirst(model._meta.verbose_name_plural), holdings))
    return groups
