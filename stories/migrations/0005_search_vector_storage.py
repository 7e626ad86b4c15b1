"""
PostgreSQL: keep each story's search vector in the table row, compressed with
lz4 where the server has it.

Ranking reads the vector of every matching story. Left to the defaults, a
vector as large as a story's is moved out to the TOAST table and compressed
with pglz, and ranking 30,000 matches spent most of its 380 ms fetching and
decompressing them; kept in the row with lz4, about 70 ms
(docs/performance.md). Vectors already stored keep their old form until
``manage.py rebuild_search_index`` writes them again. Nothing to do on SQLite.
"""

from django.db import migrations


def keep_vectors_in_the_row(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER TABLE stories_story ALTER COLUMN search_vector SET STORAGE MAIN")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        )
        has_lz4 = cursor.fetchone()[0]
    if has_lz4:
        schema_editor.execute(
            "ALTER TABLE stories_story ALTER COLUMN search_vector SET COMPRESSION lz4"
        )


def default_storage(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "ALTER TABLE stories_story ALTER COLUMN search_vector SET STORAGE EXTENDED"
    )
    schema_editor.execute(
        "ALTER TABLE stories_story ALTER COLUMN search_vector SET COMPRESSION DEFAULT"
    )


class Migration(migrations.Migration):
    dependencies = [("stories", "0004_search")]

    operations = [migrations.RunPython(keep_vectors_in_the_row, default_storage)]
