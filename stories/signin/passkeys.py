"""Passkeys as a second factor: django-otp-webauthn's four JSON endpoints, for staff only,
written into the sign-in records.

The ceremonies (challenges kept in the session, signatures checked against the stored
public key, the credential matched to the signed-in account) are the library's, on
py_webauthn; what is ours is who may use them, what is recorded, and where the moderator
goes next. A passkey never signs anyone in alone: the password comes first
(OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN is off).
"""

import json

from django.http import JsonResponse
from django.urls import reverse
from django_otp_webauthn import views as webauthn
from django_otp_webauthn.exceptions import OTPWebAuthnApiError

from ..models import SignInRecord
from . import devices
from .views import RECOVERY_CODES_SESSION_KEY


class StaffOnly:
    """The admin's passkeys are for staff: anyone else meets "not signed in"."""

    def get_user(self):
        user = self.request.user
        return user if user.is_active and user.is_staff else None


class BeginRegistration(StaffOnly, webauthn.BeginCredentialRegistrationView):
    pass


class CompleteRegistration(StaffOnly, webauthn.CompleteCredentialRegistrationView):
    """A new passkey, recorded. The first second factor of an account also brings its
    recovery codes, as the authenticator's enrolment does: a lost passkey must not lock
    the moderator out. Adding one to an enrolled account keeps the codes it has."""

    def post(self, *args, **kwargs):
        added = json.loads(super().post(*args, **kwargs).content)
        user = self.request.user
        SignInRecord.objects.note(SignInRecord.Kind.PASSKEY_ADDED, self.request, user)
        if not devices.has_recovery_codes(user):
            self.request.session[RECOVERY_CODES_SESSION_KEY] = devices.new_recovery_codes(user)
            added["recovery_codes"] = True
        return JsonResponse(added)


class BeginSignIn(StaffOnly, webauthn.BeginCredentialAuthenticationView):
    pass


class CompleteSignIn(StaffOnly, webauthn.CompleteCredentialAuthenticationView):
    """The passkey that answered the challenge, if it is the signed-in account's own."""

    def complete_auth(self, device):
        super().complete_auth(device)
        SignInRecord.objects.note(SignInRecord.Kind.PASSKEY_ACCEPTED, self.request, device.user)

    def handle_exception(self, exc):
        user = self.get_user()
        if isinstance(exc, OTPWebAuthnApiError) and user is not None:
            SignInRecord.objects.note(SignInRecord.Kind.PASSKEY_REFUSED, self.request, user)
        return super().handle_exception(exc)

    def get_success_url(self):
        return self.get_redirect_url() or reverse("admin:index")
