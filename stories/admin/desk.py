"""
The moderation desk: one admin page with every queue a moderator works, and a
review page that takes one story at a time, oldest first, from the keyboard.
Decisions go through the model's workflow methods, as everywhere else.
"""

import datetime

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import (
    ClaimHeldByAnother,
    InvalidTransition,
    ModerationEvent,
    NotReadyToPublish,
    Perspective,
    Report,
    ReviewClaim,
    Story,
    ThemeSuggestion,
    held_by_another,
)
from ..safety import shield
from .forms import RejectForm
from .workspace import ReviewWorkspace

DESK_LIST_LENGTH = 50
# What the desk and the list show of a story's claim (``Story.objects.with_review_signs``).
CLAIM_FIELDS = (
    "review_claim__claimed_at",
    "review_claim__expires_at",
    "review_claim__moderator__username",
    "review_claim__moderator__first_name",
    "review_claim__moderator__last_name",
)
# The window of the desk's counts per perspective.
RECENT_DAYS = 30


def recent_counts_by_perspective(since):
    """Per perspective: stories received since ``since`` still pending, approved and rejected.

    One query: the perspectives with their pending counts, and the decisions
    since counted by a subquery each (six perspectives, two small counts).
    """

    def decided(status):
        counted = (
            ModerationEvent.objects.filter(
                story__perspective=OuterRef("pk"), created_at__gte=since, to_status=status
            )
            .exclude(from_status=status)  # decisions, not lines written since (featured...)
            .order_by()
            .values("story__perspective")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return Coalesce(Subquery(counted), 0)

    perspectives = Perspective.objects.annotate(
        pending=Count(
            "stories",
            filter=Q(stories__status=Story.Status.PENDING, stories__submitted_at__gte=since),
        ),
        approved=decided(Story.Status.APPROVED),
        rejected=decided(Story.Status.REJECTED),
    ).order_by(*Perspective._meta.ordering)  # a grouped query leaves Meta.ordering out
    return [
        {
            "perspective": perspective,
            "pending": perspective.pending,
            "approved": perspective.approved,
            "rejected": perspective.rejected,
        }
        for perspective in perspectives
    ]


def next_in_queue(moderator, after=None):
    """The oldest pending story, other than ``after``, that no other moderator is reviewing."""
    queue = Story.objects.review_queue().not_claimed_by_others_than(moderator)
    if after is not None:
        queue = queue.exclude(pk=after.pk)
    return queue.only("pk").first()


class ModerationDeskMixin:
    """The desk and the one-story review, as views of the story admin."""

    def get_urls(self):
        return [
            path("desk/", self.admin_site.admin_view(self.desk_view), name="stories_story_desk"),
            path(
                "<int:story_id>/review/",
                self.admin_site.admin_view(self.review_view),
                name="stories_story_review",
            ),
            *super().get_urls(),
        ]

    def desk_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        now = timezone.now()
        pending = (
            Story.objects.review_queue()
            .with_review_signs()
            .select_related("perspective", "review_claim__moderator")
            .only(
                "title",
                "submitted_at",
                "language",
                "sent_with_findings",
                "voice",
                "perspective__name",
                "perspective__name_es",
                *CLAIM_FIELDS,
            )
        )
        pending = list(pending[: DESK_LIST_LENGTH + 1])
        for story in pending:
            story.sent_anyway = shield.sent_anyway(story.sent_with_findings)
        return TemplateResponse(
            request,
            "admin/stories/story/desk.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Moderation desk"),
                "opts": self.model._meta,
                "now": now,
                "pending": pending[:DESK_LIST_LENGTH],
                # Among those listed: no query of its own, whatever the queue's length.
                "first_unclaimed": next(
                    (story for story in pending if not held_by_another(story, request.user)), None
                ),
                "promised_days": settings.PROMISED_REVIEW_DAYS,
                "more_pending": len(pending) > DESK_LIST_LENGTH,
                "open_reports": Report.objects.open()
                .select_related("story")
                .defer("story__body", "story__search_vector")
                .order_by("created_at")[:DESK_LIST_LENGTH],
                "leaving_embargo": Story.objects.awaiting_publication()
                .only("title", "published_at")
                .order_by("published_at")[:DESK_LIST_LENGTH],
                "suggestions": ThemeSuggestion.objects.waiting()[:DESK_LIST_LENGTH],
                # What narrators asked of moderators from their private pages, lately.
                "corrections": ModerationEvent.objects.exclude(narrator_message="")
                .filter(created_at__gte=now - datetime.timedelta(days=RECENT_DAYS))
                .select_related("story")
                .only("narrator_message", "created_at", "story__title", "story__status")
                .order_by("-created_at")[:DESK_LIST_LENGTH],
                "recent_days": RECENT_DAYS,
                "recent_counts": recent_counts_by_perspective(
                    now - datetime.timedelta(days=RECENT_DAYS)
                ),
            },
        )

    def review_view(self, request, story_id):
        story = get_object_or_404(
            Story.objects.select_related(
                "perspective", "recording__cleared_by", "review_claim__moderator"
            ).prefetch_related("transcript"),
            pk=story_id,
        )
        if not self.has_change_permission(request, story):
            raise PermissionDenied
        if request.method == "POST" and "take_over" in request.POST:
            return self._take_over(request, story)
        # None for a story without one (the reverse relation raises an AttributeError then).
        recording = getattr(story, "recording", None)
        workspace = ReviewWorkspace(request, story, recording)
        reject_form = RejectForm(request.POST if request.POST.get("decision") == "reject" else None)
        if workspace.posted:
            if workspace.save(request):
                review_url = reverse("admin:stories_story_review", args=[story.pk])
                return redirect(f"{review_url}#{workspace.section}")
        elif request.method == "POST":
            decided = self._decide(request, story, reject_form)
            if decided:
                following = next_in_queue(request.user, after=story)
                if following is None:
                    self.message_user(request, _("The queue is empty."), messages.INFO)
                    return redirect("admin:stories_story_desk")
                return redirect("admin:stories_story_review", following.pk)
        following = next_in_queue(request.user, after=story)
        return TemplateResponse(
            request,
            "admin/stories/story/review.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Review: %(title)s") % {"title": story},
                "opts": self.model._meta,
                "original": story,
                "story": story,
                "recording": recording,
                **workspace.forms,
                "shield": self.identity_shield(story),
                "sent_anyway": shield.sent_anyway(story.sent_with_findings),
                "open_reports": story.reports.open(),
                "corrections": story.corrections_asked(),
                "reject_form": reject_form,
                "next_story": following,
                "claim": self._claim_on_opening(request, story),
                "can_approve": Story.Status.APPROVED in Story.TRANSITIONS[story.status],
                "can_reject": Story.Status.REJECTED in Story.TRANSITIONS[story.status],
                "can_return": Story.Status.PENDING in Story.TRANSITIONS[story.status],
                "change_url": reverse("admin:stories_story_change", args=[story.pk]),
            },
        )

    def _claim_on_opening(self, request, story):
        """The claim on ``story`` as its review is shown: opening a pending story's claims it.

        Only a GET claims: a decision that did not go through shows the page
        again without renewing anything.
        """
        if request.method == "GET" and story.status == Story.Status.PENDING:
            return ReviewClaim.open_review(story, by=request.user)
        claim = getattr(story, "review_claim", None)  # loaded with the story
        return claim if claim is not None and claim.is_current else None

    def _take_over(self, request, story):
        """Take over the review of ``story`` from the moderator the confirmation named."""
        try:
            from_moderator_id = int(request.POST.get("from_moderator", ""))
            ReviewClaim.take_over(story, by=request.user, from_moderator_id=from_moderator_id)
        except (ValueError, ClaimHeldByAnother):
            self.message_user(
                request,
                _("The review changed hands or ended meanwhile; see who has it now."),
                messages.WARNING,
            )
        else:
            self.message_user(request, _("You are reviewing this story now."), messages.SUCCESS)
        return redirect("admin:stories_story_review", story.pk)

    def _decide(self, request, story, reject_form):
        """Carry out the decision posted for ``story``; whether it was carried out."""
        decision = request.POST.get("decision")
        note = request.POST.get("note", "").strip()
        try:
            if decision == "approve":
                story.approve(by=request.user, note=note)
                done = _("Approved and published: %(title)s")
            elif decision == "reject":
                if not reject_form.is_valid():
                    return False
                story.reject(by=request.user, **reject_form.cleaned_data)
                done = _("Rejected: %(title)s")
            elif decision == "return_to_review":
                story.return_to_review(by=request.user, note=note)
                done = _("Returned to review: %(title)s")
            else:
                return False
        except NotReadyToPublish as refusal:
            self.message_user(
                request,
                _("Not published: %(title)s. %(reason)s") % {"title": story, "reason": refusal},
                messages.WARNING,
            )
            return False
        except InvalidTransition:
            self.message_user(
                request,
                _("Its status has changed meanwhile; nothing was done. It is now: %(status)s")
                % {"status": Story.objects.get(pk=story.pk).get_status_display()},
                messages.WARNING,
            )
            return False
        self.message_user(request, done % {"title": story}, messages.SUCCESS)
        return True
