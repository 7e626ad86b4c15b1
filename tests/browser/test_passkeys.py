"""A new moderator enrols with a passkey in Chromium, through its virtual authenticator (the
DevTools protocol's WebAuthn domain: a platform authenticator that verifies its user), then
signs out and in again: the password, then the passkey, and on to the admin.

The live server is plain HTTP on localhost, which browsers count as a secure context for
WebAuthn; the relying party is that host, and its origin the live server's.
"""

import pytest
from django.contrib.auth.models import Group
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential
from playwright.sync_api import expect

from stories.models import SignInRecord
from stories.moderators import MODERATORS_GROUP

from ..admin.test_two_factor import enrolled, next_code
from .helpers import assert_no_violations_in_admin
from .test_two_factor import PASSWORD, look_at, sign_in


@pytest.fixture(params=["en-US", "es-MX"])
def browser_context_args(browser_context_args, request):
    """The browser's language, which the admin follows for a moderator who chose none."""
    return {**browser_context_args, "locale": request.param}


@pytest.fixture
def passkeys_on_live_server(live_server, settings):
    settings.STAFF_TWO_FACTOR = "required"
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    return live_server


def virtual_authenticator(page):
    """A passkey-capable authenticator in this page's Chromium, as a phone or laptop has;
    a function that lists the passkeys it keeps."""
    devtools = page.context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    added = devtools.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )

    def passkeys():
        kept = devtools.send(
            "WebAuthn.getCredentials", {"authenticatorId": added["authenticatorId"]}
        )
        return kept["credentials"]

    return passkeys


def test_a_new_moderator_enrols_with_a_passkey_and_signs_in_with_it(
    page, passkeys_on_live_server, seeded_transactional_db, django_user_model, save_screenshot,
    browser_context_args,
):  # fmt: skip
    live_server = passkeys_on_live_server
    assert live_server.url.startswith("http://localhost:")
    language = browser_context_args["locale"][:2]
    rosa = django_user_model.objects.create_user(
        "rosa", "rosa@example.org", PASSWORD, is_staff=True
    )
    rosa.groups.add(Group.objects.get(name=MODERATORS_GROUP))
    passkeys_kept = virtual_authenticator(page)
    # Within the Content-Security-Policy, without a script error, and nothing from elsewhere.
    refused, errors, elsewhere = [], [], []
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and refused.append(message.text),
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "request",
        lambda request: request.url.startswith(live_server.url) or elsewhere.append(request.url),
    )

    sign_in(page, live_server)
    page.wait_for_url("**/admin/two-factor/enrol/?next=/admin/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    add = page.locator("#passkey-register-button")
    expect(add).to_be_visible()  # the script swapped the "needs JavaScript" note for it
    expect(page.locator("#passkey-registration-placeholder")).to_have_count(0)
    assert_no_violations_in_admin(page, f"enrolment with a passkey ({language})")
    look_at(page, save_screenshot, f"{language} passkey enrolment")
    add.click()

    # The account's first second factor: its recovery codes, once.
    page.wait_for_url("**/admin/two-factor/enrol/recovery-codes/?next=%2Fadmin%2F")
    assert len(page.locator(".recovery-codes code").all_inner_texts()) == 10
    assert WebAuthnCredential.objects.filter(user=rosa, confirmed=True).count() == 1
    assert StaticDevice.objects.filter(user=rosa).exists()
    page.locator(".recovery-codes + p a").click()
    page.wait_for_url(f"{live_server.url}/admin/")

    page.locator("#logout-form button").click()
    sign_in(page, live_server)
    page.wait_for_url("**/admin/two-factor/code/?next=/admin/")
    use = page.locator("#passkey-verification-button")
    expect(use).to_be_visible()
    assert_no_violations_in_admin(page, f"code with a passkey ({language})")
    look_at(page, save_screenshot, f"{language} passkey code step")
    use.click()
    page.wait_for_url(f"{live_server.url}/admin/")
    expect(page.locator("#logout-form")).to_be_visible()

    assert (refused, errors, elsewhere) == ([], [], [])
    # One passkey, kept by the device, which signed once at the code step.
    (passkey,) = passkeys_kept()
    assert passkey["isResidentCredential"] and passkey["signCount"] >= 1
    assert list(
        SignInRecord.objects.filter(user=rosa).order_by("at", "pk").values_list("kind", flat=True)
    ) == [
        SignInRecord.Kind.SIGNED_IN,
        SignInRecord.Kind.PASSKEY_ADDED,
        SignInRecord.Kind.SIGNED_IN,
        SignInRecord.Kind.PASSKEY_ACCEPTED,
    ]


@pytest.mark.browser_context_args(java_script_enabled=False)
def test_without_javascript_the_code_page_says_so_and_the_code_still_works(
    page, passkeys_on_live_server, seeded_transactional_db, django_user_model,
    browser_context_args, save_screenshot,
):  # fmt: skip
    live_server = passkeys_on_live_server
    language = browser_context_args["locale"][:2]
    rosa = django_user_model.objects.create_user(
        "rosa", "rosa@example.org", PASSWORD, is_staff=True
    )
    enrolled(rosa)
    WebAuthnCredential.objects.create(
        user=rosa, name="passkey", credential_id=b"id", public_key=b"key"
    )

    sign_in(page, live_server)
    page.wait_for_url("**/admin/two-factor/code/?next=/admin/")
    # The script would have replaced the note with the button.
    expect(page.locator("#passkey-verification-placeholder")).to_be_visible()
    expect(page.locator("#passkey-verification-button")).not_to_be_visible()
    look_at(page, save_screenshot, f"{language} passkey code step without javascript")
    page.locator("#id_code").fill(next_code(TOTPDevice.objects.get(user=rosa)))
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/admin/")
