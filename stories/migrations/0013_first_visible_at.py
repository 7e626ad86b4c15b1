"""A story records whether readers ever saw it (Story.first_visible_at).

Stories that have already left the site get it from their history: one that
left approved status (returned to review, withdrawn) at or after its
publication time was seen then. One that left before that time, under an
embargo, was never seen and stays without it.
"""

from django.db import migrations, models
from django.db.models import Exists, F, OuterRef


def record_who_was_seen(apps, schema_editor):
    Story = apps.get_model("stories", "Story")
    ModerationEvent = apps.get_model("stories", "ModerationEvent")
    left_after_publication = ModerationEvent.objects.filter(
        story=OuterRef("pk"), from_status="approved", created_at__gte=OuterRef("published_at")
    )
    Story.objects.filter(published_at__isnull=False).filter(
        Exists(left_after_publication)
    ).update(first_visible_at=F("published_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0012_recordings"),
    ]

    operations = [
        migrations.AddField(
            model_name="story",
            name="first_visible_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="first seen by readers"
            ),
        ),
        migrations.RunPython(record_who_was_seen, migrations.RunPython.noop),
    ]
