"""
The consent record becomes a versioned text (ConsentText) that each story
points to, with the language it was read in and when; the first version is
the text the share form has shown since 2026-11. Stories also gain what
narrator safety needs: the hash of a withdrawal token, "may contact", and the
time their text was erased.
"""

import datetime

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


FIRST_VERSION = "2026-11"
TEXT_EN = """By sending your story you agree that:

- after a moderator has read it, the Perspectives archive may publish your story with its title, summary, language, content note, perspective and themes, the name you chose (or “Anonymous”), your description of yourself, your neighbourhood or city and the year, for anyone to read, cite and quote;
- moderators may correct spelling and remove details that could identify you or other people, and may decline to publish a story;
- your email address and the technical record of your submission are kept private and used only to run the archive;
- you may ask for your story to be withdrawn at any time, and it will be taken off the site."""
TEXT_ES = """Al enviar su historia, usted acepta que:

- una vez que el equipo de moderación la haya leído, el archivo Perspectivas puede publicar su historia con su título, resumen, idioma, aviso de contenido, perspectiva y temas, el nombre que eligió (o “Anónimo”), la descripción que dio de sí, su barrio o ciudad y el año, para que cualquier persona la lea, la cite y reproduzca fragmentos;
- el equipo de moderación puede corregir la ortografía y quitar detalles que puedan revelar su identidad o la de otras personas, y puede decidir no publicar una historia;
- su correo electrónico y el registro técnico de su envío se mantienen privados y solo se usan para el funcionamiento del archivo;
- puede pedir en cualquier momento que se retire su historia, y se quitará del sitio."""


def first_consent_version(ConsentText, db):
    """The consent text the share form showed from 2026-11 (tests seed it again with this)."""
    first, _ = ConsentText.objects.using(db).get_or_create(
        version=FIRST_VERSION,
        defaults={
            "text_en": TEXT_EN,
            "text_es": TEXT_ES,
            "created_at": datetime.datetime(2026, 11, 1, 8, 0, tzinfo=datetime.timezone.utc),
        },
    )
    return first


def record_first_consent_version(apps, schema_editor):
    db = schema_editor.connection.alias
    first = first_consent_version(apps.get_model("stories", "ConsentText"), db)
    Story = apps.get_model("stories", "Story")
    # The language each narrator read it in was not recorded before; it stays blank.
    for story in Story.objects.using(db).filter(consent_given=True).only("submitted_at"):
        story.consent = first
        story.consent_given_at = story.submitted_at
        story.save(update_fields=["consent", "consent_given_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0005_search_vector_storage"),
    ]

    operations = [
        migrations.CreateModel(
            name="ConsentText",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("version", models.CharField(max_length=20, unique=True, verbose_name="version")),
                ("text_en", models.TextField(verbose_name="text in English")),
                ("text_es", models.TextField(verbose_name="text in Spanish")),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="in use from"
                    ),
                ),
            ],
            options={
                "verbose_name": "consent text",
                "verbose_name_plural": "consent texts",
                "ordering": ["-created_at", "-pk"],
            },
        ),
        migrations.AddField(
            model_name="story",
            name="consent_given_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="consent given"),
        ),
        migrations.AddField(
            model_name="story",
            name="consent_language",
            field=models.CharField(
                blank=True,
                choices=[("en", "English"), ("es", "Spanish")],
                max_length=8,
                verbose_name="consent read in",
            ),
        ),
        migrations.AddField(
            model_name="story",
            name="erased_at",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                help_text="When the story's text and private details were erased; its events remain.",
                null=True,
                verbose_name="text erased",
            ),
        ),
        migrations.AddField(
            model_name="story",
            name="may_contact",
            field=models.BooleanField(
                default=False,
                help_text="The narrator agreed to be contacted about the story after approval.",
                verbose_name="may be contacted",
            ),
        ),
        migrations.AddField(
            model_name="story",
            name="withdrawal_token_hash",
            field=models.CharField(
                blank=True, db_index=True, max_length=64, verbose_name="withdrawal token (hash)"
            ),
        ),
        migrations.AddField(
            model_name="story",
            name="consent",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="stories",
                to="stories.consenttext",
                verbose_name="consent text agreed to",
            ),
        ),
        migrations.RunPython(record_first_consent_version, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="story",
            name="consent_given",
        ),
        migrations.RemoveField(
            model_name="story",
            name="consent_version",
        ),
    ]
