"""
The SQLite search index's row for a story (``SearchEntry``), an unmanaged
model over the FTS5 table that stories/search/sqlite.py reads and writes,
with the field (``FTS5Table``) and the lookup (``match``) it is queried through.
"""

from django.db import models


class FTS5Table(models.TextField):
    """The hidden column that bears an FTS5 table's own name: the left side of MATCH."""


@FTS5Table.register_lookup
class Match(models.Lookup):
    lookup_name = "match"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} MATCH {rhs}", [*lhs_params, *rhs_params]


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
    document = FTS5Table(db_column="stories_search")

    class Meta:
        managed = False
        db_table = "stories_search"
