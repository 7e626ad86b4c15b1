"""
The share form's steps: the first choice, the draft in the session, Back, the
order of the steps, and when a draft is erased.
"""

import re
import time

import pytest

from stories.models import Recording, Story
from stories.pages.share_steps import DRAFT_HOURS, DRAFT_SESSION_KEY, STEPS

from ..factories import SHARE_URL, open_share_step, post_share, share_data, wav_upload

pytestmark = pytest.mark.django_db


def posted_step(client, slug, data, **actions):
    step = next(step for step in STEPS if step.slug == slug)
    answers = {name: data[name] for name in step.fields if name in data}
    return client.post(f"/share/{slug}/", {**answers, **actions})


def test_the_first_page_offers_record_and_write_as_equal_choices(client):
    html = client.get(SHARE_URL).content.decode()
    choices = re.findall(
        r'<button type="submit" name="telling" value="(\w+)" class="([^"]+)"', html
    )
    assert choices == [("record", "choice-card"), ("write", "choice-card")]
    assert "Record it" in html and "Write it" in html
    spanish = client.get(f"/es{SHARE_URL}").content.decode()
    assert "Grabarla" in spanish and "Escribirla" in spanish
    assert DRAFT_SESSION_KEY not in client.session  # nothing is kept before a choice


@pytest.mark.parametrize(
    ("telling", "shown", "not_shown"),
    [
        ("record", "data-recorder", "data-count-for"),
        ("write", "data-count-for", "data-recorder"),
    ],
)
def test_the_choice_opens_the_first_step_in_that_way(client, telling, shown, not_shown):
    response = client.post(SHARE_URL, {"telling": telling})
    assert response.status_code == 302 and response["Location"] == "/share/story/"
    html = client.get("/share/story/").content.decode()
    assert "Step 1 of 6" in html and shown in html and not_shown not in html


def test_the_other_way_is_one_button_away_and_keeps_what_was_typed(client):
    client.post(SHARE_URL, {"telling": "write"})
    client.post("/share/story/", {"body": "Kept words.", "telling": "record"})
    html = client.get("/share/story/").content.decode()
    assert "data-recorder" in html and "Kept words." in html


def test_a_step_cannot_be_opened_before_the_ones_before_it(client):
    assert client.get("/share/details/")["Location"] == SHARE_URL  # no draft at all
    client.post(SHARE_URL, {"telling": "write"})
    assert client.get("/share/details/")["Location"] == "/share/story/"
    assert client.get("/share/check/")["Location"] == "/share/story/"
    posted_step(client, "story", share_data(), next="")
    assert client.get("/share/details/")["Location"] == "/share/about-your-story/"
    assert client.get("/share/no-such-step/").status_code == 404


def test_continue_checks_only_this_steps_answers(client):
    client.post(SHARE_URL, {"telling": "write"})
    open_share_step(client, "about-your-story")
    response = posted_step(client, "about-your-story", share_data(title=""), next="")
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"title"}  # not the perspective, not consent
    assert '<a href="#id_title">' in response.content.decode()


def test_back_keeps_what_was_typed_even_with_an_error(client):
    data = share_data()
    open_share_step(client, "about-you", data)
    response = posted_step(
        client, "about-you", {**data, "place": "Boyle Heights", "year_happened": "soon"}, back=""
    )
    assert response["Location"] == "/share/where-you-stand/"
    html = client.get("/share/about-you/").content.decode()
    assert 'value="Boyle Heights"' in html and 'value="soon"' in html
    # The step before it still shows its own answers.
    html = client.get("/share/where-you-stand/").content.decode()
    assert 'value="Health care"' in html


def test_the_check_step_lists_every_answer_with_a_link_to_change_it(client):
    html = open_share_step(client, "check").content.decode()
    for label, value, step in (
        ("Title", "The day the clinic stopped asking", "about-your-story"),
        ("Your story", f"{len(share_data()['body'].strip())} characters", "story"),
        ("I am speaking as", "Immigrants", "where-you-stand"),
        ("Suggest a theme that is missing", "Health care", "where-you-stand"),
        ("Email (private)", "rosa@private.example.org", "details"),
    ):
        row = re.search(
            rf"<dt>{re.escape(label)}.*?</dt>\s*<dd[^>]*>(.*?)</dd>\s*<dd[^>]*>"
            r'<a href="([^"]+)"',
            html,
            re.S,
        )
        assert row, label
        assert value in row.group(1) and row.group(2) == f"/share/{step}/"
    assert "(private)" in html  # the email and the suggestion are never shown to readers
    # Opened, not sent: the consent not yet given is not an error.
    assert "Please check your answers" not in html


def test_a_sent_story_erases_the_draft_and_the_session_keeps_nothing_of_it(client):
    post_share(client, share_data())
    assert Story.objects.count() == 1
    assert DRAFT_SESSION_KEY not in client.session
    assert client.get("/share/check/")["Location"] == SHARE_URL


def test_start_again_erases_the_draft_and_its_recording(client):
    open_share_step(client, "where-you-stand", {**share_data(), "recording": wav_upload()})
    assert Recording.objects.count() == 1
    html = client.get(SHARE_URL).content.decode()
    assert "You have a story in progress" in html
    assert 'href="/share/where-you-stand/"' in html  # go on where it was left
    client.post(SHARE_URL, {"start_again": "1"})
    assert DRAFT_SESSION_KEY not in client.session
    assert not Recording.objects.exists()
    assert "You have a story in progress" not in client.get(SHARE_URL).content.decode()


def test_a_draft_older_than_its_hours_is_gone(client):
    open_share_step(client, "details")
    session = client.session
    session[DRAFT_SESSION_KEY]["begun"] = time.time() - DRAFT_HOURS * 3600 - 1
    session.save()
    assert client.get("/share/details/")["Location"] == SHARE_URL
    assert DRAFT_SESSION_KEY not in client.session


def test_the_draft_ends_with_the_browser(client):
    client.post(SHARE_URL, {"telling": "write"})
    assert client.session.get_expire_at_browser_close()


def test_a_step_posted_after_the_draft_was_lost_keeps_what_it_carried(client):
    response = client.post("/share/details/", {"contact_email": "me@example.org"})
    assert response["Location"] == "/share/story/"
    html = client.get("/share/story/").content.decode()
    assert "Your earlier answers were not kept" in html
    html = client.get("/share/story/").content.decode()
    assert "Your earlier answers were not kept" not in html  # said once
    assert client.session[DRAFT_SESSION_KEY]["data"]["contact_email"] == ["me@example.org"]


def test_the_draft_never_leaves_the_server(client):
    response = open_share_step(client, "check")
    for cookie in response.cookies.values():
        assert "clinic" not in cookie.value
    for step in STEPS:
        page = client.get(f"/share/{step.slug}/")
        assert "no-store" in page["Cache-Control"]
        assert "clinic" not in page.get("Location", "")


def test_the_voice_is_asked_on_about_you_only_with_a_recording(client):
    without = open_share_step(client, "about-you").content.decode()
    assert 'name="voice"' not in without
    with_recording = {**share_data(), "recording": wav_upload()}
    html = open_share_step(client, "about-you", with_recording).content.decode()
    assert 'name="voice"' in html
    response = posted_step(client, "about-you", {**with_recording, "voice": ""}, next="")
    assert "voice" in response.context["form"].errors


@pytest.mark.parametrize("telling", ["record", "write"])
def test_the_enter_key_continues_and_never_changes_how_the_story_is_told(client, telling):
    for step in STEPS[:-1]:
        html = open_share_step(client, step.slug, telling=telling).content.decode()
        form = html[html.index('id="share-form"') :]
        first_button = re.search(r"<button [^>]*>", form).group()
        assert 'name="next"' in first_button, (step.slug, first_button)


def test_the_answers_follow_the_order_of_the_steps(client):
    answers = open_share_step(client, "check").context["answers"]
    numbers = [answer.step.number for answer in answers]
    assert numbers == sorted(numbers) and len(set(numbers)) == 4, numbers
