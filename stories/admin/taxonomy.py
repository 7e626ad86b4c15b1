"""Perspectives, themes, the themes narrators suggest and the question prompts, as moderators
curate them."""

from django.contrib import admin, messages
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..models import Perspective, QuestionPrompt, Theme, ThemeSuggestion
from .actions import asked_before_acting
from .forms import AcceptSuggestionForm, MapSuggestionForm, MergeThemesForm


@admin.register(Perspective)
class PerspectiveAdmin(admin.ModelAdmin):
    list_display = ("name", "name_es", "slug", "colour", "mark", "display_order", "story_count")
    list_editable = ("display_order",)
    fields = (
        "name",
        "slug",
        "description",
        "name_es",
        "description_es",
        ("colour", "mark"),
        "display_order",
    )
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name", "name_es")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(story_count=Count("stories"))

    @admin.display(description=_("stories (all statuses)"), ordering="story_count")
    def story_count(self, perspective):
        return perspective.story_count


@admin.register(QuestionPrompt)
class QuestionPromptAdmin(admin.ModelAdmin):
    """The questions the share form offers narrators to begin with: for all, or by perspective."""

    list_display = ("text", "text_es", "perspective", "display_order", "active")
    list_editable = ("display_order", "active")
    list_filter = ("active", "perspective")
    list_select_related = ("perspective",)
    search_fields = ("text", "text_es")
    fields = ("text", "text_es", "perspective", "display_order", "active")


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ("name", "name_es", "slug", "story_count")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name", "name_es", "description")
    actions = ("merge_themes",)
    fields = ("name", "slug", "description", "name_es", "description_es", "pattern")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(story_count=Count("tagged_stories"))

    @admin.display(description=_("stories (all statuses)"), ordering="story_count")
    def story_count(self, theme):
        return theme.story_count

    @admin.action(permissions=["change", "delete"], description=_("Merge selected themes"))
    def merge_themes(self, request, queryset):
        if queryset.count() < 2:
            self.message_user(request, _("Select at least two themes to merge."), messages.ERROR)
            return None
        form = MergeThemesForm(request.POST if "apply" in request.POST else None, themes=queryset)
        if form.is_valid():
            target = form.cleaned_data["target"]
            merged = [theme for theme in queryset if theme.pk != target.pk]
            for theme in merged:
                theme.merge_into(target)
            self.message_user(
                request,
                ngettext(
                    "%(count)d theme merged into “%(target)s”.",
                    "%(count)d themes merged into “%(target)s”.",
                    len(merged),
                )
                % {"count": len(merged), "target": target.local_name},
                messages.SUCCESS,
            )
            return None
        return asked_before_acting(
            self,
            request,
            action="merge_themes",
            title=_("Merge themes"),
            form=form,
            objects=queryset,
            intro=_(
                "Every story tagged with a merged theme will be tagged with the theme you "
                "choose; the other selected themes are then deleted."
            ),
            submit_label=_("Merge themes"),
        )


@admin.register(ThemeSuggestion)
class ThemeSuggestionAdmin(admin.ModelAdmin):
    """Themes narrators asked for: accept one as a theme, map it onto one, or decline it."""

    list_display = ("name", "story_count", "decision", "theme", "decided_by", "created_at")
    list_filter = ("decision",)
    search_fields = ("name",)
    actions = ("accept", "map_onto_theme", "decline")
    fields = ("name", "story_count", "decision", "theme", "decided_by", "decided_at", "created_at")
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("theme", "decided_by")
            .annotate(story_count=Count("stories"))
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and obj is None

    @admin.display(description=_("stories asking for it"), ordering="story_count")
    def story_count(self, suggestion):
        return suggestion.story_count

    @admin.action(
        permissions=["change"], description=_("Accept as a new theme, tagging its stories")
    )
    def accept(self, request, queryset):
        """One suggestion at a time, named by the moderator: a narrator's words become public."""
        waiting = queryset.filter(decision=ThemeSuggestion.Decision.WAITING)
        if waiting.count() != 1 or not request.user.has_perm("stories.add_theme"):
            self.message_user(
                request,
                _("Select one waiting suggestion; accepting it needs the right to add themes."),
                messages.ERROR,
            )
            return None
        suggestion = waiting.get()
        form = AcceptSuggestionForm(
            request.POST if "apply" in request.POST else None, initial={"name": suggestion.name}
        )
        if form.is_valid():
            theme = suggestion.accept(by=request.user, **form.cleaned_data)
            self.message_user(
                request,
                _("Theme “%(theme)s” created and its stories tagged.") % {"theme": theme.name},
                messages.SUCCESS,
            )
            return None
        return asked_before_acting(
            self,
            request,
            action="accept",
            title=_("Accept a theme suggestion"),
            form=form,
            objects=[suggestion],
            intro=_(
                "The theme's name is public. Write it as the archive would, without anything "
                "that could identify a narrator."
            ),
            submit_label=_("Create the theme"),
        )

    @admin.action(permissions=["change"], description=_("Map onto an existing theme"))
    def map_onto_theme(self, request, queryset):
        form = MapSuggestionForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            for suggestion in queryset.filter(decision=ThemeSuggestion.Decision.WAITING):
                suggestion.map_onto(form.cleaned_data["theme"], by=request.user)
            self.message_user(
                request,
                _("Their stories are now tagged with “%(theme)s”.")
                % {"theme": form.cleaned_data["theme"].name},
                messages.SUCCESS,
            )
            return None
        return asked_before_acting(
            self,
            request,
            action="map_onto_theme",
            title=_("Map suggestions onto a theme"),
            form=form,
            objects=queryset,
            intro=_(
                "The stories that asked for these suggestions will be tagged with the theme "
                "you choose:"
            ),
            submit_label=_("Map onto this theme"),
        )

    @admin.action(permissions=["change"], description=_("Decline"))
    def decline(self, request, queryset):
        for suggestion in queryset.filter(decision=ThemeSuggestion.Decision.WAITING):
            suggestion.decline(by=request.user)
        self.message_user(request, _("Declined."), messages.SUCCESS)
