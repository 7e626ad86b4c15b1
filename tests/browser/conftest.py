"""
Browser tests: Playwright drives Debian's Chromium against pytest-django's
live server. Without Chromium they skip (saying how to install it), unless
REQUIRE_BROWSER_TESTS is set, as CI does, in which case they fail.
"""

import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils.text import slugify

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))

# Playwright's sync API runs an event loop in the test's thread; Django's
# async-safety guard would otherwise refuse the test's own ORM calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.exists():
        message = (
            f"No Chromium at {CHROMIUM}: install it with `apt-get install chromium` "
            "(or set CHROMIUM_PATH) to run the browser tests."
        )
        if os.environ.get("REQUIRE_BROWSER_TESTS"):
            pytest.fail(message)
        pytest.skip(message)
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        # Without these, Chromium tries to reach Google's services, which this
        # network refuses; --no-sandbox because CI runs as root.
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            # A microphone for the recorder: Chromium's own test tone, allowed without asking.
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
        ],
    }


@pytest.fixture
def sample_archive(seeded_transactional_db):
    call_command("load_sample_archive", verbosity=0)


@pytest.fixture
def site(live_server, sample_archive):
    """The live site's base URL, with the sample archive loaded."""
    return live_server.url


@pytest.fixture
def save_screenshot(page):
    """Full-page screenshots for people to look at, taken only when SCREENSHOT_DIR is set."""
    directory = os.environ.get("SCREENSHOT_DIR")

    def save(name):
        if directory:
            width = page.viewport_size["width"]
            path = Path(directory) / f"{slugify(name)}-{width}px.png"
            page.screenshot(path=path, full_page=True)

    return save
