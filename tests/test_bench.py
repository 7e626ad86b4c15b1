"""The benchmarks in bench/ start from a fresh clone: no bench/.data, no collectstatic run."""

import os
import re
import signal

import pytest
from django.conf import settings
from django.db import connection

from bench import load

from .factories import free_port, make_published


def this_tests_database_url():
    database = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        return f"sqlite:///{database['NAME']}"
    return (
        f"postgresql://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    )


@pytest.mark.django_db(transaction=True)
def test_the_load_benchmarks_server_serves_pages_from_a_fresh_clone(
    seeded_transactional_db, tmp_path, monkeypatch
):
    # A fresh clone has no bench/.data and no collectstatic output.
    monkeypatch.setattr(load, "DATA", tmp_path / "data")
    story = make_published(title="A story served by the benchmark's own server")
    bind = f"127.0.0.1:{free_port()}"
    server = load.serve(this_tests_database_url(), settings.REDIS_URL, "cache warm", bind)
    try:
        page = load.wait_for(f"http://{bind}{story.get_absolute_url()}", seconds=60)
        assert "A story served by the benchmark&#x27;s own server" in page
        # The stylesheet is the one its own collectstatic fingerprinted.
        stylesheet = re.search(r'href="/static/(css/site\.[0-9a-f]{12}\.css)"', page).group(1)
        assert (tmp_path / "data" / "static" / stylesheet).exists()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    assert (tmp_path / "data" / "load-cache-warm.log").exists()
