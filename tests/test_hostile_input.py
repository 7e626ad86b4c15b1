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

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stories.models import ConsentText, Perspective, Story

from .conftest import LONG_BODY, make_published

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
    "narrator_name", "stay_anonymous", "narrator_descriptor", "place", "year_happened",
    "content_note", "contact_email", "may_contact", "show_from", "embargo_date", "consent",
    "consent_version", "submission_id", "website",
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
    response = client.post("/share/", fields)
    assert response.status_code in (200, 302, 400), response.status_code


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
        "stay_anonymous": "on",
        "show_from": "now",
        "consent": "on",
        "consent_version": ConsentText.objects.current().version,
        "send_anyway": "1",
    }
    before = Story.objects.count()
    response = client.post("/share/", data)
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
