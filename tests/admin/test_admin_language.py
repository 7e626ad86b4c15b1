"""The admin in the moderator's language: their choice, else their browser's, else English;
the public pages keep their own rules (docs/moderation.md, "The admin's language")."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from stories.models import AdminPreferences, Theme
from stories.models.event_notes import shown_note
from stories.moderators import MODERATORS_GROUP
from tests.factories import give_recording, make_published, make_story

pytestmark = pytest.mark.django_db


def stored_language(user):
    return AdminPreferences.objects.filter(user=user).values_list("language", flat=True).first()


def choose(user, language):
    AdminPreferences.objects.update_or_create(user=user, defaults={"language": language})


def page(client, address, **headers):
    response = client.get(address, **headers)
    assert response.status_code == 200, address
    return response, response.content.decode()


def test_a_moderator_who_chose_spanish_works_in_spanish(moderator_client, moderator):
    choose(moderator, "es")
    story = make_story(title="Una historia por revisar")
    # Even if the browser asks for English: the moderator's choice comes first.
    for address in (
        "/admin/",
        "/admin/stories/story/desk/",
        f"/admin/stories/story/{story.pk}/review/",
        "/admin/stories/story/",
        f"/admin/stories/story/{story.pk}/change/",
    ):
        response, html = page(moderator_client, address, HTTP_ACCEPT_LANGUAGE="en")
        assert '<html lang="es"' in html, address
        assert response["Content-Language"] == "es"
        assert "Moderación de Perspectives" in html  # the project's catalogue
        assert "Cerrar sesión" in html  # Django's own
        assert "Django" not in html.replace("csrfmiddlewaretoken", "")
    _, desk = page(moderator_client, "/admin/stories/story/desk/")
    assert "Mesa de moderación" in desk
    _, review = page(moderator_client, f"/admin/stories/story/{story.pk}/review/")
    assert "Nota (opcional, nunca se publica)" in review
    _, changelist = page(moderator_client, "/admin/stories/story/")
    assert "Aprobar y publicar las historias seleccionadas" in changelist
    assert "Acción:" in changelist and "Filtro" in changelist
    _, change = page(moderator_client, f"/admin/stories/story/{story.pk}/change/")
    assert "Guardar y continuar editando" in change
    assert "Las horas se indican en hora de Los Angeles." in change


def test_action_messages_come_in_the_moderators_language(moderator_client, moderator):
    choose(moderator, "es")
    story = make_story(title="Para destacar")
    response = moderator_client.post(
        "/admin/stories/story/",
        {"action": "feature", "_selected_action": [story.pk]},
        follow=True,
    )
    assert "1 historia actualizada." in response.content.decode()


def test_without_a_choice_the_browser_language_is_used(moderator_client):
    _, html = page(moderator_client, "/admin/", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9,en;q=0.5")
    assert '<html lang="es"' in html and "Moderación de Perspectives" in html
    _, html = page(moderator_client, "/admin/", HTTP_ACCEPT_LANGUAGE="fr-CA,fr;q=0.9")
    assert '<html lang="en"' in html and "Perspectives moderation" in html


def test_english_otherwise_and_no_django_branding(moderator_client):
    _, html = page(moderator_client, "/admin/")
    assert '<html lang="en"' in html
    assert "<title>Moderation home | Perspectives moderation</title>" in html
    assert "Django administration" not in html and "Django site admin" not in html


def test_the_sign_in_page_follows_the_browser(client):
    _, html = page(client, "/admin/login/", HTTP_ACCEPT_LANGUAGE="es")
    assert '<html lang="es"' in html and "Moderación de Perspectives" in html


def test_a_moderator_chooses_their_language_from_the_admin(moderator_client, moderator):
    _, form = page(moderator_client, "/admin/language/")
    assert 'href="/admin/language/"' in form  # the link among the user links
    response = moderator_client.post("/admin/language/", {"language": "es"}, follow=True)
    html = response.content.decode()
    assert "La administración ya se muestra en el idioma que eligió." in html
    assert stored_language(moderator) == "es"
    # No language cookie: the account holds the choice.
    assert settings.LANGUAGE_COOKIE_NAME not in moderator_client.cookies
    moderator_client.post("/admin/language/", {"language": ""})
    assert stored_language(moderator) == ""
    _, html = page(moderator_client, "/admin/", HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="en"' in html


def test_a_language_outside_the_archive_is_refused(moderator_client, moderator):
    response = moderator_client.post("/admin/language/", {"language": "fr"})
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert not AdminPreferences.objects.filter(user=moderator).exists()


def test_the_language_page_is_for_staff_only(client, django_user_model):
    reader = django_user_model.objects.create_user("reader", password="a-long-reader-password")
    client.force_login(reader)
    response = client.post("/admin/language/", {"language": "es"})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not AdminPreferences.objects.exists()


def test_each_moderator_sets_only_their_own_language(
    moderator_client, moderator, django_user_model
):
    other = django_user_model.objects.create_user("other", password="x", is_staff=True)
    other.groups.add(Group.objects.get(name=MODERATORS_GROUP))
    # A crafted POST naming another user changes nothing of theirs.
    moderator_client.post("/admin/language/", {"language": "es", "user": other.pk})
    assert stored_language(other) is None
    assert stored_language(moderator) == "es"


def test_an_administrator_sets_a_moderators_language_on_their_page(admin_client, moderator):
    _, html = page(admin_client, f"/admin/auth/user/{moderator.pk}/change/")
    assert "admin_preferences-0-language" in html
    choose(moderator, "es")
    _, html = page(admin_client, f"/admin/auth/user/{moderator.pk}/change/")
    assert 'value="es" checked' in html or 'value="es" selected' in html


def test_moderators_cannot_open_the_users_pages(moderator_client, moderator):
    response = moderator_client.get(f"/admin/auth/user/{moderator.pk}/change/")
    assert response.status_code == 403


def test_the_public_pages_keep_their_language_and_set_no_cookie(client, moderator):
    choose(moderator, "es")
    client.force_login(moderator)  # even for a moderator who chose Spanish
    story = make_published(title="A public story")
    for address, language in (
        ("/", "en"),
        ("/es/", "es"),
        (story.get_absolute_url(), "en"),
    ):
        response = client.get(address, HTTP_ACCEPT_LANGUAGE="es")
        assert f'<html lang="{language}"' in response.content.decode(), address
        assert response["Content-Language"] == language
        assert "django_language" not in response.cookies


def test_the_history_shows_the_archives_notes_in_spanish(moderator_client, moderator):
    choose(moderator, "es")
    story = make_story(title="Con historial", body="Llame al 415-555-0199 por favor.")
    story.redact([finding.key for finding in story.shield_findings()], by=moderator)
    give_recording(story)
    story.recording.set_cleared(True, by=moderator)
    story.set_featured(True, by=moderator)
    story.record_event("Escrito por una moderadora", by=moderator)
    _, html = page(moderator_client, f"/admin/stories/story/{story.pk}/change/")
    assert "Pendiente de revisión" in html.split("Historial de moderación")[1]
    assert "→ pending" not in html
    assert "Enviada" in html
    assert "Datos tachados: Número de teléfono en historia" in html
    assert "Grabación escuchada y aprobada" in html
    assert "Destacada" in html
    assert "Escrito por una moderadora" in html
    _, history = page(moderator_client, "/admin/stories/moderationevent/")
    assert "Grabación escuchada y aprobada" in history
    # Stored as written, in English, whatever language the admin speaks.
    cleared = story.events.get(note="Recording listened to and cleared")
    _, event = page(moderator_client, f"/admin/stories/moderationevent/{cleared.pk}/change/")
    assert "Grabación escuchada y aprobada" in event


def test_notes_with_figures_are_shown_in_spanish_and_others_as_typed():
    with translation.override("es"):
        assert shown_note(
            "Returned to review by the system: 3 readers reported personal information exposed."
        ) == (
            "Devuelta a revisión por el sistema: 3 lectores reportaron información personal "
            "expuesta."
        )
        assert shown_note("Redacted: a_number in transcript, phone in title") == (
            "Datos tachados: Número de registro de extranjero (número A) en transcripción, "
            "Número de teléfono en título"
        )
        assert shown_note("Redacted: mystery in body") == "Datos tachados: mystery in body"
        assert shown_note("fine by me") == "fine by me"
        assert shown_note("") == ""


def test_perspectives_and_themes_are_named_in_the_admins_language(moderator_client, moderator):
    choose(moderator, "es")
    theme = Theme.objects.exclude(name_es="").first()  # seeded in both languages
    story = make_story(title="Nombres en español", themes=[theme.slug])
    _, changelist = page(moderator_client, "/admin/stories/story/")
    columns = changelist.split('id="changelist-filter"')[0]
    assert "Inmigrantes" in columns and theme.name_es in columns
    assert "Immigrants" not in columns and theme.name not in columns
    filters = changelist.split('id="changelist-filter"')[1]
    assert "Inmigrantes" in filters and theme.name_es in filters
    _, change = page(moderator_client, f"/admin/stories/story/{story.pk}/change/")
    assert ">Inmigrantes</option>" in change and f">{theme.name_es}</option>" in change
    _, review = page(moderator_client, f"/admin/stories/story/{story.pk}/review/")
    assert "<dd>Inmigrantes</dd>" in review


def test_the_language_page_is_within_the_query_budget(
    moderator_client, moderator, django_assert_max_num_queries
):
    choose(moderator, "es")
    with django_assert_max_num_queries(10):
        page(moderator_client, "/admin/language/")


def test_the_chosen_language_costs_no_query_of_its_own(moderator_client, moderator):
    choose(moderator, "es")
    with CaptureQueriesContext(connection) as queries:
        page(moderator_client, "/admin/stories/story/desk/")
    # Read with the signed-in user (a join), never by a query of its own.
    assert any('JOIN "stories_adminpreferences"' in query["sql"] for query in queries)
    assert not any('FROM "stories_adminpreferences"' in query["sql"] for query in queries)
