import datetime
import importlib
import io
import itertools
import threading
import wave

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from stories.models import ConsentText, Perspective, Recording, Story, Theme, TranscriptSegment
from stories.moderators import MODERATORS_GROUP
from stories.search import index as search_index

_counter = itertools.count(1)

LONG_BODY = (
    "When the city said it would not ask about papers, my mother finally went to the clinic. "
    "She had waited two years with the pain in her knee because she was afraid. "
    "The nurse spoke Spanish and nobody asked for anything but her name. "
)


@pytest.fixture(autouse=True)
def english_to_begin_with():
    """Each test starts in English.

    The test client leaves its thread in the language of the last page it
    asked for, and reverse() follows it: a test after one that asked for a
    Spanish page would otherwise build /es/ addresses.
    """
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def test_settings(settings):
    """What tests swap in: no collectstatic manifest, a fast password hasher."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.STATIC_ROOT = None
    settings.WHITENOISE_USE_FINDERS = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Off unless a test asks for it (the page_cache fixture): query budgets count
    # the page's own queries, and the database cache's would blur them.
    settings.PAGE_CACHE_SECONDS = settings.COUNTS_CACHE_SECONDS = 0
    if settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
        # Keys of their own (CI also gives the tests a Redis database of their own).
        settings.CACHES = {
            alias: {**config, "KEY_PREFIX": f"tests-{alias}"}
            for alias, config in settings.CACHES.items()
        }


@pytest.fixture(autouse=True)
def recordings_on_disk(settings, tmp_path):
    """Each test keeps its recordings in a directory of its own, never the project's."""
    settings.STORAGES = {
        **settings.STORAGES,
        "recordings": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "recordings"), "base_url": None},
        },
    }
    return tmp_path / "recordings"


@pytest.fixture
def page_cache(settings):
    """The page cache and the count cache on, as in production."""
    settings.PAGE_CACHE_SECONDS = settings.COUNTS_CACHE_SECONDS = 60


@pytest.fixture(autouse=True)
def empty_cache():
    """Rate-limit counts, pages and counts live in the caches; each test starts with none."""
    for alias in caches:
        caches[alias].clear()
    yield
    for alias in caches:
        caches[alias].clear()


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
    if cleared:
        recording.set_cleared(True, by=by)
    TranscriptSegment.objects.bulk_create(
        TranscriptSegment(story=story, start=datetime.timedelta(seconds=start), text=text)
        for start, text in transcript
    )
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


def queries_made(client, url):
    """How many queries answering ``url`` took (it must answer 200)."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200, url
    return len(captured)


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


@pytest.fixture
def seeded_transactional_db(transactional_db):
    """A database committed to for real, with the seeded perspectives and themes.

    Transactional tests end by emptying every table; post_migrate then puts
    back permissions and the Moderators group, but not what the data
    migrations seeded (perspectives, themes, the first consent text), so it
    is seeded again here, and the search index is
    brought in line with the (empty) stories table.
    """
    seed_migration = importlib.import_module("stories.migrations.0002_seed_perspectives_and_themes")
    seed_migration.seed(django_apps, schema_editor=None)
    consent_migration = importlib.import_module(
        "stories.migrations.0006_consent_withdrawal_erasure"
    )
    consent_migration.first_consent_version(ConsentText, "default")
    # Emptying the tables skips SQLite's FTS5 index, which Django does not manage.
    search_index.rebuild()


@pytest.fixture
def moderator(django_user_model):
    user = django_user_model.objects.create_user(
        "moderator", "moderator@example.org", "a-long-moderator-password", is_staff=True
    )
    user.groups.add(Group.objects.get(name=MODERATORS_GROUP))
    return user


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client
