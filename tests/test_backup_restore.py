"""
Backup and restore as docs/deploy.md tells an operator to do them, on PostgreSQL:
pg_dump of the archive, pg_restore into an empty database, migrate, rebuild the
search index; then every public page of the restored archive is the same as
the original's.

Pages are rendered in a child process per database (the site's own settings,
pointed at that database by DATABASE_URL, no cache), by a crawl from the home
pages through every link.
"""

import datetime
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from stories.models import ConsentText, ModerationEvent, Story, TaggedTheme

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the deploy guide's backups are PostgreSQL's"
    ),
    pytest.mark.skipif(not shutil.which("pg_dump"), reason="pg_dump is not installed"),
]

ROOT = Path(__file__).resolve().parent.parent

RENDER_PUBLIC_PAGES = """
import json, re, sys
import django
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
from tests.crawling import START, crawl
SEARCHES = ("/search/?q=police", "/es/search/?q=familias", "/api/v1/stories/?q=miedo")
MACHINE = ("/feeds/stories.rss", "/oai/?verb=ListRecords&metadataPrefix=oai_dc")
pages = {}
for url, response, body in crawl(Client(), START + SEARCHES + MACHINE, limit=300):
    text = body.decode(errors="replace")
    # What differs on every answer, whatever the database: one-time form values, the OAI clock.
    text = re.sub(r'(name="(?:csrfmiddlewaretoken|submission_id)" value=")[^"]*', r"\\1", text)
    text = re.sub(r"<responseDate>[^<]*</responseDate>", "", text)
    pages[url] = [response.status_code, response.get("Content-Type", ""), text]
print(json.dumps(pages))
"""


def connection_url(name):
    database = settings.DATABASES["default"]
    return f"postgresql://{database['USER']}@{database['HOST']}:{database['PORT']}/{name}"


def run(arguments, database_url, **options):
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        # The recordings are restored with the database (docs/deploy.md): here, the very files.
        "RECORDINGS_ROOT": settings.STORAGES["recordings"]["OPTIONS"]["location"],
        "PAGE_CACHE_SECONDS": "0",
        "COUNTS_CACHE_SECONDS": "0",
    }
    environment.pop("REDIS_URL", None)
    return subprocess.run(
        arguments, env=environment, cwd=ROOT, check=True, capture_output=True, text=True, **options
    )


def public_pages(database_url):
    output = run([sys.executable, "-c", RENDER_PUBLIC_PAGES], database_url).stdout
    return json.loads(output)


def psql(sql):
    database = settings.DATABASES["default"]
    subprocess.run(
        [
            "psql",
            "-h",
            database["HOST"],
            "-p",
            str(database["PORT"]),
            "-U",
            database["USER"],
            "-d",
            "postgres",
            "-v",
            "ON_ERROR_STOP=1",
            "-qc",
            sql,
        ],  # fmt: skip
        check=True,
        capture_output=True,
    )


@pytest.fixture
def restored_database():
    name = f"{settings.DATABASES['default']['NAME']}_restored"
    psql(f'DROP DATABASE IF EXISTS "{name}"')
    psql(f'CREATE DATABASE "{name}"')
    yield name
    psql(f'DROP DATABASE IF EXISTS "{name}"')


def test_an_archive_restored_from_its_backup_shows_the_same_public_pages(
    seeded_transactional_db, restored_database, tmp_path
):
    call_command("load_sample_archive", verbosity=0)
    # What the sample lacks: a story still under embargo, and one that a narrator withdrew.
    embargoed = Story.objects.filter(status=Story.Status.PENDING).first()
    embargoed.embargo_until = timezone.now() + datetime.timedelta(days=30)
    embargoed.save()
    embargoed.approve(by=None)
    withdrawn = Story.objects.published().last()
    withdrawn.withdraw(note="Withdrawn by the narrator")

    original_url = connection_url(settings.DATABASES["default"]["NAME"])
    restored_url = connection_url(restored_database)
    dump = tmp_path / "perspectives.dump"
    run(["pg_dump", "--format=custom", f"--file={dump}", original_url], original_url)
    run(["pg_restore", "--no-owner", f"--dbname={restored_url}", str(dump)], original_url)
    for command in ("migrate", "rebuild_search_index"):
        run([sys.executable, "manage.py", command, "-v0"], restored_url)

    before, after = public_pages(original_url), public_pages(restored_url)

    assert len(before) > 150, "the crawl reached too little of the archive to compare"
    assert sorted(before) == sorted(after)
    different = [url for url in before if before[url] != after.get(url)]
    assert different == []
    # The restored archive's search found its stories, and what is hidden stayed hidden.
    for search in ("/search/?q=police", "/es/search/?q=familias"):
        assert after[search][0] == 200 and "<mark>" in after[search][2]
    assert not any(withdrawn.slug in url and before[url][0] == 200 for url in before)
    assert not any(embargoed.slug and embargoed.slug in url for url in before)
    # And the rows under the pages came back whole: taggings, events, consent records.
    counts = restored_counts(restored_url)
    assert counts == {
        "stories": Story.objects.count(),
        "taggings": TaggedTheme.objects.count(),
        "events": ModerationEvent.objects.count(),
        "consent texts": ConsentText.objects.count(),
        "stories with consent": Story.objects.exclude(consent=None).count(),
    }


COUNT_ROWS = """
import json, django
django.setup()
from stories.models import ConsentText, ModerationEvent, Story, TaggedTheme
print(json.dumps({
    "stories": Story.objects.count(),
    "taggings": TaggedTheme.objects.count(),
    "events": ModerationEvent.objects.count(),
    "consent texts": ConsentText.objects.count(),
    "stories with consent": Story.objects.exclude(consent=None).count(),
}))
"""


def restored_counts(database_url):
    return json.loads(run([sys.executable, "-c", COUNT_ROWS], database_url).stdout)
