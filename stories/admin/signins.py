"""The sign-in records: read by administrators, written only by the sign-in itself.

The Moderators group has no permission on them (stories/moderators.py): who signed
in when, and from which network, is for the people answerable for the accounts.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

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
