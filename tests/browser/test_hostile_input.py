"""
Script injection, the way an attacker would try it: fifty payloads from the OWASP
filter-evasion cheat sheet and well-known polyglots (tests/data/xss_payloads.txt)
typed into every field a narrator controls, through the share form and through
the admin, approved, then every public road rendered in Chromium. No script may
run (no dialog), and no element or attribute may come from a payload.
"""

from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from stories.models import ConsentText, Licence, Perspective, Story
from stories.moderators import MODERATORS_GROUP

from ..factories import LONG_BODY, admin_edit, post_share

PAYLOADS = [
    line
    for line in (Path(__file__).parent.parent / "data" / "xss_payloads.txt")
    .read_text()
    .splitlines()
    if line and not line.startswith("#")
]

# Every element or attribute a payload could have brought in. The site's own
# scripts, and the admin's, come from /static/ (or are JSON data); its own
# players play recordings from their guarded roads.
INJECTED = """() => {
    const found = [];
    for (const element of document.querySelectorAll("*")) {
        for (const attribute of element.attributes) {
            const name = attribute.name.toLowerCase();
            if (name.startsWith("on")) found.push(`${element.tagName} ${name}`);
            if (["href", "src", "action", "data", "formaction", "background"].includes(name)
                && /^\\s*(javascript|data|vbscript):/i.test(attribute.value)) {
                found.push(`${element.tagName} ${name}=${attribute.value}`);
            }
        }
    }
    // The pages' own Schema.org data block sits in the head (a narrator's words inside it
    // are data: tests/pages/test_structured_data.py); anywhere else it is a suspect.
    const suspects = "script:not([src^='/static/']):not([type='application/json'])"
        + ":not(head > script[type='application/ld+json']), "
        + "iframe, object, embed, base, meta[http-equiv], marquee, isindex, x, "
        // The story page's own "Cite this story", its recording's index and each segment's
        // original, and the search page's folded filters, where the pages put them.
        + "details:not(main > .wrap > details#cite)"
        + ":not(section#listen details.recording-index[data-recording-index])"
        + ":not(ol.chapters[data-chapters] > li > .chapter-text > details.chapter-original)"
        + ":not(main form.search-form > details.filter-fold), "
        + "video, audio:not([src^='/recordings/']):not([src^='/admin/stories/story/']), "
        + "math, svg, link[rel=import], style:not([nonce])";
    for (const element of document.querySelectorAll(suspects)) found.push(element.tagName);
    return found;
}"""

# The same search in the admin, leaving out what Django's admin brings itself:
# its scripts, its icons (an SVG sprite right under <body>), the filters' <details>,
# the header and the sidebar.
INJECTED_IN_ADMIN = INJECTED.replace(
    'for (const element of document.querySelectorAll("*")) {',
    'for (const element of document.querySelectorAll("#content-main *, #result_list *")) {',
).replace(
    "for (const element of document.querySelectorAll(suspects)) found.push(element.tagName);",
    "for (const element of document.querySelectorAll(suspects)) {"
    " if (!element.closest('head, #header, #nav-sidebar, #changelist-filter, .theme-toggle')"
    " && !(element.src || '').includes('/admin/jsi18n/')"
    " && !(element.tagName === 'svg' && element.parentElement === document.body))"  # its icons
    " found.push(element.tagName); }",
)
assert INJECTED_IN_ADMIN != INJECTED

NARRATOR_FIELDS = {
    # field: the most a narrator may type there
    "title": 200,
    "summary": 300,
    "narrator_name": 100,
    "narrator_descriptor": 150,
    "place": 100,
    "content_note": 200,
    "suggested_theme": 80,
}


def hostile_fields(payload):
    fields = {name: payload[:longest] for name, longest in NARRATOR_FIELDS.items()}
    if len(fields["title"]) < 3:
        fields["title"] += " xx"
    fields["body"] = f"{payload}\n\n{LONG_BODY}\n\n{payload}"
    return fields


@pytest.fixture
def hostile_archive(site, settings, django_user_model):
    """Every payload sent through the share form, a few more through the admin; all approved."""
    settings.SHARE_RATE_LIMIT = 1000
    narrator = Client()
    consent = ConsentText.objects.current().version
    licence = Licence.objects.default().pk
    perspective = Perspective.objects.get(slug="immigrants").pk
    for payload in PAYLOADS:
        response = post_share(
            narrator,
            {
                **hostile_fields(payload),
                "perspective": perspective,
                "appear": "named",
                "language": "en",
                "show_from": "now",
                "licence": licence,
                "consent": "on",
                "consent_version": consent,
                "send_anyway": "1",
            },
        )
        assert response.status_code == 302, (payload, response.context["form"].errors)
        assert response["Location"].endswith("/share/thanks/"), payload
    moderator = django_user_model.objects.create_user(
        "xss-moderator", password="x" * 24, is_staff=True
    )
    moderator.groups.add(Group.objects.get(name=MODERATORS_GROUP))
    admin = Client()
    admin.force_login(moderator)
    edited = list(Story.objects.published().order_by("pk")[:10])
    for story, payload in zip(edited, PAYLOADS[::5], strict=True):
        changes = hostile_fields(payload)
        changes.pop("suggested_theme")  # read-only in the admin: the narrator's own words
        # The pull quote is words of the story: the payload that opens its new body.
        changes["quote"] = payload[:280]
        admin_edit(admin, story, **changes)
    for story in Story.objects.filter(status=Story.Status.PENDING, submitter_hash__gt=""):
        if story.title.startswith(tuple(payload[:3] for payload in PAYLOADS)):
            story.approve(by=moderator)
    return {"moderator": moderator, "edited": edited}


def public_roads():
    stories = list(Story.objects.published().order_by("pk"))
    roads = ["/", "/stories/", "/stories/?page=2", "/stories/?page=3", "/perspectives/",
             "/perspectives/immigrants/", "/themes/", "/search/?q=alert", "/search/?q=script",
             "/search/?q=img", "/about/moderation/", "/feeds/stories.rss", "/feeds/stories.atom",
             "/api/v1/stories/?page_size=100"]  # fmt: skip
    roads += [story.get_absolute_url() for story in stories]
    roads += [f"/stories/{story.slug}/report/" for story in stories[::7]]
    return roads


def test_no_payload_runs_or_injects_anything_on_any_public_road(page, site, hostile_archive):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    roads = public_roads()
    assert len(roads) > 70
    for prefix in ("", "/es"):
        for road in roads:
            machine = road.startswith(("/feeds/", "/api/"))
            if prefix and machine:
                continue
            page.goto(site + prefix + road)
            if not machine:
                assert page.evaluate(INJECTED) == [], prefix + road
    assert dialogs == []


def test_no_payload_runs_in_the_moderators_admin(page, site, hostile_archive):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(site + "/admin/")
    page.get_by_label("Username").fill("xss-moderator")
    page.get_by_label("Password").fill("x" * 24)
    page.get_by_role("button", name="Log in").click()
    story = hostile_archive["edited"][0]
    for road in (
        "/admin/stories/story/",
        "/admin/stories/story/desk/",
        f"/admin/stories/story/{story.pk}/change/",
        f"/admin/stories/story/{story.pk}/review/",
        "/admin/stories/themesuggestion/",
        "/admin/stories/moderationevent/",
    ):
        page.goto(site + road)
        assert page.evaluate(INJECTED_IN_ADMIN) == [], road
    assert dialogs == []
