"""A narrator shares a story, a moderator approves it, a reader finds it."""

from django.contrib.auth.models import Group

from stories.moderators import MODERATORS_GROUP

from .helpers import walk_share_form

TITLE = "La biblioteca de mi barrio nunca pidió papeles"
BODY = "Cuando llegué a Los Ángeles no sabía si podía entrar a una biblioteca pública. " * 4


def test_spanish_narrator_moderator_and_reader(page, site, django_user_model):
    moderator = django_user_model.objects.create_user(
        "maria", "maria@example.org", "journey-passphrase-2026", is_staff=True
    )
    moderator.groups.add(Group.objects.get(name=MODERATORS_GROUP))

    # A narrator shares a story in Spanish, by keyboard.
    page.goto(site + "/es/")
    page.get_by_role("link", name="Comparta su historia").first.click()
    page.wait_for_url("**/es/share/")
    page.get_by_role("button", name="Escribirla").click()
    page.wait_for_url("**/es/share/story/")

    def story(page):
        page.get_by_role("textbox", name="Su historia", exact=True).fill(BODY)

    def about_your_story(page):
        page.get_by_label("Título").fill(TITLE)
        page.get_by_label("Español").check()

    def where_you_stand(page):
        page.get_by_label("Inmigrantes").check()
        page.get_by_label("Acceso lingüístico").check()

    def about_you(page):
        page.get_by_label("Anónimo", exact=True).check()
        page.get_by_label("Barrio o ciudad").fill("Boyle Heights")

    def details(page):
        page.get_by_label("Correo electrónico (privado)").fill("narradora@private.example.org")

    answers = {
        "story": story,
        "about-your-story": about_your_story,
        "where-you-stand": where_you_stand,
        "about-you": about_you,
        "details": details,
    }
    walk_share_form(page, site, "/es", answers, start=False)
    page.get_by_label("Acepto", exact=False).focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**/es/share/thanks/")
    assert page.locator("h1").inner_text() == "Gracias por compartir su historia"

    # Not public before a moderator approves it.
    page.goto(site + "/perspectives/immigrants/")
    assert TITLE not in page.content()

    # A moderator approves it in the admin.
    page.goto(site + "/admin/")
    page.get_by_label("Username").fill("maria")
    page.get_by_label("Password").fill("journey-passphrase-2026")
    page.get_by_role("button", name="Log in").click()
    page.goto(site + "/admin/stories/story/?status__exact=pending")
    page.locator("tr", has_text=TITLE).locator("input[type=checkbox]").check()
    page.select_option("select[name=action]", "approve")
    page.get_by_role("button", name="Go").click()
    assert "1 story approved." in page.locator(".messagelist").inner_text()

    # A reader finds it by search from the header, by perspective and by theme,
    # and switches language on its page.
    page.goto(site + "/es/")
    page.get_by_label("Buscar en las historias").fill("bibliotecas papeles")
    page.get_by_label("Buscar en las historias").press("Enter")
    page.wait_for_url("**/es/search/?q=bibliotecas+papeles")
    result = page.locator("article.story-card", has_text=TITLE)
    assert result.locator("mark").first.inner_text() == "biblioteca"
    page.get_by_role("link", name="Español").last.click()  # the language facet
    assert page.get_by_role("link", name=TITLE).is_visible()
    page.goto(site + "/perspectives/immigrants/")
    assert page.get_by_role("link", name=TITLE).is_visible()
    page.goto(site + "/es/themes/language-access/")
    page.get_by_role("link", name=TITLE).first.click()
    assert page.locator("article.story").get_attribute("lang") == "es"
    assert "Anónimo" in page.content()
    assert "narradora@private.example.org" not in page.content()
    page.get_by_role("link", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == TITLE
