"""
PostgreSQL: a second search vector per story, ``translation_vector``, for the
archive's translations, read in the language they are in (the other one than
the story's). Like ``search_vector`` (migrations 0005 and 0008) it is kept in
the row, lz4-compressed where the server has it, and indexed by one partial GIN
index per story language, so the English reading of a query meets only the
English translations of Spanish stories.

Nothing is indexed here: ``manage.py rebuild_search_index`` fills both engines'
indexes (SQLite's FTS5 rows take the translations' stems, tagged with their
language, in the columns they already have).
"""

import django.contrib.postgres.search
from django.db import migrations

POSTGRES_FORWARD = [
    "ALTER TABLE stories_story ALTER COLUMN translation_vector SET STORAGE MAIN;",
    *(
        f"CREATE INDEX IF NOT EXISTS story_translation_search_{language}_idx ON stories_story "
        f"USING gin (translation_vector) WHERE language = '{language}';"
        for language in ("en", "es")
    ),
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS story_translation_search_en_idx;",
    "DROP INDEX IF EXISTS story_translation_search_es_idx;",
]


def run_on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)
        if statements is POSTGRES_FORWARD:
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(
                    "SELECT 'lz4' = ANY(enumvals) FROM pg_settings"
                    " WHERE name = 'default_toast_compression'"
                )
                if cursor.fetchone()[0]:
                    schema_editor.execute(
                        "ALTER TABLE stories_story ALTER COLUMN translation_vector"
                        " SET COMPRESSION lz4"
                    )

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0029_translators"),
    ]

    operations = [
        migrations.AddField(
            model_name="story",
            name="translation_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(
            run_on_postgresql(POSTGRES_FORWARD),
            run_on_postgresql(POSTGRES_BACKWARD),
            elidable=False,
        ),
    ]
