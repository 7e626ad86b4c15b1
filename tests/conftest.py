import importlib

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group
from django.core.cache import caches
from django.utils import translation

from stories import search
from stories.models import ConsentText
from stories.moderators import MODERATORS_GROUP


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
    search.rebuild()


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
