"""Production configuration: deploy checks, security headers, health, logging, sign-in limits."""

import json
import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import OperationalError, connection

from archive.logging import JSONFormatter

pytestmark = pytest.mark.django_db

PROJECT = Path(__file__).resolve().parent.parent

# What docs/deploy.md tells an operator to set.
PRODUCTION_ENVIRONMENT = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "archive.example.org",
}


def test_check_deploy_passes_with_no_warning_on_the_documented_production_settings():
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update(PRODUCTION_ENVIRONMENT)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=PROJECT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_every_answer_carries_the_security_headers(client):
    for url in ("/", "/es/stories/", "/share/", "/healthz", "/no-such-page/"):
        response = client.get(url)
        policy = response["Content-Security-Policy"]
        assert "default-src 'none'" in policy
        assert "script-src 'self'" in policy and "style-src 'self'" in policy
        assert "frame-ancestors 'none'" in policy
        assert "unsafe-inline" not in policy and "nonce-" not in policy
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] in {"same-origin", "no-referrer"}
        assert response["X-Frame-Options"] == "DENY"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"
        assert len(response["X-Request-ID"]) == 32


def test_https_redirects_and_hsts_but_not_for_the_health_check(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client.get("/stories/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/stories/"
    assert client.get("/healthz").status_code == 200
    secure = client.get("/stories/", secure=True)
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


@pytest.fixture
def database_down():
    """Every new cursor is refused, as by a database that went away; put back before teardown."""

    def refuse(*args, **kwargs):
        raise OperationalError("connection refused (the test's database outage)")

    connection.ensure_connection = refuse
    yield
    del connection.ensure_connection  # the class's own method again


def test_healthz_answers_503_when_the_database_does_not(client, database_down):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "down"}


@pytest.mark.parametrize("url", ["/", "/stories/", "/es/search/?q=miedo"])
def test_pages_answer_a_friendly_503_when_the_database_is_down(client, database_down, url):
    response = client.get(url)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    html = response.content.decode()
    assert "The archive cannot answer just now" in html or "El archivo no puede" in html
    assert "Traceback" not in html and "OperationalError" not in html


class Collected(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        self.lines.append(self.format(record))


@pytest.fixture
def request_log():
    handler = Collected()
    handler.setFormatter(JSONFormatter())
    logger = logging.getLogger("perspectives.requests")
    logger.addHandler(handler)
    yield handler.lines
    logger.removeHandler(handler)


def test_each_request_is_one_json_line_by_route_never_by_address(client, request_log):
    client.get("/search/?q=zqsecret+words")
    client.get("/withdraw/zqtoken-that-must-not-be-logged/", follow=True)
    client.get("/es/my-story/zqtoken-that-must-not-be-logged/", follow=True)
    entries = [json.loads(line) for line in request_log]
    assert [(e["route"], e["status"]) for e in entries] == [
        ("search/", 200),
        ("withdraw/<str:token>/", 302),
        ("my-story/", 404),
        ("es/my-story/<str:token>/", 302),
        ("es/my-story/", 404),
    ]
    for entry in entries:
        assert entry["event"] == "request" and entry["method"] == "GET"
        assert len(entry["request_id"]) == 32 and entry["duration_ms"] >= 0
    assert "zq" not in "".join(request_log)


def test_a_request_id_is_taken_from_a_trusted_proxy_only(client, settings):
    assert client.get("/", HTTP_X_REQUEST_ID="abc-123")["X-Request-ID"] != "abc-123"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client.get("/", HTTP_X_REQUEST_ID="abc-123")["X-Request-ID"] == "abc-123"
    assert client.get("/", HTTP_X_REQUEST_ID="<script>")["X-Request-ID"] != "<script>"


def test_admin_sign_in_is_rate_limited_per_client(client, settings, moderator):
    settings.ADMIN_LOGIN_RATE_LIMIT = 3
    attempts = [
        client.post("/admin/login/", {"username": "moderator", "password": "wrong"}).status_code
        for _ in range(4)
    ]
    assert attempts == [200, 200, 200, 429]
    # The right password does not get through the limit either.
    right = {"username": "moderator", "password": "a-long-moderator-password"}
    assert client.post("/admin/login/", right).status_code == 429
    # Another client is not held back.
    other = client.post("/admin/login/", right, REMOTE_ADDR="192.0.2.7")
    assert other.status_code == 302
