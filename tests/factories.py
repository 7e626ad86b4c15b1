"""
Plain factories shared by the test modules: stories in the state a test needs,
recordings, what the share form and the admin's change form post, threads
released together, a free port.
"""

import datetime
import io
import itertools
import socket
import threading
import wave

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from stories.models import (
    ConsentText,
    Licence,
    Perspective,
    Recording,
    Story,
    Theme,
    TranscriptSegment,
)
from stories.pages.share_steps import CHECK, STEPS, STEPS_BY_SLUG

_counter = itertools.count(1)

LONG_BODY = (
    "When the city said it would not ask about papers, my mother finally went to the clinic. "
    "She had waited two years with the pain in her knee because she was afraid. "
    "The nurse spoke Spanish and nobody asked for anything but her name. "
)


def make_story(*, themes=(), perspective="immigrants", **fields):
    """A pending story, as a narrator would have sent it."""
    n = next(_counter)
    defaults = {
        "title": f"Story number {n}",
        "body": LONG_BODY,
        "narrator_name": f"Narrator {n}",
        "contact_email": f"narrator{n}@private.example.org",
        "moderator_notes": f"Private moderator note {n}",
        # Kept after approval, so the leak tests have a private address to look for.
        "may_contact": True,
        "consent": ConsentText.objects.get(version="2026-11"),
        "consent_language": "en",
        "consent_given_at": timezone.now(),
    }
    defaults.update(fields)
    story = Story.objects.create(perspective=Perspective.objects.get(slug=perspective), **defaults)
    if themes:
        story.themes.set(Theme.objects.filter(slug__in=themes))
    return story


def make_published(**fields):
    story = make_story(**fields)
    story.approve(by=None)
    return story


def wav_bytes(seconds=2.0, rate=8000):
    """A short WAV of a quiet tone, written with the standard library."""
    frames = bytearray()
    for n in range(int(seconds * rate)):
        level = 2000 if (n // 20) % 2 else -2000  # a 200 Hz square wave
        frames += level.to_bytes(2, "little", signed=True)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as recording:
        recording.setnchannels(1)
        recording.setsampwidth(2)
        recording.setframerate(rate)
        recording.writeframes(bytes(frames))
    return buffer.getvalue()


def wav_upload(seconds=2.0, name="recording.wav"):
    return SimpleUploadedFile(name, wav_bytes(seconds), content_type="audio/wav")


def give_recording(story, *, cleared=False, transcript=(), by=None):
    """Attach a generated WAV to ``story``; ``transcript`` is ``[(seconds, text), ...]``."""
    recording = Recording.store(wav_upload(), story=story)
    TranscriptSegment.objects.bulk_create(
        TranscriptSegment(story=story, start=datetime.timedelta(seconds=start), text=text)
        for start, text in transcript
    )
    # Cleared once transcribed, as a moderator does: the search index learns of both.
    if cleared:
        recording.set_cleared(True, by=by)
    return recording


def run_at_once(work, count):
    """``work(n)`` in ``count`` threads released together; returns what they raised.

    Each thread has its own database connection, closed when it is done.
    """
    barrier = threading.Barrier(count)
    failures = []

    def run(n):
        try:
            barrier.wait()
            work(n)
        except Exception as error:  # handed back to the test's thread
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return failures


def admin_form_data(client, story, **changes):
    """What the admin's change form for ``story`` posts as it stands, with ``changes``."""
    context = client.get(f"/admin/stories/story/{story.pk}/change/").context
    form = context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.pop("embargo_until", None)
    for inline in context["inline_admin_formsets"]:
        data.update(inline_form_data(inline.formset))
    data.update(
        {
            "perspective": story.perspective_id,
            "themes": [theme.pk for theme in story.themes.all()],
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
            "links_out-TOTAL_FORMS": "0",
            "links_out-INITIAL_FORMS": "0",
            **changes,
        }
    )
    return data


def inline_form_data(formset):
    """What an inline's forms post as they are shown: its management form, then each field."""
    data = {
        formset.management_form.add_prefix(name): value
        for name, value in formset.management_form.initial.items()
    }
    for inline_form in formset.forms:
        for name in inline_form.fields:
            value = inline_form[name].value()
            if value is True:
                data[inline_form.add_prefix(name)] = "on"
            elif value not in (None, False, ""):
                data[inline_form.add_prefix(name)] = value
    return data


def admin_edit(client, story, **changes):
    """Save ``story``'s change form in the admin as a moderator would, with ``changes``."""
    response = client.post(
        f"/admin/stories/story/{story.pk}/change/", admin_form_data(client, story, **changes)
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


SHARE_URL = "/share/"
# What the last step's buttons send; a walk without one of them presses "Send my story".
CHECK_ACTIONS = ("send", "send_anyway", "remove", "check", "back")


def open_share_step(client, slug, data=None, *, prefix="", telling=None, **extra):
    """The share form's step ``slug``, reached by answering the steps before it with
    ``data`` (a whole valid story by default), as a narrator gets there."""
    data = share_data() if data is None else data
    telling = telling or ("record" if "recording" in data else "write")
    client.post(f"{prefix}{SHARE_URL}", {"telling": telling}, **extra)
    for step in STEPS[: STEPS_BY_SLUG[slug].number - 1]:
        posted = {name: data[name] for name in step.fields if name in data}
        client.post(f"{prefix}{SHARE_URL}{step.slug}/", {**posted, "next": ""}, **extra)
    return client.get(f"{prefix}{SHARE_URL}{slug}/", **extra)


def post_share(client, data, *, prefix="", follow=False, **extra):
    """Tell a story through every step of the share form, as a narrator's browser does.

    ``data`` is what the one long form used to post (``share_data()``): each
    step is sent its own answers, in order, and the walk stops at the first
    step that does not move on (an error), whose response it returns; else
    the last step's. A walk in the same client goes on with the same draft,
    so a recording held by an earlier walk is still held.
    """
    telling = "record" if "recording" in data else "write"
    client.post(f"{prefix}{SHARE_URL}", {"telling": telling}, **extra)
    for step in STEPS[:-1]:
        posted = {name: data[name] for name in step.fields if name in data}
        response = client.post(f"{prefix}{SHARE_URL}{step.slug}/", {**posted, "next": ""}, **extra)
        following = STEPS[step.number]
        if response.status_code != 302 or not response["Location"].endswith(
            f"/share/{following.slug}/"
        ):
            return response
    posted = {name: data[name] for name in (*CHECK.fields, *CHECK_ACTIONS) if name in data}
    if not any(action in data for action in CHECK_ACTIONS):
        posted["send"] = "1"
    return client.post(f"{prefix}{SHARE_URL}check/", posted, follow=follow, **extra)


def share_data(**overrides):
    """What the share form posts for a whole, valid story, with ``overrides`` (None drops one)."""
    data = {
        "title": "The day the clinic stopped asking",
        "body": LONG_BODY * 2,
        "summary": "My mother went to the clinic at last.",
        "perspective": str(Perspective.objects.get(slug="immigrants").pk),
        "themes": [
            str(t.pk) for t in Theme.objects.filter(slug__in=["city-services", "belonging"])
        ],
        "suggested_theme": "Health care",
        "language": "en",
        "appear": "named",
        "narrator_name": "Rosa",
        "narrator_descriptor": "daughter, Pico-Union",
        "place": "Pico-Union",
        "year_happened": "2019",
        "content_note": "",
        "contact_email": "rosa@private.example.org",
        "show_from": "now",
        # Asked only with a recording (ignored without one): the narrator's choice for it.
        "voice": "published",
        # Chosen with the consent, on the last step: the archive's default, selected first.
        "licence": str(Licence.objects.default().pk),
        "consent": "on",
        "consent_version": ConsentText.objects.current().version,
        "website": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# What a narrator who gives too much away types: the identity shield flags all three.
A_NUMBER = "A-123-456-789"
PHONE = "(213) 555-0142"
OWN_NAME = "Rosa Elena Martinez"
RISKY_BODY = (
    LONG_BODY + f"My mother's A-number is {A_NUMBER} and you can call me at {PHONE}. "
    f"Everybody on the block knows me as {OWN_NAME}."
)


def free_port():
    """A port nothing listens on, for a server a test starts."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
