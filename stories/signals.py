"""
The archive's own signal, for the writes Django's row signals never report.

A queryset's ``update()``, a ``bulk_create()`` or a theme merge changes many
stories' rows at once and sends no ``post_save``; the code that does it sends
``stories_changed`` once, with ``stories``: a queryset of the stories whose
public rows changed. The receivers that keep derived data current (the search
index, stories/search/receivers.py; the page cache, stories/pagecache/receivers.py)
listen to it as they listen to the rows.
"""

from django.db import models
from django.dispatch import Signal

stories_changed = Signal()


def stories_changed_in_bulk(stories):
    """Tell the receivers that ``stories``' rows changed in a bulk write."""
    stories_changed.send(sender=stories.model, stories=stories)


def cascaded_from(origin, sender, *deleted_models):
    """Whether a row of ``sender`` went with the deletion of one of ``deleted_models``.

    ``origin`` is post_delete's: the instance or queryset whose ``delete()``
    was called. The receivers of the story or theme deleted see to everything
    the deletion took with it, once, instead of once for each row it cascaded to.
    """
    model = (
        origin._meta.model if isinstance(origin, models.Model) else getattr(origin, "model", None)
    )
    return model in deleted_models and model is not sender
