"""Readers' reports about stories, which moderators read and resolve."""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..models import Report
from .actions import asked_before_acting
from .forms import ResolveReportsForm


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Reports come from readers: moderators read and resolve them, never edit them."""

    list_display = ("created_at", "story_link", "reason", "is_open", "resolution", "resolved_by")
    list_filter = ("reason", ("resolved_at", admin.EmptyFieldListFilter), "resolution")
    list_select_related = ("story", "resolved_by")
    date_hierarchy = "created_at"
    actions = ("resolve",)
    fields = (
        "story_link",
        "reason",
        "details",
        "email",
        "created_at",
        "resolved_at",
        "resolved_by",
        "resolution",
        "reporter_hash",
    )
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # Resolving is an action; the change page only shows the report.
        return super().has_change_permission(request, obj) and obj is None

    @admin.display(description=_("story"))
    def story_link(self, report):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:stories_story_review", args=[report.story_id]),
            report.story,
        )

    @admin.display(description=_("open"), boolean=True)
    def is_open(self, report):
        return report.resolved_at is None

    @admin.action(permissions=["change"], description=_("Resolve selected reports"))
    def resolve(self, request, queryset):
        form = ResolveReportsForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            resolved = sum(
                report.resolve(form.cleaned_data["resolution"], by=request.user)
                for report in queryset
            )
            self.message_user(
                request,
                ngettext("%(count)d report resolved.", "%(count)d reports resolved.", resolved)
                % {"count": resolved},
                messages.SUCCESS,
            )
            return None
        return asked_before_acting(
            self,
            request,
            action="resolve",
            title=_("Resolve reports"),
            form=form,
            objects=queryset.select_related("story"),
            outro=_(
                "Resolving a report changes nothing in the story: edit, redact, approve or "
                "return it to review from the story itself."
            ),
            submit_label=_("Resolve"),
        )
