"""The narrator's private page: hearing back about a decision, a note for the narrator, and
a narrator's request for a correction (stories/models/notices.py, docs/privacy.md).

Adding ``notify_decision`` (a field with a default) makes Django remake the story table on
SQLite, which drops the raw-SQL index of migration 0007: it is made again, as 0010 does.
"""

from django.db import migrations, models

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
        ("stories", "0014_recording_held_by"),
    ]

    operations = [
        migrations.AddField(
            model_name="moderationevent",
            name="narrator_message",
            field=models.TextField(blank=True, verbose_name="narrator's message"),
        ),
        migrations.AddField(
            model_name="moderationevent",
            name="note_to_narrator",
            field=models.TextField(blank=True, verbose_name="note for the narrator"),
        ),
        migrations.AddField(
            model_name="story",
            name="decision_notice_due",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                help_text="A decision notice not sent yet: the daily purge tries again.",
                null=True,
                verbose_name="decision notice due since",
            ),
        ),
        migrations.AddField(
            model_name="story",
            name="notify_decision",
            field=models.BooleanField(
                default=False,
                help_text="The narrator asked to be emailed when a moderator decides.",
                verbose_name="email when decided",
            ),
        ),
        migrations.RunPython(recreate_visible_index, migrations.RunPython.noop),
    ]
