"""Who can sign in: a second factor for staff, required over HTTPS, and the idle time.

"Over HTTPS" is the settings production has (HTTPS on, secure cookies) and requests
made with ``secure=True``; the requirement then follows from HTTPS alone, with
STAFF_TWO_FACTOR left empty as production leaves it.
"""

import datetime
import re
import time
from base64 import b32encode

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from stories.models import SignInRecord
from stories.signin.devices import RECOVERY_CODE_COUNT, confirm_authenticator
from stories.signin.middleware import LAST_SEEN_SESSION_KEY

from ..factories import make_published, make_story

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-moderator-password"
ENROL = "/admin/two-factor/enrol/"
VERIFY = "/admin/two-factor/code/"
RECOVERY = "/admin/two-factor/enrol/recovery-codes/"


@pytest.fixture
def https(settings):
    settings.HTTPS = settings.SECURE_SSL_REDIRECT = True
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    settings.STAFF_TWO_FACTOR = ""


class HttpsClient(Client):
    """A client whose every request comes over HTTPS (``secure=True``)."""

    def generic(self, *args, **kwargs):
        return super().generic(*args, **{**kwargs, "secure": True})


@pytest.fixture
def over_https(https):
    return HttpsClient()


def code_for(device):
    """The code the authenticator app shows now."""
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"


def next_code(device):
    """The app's code for the period after the last one the device accepted (spent now)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    totp.time = (device.last_t + 1) * device.step
    return f"{totp.token():06d}"


def enrolled(user):
    """``user`` with a confirmed authenticator; its recovery codes."""
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return confirm_authenticator(device, code_for(device))


def signed_in_with_password(client):
    response = client.post("/admin/login/", {"username": "moderator", "password": PASSWORD})
    assert response.status_code == 302
    return client


def admin_pages(story):
    return [
        reverse("admin:index"),
        reverse("admin:stories_story_changelist"),
        reverse("admin:stories_story_change", args=[story.pk]),
        reverse("admin:stories_story_desk"),
        reverse("admin:stories_report_changelist"),
        reverse("admin:password_change"),
        reverse("admin:app_list", args=["stories"]),
    ]


def test_an_unenrolled_moderator_is_sent_to_enrolment_from_every_admin_page(over_https, moderator):
    over_https.force_login(moderator)
    for path in admin_pages(make_story()):
        response = over_https.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == f"{ENROL}?next={path}", path


def test_before_the_second_factor_only_its_own_pages_and_signing_out_are_open(
    over_https, moderator
):
    over_https.force_login(moderator)
    assert over_https.get(ENROL).status_code == 200
    assert over_https.get("/admin/two-factor/enrol/key.svg").status_code == 200
    assert over_https.post(reverse("admin:logout")).status_code == 200
    assert over_https.get(ENROL).status_code == 302  # signed out: to the sign-in page


def test_the_enrolment_shows_the_key_as_text_and_as_a_qr_code(over_https, moderator):
    over_https.force_login(moderator)
    page = over_https.get(ENROL).content.decode()
    device = TOTPDevice.objects.get(user=moderator, confirmed=False)
    key = b32encode(device.bin_key).decode()
    shown = re.search(r'id="two-factor-key">([A-Z2-7 ]+)<', page).group(1)
    assert shown.replace(" ", "") == key
    assert 'src="/admin/two-factor/enrol/key.svg"' in page
    # The same key on every visit until it is confirmed.
    over_https.get(ENROL)
    assert TOTPDevice.objects.get(user=moderator, confirmed=False) == device
    qr = over_https.get("/admin/two-factor/enrol/key.svg")
    assert qr["Content-Type"] == "image/svg+xml"
    assert qr.content.startswith(b"<svg") and b"<script" not in qr.content
    assert "no-store" in qr["Cache-Control"]


def test_the_key_belongs_to_its_staff_member_alone(over_https, moderator):
    assert HttpsClient().get("/admin/two-factor/enrol/key.svg").status_code == 302
    over_https.force_login(moderator)
    assert over_https.get("/admin/two-factor/enrol/key.svg").status_code == 404  # none pending yet


def test_a_wrong_code_confirms_nothing(over_https, moderator):
    over_https.force_login(moderator)
    over_https.get(ENROL)
    device = TOTPDevice.objects.get(user=moderator)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    response = over_https.post(ENROL, {"code": wrong})
    assert response.status_code == 200
    assert "not the one the app shows now" in response.content.decode()
    assert not TOTPDevice.objects.filter(confirmed=True).exists()
    assert not StaticDevice.objects.exists()
    assert SignInRecord.objects.filter(kind=SignInRecord.Kind.CODE_FAILED).count() == 1
    assert over_https.get(reverse("admin:index")).status_code == 302


def test_a_crafted_post_without_a_code_confirms_nothing(over_https, moderator):
    over_https.force_login(moderator)
    assert over_https.post(ENROL, {}).status_code == 200
    assert over_https.post(VERIFY, {"code": "123456"}).status_code == 302  # nothing to check yet
    assert not TOTPDevice.objects.filter(confirmed=True).exists()


def test_the_right_code_confirms_and_shows_ten_recovery_codes_once(over_https, moderator):
    over_https.force_login(moderator)
    over_https.get(f"{ENROL}?next=/admin/stories/")
    device = TOTPDevice.objects.get(user=moderator)
    response = over_https.post(ENROL, {"code": code_for(device), "next": "/admin/stories/"})
    assert response["Location"] == f"{RECOVERY}?next=%2Fadmin%2Fstories%2F"
    page = over_https.get(response["Location"]).content.decode()
    shown = re.findall(r"<li><code>([a-z2-7]+)</code></li>", page)
    stored = StaticToken.objects.filter(device__user=moderator).values_list("token", flat=True)
    assert len(shown) == RECOVERY_CODE_COUNT == 10
    assert sorted(shown) == sorted(stored)
    assert 'href="/admin/stories/"' in page
    # Once: the session no longer holds them.
    again = over_https.get(RECOVERY).content.decode()
    assert not any(code in again for code in shown)
    assert TOTPDevice.objects.get(user=moderator).confirmed
    assert over_https.get(reverse("admin:index")).status_code == 200
    assert SignInRecord.objects.filter(kind=SignInRecord.Kind.ENROLLED).count() == 1


def test_signing_in_needs_the_code(over_https, moderator, settings):
    # django-otp makes a device wait after each wrong code; this test is about what is accepted.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    enrolled(moderator)
    signed_in_with_password(over_https)
    response = over_https.get("/admin/stories/story/")
    assert response["Location"] == f"{VERIFY}?next=/admin/stories/story/"
    device = TOTPDevice.objects.get(user=moderator)
    right_code = next_code(device)  # the current one was used to confirm
    wrong = over_https.post(VERIFY, {"code": "000000" if right_code != "000000" else "111111"})
    assert wrong.status_code == 200
    assert "not accepted" in wrong.content.decode()
    assert over_https.get(reverse("admin:index")).status_code == 302
    right = over_https.post(VERIFY, {"code": right_code, "next": "/admin/stories/story/"})
    assert right["Location"] == "/admin/stories/story/"
    assert over_https.get("/admin/stories/story/").status_code == 200
    assert list(SignInRecord.objects.order_by("at", "pk").values_list("kind", flat=True)) == [
        SignInRecord.Kind.SIGNED_IN,
        SignInRecord.Kind.CODE_FAILED,
        SignInRecord.Kind.CODE_ACCEPTED,
    ]


def test_the_code_page_sends_nobody_off_the_site(over_https, moderator):
    enrolled(moderator)
    signed_in_with_password(over_https)
    device = TOTPDevice.objects.get(user=moderator)
    response = over_https.post(VERIFY, {"code": next_code(device), "next": "https://evil.example/"})
    assert response["Location"] == reverse("admin:index")


def test_a_recovery_code_works_once(over_https, moderator):
    codes = enrolled(moderator)
    signed_in_with_password(over_https)
    response = over_https.post(VERIFY, {"code": codes[0].upper()})
    assert response.status_code == 302
    assert over_https.get(reverse("admin:index")).status_code == 200
    assert StaticToken.objects.filter(device__user=moderator).count() == 9
    assert SignInRecord.objects.filter(kind=SignInRecord.Kind.RECOVERY_CODE_USED).count() == 1
    over_https.post(reverse("admin:logout"))
    signed_in_with_password(over_https)
    assert over_https.post(VERIFY, {"code": codes[0]}).status_code == 200
    assert over_https.get(reverse("admin:index")).status_code == 302


def test_a_password_alone_cannot_replace_the_authenticator(over_https, moderator):
    enrolled(moderator)
    signed_in_with_password(over_https)
    first = TOTPDevice.objects.get(user=moderator)
    # A crafted POST straight to the enrolment, with a code made for a key of the attacker's.
    response = over_https.post(ENROL, {"code": "123456"})
    assert response["Location"].startswith(VERIFY)
    assert list(TOTPDevice.objects.filter(user=moderator)) == [first]


def test_a_verified_moderator_may_replace_a_lost_authenticator(over_https, moderator):
    codes = enrolled(moderator)
    signed_in_with_password(over_https)
    over_https.post(VERIFY, {"code": codes[0]})
    old = TOTPDevice.objects.get(user=moderator)
    assert "replaces your current authenticator" in over_https.get(ENROL).content.decode()
    new = TOTPDevice.objects.get(user=moderator, confirmed=False)
    over_https.post(ENROL, {"code": code_for(new)})
    assert list(TOTPDevice.objects.filter(user=moderator)) == [new]
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()
    assert not StaticToken.objects.filter(token__in=codes).exists()


def test_code_attempts_are_rate_limited_per_client(over_https, moderator, settings):
    settings.ADMIN_CODE_RATE_LIMIT = 3
    codes = enrolled(moderator)
    signed_in_with_password(over_https)
    attempts = [over_https.post(VERIFY, {"code": "000000"}).status_code for _ in range(4)]
    assert attempts == [200, 200, 200, 429]
    # The right code does not get through the limit either, nor a crafted enrolment.
    assert over_https.post(VERIFY, {"code": codes[0]}).status_code == 429
    assert over_https.post(ENROL, {"code": "000000"}).status_code == 429
    assert over_https.get(reverse("admin:index")).status_code == 302


def test_a_staff_session_ends_after_the_idle_time(moderator_client, moderator, settings):
    settings.STAFF_IDLE_MINUTES = 30
    assert moderator_client.get(reverse("admin:index")).status_code == 200
    session = moderator_client.session
    assert session.get_expiry_age() == 30 * 60
    session[LAST_SEEN_SESSION_KEY] = int(time.time()) - 29 * 60
    session.save()
    assert moderator_client.get(reverse("admin:index")).status_code == 200
    session = moderator_client.session
    session[LAST_SEEN_SESSION_KEY] = int(time.time()) - 31 * 60
    session.save()
    response = moderator_client.get(reverse("admin:stories_story_changelist"))
    assert response["Location"] == "/admin/login/?next=/admin/stories/story/"
    assert "_auth_user_id" not in moderator_client.session
    assert SignInRecord.objects.filter(kind=SignInRecord.Kind.IDLE_SIGNED_OUT).count() == 1


def test_sign_ins_and_failures_are_recorded_without_what_was_typed(client, moderator):
    client.post("/admin/login/", {"username": "moderator", "password": "wrong"})
    client.post("/admin/login/", {"username": "maria.lopez-typo", "password": "hunter2"})
    client.post("/admin/login/", {"username": "moderator", "password": PASSWORD})
    records = list(SignInRecord.objects.order_by("at", "pk"))
    assert [(r.kind, r.user) for r in records] == [
        (SignInRecord.Kind.SIGN_IN_FAILED, moderator),
        (SignInRecord.Kind.SIGN_IN_FAILED, None),
        (SignInRecord.Kind.SIGNED_IN, moderator),
    ]
    for record in records:
        assert re.fullmatch(r"[0-9a-f]{64}", record.client)  # a keyed hash, not 127.0.0.1
        values = [str(getattr(record, f.attname)) for f in SignInRecord._meta.concrete_fields]
        assert not any("maria" in value or "127.0.0.1" in value for value in values)


def test_administrators_read_the_records_and_nobody_changes_them(moderator_client):
    admin = User.objects.create_superuser("admin", "admin@example.org", PASSWORD)
    client = Client()
    client.force_login(admin)
    changelist = reverse("admin:stories_signinrecord_changelist")
    page = client.get(changelist)
    assert page.status_code == 200
    record = SignInRecord.objects.filter(user=admin).get()  # the superuser's own sign-in
    assert client.get(reverse("admin:stories_signinrecord_add")).status_code == 403
    change = reverse("admin:stories_signinrecord_change", args=[record.pk])
    assert client.post(change, {"kind": "enrolled"}).status_code == 403
    delete = reverse("admin:stories_signinrecord_delete", args=[record.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert SignInRecord.objects.get(pk=record.pk).kind == SignInRecord.Kind.SIGNED_IN
    assert moderator_client.get(changelist).status_code == 403


def test_old_records_are_purged_with_the_other_private_data(moderator, settings):
    settings.SIGN_IN_RECORD_RETENTION_DAYS = 90
    old, recent = (
        SignInRecord.objects.create(
            kind=SignInRecord.Kind.SIGNED_IN,
            user=moderator,
            client="0" * 64,
            at=timezone.now() - datetime.timedelta(days=days),
        )
        for days in (91, 89)
    )
    call_command("purge_private_data", stdout=None)
    assert list(SignInRecord.objects.all()) == [recent]


def test_offered_without_https_the_admin_works_without_a_device(moderator_client):
    assert moderator_client.get(reverse("admin:index")).status_code == 200
    page = moderator_client.get(reverse("admin:stories_story_changelist")).content.decode()
    assert f'href="{ENROL}"' in page  # offered, from every admin page


def test_offered_an_enrolled_account_still_needs_its_code(client, moderator):
    enrolled(moderator)
    signed_in_with_password(client)
    assert client.get(reverse("admin:index"))["Location"].startswith(VERIFY)


def test_the_setting_forces_either_way(over_https, client, moderator, settings):
    settings.STAFF_TWO_FACTOR = "offered"
    over_https.force_login(moderator)
    assert over_https.get(reverse("admin:index")).status_code == 200
    settings.STAFF_TWO_FACTOR = "required"
    settings.HTTPS = settings.SECURE_SSL_REDIRECT = False
    client.force_login(moderator)
    assert client.get(reverse("admin:index"))["Location"].startswith(ENROL)


def test_public_pages_still_set_no_cookies(over_https, moderator):
    make_published()
    for path in ["/", "/stories/", "/es/", "/about/"]:
        response = over_https.get(path)
        assert response.status_code == 200, path
        assert not response.cookies, path
        assert "Cookie" not in response.get("Vary", ""), path


def test_the_new_pages_keep_to_the_query_budget(
    over_https, moderator, django_assert_max_num_queries
):
    over_https.force_login(moderator)
    with django_assert_max_num_queries(10):
        over_https.get(ENROL)
    device = TOTPDevice.objects.get(user=moderator)
    over_https.post(ENROL, {"code": code_for(device)})
    with django_assert_max_num_queries(10):
        over_https.get(RECOVERY)
    over_https.post(reverse("admin:logout"))
    signed_in_with_password(over_https)
    with django_assert_max_num_queries(10):
        over_https.get(VERIFY)


def test_createmoderator_says_how_the_new_moderator_enrols(monkeypatch, capsys, https):
    monkeypatch.setenv("DJANGO_MODERATOR_PASSWORD", "a-long-and-good-passphrase")
    call_command("createmoderator", "ana", "--noinput")
    said = capsys.readouterr().out
    assert "authenticator app" in said and ENROL in said and "recovery codes" in said


def test_the_records_list_keeps_to_the_query_budget(moderator, django_assert_max_num_queries):
    admin = User.objects.create_superuser("admin", "admin@example.org", PASSWORD)
    client = Client()
    client.force_login(admin)
    for kind in SignInRecord.Kind.values:
        SignInRecord.objects.create(kind=kind, user=moderator, client="0" * 64)
    with django_assert_max_num_queries(10):
        page = client.get(reverse("admin:stories_signinrecord_changelist"))
    assert page.status_code == 200
    assert page.content.decode().count("moderator") >= len(SignInRecord.Kind.values)
