"""A narrator's voice on the share form: the choice asked with a recording, in both languages,
on a phone and a desk; the consent summary with the whole text a tap away; the prompts."""

import pytest
from playwright.sync_api import expect

from stories.models import Story

from ..factories import wav_bytes
from .helpers import assert_no_violations, start_share, walk_share_form

TITLE = "The night the clinic stayed open"
BODY = "The doors stayed open past nine, and nobody asked my mother for papers that night. " * 4
WORDS = {
    "en": {
        "title": "Title",
        "body": "Your story",
        "perspective": "Immigrants",
        "anonymous": "Anonymous",
        "recording": "A recording of your story",
        "private": "Keep my voice private: publish only a transcript",
        "published": "Publish my recording",
        "voice needed": "Choose whether readers may hear your recording",
        "kept": "is kept with your story",
        "written too": "Add some written words (optional)",
        "whole consent": "Read the whole consent text",
        "consent": "I agree",
        "send": "Send my story for review",
        "prompts": "Not sure where to begin?",
    },
    "es": {
        "title": "Título",
        "body": "Su historia",
        "perspective": "Inmigrantes",
        "anonymous": "Anónimo",
        "recording": "Una grabación de su historia",
        "private": "Mantener mi voz privada: publicar solo una transcripción",
        "published": "Publicar mi grabación",
        "voice needed": "Elija si los lectores pueden escuchar su grabación",
        "kept": "se guarda con su historia",
        "written too": "Agregar algo por escrito (opcional)",
        "whole consent": "Lea el texto completo del consentimiento",
        "consent": "Acepto",
        "send": "Enviar para revisión",
        "prompts": "¿No sabe por dónde empezar?",
    },
}


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("width", [375, 1280])
def test_a_narrator_with_a_recording_keeps_the_voice_private(
    page, site, tmp_path, language, width, save_screenshot
):
    words = WORDS[language]
    recording_file = tmp_path / "mi-historia.wav"
    recording_file.write_bytes(wav_bytes(seconds=3.0))
    page.set_viewport_size({"width": width, "height": 900})
    prefix = "" if language == "en" else "/es"
    start_share(page, site, prefix, telling="record")

    # The prompts: one tap away, those of each perspective under their own heading.
    page.get_by_text(words["prompts"]).click()
    expect(page.locator(".prompts h3").first).to_be_visible()
    page.get_by_text(words["written too"]).click()
    page.get_by_role("textbox", name=words["body"], exact=True).fill(BODY)
    page.get_by_label(words["recording"]).set_input_files(recording_file)
    walk_share_form(
        page,
        site,
        prefix,
        {
            "about-your-story": lambda page: page.get_by_label(words["title"]).fill(TITLE),
            "where-you-stand": lambda page: page.get_by_label(
                words["perspective"], exact=True
            ).check(),
        },
        until="about-you",
        start=False,
    )
    page.get_by_label(words["anonymous"], exact=True).check()
    # Nothing is chosen for the narrator; privacy is offered first.
    radios = page.locator("#id_voice input[type=radio]")
    expect(radios.nth(0)).to_have_attribute("value", "private")
    expect(page.locator("#id_voice input:checked")).to_have_count(0)
    assert_no_violations(page, f"share form with a recording selected ({language})")
    save_screenshot(f"{language} share with a recording selected")

    # Continued without the choice: asked for it, the recording kept, nothing lost.
    page.locator("#share-form .step-actions button[name=next]").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text(words["voice needed"])
    expect(page.get_by_label(words["anonymous"], exact=True)).to_be_checked()
    assert_no_violations(page, f"share form asking the voice choice ({language})")
    save_screenshot(f"{language} share asking the voice choice")
    page.goto(f"{site}{prefix}/share/story/")
    expect(page.get_by_text(words["kept"])).to_be_visible()
    expect(page.get_by_role("textbox", name=words["body"], exact=True)).to_have_value(BODY)
    page.goto(f"{site}{prefix}/share/about-your-story/")
    expect(page.get_by_label(words["title"])).to_have_value(TITLE)
    page.goto(f"{site}{prefix}/share/about-you/")

    page.get_by_label(words["private"]).check()
    walk_share_form(page, site, prefix, {}, start=False)
    page.get_by_text(words["whole consent"]).click()
    expect(page.locator(".consent-whole ul").first).to_be_visible()
    page.get_by_label(words["consent"], exact=False).check()
    page.get_by_role("button", name=words["send"]).click()
    page.wait_for_url("**/share/thanks/")
    story = Story.objects.get(title=TITLE)
    assert story.voice == Story.Voice.PRIVATE
    assert story.recording.duration == pytest.approx(3.0, abs=0.1)
    assert page.request.get(f"{site}/recordings/{story.pk}/").status == 404


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("width", [375, 1280])
def test_a_voice_kept_private_reads_as_its_transcript(page, site, language, width, save_screenshot):
    story = Story.objects.published().get(voice=Story.Voice.PRIVATE)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(site + ("" if language == "en" else "/es") + story.get_absolute_url())
    expect(page.locator("ol.transcript-only li")).to_have_count(story.transcript.count())
    expect(page.locator("audio")).to_have_count(0)
    assert_no_violations(page, f"a voice kept private ({language})")
    save_screenshot(f"{language} story with a voice kept private")
