"""The admin in the moderator's language, in Chromium: their choice, else their browser's;
no note about the server's time, with the browser in another time zone than the archive."""

import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.utils.text import slugify
from playwright.sync_api import expect

from stories.models import AdminPreferences, Story
from stories.moderators import MODERATORS_GROUP

from .helpers import assert_no_violations_in_admin

PASSWORD = "language-passphrase-2026"
PHONE, DESKTOP = 375, 1280


@pytest.fixture
def moderator(django_user_model):
    user = django_user_model.objects.create_user("lucia", "lucia@example.org", PASSWORD)
    user.is_staff = True
    user.save()
    user.groups.add(Group.objects.get(name=MODERATORS_GROUP))
    return user


def open_browser(browser, *, width=DESKTOP, locale="en-US"):
    """A browser in Madrid, asking for ``locale``: eight or nine hours ahead of the archive."""
    context = browser.new_context(
        timezone_id="Europe/Madrid", locale=locale, viewport={"width": width, "height": 900}
    )
    return context, context.new_page()


def sign_in(page, site):
    page.goto(site + "/admin/")
    page.locator("#id_username").fill("lucia")
    page.locator("#id_password").fill(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.locator("#user-tools")).to_be_visible()


def shoot(page, name):
    """Full-page screenshots for people to look at, taken only when SCREENSHOT_DIR is set."""
    if directory := os.environ.get("SCREENSHOT_DIR"):
        width = page.viewport_size["width"]
        page.screenshot(path=Path(directory) / f"{slugify(name)}-{width}px.png", full_page=True)


def admin_pages():
    story = Story.objects.filter(status=Story.Status.PENDING).order_by("submitted_at").first()
    return {
        "desk": "/admin/stories/story/desk/",
        "review": f"/admin/stories/story/{story.pk}/review/",
        "changelist": "/admin/stories/story/",
        "change form": f"/admin/stories/story/{story.pk}/change/",
    }


WORDS = {
    "en": {
        "desk": "Moderation desk",
        "review": "Approve and publish",
        "changelist": "Approve and publish selected stories",
        "change form": "Save and continue editing",
        "header": "Perspectives moderation",
        "times": "Times are Los Angeles time.",
    },
    "es": {
        "desk": "Mesa de moderación",
        "review": "Aprobar y publicar",
        "changelist": "Aprobar y publicar las historias seleccionadas",
        "change form": "Guardar y continuar editando",
        "header": "Moderación de Perspectives",
        "times": "Las horas se indican en hora de Los Angeles.",
    },
}


@pytest.mark.parametrize("width", [DESKTOP, PHONE])
@pytest.mark.parametrize("language", ["en", "es"])
def test_the_admin_speaks_the_moderators_choice(browser, site, moderator, language, width):
    if language == "es":
        AdminPreferences.objects.create(user=moderator, language="es")
    # The browser asks for English: the choice on the account comes first.
    context, page = open_browser(browser, width=width)
    sign_in(page, site)
    words = WORDS[language]
    for name, address in admin_pages().items():
        page.goto(site + address)
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.locator("#site-name")).to_have_text(words["header"])
        expect(page.locator("#content")).to_contain_text(words[name])
        assert "Django" not in page.title()
        if width == DESKTOP:
            assert_no_violations_in_admin(page, f"{name} ({language})")
        shoot(page, f"{language} admin {name}")
    context.close()


@pytest.mark.parametrize("language", ["en", "es"])
def test_no_server_time_note_in_another_time_zone(browser, site, moderator, language):
    AdminPreferences.objects.create(user=moderator, language=language)
    context, page = open_browser(browser)
    sign_in(page, site)
    page.goto(site + admin_pages()["change form"])
    # Django's DateTimeShortcuts did write its note (Madrid is not Los Angeles)...
    warnings = page.locator(".timezonewarning")
    expect(warnings.first).to_be_attached()
    # ...and no one sees it; the archive's time zone is said once, by the fields.
    for index in range(warnings.count()):
        expect(warnings.nth(index)).to_be_hidden()
    text = page.locator("body").inner_text()
    assert "server time" not in text and "hora del servidor" not in text
    assert text.count(WORDS[language]["times"]) == 1
    context.close()


def test_without_a_choice_the_browser_language_is_spoken(browser, site, moderator):
    context, page = open_browser(browser, locale="es-MX")
    page.goto(site + "/admin/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("button", name="Iniciar sesión")).to_be_visible()
    sign_in(page, site)
    expect(page.locator("#site-name")).to_have_text("Moderación de Perspectives")
    context.close()


@pytest.mark.parametrize("width", [DESKTOP, PHONE])
def test_a_moderator_chooses_spanish_from_the_language_link(browser, site, moderator, width):
    context, page = open_browser(browser, width=width)
    sign_in(page, site)
    page.get_by_role("link", name="Language").click()
    page.wait_for_url("**/admin/language/")
    if width == DESKTOP:
        assert_no_violations_in_admin(page, "language (en)")
    shoot(page, "en admin language")
    page.get_by_label("español").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/admin/")
    expect(page.locator(".messagelist")).to_contain_text(
        "La administración ya se muestra en el idioma que eligió."
    )
    expect(page.locator("html")).to_have_attribute("lang", "es")
    page.get_by_role("link", name="Idioma").click()
    expect(page.get_by_label("español")).to_be_checked()
    if width == DESKTOP:
        assert_no_violations_in_admin(page, "language (es)")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shoot(page, "es admin language")
    context.close()
