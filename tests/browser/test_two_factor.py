"""A new moderator enrols in Chromium, reading the key the page shows and computing its codes
as their phone would, then signs out and in again with a code.

The live server speaks plain HTTP, so the required mode is forced with STAFF_TWO_FACTOR
(tests/admin/test_two_factor.py has it follow HTTPS).
"""

import time
from base64 import b32decode

import pytest
from django.contrib.auth.models import Group
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from stories.moderators import MODERATORS_GROUP

from .helpers import assert_no_violations_in_admin

PASSWORD = "enrol-passphrase-2026"


def code_from(key, period=None):
    """What an authenticator app shows for the typed ``key``: now, or in the 30-second
    ``period`` counted from 1970, as RFC 6238 counts them."""
    totp = TOTP(b32decode(key.replace(" ", "")))
    totp.time = time.time() if period is None else period * totp.step
    return f"{totp.token():06d}"


def look_at(page, save_screenshot, name):
    """Screenshots at a phone's width and a desktop's; nothing wider than the phone."""
    for width in (375, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        if width == 375:
            overflow = page.evaluate("document.documentElement.scrollWidth")
            assert overflow <= 375, f"{name} is {overflow}px wide at 375px"
        save_screenshot(name)


def sign_in(page, live_server):
    page.goto(live_server.url + "/admin/")
    page.locator("#id_username").fill("rosa")
    page.locator("#id_password").fill(PASSWORD)
    page.keyboard.press("Enter")


@pytest.fixture(params=["en-US", "es-MX"])
def browser_context_args(browser_context_args, request):
    """The browser's language, which the admin follows for a moderator who chose none."""
    return {**browser_context_args, "locale": request.param}


def test_a_new_moderator_enrols_and_signs_in_with_a_code(
    page, live_server, seeded_transactional_db, django_user_model, settings, save_screenshot,
    browser_context_args,
):  # fmt: skip
    language = browser_context_args["locale"][:2]
    settings.STAFF_TWO_FACTOR = "required"
    rosa = django_user_model.objects.create_user(
        "rosa", "rosa@example.org", PASSWORD, is_staff=True
    )
    rosa.groups.add(Group.objects.get(name=MODERATORS_GROUP))

    sign_in(page, live_server)
    page.wait_for_url("**/admin/two-factor/enrol/?next=/admin/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    assert page.locator("img.two-factor-qr").evaluate("img => img.naturalWidth") > 0
    assert_no_violations_in_admin(page, f"enrolment ({language})")
    look_at(page, save_screenshot, f"{language} two-factor enrolment")
    key = page.locator("#two-factor-key").inner_text()
    page.locator("#id_code").fill(code_from(key))
    page.keyboard.press("Enter")

    page.wait_for_url("**/admin/two-factor/enrol/recovery-codes/**")
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10 and len(set(codes)) == 10
    assert_no_violations_in_admin(page, f"recovery codes ({language})")
    look_at(page, save_screenshot, f"{language} two-factor recovery codes")
    page.locator(".recovery-codes + p a").click()
    page.wait_for_url(f"{live_server.url}/admin/")

    page.locator("#logout-form button").click()
    sign_in(page, live_server)
    page.wait_for_url("**/admin/two-factor/code/?next=/admin/")
    assert_no_violations_in_admin(page, f"code ({language})")
    look_at(page, save_screenshot, f"{language} two-factor code")
    # The code that confirmed the key is spent: the app's next one, a period after the one the
    # server took (it may have taken the code as one period late, if the clock turned meanwhile).
    spent = TOTPDevice.objects.get(user=rosa).last_t
    page.locator("#id_code").fill(code_from(key, period=spent + 1))
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/admin/")
    expect(page.locator("#logout-form")).to_be_visible()
