import datetime
import re

import pytest
from django.conf import settings
from django.utils import timezone, translation

from stories.models import Story, Theme
from stories.search.text import fold

from ..factories import make_published, make_story, open_share_step

pytestmark = pytest.mark.django_db


def test_home_shows_featured_and_counts_only_published(client, moderator):
    featured = make_published(title="A featured voice", themes=["public-safety"])
    featured.set_featured(True, by=moderator)
    make_story(title="Pending voice", themes=["public-safety"])
    html = client.get("/").content.decode()
    assert "A featured voice" in html
    assert "Pending voice" not in html
    assert "Share your story" in html
    # Public safety has exactly one published story, the pending one is not counted.
    assert 'Public safety</a>\n          <span class="count">1 story</span>' in html


def test_story_page_shows_public_fields_and_never_private_ones(client):
    story = make_published(
        title="Night shift",
        narrator_descriptor="nurse, Boyle Heights",
        place="Boyle Heights",
        year_happened=2017,
        content_note="Mentions detention",
        themes=["community-trust", "public-safety"],
    )
    response = client.get(story.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    for shown in ("Night shift", "nurse, Boyle Heights", "2017", "Mentions detention"):
        assert shown in html
    assert story.narrator_name in html
    assert "Community trust" in html and "/themes/community-trust/" in html
    assert story.contact_email not in html
    assert story.moderator_notes not in html
    assert 'lang="en"' in html


def test_anonymous_story_shows_no_name(client):
    story = make_published(is_anonymous=True, narrator_name="")
    html = client.get(story.get_absolute_url()).content.decode()
    assert "Anonymous" in html


@pytest.mark.parametrize("status_change", ["pending", "rejected", "embargoed", "returned"])
def test_story_that_is_not_visible_answers_the_same_404(client, every_state_archive, status_change):
    # An address of its own, whether or not its state gave it one.
    Story.objects.filter(pk=every_state_archive[status_change].pk).update(slug="hidden")
    unknown = client.get("/stories/hiddem/")
    response = client.get("/stories/hidden/")
    assert response.status_code == 404
    # The same page, but for the language link, which names the address asked for.
    assert response.content == unknown.content.replace(b"hiddem", b"hidden")


def test_withdrawn_story_that_was_public_answers_410(client):
    story = make_published(title="Taken back")
    story.withdraw()
    response = client.get("/stories/taken-back/")
    assert response.status_code == 410
    html = response.content.decode()
    assert "withdrawn" in html
    assert "Taken back" not in html
    assert story.body[:40] not in html


def test_story_page_shows_one_story_from_each_other_perspective(client):
    story = make_published(perspective="immigrants", themes=["public-safety"])
    older_officer = make_published(
        title="Older officer", perspective="law-enforcement", themes=["public-safety"]
    )
    newer_officer = make_published(
        title="Newer officer", perspective="law-enforcement", themes=["public-safety"]
    )
    critic = make_published(title="A critic", perspective="critics", themes=["public-safety"])
    make_published(title="Same side", perspective="immigrants", themes=["public-safety"])
    make_published(title="Other theme", perspective="residents", themes=["legal-aid"])
    make_story(title="Pending critic", perspective="critics", themes=["public-safety"])
    Story.objects.filter(pk=older_officer.pk).update(
        published_at=timezone.now() - datetime.timedelta(days=3)
    )
    others = Story.objects.in_bulk(story.other_perspectives())
    assert [others[pk].title for pk in story.other_perspectives()] == ["Newer officer", "A critic"]
    html = client.get(story.get_absolute_url()).content.decode()
    assert newer_officer.title in html and critic.title in html
    assert "Older officer" not in html and "Same side" not in html


def test_story_list_filters_combine_and_ignore_bad_values(client):
    make_published(title="Spanish critic", perspective="critics", language="es", year_happened=2018)
    make_published(title="English critic", perspective="critics", language="en")
    make_published(title="Spanish resident", perspective="residents", language="es")
    html = client.get("/stories/?perspective=critics&language=es").content.decode()
    assert "Spanish critic" in html
    assert "English critic" not in html and "Spanish resident" not in html
    html = client.get("/stories/?perspective=nobody&year=abc&language=xx").content.decode()
    assert all(t in html for t in ("Spanish critic", "English critic", "Spanish resident"))
    html = client.get("/stories/?year=2018").content.decode()
    assert "Spanish critic" in html and "English critic" not in html


def test_story_list_filter_by_theme_shows_each_story_once(client):
    make_published(title="Two themes", themes=["public-safety", "community-trust"])
    response = client.get("/stories/?theme=public-safety")
    assert response.context["paginator"].count == 1


def test_story_list_paginates_by_twenty_and_keeps_filters(client):
    for n in range(23):
        make_published(title=f"Critic {n}", perspective="critics")
    first = client.get("/stories/?perspective=critics")
    assert len(first.context["cards"]) == 20
    assert "?perspective=critics&amp;page=2" in first.content.decode()
    second = client.get("/stories/?perspective=critics&page=2")
    assert len(second.context["cards"]) == 3
    assert client.get("/stories/?page=99").status_code == 404


def test_perspective_pages(client):
    make_published(title="From the force", perspective="law-enforcement")
    assert "Law enforcement" in client.get("/perspectives/").content.decode()
    html = client.get("/perspectives/law-enforcement/").content.decode()
    assert "From the force" in html
    assert client.get("/perspectives/nobody/").status_code == 404


def test_theme_grid_counts_published_stories_per_perspective(client):
    make_published(perspective="critics", themes=["public-safety"])
    make_published(perspective="critics", themes=["public-safety"])
    make_story(perspective="critics", themes=["public-safety"])
    response = client.get("/themes/")
    grid = dict(response.context["grid"].rows)
    public_safety = next(t for t in grid if t.slug == "public-safety")
    counts = {p.slug: n for p, n in grid[public_safety]}
    assert counts["critics"] == 2
    assert counts["immigrants"] == 0


def test_theme_grid_says_none_yet_in_words_a_screen_reader_reads(client):
    # aria-label is not allowed on a plain <span> (ARIA 1.2): screen readers read "0".
    make_published(perspective="critics", themes=["public-safety"])
    html = client.get("/themes/").content.decode()
    assert not re.search(r"<span[^>]*aria-label", html)
    empty_cell = re.search(r'<td class="missing">(.*?)</td>', html).group(1)
    assert empty_cell == (
        '<span aria-hidden="true">0</span><span class="visually-hidden">none yet</span>'
    )
    spanish = client.get("/es/themes/").content.decode()
    assert '<span class="visually-hidden">ninguna todavía</span>' in spanish


def test_theme_page_lays_stories_out_by_perspective(client):
    for n in range(5):
        make_published(title=f"Critic story {n}", perspective="critics", themes=["legal-aid"])
    make_published(title="Advocate story", perspective="advocates", themes=["legal-aid"])
    response = client.get("/themes/legal-aid/")
    voices = {voice.perspective.slug: voice for voice in response.context["voices"]}
    assert len(voices) == 6
    critics = voices["critics"]
    assert [card.title for card in critics.cards] == [
        "Critic story 4",
        "Critic story 3",
        "Critic story 2",
    ]
    assert critics.total == 5
    assert (voices["immigrants"].cards, voices["immigrants"].total) == ([], 0)
    html = response.content.decode()
    assert "/stories/?theme=legal-aid&amp;perspective=critics" in html
    assert "All 5 stories from Critics on this theme" in html
    assert client.get("/themes/no-such-theme/").status_code == 404


def test_unicode_theme_slug_is_routed(client):
    from stories.models import Theme

    Theme.objects.create(name="Niños", slug="niños")
    assert client.get("/themes/niños/").status_code == 200


def test_nul_in_a_slug_is_a_404_not_a_server_error(client):
    assert client.get("/stories/abc%00def/").status_code == 404
    assert client.get("/themes/%00/").status_code == 404


def test_english_is_unprefixed_whatever_the_browser_asks(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="es")
    assert '<html lang="en">' in response.content.decode()
    spanish = client.get("/es/")
    assert '<html lang="es">' in spanish.content.decode()


def test_language_link_points_to_the_same_page_with_its_query(client):
    html = client.get("/stories/?language=es").content.decode()
    assert 'href="/es/stories/?language=es" hreflang="es"' in html
    html = client.get("/es/stories/?language=es").content.decode()
    assert 'href="/stories/?language=es" hreflang="en"' in html


def test_curated_names_are_shown_in_spanish_on_the_spanish_site(client):
    html = client.get("/es/perspectives/").content.decode()
    assert "Inmigrantes" in html and "Fuerzas del orden" in html


def test_error_pages_use_the_site_look(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_500_page_renders_without_a_request():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "Something went wrong" in html


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_a_story_lists_its_themes_in_name_order_whatever_order_they_were_tagged(client):
    story = make_published()
    for slug in ("public-safety", "city-services", "legal-aid"):  # one tagging row at a time
        story.themes.add(Theme.objects.get(slug=slug))
    listed = [theme.slug for theme in Story.objects.for_listing().get(pk=story.pk).themes.all()]
    assert listed == ["city-services", "legal-aid", "public-safety"]
    page = client.get(story.get_absolute_url()).content.decode()
    assert page.index("/themes/city-services/") < page.index("/themes/legal-aid/")
    assert page.index("/themes/legal-aid/") < page.index("/themes/public-safety/")


def test_spanish_pages_list_themes_in_spanish_alphabetical_order(client):
    # English order puts "Public safety" after "Community trust"; Spanish,
    # "Seguridad pública" after "Confianza comunitaria" but "Acceso…" first.
    chosen = ["public-safety", "community-trust", "city-services", "belonging"]
    story = make_published(title="Una historia", language="es", themes=chosen)
    with translation.override("es"):
        spanish = [theme.local_name for theme in Theme.objects.with_published_counts()]
    assert spanish == sorted(spanish, key=fold)
    assert spanish != [theme.name_es for theme in Theme.objects.all()]

    menu = client.get("/es/stories/").content.decode()
    select = re.search(r'<select name="theme".*?</select>', menu, re.S).group()
    assert re.findall(r'<option value="[^"]+"[^>]*>([^<]+)', select) == spanish

    # Cards leave themes out; the story's page links each to its page, through every perspective.
    with translation.override("es"):
        page = client.get(story.get_absolute_url()).content.decode()
    card = re.search(r'<ul class="theme-links".*?</ul>', page, re.S).group()
    chips = [name.strip() for name in re.findall(r"<a [^>]*>([^<]+)</a>", card)]
    assert chips == sorted(chips, key=fold) and len(chips) == len(chosen)
    assert chips[0] == "Acceso a servicios municipales"
    # The share form's themes to tick, too.
    share = open_share_step(client, "where-you-stand", prefix="/es").content.decode()
    ticks = [share.index(name) for name in ("Acceso a servicios", "Confianza", "Pertenencia")]
    assert ticks == sorted(ticks)


# "Denunciar" is what one does at a police station: under an undocumented
# narrator's testimony it reads as "report to the police".
POLICING_WORD = re.compile("denunci", re.IGNORECASE)


def test_spanish_story_and_report_pages_never_say_denunciar(client):
    story = make_published(title="La clínica", language="es")
    pages = [
        f"/es/stories/{story.slug}/",
        f"/es/stories/{story.slug}/report/",
        "/es/report/thanks/",
        "/es/about/moderation/",
        "/es/privacy/",
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        assert not POLICING_WORD.search(response.content.decode()), page
    assert "Señalar un problema con esta historia" in client.get(pages[0]).content.decode()


def test_no_spanish_translation_says_denunciar():
    po = (settings.BASE_DIR / "locale/es/LC_MESSAGES/django.po").read_text()
    translations = re.findall(r'^msgstr(?:\[\d\])? "(.*)"\n((?:".*"\n)*)', po, re.MULTILINE)
    assert translations
    for first, rest in translations:
        assert not POLICING_WORD.search(first + rest), first + rest
