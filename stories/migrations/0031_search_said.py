"""
PostgreSQL: what is ranked kept apart from what is only matched.

``search_vector`` goes back to the story's own written words (and its
recording's index), kept in the row (migration 0005): only ranking reads it,
so its GIN indexes (migration 0008) go. A new ``said_vector`` holds everything
the story says in its language, those words and its cleared recording's
transcript; it and ``translation_vector`` (migration 0030) are only matched,
never ranked, so they take PostgreSQL's default storage: compressed (lz4
where the server has it), and moved out of the row once it grows, so that the
rows a search reads stay narrow. Each has one partial GIN index per story
language.

Nothing is indexed here: ``manage.py rebuild_search_index`` writes the three
vectors again (vectors already stored keep their old form and place until
then). Nothing changes on SQLite, whose FTS5 rows hold all these words.
"""

import importlib

import django.contrib.postgres.search
from django.db import migrations

run_on_postgresql = importlib.import_module(
    "stories.migrations.0030_search_translations"
).run_on_postgresql

POSTGRES_FORWARD = [
    "ALTER TABLE stories_story ALTER COLUMN translation_vector SET STORAGE EXTENDED;",
    # lz4 where the server has it, as for the other vectors (migrations 0005, 0030).
    "DO $$ BEGIN IF EXISTS (SELECT FROM pg_settings WHERE name = 'default_toast_compression'"
    " AND 'lz4' = ANY(enumvals)) THEN"
    " ALTER TABLE stories_story ALTER COLUMN said_vector SET COMPRESSION lz4;"
    " END IF; END $$;",
    *(
        f"CREATE INDEX IF NOT EXISTS story_said_search_{language}_idx ON stories_story "
        f"USING gin (said_vector) WHERE language = '{language}';"
        for language in ("en", "es")
    ),
    "DROP INDEX IF EXISTS story_search_en_idx;",
    "DROP INDEX IF EXISTS story_search_es_idx;",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS story_said_search_en_idx;",
    "DROP INDEX IF EXISTS story_said_search_es_idx;",
    *(
        f"CREATE INDEX IF NOT EXISTS story_search_{language}_idx ON stories_story "
        f"USING gin (search_vector) WHERE language = '{language}';"
        for language in ("en", "es")
    ),
    "ALTER TABLE stories_story ALTER COLUMN translation_vector SET STORAGE MAIN;",
]


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0030_search_translations"),
    ]

    operations = [
        migrations.AddField(
            model_name="story",
            name="said_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(
            run_on_postgresql(POSTGRES_FORWARD),
            run_on_postgresql(POSTGRES_BACKWARD),
            elidable=False,
        ),
    ]
