"""
`make run` serves as production does: gunicorn with gunicorn.conf.py, whose
only request log is the application's, by route (archive/middleware.py). No
withdrawal token and no search reaches its output, and it says where the site
is running only once the site answers.

Running `make run` itself would install, migrate and load the sample archive;
this test takes the command that serves from `make -n run` and runs that, on
the test's own database.
"""

import http.client
import os
import re
import secrets
import shlex
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.conf import settings

from stories.models import hash_withdrawal_token

from .factories import free_port, make_story
from .readers import leaves_the_site

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
RUNNING_ON = "Perspectives is running on"


def commands_of_make_run(port):
    """What `make run` would run, with this test's virtual environment, on ``port``."""
    result = subprocess.run(
        ["make", "--no-print-directory", "-n", "run", f"VENV={sys.prefix}", f"PORT={port}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.replace("\\\n", "").splitlines()  # a recipe line continued


def database_url():
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{database['NAME']}"
    return (
        f"postgresql://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    )


class Output:
    """Everything the server writes, stdout and stderr as one stream, read as it comes."""

    def __init__(self, stream):
        self.lines = []
        self.changed = threading.Condition()
        self.reader = threading.Thread(target=self.read, args=(stream,), daemon=True)
        self.reader.start()

    def read(self, stream):
        for line in stream:
            with self.changed:
                self.lines.append(line)
                self.changed.notify_all()
        with self.changed:
            self.lines.append(None)  # the end
            self.changed.notify_all()

    def wait_for(self, text, seconds=60):
        with self.changed:
            found = self.changed.wait_for(
                lambda: None in self.lines or any(text in line for line in self.lines if line),
                timeout=seconds,
            )
        assert found and None not in self.lines, "".join(filter(None, self.lines))

    def text(self):
        self.reader.join(timeout=60)
        return "".join(filter(None, self.lines))


def get(port, path):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path)
        answer = connection.getresponse()
        return answer.status, answer.read().decode()
    finally:
        connection.close()


def test_make_run_serves_with_gunicorn_and_its_production_settings():
    commands = commands_of_make_run(8123)
    assert not [line for line in commands if "runserver" in line]
    (serving,) = [line for line in commands if "gunicorn" in line]
    assert "-c gunicorn.conf.py archive.wsgi" in serving
    assert "GUNICORN_BIND=127.0.0.1:8123" in serving
    assert "DJANGO_DEBUG=0" in serving


def test_make_run_logs_no_token_and_no_search_and_says_where_only_once_it_answers(
    seeded_transactional_db, collected_static
):
    token = secrets.token_urlsafe(32)
    make_story(title="Served story", withdrawal_token_hash=hash_withdrawal_token(token))
    port = free_port()
    (serving,) = [line for line in commands_of_make_run(port) if "gunicorn" in line]
    # The checkout's own key is made by `make run`; the test brings one.
    key = 'DJANGO_SECRET_KEY="$(cat .secret_key)"'
    assert key in serving
    serving = serving.replace(key, "DJANGO_SECRET_KEY=" + shlex.quote("make-run-test-" + "k" * 50))
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GUNICORN_"))
    }
    environment["DATABASE_URL"] = database_url()
    server = subprocess.Popen(
        ["sh", "-c", serving.lstrip("@")],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, stopped as a whole
    )
    output = Output(server.stdout)
    try:
        output.wait_for(RUNNING_ON)
        answers = {
            path: get(port, path)
            for path in (
                f"/withdraw/{token}/",
                f"/es/withdraw/{token}/",
                "/search/?q=zqsecretword",
                "/es/search/?q=zqsecretword",
                "//evil.example/stories/",
                "/",
            )
        }
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
    log = output.text()

    assert answers[f"/withdraw/{token}/"][0] == 302
    assert answers["/search/?q=zqsecretword"][0] == 200
    assert token not in log and "zqsecretword" not in log
    assert '"route": "withdraw/<str:token>/"' in log and '"route": "search/"' in log
    # The line comes after the site answered: after the request log's line for that answer.
    before, running_on, _after = log.partition(RUNNING_ON)
    assert running_on and re.search(r'"route": "healthz".*"status": 200', before)
    assert f"http://127.0.0.1:{port}/" in log.split(RUNNING_ON)[1].splitlines()[0]

    status, page = answers["//evil.example/stories/"]
    assert status == 404
    links = re.findall(r'\b(?:href|src|action)="([^"]*)"', page)
    assert links and not [link for link in links if leaves_the_site(link, f"127.0.0.1:{port}")]
