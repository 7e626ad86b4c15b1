"""
The share form's review step made easy to act on: "Remove it for me", the
record of findings sent anyway, "How do you want to appear?", and the preview
of what readers will see of the narrator.
"""

import re

import pytest

from stories.models import Recording, Story
from stories.pages.preview import (
    ALL_THREE_TOGETHER,
    DESCRIPTOR_NAMES_A_WORKPLACE,
    PLACE_IS_A_STREET,
    warnings_for,
)
from stories.safety import shield

from ..factories import (
    LONG_BODY,
    OWN_NAME,
    open_share_step,
    post_share,
    share_data,
    wav_upload,
)

pytestmark = pytest.mark.django_db

# One detail of every kind the shield knows, as a narrator might write it; the
# value the shield flags; and the placeholder "Remove it for me" leaves, per language.
DETAILS = {
    "name": (f"Everybody knows me as {OWN_NAME} here.", OWN_NAME),
    "email": ("Write to rosa.m@gmail.com for more.", "rosa.m@gmail.com"),
    "phone": ("Call me at (213) 555-0142 any time.", "(213) 555-0142"),
    "street_address": ("We lived at 456 South Main Street then.", "456 South Main Street"),
    "date_of_birth": ("I was born on March 14, 1985 in Puebla.", "March 14, 1985"),
    "ssn": ("My SSN 123-45-6789 was stolen.", "123-45-6789"),
    "a_number": ("My A-number is A-123-456-789 still.", "A-123-456-789"),
    "case_number": ("The booking number 5553311 was on the paper.", "5553311"),
    "licence_plate": ("His plate 6TRJ244 was seen.", "6TRJ244"),
}
PLACEHOLDERS = {
    "en": {
        "name": "[name removed]",
        "email": "[email address removed]",
        "phone": "[phone number removed]",
        "street_address": "[street address removed]",
        "date_of_birth": "[date of birth removed]",
        "ssn": "[Social Security number removed]",
        "a_number": "[A-number removed]",
        "case_number": "[case number removed]",
        "licence_plate": "[licence plate removed]",
    },
    "es": {
        "name": "[nombre quitado]",
        "email": "[correo electrónico quitado]",
        "phone": "[número de teléfono quitado]",
        "street_address": "[dirección quitada]",
        "date_of_birth": "[fecha de nacimiento quitada]",
        "ssn": "[número de Seguro Social quitado]",
        "a_number": "[número A quitado]",
        "case_number": "[número de caso quitado]",
        "licence_plate": "[placa quitada]",
    },
}


def test_every_kind_of_finding_has_a_placeholder():
    assert set(shield.PLACEHOLDERS) == set(shield.KINDS) == set(DETAILS)


def risky(kind, **overrides):
    sentence, _value = DETAILS[kind]
    appear = {"appear": "anonymous", "narrator_name": OWN_NAME} if kind == "name" else {}
    return share_data(body=LONG_BODY + sentence + " " + LONG_BODY, **appear, **overrides)


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("kind", list(DETAILS))
def test_remove_it_for_me_puts_the_kinds_placeholder_and_changes_nothing_else(
    client, kind, language
):
    prefix = "" if language == "en" else "/es"
    data = risky(kind, language=language)
    review = post_share(client, prefix=prefix, data=data)
    [shown] = review.context["findings"]
    assert shown.finding.kind == kind
    html = review.content.decode()
    # The button names the finding by its place, never by its value.
    button = f'name="remove" value="{shown.finding.key}"'
    assert button in html and DETAILS[kind][1] not in shown.finding.key

    response = post_share(client, prefix=prefix, data={**data, "remove": shown.finding.key})
    assert response.status_code == 200
    form = response.context["form"]
    placeholder = PLACEHOLDERS[language][kind]
    expected = data["body"].replace(DETAILS[kind][1], placeholder).strip()  # as cleaned
    assert form["body"].value() == expected
    for name, value in data.items():
        if name not in {"body", "themes", "consent", "remove"}:
            assert str(form[name].value()) == value, name
    assert sorted(form["themes"].value()) == sorted(data["themes"])
    assert response.context["findings"] == []
    page = response.content.decode()
    assert "Nothing else to check" in page or "Nada más que revisar" in page
    assert placeholder in page
    assert not Story.objects.exists()

    # Sent from there: the story holds the placeholder, and no finding was left in it.
    sent = post_share(
        client, prefix=prefix, data={**data, "body": form["body"].value(), "send": "1"}
    )
    assert sent.status_code == 302
    story = Story.objects.get()
    assert placeholder in story.body and DETAILS[kind][1] not in story.body
    assert story.sent_with_findings == []


def test_the_placeholder_is_in_the_language_the_story_is_written_in(client):
    """A story written in Spanish on the English page reads "[número de teléfono quitado]"."""
    data = risky("phone", language="es")
    [shown] = post_share(client, data).context["findings"]
    form = post_share(client, {**data, "remove": shown.finding.key}).context["form"]
    assert "[número de teléfono quitado]" in form["body"].value()


def test_removing_one_finding_keeps_the_others_listed(client):
    data = share_data(
        body=LONG_BODY + DETAILS["phone"][0] + " " + DETAILS["a_number"][0],
    )
    findings = post_share(client, data).context["findings"]
    assert [shown.finding.kind for shown in findings] == ["phone", "a_number"]
    response = post_share(client, {**data, "remove": findings[0].finding.key})
    assert [shown.finding.kind for shown in response.context["findings"]] == ["a_number"]
    html = response.content.decode()
    assert "Removed: Phone number in “Your story”" in html
    assert "[phone number removed]" in html and "A-123-456-789" in html


def test_a_key_that_no_longer_matches_the_text_removes_nothing(client):
    data = risky("phone")
    [shown] = post_share(client, data).context["findings"]
    edited = {**data, "body": "New words first. " + data["body"], "remove": shown.finding.key}
    response = post_share(client, edited)
    assert response.context["form"]["body"].value() == edited["body"]
    assert "That detail has changed since the last check" in response.content.decode()
    assert len(response.context["findings"]) == 1
    assert not Story.objects.exists()


def test_remove_it_for_me_keeps_the_held_recording(client, recordings_on_disk):
    data = risky("phone")
    post_share(client, {**data, "recording": wav_upload()})
    held = Recording.objects.get()
    [shown] = post_share(client, data).context["findings"]
    response = post_share(client, {**data, "remove": shown.finding.key})
    assert "A recording of your story" in response.content.decode()
    body = response.context["form"]["body"].value()
    assert post_share(client, {**data, "body": body}).status_code == 302
    assert Story.objects.get().recording.pk == held.pk


def test_the_findings_and_both_actions_come_before_the_answers(client):
    html = post_share(client, risky("phone")).content.decode()
    findings = html.index('class="findings"')
    check_again = html.index('name="check"', findings)
    send_anyway = html.index('name="send_anyway"')
    answers = html.index('id="answers-heading"')
    assert html.index("<h1>") < findings < check_again < send_anyway < answers
    # The text the finding is in is there to change, between the actions and the answers.
    assert send_anyway < html.index('name="body"') < answers
    # The first submit button, which the Enter key presses, checks again: never a removal.
    form = html[html.index('id="share-form"') :]
    first_button = re.search(r'<button type="submit"[^>]*>', form).group()
    assert 'name="check"' in first_button


# --- Sent anyway: the story records the kinds, never the values again ---


def test_send_anyway_records_the_kinds_of_findings_left_in(client):
    data = share_data(body=LONG_BODY + DETAILS["phone"][0] + " " + DETAILS["a_number"][0])
    post_share(client, {**data, "send_anyway": "1"})
    story = Story.objects.get()
    assert story.sent_with_findings == ["phone", "a_number"]
    assert "555" not in str(story.sent_with_findings)
    assert shield.sent_anyway(story.sent_with_findings) == (
        "Sent anyway, 2 findings (Phone number, Alien registration number (A-number))"
    )


def test_a_story_with_nothing_found_records_no_findings(client):
    post_share(client, share_data())
    assert Story.objects.get().sent_with_findings == []


def test_moderators_see_sent_anyway_on_the_story_the_desk_and_the_review(moderator_client):
    data = share_data(body=LONG_BODY + DETAILS["phone"][0] + " " + DETAILS["a_number"][0])
    post_share(moderator_client, {**data, "send_anyway": "1"})
    story = Story.objects.get()
    said = "Sent anyway, 2 findings (Phone number, Alien registration number (A-number))"
    for address in (
        f"/admin/stories/story/{story.pk}/change/",
        "/admin/stories/story/desk/",
        f"/admin/stories/story/{story.pk}/review/",
    ):
        assert said in moderator_client.get(address).content.decode(), address


# --- "How do you want to appear?" ---


def test_how_to_appear_is_asked_first_with_nothing_chosen(client):
    html = open_share_step(client, "about-you").content.decode()
    about_you = html[html.index("<h1>About you") :]
    assert about_you.index("How do you want to appear?") < about_you.index('name="narrator_name"')
    radios = re.findall(r'<input type="radio" name="appear"[^>]*>', html)
    assert len(radios) == 2 and not any("checked" in radio for radio in radios)
    assert "not your full legal name" in html
    assert "only if you chose “With a name I choose”" in html


def test_how_to_appear_must_be_chosen(client):
    response = post_share(client, share_data(appear=None))
    assert "Choose how you want to appear" in response.content.decode()
    assert not Story.objects.exists()


def test_a_name_i_choose_needs_the_name(client):
    response = post_share(client, share_data(appear="named", narrator_name=" "))
    assert "Give the name to show, or choose “Anonymous”." in response.content.decode()
    assert not Story.objects.exists()


def test_the_choice_maps_onto_the_storys_fields(client):
    post_share(client, share_data(appear="named", narrator_name="Lupe"))
    post_share(client, share_data(appear="anonymous", narrator_name=""))
    named, anonymous = Story.objects.order_by("pk")
    assert (named.is_anonymous, named.display_name) == (False, "Lupe")
    assert (anonymous.is_anonymous, anonymous.display_name) == (True, "Anonymous")


# --- What readers will see of the narrator ---


def test_the_review_step_shows_what_readers_will_see(client):
    data = risky(
        "phone",
        appear="anonymous",
        narrator_descriptor="office cleaner",
        place="Pico-Union",
        year_happened="2025",
    )
    html = post_share(client, data).content.decode()
    card = re.search(r'<p class="preview-card[^"]*">(.*?)</p>', html, re.S).group(1)
    text = " ".join(re.sub(r"<[^>]+>", "", card).split())  # as a browser shows it
    assert text == "Anonymous, office cleaner · Pico-Union · 2025"
    assert "What readers will see of you" in html
    assert "A decade, not a year" in html  # all three together


def test_a_named_narrators_preview_shows_their_name_alone_when_nothing_else_is_given(client):
    data = risky("phone", narrator_name="Lupe", narrator_descriptor="", place="", year_happened="")
    html = post_share(client, data).content.decode()
    card = re.search(r'<p class="preview-card[^"]*">(.*?)</p>', html, re.S).group(1)
    assert re.sub(r"<[^>]+>", "", card).strip() == "Lupe"
    assert "This could point to you" not in html


@pytest.mark.parametrize(
    ("descriptor", "place", "year", "warnings"),
    [
        ("office cleaner", "Pico-Union", None, []),
        ("office cleaner", "", 2025, []),
        ("", "Pico-Union", 2025, []),
        ("office cleaner", "Pico-Union", 2025, [ALL_THREE_TOGETHER]),
        ("", "1234 E. Cesar Chavez Ave", None, [PLACE_IS_A_STREET]),
        ("", "corner of Soto and Whittier", None, [PLACE_IS_A_STREET]),
        ("", "Calle Juárez", None, [PLACE_IS_A_STREET]),
        ("", "Boyle Heights", None, []),
        ("nurse at County-USC", "", None, [DESCRIPTOR_NAMES_A_WORKPLACE]),
        ("cocinera en El Tepeyac", "", None, [DESCRIPTOR_NAMES_A_WORKPLACE]),
        ("madre con tres hijos", "", None, []),
        ("daughter, Pico-Union", "", None, []),
    ],
)
def test_the_warning_rule(descriptor, place, year, warnings):
    assert warnings_for(descriptor=descriptor, place=place, year=year) == warnings


def test_moderators_see_a_story_sent_with_nothing_found_said_so(moderator_client):
    post_share(moderator_client, share_data())
    story = Story.objects.get()
    page = moderator_client.get(f"/admin/stories/story/{story.pk}/change/").content.decode()
    assert "With no findings left in it" in page and "Sent anyway" not in page
