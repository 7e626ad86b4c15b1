"""About the archive: how moderation works, with its figures, and the privacy page."""

from django.conf import settings
from django.views.generic import TemplateView

from ..models import ModerationEvent, hold_minutes
from . import transparency


class ModerationFiguresView(TemplateView):
    """How moderation works, and its figures per perspective: counts only."""

    template_name = "stories/moderation.html"

    def get_context_data(self, **kwargs):
        rows, total = transparency.figures()
        return super().get_context_data(
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
