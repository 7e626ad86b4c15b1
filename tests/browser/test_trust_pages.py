"""Who runs the archive, how it answers requests for data, and its open data: found from
the footer by their words, in both languages, with the mouse and with the keyboard alone."""

import re

import pytest
from playwright.sync_api import expect

from .helpers import assert_no_violations_in_admin, focused

FOOTER = {
    "en": {
        "About and contact": ("/about/", "About this archive"),
        "How we answer requests for data": ("/about/requests/", "How we answer requests for data"),
        "Privacy: what we keep, and for how long": (
            "/privacy/",
            "Privacy: what we keep, and for how long",
        ),
        "How moderation works": ("/about/moderation/", "How moderation works"),
        "Open data and reuse": ("/data/", "Open data"),
    },
    "es": {
        "Quiénes somos y contacto": ("/es/about/", "Sobre este archivo"),
        "Cómo respondemos a las solicitudes de datos": (
            "/es/about/requests/",
            "Cómo respondemos a las solicitudes de datos",
        ),
        "Privacidad: qué guardamos y por cuánto tiempo": (
            "/es/privacy/",
            "Privacidad: qué guardamos y por cuánto tiempo",
        ),
        "Cómo funciona la moderación": ("/es/about/moderation/", "Cómo funciona la moderación"),
        "Datos abiertos y reutilización": ("/es/data/", "Datos abiertos"),
    },
}


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_footer_leads_to_every_page_about_the_archive_by_its_words(page, site, language):
    prefix = "" if language == "en" else "/es"
    for words, (path, heading) in FOOTER[language].items():
        page.goto(f"{site}{prefix}/")
        page.locator("footer").get_by_role("link", name=words, exact=True).click()
        expect(page).to_have_url(site + path)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_data_page_and_its_reuse_terms_are_reached_by_keyboard(page, site, language):
    prefix = "" if language == "en" else "/es"
    words = "Open data and reuse" if language == "en" else "Datos abiertos y reutilización"
    page.goto(f"{site}{prefix}/about/")
    for _ in range(60):
        page.keyboard.press("Tab")
        if focused(page)["text"] == words:
            break
    else:
        pytest.fail(f"Tab never reached “{words}” in the footer")
    assert focused(page)["outline"] >= 2 and focused(page)["inView"]
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{site}{prefix}/data/")
    # "What you may do with the stories", from the page's own contents list.
    reuse = page.locator(".on-this-page a[href='#reuse']")
    reuse.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/data/#reuse$"))
    expect(page.locator("#reuse")).to_be_in_viewport()


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_list_of_what_is_stored_opens_from_the_keyboard(page, site, language):
    prefix = "" if language == "en" else "/es"
    page.goto(f"{site}{prefix}/about/requests/")
    summary = page.locator("details.holdings > summary")
    table = page.locator(".holdings-table").first
    expect(table).to_be_hidden()
    summary.focus()
    page.keyboard.press("Enter")
    expect(table).to_be_visible()
    # The counts are a table with a caption per year, the sample requests said to be fictional.
    expect(page.locator(".requests-table caption").first).to_have_text("2026")
    expect(page.locator(".sample-note")).to_be_visible()


def test_an_administrator_writes_the_about_page_and_records_a_request(
    page, site, django_user_model
):
    django_user_model.objects.create_superuser("ines", "ines@example.org", "trust-passphrase-2026")
    page.goto(site + "/admin/")
    page.get_by_label("Username").fill("ines")
    page.get_by_label("Password").fill("trust-passphrase-2026")
    page.get_by_role("button", name="Log in").click()
    page.goto(site + "/admin/stories/archivestatement/1/change/")
    assert_no_violations_in_admin(page, "about the archive", within="#content")
    page.get_by_label("Contact email").fill("archivo@biblioteca.example.org")
    page.get_by_role("button", name="Save", exact=True).click()
    page.goto(site + "/admin/stories/datarequest/add/")
    assert_no_violations_in_admin(page, "a request for data", within="#content")
    page.get_by_label("Received on").fill("2026-12-01")
    page.get_by_label("From").select_option("court")
    page.get_by_label("What happened").select_option("handed_over")
    page.get_by_label("Notes").fill("Order 26-114, for one story's publication date")
    page.get_by_role("button", name="Save", exact=True).click()
    page.goto(site + "/es/about/requests/")
    expect(page.locator(".requests-table").first).to_contain_text("Se entregaron datos")
    expect(page.locator("main")).not_to_contain_text("26-114")
    page.goto(site + "/es/about/")
    expect(page.get_by_role("link", name="archivo@biblioteca.example.org")).to_have_attribute(
        "href", "mailto:archivo@biblioteca.example.org"
    )
