"""
The record of who signed in to the admin: sign-ins, failed sign-ins, wrong codes,
enrolments, recovery codes used, passkeys added, used or refused, for administrators to
read (docs/moderation.md).

Nothing here names a client by its address: a failed sign-in keeps the keyed hash
the rate limiter uses (stories/safety/limits.py), enough to see that tries came from
one place; and a username typed at the sign-in page is kept only as the account it
names, never as text, since a mistyped one can be a password or a person's name
(docs/privacy.md). Records go after SIGN_IN_RECORD_RETENTION_DAYS.
"""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..safety import limits


class SignInRecordQuerySet(models.QuerySet):
    def note(self, kind, request, user=None):
        """Record ``kind`` for ``user`` (None: no such account), from ``request``'s client."""
        return self.create(kind=kind, user=user, client=limits.client_key(request))

    def past_retention(self):
        kept_since = timezone.now() - datetime.timedelta(
            days=settings.SIGN_IN_RECORD_RETENTION_DAYS
        )
        return self.filter(at__lt=kept_since)


class SignInRecord(models.Model):
    class Kind(models.TextChoices):
        SIGNED_IN = "signed-in", _("Signed in with a password")
        SIGN_IN_FAILED = "sign-in-failed", _("Sign-in refused")
        CODE_ACCEPTED = "code-accepted", _("Code accepted")
        CODE_FAILED = "code-failed", _("Wrong code")
        ENROLLED = "enrolled", _("Authenticator set up")
        RECOVERY_CODE_USED = "recovery-code-used", _("Recovery code used")
        PASSKEY_ADDED = "passkey-added", _("Passkey added")
        PASSKEY_ACCEPTED = "passkey-accepted", _("Passkey accepted")
        PASSKEY_REFUSED = "passkey-refused", _("Passkey refused")
        IDLE_SIGNED_OUT = "idle-signed-out", _("Signed out after idle time")

    at = models.DateTimeField(_("when"), default=timezone.now)
    kind = models.CharField(_("what happened"), max_length=24, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        # Empty: the username typed names no account.
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    client = models.CharField(
        _("client (keyed hash)"),
        max_length=64,
        help_text=_("The same value means the same network; the address itself is not kept."),
    )

    objects = SignInRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-at"]
        verbose_name = _("sign-in record")
        verbose_name_plural = _("sign-in records")
        indexes = [models.Index(fields=["at"], name="signinrecord_at")]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.user or _('no such account')}"
