"""
PostgreSQL: one GIN index per story language instead of one for all.

English "family" and Spanish "familias" share the stem "famili". Each story is
searched in its own language, but a single index still handed the Spanish
reading of "familias" every English story with "family" in it, only for the
row's language to rule them out afterwards: 31,515 rows read for 11,684
matches at 100,000 stories (docs/performance.md). Partial indexes, one per
language, hold only that language's stories, so each reading of a query meets
only its own.

Nothing here runs on SQLite, whose index tags each stem with its language.
"""

from django.db import migrations

POSTGRES_FORWARD = [
    *(
        f"CREATE INDEX IF NOT EXISTS story_search_{language}_idx ON stories_story "
        f"USING gin (search_vector) WHERE language = '{language}';"
        for language in ("en", "es")
    ),
    "DROP INDEX IF EXISTS story_search_idx;",
]
POSTGRES_BACKWARD = [
    "CREATE INDEX IF NOT EXISTS story_search_idx ON stories_story USING gin (search_vector);",
    "DROP INDEX IF EXISTS story_search_en_idx;",
    "DROP INDEX IF EXISTS story_search_es_idx;",
]


def run_on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0007_search_join_on_rowid"),
    ]

    operations = [
        migrations.RunPython(
            run_on_postgresql(POSTGRES_FORWARD),
            run_on_postgresql(POSTGRES_BACKWARD),
            elidable=False,
        ),
    ]
