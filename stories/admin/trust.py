"""The About page's text and the requests for data: administrators' alone.

The Moderators group has no permission on either (stories/moderators.py):
the About page speaks for the institution that runs the archive, and a
request for data is a legal matter, kept by the people answerable for it.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ..models import ArchiveStatement, DataRequest


@admin.register(ArchiveStatement)
class ArchiveStatementAdmin(admin.ModelAdmin):
    """One row: added once (a fresh install shows its defaults until then), never deleted."""

    list_display = ("__str__", "contact_email", "updated_at")
    fieldsets = (
        (_("Who runs this archive"), {"fields": ("who_runs", "who_runs_es")}),
        (_("Contact"), {"fields": ("contact_email", "contact", "contact_es")}),
        (_("Press and funders"), {"fields": ("press", "press_es", "funders", "funders_es")}),
        (
            _("How we answer requests for data"),
            {"fields": ("requests_policy", "requests_policy_es")},
        ),
    )

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not ArchiveStatement.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DataRequest)
class DataRequestAdmin(admin.ModelAdmin):
    list_display = ("received_on", "requester", "outcome", "is_sample")
    list_filter = ("requester", "outcome", "is_sample")
    date_hierarchy = "received_on"
    fields = ("received_on", "requester", "outcome", "notes", "is_sample")
