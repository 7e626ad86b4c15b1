"""
Writing the index: ``reindex`` brings stories up to date, ``forget`` takes
deleted ones out, ``rebuild`` indexes everything again, ``optimize`` refreshes
the statistics searches are planned with.

Only the receivers of receivers.py call ``reindex`` and ``forget``, as a
story, its themes or a theme's names change, however they were changed; it is
not done by SQL triggers, because theme names live in another table and, on
SQLite, stemming happens in Python. Only approved stories are indexed.
"""

from django.db import connections, transaction

from ..models import Story
from .backends import engine_for


def reindex(stories):
    """Bring the index up to date for a story or a queryset of stories."""
    if isinstance(stories, Story):
        stories = Story.objects.using(stories._state.db).filter(pk=stories.pk)
    # One transaction: the index never shows a half-done update, and SQLite's FTS5
    # writes its segments once instead of once per story.
    with transaction.atomic(using=stories.db):
        engine_for(stories.db).reindex(stories)


def forget(ids, using):
    """Take deleted stories out of the index."""
    engine_for(using).forget(list(ids), connections[using])


def optimize(using="default"):
    """Keep the statistics the search's query plans depend on current (run daily)."""
    engine_for(using).optimize(connections[using])


def rebuild(using="default"):
    """Index every story again from scratch (after a restore, an upgrade or a bulk load)."""
    with transaction.atomic(using=using):
        engine_for(using).rebuild(Story.objects.using(using))
