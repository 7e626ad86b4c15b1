"""
SQLite's search joins its FTS5 table on rowid, and checks visibility from an index.

- SearchEntry's key becomes the FTS5 rowid, and the table loses its
  ``story_id`` column: reading it made FTS5 load every matching row's whole
  content (the stemmed text), which was most of the time a search took. The
  rows are copied over as they are: no stemming is needed.
- An index holds what the search reads from each match (visibility and the
  filter and facet columns), so the story rows themselves, whose ``status``
  and ``published_at`` lie after the body, are read only for the page shown.
  (Not a partial index on approved stories: SQLite then still reads each
  row to check the status.)
- ANALYZE: without statistics SQLite may walk the stories and probe the
  full-text index once per story (seconds, at 100,000 stories); with them it
  runs the MATCH once. ``rebuild_search_index`` and the daily
  ``purge_private_data`` keep the statistics current.

Nothing here runs on PostgreSQL, whose search is a GIN index on the story row.
"""

from django.db import migrations, models

TOKENIZE = "tokenize = 'unicode61 remove_diacritics 2'"

SQLITE_FORWARD = [
    f"""
    CREATE VIRTUAL TABLE stories_search_new USING fts5(
        title, summary, body, other, {TOKENIZE}
    );
    """,
    """
    INSERT INTO stories_search_new (rowid, title, summary, body, other)
        SELECT rowid, title, summary, body, other FROM stories_search;
    """,
    "DROP TABLE stories_search;",
    "ALTER TABLE stories_search_new RENAME TO stories_search;",
    """
    CREATE INDEX story_visible_idx ON stories_story
        (id, status, published_at, perspective_id, language, year_happened);
    """,
    "ANALYZE;",
]
SQLITE_BACKWARD = [
    "DROP INDEX IF EXISTS story_visible_idx;",
    f"""
    CREATE VIRTUAL TABLE stories_search_old USING fts5(
        story_id UNINDEXED, title, summary, body, other, {TOKENIZE}
    );
    """,
    """
    INSERT INTO stories_search_old (rowid, story_id, title, summary, body, other)
        SELECT rowid, rowid, title, summary, body, other FROM stories_search;
    """,
    "DROP TABLE stories_search;",
    "ALTER TABLE stories_search_old RENAME TO stories_search;",
]


def run_on_sqlite(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0006_consent_withdrawal_erasure"),
    ]

    operations = [
        migrations.AlterField(
            model_name="searchentry",
            name="story",
            field=models.OneToOneField(
                db_column="rowid",
                db_constraint=False,
                on_delete=models.deletion.DO_NOTHING,
                primary_key=True,
                related_name="search_entry",
                serialize=False,
                to="stories.story",
            ),
        ),
        migrations.RunPython(
            run_on_sqlite(SQLITE_FORWARD), run_on_sqlite(SQLITE_BACKWARD), elidable=False
        ),
    ]
