"""Browsing by place and by time with the keyboard alone, in both languages."""

import re

from playwright.sync_api import expect

from stories.models import Story

from .helpers import assert_no_violations, focused


def skip_to_main(page):
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert focused(page)["name"] == "main"


def tab_to(page, href):
    """Tab from where the focus is to the link to ``href``, every stop visibly focused."""
    for _ in range(60):
        page.keyboard.press("Tab")
        stop = focused(page)
        assert stop["outline"] >= 2, f"no visible focus on {stop['name']}"
        assert stop["inView"], f"{stop['name']} has focus but is off screen"
        if stop["name"] == href:
            return stop
    raise AssertionError(f"{href} was never reached with Tab")


def test_a_timeline_year_leads_by_keyboard_to_the_stories_of_that_year(page, site):
    page.goto(site + "/es/timeline/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cronología")
    # Years as headings, events as headings under them: a list a screen reader can walk.
    expect(page.get_by_role("heading", level=2, name="1979")).to_be_visible()
    expect(page.get_by_role("heading", level=3, name="Orden Especial 40")).to_be_visible()
    # 1986 has an event and no published story: shown, with no link to stories.
    expect(page.locator("#year-1986")).to_contain_text("Ley de Reforma y Control de Inmigración")
    expect(page.locator('#year-1986 a[href*="year="]')).to_have_count(0)
    skip_to_main(page)
    stop = tab_to(page, "/es/stories/?year=1979")
    assert stop["text"] == "1 historia de 1979"
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/es/stories/\?year=1979$"))
    expect(page.locator("#id_year")).to_have_value("1979")
    of_1979 = Story.objects.published().filter(year_happened=1979)
    expect(page.locator(".story-card")).to_have_count(of_1979.count())
    expect(page.locator(".story-card-title").first).to_have_text(of_1979.first().title)


def test_a_place_page_by_keyboard_and_its_order(page, site):
    page.goto(site + "/places/")
    skip_to_main(page)
    tab_to(page, "/places/boyle-heights/")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/places/boyle-heights/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Boyle Heights")
    published = Story.objects.published().filter(place="Boyle Heights")
    expect(page.locator(".story-card")).to_have_count(published.count())
    expect(page.locator('.sort-links a[aria-current="true"]')).to_have_text("Newest")
    oldest = published.order_by("published_at", "pk").first()
    tab_to(page, "?sort=oldest")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/places/boyle-heights/\?sort=oldest$"))
    expect(page.locator('.sort-links a[aria-current="true"]')).to_have_text("Oldest")
    expect(page.locator(".story-card-title").first).to_have_text(oldest.title)
    assert_no_violations(page, "place page, oldest first")


def test_browse_leads_to_places_the_timeline_and_the_recordings(page, site):
    page.goto(site + "/stories/")
    skip_to_main(page)
    tab_to(page, "?recording=on")
    page.keyboard.press("Enter")
    heard = Story.objects.published().with_public_recording()
    expect(page.locator(".story-card")).to_have_count(heard.count())
    expect(page.locator(".listen-toggle")).to_have_text("Only stories with a recording")
    # The filters form keeps the order chosen; a place chosen in the form narrows the list.
    page.goto(site + "/stories/?sort=oldest")
    page.locator("#id_place").select_option("downtown")
    page.get_by_role("button", name="Show stories").click()
    expect(page).to_have_url(re.compile(r"place=downtown"))
    expect(page).to_have_url(re.compile(r"sort=oldest"))
    downtown = Story.objects.published().filter(place="Downtown")
    expect(page.locator(".story-card")).to_have_count(downtown.count())
    expect(page.locator(".story-card-title").first).to_have_text(
        downtown.order_by("published_at", "pk").first().title
    )
    page.goto(site + "/stories/")
    page.get_by_role("navigation", name="Other ways to browse").get_by_role(
        "link", name="By place"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Places")
