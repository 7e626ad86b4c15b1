"""
The moderation desk: one admin page with every queue a moderator works, and a
review page that takes one story at a time, oldest first, from the keyboard.
Decisions go through the model's workflow methods, as everywhere else.
"""

import datetime
from dataclasses import dataclass

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
    WaiverRefused,
    held_by_another,
)
from ..models.shielding import holds_back, moderator_label
from ..safety import shield
from .actions import first_approval_message
from .editors import translation_summary
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


# Shown on the review page whether or not the shield finds anything in them.
ALWAYS_SHOWN = ("title", "summary", "quote", "body")


@dataclass
class FindingToDecide:
    finding: shield.Finding
    kind: str
    waiver: object  # its ShieldWaiver, or None
    blocks: bool  # high-risk, public and not waived: the story cannot be approved

    @property
    def mark_class(self):
        if self.blocks:
            return "finding finding-blocks"
        return "finding finding-waived" if self.waiver else "finding"


@dataclass
class Passage:
    """One text of a story on the review page, its findings highlighted where they stand."""

    field: str
    label: str
    html: str  # safe: shield.highlight escapes the narrator's text
    findings: list
    lang: str  # the story's language, or the other one for the archive's translation


def passages_to_review(story):
    """The story's texts as the review page shows them, each with its findings to decide on.

    The title, summary, quote and body always; any other text (a transcript
    paragraph, the place...) where the shield finds something.
    """
    findings, waived = story.shield_review()
    passages = []
    for field, shielded in story.shielded_texts().items():
        here = [finding for finding in findings if finding.field == field]
        if not shielded.text or not (here or field in ALWAYS_SHOWN):
            continue
        to_decide = [
            FindingToDecide(
                finding,
                moderator_label(finding),
                waived.get(finding),
                holds_back(finding, waived),
            )
            for finding in here
        ]
        classes = {item.finding: item.mark_class for item in to_decide}
        passages.append(
            Passage(
                field,
                shielded.label,
                shield.highlight(shielded.text, here, classes=classes.get),
                to_decide,
                story.translation_language if field.endswith("translation") else story.language,
            )
        )
    return passages


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
            path(
                "<int:story_id>/review/next/",
                self.admin_site.admin_view(self.next_view),
                name="stories_story_review_next",
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
            .select_related("perspective", "review_claim__moderator", "first_approved_by")
            # The shield reads every public text: findings are counted from them, here.
            .only(
                *shield.SHIELDED_FIELDS,
                "submitted_at",
                "language",
                "sent_with_findings",
                "voice",
                "is_anonymous",
                "narrator_name",
                "first_approved_at",
                "first_approved_by__username",
                "perspective__name",
                "perspective__name_es",
                *CLAIM_FIELDS,
            )
            .with_shield_review()
        )
        pending = list(pending[: DESK_LIST_LENGTH + 1])
        for story in pending:
            story.sent_anyway = shield.sent_anyway(story.sent_with_findings)
            story.unresolved_count = len(story.unresolved_findings())
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
                .defer("story__body", *(f"story__{name}" for name in Story.SEARCH_VECTORS))
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
        story = get_object_or_404(Story.objects.for_review(), pk=story_id)
        if not self.has_change_permission(request, story):
            raise PermissionDenied
        if request.method == "POST" and "take_over" in request.POST:
            return self._take_over(request, story)
        # None for a story without one (the reverse relation raises an AttributeError then).
        recording = getattr(story, "recording", None)
        workspace = ReviewWorkspace(request, story, recording)
        reject_form = RejectForm(request.POST if request.POST.get("decision") == "reject" else None)
        if request.method == "POST" and request.POST.get("finding"):
            self._decide_finding(request, story)
            return redirect(reverse("admin:stories_story_review", args=[story.pk]) + "#shield")
        if workspace.posted:
            if workspace.save(request):
                review_url = reverse("admin:stories_story_review", args=[story.pk])
                return redirect(f"{review_url}#{workspace.section}")
        elif request.method == "POST":
            decided = self._decide(request, story, reject_form)
            if decided:
                return self._go_to_next(request, story)
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
                "passages": passages_to_review(story),
                "translation_summary": translation_summary(story),
                "unready_reason": story.unready_reason(),
                "sent_anyway": shield.sent_anyway(story.sent_with_findings),
                "open_reports": story.reports.open() if story.open_report_count else (),
                "corrections": story.corrections_asked() if story.asked_for_corrections else (),
                "reject_form": reject_form,
                "claim": self._claim_on_opening(request, story),
                "can_approve": Story.Status.APPROVED in Story.TRANSITIONS[story.status],
                "can_reject": Story.Status.REJECTED in Story.TRANSITIONS[story.status],
                "can_return": Story.Status.PENDING in Story.TRANSITIONS[story.status],
                "change_url": reverse("admin:stories_story_change", args=[story.pk]),
            },
        )

    def next_view(self, request, story_id):
        """*Next in the queue*: which story is next is decided when the moderator asks, as
        claims stand then, not when the page they leave was drawn."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        return self._go_to_next(request, get_object_or_404(Story.objects.only("pk"), pk=story_id))

    def _go_to_next(self, request, story):
        following = next_in_queue(request.user, after=story)
        if following is None:
            self.message_user(request, _("The queue is empty."), messages.INFO)
            return redirect("admin:stories_story_desk")
        return redirect("admin:stories_story_review", following.pk)

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
                if story.approve(by=request.user, note=note).to_status != Story.Status.APPROVED:
                    self.message_user(request, first_approval_message(story), messages.INFO)
                    return True
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

    def _decide_finding(self, request, story):
        """Redact or waive the one finding posted (``finding``: its ``Finding.key``)."""
        key = request.POST["finding"]
        if request.POST.get("finding_decision") == "waive":
            try:
                waiver = story.waive(key, request.POST.get("reason", ""), by=request.user)
            except WaiverRefused as refusal:
                self.message_user(request, str(refusal), messages.ERROR)
                return
            self.message_user(
                request,
                _("Waived: %(kind)s. The story's history records who waived it and why.")
                % {"kind": waiver.get_kind_display()},
                messages.SUCCESS,
            )
        elif story.redact([key], by=request.user):
            self.message_user(
                request,
                _("Redacted; the story's history records its kind."),
                messages.SUCCESS,
            )
        else:
            self.message_user(
                request,
                _("That detail has changed or gone since the page was loaded; look again."),
                messages.WARNING,
            )
