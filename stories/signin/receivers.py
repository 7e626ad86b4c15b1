"""Django's sign-in signals, written into the sign-in records (stories/models/signin.py)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed

from ..models import SignInRecord
from .middleware import HAS_SECOND_FACTOR_SESSION_KEY, has_second_factor, start_idle_clock


def record_sign_in(sender, request, user, **kwargs):
    """A staff sign-in is recorded, starts the session's idle clock and finds whether a code
    is due."""
    if user.is_staff and request is not None:
        SignInRecord.objects.note(SignInRecord.Kind.SIGNED_IN, request, user)
        start_idle_clock(request.session)
        request.session.pop(HAS_SECOND_FACTOR_SESSION_KEY, None)
        has_second_factor(request.session, user)


def record_failed_sign_in(sender, credentials, request=None, **kwargs):
    """The account the username names, if any; never the text typed (docs/privacy.md)."""
    if request is None:  # authenticate() called from code, not a sign-in page
        return
    User = get_user_model()
    typed = credentials.get(User.USERNAME_FIELD, "")
    user = User.objects.filter(**{User.USERNAME_FIELD: typed}).first() if typed else None
    SignInRecord.objects.note(SignInRecord.Kind.SIGN_IN_FAILED, request, user)


def connect():
    user_logged_in.connect(record_sign_in, dispatch_uid="stories.signin.record_sign_in")
    user_login_failed.connect(
        record_failed_sign_in, dispatch_uid="stories.signin.record_failed_sign_in"
    )
