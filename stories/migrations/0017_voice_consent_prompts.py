"""
Issue 21, a narrator's voice: the choice a narrator makes for a recording
(``Story.voice``: publish it, or keep the voice private and publish only a
transcript), a new consent text (2026-12) that covers recordings, the voice
and transcripts, with a short summary the share form shows above the whole
text, and the question prompts moderators curate (with a few to start from).

Adding ``voice`` (a field with a default) makes Django remake the story table
on SQLite, which drops the raw-SQL index of migration 0007: it is made again
at the end, as 0010 does.
"""

import datetime

import django.db.models.deletion
from django.db import migrations, models

CONSENT_VERSION = "2026-12"
TEXT_EN = """By sending your story you agree that:

- A moderator reads your story, and listens to all of your recording, before anything is published. A moderator may decide not to publish it.
- Once approved, the Perspectives archive may publish your story for anyone to read, cite and quote: its title, summary, language, content note, perspective and themes, the name you chose (or “Anonymous”), your description of yourself, your neighbourhood or city and the year.
- Moderators may correct spelling. They may remove details that could identify you or other people.
- Your email address and the technical record of your sending are kept private. They are used only to run the archive.
- You may ask for your story to be withdrawn at any time. It will be taken off the site.

If you send a recording:

- A voice can identify the person speaking, even without a name. You choose what happens to your recording.
- “Publish my recording”: once a moderator has listened to all of it and cleared it, anyone may listen to it and download it with your story.
- “Keep my voice private”: only moderators listen to it. They write down what you say, and only that transcript is published. Your recording is never published and never given to anyone, even once it is cleared.
- Moderators may write a transcript of any recording. It is published with your story, and moderators may correct it and remove details from it, as with your text.
- Before your recording is kept, we remove from the file the names, places and device details that recording apps write into it. We do not keep the name of your file.
- At any time you may ask for your voice to be kept private instead. After that it is never published. If your story is withdrawn, its recording is deleted at once."""
TEXT_ES = """Al enviar su historia, usted acepta que:

- Una persona del equipo de moderación lee su historia, y escucha toda su grabación, antes de publicar algo. El equipo de moderación puede decidir no publicarla.
- Una vez aprobada, el archivo Perspectivas puede publicar su historia para que cualquier persona la lea, la cite y reproduzca fragmentos: su título, resumen, idioma, aviso de contenido, perspectiva y temas, el nombre que eligió (o “Anónimo”), la descripción que dio de sí, su barrio o ciudad y el año.
- El equipo de moderación puede corregir la ortografía. También puede quitar detalles que puedan revelar su identidad o la de otras personas.
- Su correo electrónico y el registro técnico de su envío se mantienen privados. Solo se usan para el funcionamiento del archivo.
- Usted puede pedir en cualquier momento que se retire su historia. Se quitará del sitio.

Si usted envía una grabación:

- Una voz puede revelar quién habla, aunque no diga su nombre. Usted decide qué pasa con su grabación.
- “Publicar mi grabación”: cuando el equipo de moderación la haya escuchado completa y aprobado, cualquier persona podrá escucharla y descargarla junto con su historia.
- “Mantener mi voz privada”: solo el equipo de moderación la escucha. Escriben lo que usted dice, y solo se publica ese texto (la transcripción). Su grabación nunca se publica ni se le entrega a nadie, aunque ya la hayan aprobado.
- El equipo de moderación puede escribir la transcripción de cualquier grabación. Se publica con su historia, y pueden corregirla y quitarle detalles, igual que a su texto.
- Antes de guardar su grabación, quitamos del archivo los nombres, lugares y datos del aparato que las aplicaciones de grabación guardan en él. No guardamos el nombre de su archivo.
- En cualquier momento usted puede pedir que su voz se mantenga privada. Después de eso, ya nunca se publica. Si su historia se retira, su grabación se borra de inmediato."""
SUMMARY_EN = """- A moderator reads every story, and listens to every recording, before anything is public.
- What is published: your story, the name you choose or “Anonymous”, and what you say about yourself. Never your email.
- A voice can identify you. If you keep your voice private, only moderators hear it. Readers get a written transcript.
- You can take your story back at any time."""
SUMMARY_ES = """- El equipo de moderación lee cada historia, y escucha cada grabación, antes de que algo sea público.
- Lo que se publica: su historia, el nombre que usted elija o “Anónimo”, y lo que diga de usted. Nunca su correo.
- Una voz puede revelar quién es usted. Si mantiene su voz privada, solo el equipo de moderación la escucha. Los lectores ven una transcripción escrita.
- Usted puede retirar su historia en cualquier momento."""

# (perspective slug or None for everyone, English, Spanish), in the order shown.
PROMPTS = [
    (None, "When did you first hear the word sanctuary? What did it mean to you?",
     "¿Cuándo escuchó por primera vez la palabra santuario? ¿Qué significó para usted?"),
    (None, "Tell us about a day that changed how you see the police.",
     "Cuéntenos de un día que cambió lo que usted piensa de la policía."),
    (None, "Is there a place in Los Angeles where you feel safe, or unsafe? Why?",
     "¿Hay un lugar en Los Ángeles donde usted se sienta seguro o segura, o no? ¿Por qué?"),
    ("immigrants", "What did you need from the city, and did you ask for it?",
     "¿Qué necesitaba de la ciudad, y se animó a pedirlo?"),
    ("immigrants", "Tell us about a time fear kept you, or someone close to you, at home.",
     "Cuéntenos de una vez que el miedo no le dejó salir de casa, a usted o a alguien cercano."),
    ("law-enforcement", "Tell us about a call where the policy made a difference.",
     "Cuéntenos de una llamada en la que la política hizo una diferencia."),
    ("law-enforcement", "What do officers argue about when the public is not there?",
     "¿De qué discuten los agentes cuando el público no está?"),
    ("city-officials", "Tell us about a decision you had to explain to angry people.",
     "Cuéntenos de una decisión que tuvo que explicar a gente enojada."),
    ("advocates", "Tell us about the first call you took from a frightened family.",
     "Cuéntenos de la primera llamada que recibió de una familia asustada."),
    ("critics", "What would you change, and what would you keep?",
     "¿Qué cambiaría usted, y qué dejaría igual?"),
    ("residents", "How did your block change, and who noticed?",
     "¿Cómo cambió su cuadra, y quién se dio cuenta?"),
]

def consent_2026_12(ConsentText, db):
    """The consent text the share form shows from 2026-12 (tests seed it again with this)."""
    text, _ = ConsentText.objects.using(db).get_or_create(
        version=CONSENT_VERSION,
        defaults={
            "text_en": TEXT_EN,
            "text_es": TEXT_ES,
            "summary_en": SUMMARY_EN,
            "summary_es": SUMMARY_ES,
            "created_at": datetime.datetime(2026, 12, 5, 8, 0, tzinfo=datetime.timezone.utc),
        },
    )
    return text


def seed_prompts(QuestionPrompt, Perspective, db):
    """The first prompts, if there are none yet (tests seed them again with this)."""
    if QuestionPrompt.objects.using(db).exists():
        return
    perspectives = {p.slug: p for p in Perspective.objects.using(db).all()}
    QuestionPrompt.objects.using(db).bulk_create(
        QuestionPrompt(
            perspective=perspectives.get(slug) if slug else None,
            text=text,
            text_es=text_es,
            display_order=order * 10,
        )
        for order, (slug, text, text_es) in enumerate(PROMPTS)
        if slug is None or slug in perspectives
    )


def add_consent_and_prompts(apps, schema_editor):
    db = schema_editor.connection.alias
    consent_2026_12(apps.get_model("stories", "ConsentText"), db)
    Perspective = apps.get_model("stories", "Perspective")
    seed_prompts(apps.get_model("stories", "QuestionPrompt"), Perspective, db)


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
        ('stories', '0016_sent_with_findings'),
    ]

    operations = [
        migrations.AddField(
            model_name='consenttext',
            name='summary_en',
            field=models.TextField(blank=True, verbose_name='summary in English'),
        ),
        migrations.AddField(
            model_name='consenttext',
            name='summary_es',
            field=models.TextField(blank=True, verbose_name='summary in Spanish'),
        ),
        migrations.AddField(
            model_name='story',
            name='voice',
            field=models.CharField(blank=True, choices=[('published', 'Publish my recording'), ('private', 'Keep my voice private: publish only a transcript')], editable=False, max_length=16, verbose_name='voice'),
        ),
        migrations.CreateModel(
            name='QuestionPrompt',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('text', models.CharField(max_length=200, verbose_name='question in English')),
                ('text_es', models.CharField(blank=True, max_length=200, verbose_name='question in Spanish')),
                ('display_order', models.PositiveSmallIntegerField(default=0, verbose_name='display order')),
                ('active', models.BooleanField(default=True, help_text='Untick to stop showing the question without deleting it.', verbose_name='shown on the share form')),
                ('perspective', models.ForeignKey(blank=True, help_text='Leave empty for a question for everyone.', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='prompts', to='stories.perspective', verbose_name='perspective')),
            ],
            options={
                'verbose_name': 'question prompt',
                'verbose_name_plural': 'question prompts',
                'ordering': ['display_order', 'pk'],
            },
        ),
        migrations.RunPython(add_consent_and_prompts, migrations.RunPython.noop),
        migrations.RunPython(recreate_visible_index, migrations.RunPython.noop),
    ]
