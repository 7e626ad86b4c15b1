"""The sign-in records: read by administrators, written only by the sign-in itself; and the
staff's passkeys, which an administrator deletes when one is lost.

The Moderators group has no permission on either (stories/moderators.py): who signed
in when, and from which network, is for the people answerable for the accounts.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_otp_webauthn.admin import WebAuthnCredentialAdmin
from django_otp_webauthn.models import WebAuthnCredential

from ..models import SignInRecord
from .history import RecordOnlyAdmin


@admin.register(SignInRecord)
class SignInRecordAdmin(RecordOnlyAdmin):
    list_display = ("at", "kind", "user", "client_short")
    list_filter = ("kind",)
    list_select_related = ("user",)
    date_hierarchy = "at"
    search_fields = ("user__username",)
    fields = ("at", "kind", "user", "client")
    readonly_fields = fields

    @admin.display(description=_("client"), ordering="client")
    def client_short(self, record):
        return record.client[:12]


# django-otp registers the authenticators' and recovery codes' admin itself; django-otp-webauthn
# leaves its own to the project. Its admin cannot add a passkey (only a browser can).
admin.site.register(WebAuthnCredential, WebAuthnCredentialAdmin)
