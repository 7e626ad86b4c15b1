"""What the browser tests share: axe checks, the page types, focus, and a risky story typed in."""

from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client

from stories.models import Story, StoryLink
from stories.pages.share_steps import STEPS, STEPS_BY_SLUG

from ..factories import A_NUMBER, OWN_NAME, PHONE, open_share_step

# WCAG 2.0/2.1/2.2 A and AA, plus axe's best practices: heading order, one h1,
# every piece of content inside a landmark.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"]

# Django's admin is moderators' ground: WCAG A and AA, not axe's best practices
# (the admin's own markup has landmarks and headings of its own making).
ADMIN_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def page_paths():
    story = Story.objects.published().first()
    withdrawn = Story.objects.withdrawn_after_publication().first()
    in_conversation = StoryLink.objects.public().first().to_story
    heard = Story.objects.published().with_public_recording().first()
    voice_private = Story.objects.published().get(voice=Story.Voice.PRIVATE)
    return {
        "home": "/",
        "browse": "/stories/?language=es",
        "story": story.get_absolute_url(),
        "perspectives": "/perspectives/",
        "perspective": "/perspectives/critics/",
        "themes": "/themes/",
        "theme": "/themes/community-trust/",
        "theme, two voices compared": "/themes/community-trust/?compare=critics&with=immigrants",
        "search": "/search/?q=deport",
        "search help": "/search/",
        "share": "/share/",
        # Each step of the share form, opened with a draft begun (open_page does it).
        "share step 1, written": "/share/story/",
        "share step 1, recorded": "/share/story/?telling=record",
        "share step 2": "/share/about-your-story/",
        "share step 3": "/share/where-you-stand/",
        "share step 4": "/share/about-you/",
        "share step 5": "/share/details/",
        "share step 6": "/share/check/",
        "thanks": "/share/thanks/",
        "privacy": "/privacy/",
        "private link not working": "/my-story/no-such-link/",
        "not found": "/stories/no-such-story/",
        "withdrawn": withdrawn.get_absolute_url(),
        "story in conversation": in_conversation.get_absolute_url(),
        "story with a recording": heard.get_absolute_url(),
        # Its written story is its transcript: Listen and Read are two views (docs/listening.md).
        "story told aloud, Read view": heard.get_absolute_url() + "#read",
        "story with a voice kept private": voice_private.get_absolute_url(),
        "stories with a recording": "/stories/?recording=on",
        "report": f"/stories/{story.slug}/report/",
        "report thanks": "/report/thanks/",
        "moderation": "/about/moderation/",
        "about": "/about/",
        "requests for data": "/about/requests/",
        "open data": "/data/",
        "places": "/places/",
        "place": "/places/boyle-heights/?sort=oldest",
        "timeline": "/timeline/",
        "browse by year it happened": "/stories/?sort=year&place=downtown",
    }


SHARE_STEP_PATH = "/share/{slug}/"


def begin_share_draft(page, site, slug="story", telling="write"):
    """A draft in the page's browser session, its steps before ``slug`` answered with a
    whole valid story (``share_data()``): begun by a test client on the live server's
    own session store, and its session cookie handed to the browser."""
    client = Client()
    response = open_share_step(client, slug, telling=telling)
    assert response.status_code == 200, (slug, response.status_code)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": cookie.key, "value": cookie.value, "url": site, "httpOnly": True}]
    )


def open_page(page, site, prefix, path):
    """Open one of page_paths(): a share step with a draft begun for it, anything else as is."""
    bare, _, query = path.partition("?")
    slug = bare.removeprefix("/share/").strip("/")
    if bare.startswith("/share/") and slug in STEPS_BY_SLUG:
        telling = "record" if query == "telling=record" else "write"
        begin_share_draft(page, site, slug, telling)
        path = bare
    response = page.goto(site + prefix + path)
    if slug in STEPS_BY_SLUG:
        assert page.url == site + prefix + path, f"{path} was not opened: {page.url}"
    return response


def assert_no_violations(page, name):
    results = Axe().run(
        page,
        options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]},
    )
    violations = results.response["violations"]
    assert not violations, f"{name}: {results.generate_report()}"


def assert_no_violations_in_admin(page, name, within=None):
    """axe over an admin page, or only over the parts ``within`` selects (a CSS selector)."""
    results = Axe().run(
        page,
        context=within,
        options={"runOnly": {"type": "tag", "values": ADMIN_TAGS}, "resultTypes": ["violations"]},
    )
    assert not results.response["violations"], f"{name}: {results.generate_report()}"


FOCUSED = """() => {
    const element = document.activeElement;
    // The file picker's input, transparent over its button (file-picker.js), shows its focus there.
    const drawn = element.closest(".file-picker-enhanced") ? element.nextElementSibling : element;
    const style = getComputedStyle(drawn);
    const box = element.getBoundingClientRect();
    return {
        name: element.name || element.type || element.id || element.getAttribute("href")
            || element.tagName.toLowerCase(),
        tag: element.tagName.toLowerCase(),
        value: element.value,
        text: element.innerText,
        outline: style.outlineStyle === "none" ? 0 : parseFloat(style.outlineWidth),
        // WCAG 2.4.11: a focused control may be cut by the window edge, never hidden.
        inView: box.bottom > 0 && box.top < innerHeight && box.left >= 0 && box.width > 0,
    };
}"""


def focused(page):
    return page.evaluate(FOCUSED)


# What a narrator who gives too much away types: the shield flags all three details.
RISKY_BODY = (
    "When the raids started I kept every paper in a folder under the bed. "
    f"My brother's A-number is {A_NUMBER} and the lawyer said to call {PHONE} any time. "
    f"At the church everybody knows me as {OWN_NAME}, and that is why I am afraid. "
    "The city said it would not help the agents, and for the first time I went to the clinic."
)
LABELS = {
    "en": {
        "title": "Title",
        "body": "Your story",
        "language": "English",
        "perspective": "Immigrants",
        "name": "The name to show",
        "anonymous": "Anonymous",
        "named": "With a name I choose",
        "consent": "I agree",
        "send": "Send my story for review",
        "send anyway": "Send anyway",
        "withdraw": "Withdraw my story",
    },
    "es": {
        "title": "Título",
        "body": "Su historia",
        "language": "Inglés",
        "perspective": "Inmigrantes",
        "name": "El nombre que se mostrará",
        "anonymous": "Anónimo",
        "named": "Con un nombre que yo elijo",
        "consent": "Acepto",
        "send": "Enviar para revisión",
        "send anyway": "Enviar de todos modos",
        "withdraw": "Retirar mi historia",
    },
}


# The share form's own words: the first page's choice, the steps' buttons.
SHARE_WORDS = {
    "en": {
        "record": "Record it",
        "write": "Write it",
        "continue": "Continue",
        "back": "Back",
        "step": "Step {} of 6",
        "check": "Check again",
    },
    "es": {
        "record": "Grabarla",
        "write": "Escribirla",
        "continue": "Continuar",
        "back": "Regresar",
        "step": "Paso {} de 6",
        "check": "Revisar otra vez",
    },
}
SLUGS = [step.slug for step in STEPS]


def start_share(page, site, prefix="", telling="write"):
    """The first page of the share form, and its choice: "Record it" or "Write it"."""
    page.goto(f"{site}{prefix}/share/")
    language = "es" if prefix == "/es" else "en"
    with page.expect_navigation():
        page.get_by_role("button", name=SHARE_WORDS[language][telling]).click()
    assert page.url == f"{site}{prefix}/share/story/", page.url


def continue_to(page, slug):
    """Continue, from the step open in the page: the next step, ``slug``, opens."""
    with page.expect_navigation():
        page.locator("#share-form .step-actions button[name=next]").click()
    if not page.url.endswith(f"/share/{slug}/"):
        errors = page.locator(".error-summary")
        shown = errors.inner_text() if errors.count() else ""
        raise AssertionError(f"{slug} did not open: still at {page.url}. {shown}")


def walk_share_form(page, site, prefix, answers, telling="write", until="check", start=True):
    """Tell a story through the share form's steps, as a narrator does, stopping at ``until``.

    ``answers`` maps a step's slug to what the narrator does there (a function of
    the page); each step is then left with Continue. ``start=False`` goes on from
    the step open in the page (where it left off) instead of the first page.
    """
    if start:
        start_share(page, site, prefix, telling)
    here = page.url.rstrip("/").rsplit("/", 1)[-1]
    for slug in SLUGS[SLUGS.index(here) : SLUGS.index(until)]:
        answer = answers.get(slug)
        if answer:
            answer(page)
        continue_to(page, SLUGS[SLUGS.index(slug) + 1])


def send_recorded_story(page, site, words, title, voice_label):
    """From the record step, with a recording made: the rest of the steps answered as an
    anonymous narrator who chose ``voice_label`` for the recording, then sent.

    ``words`` holds the page's labels (title, language, perspective, voice, anonymous,
    consent, send) and its ``prefix``.
    """

    def about_your_story(page):
        page.get_by_label(words["title"]).fill(title)
        page.get_by_label(words["language"], exact=True).check()

    def about_you(page):
        page.get_by_label(voice_label, exact=True).check()
        page.get_by_label(words["anonymous"], exact=True).check()

    answers = {
        "about-your-story": about_your_story,
        "where-you-stand": lambda page: page.get_by_label(words["perspective"]).check(),
        "about-you": about_you,
    }
    walk_share_form(page, site, words["prefix"], answers, start=False)
    page.get_by_label(words["consent"], exact=False).check()
    page.get_by_role("button", name=words["send"]).click()
    page.wait_for_url(f"**{words['prefix']}/share/thanks/")


def risky_answers(labels, title):
    """The steps of a risky story: what fill_risky_story types on each."""

    def story(page):
        page.get_by_role("textbox", name=labels["body"], exact=True).fill(RISKY_BODY)

    def about_your_story(page):
        page.get_by_label(labels["title"]).fill(title)
        page.get_by_label(labels["language"], exact=True).check()

    def where_you_stand(page):
        page.get_by_label(labels["perspective"]).check()

    def about_you(page):
        # Anonymous, with their own name typed all the same (before the box hid itself, or
        # typed first): it is kept privately for the shield, and found in the story.
        page.get_by_label(labels["named"], exact=True).check()
        page.get_by_label(labels["name"], exact=False).fill(OWN_NAME)
        page.get_by_label(labels["anonymous"], exact=True).check()

    return {
        "story": story,
        "about-your-story": about_your_story,
        "where-you-stand": where_you_stand,
        "about-you": about_you,
    }


def fill_risky_story(page, site, prefix, labels, title, **answers):
    """The risky story told through the steps to the check step, its consent ticked there.

    ``answers`` replaces what is done on a step (keyed by the step's slug, with "_" for "-").
    """
    steps = risky_answers(labels, title)
    steps.update({slug.replace("_", "-"): answer for slug, answer in answers.items()})
    walk_share_form(page, site, prefix, steps)
    page.get_by_label(labels["consent"], exact=False).check()
