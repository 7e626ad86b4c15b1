"""A recording sent ahead of its form, in the background: held for that form, as the form would."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from stories.models import Recording, Story, recordings_storage
from stories.pages.share import HELD_RECORDING_SESSION_KEY
from stories.pages.share_steps import DRAFT_SESSION_KEY

from ..factories import SHARE_URL, post_share, share_data, wav_bytes, wav_upload

pytestmark = pytest.mark.django_db

UPLOAD_URL = "/share/recording/"


def upload(narrator, prefix="", **extra):
    """Send a recording ahead, for the narrator's story in progress (begun if there is none)."""
    if DRAFT_SESSION_KEY not in narrator.session:
        narrator.post(SHARE_URL, {"telling": "record"}, **extra)
    data = {"recording": extra.pop("recording", None) or wav_upload()}
    return narrator.post(prefix + UPLOAD_URL, data, **extra)


def draft_id(narrator):
    return narrator.session[DRAFT_SESSION_KEY]["submission"]


def not_a_recording():
    return SimpleUploadedFile("story.mp3", b"just some text, not audio" * 40, "audio/mpeg")


def test_a_recording_is_held_for_the_form_it_came_from(client):
    response = upload(client)
    assert response.status_code == 200
    assert response.json() == {"length": "0:02"}
    held = Recording.objects.held().get()
    assert held.story is None and held.held_by  # counted against this client's bytes
    assert client.session[HELD_RECORDING_SESSION_KEY] == {
        "id": held.pk,
        "submission": draft_id(client),
    }


def test_the_form_then_sends_the_held_recording_without_the_file(
    client, django_capture_on_commit_callbacks
):
    upload(client)
    held = Recording.objects.get()
    data = {**share_data(body=""), "voice": Story.Voice.PUBLISHED}
    with django_capture_on_commit_callbacks(execute=True):
        assert post_share(client, data).status_code == 302
    assert Story.objects.get().recording.pk == held.pk


def test_a_second_upload_replaces_the_first_and_deletes_it(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        upload(client)
        first = Recording.objects.get()
        response = upload(client, recording=wav_upload(seconds=3.0))
    assert response.json() == {"length": "0:03"}
    second = Recording.objects.get()
    assert second.pk != first.pk
    assert not recordings_storage().exists(first.stored_as)
    assert client.session[HELD_RECORDING_SESSION_KEY] == {
        "id": second.pk,
        "submission": draft_id(client),
    }


def test_an_upload_for_another_story_does_not_delete_this_ones(client):
    upload(client)
    another = Client()
    upload(another)
    assert Recording.objects.held().count() == 2
    assert client.session[HELD_RECORDING_SESSION_KEY]["submission"] == draft_id(client)
    assert another.session[HELD_RECORDING_SESSION_KEY]["submission"] == draft_id(another)


@pytest.mark.parametrize(
    ("prefix", "message"),
    [
        ("", "This file is not a recording we can take."),
        ("/es", "Este archivo no es una grabación que podamos aceptar."),
    ],
)
def test_a_file_that_is_not_a_recording_is_refused_in_the_narrator_s_language(
    client, prefix, message
):
    upload(client)
    response = upload(client, prefix=prefix, recording=not_a_recording())
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert message in response.json()["error"]
    # The recording held before stays held.
    assert Recording.objects.count() == 1
    assert client.session[HELD_RECORDING_SESSION_KEY]["id"] == Recording.objects.get().pk


def test_a_recording_over_the_size_limit_is_refused(client, settings):
    settings.RECORDING_MAX_BYTES = len(wav_bytes()) - 1
    response = upload(client)
    assert response.status_code == 400
    assert "This recording is too large" in response.json()["error"]
    assert not Recording.objects.exists()


def test_a_recording_over_the_time_limit_is_refused(client, settings):
    settings.RECORDING_MAX_SECONDS = 1
    response = upload(client)
    assert response.status_code == 400
    assert "This recording is longer than 1 minute" in response.json()["error"]


def test_without_a_story_in_progress_or_a_file_nothing_is_held(client):
    response = client.post(UPLOAD_URL, {"recording": wav_upload()})
    assert response.status_code == 409
    assert "Your recording stays on this page" in response.json()["error"]
    client.post(SHARE_URL, {"telling": "record"})
    assert client.post(UPLOAD_URL, {}).status_code == 400
    assert not Recording.objects.exists()
    assert HELD_RECORDING_SESSION_KEY not in client.session


def test_only_post_is_answered(client):
    response = client.get(UPLOAD_URL)
    assert response.status_code == 405
    assert "no-store" in response["Cache-Control"]


def test_an_upload_without_the_csrf_token_is_refused():
    client = Client(enforce_csrf_checks=True)
    assert upload(client).status_code == 403
    assert not Recording.objects.exists()


def test_an_upload_with_the_form_s_csrf_token_is_taken():
    client = Client(enforce_csrf_checks=True)
    client.get(SHARE_URL)
    token = client.cookies["csrftoken"].value
    assert upload(client, HTTP_X_CSRFTOKEN=token).status_code == 200


def test_uploads_share_the_form_s_rate_limit(client, settings):
    settings.RECORDING_UPLOAD_RATE_LIMIT = 2
    assert upload(client).status_code == 200
    fake = share_data(title="")  # invalid: the recording is held, nothing sent
    assert post_share(client, {**fake, "recording": wav_upload()}).status_code == 200
    response = upload(client)
    assert response.status_code == 429
    assert "You have sent several recordings in a short time." in response.json()["error"]
    es = upload(client, prefix="/es")
    assert "Ha enviado varias grabaciones en poco tiempo." in es.json()["error"]


def test_a_client_over_its_bytes_is_told_429_and_a_full_archive_503(client, settings):
    settings.RECORDING_HOLD_BYTES_PER_CLIENT = len(wav_bytes()) * 3 // 2
    upload(client)
    # Replacing the recording this draft holds is not counted against it.
    assert upload(client).status_code == 200
    response = upload(Client())
    assert response.status_code == 429
    assert "more recordings than we can keep for you" in response.json()["error"]
    settings.RECORDING_HOLD_BYTES_TOTAL = len(wav_bytes()) * 3 // 2
    response = upload(Client(), REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 503
    assert "The archive cannot take more recordings just now." in response.json()["error"]
    assert Recording.objects.count() == 1


def test_the_answer_is_never_stored_by_a_cache(client):
    response = upload(client)
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in upload(client, recording=not_a_recording())["Cache-Control"]
