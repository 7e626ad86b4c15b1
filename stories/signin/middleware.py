"""The admin's door for staff: the idle time, then enrolment or a code when they are due.

Only addresses under the admin's are looked at, so a reader's page never reads the
session (no cookie, no ``Vary: Cookie``): public pages stay cacheable.
"""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse
from django_otp import user_has_device

from ..models import SignInRecord

LAST_SEEN_SESSION_KEY = "staff_last_seen"
HAS_SECOND_FACTOR_SESSION_KEY = "staff_has_second_factor"

# The pages a staff member must reach before the second factor: its own.
OPEN_BEFORE_SECOND_FACTOR = (
    "admin:login",
    "admin:logout",
    "two-factor-enrol",
    "two-factor-key",
    "two-factor-verify",
    "two-factor-recovery-codes",
    # Passkeys: adding one is an enrolment, using one is the code step. The library refuses
    # to add one for an enrolled account whose session has not passed its second factor.
    "otp_webauthn:credential-registration-begin",
    "otp_webauthn:credential-registration-complete",
    "otp_webauthn:credential-authentication-begin",
    "otp_webauthn:credential-authentication-complete",
    "otp_webauthn:js-i18n-catalog",
)


def two_factor_required():
    """STAFF_TWO_FACTOR if set; else required exactly when the site is served over HTTPS."""
    if settings.STAFF_TWO_FACTOR:
        return settings.STAFF_TWO_FACTOR == "required"
    return settings.HTTPS


class StaffSignInMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.path_info.startswith(reverse("admin:index")):
            return None
        user = request.user
        if not (user.is_active and user.is_staff):
            return None
        if self.idle_too_long(request):
            SignInRecord.objects.note(SignInRecord.Kind.IDLE_SIGNED_OUT, request, user)
            logout(request)
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        if user.is_verified() or request.resolver_match.view_name in OPEN_BEFORE_SECOND_FACTOR:
            return None
        if has_second_factor(request.session, user):
            return redirect_to_login(request.get_full_path(), reverse("two-factor-verify"))
        if two_factor_required():
            return redirect_to_login(request.get_full_path(), reverse("two-factor-enrol"))
        return None

    @staticmethod
    def idle_too_long(request):
        """Whether the session sat unused past STAFF_IDLE_MINUTES; else it is used now."""
        now = int(time.time())
        last_seen = request.session.get(LAST_SEEN_SESSION_KEY)
        if last_seen is not None and now - last_seen > settings.STAFF_IDLE_MINUTES * 60:
            return True
        # To the minute: the session is then written once a minute, not on every page.
        if last_seen is None or now - last_seen >= 60:
            start_idle_clock(request.session)
        return False


def has_second_factor(session, user):
    """Whether ``user`` has a confirmed device, as found when this session signed in.

    Kept in the session so that an admin page costs no query for it: a device only
    comes from the enrolment, which verifies the session that made it, and every
    sign-in starts with a fresh answer (receivers.py).
    """
    known = session.get(HAS_SECOND_FACTOR_SESSION_KEY)
    if known is None:
        known = session[HAS_SECOND_FACTOR_SESSION_KEY] = user_has_device(user)
    return known


def start_idle_clock(session):
    """The staff session is in use now. It also expires STAFF_IDLE_MINUTES after its last
    use, so an abandoned one is gone from the server too (purge_private_data clears
    expired sessions)."""
    session[LAST_SEEN_SESSION_KEY] = int(time.time())
    session.set_expiry(settings.STAFF_IDLE_MINUTES * 60)
