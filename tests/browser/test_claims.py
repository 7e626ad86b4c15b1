"""Two moderators, two browsers, one story: the second sees who is reviewing it,
and takes the review over only after confirming."""

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from stories.models import ReviewClaim, Story
from stories.moderators import MODERATORS_GROUP

from .helpers import assert_no_violations_in_admin

PASSWORD = "claims-passphrase-2026"
NO_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def moderators(django_user_model):
    group = Group.objects.get(name=MODERATORS_GROUP)
    people = []
    for username, first, last in (("rosa", "Rosa", "Lara"), ("tomas", "Tomás", "Ibarra")):
        user = django_user_model.objects.create_user(
            username, password=PASSWORD, is_staff=True, first_name=first, last_name=last
        )
        user.groups.add(group)
        people.append(user)
    return people


def sign_in(page, site, username):
    page.goto(site + "/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(site + "/admin/")


def test_the_second_moderator_sees_who_has_the_story_and_takes_it_over(
    page, browser, site, moderators, save_screenshot
):
    rosa, tomas = moderators
    oldest, following = Story.objects.review_queue()[:2]

    sign_in(page, site, "rosa")
    page.goto(site + "/admin/stories/story/desk/")
    page.get_by_role("link", name="Start with the oldest").click()
    page.wait_for_url(f"**/admin/stories/story/{oldest.pk}/review/")
    expect(page.get_by_role("heading", name="You are reviewing this story")).to_be_visible()
    assert_no_violations_in_admin(page, "review, claimed by oneself")
    save_screenshot("en admin review claimed by oneself")

    second = browser.new_context(viewport={"width": 375, "height": 800})
    try:
        other = second.new_page()
        sign_in(other, site, "tomas")
        other.goto(site + "/admin/stories/story/desk/")
        queue = other.locator(".review-queue")
        expect(queue).to_contain_text("Rosa Lara, reviewing, 0 min")
        expect(queue).to_contain_text("Overdue by")
        assert other.evaluate(NO_OVERFLOW), "the desk scrolls sideways on a phone"
        assert_no_violations_in_admin(other, "desk with a claimed story, 375 px")
        # Rosa has the oldest: Tomás is sent to the next one.
        start = other.get_by_role("link", name="Start with the oldest")
        assert start.get_attribute("href").endswith(f"/{following.pk}/review/")

        other.goto(site + f"/admin/stories/story/{oldest.pk}/review/")
        expect(
            other.get_by_role("heading", name="Rosa Lara is reviewing this story")
        ).to_be_visible()
        assert_no_violations_in_admin(other, "review claimed by another")
        assert ReviewClaim.objects.get(story=oldest).moderator == rosa

        other.get_by_role("button", name="Take over the review from Rosa Lara").click()
        expect(other.locator(".messagelist")).to_contain_text("You are reviewing this story now.")
        expect(other.get_by_role("heading", name="You are reviewing this story")).to_be_visible()
        assert ReviewClaim.objects.get(story=oldest).moderator == tomas
        assert oldest.events.last().note == "Took over the review from Rosa Lara"
    finally:
        second.close()

    page.reload()
    expect(page.get_by_role("heading", name="Tomás Ibarra is reviewing this story")).to_be_visible()
