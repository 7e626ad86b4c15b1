"""Shared by the admin actions: a workflow change on each selected story, and asking first."""

from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..models import InvalidTransition, NotReadyToPublish


def workflow_action(method, description, done, **arguments):
    """An admin action that calls the workflow method ``method`` on each selected story.

    Stories whose status does not allow the change are skipped and counted,
    never forced: the model's transition table decides. ``arguments`` go to
    the method (a rejection's reason and note).
    """

    def action(modeladmin, request, queryset):
        changed = skipped = 0
        for story in queryset:
            try:
                event = getattr(story, method)(by=request.user, **arguments)
            except NotReadyToPublish as refusal:
                # Named, with its reason: the moderator has something to do for it.
                modeladmin.message_user(
                    request,
                    _("Not published: %(title)s. %(reason)s") % {"title": story, "reason": refusal},
                    messages.WARNING,
                )
            except InvalidTransition:
                skipped += 1
            else:
                if event.from_status == event.to_status:
                    # A first approval (TWO_MODERATORS_FOR_RISKY_STORIES): named, as it waits.
                    modeladmin.message_user(request, first_approval_message(story), messages.INFO)
                else:
                    changed += 1
        if changed:
            modeladmin.message_user(request, done % {"count": changed}, messages.SUCCESS)
        if skipped:
            modeladmin.message_user(
                request,
                ngettext(
                    "%(count)d story was skipped: its status does not allow that.",
                    "%(count)d stories were skipped: their status does not allow that.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )

    action.__name__ = method
    return admin.action(permissions=["change"], description=description)(action)


def first_approval_message(story):
    return _(
        "First approval recorded: %(title)s. A second, different moderator's approval publishes it."
    ) % {"title": story}


def asked_before_acting(
    modeladmin, request, *, action, title, form, objects, submit_label, intro="", outro=""
):
    """The page an admin action shows to ask for what it needs (stories/action_form.html)."""
    return TemplateResponse(
        request,
        "admin/stories/action_form.html",
        {
            **modeladmin.admin_site.each_context(request),
            "opts": modeladmin.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "action": action,
            "title": title,
            "form": form,
            "objects": objects,
            "submit_label": submit_label,
            "intro": intro,
            "outro": outro,
        },
    )  # fmt: skip
