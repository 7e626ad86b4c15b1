"""A story remembers the one-time id of the form it came from (services.submit_story)."""

from django.db import migrations, models

# Adding a unique field makes Django remake the story table on SQLite, which
# drops the raw-SQL index of migration 0007 (Story.Meta says why it is raw).
RECREATE_VISIBLE_INDEX = """
    CREATE INDEX IF NOT EXISTS story_visible_idx ON stories_story
        (id, status, published_at, perspective_id, language, year_happened);
"""


def recreate_visible_index(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(RECREATE_VISIBLE_INDEX)
        schema_editor.execute("ANALYZE;")


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0010_moderation_desk"),
    ]

    operations = [
        migrations.AddField(
            model_name="story",
            name="submission_hash",
            field=models.CharField(
                blank=True,
                editable=False,
                max_length=64,
                null=True,
                unique=True,
                verbose_name="submission (hash)",
            ),
        ),
        migrations.RunPython(recreate_visible_index, migrations.RunPython.noop),
    ]
