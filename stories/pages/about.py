"""About the archive: who runs it, how it answers requests for data, its open data, how
moderation works (with its figures) and the privacy page."""

from django.conf import settings
from django.views.generic import TemplateView

from ..models import (
    ArchiveStatement,
    DataRequest,
    Licence,
    ModerationEvent,
    Perspective,
    Story,
    Theme,
    hold_minutes,
)
from . import holdings, transparency


class AboutView(TemplateView):
    """Who runs the archive, how to reach it, press and funders: the administrators' text."""

    template_name = "stories/about.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(statement=ArchiveStatement.current(), **kwargs)


class DataRequestsView(TemplateView):
    """How the archive answers police, immigration authorities and courts: three queries."""

    template_name = "stories/data_requests.html"

    def get_context_data(self, **kwargs):
        requests = DataRequest.objects.all()
        counts = requests.counts()
        return super().get_context_data(
            statement=ArchiveStatement.current(),
            holdings=holdings.private_holdings(),
            counts=counts,
            total=sum(count for _year, rows in counts for _requester, _outcome, count in rows),
            samples=requests.filter(is_sample=True).exists(),
            withdrawn_grace_days=settings.WITHDRAWN_TEXT_GRACE_DAYS,
            rejected_retention_days=settings.REJECTED_TEXT_RETENTION_DAYS,
            resolved_report_retention_days=settings.RESOLVED_REPORT_RETENTION_DAYS,
            **kwargs,
        )


class OpenDataView(TemplateView):
    """Every open road, each with an example that works on this archive, and the reuse terms."""

    template_name = "stories/open_data.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            statement=ArchiveStatement.current(),
            licences=Licence.objects.all(),
            example_story_id=Story.objects.published()
            .order_by("-published_at", "-pk")
            .values_list("pk", flat=True)
            .first(),
            example_perspective=Perspective.objects.first(),
            example_theme=Theme.objects.order_by("name").first(),
            **kwargs,
        )


class ModerationFiguresView(TemplateView):
    """How moderation works, and its figures per perspective: counts only."""

    template_name = "stories/moderation.html"

    def get_context_data(self, **kwargs):
        rows, total = transparency.figures()
        waived, overdue = transparency.waivers_and_overdue()
        return super().get_context_data(
            waived=waived,
            overdue=overdue,
            promised_review_days=settings.PROMISED_REVIEW_DAYS,
            rows=rows,
            total=total,
            reasons_by_perspective=transparency.reasons_by_perspective(rows, total),
            window_days=transparency.DECISION_WINDOW_DAYS,
            reports_to_hide=settings.REPORTS_TO_HIDE_STORY,
            rejection_reasons=ModerationEvent.RejectionReason.choices,
            **kwargs,
        )


class PrivacyView(TemplateView):
    template_name = "stories/privacy.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            share_rate_period_minutes=settings.SHARE_RATE_PERIOD // 60,
            withdrawn_grace_days=settings.WITHDRAWN_TEXT_GRACE_DAYS,
            rejected_retention_days=settings.REJECTED_TEXT_RETENTION_DAYS,
            resolved_report_retention_days=settings.RESOLVED_REPORT_RETENTION_DAYS,
            recording_hold_minutes=hold_minutes(),
            **kwargs,
        )
