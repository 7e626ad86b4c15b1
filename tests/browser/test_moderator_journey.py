"""Issue 23 from end to end, as a moderator working in Spanish meets it in Chromium.

Ana opens the desk and starts with the oldest story of the sample archive, which claims it.
She sees its A-number highlighted in the text, tries to approve and is refused by a message
naming what must be done, redacts the A-number and the narrator's own name, waives a council
office's public number with a reason, listens to the recording and clears it, stamps three
transcript paragraphs from the player, and approves. Beto, who opened the same story
meanwhile, is told who has it. Then the list action approves three stories, one of them
with an A-number left in it: two are published and the third is named.
"""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from stories.models import AdminPreferences, Story
from stories.moderators import MODERATORS_GROUP
from tests.factories import make_story

from .helpers import assert_no_violations_in_admin

PASSWORD = "journey-passphrase-2026"
A_NUMBER = "A-098-765-432"
OFFICE_PHONE = "(213) 555-0144"
NARRATOR = "Maricela Robles"
PARAGRAPHS = (
    "Mi hija tenía nueve años cuando tuvo que traducir.\n\n"
    "Nadie me ofreció un intérprete.\n\n"
    "Ahora siempre lo pido."
)


def es(message):
    with translation.override("es"):
        return gettext(message)


@pytest.fixture
def moderators(django_user_model, sample_archive):
    group = Group.objects.get(name=MODERATORS_GROUP)
    made = {}
    for username, first_name in (("ana", "Ana"), ("beto", "Beto")):
        user = django_user_model.objects.create_user(
            username, f"{username}@example.org", PASSWORD, is_staff=True, first_name=first_name
        )
        user.groups.add(group)
        made[username] = user
    AdminPreferences.objects.create(user=made["ana"], language="es")
    return made


def sign_in(page, site, username):
    page.goto(site + "/admin/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.locator("#user-tools")).to_be_visible()


def wait_until(page, check, what):
    for _ in range(50):  # the admin's CSP forbids wait_for_function's evaluated strings
        if check():
            return
        page.wait_for_timeout(100)
    raise AssertionError(what)


@pytest.mark.parametrize("width", [375, 1280])
def test_a_moderator_in_spanish_works_a_story_from_the_desk_to_publication(
    page, browser, site, moderators, width, save_screenshot
):
    page.set_viewport_size({"width": width, "height": 900})
    oldest = Story.objects.review_queue().first()
    assert A_NUMBER in oldest.body and oldest.recording is not None

    # The desk, in Spanish, starts with the oldest story: opening it claims it.
    sign_in(page, site, "ana")
    page.get_by_role("link", name=es("Moderation desk")).first.click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    page.get_by_role("link", name=es("Start with the oldest")).click()
    page.wait_for_url(f"**/admin/stories/story/{oldest.pk}/review/")
    expect(page.get_by_role("heading", name=es("You are reviewing this story"))).to_be_visible()

    # Beto opens the same story meanwhile and is told who has it.
    second = browser.new_context(locale="en-US")
    beto = second.new_page()
    sign_in(beto, site, "beto")
    beto.goto(f"{site}/admin/stories/story/{oldest.pk}/review/")
    expect(beto.get_by_role("heading", name="Ana is reviewing this story")).to_be_visible()
    expect(beto.get_by_role("button", name="Take over the review from Ana")).to_be_visible()
    second.close()

    # The A-number stands highlighted in the text; approving is refused, naming it.
    blocking = page.locator(".review-passage mark.finding-blocks")
    expect(blocking.filter(has_text=A_NUMBER)).to_be_visible()
    expect(blocking).to_have_count(3)  # the office's number, the A-number, her own name
    assert_no_violations_in_admin(page, "review with findings (es)")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    save_screenshot("es admin journey findings")
    page.locator("#decision button.default").click()
    refusal = page.locator(".messagelist .warning")
    expect(refusal).to_contain_text(es("Alien registration number (A-number)"))
    assert A_NUMBER not in refusal.inner_text()
    assert Story.objects.get(pk=oldest.pk).status == Story.Status.PENDING

    # Redact the A-number and her name; waive the public office's number, with a reason.
    for detail in (A_NUMBER, NARRATOR):
        finding = page.locator(".shield-decisions li", has=page.locator("mark", has_text=detail))
        finding.get_by_role("button", name=es("Redact")).click()
        expect(page.locator(".shield-decisions mark", has_text=detail)).to_have_count(0)
    office = page.locator(".shield-decisions li", has=page.locator("mark", has_text=OFFICE_PHONE))
    office.get_by_label(es("Reason to publish it")).fill(
        "Número público de la oficina de la concejal"
    )
    office.get_by_role("button", name=es("Waive")).click()
    expect(page.locator(".review-passage mark.finding-blocks")).to_have_count(0)
    expect(page.locator(".review-passage mark.finding-waived")).to_have_count(1)

    # Listen to all of the recording, and clear it.
    player = page.locator("audio.review-player")
    player.evaluate("audio => { audio.muted = true; return audio.play(); }")
    wait_until(page, lambda: player.evaluate("a => a.currentTime") > 0.3, "it never played")
    player.evaluate("audio => audio.pause()")
    page.get_by_label(es("I listened to all of it")).check()
    page.get_by_role("button", name=es("Clear the recording")).click()
    expect(page.locator("#recording .cleared")).to_contain_text("ana")

    # Three transcript paragraphs, each stamped from the player.
    page.get_by_role("link", name=es("Write the transcript with the player")).click()
    page.get_by_text(es("Paste or rewrite the whole text")).click()
    page.get_by_label(es("The whole transcript as text")).fill(PARAGRAPHS)
    page.get_by_role("button", name=es("Split into paragraphs")).click()
    editor_player = page.locator("#transcript-player")
    paragraphs = page.locator(".transcript-paragraph")
    for number, second in enumerate((1, 12, 30)):
        editor_player.evaluate(
            """(audio, second) => new Promise(done => {
                audio.addEventListener("seeked", done, {once: true});
                audio.currentTime = second;
            })""",
            second,
        )
        paragraphs.nth(number).get_by_role("button", name=es("Stamp")).click()
    assert_no_violations_in_admin(page, "transcript editor, stamped (es)")
    save_screenshot("es admin journey transcript stamped")
    page.get_by_role("button", name=es("Save the transcript")).click()
    page.wait_for_url(f"**/admin/stories/story/{oldest.pk}/review/#recording")
    assert list(oldest.transcript.values_list("start", flat=True)) == [
        datetime.timedelta(seconds=second) for second in (1, 12, 30)
    ]

    # Nothing holds it back now: approved and published.
    page.locator("#decision button.default").click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    oldest.refresh_from_db()
    assert oldest.status == Story.Status.APPROVED and oldest.is_visible
    assert A_NUMBER not in oldest.body and NARRATOR not in oldest.body
    assert OFFICE_PHONE in oldest.body
    assert oldest.recording.cleared_by.username == "ana"

    # The list action approves three stories: two are published, the third is named.
    clean = [make_story(title=f"Clean story {n}") for n in (1, 2)]
    risky = make_story(title="Risky story", body=f"My A-number is A123456789. {'Words. ' * 30}")
    page.goto(f"{site}/admin/stories/story/?status__exact=pending")
    for story in (*clean, risky):
        page.locator(f"input[name=_selected_action][value='{story.pk}']").check()
    page.select_option("select[name=action]", "approve")
    page.locator("button[name=index]").click()
    messages = page.locator(".messagelist")
    expect(messages).to_contain_text(es("Not published: %(title)s. %(reason)s").split(":")[0])
    expect(messages).to_contain_text("Risky story")
    assert_no_violations_in_admin(page, "list action, one refused (es)")
    save_screenshot("es admin journey list action")
    statuses = dict(
        Story.objects.filter(pk__in=[s.pk for s in (*clean, risky)]).values_list("title", "status")
    )
    assert statuses == {
        "Clean story 1": Story.Status.APPROVED,
        "Clean story 2": Story.Status.APPROVED,
        "Risky story": Story.Status.PENDING,
    }
