import datetime
import re
import threading

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from stories.models import ConsentText, Licence, ModerationEvent, Story, Theme
from stories.pages.forms import ShareForm
from stories.pages.share_steps import DRAFT_SESSION_KEY
from stories.safety import limits

from ..factories import (
    LONG_BODY,
    SHARE_URL,
    open_share_step,
    post_share,
    run_at_once,
    share_data,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("step", "fields", "legends"),
    [
        ("story", ("body",), ()),
        ("about-your-story", ("title", "summary", "content_note"), ("Language of your story",)),
        (
            "where-you-stand",
            ("suggested_theme",),
            ("I am speaking as", "What is your story about?"),
        ),
        ("about-you", ("narrator_name", "narrator_descriptor", "place"), ("How do you want",)),
        ("details", ("contact_email",), ("When may your story",)),
        ("check", ("consent",), ()),
    ],
)
def test_every_step_labels_every_field_and_is_never_stored(client, step, fields, legends):
    response = open_share_step(client, step)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    for field in fields:
        assert f'<label for="id_{field}"' in html
    for legend in legends:
        assert f"<legend>{legend}" in html


def test_valid_story_is_saved_pending_and_redirects_to_thanks(client):
    response = post_share(client, share_data())
    assert response.status_code == 302
    assert response["Location"] == reverse("stories:share-thanks")
    story = Story.objects.get()
    assert story.status == Story.Status.PENDING
    assert story.slug is None
    assert story.narrator_name == "Rosa"
    assert story.contact_email == "rosa@private.example.org"
    assert story.consent.version == "2026-12"
    assert story.consent_language == "en"
    assert story.consent_given_at is not None
    assert story.embargo_until is None
    assert not story.may_contact
    assert sorted(story.themes.values_list("slug", flat=True)) == ["belonging", "city-services"]
    assert story.suggested_theme == "Health care"
    assert not Theme.objects.filter(name__iexact="Health care").exists()
    assert story.submitter_hash == limits.client_key(response.wsgi_request)
    assert "127.0.0.1" not in story.submitter_hash
    event = ModerationEvent.objects.get(story=story)
    assert (event.from_status, event.to_status, event.actor) == ("", "pending", None)


def test_thank_you_page_explains_moderation_and_shows_no_story(client):
    response = post_share(client, share_data(title="Unique title xyzzy"), follow=True)
    html = response.content.decode()
    assert "Your story is not public yet" in html
    assert "xyzzy" not in html
    assert "no-store" in response["Cache-Control"]


def test_anonymous_narrator_name_is_kept_only_until_approval(client):
    post_share(
        client,
        share_data(appear="anonymous", narrator_name="Rosa Martinez", send_anyway="1"),
    )
    story = Story.objects.get()
    assert story.is_anonymous
    assert story.display_name == "Anonymous"
    # The moderator's identity shield looks for it in the story...
    assert story.narrator_name == "Rosa Martinez"
    story.approve(by=None)
    # ...and approval erases it.
    story.refresh_from_db()
    assert story.narrator_name == ""


def test_name_or_anonymous_is_required(client):
    response = post_share(client, share_data(narrator_name=""))
    assert response.status_code == 200
    assert "Give the name to show" in response.content.decode()
    assert not Story.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": ""}, "title", "This field is required."),
        ({"body": "Too short."}, "body", "at least 200 characters"),
        ({"body": "x" * 20_001}, "body", "at most 20000 characters"),
        ({"perspective": ""}, "perspective", "This field is required."),
        ({"perspective": "999999"}, "perspective", "Select a valid choice"),
        ({"themes": ["999999"]}, "themes", "Select a valid choice"),
        ({"language": "fr"}, "language", "Select a valid choice"),
        ({"year_happened": "1850"}, "year_happened", "greater than or equal to 1900"),
        ({"year_happened": "2999"}, "year_happened", "less than or equal to"),
        ({"year_happened": "next year"}, "year_happened", "Enter a whole number"),
        ({"contact_email": "not-an-email"}, "contact_email", "Enter a valid email address"),
        ({"consent": None}, "consent", "only publish your story with your consent"),
        ({"title": "Bad\x00title"}, "title", "Null characters are not allowed"),
        ({"body": LONG_BODY * 2 + "\x00"}, "body", "Null characters are not allowed"),
        ({"title": "t" * 201}, "title", "at most 200 characters"),
    ],
)
def test_bad_input_is_shown_beside_its_field_and_nothing_is_saved(
    client, overrides, field, message
):
    response = post_share(client, share_data(**overrides))
    assert response.status_code == 200
    form = response.context["form"]
    assert any(message in error for error in form.errors[field]), form.errors
    html = response.content.decode()
    assert f'id="id_{field}_errors"' in html
    assert "Please check your answers" in html
    assert not Story.objects.exists()
    assert not ModerationEvent.objects.exists()


def test_everything_typed_is_kept_when_the_form_comes_back(client):
    data = share_data(consent=None, place="Boyle Heights <b>east</b>")
    html = post_share(client, data).content.decode()
    assert "The day the clinic stopped asking" in html
    assert "rosa@private.example.org" in html
    assert "Boyle Heights &lt;b&gt;east&lt;/b&gt;" in html
    assert "daughter, Pico-Union" in html


def test_markup_is_stored_as_typed_and_escaped_when_shown_back(client):
    title = '<script>alert("x")</script> & friends'
    post_share(client, share_data(title=title))
    assert Story.objects.get().title == title


def test_invalid_utf8_does_not_cause_a_server_error(client):
    body = b"title=Caf\xe9+sin+papeles&body=" + b"x" * 250 + b"&narrator_name=R\xff&consent=on"
    client.post(SHARE_URL, {"telling": "write"})
    for step in ("story", "about-your-story", "about-you", "check"):
        response = client.generic(
            "POST", f"/share/{step}/", body, content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code in (200, 302)


def test_oversized_post_gets_a_400_page(client):
    response = post_share(client, share_data(body="x" * (2 * 1024 * 1024)))
    assert response.status_code == 400
    assert "could not read what was sent" in response.content.decode()
    assert not Story.objects.exists()


def test_filled_honeypot_is_quietly_discarded(client):
    response = post_share(client, share_data(website="http://spam.example"))
    assert response.status_code == 302
    assert response["Location"] == reverse("stories:share-thanks")
    assert not Story.objects.exists()


def test_rate_limit_answers_429_and_saves_nothing_more(client, settings):
    settings.SHARE_RATE_LIMIT = 5
    for n in range(5):
        assert post_share(client, share_data(title=f"Story {n}")).status_code == 302
    response = post_share(client, share_data(title="One too many"))
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "try again in" in response.content.decode()
    assert Story.objects.count() == 5


def test_rate_limit_is_per_client(client, settings):
    settings.SHARE_RATE_LIMIT = 1
    assert post_share(client, share_data(), REMOTE_ADDR="203.0.113.1").status_code == 302
    assert post_share(client, share_data(), REMOTE_ADDR="203.0.113.1").status_code == 429
    assert post_share(client, share_data(), REMOTE_ADDR="203.0.113.2").status_code == 302


def test_ipv6_clients_in_one_64_share_a_limit(client, settings):
    settings.SHARE_RATE_LIMIT = 1
    assert post_share(client, share_data(), REMOTE_ADDR="2001:db8:1:2::1").status_code == 302
    assert post_share(client, share_data(), REMOTE_ADDR="2001:db8:1:2::ff").status_code == 429
    assert post_share(client, share_data(), REMOTE_ADDR="2001:db8:1:3::1").status_code == 302


def test_invalid_posts_do_not_use_up_the_limit(client, settings):
    settings.SHARE_RATE_LIMIT = 1
    for _ in range(3):
        assert post_share(client, share_data(consent=None)).status_code == 200
    assert post_share(client, share_data()).status_code == 302


def post_concurrently(posts):
    """Send each (address, data) post from its own thread and connection at once."""
    from django.test import Client

    statuses = []
    lock = threading.Lock()

    def send(n):
        address, data = posts[n]
        status = post_share(Client(), data, REMOTE_ADDR=address).status_code
        with lock:
            statuses.append((address, status))

    assert run_at_once(send, len(posts)) == []
    return statuses


def test_concurrent_posts_from_one_client_cannot_exceed_the_limit(
    seeded_transactional_db, settings
):
    settings.SHARE_RATE_LIMIT = 3
    data = share_data()
    statuses = post_concurrently([("198.51.100.7", data)] * 8)
    assert sorted(status for _, status in statuses) == [302] * 3 + [429] * 5
    assert Story.objects.count() == 3
    assert ModerationEvent.objects.count() == 3


def test_concurrent_clients_are_limited_separately(seeded_transactional_db, settings):
    settings.SHARE_RATE_LIMIT = 2
    data = share_data()
    posts = [("198.51.100.1", data)] * 4 + [("198.51.100.2", data)] * 4
    statuses = post_concurrently(posts)
    for address in ("198.51.100.1", "198.51.100.2"):
        mine = sorted(status for a, status in statuses if a == address)
        assert mine == [302, 302, 429, 429]
    assert Story.objects.count() == 4


def test_broken_multipart_body_gets_a_400(client):
    response = client.generic(
        "POST",
        SHARE_URL,
        b'--nope\r\nContent-Disposition: form-data; name="title"\r\n\r\nx',
        content_type="multipart/form-data; boundary=",
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    "query",
    [
        "perspective=%00",
        "theme=%00",
        "language=%00",
        "year=%00",
        "perspective=x&perspective=y&theme=" + "a" * 5000,
        "page=%00",
        "page=-1",
    ],
)
def test_hostile_filter_values_never_cause_a_server_error(client, query):
    response = client.get(f"/stories/?{query}")
    assert response.status_code in (200, 404)


def consent_given():
    """The last step's answers as a browser posts them: the licence selected first, the consent."""
    return {
        "licence": str(Licence.objects.default().pk),
        "consent": "on",
        "consent_version": ConsentText.objects.current().version,
    }


def send_again(client, submission_id):
    """The last step's Send, posted again: a double click, or a reload of the post."""
    return client.post("/share/check/", {"submission_id": submission_id, "send": "1"})


def test_the_same_form_sent_twice_makes_one_story_and_the_same_thank_you_page(client):
    submission_id = open_share_step(client, "check").context["draft"].submission_id
    first = post_share(client, share_data())
    again = send_again(client, submission_id)
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"] == "/share/thanks/"
    assert Story.objects.count() == 1
    assert Story.objects.get().events.count() == 1
    # Another form (another draft) is another story.
    post_share(client, share_data())
    assert Story.objects.count() == 2


def test_a_second_send_does_not_use_up_the_rate_limit(client, settings):
    settings.SHARE_RATE_LIMIT = 1
    submission_id = open_share_step(client, "check").context["draft"].submission_id
    post_share(client, share_data())
    assert send_again(client, submission_id).status_code == 302  # not 429: the same story
    assert Story.objects.count() == 1


def test_a_send_racing_another_of_the_same_form_is_told_it_was_sent(client, monkeypatch):
    from stories.pages import share_check

    open_share_step(client, "check")
    session = client.session
    draft = session[DRAFT_SESSION_KEY]
    post_share(client, share_data())
    # As if the other request had not yet committed when this one looked: it still
    # finds the draft, and no story made from it.
    session = client.session
    session[DRAFT_SESSION_KEY] = draft
    session.save()
    monkeypatch.setattr(share_check, "was_submitted", lambda submission_id: False)
    response = client.post("/share/check/", {**consent_given(), "send": "1"})
    assert response.status_code == 302 and response["Location"] == "/share/thanks/"
    assert Story.objects.count() == 1


def test_a_ten_megabyte_body_of_form_fields_is_refused_at_once(client):
    body = "title=" + "x" * (10 * 1024 * 1024)
    response = client.generic(
        "POST", "/share/", body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert not Story.objects.exists()


def test_the_same_form_sent_at_once_from_six_connections_makes_one_story(
    seeded_transactional_db, settings
):
    from django.test import Client

    settings.SHARE_RATE_LIMIT = 10
    narrator = Client(REMOTE_ADDR="198.51.100.9")
    open_share_step(narrator, "check")
    cookie = narrator.cookies[settings.SESSION_COOKIE_NAME].value
    statuses = []

    def send(n):
        connection = Client(REMOTE_ADDR="198.51.100.9")
        connection.cookies[settings.SESSION_COOKIE_NAME] = cookie
        statuses.append(connection.post("/share/check/", {**consent_given(), "send": "1"}))

    assert run_at_once(send, 6) == []
    assert [response.status_code for response in statuses] == [302] * 6
    assert Story.objects.count() == 1
    assert ModerationEvent.objects.count() == 1


def test_a_story_the_database_cannot_take_is_shown_back_never_a_500(client, monkeypatch):
    from django.db import OperationalError

    from stories import services

    def database_away(*args, **kwargs):
        raise OperationalError("connection refused (the test's outage)")

    monkeypatch.setattr(services.Story.objects, "create", database_away)
    data = share_data(body="Mi historia, palabra por palabra. " * 10)
    response = post_share(client, data, prefix="/es")
    page = response.content.decode()
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert "Su historia no se guardó" in page
    assert "Mi historia, palabra por palabra." in page and "The day the clinic" in page
    assert "rosa@private.example.org" not in page  # their words, not their private details
    assert "no-store" in response["Cache-Control"]
    assert not Story.objects.exists()


@pytest.mark.parametrize("prefix", ["", "/es"])
def test_embargo_date_help_claims_no_format_and_the_date_inputs_value_is_taken(client, prefix):
    # An <input type="date"> shows dates in the browser's own format (mm/dd/yyyy
    # in a US browser): a help text naming a format would contradict it.
    html = open_share_step(client, "details", prefix=prefix).content.decode()
    help_text = re.search(r'<p class="help" id="id_embargo_date_help">(.*?)</p>', html).group(1)
    assert not re.search("YYYY|AAAA|MM|DD", help_text)
    assert re.search(r'<input type="date" name="embargo_date"', html)
    # What the date input sends, whatever it shows: the ISO date.
    response = post_share(
        client, share_data(show_from="later", embargo_date="2031-05-04"), prefix=prefix
    )
    assert response.status_code == 302
    assert timezone.localtime(Story.objects.get().embargo_until).date() == datetime.date(2031, 5, 4)


def test_embargo_date_is_written_back_as_the_iso_date_a_date_input_reads():
    # A date input drops any other value, such as Spanish 04/05/2031.
    with translation.override("es"):
        form = ShareForm(
            initial={"embargo_date": datetime.date(2031, 5, 4)},
            consent=ConsentText.objects.current(),
        )
        assert 'value="2031-05-04"' in str(form["embargo_date"])
