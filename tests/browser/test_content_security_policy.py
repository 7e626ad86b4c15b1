"""The Content-Security-Policy allows no inline script or style: no page may need one."""

from django.contrib.auth.models import Group

from stories.models import Perspective, Story
from stories.moderators import MODERATORS_GROUP

from .helpers import open_page, page_paths


def test_no_page_breaks_the_content_security_policy(page, site, django_user_model):
    refused = []

    def note_refusal(message):
        if "Content Security Policy" in message.text:
            refused.append((page.url, message.text))

    page.on("console", note_refusal)
    moderator = django_user_model.objects.create_user(
        "csp", "csp@example.org", "policy-passphrase-2026", is_staff=True
    )
    moderator.groups.add(Group.objects.get(name=MODERATORS_GROUP))
    visited = 0
    for prefix in ("", "/es"):
        for path in page_paths().values():
            open_page(page, site, prefix, path)
            visited += 1
    page.goto(site + "/admin/")
    page.get_by_label("Username").fill("csp")
    page.get_by_label("Password").fill("policy-passphrase-2026")
    page.get_by_role("button", name="Log in").click()
    pending = Story.objects.filter(status=Story.Status.PENDING).first()
    with_recording = Story.objects.filter(recording__isnull=False).first()
    for path in (
        "/admin/",
        "/admin/stories/story/",
        f"/admin/stories/story/{pending.pk}/change/",
        f"/admin/stories/story/{pending.pk}/redact/",
        "/admin/stories/theme/",
        # Where moderators choose a perspective's colour and mark.
        f"/admin/stories/perspective/{Perspective.objects.first().pk}/change/",
        "/admin/stories/story/desk/",
        f"/admin/stories/story/{pending.pk}/review/",
        f"/admin/stories/story/{with_recording.pk}/change/",
        f"/admin/stories/story/{with_recording.pk}/review/",
        "/admin/stories/report/",
        "/admin/stories/themesuggestion/",
        "/admin/stories/questionprompt/",
    ):
        page.goto(site + path)
        visited += 1
    assert visited == 89
    assert refused == []
