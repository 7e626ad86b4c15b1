"""
The SQLite search index's row for a story (``SearchEntry``), an unmanaged
model over the FTS5 table that stories/search/ reads and writes.
"""

from django.db import models

from .. import search


class SearchEntry(models.Model):
    """A story's row in SQLite's FTS5 search index (stories/search/).

    Not managed by Django: migration 0004 creates the virtual table on SQLite
    only, and only the SQLite search engine queries it. Its columns hold stems,
    not text, so nothing is ever shown from it.

    Each row's rowid is its story's id, and searches join on it. SQLite
    could also run that join the other way round, walking the stories and
    probing the index once per story; the statistics that ANALYZE keeps
    (migration 0007, rebuild_search_index, the daily purge_private_data) make
    it run the MATCH once instead.
    """

    story = models.OneToOneField(
        "Story",
        primary_key=True,
        db_column="rowid",
        db_constraint=False,
        on_delete=models.DO_NOTHING,
        related_name="search_entry",
    )
    document = search.FTS5Table(db_column="stories_search")

    class Meta:
        managed = False
        db_table = "stories_search"
