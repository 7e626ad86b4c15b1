"""
Narrator safety and rights: the identity shield's review step, the private
withdrawal link, the consent record, embargoes, and erasing what the archive
promised to keep only for a while.
"""

import datetime
import io
import re

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.utils import timezone

from stories.models import ConsentText, ModerationEvent, Story
from stories.safety.privacy import erased_values
from stories.search import results

from ..factories import (
    A_NUMBER,
    LONG_BODY,
    OWN_NAME,
    PHONE,
    RISKY_BODY,
    SHARE_URL,
    make_published,
    make_story,
    open_share_step,
    post_share,
    share_data,
)
from ..readers import confirm_on, open_confirmation, submitted_with_link

pytestmark = pytest.mark.django_db


def risky_share_data(**overrides):
    return share_data(body=RISKY_BODY, appear="anonymous", narrator_name=OWN_NAME, **overrides)


def send(client, data, prefix=""):
    """Post the share form and follow to the thank-you page."""
    return post_share(client, prefix=prefix, data=data, follow=True)


# --- The identity shield's review step ---


def test_review_step_flags_a_number_phone_and_own_name_and_saves_nothing(client):
    response = post_share(client, risky_share_data())
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Check and send · Step 6 of 6" in html
    assert "We found 3 details that could identify you or someone else" in html
    kinds = [shown.finding.kind for shown in response.context["findings"]]
    assert sorted(kinds) == ["a_number", "name", "phone"]
    for value in (A_NUMBER, PHONE, OWN_NAME):
        assert re.search(rf'<mark class="finding"[^>]*>{re.escape(value)}</mark>', html), value
    assert not Story.objects.exists()
    assert "no-store" in response["Cache-Control"]


def test_review_step_keeps_every_field(client):
    data = risky_share_data(
        year_happened="2018", show_from="later", embargo_date="2031-05-04", may_contact="on"
    )
    form = post_share(client, data).context["form"]
    for name, value in data.items():
        if name in {"consent", "may_contact"}:
            assert form[name].value() in (True, "on"), name
        elif name == "themes":
            assert sorted(form[name].value()) == sorted(value)
        else:
            assert str(form[name].value()) == value, name


def test_send_anyway_saves_the_story_as_typed(client):
    response = send(client, risky_share_data(send_anyway="1"))
    assert response.redirect_chain[-1][0].endswith("/share/thanks/")
    story = Story.objects.get()
    assert A_NUMBER in story.body and PHONE in story.body
    assert story.status == Story.Status.PENDING


def test_edit_and_check_again_sends_once_nothing_is_found(client):
    response = post_share(client, share_data(place="1234 E. Cesar Chavez Ave"))
    assert [f.finding.kind for f in response.context["findings"]] == ["street_address"]
    assert not Story.objects.exists()
    response = post_share(client, share_data(place="Boyle Heights", check=""))
    assert "Nothing else to check" in response.content.decode()
    assert not Story.objects.exists()
    response = send(client, share_data(place="Boyle Heights"))
    assert response.redirect_chain
    assert Story.objects.get().place == "Boyle Heights"


def test_a_story_with_nothing_to_flag_is_sent_straight_away(client):
    send(client, share_data())
    assert Story.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value", "kind"),
    [
        ("title", "Call me: 213-555-0142", "phone"),
        ("summary", "Write to rosa.m@gmail.com for more", "email"),
        ("narrator_descriptor", "booking number 5553311", "case_number"),
        ("place", "456 South Main Street", "street_address"),
        ("content_note", "SSN 123-45-6789 inside", "ssn"),
        ("suggested_theme", "plate 6TRJ244", "licence_plate"),
    ],
)
def test_every_field_that_could_become_public_is_checked(client, field, value, kind):
    response = post_share(client, share_data(**{field: value}))
    assert [(f.finding.field, f.finding.kind) for f in response.context["findings"]] == [
        (field, kind)
    ]


def test_review_step_escapes_what_the_narrator_typed(client):
    body = LONG_BODY + "<script>alert(1)</script> call 213-555-0142"
    html = post_share(client, share_data(body=body)).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_review_step_in_spanish(client):
    response = post_share(client, prefix="/es", data=risky_share_data(language="es"))
    html = response.content.decode()
    assert "Revisar y enviar" in html
    assert "Número de teléfono" in html


def test_the_name_is_not_looked_for_when_the_narrator_shows_it(client):
    data = share_data(body=LONG_BODY + f"I am {OWN_NAME}.", narrator_name=OWN_NAME)
    send(client, data)
    assert Story.objects.get().narrator_name == OWN_NAME


# --- Consent record and embargo ---


def test_the_form_shows_the_current_consent_version_and_the_story_keeps_it(client):
    old_story, _token = submitted_with_link(client)
    ConsentText.objects.create(
        version="2027-01", text_en="You agree to something new.", text_es="Acepta algo nuevo."
    )
    assert "You agree to something new." in open_share_step(client, "check").content.decode()
    spanish = open_share_step(client, "check", prefix="/es").content.decode()
    assert "Acepta algo nuevo." in spanish
    # A page opened before the change still shows the old text: sent, it is refused.
    refused = post_share(
        client, share_data(title="A later story", consent_version="2026-12"), prefix="/es"
    )
    assert "El texto de consentimiento cambió" in refused.content.decode()
    assert "Acepta algo nuevo." in refused.content.decode()
    assert not Story.objects.filter(title="A later story").exists()
    send(client, share_data(title="A later story", consent_version="2027-01"), prefix="/es")
    new_story = Story.objects.get(title="A later story")
    assert (new_story.consent.version, new_story.consent_language) == ("2027-01", "es")
    old_story.refresh_from_db()
    assert old_story.consent.version == "2026-12"


def test_embargo_keeps_an_approved_story_private_until_its_date(client, moderator, monkeypatch):
    story, _token = submitted_with_link(
        client, show_from="later", embargo_date="2031-05-04", title="Zqembargo story"
    )
    assert story.embargo_until == timezone.make_aware(datetime.datetime(2031, 5, 4))
    story.approve(by=moderator)
    assert story.published_at == story.embargo_until
    assert client.get(story.get_absolute_url()).status_code == 404
    assert "Zqembargo" not in client.get("/stories/").content.decode()

    later = story.embargo_until + datetime.timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert client.get(story.get_absolute_url()).status_code == 200
    assert "Zqembargo" in client.get("/stories/").content.decode()


@pytest.mark.parametrize(
    ("date", "message"),
    [
        ("", "Choose the date your story may be shown from."),
        ("2001-01-01", "Choose a date after today."),
        ("2999-01-01", "Choose a date within 50 years."),
        ("not a date", "Enter a valid date."),
    ],
)
def test_embargo_date_must_be_a_future_date(client, date, message):
    response = post_share(client, share_data(show_from="later", embargo_date=date))
    assert message in response.content.decode()
    assert not Story.objects.exists()


# --- Data minimisation ---


def test_approval_erases_the_email_unless_the_narrator_allowed_contact(client, moderator):
    send(client, share_data(title="No contact"))
    send(client, share_data(title="Contact me", may_contact="on"))
    for story in Story.objects.all():
        story.approve(by=moderator)
    assert Story.objects.get(title="No contact").contact_email == ""
    assert Story.objects.get(title="Contact me").contact_email == "rosa@private.example.org"


def test_may_contact_without_an_email_means_nothing(client):
    send(client, share_data(contact_email="", may_contact="on"))
    assert not Story.objects.get().may_contact


def days_ago(days):
    return timezone.now() - datetime.timedelta(days=days)


def test_purge_erases_old_withdrawn_and_rejected_stories_and_nothing_else(moderator, settings):
    def story(marker, **fields):
        return make_story(
            title=f"Zq{marker} title",
            body=f"zq{marker}body " * 40,
            themes=["public-safety"],
            submitter_hash="a" * 64,
            **fields,
        )

    old_withdrawn = story("oldwithdrawn")
    old_withdrawn.approve(by=moderator)
    old_withdrawn.withdraw(note="zqoldwithdrawn note")
    Story.objects.filter(pk=old_withdrawn.pk).update(withdrawn_at=days_ago(31))
    LogEntry.objects.log_actions(
        user_id=moderator.pk, queryset=[old_withdrawn], action_flag=CHANGE, change_message="x"
    )
    new_withdrawn = story("newwithdrawn")
    new_withdrawn.withdraw()
    Story.objects.filter(pk=new_withdrawn.pk).update(withdrawn_at=days_ago(29))
    old_rejected = story("oldrejected")
    old_rejected.reject(by=moderator, note="zqoldrejected reason")
    old_rejected.events.filter(to_status="rejected").update(created_at=days_ago(91))
    new_rejected = story("newrejected")
    new_rejected.reject(by=moderator)
    published = make_published(title="Zqpublished title", submitter_hash="b" * 64)
    Story.objects.update(submitted_at=days_ago(2))

    call_command("purge_private_data", stdout=io.StringIO())

    for erased in (old_withdrawn, old_rejected):
        erased.refresh_from_db()
        assert erased.erased_at is not None
        for field, value in erased_values(Story, gone=True).items():
            assert getattr(erased, field) == value, field
        assert not erased.themes.exists()
        assert set(erased.events.values_list("note", flat=True)) == {""}
        assert erased.events.exists()  # the record of what happened remains
    log = LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(Story), object_id=str(old_withdrawn.pk)
    )
    assert "Zq" not in log.object_repr and log.change_message == ""
    assert old_withdrawn.slug  # the old address still answers 410
    for kept in (new_withdrawn, new_rejected, published):
        kept.refresh_from_db()
        assert kept.erased_at is None
        assert kept.title.startswith("Zq")
        assert kept.body
    assert results.search(Story.objects.published(), "zqpublished").exists()
    # Submitter hashes outlive nobody's rate-limit window.
    assert set(Story.objects.values_list("submitter_hash", flat=True)) == {""}


def test_purge_keeps_a_submitter_hash_inside_the_rate_limit_window(client):
    send(client, share_data())
    call_command("purge_private_data", stdout=io.StringIO())
    assert Story.objects.get().submitter_hash != ""
    assert ModerationEvent.objects.count() == 1


# --- The privacy page ---


def test_privacy_page_is_linked_from_the_form_and_the_footer_and_tells_the_periods(client):
    assert 'href="/privacy/"' in client.get(SHARE_URL).content.decode()
    assert 'href="/privacy/"' in client.get("/").content.decode()
    html = client.get("/privacy/").content.decode()
    assert "30 days later its text and your private details are erased" in html
    assert "erased 90 days later" in html
    assert "once 60 minutes have passed" in html
    assert 'href="/es/privacy/"' in html
    assert "Privacidad" in client.get("/es/privacy/").content.decode()


# --- The moderator's side of the shield ---


@pytest.fixture
def risky_story(client):
    send(client, risky_share_data(send_anyway="1"))
    return Story.objects.get()


def test_the_moderator_sees_the_same_findings_on_the_story(moderator_client, risky_story):
    html = moderator_client.get(f"/admin/stories/story/{risky_story.pk}/change/").content.decode()
    assert "3 details could identify someone" in html
    for value in (A_NUMBER, PHONE, OWN_NAME):
        assert re.search(rf'<mark class="finding"[^>]*>{re.escape(value)}</mark>', html), value
    assert "The narrator&#x27;s own name" in html or "The narrator's own name" in html


def test_redacting_one_finding_records_its_kind_and_not_its_value(moderator_client, risky_story):
    url = f"/admin/stories/story/{risky_story.pk}/redact/"
    page = moderator_client.get(url)
    keys = {shown.finding.kind: shown.finding.key for shown in page.context["findings"]}
    response = moderator_client.post(url, {"finding": [keys["a_number"]]}, follow=True)
    assert "1 detail redacted" in response.content.decode()
    risky_story.refresh_from_db()
    assert A_NUMBER not in risky_story.body
    assert "A-number is [redacted]" in risky_story.body
    assert PHONE in risky_story.body  # not ticked, not touched
    event = risky_story.events.last()
    assert event.note == "Redacted: a_number in body"
    assert event.actor.username == "moderator"
    assert A_NUMBER not in "".join(risky_story.events.values_list("note", flat=True))


def test_redacting_everything_then_approving_leaves_nothing_in_public(
    client, moderator_client, moderator, risky_story
):
    response = moderator_client.post(
        "/admin/stories/story/",
        {"action": "redact_every_finding", "_selected_action": [risky_story.pk]},
        follow=True,
    )
    assert "3 details redacted" in response.content.decode()
    risky_story.refresh_from_db()
    assert risky_story.shield_findings() == []
    risky_story.approve(by=moderator)
    html = client.get(risky_story.get_absolute_url()).content.decode()
    for value in (A_NUMBER, PHONE, OWN_NAME, "Martinez"):
        assert value not in html
    assert "[redacted]" in html
    assert not results.search(Story.objects.published(), "martinez").exists()


def test_a_stale_selection_redacts_nothing(moderator_client, risky_story):
    url = f"/admin/stories/story/{risky_story.pk}/redact/"
    response = moderator_client.post(url, {"finding": ["body:0:3"]}, follow=True)
    assert "Nothing was selected to redact" in response.content.decode()
    risky_story.refresh_from_db()
    assert A_NUMBER in risky_story.body


def test_the_admin_shows_the_consent_text_agreed_to(moderator_client, risky_story):
    html = moderator_client.get(f"/admin/stories/story/{risky_story.pk}/change/").content.decode()
    assert "2026-12" in html
    assert "You may ask for your story to be withdrawn at any time" in html
    assert "Keep my voice private" in html


# --- Review follow-ups: tokens out of logs, slugs after redaction, double clicks ---


def test_no_log_line_ever_holds_a_withdrawal_token():
    import logging
    import sys

    from archive.logging import JSONFormatter

    formatter = JSONFormatter()
    record = logging.LogRecord(
        "django.security.csrf", logging.WARNING, __file__, 1,
        "Forbidden (CSRF cookie not set.): %s", ("/es/withdraw/zqSECRETtoken123/",), None,
    )  # fmt: skip
    assert "zqSECRET" not in formatter.format(record)
    assert "/es/withdraw/[token]" in formatter.format(record)
    try:
        raise RuntimeError("while answering /withdraw/zqSECRETtoken456/")
    except RuntimeError:
        failing = logging.LogRecord(
            "django.request", logging.ERROR, __file__, 1, "boom", (), sys.exc_info()
        )
    assert "zqSECRET" not in formatter.format(failing)
    private = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "/es/my-story/zqSECRETtoken789/ then /my-story/", (), None
    )
    assert "zqSECRET" not in formatter.format(private)
    assert "/es/my-story/[token]/ then /my-story/" in formatter.format(private)
    for own in ("/my-story/withdraw/", "/my-story/correction/", "/es/my-story/card.svg"):
        record = logging.LogRecord("x", logging.INFO, __file__, 1, own, (), None)
        assert own in formatter.format(record)


def test_redacting_a_published_title_gives_the_story_a_new_address(client, moderator):
    # Published with its number waived: the shield holds back an unresolved one.
    story = make_story(title="Call me at 323-555-0199 please")
    story.waive(story.shield_findings()[0].key, "The narrator's own choice", by=moderator)
    story.approve(by=moderator)
    old_address = story.get_absolute_url()
    story.redact([f.key for f in story.shield_findings() if f.field == "title"], by=moderator)
    story.refresh_from_db()
    assert story.title == "Call me at [redacted] please"
    assert "0199" not in story.slug
    assert client.get(old_address).status_code == 404
    assert client.get(story.get_absolute_url()).status_code == 200


def test_a_second_click_on_withdraw_gets_the_link_page_not_an_error(client, monkeypatch):
    story, token = submitted_with_link(client)
    confirm = open_confirmation(client, token)
    stale = Story.objects.filter(pk=story.pk)
    story.withdraw()
    # The second click found the story before the first click's withdrawal landed.
    monkeypatch.setattr(type(Story.objects.all()), "withdrawable_with", lambda self, h: stale)
    response = confirm_on(client, confirm)
    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()


def test_the_purge_leaves_no_erased_text_in_the_page_cache(client, rf, settings):
    # Redis drops expired pages by itself; the database cache keeps a row until
    # its key is read again, so the purge empties it.
    if not settings.CACHES["pages"]["BACKEND"].endswith("DatabaseCache"):
        pytest.skip("the database cache only")
    from stories.pagecache import store

    settings.PAGE_CACHE_SECONDS = settings.COUNTS_CACHE_SECONDS = 60
    story = make_published(title="Zqcachedtext story", body="zqcachedbody " * 40)
    urls = ["/stories/", story.get_absolute_url(), "/search/?q=zqprivatequery"]
    for url in urls:
        client.get(url)
    keys = [store.page_key(rf.get(url)) for url in urls]
    assert all(store.cache.get(key) for key in keys)
    story.withdraw()
    Story.objects.filter(pk=story.pk).update(withdrawn_at=days_ago(31))
    call_command("purge_private_data", stdout=io.StringIO())
    assert store.cache.get_many(keys) == {}


def test_a_changed_embargo_moves_the_date_of_a_story_waiting_for_it(moderator):
    story = make_story(title="Waiting", embargo_until=timezone.now() + datetime.timedelta(days=5))
    story.approve(by=moderator)
    later = timezone.now() + datetime.timedelta(days=40)
    story.embargo_until = later
    story.save()
    assert Story.objects.get(pk=story.pk).published_at == later
    story.embargo_until = None  # the narrator no longer asks to wait
    story.save()
    assert Story.objects.get(pk=story.pk).is_visible


def test_approving_again_honours_an_embargo_asked_for_since(moderator):
    story = make_published(title="Published once")
    first = story.published_at
    story.return_to_review(by=moderator)
    story.approve(by=moderator)
    assert story.published_at == first  # citations keep their date
    story.return_to_review(by=moderator)
    story.embargo_until = timezone.now() + datetime.timedelta(days=10)
    story.save()
    story.approve(by=moderator)
    assert story.published_at == story.embargo_until and not story.is_visible


def test_a_story_reopened_after_the_purge_listed_it_is_not_erased(moderator):
    story = make_story(title="Reconsidered")
    story.reject(by=moderator, reason="spam")
    listed = Story.objects.get(pk=story.pk)  # as the purge holds it
    story.return_to_review(by=moderator, note="Reconsidering")
    assert listed.erase() is False
    kept = Story.objects.get(pk=story.pk)
    assert (kept.status, kept.title, kept.erased_at) == (Story.Status.PENDING, "Reconsidered", None)
