"""Passkeys as a second factor: added after the password, used at the code step, counted by
the admin's door, recorded; for staff only.

The ceremonies are real: a small software authenticator below makes an ECDSA P-256 key,
answers the server's challenges as a browser and authenticator would (attestation "none"),
and django-otp-webauthn checks every signature with py_webauthn.
"""

import hashlib
import json
import os
from base64 import urlsafe_b64encode

import cbor2
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from django.contrib.auth.models import User
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from stories.models import SignInRecord

from .test_two_factor import ENROL, PASSWORD, RECOVERY, VERIFY, enrolled, signed_in_with_password

pytestmark = pytest.mark.django_db

ORIGIN = "http://testserver"
REGISTER_BEGIN = "/admin/two-factor/passkeys/registration/begin/"
REGISTER_COMPLETE = "/admin/two-factor/passkeys/registration/complete/"
SIGN_IN_BEGIN = "/admin/two-factor/passkeys/authentication/begin/"
SIGN_IN_COMPLETE = "/admin/two-factor/passkeys/authentication/complete/"


def b64url(data):
    return urlsafe_b64encode(data).rstrip(b"=").decode()


class SoftAuthenticator:
    """One passkey, as a browser hands its authenticator's answers to the page."""

    def __init__(self, rp_id="testserver", origin=ORIGIN):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(16)
        self.rp_id_hash = hashlib.sha256(rp_id.encode()).digest()
        self.origin = origin
        self.sign_count = 0

    def client_data(self, kind, options):
        return json.dumps(
            {"type": kind, "challenge": options["challenge"], "origin": self.origin}
        ).encode()

    def created(self, options):
        """The answer to navigator.credentials.create() with the server's ``options``."""
        numbers = self.key.public_key().public_numbers()
        cose_key = cbor2.dumps(
            {1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32), -3: numbers.y.to_bytes(32)}
        )
        auth_data = (
            self.rp_id_hash
            + bytes([0x45])  # user present, user verified, credential data included
            + self.sign_count.to_bytes(4)
            + bytes(16)  # no AAGUID
            + len(self.credential_id).to_bytes(2)
            + self.credential_id
            + cose_key
        )
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return {
            "id": b64url(self.credential_id),
            "rawId": b64url(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(self.client_data("webauthn.create", options)),
                "attestationObject": b64url(attestation),
                "transports": ["internal"],
            },
            "clientExtensionResults": {"credProps": {"rk": True}},
        }

    def asserted(self, options):
        """The answer to navigator.credentials.get() with the server's ``options``."""
        self.sign_count += 1
        auth_data = self.rp_id_hash + bytes([0x05]) + self.sign_count.to_bytes(4)
        client_data = self.client_data("webauthn.get", options)
        signed = auth_data + hashlib.sha256(client_data).digest()
        return {
            "id": b64url(self.credential_id),
            "rawId": b64url(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data),
                "authenticatorData": b64url(auth_data),
                "signature": b64url(self.key.sign(signed, ec.ECDSA(hashes.SHA256()))),
            },
            "clientExtensionResults": {},
        }


def post_json(client, path, data=None):
    return client.post(path, json.dumps(data or {}), content_type="application/json")


def add_passkey(client, authenticator):
    options = post_json(client, REGISTER_BEGIN).json()
    return post_json(client, REGISTER_COMPLETE, authenticator.created(options))


def use_passkey(client, authenticator, next_page=""):
    options = post_json(client, SIGN_IN_BEGIN).json()
    complete = f"{SIGN_IN_COMPLETE}?next={next_page}" if next_page else SIGN_IN_COMPLETE
    return post_json(client, complete, authenticator.asserted(options))


@pytest.fixture(autouse=True)
def passkeys_here(settings):
    """The test client's site as the relying party, and the second factor required."""
    settings.OTP_WEBAUTHN_RP_ID = "testserver"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [ORIGIN]
    settings.STAFF_TWO_FACTOR = "required"


@pytest.fixture
def passkey_then_password(client, moderator):
    """A moderator who added a passkey, signed out, and is back with the password alone;
    the passkey's authenticator."""
    authenticator = SoftAuthenticator()
    signed_in_with_password(client)
    add_passkey(client, authenticator)
    client.post(reverse("admin:logout"))
    signed_in_with_password(client)
    return authenticator


def kinds_recorded():
    return list(SignInRecord.objects.order_by("at", "pk").values_list("kind", flat=True))


def test_a_first_passkey_enrols_and_brings_recovery_codes(client, moderator):
    signed_in_with_password(client)
    assert client.get(reverse("admin:index"))["Location"].startswith(ENROL)
    added = add_passkey(client, SoftAuthenticator())
    assert added.status_code == 200
    assert added.json()["recovery_codes"] is True
    assert WebAuthnCredential.objects.get(user=moderator).confirmed
    # The session that added it has passed its second factor, and sees its codes once.
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(RECOVERY).context["codes"]
    assert StaticDevice.objects.get(user=moderator).token_set.count() == 10
    assert SignInRecord.Kind.PASSKEY_ADDED in kinds_recorded()


def test_a_passkey_added_to_an_enrolled_account_keeps_its_codes(client, moderator):
    codes = enrolled(moderator)
    client.force_login(moderator)
    session = client.session
    # Verified with the authenticator, as after its code.
    session["otp_device_id"] = TOTPDevice.objects.get(user=moderator).persistent_id
    session.save()
    added = add_passkey(client, SoftAuthenticator())
    assert added.status_code == 200
    assert "recovery_codes" not in added.json()
    assert sorted(
        StaticDevice.objects.get(user=moderator).token_set.values_list("token", flat=True)
    ) == sorted(codes)
    assert TOTPDevice.objects.filter(user=moderator, confirmed=True).exists()


def test_a_password_alone_cannot_add_a_passkey_to_an_enrolled_account(client, moderator):
    enrolled(moderator)
    signed_in_with_password(client)
    refused = post_json(client, REGISTER_BEGIN)
    assert refused.status_code == 403
    assert not WebAuthnCredential.objects.exists()


def test_passkeys_are_for_staff_alone(client):
    reader = User.objects.create_user("reader", "reader@example.org", PASSWORD)
    client.force_login(reader)
    assert post_json(client, REGISTER_BEGIN).status_code in (401, 403)
    client.logout()
    assert post_json(client, SIGN_IN_BEGIN).status_code == 403


def test_a_passkey_counts_at_the_door_and_signs_in_in_place_of_a_code(
    client, passkey_then_password
):
    # A device: the door asks for the second factor, not for enrolment.
    assert client.get("/admin/stories/story/")["Location"] == f"{VERIFY}?next=/admin/stories/story/"
    used = use_passkey(client, passkey_then_password, next_page="/admin/stories/story/")
    assert used.status_code == 200
    assert used.json()["redirect_url"] == "/admin/stories/story/"
    assert client.get("/admin/stories/story/").status_code == 200
    assert kinds_recorded()[-2:] == [
        SignInRecord.Kind.SIGNED_IN,
        SignInRecord.Kind.PASSKEY_ACCEPTED,
    ]


def test_a_passkey_sends_nobody_off_the_site(client, passkey_then_password):
    used = use_passkey(client, passkey_then_password, next_page="https://elsewhere.example/")
    assert used.json()["redirect_url"] == reverse("admin:index")


def test_another_accounts_passkey_is_refused_and_recorded(client, moderator):
    colleague = User.objects.create_user("colleague", "c@example.org", PASSWORD, is_staff=True)
    theirs = SoftAuthenticator()
    client.force_login(colleague)
    add_passkey(client, theirs)
    client.logout()
    enrolled(moderator)
    signed_in_with_password(client)
    refused = use_passkey(client, theirs)
    assert refused.status_code >= 400
    assert client.get(reverse("admin:index")).status_code == 302
    assert kinds_recorded()[-1] == SignInRecord.Kind.PASSKEY_REFUSED


def test_a_crafted_answer_without_a_challenge_is_refused(client, passkey_then_password):
    authenticator = passkey_then_password
    # An answer to a challenge this session was never given.
    refused = post_json(client, SIGN_IN_COMPLETE, authenticator.asserted({"challenge": "AAAA"}))
    assert refused.status_code == 400
    assert client.get(reverse("admin:index")).status_code == 302
    assert kinds_recorded()[-1] == SignInRecord.Kind.PASSKEY_REFUSED


def test_a_passkey_from_another_site_is_refused(client, moderator):
    elsewhere = SoftAuthenticator(origin="https://phishing.example")
    signed_in_with_password(client)
    refused = add_passkey(client, elsewhere)
    assert refused.status_code >= 400
    assert not WebAuthnCredential.objects.exists()


def test_the_code_page_offers_a_passkey_only_to_an_account_with_one(client, moderator):
    enrolled(moderator)
    signed_in_with_password(client)
    page = client.get(VERIFY).content.decode()
    assert "passkey-verification-placeholder" not in page
    assert "otp_webauthn_auth.js" not in page

    WebAuthnCredential.objects.create(
        user=moderator, name="passkey", credential_id=b"id", public_key=b"key"
    )
    page = client.get(VERIFY).content.decode()
    # Without JavaScript the placeholder says why; the script swaps in the button.
    assert "needs JavaScript" in page
    assert 'id="passkey-verification-available-template"' in page
    assert 'type="application/json"' in page  # the library's configuration: data, not code
    assert "<script>" not in page


def test_enrolment_offers_a_passkey_beside_the_app(client, moderator):
    signed_in_with_password(client)
    page = client.get(ENROL).content.decode()
    assert 'id="passkey-registration-available-template"' in page
    assert "otp_webauthn_register.js" in page and "js/passkeys.js" in page
    assert "<script>" not in page


def test_a_typed_code_is_never_tried_on_a_passkey(client, passkey_then_password, monkeypatch):
    def tried(device, token):
        raise AssertionError(f"{token} was tried on a passkey")

    monkeypatch.setattr(WebAuthnCredential, "verify_token", tried)
    for code in ("123456", "recovery1"):
        wrong = client.post(VERIFY, {"code": code})
        assert "not accepted" in wrong.content.decode()


def test_the_code_page_with_a_passkey_keeps_to_the_query_budget(
    client, moderator, django_assert_max_num_queries
):
    enrolled(moderator)
    WebAuthnCredential.objects.create(
        user=moderator, name="passkey", credential_id=b"id", public_key=b"key"
    )
    signed_in_with_password(client)
    with django_assert_max_num_queries(10):
        client.get(VERIFY)
    with django_assert_max_num_queries(10):
        client.get(ENROL)


def test_an_administrator_deletes_a_lost_passkey_and_a_moderator_cannot(
    client, moderator, settings
):
    settings.STAFF_TWO_FACTOR = "offered"  # the admin's pages, here without a second factor
    colleague = User.objects.create_user("colleague", "c@example.org", PASSWORD, is_staff=True)
    passkey = WebAuthnCredential.objects.create(
        user=colleague, name="passkey", credential_id=b"id", public_key=b"key"
    )
    listing = "/admin/django_otp_webauthn/webauthncredential/"
    delete = f"{listing}{passkey.pk}/delete/"
    client.force_login(moderator)
    assert client.get(listing).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    administrator = User.objects.create_superuser("admin", "admin@example.org", PASSWORD)
    client.force_login(administrator)
    assert "colleague" in client.get(listing).content.decode()
    client.post(delete, {"post": "yes"})
    assert not WebAuthnCredential.objects.exists()
