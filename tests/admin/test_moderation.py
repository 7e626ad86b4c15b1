"""Moderation at scale: reports, the desk, rejection reasons, optimistic locking,
theme suggestions, stories in conversation and the transparency figures."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from stories.models import ModerationEvent, Report, Story, StoryLink, Theme, ThemeSuggestion
from stories.pages import transparency
from stories.search import results

from ..factories import admin_edit, admin_form_data, make_published, make_story

pytestmark = pytest.mark.django_db

PERSONAL = Report.Reason.PERSONAL_INFORMATION


def report_from(client, story, address, reason=PERSONAL, **fields):
    return client.post(
        f"/stories/{story.slug}/report/",
        {"reason": reason, "details": "", "email": "", **fields},
        REMOTE_ADDR=address,
    )


# --- Reports from readers ---


def test_a_reader_reports_a_story_and_only_a_keyed_hash_of_their_address_is_kept(client):
    story = make_published(title="Reported story")
    page = client.get(story.get_absolute_url()).content.decode()
    assert f'href="/stories/{story.slug}/report/"' in page
    form = client.get(f"/es/stories/{story.slug}/report/")
    assert form.status_code == 200
    assert "Señalar un problema con esta historia" in form.content.decode()

    response = report_from(
        client, story, "203.0.113.9", reason=Report.Reason.SPAM, email="r@example.org"
    )
    assert response.status_code == 302 and response["Location"] == "/report/thanks/"
    report = Report.objects.get()
    assert (report.story, report.reason, report.email) == (story, "spam", "r@example.org")
    assert len(report.reporter_hash) == 64 and "203.0.113" not in report.reporter_hash
    assert client.get("/report/thanks/").status_code == 200


def test_a_report_without_a_reason_gets_the_form_back(client):
    story = make_published(title="Reported story")
    response = client.post(f"/stories/{story.slug}/report/", {"details": "kept"})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    assert "kept" in response.content.decode()
    assert not Report.objects.exists()


@pytest.mark.parametrize("state", ["pending", "rejected", "withdrawn", "embargoed"])
def test_only_visible_stories_can_be_reported(client, every_state_archive, state):
    story = every_state_archive[state]
    slug = story.slug or "no-slug"
    assert client.get(f"/stories/{slug}/report/").status_code == 404
    assert report_from(client, story, "203.0.113.1").status_code == 404
    assert not Report.objects.exists()


def test_reports_share_the_submission_limiter(client, settings):
    settings.REPORT_RATE_LIMIT = 2
    story = make_published(title="Reported story")
    assert report_from(client, story, "203.0.113.5", reason="spam").status_code == 302
    assert report_from(client, story, "203.0.113.5", reason="spam").status_code == 302
    refused = report_from(client, story, "203.0.113.5", reason="spam")
    assert refused.status_code == 429 and "Retry-After" in refused
    assert Report.objects.count() == 2
    assert report_from(client, story, "198.51.100.5", reason="spam").status_code == 302


def test_the_honeypot_drops_a_bot_report_quietly(client):
    story = make_published(title="Reported story")
    response = report_from(client, story, "203.0.113.5", website="http://spam.example")
    assert response.status_code == 302
    assert not Report.objects.exists()


def test_three_distinct_readers_take_a_story_off_the_site_at_once(client, page_cache, settings):
    story = make_published(title="Zqexposed story")
    assert "Zqexposed" in client.get("/stories/").content.decode()  # now in the page cache
    report_from(client, story, "203.0.113.1")
    report_from(client, story, "203.0.113.2")
    story.refresh_from_db()
    assert story.status == Story.Status.APPROVED
    assert "Zqexposed" in client.get("/stories/").content.decode()

    report_from(client, story, "2001:db8::1")
    story.refresh_from_db()
    assert story.status == Story.Status.PENDING
    assert "Zqexposed" not in client.get("/stories/").content.decode()
    assert client.get(f"/stories/{story.slug}/").status_code == 404
    event = story.events.last()
    assert event.actor is None and event.to_status == Story.Status.PENDING
    assert "3 readers reported personal information exposed" in event.note
    # A fourth report finds the story already off the site.
    assert report_from(client, story, "203.0.113.4").status_code == 404


def test_one_reader_cannot_take_a_story_down_alone(client, settings):
    settings.REPORT_RATE_LIMIT = 10
    story = make_published(title="Reported story")
    for _ in range(5):
        report_from(client, story, "203.0.113.1")
    # Other reasons do not count towards the threshold either.
    report_from(client, story, "203.0.113.2", reason=Report.Reason.SPAM)
    report_from(client, story, "203.0.113.3", reason=Report.Reason.HARASSMENT)
    story.refresh_from_db()
    assert story.status == Story.Status.APPROVED
    assert Report.objects.count() == 7


def test_reports_made_before_a_story_was_approved_again_no_longer_count(client, moderator):
    story = make_published(title="Reported story")
    report_from(client, story, "203.0.113.1")
    report_from(client, story, "203.0.113.2")
    report_from(client, story, "203.0.113.3")
    story.refresh_from_db()
    assert story.status == Story.Status.PENDING
    story.approve(by=moderator, note="Checked: nothing identifies anyone.")
    report_from(client, story, "203.0.113.4")  # the reports stay open, but are judged
    story.refresh_from_db()
    assert story.status == Story.Status.APPROVED


def test_a_flood_of_reports_does_not_empty_the_page_cache(client, page_cache, settings):
    from stories.pagecache import store

    settings.REPORT_RATE_LIMIT = 50
    story = make_published(title="Reported story")
    before = store.generation()
    for n in range(5):
        report_from(client, story, f"203.0.113.{n}", reason=Report.Reason.SPAM)
    assert store.generation() == before


def test_resolved_reports_no_longer_count(client, moderator):
    story = make_published(title="Reported story")
    report_from(client, story, "203.0.113.1")
    report_from(client, story, "203.0.113.2")
    for report in Report.objects.all():
        report.resolve(Report.Resolution.NO_ACTION, by=moderator)
    report_from(client, story, "203.0.113.3")
    story.refresh_from_db()
    assert story.status == Story.Status.APPROVED


def test_resolving_reports_in_the_admin_records_who_and_how(moderator_client, moderator):
    story = make_published(title="Reported story")
    report = Report.file(
        story, reason=PERSONAL, details="", email="", reporter_hash="a" * 64
    )  # fmt: skip
    listing = moderator_client.get("/admin/stories/report/")
    assert listing.status_code == 200 and "Reported story" in listing.content.decode()
    data = {"action": "resolve", "_selected_action": [report.pk]}
    asked = moderator_client.post("/admin/stories/report/", data)
    assert asked.status_code == 200 and "How was it resolved?" in asked.content.decode()
    done = moderator_client.post(
        "/admin/stories/report/", {**data, "apply": "1", "resolution": "story_edited"}
    )
    assert done.status_code == 302
    report.refresh_from_db()
    assert (report.resolved_by, report.resolution) == (moderator, "story_edited")
    assert report.resolved_at is not None
    # Reports are what readers sent: moderators cannot add, edit or delete them.
    assert moderator_client.get(f"/admin/stories/report/{report.pk}/delete/").status_code == 403
    assert moderator_client.get("/admin/stories/report/add/").status_code == 403


def test_the_purge_erases_old_resolved_reports_details(moderator, settings):
    story = make_published(title="Reported story")
    old = Report.file(
        story, reason=PERSONAL, details="quoted text", email="r@example.org", reporter_hash="a" * 64
    )
    recent = Report.file(
        story, reason=PERSONAL, details="recent", email="s@example.org", reporter_hash="b" * 64
    )
    old.resolve(Report.Resolution.NO_ACTION, by=moderator)
    long_ago = timezone.now() - datetime.timedelta(days=settings.RESOLVED_REPORT_RETENTION_DAYS + 1)
    Report.objects.filter(pk=old.pk).update(resolved_at=long_ago)
    call_command("purge_private_data", stdout=open("/dev/null", "w"))
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.details, old.email, old.reporter_hash) == ("", "", "")
    assert (old.reason, old.resolution) == (PERSONAL, "no_action")
    assert recent.details == "recent" and recent.email == "s@example.org"


# --- The desk and the review ---


def test_the_desk_lists_every_queue_within_the_query_budget(
    moderator_client, moderator, django_assert_max_num_queries
):
    old = make_story(title="Oldest waiting")
    Story.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - datetime.timedelta(days=4))
    make_story(title="Newest waiting", suggested_theme="Escuelas")
    make_story(title="Also waiting", suggested_theme="escuelas ")
    reported = make_published(title="Reported story")
    Report.file(reported, reason=PERSONAL, details="", email="", reporter_hash="a" * 64)
    later = make_story(title="Embargoed story")
    later.embargo_until = timezone.now() + datetime.timedelta(days=5)
    later.save()
    later.approve(by=moderator)
    make_story(title="Declined story").reject(by=moderator, reason="spam")

    with django_assert_max_num_queries(10):
        response = moderator_client.get("/admin/stories/story/desk/")
    page = response.content.decode()
    assert page.index("Oldest waiting") < page.index("Newest waiting")
    assert "4\xa0days" in page
    assert "Reported story" in page and "Personal information exposed" in page
    assert "Embargoed story" in page
    assert "Escuelas" in page  # one suggestion, asked for by two stories
    counts = {row["perspective"].slug: row for row in response.context["recent_counts"]}
    assert counts["immigrants"]["pending"] == 3
    assert counts["immigrants"]["approved"] == 2
    assert counts["immigrants"]["rejected"] == 1
    assert "/admin/stories/story/desk/" in moderator_client.get("/admin/").content.decode()


def test_the_desk_is_for_moderators_only(client, django_user_model):
    assert client.get("/admin/stories/story/desk/").status_code == 302
    visitor = django_user_model.objects.create_user("visitor", password="x" * 20, is_staff=True)
    client.force_login(visitor)
    assert client.get("/admin/stories/story/desk/").status_code == 403


def test_reviewing_the_queue_in_order(moderator_client, moderator):
    first = make_story(title="First in line")
    second = make_story(title="Second in line")
    Story.objects.filter(pk=first.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(hours=2)
    )
    review = moderator_client.get(f"/admin/stories/story/{first.pk}/review/")
    page = review.content.decode()
    assert "First in line" in page and f"/admin/stories/story/{first.pk}/review/next/" in page
    assert moderator_client.get(f"/admin/stories/story/{first.pk}/review/next/")["Location"] == (
        f"/admin/stories/story/{second.pk}/review/"
    )

    approved = moderator_client.post(
        f"/admin/stories/story/{first.pk}/review/", {"decision": "approve", "note": "fine"}
    )
    assert approved["Location"] == f"/admin/stories/story/{second.pk}/review/"
    first.refresh_from_db()
    assert first.status == Story.Status.APPROVED

    no_reason = moderator_client.post(
        f"/admin/stories/story/{second.pk}/review/", {"decision": "reject", "note": "why"}
    )
    assert no_reason.status_code == 200 and "Choose a reason" in no_reason.content.decode()
    second.refresh_from_db()
    assert second.status == Story.Status.PENDING

    rejected = moderator_client.post(
        f"/admin/stories/story/{second.pk}/review/",
        {"decision": "reject", "reason": "not_first_hand", "note": "Told by a cousin."},
    )
    assert rejected["Location"] == "/admin/stories/story/desk/"  # the queue is empty
    event = second.events.last()
    assert (event.to_status, event.reason, event.note, event.actor) == (
        "rejected",
        "not_first_hand",
        "Told by a cousin.",
        moderator,
    )


def test_a_decision_on_a_story_someone_else_just_decided_changes_nothing(
    moderator_client, moderator
):
    story = make_story(title="Decided twice")
    story_seen_by_second_moderator = Story.objects.get(pk=story.pk)
    story.approve(by=moderator)
    response = moderator_client.post(
        f"/admin/stories/story/{story_seen_by_second_moderator.pk}/review/",
        {"decision": "reject", "reason": "spam"},
    )
    assert response.status_code == 200
    assert "Its status has changed meanwhile" in response.content.decode()
    assert story.events.filter(to_status="rejected").count() == 0


def test_the_list_action_asks_for_a_rejection_reason(moderator_client):
    story = make_story(title="Rejected from the list")
    data = {"action": "reject", "_selected_action": [story.pk]}
    asked = moderator_client.post("/admin/stories/story/", data)
    assert asked.status_code == 200 and "Reason" in asked.content.decode()
    story.refresh_from_db()
    assert story.status == Story.Status.PENDING
    moderator_client.post(
        "/admin/stories/story/", {**data, "apply": "1", "reason": "duplicate", "note": ""}
    )
    assert story.events.last().reason == "duplicate"


# --- Optimistic locking ---


def test_the_second_of_two_moderators_saving_the_same_story_is_refused(client, moderator):
    story = make_story(title="Original title")
    client.force_login(moderator)
    url = f"/admin/stories/story/{story.pk}/change/"
    opened_by_second = client.get(url).context["adminform"].form.initial["version_seen"]

    admin_edit(client, story, title="First moderator's title")
    story.refresh_from_db()
    assert story.title == "First moderator's title"

    data = admin_form_data(
        client, story, title="Second moderator's title", version_seen=opened_by_second
    )
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "Another moderator changed this story after you opened it" in refused.content.decode()
    story.refresh_from_db()
    assert story.title == "First moderator's title"


def test_every_save_raises_the_version(moderator):
    story = make_story(title="Versioned")
    assert story.version == 1
    story.approve(by=moderator)
    assert story.version == 2 == Story.objects.get(pk=story.pk).version
    story.set_featured(True, by=moderator)
    assert Story.objects.get(pk=story.pk).version == 3


# --- Theme suggestions ---


def test_suggestions_group_narrators_wordings(client):
    make_story(title="One", suggested_theme="Escuelas")
    make_story(title="Two", suggested_theme="  escuelas")
    make_story(title="Three", suggested_theme="Vivienda")
    waiting = {s.name: s.story_count for s in ThemeSuggestion.objects.waiting()}
    assert waiting == {"Escuelas": 2, "Vivienda": 1}


def test_accepting_a_suggestion_creates_the_theme_and_tags_its_stories(moderator_client):
    pending = make_story(title="Asked for schools", suggested_theme="Schools")
    published = make_story(title="Also schools", suggested_theme="schools")
    published.approve(by=None)
    suggestion = ThemeSuggestion.objects.get()
    data = {"action": "accept", "_selected_action": [suggestion.pk]}
    asked = moderator_client.post("/admin/stories/themesuggestion/", data)
    assert asked.status_code == 200 and 'value="Schools"' in asked.content.decode()
    assert not Theme.objects.filter(name="Schools").exists()  # nothing public yet
    for refused_name, problem in (
        ("Call 323-555-0187", "could identify"),
        ("public safety", "exists"),
    ):
        refused = moderator_client.post(
            "/admin/stories/themesuggestion/", {**data, "apply": "1", "name": refused_name}
        )
        assert problem in refused.content.decode()
    moderator_client.post(
        "/admin/stories/themesuggestion/",
        {**data, "apply": "1", "name": "Schools", "name_es": "Escuelas"},
    )
    theme = Theme.objects.get(name="Schools")
    assert theme.name_es == "Escuelas"
    assert set(theme.tagged_stories.values_list("content_object", flat=True)) == {
        pending.pk,
        published.pk,
    }
    suggestion.refresh_from_db()
    assert suggestion.decision == "accepted" and suggestion.theme == theme
    assert not ThemeSuggestion.objects.waiting().exists()
    # The index knows the new theme's name.
    assert list(results.search(Story.objects.published(), "schools")) == [published]


def test_mapping_and_declining_suggestions(moderator_client, moderator):
    story = make_story(title="Asked for police", suggested_theme="Policing")
    make_story(title="Asked for taxes", suggested_theme="Taxes")
    policing, taxes = ThemeSuggestion.objects.order_by("name")
    target = Theme.objects.get(slug="public-safety")
    data = {"action": "map_onto_theme", "_selected_action": [policing.pk]}
    moderator_client.post("/admin/stories/themesuggestion/", data)
    moderator_client.post(
        "/admin/stories/themesuggestion/", {**data, "apply": "1", "theme": target.pk}
    )
    assert target in story.themes.all()
    moderator_client.post(
        "/admin/stories/themesuggestion/", {"action": "decline", "_selected_action": [taxes.pk]}
    )
    policing.refresh_from_db()
    taxes.refresh_from_db()
    assert (policing.decision, policing.theme, policing.decided_by) == ("mapped", target, moderator)
    assert (taxes.decision, taxes.theme) == ("declined", None)


# --- Stories in conversation ---


def test_linked_stories_show_on_both_pages_and_vanish_when_one_leaves(client, moderator):
    answer = make_published(title="The answer", perspective="critics")
    original = make_published(title="The original", perspective="immigrants")
    StoryLink.objects.create(
        from_story=answer, relation=StoryLink.Relation.RESPONDS_TO, to_story=original
    )
    answer_page = client.get(answer.get_absolute_url()).content.decode()
    original_page = client.get(original.get_absolute_url()).content.decode()
    assert "Responds to" in answer_page and "The original" in answer_page
    assert "A response" in original_page and "The answer" in original_page
    assert "Critics" in original_page

    answer.return_to_review(by=moderator)
    assert "The answer" not in client.get(original.get_absolute_url()).content.decode()
    answer.approve(by=moderator)
    assert "The answer" in client.get(original.get_absolute_url()).content.decode()
    original.withdraw()
    page = client.get(answer.get_absolute_url()).content.decode()
    assert "The original" not in page and "Stories in conversation" not in page


def test_two_stories_are_linked_once_whichever_way(moderator):
    from django.core.exceptions import ValidationError

    one, other = make_published(title="One"), make_published(title="Other")
    StoryLink.objects.create(from_story=one, to_story=other, relation="same_event")
    with pytest.raises(ValidationError, match="linked already"):
        StoryLink(from_story=other, to_story=one, relation="responds_to").full_clean()


def test_mapping_a_suggestion_or_merging_themes_outdates_open_change_forms(moderator):
    story = make_story(title="Asked", suggested_theme="Policing", themes=["legal-aid"])
    version = Story.objects.get(pk=story.pk).version
    ThemeSuggestion.objects.get().map_onto(Theme.objects.get(slug="public-safety"), by=moderator)
    assert Story.objects.get(pk=story.pk).version == version + 1
    Theme.objects.get(slug="legal-aid").merge_into(Theme.objects.get(slug="public-safety"))
    assert Story.objects.get(pk=story.pk).version == version + 2


def test_a_moderator_links_stories_in_the_admin(moderator_client):
    story = make_published(title="Linking story")
    other = make_published(title="Linked story")
    hidden = make_story(title="Pending story")
    url = f"/admin/stories/story/{story.pk}/change/"
    base = admin_form_data(
        moderator_client,
        story,
        **{"links_out-TOTAL_FORMS": "1", "links_out-0-relation": "same_event"},
    )
    refused = moderator_client.post(url, {**base, "links_out-0-to_story": hidden.pk})
    assert refused.status_code == 200 and "Only a published story can be linked" in (
        refused.content.decode()
    )
    saved = moderator_client.post(url, {**base, "links_out-0-to_story": other.pk})
    assert saved.status_code == 302
    link = StoryLink.objects.get()
    assert (link.from_story, link.to_story, link.relation) == (story, other, "same_event")
    assert link.created_by is not None


# --- Transparency ---


def test_the_transparency_figures_follow_the_events(moderator):
    day = datetime.timedelta(days=1)
    now = timezone.now()

    def submitted(days_ago, perspective="immigrants", title="A story"):
        story = make_story(title=title, perspective=perspective)
        Story.objects.filter(pk=story.pk).update(submitted_at=now - days_ago * day)
        story.refresh_from_db()
        return story

    def decided(story, days_ago):
        story.events.filter(to_status__in=["approved", "rejected"]).update(
            created_at=now - days_ago * day
        )

    a = submitted(10)
    a.approve(by=moderator)
    decided(a, 8)  # 2 days
    b = submitted(10)
    b.reject(by=moderator, reason="spam")
    decided(b, 6)  # 4 days
    c = submitted(200)
    c.approve(by=moderator)
    decided(c, 150)  # outside the 90-day window
    d = submitted(5, perspective="critics")
    d.reject(by=moderator, reason="duplicate")
    decided(d, 4)  # 1 day
    d.return_to_review(by=moderator)
    d.reject(by=moderator, reason="duplicate")  # its first decision still counts
    submitted(1)  # pending
    e = submitted(3, perspective="critics")
    e.withdraw()

    rows, total = transparency.figures()
    by_slug = {row.perspective.slug: row for row in rows}
    immigrants, critics = by_slug["immigrants"], by_slug["critics"]
    assert (immigrants.received, immigrants.published, immigrants.pending) == (4, 2, 1)
    assert (immigrants.rejected, immigrants.withdrawn) == (1, 0)
    assert immigrants.median_days_to_decision == 3.0  # 2 and 4 days
    assert len(immigrants.days_to_decision) == 2
    assert (critics.received, critics.rejected, critics.withdrawn) == (2, 1, 1)
    assert critics.median_days_to_decision == 1.0
    assert dict(critics.rejection_reasons) == {"Duplicate of another story": 2}
    assert total.received == 6 and len(total.days_to_decision) == 3
    assert total.median_days_to_decision == 2.0
    assert dict(total.rejection_reasons) == {
        "Duplicate of another story": 2,
        "Spam or advertising": 1,
    }
    grid = transparency.reasons_by_perspective(rows, total)
    columns = [row.perspective.slug for row in rows]
    duplicate = dict(zip(columns, grid[0][1], strict=True))
    assert grid[0][0] == "Duplicate of another story" and grid[0][2] == 2
    assert duplicate["critics"] == 2 and duplicate["immigrants"] == 0


def test_the_transparency_page_shows_counts_and_no_story(client, moderator):
    story = make_story(title="Zqrejectedtitle", moderator_notes="Zqnote")
    story.reject(by=moderator, reason="hate", note="Zqeventnote")
    make_published(title="Zqpublishedtitle")
    for prefix, phrase in (("", "How moderation works"), ("/es", "Cómo funciona la moderación")):
        response = client.get(f"{prefix}/about/moderation/")
        page = response.content.decode()
        assert response.status_code == 200 and phrase in page
        for private in ("Zqrejectedtitle", "Zqnote", "Zqeventnote", "Zqpublishedtitle"):
            assert private not in page
    assert "Hate, harassment or a threat" in client.get("/about/moderation/").content.decode()


def test_old_rejections_without_a_reason_are_counted_as_such(moderator):
    story = make_story(title="Old rejection")
    story.reject(by=moderator)
    _rows, total = transparency.figures()
    assert dict(total.rejection_reasons) == {"No reason recorded": 1}
    assert ModerationEvent.objects.get(to_status="rejected").reason == ""
