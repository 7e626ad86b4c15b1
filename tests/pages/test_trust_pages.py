"""The About page, the page on requests for data, the Data page, and the reuse terms and
feed links they lead to: what readers are told, in both languages, and nothing more."""

import datetime
import re

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction
from django.utils.html import escape
from django.utils.text import capfirst

from stories.models import ArchiveStatement, DataRequest
from stories.safety import privacy

from ..factories import make_published

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script> & <b>bold</b>'


def text_of(response):
    assert response.status_code == 200
    return response.content.decode()


def test_a_fresh_install_shows_an_honest_about_page_before_anyone_writes_it(client):
    assert not ArchiveStatement.objects.exists()
    page = text_of(client.get("/about/"))
    assert "has not yet written who they are" in page
    # And a default policy that says it is a sample to be reviewed.
    requests_page = text_of(client.get("/about/requests/"))
    assert "This is a sample policy" in requests_page
    assert "We ask for a court order" in requests_page
    assert "Esta es una política de ejemplo" in text_of(client.get("/es/about/requests/"))


def test_the_statement_is_one_row_however_often_it_is_saved():
    ArchiveStatement(who_runs="First").save()
    ArchiveStatement(who_runs="Second").save()
    assert list(ArchiveStatement.objects.values_list("pk", "who_runs")) == [(1, "Second")]
    assert ArchiveStatement.current().who_runs == "Second"


def test_spanish_readers_read_the_spanish_text_and_english_where_none_was_written(client):
    ArchiveStatement(
        who_runs="The Eastside Library runs it.",
        who_runs_es="La Biblioteca del Eastside lo administra.",
        press="Press: call the library.",
        press_es="",
        contact_email="archive@library.example.org",
    ).save()
    english = text_of(client.get("/about/"))
    spanish = text_of(client.get("/es/about/"))
    assert "The Eastside Library runs it." in english
    assert "La Biblioteca del Eastside lo administra." in spanish
    assert "The Eastside Library" not in spanish
    # No Spanish press text: the English one, marked as English for screen readers.
    assert re.search(r'<div lang="en"><p>Press: call the library.</p></div>', spanish)
    for page in (english, spanish):
        assert 'href="mailto:archive@library.example.org"' in page
    # Funders were left empty: no empty section.
    assert 'id="funders-heading"' not in english


def test_administrators_text_is_shown_as_plain_text_never_as_html(client):
    ArchiveStatement(
        who_runs=f"{HOSTILE}\n\nSecond paragraph",
        who_runs_es=HOSTILE,
        funders=HOSTILE,
        requests_policy=HOSTILE,
        requests_policy_es=HOSTILE,
        # Not checked on save (only the admin's form checks an address): escaped all the same.
        contact_email='a@example.org"><script>alert(1)</script>',
    ).save()
    for url in ("/about/", "/es/about/", "/about/requests/", "/es/about/requests/"):
        page = text_of(client.get(url))
        assert "<script>alert" not in page and "<b>bold" not in page, url
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page, url
    about = text_of(client.get("/about/"))
    assert "<p>Second paragraph</p>" in about
    assert 'href="mailto:a@example.org&quot;&gt;&lt;script&gt;' in about


def test_the_requests_page_counts_by_year_and_kind_and_shows_nothing_else(client):
    for day, requester, outcome in [
        ("2025-02-01", "police", "refused"),
        ("2025-05-01", "police", "refused"),
        ("2025-06-01", "immigration", "nothing_held"),
        ("2026-01-10", "court", "challenged"),
    ]:
        DataRequest.objects.create(
            received_on=datetime.date.fromisoformat(day),
            requester=requester,
            outcome=outcome,
            notes="zqdatarequestnote: story 12, narrator Rosa",
        )
    assert DataRequest.objects.counts() == [
        (2026, [("Court", "Challenged in court", 1)]),
        (
            2025,
            [("Police", "Refused", 2), ("Immigration authority", "We held nothing asked for", 1)],
        ),
    ]
    page = text_of(client.get("/about/requests/"))
    assert "4 requests in all" in page
    assert "zqdatarequestnote" not in page and "Rosa" not in page
    assert "fictional sample requests" not in page  # none of them is a sample
    spanish = text_of(client.get("/es/about/requests/"))
    assert "Autoridad de inmigración" in spanish and "Impugnada ante un tribunal" in spanish


def test_the_privacy_page_leads_to_the_requests_page(client):
    for prefix in ("", "/es"):
        assert f'href="{prefix}/about/requests/"' in text_of(client.get(f"{prefix}/privacy/"))


def test_with_no_request_the_page_says_so(client):
    assert "We have received no request for data." in text_of(client.get("/about/requests/"))


def test_the_requests_page_lists_every_private_field_the_privacy_table_holds(client):
    page = text_of(client.get("/about/requests/"))
    for name in privacy.NARRATOR_MODELS:
        model = apps.get_model("stories", name)
        for field_name, field in privacy.fields_of(name).items():
            if field.visibility == privacy.PRIVATE and field.erasure != privacy.NUMBER:
                label = capfirst(str(model._meta.get_field(field_name).verbose_name))
                assert escape(label) in page, f"{name}.{field_name}"
    # The private link is held as a hash only, and the page says so on its row.
    row = re.search(r"Withdrawal token \(hash\)</th><td>([^<]*)</td>", page)
    assert row and row.group(1) == "a one-way code only"
    row = re.search(r"Contact email</th><td>([^<]*)</td>", page)
    assert row and row.group(1) == "as given"


def test_every_example_on_the_data_page_works(client):
    story = make_published(title="An example story", themes=["public-safety"])
    for prefix in ("", "/es"):
        page = text_of(client.get(f"{prefix}/data/"))
        assert 'id="reuse"' in page
        links = set(re.findall(r'href="(/(?:api|export|feeds|oai|s/|sitemap)[^"]*)"', page))
        assert f"/s/{story.pk}/" in links and f"/s/{story.pk}/cite.bib" in links
        assert "/oai/?verb=Identify" in links
        assert {"/api/v1/", "/export/stories.csv", "/sitemap.xml"} <= links
        assert len(links) >= 15
        for link in links:
            response = client.get(link.replace("&amp;", "&"), follow=True)
            assert response.status_code == 200, link
            if link.startswith("/oai/"):
                assert b"<error" not in response.content, link


def test_the_data_page_without_any_story_links_nothing_broken(client):
    page = text_of(client.get("/data/"))
    assert "/s/" not in page


def test_the_reuse_terms_name_the_about_contact(client):
    ArchiveStatement(contact_email="ask@library.example.org").save()
    page = text_of(client.get("/data/"))
    reuse = page[page.index('id="reuse"') :]
    assert 'href="mailto:ask@library.example.org"' in reuse
    assert "/about/#contact-heading" in reuse


def test_every_story_page_links_its_reuse_terms(client):
    story = make_published(title="A story with terms")
    for prefix in ("", "/es"):
        page = text_of(client.get(f"{prefix}{story.get_absolute_url()}"))
        assert f'href="{prefix}/data/#reuse"' in page


@pytest.mark.parametrize(
    ("address", "feeds", "words"),
    [
        ("/perspectives/critics/", "/feeds/perspectives/critics", "new stories from Critics:"),
        ("/es/perspectives/critics/", "/feeds/perspectives/critics", "nuevas de Críticos:"),
        ("/themes/public-safety/", "/feeds/themes/public-safety", "new stories on Public safety:"),
        ("/es/themes/public-safety/", "/feeds/themes/public-safety", "nuevas sobre Seguridad"),
    ],
)
def test_perspective_and_theme_pages_show_their_feeds_as_links(client, address, feeds, words):
    # Not "page": that name is Playwright's browser page, and would tie this test to a browser.
    make_published(perspective="critics", themes=["public-safety"])
    html = text_of(client.get(address))
    visible = html[html.index('class="feed-links"') :].split("</p>")[0]
    assert words in visible
    for extension in ("rss", "atom"):
        assert f'href="{feeds}.{extension}"' in visible
        assert client.get(f"{feeds}.{extension}").status_code == 200


def test_the_footer_links_every_page_about_the_archive(client):
    footer = text_of(client.get("/"))
    footer = footer[footer.index("<footer") :]
    for url in ("/about/", "/about/requests/", "/privacy/", "/about/moderation/", "/data/"):
        assert f'href="{url}"' in footer
        assert client.get(url).status_code == 200


def test_a_request_is_of_a_known_kind_with_a_known_outcome():
    for fields in ({"requester": "journalist"}, {"requester": "police", "outcome": "sold"}):
        with pytest.raises(IntegrityError), transaction.atomic():
            DataRequest.objects.create(received_on=datetime.date(2026, 1, 1), **fields)


def test_the_sitemap_lists_the_pages_about_the_archive_in_both_languages(client):
    sitemap = client.get("/sitemap-pages.xml").content.decode()
    for path in ("/about/", "/about/requests/", "/data/"):
        assert f"<loc>http://testserver{path}</loc>" in sitemap
        assert f'href="http://testserver/es{path}"' in sitemap
