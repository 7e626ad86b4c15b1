"""Issue 24's editors in Chromium: a moderator writes the recording's index with the player
(in English and in Spanish, on a phone and at a desk), and the translation page."""

import datetime

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from stories.models import AdminPreferences, Story
from stories.moderators import MODERATORS_GROUP, TRANSLATORS_GROUP

from .helpers import assert_no_violations_in_admin

WORDS = {
    "en": {
        "index link": "Write the index with the player",
        "take": "Take the start from the player's time",
        "save": "Save the index",
        "saved": "Index saved.",
        "status": "Segment 1 starts at 0:05.",
        "translate": "Translate the story",
        "save translation": "Save the translation",
        "translation saved": "Translation saved.",
        "to translate": "Stories to translate",
    },
    "es": {
        "index link": "Escribir el índice con el reproductor",
        "take": "Tomar el inicio del tiempo del reproductor",
        "save": "Guardar el índice",
        "saved": "Índice guardado.",
        "status": "El segmento 1 empieza en 0:05.",
        "translate": "Traducir la historia",
        "save translation": "Guardar la traducción",
        "translation saved": "Traducción guardada.",
        "to translate": "Historias para traducir",
    },
}


def sign_in(page, site, django_user_model, language):
    moderator = django_user_model.objects.create_user(
        "indexer", "indexer@example.org", "index-passphrase-2026", is_staff=True
    )
    moderator.groups.add(Group.objects.get(name=MODERATORS_GROUP))
    AdminPreferences.objects.create(user=moderator, language=language)
    page.goto(site + "/admin/")
    page.locator("#id_username").fill("indexer")
    page.locator("#id_password").fill("index-passphrase-2026")
    page.keyboard.press("Enter")
    page.wait_for_url(site + "/admin/")


def seek(player, second):
    player.evaluate(
        """(audio, second) => new Promise(done => {
            audio.addEventListener("seeked", done, {once: true});
            audio.currentTime = second;
        })""",
        second,
    )


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("width", [375, 1280])
def test_a_moderator_writes_the_index_with_the_player(
    page, site, django_user_model, language, width, save_screenshot
):
    words = WORDS[language]
    story = Story.objects.get(pk=43)  # pending, in Spanish, a recording of a minute, no index
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, site, django_user_model, language)
    page.goto(f"{site}/admin/stories/story/{story.pk}/review/")
    page.get_by_role("link", name=words["index link"]).click()
    page.wait_for_url(f"**/admin/stories/story/{story.pk}/index/")

    player = page.locator("#transcript-player")
    segment = page.locator(".index-segment").first
    segment.get_by_role("button", name="Play from here").or_(
        segment.get_by_role("button", name="Reproducir desde aquí")
    ).click()
    for _ in range(50):  # the page's CSP forbids wait_for_function's evaluated strings
        if player.evaluate("audio => audio.currentTime") > 0.3:
            break
        page.wait_for_timeout(100)
    else:
        raise AssertionError("the recording never played")
    player.evaluate("audio => audio.pause()")
    seek(player, 5.4)
    segment.get_by_role("button", name=words["take"]).click()
    expect(page.locator(".transcript-status")).to_have_text(words["status"])
    segment.locator("input[name$='-title']").fill("La cita en la clínica")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert_no_violations_in_admin(page, f"index editor, {language}, {width} px")
    save_screenshot(f"{language} index editor")

    page.get_by_role("button", name=words["save"]).click()
    page.wait_for_url(f"**/admin/stories/story/{story.pk}/review/#index")
    expect(page.get_by_text(words["saved"])).to_be_visible()
    expect(page.locator(".review-index")).to_contain_text("0:05 La cita en la clínica")
    saved = story.index_segments.get()
    assert (saved.start, saved.title) == (datetime.timedelta(seconds=5), "La cita en la clínica")
    save_screenshot(f"{language} review with the index")

    page.get_by_role("link", name=words["translate"]).click()
    page.wait_for_url(f"**/admin/stories/story/{story.pk}/translation/")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert_no_violations_in_admin(page, f"translation editor, {language}, {width} px")
    save_screenshot(f"{language} translation editor")
    page.locator("#id_title_translation").fill("The day my daughter translated")
    page.get_by_role("button", name=words["save translation"]).click()
    page.wait_for_url(f"**/admin/stories/story/{story.pk}/review/#translation")
    expect(page.get_by_text(words["translation saved"])).to_be_visible()
    assert Story.objects.get(pk=story.pk).title_translation == "The day my daughter translated"


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("width", [375, 1280])
def test_a_volunteer_translator_finds_published_stories_only(
    page, site, django_user_model, language, width, save_screenshot
):
    translator = django_user_model.objects.create_user(
        "volunteer", "v@example.org", "translate-passphrase-2026", is_staff=True
    )
    translator.groups.add(Group.objects.get(name=TRANSLATORS_GROUP))
    AdminPreferences.objects.create(user=translator, language=language)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(site + "/admin/")
    page.locator("#id_username").fill("volunteer")
    page.locator("#id_password").fill("translate-passphrase-2026")
    page.keyboard.press("Enter")
    page.wait_for_url(site + "/admin/")
    page.get_by_role("link", name=WORDS[language]["to translate"]).first.click()
    page.wait_for_url("**/admin/stories/story/translations/")
    assert_no_violations_in_admin(page, f"stories to translate, {language}, {width} px")
    save_screenshot(f"{language} translator's list")
    listed = page.locator("td a")
    assert listed.count() == Story.objects.published().count()
    page.goto(f"{site}/admin/stories/story/21/translation/")  # published, translated, cleared
    expect(page.locator("#transcript-player")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert_no_violations_in_admin(page, f"translator's translation page, {language}, {width} px")
    save_screenshot(f"{language} translator's translation page")
    assert page.goto(f"{site}/admin/stories/story/43/translation/").status == 404  # pending
    assert page.goto(f"{site}/admin/stories/story/21/review/").status == 403
