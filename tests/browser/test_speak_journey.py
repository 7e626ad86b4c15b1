"""
The narrator who simply speaks, end to end, on a phone, in Spanish and in English: chooses
Anonymous, records with the (fake) microphone, listens back, sends with no written text, copies
the private link, finds the private page "waiting"; a moderator clears the recording and
approves; the private page says "published" with the link, and the story page plays the
recording. The same with "keep my voice private": no road serves the audio, and the page shows
the transcript once moderators add one.
"""

import datetime

import pytest
from django.test import Client
from playwright.sync_api import expect

from stories.models import Story, TranscriptSegment

from .helpers import assert_no_violations, send_recorded_story, start_share

WORDS = {
    "en": {
        "prefix": "",
        "title": "Title",
        "start": "Start recording",
        "stop": "Stop",
        "ready": "Your recording is ready.",
        "language": "Spanish",
        "perspective": "Immigrants",
        "anonymous": "Anonymous",
        "published voice": "Publish my recording",
        "private voice": "Keep my voice private: publish only a transcript",
        "consent": "I agree",
        "send": "Send my story for review",
        "copy": "Copy the link",
        "waiting": "waiting for review",
        "published": "Read your story in the archive",
    },
    "es": {
        "prefix": "/es",
        "title": "Título",
        "start": "Empezar a grabar",
        "stop": "Terminar",
        "ready": "Su grabación está lista.",
        "language": "Español",
        "perspective": "Inmigrantes",
        "anonymous": "Anónimo",
        "published voice": "Publicar mi grabación",
        "private voice": "Mantener mi voz privada: publicar solo una transcripción",
        "consent": "Acepto",
        "send": "Enviar para revisión",
        "copy": "Copiar el enlace",
        "waiting": "esperando revisión",
        "published": "Leer su historia en el archivo",
    },
}


def speak_and_send(page, site, words, title, voice):
    start_share(page, site, words["prefix"], telling="record")
    page.get_by_role("button", name=words["start"]).click()
    page.wait_for_function("() => document.querySelector('[data-clock]').textContent >= '0:03'")
    page.get_by_role("button", name=words["stop"]).click()
    expect(page.locator("[data-recorder] [role=status]")).to_contain_text(words["ready"])
    page.wait_for_function("() => document.querySelector('[data-playback]').readyState >= 1")

    send_recorded_story(page, site, words, title, words[voice])


def copied_private_link(page, words):
    page.get_by_role("button", name=words["copy"]).click()
    link = page.evaluate("() => navigator.clipboard.readText()")
    assert "/my-story/" in link
    return link


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_narrator_speaks_and_follows_the_story_to_publication(
    page, site, moderator, language, save_screenshot
):
    words = WORDS[language]
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.set_viewport_size({"width": 375, "height": 800})
    title = f"Spoken, not written ({language})"
    speak_and_send(page, site, words, title, "published voice")
    save_screenshot(f"{language} thanks after speaking")
    link = copied_private_link(page, words)

    story = Story.objects.get(title=title)
    assert story.body == "" and story.is_anonymous and story.voice == "published"
    assert story.recording.mime_type == "audio/ogg" and story.recording.duration >= 2.5

    page.goto(link)
    expect(page.locator("h2#status-heading")).to_contain_text(words["waiting"])
    assert_no_violations(page, f"private page waiting ({language})")
    save_screenshot(f"{language} private page waiting after speaking")

    story.recording.set_cleared(True, by=moderator)
    story.approve(by=moderator)

    page.reload()
    page.get_by_role("link", name=words["published"]).click()
    audio = page.locator("audio#recording-player")
    expect(audio).to_be_visible()
    page.wait_for_function("() => document.querySelector('audio#recording-player').readyState >= 1")
    assert page.evaluate("() => document.querySelector('audio#recording-player').duration") >= 2.5
    assert_no_violations(page, f"story told aloud ({language})")
    save_screenshot(f"{language} story told aloud")


def test_a_voice_kept_private_is_never_served_and_reads_as_its_transcript(
    page, site, moderator, save_screenshot
):
    words = WORDS["es"]
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.set_viewport_size({"width": 375, "height": 800})
    title = "Solo mi voz, en privado"
    speak_and_send(page, site, words, title, "private voice")
    link = copied_private_link(page, words)
    story = Story.objects.get(title=title)
    assert story.keeps_voice_private

    story.recording.set_cleared(True, by=moderator)
    story.approve(by=moderator)
    TranscriptSegment.objects.create(
        story=story, start=datetime.timedelta(seconds=0), text="Llegué a Pacoima en 2009."
    )

    page.goto(link)
    page.get_by_role("link", name=words["published"]).click()
    expect(page.get_by_text("Llegué a Pacoima en 2009.")).to_be_visible()
    expect(page.locator("audio")).to_have_count(0)
    assert f"/recordings/{story.pk}/" not in page.content()
    reader = Client()
    assert reader.get(f"/recordings/{story.pk}/").status_code == 404
    assert reader.get(f"/recordings/{story.pk}/captions.vtt").status_code == 404
    assert_no_violations(page, "story whose voice is private")
    save_screenshot("es story whose voice is private")
