"""The visual system in a browser: a one-row header on a desktop, a compact one on a phone,
the faces served from the site, cards with their quote, and the theme page as a comparison
(one row of voices at 1280 px; a jump bar and "Compare two voices" on a phone, without
JavaScript)."""

import pytest
from playwright.sync_api import expect

PHONE = {"width": 375, "height": 800}
DESKTOP = {"width": 1280, "height": 800}
THEME = "/themes/community-trust/"

BOXES = """(selector) => [...document.querySelectorAll(selector)]
    .map((element) => element.getBoundingClientRect())
    .map((box) => ({
        top: Math.round(box.top), bottom: Math.round(box.bottom), height: box.height,
    }))"""


def header_height(page):
    return page.evaluate("document.querySelector('.site-header').getBoundingClientRect().height")


@pytest.mark.parametrize("prefix", ["", "/es"])
def test_the_header_is_one_row_on_a_desktop_and_compact_on_a_phone(page, site, prefix):
    page.set_viewport_size(DESKTOP)
    page.goto(site + prefix + "/")
    # Name, links and search side by side: one row, where it took two (134 px) before.
    assert header_height(page) < 80
    parts = (".site-name", ".nav-list", ".site-search")
    name, nav, search = (page.evaluate(BOXES, selector)[0] for selector in parts)
    assert nav["top"] < name["bottom"] and search["top"] < name["bottom"]
    assert nav["height"] < 45  # its links on one line
    page.set_viewport_size(PHONE)
    page.goto(site + prefix + "/")
    assert header_height(page) < 140  # 187 px before
    for link in page.locator(".nav-list a").all():
        expect(link).to_be_visible()
    expect(page.locator("#site-search")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_the_faces_come_from_this_site_and_nothing_from_elsewhere(page, site):
    asked = []
    page.on("request", lambda request: asked.append(request.url))
    page.set_viewport_size(DESKTOP)
    page.goto(site + THEME)
    page.evaluate("document.fonts.ready")
    assert page.evaluate("document.fonts.check('1em \"Source Serif 4\"')")
    assert page.evaluate("document.fonts.check('700 1em \"Archivo\"')")
    fonts = [url for url in asked if url.endswith(".woff2")]
    assert fonts and all(url.startswith(site) for url in fonts)
    assert all(url.startswith(site) for url in asked)
    heading = page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
    assert heading.split(",")[0].strip('"') == "Archivo"


def test_cards_show_who_speaks_and_a_quote_not_theme_pills(page, site):
    page.set_viewport_size(DESKTOP)
    page.goto(site + "/")
    cards = page.locator(".story-card")
    assert cards.count() > 6
    assert page.locator(".story-card .theme-tags").count() == 0
    assert page.locator(".story-card .card-quote").count() >= 3
    # Every card says who speaks with a mark and a name, never a colour alone.
    assert page.locator(".story-card .perspective-label .mark").count() == cards.count()
    for name in page.locator(".story-card .perspective-label a").all_inner_texts():
        assert name.strip()
    listen = page.locator(".story-card .card-listen").first
    expect(listen).to_be_visible()
    assert listen.get_attribute("href").endswith("#listen")


def test_the_theme_page_reads_across_in_one_row_on_a_desktop(page, site):
    page.set_viewport_size(DESKTOP)
    page.goto(site + THEME)
    voices = page.evaluate(BOXES, ".voice-row > li")
    assert len(voices) == 6
    assert len({voice["top"] for voice in voices}) == 1
    expect(page.locator(".jump-bar")).to_be_hidden()
    expect(page.locator(".layout-wide")).to_be_visible()
    expect(page.locator(".layout-narrow")).to_be_hidden()
    # Below, each perspective's stories as cards wide enough to read (170 px before).
    widths = page.evaluate(
        "[...document.querySelectorAll('.perspective-stories .story-card')]"
        ".map((card) => card.getBoundingClientRect().width)"
    )
    assert widths and min(widths) > 300


def test_on_a_phone_the_jump_bar_leads_to_each_perspective_without_javascript(browser, site):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    page.goto(site + THEME)
    expect(page.locator(".layout-narrow")).to_be_visible()
    expect(page.locator(".layout-wide")).to_be_hidden()
    bar = page.get_by_role("navigation", name="Perspectives on this page")
    expect(bar).to_be_visible()
    # The voices a swipe apart: one at a time on the screen, the rest beside it.
    row = page.locator(".voice-row")
    assert row.evaluate("(row) => row.scrollWidth > row.clientWidth * 3")
    bar.get_by_role("link", name="Residents").click()
    assert page.url.endswith("#voice-residents")
    section = page.locator("#voice-residents")
    expect(section).to_be_in_viewport()
    top = section.evaluate("(element) => element.getBoundingClientRect().top")
    bar_bottom = page.evaluate(BOXES, ".jump-bar")[0]["bottom"]
    assert bar_bottom <= top < 200  # below the sticky bar, not hidden by it
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()


@pytest.mark.parametrize(("prefix", "button"), [("", "Compare"), ("/es", "Comparar")])
def test_two_voices_are_compared_without_javascript(browser, site, prefix, button):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    page.goto(site + prefix + THEME)
    page.locator("#id_compare").select_option("critics")
    page.locator("#id_with").select_option("immigrants")
    page.get_by_role("button", name=button, exact=True).click()
    assert "compare=critics" in page.url and "with=immigrants" in page.url
    compared = page.locator(".compared > li")
    expect(compared).to_have_count(2)
    expect(compared.first.locator(".voice-perspective")).to_contain_text(
        "Critics" if not prefix else "Críticos"
    )
    boxes = page.evaluate(BOXES, ".compared > li")
    assert boxes[0]["top"] == boxes[1]["top"]  # side by side, even on a phone
    expect(compared.first.locator(".voice-quote")).to_be_visible()
    # The same perspective twice is refused, and said why.
    page.locator("#id_with").select_option("critics")
    page.get_by_role("button", name=button, exact=True).click()
    expect(page.locator(".compare .errors")).to_be_visible()
    expect(page.locator(".compared")).to_have_count(0)
    context.close()
