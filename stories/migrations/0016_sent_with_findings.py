"""A story records the kinds of the identity shield's findings its narrator sent anyway.

Nullable and without a default, so SQLite adds the column in place rather than
remaking the table (which would drop story_visible_idx, see 0010).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0015_narrator_private_page"),
    ]

    operations = [
        migrations.AddField(
            model_name="story",
            name="sent_with_findings",
            field=models.JSONField(
                blank=True, editable=False, null=True, verbose_name="sent with findings"
            ),
        ),
    ]
