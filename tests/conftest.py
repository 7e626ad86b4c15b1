import datetime
import importlib
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group
from django.core.cache import caches
from django.utils import timezone, translation

from stories.models import ConsentText, GlossaryTerm, Licence, Perspective, QuestionPrompt
from stories.moderators import MODERATORS_GROUP
from stories.search import index as search_index

from .factories import make_published, make_story

# Playwright's fixtures: a test that names one is a browser test, run with the live server's.
PLAYWRIGHT_FIXTURES = {"page", "browser", "browser_name"}


def pytest_collection_modifyitems(items):
    """Refuse a browser fixture outside tests/browser/ (an argument named "page", say).

    It ties the test to Playwright's session-wide browser, and pytest then moves it and the tests
    after it among the live-server tests, which empty every table: tests that need the seeded
    perspectives would run on an empty database.
    """
    for item in items:
        named = PLAYWRIGHT_FIXTURES.intersection(getattr(item, "fixturenames", ()))
        if named and "tests/browser/" not in str(item.path):
            raise pytest.UsageError(
                f"{item.nodeid} names {sorted(named)}, Playwright's: rename it, or move the "
                "test to tests/browser/."
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
    settings.FRAGMENT_CACHE_SECONDS = 0
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
    """The page cache, the count cache and the fragments on, as in production."""
    settings.PAGE_CACHE_SECONDS = settings.COUNTS_CACHE_SECONDS = 60
    settings.FRAGMENT_CACHE_SECONDS = 86400


@pytest.fixture
def fragments(settings):
    """Story cards and bodies kept per story (stories/pagecache/fragments.py), as in production."""
    settings.FRAGMENT_CACHE_SECONDS = 86400


# pytest-django's own rule: a test gets a database through its django_db mark
# or through one of these fixtures.
DATABASE_FIXTURES = {"db", "transactional_db", "live_server"}


def uses_the_database(request):
    return request.node.get_closest_marker("django_db") is not None or not (
        DATABASE_FIXTURES.isdisjoint(request.fixturenames)
    )


@pytest.fixture(autouse=True)
def empty_cache(request):
    """Rate-limit counts, pages and counts live in the caches; each test starts with none.

    Only a test with a database has any: without Redis the caches are tables of
    the database, and tests of pure code (the shield, transcripts, byte ranges,
    audio) run without one.
    """
    if not uses_the_database(request):
        yield
        return
    # Before the cache tables are emptied, whatever the order of the test's own fixtures.
    request.getfixturevalue("db")
    for alias in caches:
        caches[alias].clear()
    yield
    for alias in caches:
        caches[alias].clear()


@pytest.fixture
def seeded_transactional_db(transactional_db):
    """A database committed to for real, with the seeded perspectives and themes.

    Transactional tests end by emptying every table; post_migrate then puts
    back permissions and the Moderators group, but not what the data
    migrations seeded (perspectives, themes, the consent texts, the prompts, the
    glossary, the licences), so it is seeded again here, and the search index is
    brought in line with the (empty) stories table.
    """
    seed_migration = importlib.import_module("stories.migrations.0002_seed_perspectives_and_themes")
    seed_migration.seed(django_apps, schema_editor=None)
    consent_migration = importlib.import_module(
        "stories.migrations.0006_consent_withdrawal_erasure"
    )
    consent_migration.first_consent_version(ConsentText, "default")
    voice_migration = importlib.import_module("stories.migrations.0017_voice_consent_prompts")
    voice_migration.consent_2026_12(ConsentText, "default")
    voice_migration.seed_prompts(QuestionPrompt, Perspective, "default")
    languages_migration = importlib.import_module("stories.migrations.0021_languages")
    languages_migration.seed_glossary_terms(GlossaryTerm, "default")
    licences_migration = importlib.import_module("stories.migrations.0032_licences_and_identifiers")
    licences_migration.add_licences(django_apps, schema_editor=None)
    # Emptying the tables skips SQLite's FTS5 index, which Django does not manage.
    search_index.rebuild()


@pytest.fixture
def administrator_client(client, django_user_model):
    """A superuser signed in: what only administrators configure (licences, the About page)."""
    admin = django_user_model.objects.create_superuser(
        "administrator", "administrator@example.org", "a-long-administrator-password"
    )
    client.force_login(admin)
    return client


# The two licences the archive starts with (migration 0032).
@pytest.fixture
def open_licence():
    return Licence.objects.get(code="cc-by-nc-nd-4.0")


@pytest.fixture
def reserved():
    return Licence.objects.get(code="all-rights-reserved")


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


@pytest.fixture
def every_state_archive(moderator):
    """One story in every state a story can be in, by state: what tests of every road share.

    Readers see only "visible" (critics, public safety, a place, a year, private
    details a reader must never see, a theme suggestion). Each hidden story
    carries a marker word of its own (``zq`` and its state): upper case in its
    title, in its body and its summary, so a test can look for any trace of it.
    Readers saw "withdrawn" (it answers 410) and "returned" before they left;
    no reader ever saw the others, the two embargoed ones that left before
    their date included.
    """

    # The title's marker is upper case: a slug (which the language link
    # repeats from the address asked for) is lower case, so only a leaked title
    # can put the upper-case marker on a page.
    def hidden(marker, **fields):
        return make_story(
            title=f"Hidden {marker.upper()}",
            body=f"{marker}body " * 60,
            summary=f"{marker}summary",
            themes=["public-safety", "community-trust"],
            **fields,
        )

    pending = hidden("zqpending", suggested_theme="zqpendingsuggestion")
    rejected = hidden("zqrejected")
    rejected.reject(by=moderator, note_to_narrator="zqnotetonarrator")
    rejected.ask_for_correction("zqcorrectionrejected")
    withdrawn = hidden("zqwithdrawn")
    withdrawn.approve(by=moderator)
    withdrawn.withdraw()
    withdrawn_early = hidden("zqwithdrawnearly")
    withdrawn_early.withdraw()
    returned = hidden("zqreturned")
    returned.approve(by=moderator)
    returned.return_to_review(by=moderator, note="Report received")
    embargoed = hidden("zqembargoed", embargo_until=timezone.now() + datetime.timedelta(days=9))
    embargoed.approve(by=moderator)
    # Approved under an embargo a month ago and taken off before its date,
    # which has passed since: never seen, so unknown on every road.
    month_ago = timezone.now() - datetime.timedelta(days=30)
    embargo = {"embargo_until": month_ago + datetime.timedelta(days=10)}
    embargoed_withdrawn = hidden("zqembargowithdrawn", **embargo)
    embargoed_returned = hidden("zqembargoreturned", **embargo)
    with pytest.MonkeyPatch.context() as clock:
        clock.setattr(timezone, "now", lambda: month_ago)
        embargoed_withdrawn.approve(by=moderator)
        embargoed_returned.approve(by=moderator)
        clock.setattr(timezone, "now", lambda: month_ago + datetime.timedelta(days=2))
        embargoed_withdrawn.withdraw()
        embargoed_returned.return_to_review(by=moderator)

    visible = make_published(
        title="Visible story",
        summary="A visible summary.",
        themes=["public-safety"],
        perspective="critics",
        place="Boyle Heights",
        year_happened=2017,
        suggested_theme="zqsuggested",
        contact_email="private@example.org",
        moderator_notes="Private note",
        may_contact=True,
    )
    visible.ask_for_correction("zqcorrectionvisible")  # from the narrator's private page
    return {
        "pending": pending,
        "rejected": rejected,
        "withdrawn": withdrawn,
        "withdrawn early": withdrawn_early,
        "returned": returned,
        "embargoed": embargoed,
        "embargoed withdrawn": embargoed_withdrawn,
        "embargoed returned": embargoed_returned,
        "visible": visible,
    }


@pytest.fixture
def collected_static():
    """WhiteNoise's manifest, as `make run` makes it before serving with DEBUG off.

    Every time: a manifest left by an earlier run lacks the static files added
    since, and a page that names one answers 500 (collectstatic copies only
    what changed, so it is quick).
    """
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=Path(__file__).resolve().parent.parent,
        check=True,
    )
