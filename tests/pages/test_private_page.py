"""
The narrator's private page: the private link used once as an address, the
status in plain words, withdrawing, asking for a correction, the card to
keep, the rejection note and the decision notice by email.
"""

import datetime
import io
import json
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from stories.models import ModerationEvent, Story, hash_withdrawal_token
from stories.models.notices import NOTICE_RETRY_DAYS
from stories.search import results

from ..factories import LONG_BODY, PHONE, open_share_step, post_share, share_data, wav_upload
from ..readers import (
    confirm_on,
    open_confirmation,
    open_link,
    post_form_on,
    submitted_with_link,
    withdrawal_link_on,
)

pytestmark = pytest.mark.django_db


def send(client, data, prefix=""):
    return post_share(client, prefix=prefix, data=data, follow=True)


# --- The thank-you page and the link ---


def test_thank_you_page_gives_the_private_link_once_and_stores_only_its_hash(client):
    response = send(client, share_data())
    link, token = withdrawal_link_on(response)
    assert link == f"http://testserver/my-story/{token}/"
    for url, _status in response.redirect_chain:
        assert token not in url
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "same-origin"
    html = response.content.decode()
    assert "data-copy=" in html and "js/copy-link.js" in html  # the Copy button, for scripts
    assert 'href="/my-story/card.svg"' in html
    story = Story.objects.get()
    assert story.withdrawal_token_hash == hash_withdrawal_token(token)
    assert token not in {str(value) for value in Story.objects.values().get().values()}
    again = client.get("/share/thanks/").content.decode()
    assert token not in again
    assert "Your link was shown once" in again


def test_the_spanish_thank_you_page_gives_a_spanish_private_link(client):
    link, token = withdrawal_link_on(send(client, share_data(language="es"), prefix="/es"))
    assert link == f"http://testserver/es/my-story/{token}/"


def test_the_private_link_is_emailed_when_the_narrator_gave_an_address(client):
    response = send(client, share_data(language="es"), prefix="/es")
    _link, token = withdrawal_link_on(response)
    (message,) = mail.outbox
    assert message.to == ["rosa@private.example.org"]
    assert f"/es/my-story/{token}/" in message.body
    assert "página privada" in message.subject
    assert "clinic" not in message.body  # nothing of the story itself


def test_a_mail_server_that_is_down_loses_nothing(client, settings, caplog):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    response = send(client, share_data())
    _link, token = withdrawal_link_on(response)
    assert Story.objects.count() == 1
    assert "Could not email story" in caplog.text
    assert "rosa@private.example.org" not in caplog.text and token not in caplog.text


def test_no_email_without_an_address(client):
    send(client, share_data(contact_email=""))
    assert mail.outbox == []


@pytest.mark.parametrize("prefix", ["", "/es"])
@pytest.mark.parametrize("address", ["my-story", "withdraw"])
def test_the_link_is_used_once_as_an_address_then_the_token_lives_in_the_session(
    client, prefix, address
):
    """The private link, and the withdrawal link emailed before it existed, lead to one page."""
    _story, token = submitted_with_link(Client())
    opened = client.get(f"{prefix}/{address}/{token}/")  # from the email, say
    assert opened.status_code == 302
    assert opened["Location"] == f"{prefix}/my-story/"
    assert "no-store" in opened["Cache-Control"]
    assert opened["Referrer-Policy"] == "no-referrer"
    assert token not in opened.content.decode()

    page = client.get(opened["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert ("Página privada de su historia" if prefix else "Your story's private page") in html
    assert token not in html
    assert "no-store" in page["Cache-Control"]
    assert page["Referrer-Policy"] == "same-origin"
    assert token not in json.dumps(dict(client.session))  # a hash of it, as in the database
    assert client.session.get_expire_at_browser_close()
    # No address the page leads to carries the token.
    for href in re.findall(r'(?:href|action|src)="([^"]+)"', html):
        assert token not in href


def test_the_card_holds_the_link_and_a_qr_code_and_only_this_session_gets_it(client):
    response = send(client, share_data())
    link, token = withdrawal_link_on(response)
    card = client.get("/my-story/card.svg")
    assert card.status_code == 200
    assert card["Content-Type"] == "image/svg+xml"
    assert "attachment" in card["Content-Disposition"]
    assert "no-store" in card["Cache-Control"]
    svg = card.content.decode()
    assert "".join(re.findall(r">([^<]*)</text>", svg)).count(token[:20]) == 1
    assert "<path" in svg  # the QR code
    assert token in "".join(re.findall(r'font-family="monospace"[^>]*>([^<]*)<', svg))
    assert Client().get("/my-story/card.svg").status_code == 404  # another browser


def test_the_card_is_gone_once_its_time_is_up(client, monkeypatch):
    send(client, share_data())
    import time

    later = time.time() + 3601
    monkeypatch.setattr(time, "time", lambda: later)
    assert client.get("/my-story/card.svg").status_code == 404


# --- The status, in plain words ---


def status_page(client, token, prefix=""):
    response = open_link(client, token, prefix)
    assert response.status_code == 200
    return response.content.decode()


def test_a_pending_story_is_waiting_with_the_usual_time(client):
    _story, token = submitted_with_link(client)
    html = status_page(client, token)
    assert "waiting for review" in html and "about a week" in html
    assert "Ask for a correction" in html and "Withdraw my story" in html
    assert "esperando revisión" in status_page(client, token, "/es")


def test_a_published_story_links_to_its_page(client, moderator):
    story, token = submitted_with_link(client)
    story.approve(by=moderator)
    html = status_page(client, token)
    assert "Status: published" in html
    assert f'href="{story.get_absolute_url()}"' in html
    assert f'href="/es{story.get_absolute_url()}"' in status_page(client, token, "/es")


def test_an_approved_story_under_an_embargo_says_when(client, moderator):
    story, token = submitted_with_link(client, show_from="later", embargo_date="2031-05-04")
    story.approve(by=moderator)
    html = status_page(client, token)
    assert "approved, not shown yet" in html and "2031" in html
    assert story.get_absolute_url() not in html


def test_a_declined_story_gives_the_reason_in_plain_words_and_the_note(client, moderator):
    story, token = submitted_with_link(client)
    story.reject(
        by=moderator,
        reason="not_first_hand",
        note="Zqmoderatorsonly: reads like a news article",
        note_to_narrator="Please tell us what you saw yourself, and send it again.",
    )
    html = status_page(client, token)
    assert "Status: not published" in html
    assert "what people lived or saw themselves" in html
    assert "Please tell us what you saw yourself" in html
    assert "Zqmoderatorsonly" not in html  # the moderators' own note stays theirs
    assert "Withdraw my story" not in html  # a rejected story cannot be withdrawn
    spanish = status_page(client, token, "/es")
    assert "no publicada" in spanish and "vivieron o vieron" in spanish


def test_a_declined_story_without_a_note_shows_only_the_reason(client, moderator):
    story, token = submitted_with_link(client)
    story.reject(by=moderator, reason="other", note="Zqmoderatorsonly")
    html = status_page(client, token)
    assert "The moderator had another reason." in html
    assert "wrote to you" not in html and "Zqmoderatorsonly" not in html


def test_withdrawing_from_the_private_page(client):
    story, token = submitted_with_link(client)
    confirm = open_confirmation(client, token)
    assert confirm.status_code == 200
    assert "It will never be published" in confirm.content.decode()
    assert "no-store" in confirm["Cache-Control"]
    assert confirm["Referrer-Policy"] == "same-origin"
    story.refresh_from_db()
    assert story.status == Story.Status.PENDING  # a visit alone changes nothing

    done = confirm_on(client, confirm)
    assert done.request["PATH_INFO"] == "/my-story/"
    assert "Status: withdrawn" in done.content.decode()
    story.refresh_from_db()
    assert story.status == Story.Status.WITHDRAWN
    event = story.events.last()
    assert (event.from_status, event.to_status, event.actor) == ("pending", "withdrawn", None)
    # The link still says "withdrawn", and offers nothing more, until the text is erased.
    html = status_page(client, token)
    assert "Status: withdrawn" in html and "Withdraw my story" not in html
    assert client.get("/my-story/withdraw/").status_code == 302  # nothing left to confirm
    story.withdrawn_at = timezone.now() - datetime.timedelta(days=31)
    Story.objects.filter(pk=story.pk).update(withdrawn_at=story.withdrawn_at)
    call_command("purge_private_data", stdout=io.StringIO())
    assert open_link(client, token).status_code == 404


def test_the_confirmation_is_protected_from_forgery_and_its_own_form_passes(client):
    story, token = submitted_with_link(client)
    browser = Client(enforce_csrf_checks=True)
    confirm = open_confirmation(browser, token)
    forged = browser.post("/my-story/withdraw/", {"story": story.pk})
    assert forged.status_code == 403
    assert confirm_on(browser, confirm).status_code == 200
    story.refresh_from_db()
    assert story.status == Story.Status.WITHDRAWN


def test_two_links_opened_in_one_browser_each_withdraw_the_story_its_page_showed(client):
    _link, first_token = withdrawal_link_on(send(client, share_data(title="Zqfirst story")))
    _link, second_token = withdrawal_link_on(send(client, share_data(title="Zqsecond story")))
    first_page = open_confirmation(client, first_token)
    second_page = open_confirmation(client, second_token)
    assert "Zqfirst" in first_page.content.decode()
    assert "Zqsecond" in second_page.content.decode()
    assert "Zqsecond" in client.get("/my-story/").content.decode()  # the latest link opened

    confirm_on(client, first_page)  # the first tab, still open
    first, second = Story.objects.order_by("pk")
    assert (first.status, second.status) == (Story.Status.WITHDRAWN, Story.Status.PENDING)
    assert "Zqsecond" in client.get("/my-story/withdraw/").content.decode()
    confirm_on(client, second_page)
    assert Story.objects.filter(status=Story.Status.WITHDRAWN).count() == 2


def test_withdrawing_a_published_story_takes_it_off_every_road(client, moderator):
    story, token = submitted_with_link(client, title="Zqgone story")
    story.approve(by=moderator)
    assert client.get(story.get_absolute_url()).status_code == 200

    confirm_on(client, open_confirmation(client, token))
    assert client.get(story.get_absolute_url()).status_code == 410
    assert client.get(f"/es{story.get_absolute_url()}").status_code == 410
    for url in ("/", "/stories/", "/search/?q=zqgone", "/perspectives/immigrants/", "/themes/"):
        assert "Zqgone" not in client.get(url).content.decode(), url
    assert not results.search(Story.objects.published(), "zqgone").exists()


def test_wrong_and_erased_links_get_the_same_page_and_no_hint(client, moderator):
    story, token = submitted_with_link(client)
    story.reject(by=moderator, reason="spam")
    story.events.update(created_at=timezone.now() - datetime.timedelta(days=91))
    call_command("purge_private_data", stdout=io.StringIO())  # erased: its link is gone
    erased_redirect = client.get(f"/my-story/{token}/")
    erased = client.get(erased_redirect["Location"])
    wrong_redirect = client.get("/my-story/not-a-real-token-at-all-1234567890/")
    wrong = client.get(wrong_redirect["Location"])
    nothing = Client().get("/my-story/")  # no link was ever opened
    for page in ("/my-story/withdraw/", "/my-story/correction/"):
        answer = Client().get(page)
        assert answer.status_code == 404 and "This link does not work" in answer.content.decode()
    assert erased_redirect["Location"] == wrong_redirect["Location"] == "/my-story/"
    assert erased.status_code == wrong.status_code == nothing.status_code == 404
    assert erased.content == wrong.content == nothing.content
    assert "This link does not work" in erased.content.decode()
    assert "no-store" in wrong["Cache-Control"]


def test_a_rejected_story_cannot_be_withdrawn_by_its_link(client, moderator):
    story, token = submitted_with_link(client)
    confirm = open_confirmation(client, token)
    story.reject(by=moderator)
    assert confirm_on(client, confirm).status_code == 404
    story.refresh_from_db()
    assert story.status == Story.Status.REJECTED


@pytest.mark.parametrize("address", ["my-story", "withdraw"])
def test_guessing_links_is_rate_limited(client, settings, address):
    settings.WITHDRAW_RATE_LIMIT = 3
    statuses = [client.get(f"/{address}/guess-{n}/", follow=True).status_code for n in range(5)]
    assert statuses == [404, 404, 404, 429, 429]


# --- Asking for a correction ---


def correction_page(client, token):
    open_link(client, token)
    page = client.get("/my-story/correction/")
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    return page


def test_a_correction_is_kept_in_the_history_as_the_narrators(client):
    story, token = submitted_with_link(client)
    page = correction_page(client, token)
    done = post_form_on(client, page, message="Please take out the name of my street.")
    assert done.request["PATH_INFO"] == "/my-story/"
    assert "Your message was sent to the moderators" in done.content.decode()
    event = story.events.last()
    assert (event.actor, event.from_status, event.to_status) == (None, "pending", "pending")
    assert event.narrator_message == "Please take out the name of my street."
    assert "A correction, asked for on" in client.get("/my-story/").content.decode()


def test_a_correction_is_checked_by_the_identity_shield_before_it_is_sent(client):
    story, token = submitted_with_link(client)
    page = correction_page(client, token)
    message = f"Remove my number {PHONE} please"
    review = post_form_on(client, page, message=message)
    html = review.content.decode()
    assert "Check your message before you send it" in html
    assert re.search(rf'<mark class="finding"[^>]*>{re.escape(PHONE)}</mark>', html)
    assert not story.events.exclude(narrator_message="").exists()  # nothing sent yet
    post_form_on(client, review, message=message, send_anyway="1")
    assert story.events.last().narrator_message == message


def test_the_moderators_see_corrections_on_the_review_page_and_the_desk(client, moderator_client):
    story, token = submitted_with_link(client)
    post_form_on(client, correction_page(client, token), message="Zqcorrection: my street")
    for url in (
        f"/admin/stories/story/{story.pk}/review/",
        "/admin/stories/story/desk/",
        f"/admin/stories/story/{story.pk}/change/",
    ):
        assert "Zqcorrection" in moderator_client.get(url).content.decode(), url


def test_the_story_admin_shows_whether_the_narrator_asked_to_hear_back(client, moderator_client):
    story, _token = submitted_with_link(client, notify_decision="on")
    page = moderator_client.get(f"/admin/stories/story/{story.pk}/change/")
    html = page.content.decode()
    assert "Email when decided" in html and "Decision notice due since" in html
    assert 'name="notify_decision"' not in html  # the narrator's choice, not the moderator's


def test_corrections_and_notes_to_the_narrator_are_erased_with_the_story(client, moderator):
    story, token = submitted_with_link(client)
    post_form_on(client, correction_page(client, token), message="Zqcorrection words")
    story.reject(by=moderator, reason="other", note_to_narrator="Zqnote for you")
    story.events.update(created_at=timezone.now() - datetime.timedelta(days=91))
    call_command("purge_private_data", stdout=io.StringIO())
    events = ModerationEvent.objects.filter(story=story)
    assert events.count() == 3  # the history stays
    assert set(events.values_list("narrator_message", flat=True)) == {""}
    assert set(events.values_list("note_to_narrator", flat=True)) == {""}


def test_a_withdrawn_story_takes_no_correction(client):
    story, token = submitted_with_link(client)
    story.withdraw()
    open_link(client, token)
    assert client.get("/my-story/correction/").status_code == 404


# --- The rejection note, from the admin ---


def test_the_desk_takes_a_note_for_the_narrator(client, moderator_client):
    story, token = submitted_with_link(client)
    review = moderator_client.get(f"/admin/stories/story/{story.pk}/review/").content.decode()
    assert (
        "Note for the narrator" in review and "do not include anything they did not write" in review
    )
    moderator_client.post(
        f"/admin/stories/story/{story.pk}/review/",
        {"decision": "reject", "reason": "duplicate", "note_to_narrator": "Zqyou sent it twice"},
    )
    assert story.events.last().note_to_narrator == "Zqyou sent it twice"
    assert "Zqyou sent it twice" in status_page(client, token)


def test_the_list_action_takes_a_note_for_the_narrator(client, moderator_client):
    story, token = submitted_with_link(client)
    moderator_client.post(
        "/admin/stories/story/",
        {
            "action": "reject",
            "_selected_action": [story.pk],
            "apply": "1",
            "reason": "off_topic",
            "note_to_narrator": "Zqlist note",
        },
    )
    story.refresh_from_db()
    assert story.status == Story.Status.REJECTED
    assert story.events.last().note_to_narrator == "Zqlist note"


# --- The decision notice ---


def test_the_share_form_asks_whether_to_email_the_decision(client):
    html = open_share_step(client, "details").content.decode()
    assert "Email me when a moderator decides" in html
    send(client, share_data(notify_decision="on"))
    send(client, share_data(notify_decision="on", contact_email="", title="No address"))
    assert Story.objects.get(title="No address").notify_decision is False
    assert Story.objects.exclude(title="No address").get().notify_decision is True


def notified_story(client, **overrides):
    story, _token = submitted_with_link(client, notify_decision="on", **overrides)
    mail.outbox.clear()
    return story


def test_approval_sends_the_notice_after_commit_then_erases_the_address(
    client, moderator, django_capture_on_commit_callbacks
):
    story = notified_story(client)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        story.approve(by=moderator)
    assert mail.outbox == []  # nothing is sent before the decision is committed
    assert Story.objects.get(pk=story.pk).contact_email  # kept for the notice
    for callback in callbacks:
        callback()
    (message,) = mail.outbox
    assert message.to == ["rosa@private.example.org"]
    assert "approved" in message.subject
    assert f"http://localhost:8000{story.get_absolute_url()}" in message.body
    assert "finally went" not in message.body  # nothing of the text
    story.refresh_from_db()
    assert (story.contact_email, story.decision_notice_due) == ("", None)


def test_the_notice_keeps_the_address_of_a_narrator_who_may_be_contacted(
    client, moderator, django_capture_on_commit_callbacks
):
    story = notified_story(client, may_contact="on")
    with django_capture_on_commit_callbacks(execute=True):
        story.approve(by=moderator)
    assert len(mail.outbox) == 1
    assert Story.objects.get(pk=story.pk).contact_email == "rosa@private.example.org"


def test_a_rejection_notice_gives_the_reason_and_the_note_in_the_narrators_language(
    client, moderator, django_capture_on_commit_callbacks
):
    story, _token = submitted_with_link(client, notify_decision="on", language="es")
    Story.objects.filter(pk=story.pk).update(consent_language="es")
    story.refresh_from_db()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        story.reject(
            by=moderator, reason="duplicate", note="Zqprivate", note_to_narrator="Zqfor you"
        )
    (message,) = mail.outbox
    assert "no será publicada" in message.subject
    assert "ya está en el archivo" in message.body and "Zqfor you" in message.body
    assert "Zqprivate" not in message.body


def test_no_notice_for_a_narrator_who_did_not_ask(
    client, moderator, django_capture_on_commit_callbacks
):
    story, _token = submitted_with_link(client)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        story.approve(by=moderator)
    assert mail.outbox == []
    story.refresh_from_db()
    assert (story.contact_email, story.decision_notice_due) == ("", None)


def test_a_failed_notice_is_logged_without_the_address_and_retried_by_the_purge(
    client, moderator, settings, caplog, django_capture_on_commit_callbacks
):
    story = notified_story(client)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    with django_capture_on_commit_callbacks(execute=True):
        story.approve(by=moderator)  # the moderator is not kept waiting by an error
    assert "Could not send story" in caplog.text
    assert "rosa@private.example.org" not in caplog.text
    story.refresh_from_db()
    assert story.decision_notice_due is not None and story.contact_email  # still due

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("purge_private_data", stdout=io.StringIO())
    (message,) = mail.outbox
    assert "approved" in message.subject
    story.refresh_from_db()
    assert (story.contact_email, story.decision_notice_due) == ("", None)


def test_a_notice_that_never_goes_is_given_up_and_the_address_erased(
    client, moderator, settings, django_capture_on_commit_callbacks
):
    story = notified_story(client)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9
    with django_capture_on_commit_callbacks(execute=True):
        story.approve(by=moderator)
    long_ago = timezone.now() - datetime.timedelta(days=NOTICE_RETRY_DAYS + 1)
    Story.objects.filter(pk=story.pk).update(decision_notice_due=long_ago)
    call_command("purge_private_data", stdout=io.StringIO())
    story.refresh_from_db()
    assert (story.contact_email, story.decision_notice_due) == ("", None)


def test_the_notice_is_sent_from_the_desk_too(
    client, moderator_client, django_capture_on_commit_callbacks
):
    story = notified_story(client, body=LONG_BODY * 2)
    with django_capture_on_commit_callbacks(execute=True):
        moderator_client.post(
            f"/admin/stories/story/{story.pk}/review/", {"decision": "approve", "note": ""}
        )
    assert len(mail.outbox) == 1


# --- Making the voice more private ---


def test_a_narrator_keeps_their_voice_private_from_their_page(client, moderator):
    story, token = submitted_with_link(client, recording=wav_upload())
    assert story.voice == "published"
    html = status_page(client, token)
    assert "Keep my voice private" in html and "You cannot undo this" in html
    response = client.post("/my-story/voice/", {"story": story.pk}, follow=True)
    assert "Your voice is private now." in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    story.refresh_from_db()
    assert story.keeps_voice_private
    assert story.events.filter(note="Voice kept private: transcript only", actor=None).exists()
    # One way only: the offer is gone, and a replayed post changes nothing more.
    assert "Keep my voice private" not in status_page(client, token)
    assert client.post("/my-story/voice/", {"story": story.pk}).status_code == 404
    # Cleared and published, the recording is still never served to readers.
    story.recording.set_cleared(True, by=moderator)
    story.approve(by=moderator)
    assert Client().get(f"/recordings/{story.pk}/").status_code == 404


def test_no_voice_offer_without_a_recording_and_none_for_another_story(client):
    story, token = submitted_with_link(client)
    assert "Keep my voice private" not in status_page(client, token)
    assert client.post("/my-story/voice/", {"story": story.pk}).status_code == 404
    other, _other_token = submitted_with_link(Client())
    assert client.post("/my-story/voice/", {"story": other.pk}).status_code == 404


def test_the_spanish_private_page_offers_it_in_spanish(client):
    _story, token = submitted_with_link(client, recording=wav_upload())
    assert "Mantener mi voz privada" in status_page(client, token, "/es")
