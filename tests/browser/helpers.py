"""What the browser tests share: axe checks, the page types, focus, and a risky story typed in."""

from axe_playwright_python.sync_playwright import Axe

from stories.models import Story, StoryLink

from ..factories import A_NUMBER, OWN_NAME, PHONE

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
        "search": "/search/?q=deport",
        "search help": "/search/",
        "share": "/share/",
        "thanks": "/share/thanks/",
        "privacy": "/privacy/",
        "private link not working": "/my-story/no-such-link/",
        "not found": "/stories/no-such-story/",
        "withdrawn": withdrawn.get_absolute_url(),
        "story in conversation": in_conversation.get_absolute_url(),
        "story with a recording": heard.get_absolute_url(),
        "story with a voice kept private": voice_private.get_absolute_url(),
        "stories with a recording": "/stories/?recording=on",
        "report": f"/stories/{story.slug}/report/",
        "report thanks": "/report/thanks/",
        "moderation": "/about/moderation/",
    }


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
        name: element.name || element.type || element.id || element.getAttribute("href"),
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
        "send": "Enviar mi historia para revisión",
        "send anyway": "Enviar de todos modos",
        "withdraw": "Retirar mi historia",
    },
}


def fill_risky_story(page, labels, title):
    page.get_by_label(labels["title"]).fill(title)
    page.get_by_role("textbox", name=labels["body"], exact=True).fill(RISKY_BODY)
    page.get_by_label(labels["language"], exact=True).check()
    page.get_by_label(labels["perspective"]).check()
    # Anonymous, with their own name typed all the same (before the box hid itself, or
    # typed first): it is kept privately for the shield, and found in the story.
    page.get_by_label(labels["named"], exact=True).check()
    page.get_by_label(labels["name"], exact=False).fill(OWN_NAME)
    page.get_by_label(labels["anonymous"], exact=True).check()
    page.get_by_label(labels["consent"], exact=False).check()
