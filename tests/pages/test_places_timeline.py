"""Browsing by place and by time, and the orders of browse and search (issue 22)."""

import datetime

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone

from stories.models import Story, TimelineEvent, listed_places, place_key
from stories.models.places import places_from_counts
from stories.pages.context import listed_places as listed_places_context

from ..factories import give_recording, make_published, make_story
from ..readers import listed_titles

pytestmark = pytest.mark.django_db


def published_in(place, count, **fields):
    return [make_published(place=place, **fields) for _ in range(count)]


def hidden_in(place, moderator):
    """A pending, a rejected, a withdrawn and an embargoed story, all naming ``place``."""
    pending = make_story(place=place)
    rejected = make_story(place=place)
    rejected.reject(by=moderator)
    withdrawn = make_published(place=place)
    withdrawn.withdraw()
    embargoed = make_story(place=place, embargo_until=timezone.now() + datetime.timedelta(days=9))
    embargoed.approve(by=moderator)
    return [pending, rejected, withdrawn, embargoed]


def titles_on(response):
    return listed_titles(response)


# --- The place key ---


@pytest.mark.parametrize(
    "typed",
    ["Boyle Heights", "boyle heights", "  BOYLE   Heights ", "Boyle-Heights", "Boyle Heights."],
)
def test_spellings_of_one_place_fold_to_one_key(typed):
    assert place_key(typed) == "boyle-heights"


def test_accents_fold_and_letters_beyond_ascii_stay():
    assert place_key("Bell Gardens / Maywood") == "bell-gardens-maywood"
    assert place_key("Pacoíma") == place_key("pacoima") == "pacoima"
    assert place_key("Ñuñoa") == "nunoa"
    assert place_key("!!!") == place_key("") == ""


def test_a_place_is_named_by_its_most_common_spelling():
    places = places_from_counts([("boyle heights", 1), ("Boyle Heights", 3), ("Boyle heights", 1)])
    assert list(places) == ["boyle-heights"]
    place = places["boyle-heights"]
    assert (place.name, place.count) == ("Boyle Heights", 5)
    assert set(place.spellings) == {"boyle heights", "Boyle Heights", "Boyle heights"}
    # Between two as common, the first in alphabetical order: the same name every time.
    tied = places_from_counts([("pacoima", 2), ("Pacoima", 2)])["pacoima"]
    assert tied.name == "Pacoima"


# --- The threshold ---


def test_two_stories_make_no_place_page(client):
    published_in("Pacoima", 2)
    assert "pacoima" not in listed_places()
    assert client.get("/places/pacoima/").status_code == 404
    assert "Pacoima" not in client.get("/places/").content.decode()


def test_a_place_under_the_threshold_is_the_same_404_as_an_unknown_one(client):
    published_in("Pacoima", 2)
    under = client.get("/places/pacoima/")
    unknown = client.get("/places/nowhere-at-all/")
    assert under.status_code == unknown.status_code == 404
    # The same page but for the address asked for, which the language link repeats.
    assert under.content.replace(b"pacoima", b"?") == unknown.content.replace(
        b"nowhere-at-all", b"?"
    )


def test_three_stories_list_a_place_with_its_count(client):
    published_in("Pacoima", 2)
    published_in("pacoima ", 1)
    index = client.get("/places/")
    assert index.status_code == 200
    assert [(place.name, place.count) for place in index.context["places"]] == [("Pacoima", 3)]
    assert 'href="/places/pacoima/"' in index.content.decode()
    page = client.get("/places/pacoima/")
    assert page.status_code == 200
    assert len(page.context["cards"]) == 3
    assert page.context["paginator"].count == 3
    # And on to the browse page's filters, with the place chosen.
    assert 'href="/stories/?place=pacoima"' in page.content.decode()


def test_the_threshold_is_a_setting(client, settings):
    published_in("Van Nuys", 1)
    assert client.get("/places/van-nuys/").status_code == 404
    settings.PLACE_MIN_STORIES = 1
    assert client.get("/places/van-nuys/").status_code == 200


def test_hidden_stories_are_never_counted_or_listed(client, moderator):
    published_in("Westlake", 2)
    hidden = hidden_in("Westlake", moderator)
    assert "westlake" not in listed_places()
    assert client.get("/places/westlake/").status_code == 404
    # With a third published story the place is listed, counting the three alone.
    visible = make_published(place="Westlake")
    index = client.get("/places/")
    assert [place.count for place in index.context["places"]] == [3]
    page = client.get("/places/westlake/")
    assert visible.title in titles_on(page)
    text = page.content.decode()
    for story in hidden:
        assert story.title not in text


def test_a_place_page_names_its_place_on_cards_without_linking_to_itself(client):
    published_in("Pacoima", 3)
    page = client.get("/places/pacoima/").content.decode()
    assert page.count("Pacoima") >= 3
    assert 'class="place-link"' not in page
    # Elsewhere the same cards link the place to its page.
    assert 'href="/places/pacoima/" class="place-link"' in client.get("/stories/").content.decode()


def test_a_place_page_is_paginated_like_browse(client):
    published_in("Downtown", 23)
    first = client.get("/places/downtown/")
    second = client.get("/places/downtown/?page=2")
    assert len(first.context["cards"]) == 20
    assert len(second.context["cards"]) == 3
    assert not set(titles_on(first)) & set(titles_on(second))


def test_browse_filters_by_a_listed_place_and_ignores_any_other(client):
    published_in("South LA", 3)
    alone = make_published(place="Glendale")
    other = make_published(place="")
    listed = client.get("/stories/?place=south-la")
    assert listed.context["paginator"].count == 3
    assert other.title not in titles_on(listed)
    # A place under the threshold is not a filter: the list is every story, nobody singled out.
    unlisted = client.get("/stories/?place=glendale")
    assert unlisted.context["paginator"].count == Story.objects.published().count()
    assert alone.title in titles_on(unlisted)
    assert client.get("/stories/?place=%3Cscript%3E").status_code == 200


def test_the_place_include_links_a_listed_place_and_writes_any_other_as_text():
    published_in("Boyle Heights", 3)
    linked = make_published(place="boyle  heights")
    alone = make_published(place="Glendale")
    request = RequestFactory().get("/")
    context = listed_places_context(request)

    def rendered(story):
        return render_to_string("stories/_place.html", {"story": story, **context}).strip()

    assert (
        rendered(linked) == '<a href="/places/boyle-heights/" class="place-link">boyle  heights</a>'
    )
    assert rendered(alone) == "Glendale"
    assert rendered(make_published(place="")) == ""
    assert rendered(make_published(place="<b>Echo Park</b>")) == "&lt;b&gt;Echo Park&lt;/b&gt;"


# --- The timeline ---


def test_the_timeline_counts_published_stories_per_year(client, moderator):
    for year, count in ((1994, 2), (2017, 1)):
        for _ in range(count):
            make_published(year_happened=year)
    for story in hidden_in("", moderator):
        Story.objects.filter(pk=story.pk).update(year_happened=1994)
    make_story(year_happened=2001)  # pending: its year is not on the timeline
    response = client.get("/timeline/")
    years = {entry.year: entry.story_count for entry in response.context["years"]}
    assert years == {1994: 2, 2017: 1}
    text = response.content.decode()
    assert 'href="/stories/?year=1994"' in text
    assert "2 stories from 1994" in text
    assert "2001" not in text


def test_a_year_with_an_event_and_no_story_is_shown_with_its_event(client):
    make_published(year_happened=2017)
    TimelineEvent.objects.create(
        year=1979, title="Special Order 40", title_es="Orden Especial 40", description="A rule."
    )
    TimelineEvent.objects.create(year=2017, title="SB 54", description="A state law.")
    response = client.get("/timeline/")
    entries = response.context["years"]
    assert [(entry.year, entry.story_count) for entry in entries] == [(1979, 0), (2017, 1)]
    assert [event.title for event in entries[0].events] == ["Special Order 40"]
    text = response.content.decode()
    assert 'href="/stories/?year=1979"' not in text
    assert 'id="year-1979"' in text
    spanish = client.get("/es/timeline/").content.decode()
    assert "Orden Especial 40" in spanish
    # Where a moderator wrote no Spanish, the English is shown.
    assert "SB 54" in spanish


def test_a_timeline_year_leads_to_the_stories_of_that_year(client):
    of_1994 = make_published(year_happened=1994)
    make_published(year_happened=2017)
    response = client.get("/stories/?year=1994")
    assert titles_on(response) == [of_1994.title]


def test_moderators_manage_timeline_events_in_the_admin(moderator_client):
    assert moderator_client.get("/admin/stories/timelineevent/").status_code == 200
    response = moderator_client.post(
        "/admin/stories/timelineevent/add/",
        {
            "year": "2012",
            "title": "DACA",
            "title_es": "DACA",
            "description": "A federal program.",
            "description_es": "Un programa federal.",
            "link": "",
        },
    )
    assert response.status_code == 302
    event = TimelineEvent.objects.get()
    assert (
        moderator_client.get(f"/admin/stories/timelineevent/{event.pk}/change/").status_code == 200
    )
    assert (
        moderator_client.post(
            f"/admin/stories/timelineevent/{event.pk}/delete/", {"post": "yes"}
        ).status_code
        == 302
    )
    assert not TimelineEvent.objects.exists()


def test_an_event_before_the_earliest_year_is_refused(moderator_client):
    response = moderator_client.post(
        "/admin/stories/timelineevent/add/", {"year": "1850", "title": "Too early"}
    )
    assert response.status_code == 200
    assert not TimelineEvent.objects.exists()


# --- Sort ---


@pytest.fixture
def three_stories():
    """Published a day apart, oldest first; the years they happened in another order."""
    now = timezone.now()
    stories = []
    for days_ago, year in ((3, 2017), (2, None), (1, 1994)):
        story = make_published(year_happened=year)
        Story.objects.filter(pk=story.pk).update(
            published_at=now - datetime.timedelta(days=days_ago)
        )
        stories.append(story.title)
    return stories


def test_browse_is_newest_first_by_default(client, three_stories):
    first, second, third = three_stories
    assert titles_on(client.get("/stories/")) == [third, second, first]
    assert titles_on(client.get("/stories/?sort=newest")) == [third, second, first]


def test_browse_sorts_oldest_first(client, three_stories):
    first, second, third = three_stories
    assert titles_on(client.get("/stories/?sort=oldest")) == [first, second, third]


def test_browse_sorts_by_year_it_happened_earliest_first_without_a_year_last(client, three_stories):
    in_2017, no_year, in_1994 = three_stories
    assert titles_on(client.get("/stories/?sort=year")) == [in_1994, in_2017, no_year]


@pytest.mark.parametrize(
    "sort", ["<script>alert(1)</script>", "unknown", "relevance", "", "-published_at", "x" * 5000]
)
def test_a_bad_sort_falls_back_to_the_default(client, three_stories, sort):
    first, second, third = three_stories
    response = client.get("/stories/", {"sort": sort})
    assert response.status_code == 200
    assert titles_on(response) == [third, second, first]
    assert "<script>alert(1)" not in response.content.decode()


def test_stories_published_at_one_moment_keep_their_order_across_pages(client):
    moment = timezone.now() - datetime.timedelta(days=1)
    stories = [make_published() for _ in range(25)]
    Story.objects.filter(pk__in=[s.pk for s in stories]).update(published_at=moment)
    for sort in ("newest", "oldest", "year"):
        pages = [titles_on(client.get(f"/stories/?sort={sort}&page={page}")) for page in (1, 2)]
        assert len(set(pages[0] + pages[1])) == 25, sort


def test_the_sort_links_keep_the_filters_and_mark_the_chosen_order(client, three_stories):
    text = client.get("/stories/?sort=oldest&year=1994&page=1").content.decode()
    assert 'href="?sort=year&amp;year=1994"' in text
    assert 'aria-current="true">Oldest<' in text
    # Best match is for searching words alone.
    assert "Best match" not in text


def test_search_sorts_its_matches_and_ranks_them_by_default(client, three_stories):
    first, second, third = three_stories
    Story.objects.update(body="The clinic was open late. " * 20)
    ranked = client.get("/search/?q=clinic")
    assert set(titles_on(ranked)) == {first, second, third}
    assert 'aria-current="true">Best match<' in ranked.content.decode()
    assert titles_on(client.get("/search/?q=clinic&sort=oldest")) == [first, second, third]
    assert titles_on(client.get("/search/?q=clinic&sort=newest")) == [third, second, first]
    by_year = client.get("/search/?q=clinic&sort=year")
    assert titles_on(by_year) == [third, first, second]
    assert by_year.context["paginator"].count == 3
    # Matches in another order keep their highlighted excerpts.
    assert "<mark>" in by_year.content.decode()
    # Without words, the search page lists newest first; a bad order is the default.
    assert titles_on(client.get("/search/")) == [third, second, first]
    assert client.get("/search/?q=clinic&sort=%3Cscript%3E").status_code == 200


# --- The Listen filter ---


def test_browse_offers_the_stories_with_a_recording_first_with_their_count(client):
    heard = make_published()
    give_recording(heard, cleared=True)
    give_recording(make_published(), cleared=False)
    make_published()
    text = client.get("/stories/").content.decode()
    assert "Listen: 1 story with a recording" in text
    assert text.index("Listen: 1 story") < text.index('<form method="get" class="filters"')
    on = client.get("/stories/?recording=on")
    assert titles_on(on) == [heard.title]
    assert "Only stories with a recording" in on.content.decode()
