import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group, Permission

from stories.models import ModerationEvent, Story, TaggedTheme, Theme
from stories.moderators import MODERATOR_PERMISSIONS, MODERATORS_GROUP

from ..factories import admin_edit, make_published, make_story

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/stories/story/"


def run_action(client, action, stories, **extra):
    data = {"action": action, ACTION_CHECKBOX_NAME: [s.pk for s in stories], **extra}
    return client.post(CHANGELIST, data, follow=True)


def test_moderators_group_has_exactly_the_permissions_in_code():
    group = Group.objects.get(name=MODERATORS_GROUP)
    granted = set(group.permissions.values_list("codename", flat=True))
    assert granted == set(MODERATOR_PERMISSIONS["stories"])
    assert "delete_story" not in granted
    assert not group.permissions.filter(content_type__app_label="auth").exists()


def test_approve_action_publishes_and_records_the_moderator(moderator_client, moderator):
    stories = [make_story(), make_story()]
    response = run_action(moderator_client, "approve", stories)
    assert "2 stories approved." in response.content.decode()
    for story in stories:
        story.refresh_from_db()
        assert story.status == Story.Status.APPROVED
        event = ModerationEvent.objects.filter(story=story).last()
        assert (event.actor, event.to_status) == (moderator, Story.Status.APPROVED)


@pytest.mark.parametrize(
    ("make", "action", "extra", "expected"),
    [
        (make_story, "reject", {"apply": "1", "reason": "spam"}, Story.Status.REJECTED),
        (make_published, "return_to_review", {}, Story.Status.PENDING),
    ],
)
def test_reject_and_return_to_review_actions(
    moderator_client, moderator, make, action, extra, expected
):
    story = make()
    run_action(moderator_client, action, [story], **extra)
    story.refresh_from_db()
    assert story.status == expected
    assert ModerationEvent.objects.filter(story=story, actor=moderator).count() == 1


def test_actions_skip_stories_whose_status_does_not_allow_it(moderator_client):
    published = make_published()
    pending = make_story()
    response = run_action(moderator_client, "approve", [published, pending])
    html = response.content.decode()
    assert "1 story approved." in html
    assert "1 story was skipped" in html


def test_feature_and_unfeature_actions(moderator_client, moderator):
    story = make_published()
    run_action(moderator_client, "feature", [story])
    story.refresh_from_db()
    assert story.featured
    run_action(moderator_client, "unfeature", [story])
    story.refresh_from_db()
    assert not story.featured
    notes = list(
        ModerationEvent.objects.filter(story=story, actor=moderator).values_list("note", flat=True)
    )
    assert notes == ["Featured", "Unfeatured"]


def test_moderator_cannot_delete_stories_or_set_status_by_hand(moderator_client):
    story = make_story(title="Original")
    response = moderator_client.get(f"{CHANGELIST}{story.pk}/change/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="status"' not in html
    assert 'name="contact_email"' not in html  # shown read-only
    assert story.contact_email in html
    assert 'name="moderator_notes"' in html
    assert moderator_client.get(f"{CHANGELIST}{story.pk}/delete/").status_code == 403
    actions = moderator_client.get(CHANGELIST).content.decode()
    assert "delete_selected" not in actions


def test_moderator_edits_text_and_notes_without_changing_status(moderator_client):
    story = make_story(title="Original", themes=["public-safety"])
    admin_edit(
        moderator_client,
        story,
        title="Redacted title",
        moderator_notes="Removed a street name",
        status="approved",  # must be ignored
    )
    story.refresh_from_db()
    assert story.title == "Redacted title"
    assert story.moderator_notes == "Removed a street name"
    assert story.status == Story.Status.PENDING
    assert list(story.themes.values_list("slug", flat=True)) == ["public-safety"]


def test_moderator_cannot_invent_a_theme_while_editing_a_story(moderator_client):
    story = make_story(themes=["public-safety"])
    response = moderator_client.get(f"{CHANGELIST}{story.pk}/change/")
    html = response.content.decode()
    assert 'name="themes"' in html and "<select" in html
    assert f'<option value="{Theme.objects.get(slug="public-safety").pk}" selected>' in html


def test_history_is_shown_read_only_on_the_story(moderator_client, moderator):
    story = make_story()
    story.approve(by=moderator, note="Checked carefully")
    html = moderator_client.get(f"{CHANGELIST}{story.pk}/change/").content.decode()
    assert "Moderation history" in html
    assert "Checked carefully" in html


def test_view_on_site_only_for_published_stories(moderator_client):
    pending = make_story()
    published = make_published()
    pending_html = moderator_client.get(f"{CHANGELIST}{pending.pk}/change/").content.decode()
    published_html = moderator_client.get(f"{CHANGELIST}{published.pk}/change/").content.decode()
    assert "View on site" not in pending_html
    assert "View on site" in published_html


def test_pending_queue_is_oldest_first(moderator_client):
    first, second = make_story(title="Sent first"), make_story(title="Sent second")
    response = moderator_client.get(CHANGELIST + "?status__exact=pending")
    titles = [s.title for s in response.context["cl"].result_list]
    assert titles == [first.title, second.title]


def test_changelist_filters_and_search(moderator_client):
    make_story(title="Needle in the haystack", themes=["legal-aid"])
    make_story(title="Something else")
    response = moderator_client.get(CHANGELIST + "?q=needle")
    assert [s.title for s in response.context["cl"].result_list] == ["Needle in the haystack"]
    theme = Theme.objects.get(slug="legal-aid")
    response = moderator_client.get(CHANGELIST + f"?themes__id__exact={theme.pk}")
    assert response.status_code == 200
    assert [s.title for s in response.context["cl"].result_list] == ["Needle in the haystack"]


def test_moderator_cannot_manage_users(moderator_client):
    assert moderator_client.get("/admin/auth/user/").status_code == 403
    assert moderator_client.get("/admin/auth/group/").status_code == 403
    assert moderator_client.get("/admin/auth/user/add/").status_code == 403


def test_merge_themes_retags_stories(moderator_client):
    trust = Theme.objects.get(slug="community-trust")
    safety = Theme.objects.get(slug="public-safety")
    both = make_story(themes=["community-trust", "public-safety"])
    only_trust = make_story(themes=["community-trust"])
    data = {
        "action": "merge_themes",
        ACTION_CHECKBOX_NAME: [trust.pk, safety.pk],
    }
    confirm = moderator_client.post("/admin/stories/theme/", data)
    assert "Merge into" in confirm.content.decode()
    moderator_client.post(
        "/admin/stories/theme/", {**data, "apply": "1", "target": safety.pk}, follow=True
    )
    assert not Theme.objects.filter(pk=trust.pk).exists()
    for story in (both, only_trust):
        assert list(story.themes.values_list("slug", flat=True)) == ["public-safety"]
    assert TaggedTheme.objects.filter(tag=safety).count() == 2


def test_createmoderator_command_makes_a_staff_user_in_the_group(monkeypatch, django_user_model):
    from django.core.management import call_command

    monkeypatch.setenv("DJANGO_MODERATOR_PASSWORD", "a-long-and-good-passphrase")
    call_command("createmoderator", "ana", "--email", "ana@example.org", "--noinput")
    user = django_user_model.objects.get(username="ana")
    assert user.is_staff and not user.is_superuser
    assert user.groups.filter(name=MODERATORS_GROUP).exists()
    assert user.has_perm("stories.change_story")
    assert not user.has_perm("stories.delete_story")
    assert not user.has_perm("auth.add_user")
    assert Permission.objects.filter(user=user).count() == 0


def test_the_consent_a_narrator_agreed_to_reads_as_paragraphs(moderator_client):
    story = make_story()
    html = moderator_client.get(f"/admin/stories/story/{story.pk}/change/").content.decode()
    assert "<p>By sending your story you agree that:</p>" in html
    assert "&lt;p&gt;" not in html
