"""Both languages first-class, in a browser: searching across languages from the Spanish site,
keeping one language, and a story told in the other language, each checked with axe."""

from playwright.sync_api import expect

from .helpers import assert_no_violations

ENGLISH_STORY = "/stories/the-clinic-waiting-room-emptied-out/"


def test_familia_on_the_spanish_site_finds_english_stories_marked_ingles(
    page, site, save_screenshot
):
    page.goto(site + "/es/")
    search = page.get_by_role("search").first
    search.get_by_role("searchbox").fill("familia")
    search.get_by_role("button", name="Buscar").click()
    page.wait_for_url("**/es/search/?q=familia")
    expect(page.locator(".also-searched")).to_contain_text(
        "También se buscó, con el glosario del archivo: family"
    )
    english = page.locator(".search-result").filter(has=page.locator(".result-language"))
    expect(english.first.locator(".result-language")).to_have_text("Idioma de la historia: Inglés")
    assert english.count() == 9
    assert page.locator(".search-result").count() == 16
    # Each English result's matched word is marked in its own language.
    expect(english.first.locator("mark").first).to_have_text("families")
    assert_no_violations(page, "search across languages (es)")
    save_screenshot("es search across languages")

    # Keep one language with the facet: only the Spanish stories, none marked.
    page.locator(".facets").get_by_role("link", name="Español").click()
    page.wait_for_url("**language=es**")
    assert page.locator(".search-result").count() == 7
    assert page.locator(".result-language").count() == 0
    page.get_by_role("link", name="ver todos los idiomas").click()
    assert page.locator(".search-result").count() == 16

    # Search only the words typed: the English stories leave the results.
    page.get_by_role("link", name="Buscar solo “familia”").click()
    page.wait_for_url("**exact=on**")
    expect(page.locator(".also-searched")).to_contain_text("Solo se buscaron las palabras")
    assert page.locator(".search-result").count() == 7
    assert_no_violations(page, "search only the words typed (es)")
    # The choice holds when the search is sent again from the form.
    page.locator("main").get_by_role("button", name="Buscar").click()
    assert page.locator(".search-result").count() == 7
    page.get_by_role("link", name="Buscar también sus traducciones del glosario").click()
    assert page.locator(".search-result").count() == 16


def test_the_english_site_marks_spanish_results(page, site, save_screenshot):
    page.goto(site + "/search/?q=family")
    expect(page.locator(".also-searched")).to_contain_text("Also searched")
    expect(page.locator(".result-language").first).to_have_text("Language of the story: Spanish")
    assert_no_violations(page, "search across languages (en)")
    save_screenshot("en search across languages")


def test_a_story_in_the_other_language_opens_with_a_notice(page, site, save_screenshot):
    page.goto(site + "/es" + ENGLISH_STORY)
    notice = page.locator(".other-language-notice")
    expect(notice).to_be_visible()
    expect(notice).to_have_attribute("lang", "es")
    expect(notice.get_by_text("Historia en inglés")).to_be_visible()
    expect(notice.locator(".translation-label")).to_have_text(
        "Resumen traducido por el archivo; no son palabras de quien narra:"
    )
    # The notice comes before the story's own summary, in the story's language.
    notice_top = notice.bounding_box()["y"]
    assert notice_top < page.locator(".story .lead").bounding_box()["y"]
    assert_no_violations(page, "story in the other language (es)")
    save_screenshot("es story in english with notice")

    page.goto(site + ENGLISH_STORY)
    assert page.locator(".other-language-notice").count() == 0
    page.goto(site + "/stories/la-parroquia-que-nunca-cerr%C3%B3-sus-puertas/")
    expect(page.locator(".other-language-notice")).to_contain_text("Story in Spanish")
    assert_no_violations(page, "story in the other language (en)")
    save_screenshot("en story in spanish with notice")
