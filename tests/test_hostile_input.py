"""
Generated input (hypothesis) against every form and parameter a stranger can reach:
no answer is a 5xx; bad input gets the form back; good input is stored as typed.

Text is any Unicode HTTP can carry: lone surrogates cannot be encoded in a
request at all, so they are left out; NUL, right-to-left marks, emoji and
20,000-character values are in. What a narrator typed is stored exactly,
apart from the leading and trailing whitespace that Django's forms strip;
there is no Unicode normalisation.
"""

import os
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stories.models import ConsentText, Licence, Perspective, Story, hash_withdrawal_token

from .factories import LONG_BODY, make_published, make_story, post_share, share_data

pytestmark = pytest.mark.django_db

# 40 examples a target on every run; HYPOTHESIS_EXAMPLES=1000 for a deeper search by hand.
EXAMPLES = settings(
    max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", 40)),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Any character HTTP can carry (no lone surrogates), weighted towards the hostile ones.
hostile_text = st.text(
    alphabet=st.one_of(
        st.characters(exclude_categories=["Cs"]),
        st.sampled_from(
            ["\x00", "\u202e", "\u200f", "\ufeff", "<", ">", "&", '"', "'", "\n", "\r"]
        ),
    ),
    max_size=300,
)
long_text = st.builds(lambda text, n: text * n, hostile_text, st.integers(1, 70))
any_value = st.one_of(
    hostile_text, long_text, st.integers().map(str), st.sampled_from(["", "on", "now", "-1"])
)

SHARE_FIELDS = [
    "title", "body", "summary", "perspective", "themes", "suggested_theme", "language",
    "appear", "narrator_name", "narrator_descriptor", "place", "year_happened",
    "content_note", "contact_email", "may_contact", "show_from", "embargo_date", "licence",
    "consent", "consent_version", "submission_id", "website",
]  # fmt: skip


@pytest.fixture(autouse=True)
def generous_limits(settings):
    settings.SHARE_RATE_LIMIT = settings.REPORT_RATE_LIMIT = 100_000


@EXAMPLES
@given(
    fields=st.dictionaries(
        st.sampled_from(SHARE_FIELDS), st.one_of(any_value, st.lists(any_value, max_size=3))
    )
)
def test_anything_posted_to_the_share_form_is_never_a_server_error(client, fields):
    response = post_share(client, fields)
    assert response.status_code in (200, 302, 400), response.status_code


@pytest.mark.parametrize("number", [2**63, -(2**63) - 1, 10**30])
def test_a_perspective_or_theme_number_past_any_database_is_a_form_error(client, number):
    """Found by the property test above: SQLite refused the number with OverflowError, a 500."""
    for field, value in (("perspective", str(number)), ("themes", [str(number)])):
        response = post_share(client, share_data(**{field: value}))
        assert response.status_code == 200
        assert field in response.context["form"].errors


@EXAMPLES
@given(
    title=hostile_text.filter(lambda text: len(text.strip()) >= 3).map(lambda t: t[:200]),
    body=long_text,
    place=hostile_text.map(lambda text: text[:100]),
)
def test_what_a_narrator_typed_is_what_the_moderator_reads(client, title, body, place):
    body = (LONG_BODY + body)[:20_000]
    data = {
        "title": title,
        "body": body,
        "place": place,
        "perspective": str(Perspective.objects.get(slug="immigrants").pk),
        "language": "es",
        "appear": "anonymous",
        "show_from": "now",
        "licence": str(Licence.objects.default().pk),
        "consent": "on",
        "consent_version": ConsentText.objects.current().version,
        "send_anyway": "1",
    }
    before = Story.objects.count()
    response = post_share(client, data)
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        story = Story.objects.order_by("-pk").first()
        assert Story.objects.count() == before + 1
        assert (story.title, story.body, story.place) == (
            title.strip(),
            body.strip(),
            place.strip(),
        )
    else:
        # Refused: NUL characters, or a title of only whitespace; the form says so.
        assert response.context["form"].errors
        assert Story.objects.count() == before


@EXAMPLES
@given(
    query=st.dictionaries(
        st.sampled_from(["q", "perspective", "theme", "language", "year", "page", "zz"]),
        st.one_of(any_value, st.lists(any_value, max_size=3)),
    ),
    prefix=st.sampled_from(["", "/es"]),
    page=st.sampled_from(["/stories/", "/search/", "/perspectives/critics/"]),
)
def test_any_filter_or_search_is_a_normal_page(client, query, prefix, page):
    response = client.get(prefix + page, query)
    assert response.status_code in (200, 404), (page, query, response.status_code)


@EXAMPLES
@given(
    query=st.dictionaries(
        st.sampled_from(["q", "perspective", "theme", "language", "year", "page", "page_size"]),
        st.one_of(any_value, st.lists(any_value, max_size=3)),
    )
)
def test_any_api_parameter_gets_json_and_never_a_server_error(client, query):
    response = client.get("/api/v1/stories/", query)
    assert response.status_code in (200, 400, 404)
    assert response["Content-Type"].startswith("application/json")


@EXAMPLES
@given(
    arguments=st.dictionaries(
        st.sampled_from(["verb", "metadataPrefix", "identifier", "from", "until", "set",
                         "resumptionToken", "other"]),
        st.one_of(any_value, st.sampled_from(["ListRecords", "GetRecord", "oai_dc", "Identify"])),
    )
)  # fmt: skip
def test_any_oai_request_gets_an_oai_answer(client, arguments):
    response = client.get("/oai/", arguments)
    assert response.status_code == 200 and b"<OAI-PMH" in response.content


@EXAMPLES
@given(
    fields=st.dictionaries(
        st.sampled_from(["reason", "details", "email", "website"]),
        st.one_of(any_value, st.sampled_from(["spam", "personal_information"])),
    )
)
def test_anything_posted_to_the_report_form_is_never_a_server_error(client, fields):
    story = Story.objects.published().first() or make_published(title="Reported")
    response = client.post(f"/stories/{story.slug}/report/", fields)
    assert response.status_code in (200, 302, 400)


@EXAMPLES
@given(
    fields=st.dictionaries(
        st.sampled_from(["story", "licence", "other"]),
        st.one_of(any_value, st.lists(any_value, max_size=3)),
    )
)
def test_anything_posted_to_change_a_licence_never_widens_it_or_errs(client, fields):
    """The narrator's private page: a stricter offered licence, or the page with its error."""
    chosen = Licence.objects.default()
    story = Story.objects.order_by("pk").first() or make_story(
        licence=chosen, withdrawal_token_hash=hash_withdrawal_token("a-private-link")
    )
    session = client.session
    session["private_links"] = [story.withdrawal_token_hash]
    session.save()
    response = client.post("/my-story/licence/", {"story": str(story.pk), **fields})
    # 404 (and 429, past the limit on wrong guesses) for a story not of this session.
    assert response.status_code in (302, 400, 404, 429), response.status_code
    story.refresh_from_db()
    assert story.licence.restriction >= chosen.restriction and story.licence.offered


# One past the largest integer SQLite and PostgreSQL can hold (2**63): the page numbers of issue 19.
PAST_ANY_DATABASE = str(2**63)

# Integers of every size, as a stranger types them: hypothesis's own (unbounded), those around
# the databases' 64-bit limit, and strings of digits longer than int() reads (4,300 digits).
# Digit strings start with a digit from 1: the number they name is never below 1.
any_integer = st.one_of(
    st.integers().map(str),
    st.integers(min_value=2**63 - 2, max_value=2**64 + 2).map(str),
    st.builds(
        lambda first, rest: first + rest,
        st.sampled_from("123456789"),
        st.text(alphabet="0123456789", min_size=18, max_size=10_000),
    ),
)


def names_the_first_page(number):
    return number == "1"


@pytest.fixture
def listed(db):
    """A published story on every list a page number can page through, and one to search for."""
    return make_published(title="Police at the clinic", perspective="critics", themes=["legal-aid"])


@pytest.mark.parametrize(
    "address",
    [
        f"/search/?q=police&page={PAST_ANY_DATABASE}",
        f"/es/search/?q=police&page={PAST_ANY_DATABASE}",
        f"/search/?page={PAST_ANY_DATABASE}",
        f"/stories/?page={PAST_ANY_DATABASE}",
        f"/perspectives/critics/?page={PAST_ANY_DATABASE}",
        f"/sitemap-stories.xml?p={PAST_ANY_DATABASE}",
    ],
)
def test_a_page_number_past_any_database_is_the_404_page(client, listed, address):
    assert client.get(address).status_code == 404


@pytest.mark.parametrize(
    "query", [f"q=police&page={PAST_ANY_DATABASE}", f"page={PAST_ANY_DATABASE}"]
)
def test_a_page_number_past_any_database_is_a_json_404_on_the_api(client, listed, query):
    response = client.get(f"/api/v1/stories/?{query}")
    assert response.status_code == 404
    assert response.json()["error"] == {"status": 404, "message": "No such page.", "pages": 1}


@EXAMPLES
@given(
    number=any_integer,
    address=st.sampled_from(
        ["/stories/", "/es/stories/", "/search/", "/search/?q=police", "/es/search/?q=police",
         "/perspectives/critics/", "/sitemap-stories.xml", "/sitemap-themes.xml"]
    ),
)  # fmt: skip
def test_any_page_number_on_a_list_is_that_page_or_a_404(client, listed, number, address):
    name = "p" if address.startswith("/sitemap") else "page"
    joint = "&" if "?" in address else "?"
    response = client.get(f"{address}{joint}{name}={number}")
    assert response.status_code == (200 if names_the_first_page(number) else 404), number


@EXAMPLES
@given(number=any_integer, query=st.sampled_from(["", "q=police", "q=police&language=en"]))
def test_any_page_number_on_the_api_is_that_page_or_a_json_404(client, listed, number, query):
    response = client.get(f"/api/v1/stories/?{query}&page={number}")
    assert response.status_code == (200 if names_the_first_page(number) else 404), number
    assert response["Content-Type"] == "application/json"


@EXAMPLES
@given(
    number=any_integer,
    name=st.sampled_from(["page_size", "year"]),
    query=st.sampled_from(["", "q=police"]),
)
def test_any_number_for_the_api_s_other_parameters_is_the_list_or_a_json_400(
    client, listed, number, name, query
):
    bounds = {"page_size": (1, 100), "year": (1900, 2100)}[name]
    in_bounds = len(number) < 6 and bounds[0] <= int(number) <= bounds[1]
    response = client.get(f"/api/v1/stories/?{query}&{name}={number}")
    assert response.status_code == (200 if in_bounds else 400), number
    assert response["Content-Type"] == "application/json"


@EXAMPLES
@given(number=any_integer, page=st.sampled_from(["/stories/", "/search/?q=police"]))
def test_any_year_on_a_list_is_a_normal_page(client, listed, number, page):
    joint = "&" if "?" in page else "?"
    assert client.get(f"{page}{joint}year={number}").status_code == 200


@EXAMPLES
@given(
    number=any_integer.filter(lambda number: not number.startswith("-")),
    address=st.sampled_from(
        ["/s/{}/", "/s/{}/cite.bib", "/s/{}/cite.ris", "/api/v1/stories/{}/", "/recordings/{}/",
         "/recordings/{}/captions.vtt", "/recordings/{}/chapters.vtt",
         "/recordings/{}/captions.translation.vtt", "/embed/{}/", "/es/embed/{}/",
         "/iiif/{}/manifest.json"]
    ),
)  # fmt: skip
def test_any_story_number_in_an_address_is_found_or_a_404(client, listed, number, address):
    response = client.get(address.format(number))
    # The listed story has no recording: no recording road, no IIIF manifest.
    found = number == str(listed.pk) and not address.startswith(("/recordings/", "/iiif/"))
    assert response.status_code == ((302 if address == "/s/{}/" else 200) if found else 404)


@EXAMPLES
@given(slug=hostile_text, kind=st.sampled_from(["themes", "perspectives"]))
def test_any_name_in_a_iiif_collection_address_is_a_json_404(client, listed, slug, kind):
    # The listed story has no recording: no theme or perspective is a IIIF collection.
    response = client.get(f"/iiif/{kind}/{quote(slug, safe='')}/collection.json")
    assert response.status_code == 404, slug


@EXAMPLES
@given(
    number=any_integer,
    arguments=st.sampled_from(
        [{"verb": "GetRecord", "metadataPrefix": "oai_dc",
          "identifier": "oai:perspectives.example.org:story/{}"},
         {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "perspective:{}"},
         {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "set": "theme:{}"}]
    ),
)  # fmt: skip
def test_any_number_in_an_oai_argument_gets_an_oai_answer(client, listed, number, arguments):
    response = client.get("/oai/", {k: v.format(number) for k, v in arguments.items()})
    assert response.status_code == 200 and b"<OAI-PMH" in response.content


@EXAMPLES
@given(number=any_integer, address=st.sampled_from(["/feeds/stories.rss", "/feeds/stories.atom"]))
def test_a_feed_has_no_pages_and_any_page_number_gets_the_feed(client, listed, number, address):
    assert client.get(f"{address}?page={number}").status_code == 200


@EXAMPLES
@given(
    query=st.dictionaries(
        st.sampled_from(["url", "format", "maxwidth", "maxheight", "other"]),
        st.one_of(
            any_value,
            any_integer,
            st.sampled_from(["json", "xml", "http://testserver/s/1/", "http://testserver/es/"]),
            st.lists(any_value, max_size=3),
        ),
    )
)
def test_any_oembed_request_gets_a_json_answer(client, listed, query):
    response = client.get("/oembed", query)
    assert response.status_code in (200, 400, 404, 501), response.status_code
    assert response["Content-Type"].startswith("application/json")


@EXAMPLES
@given(
    number=any_integer.filter(lambda number: not number.startswith("-")),
    address=st.sampled_from(["/s/{}/", "/embed/{}/", "/es/embed/{}/", "/stories/{}/"]),
    size=any_integer,
)
def test_any_story_number_in_an_oembed_url_is_a_card_or_a_404(
    client, listed, number, address, size
):
    url = "http://testserver" + address.format(number)
    response = client.get("/oembed", {"url": url, "maxwidth": size, "maxheight": size})
    found = number == str(listed.pk) and address != "/stories/{}/"
    assert response.status_code == (200 if found else 404), number
    if found:
        card = response.json()
        if len(size) < 6 and int(size) > 0:
            assert card["width"] <= int(size) and card["height"] <= int(size)
