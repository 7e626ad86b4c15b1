"""Reporting a published story to the moderators, and the thank-you page."""

from django.conf import settings
from django.shortcuts import get_object_or_404, redirect, render

from ..models import Report, Story
from ..safety import limits
from .forms import ReportForm
from .guards import over_limit


def report_story(request, slug):
    """A reader's report on a published story; any other story answers 404."""
    story = get_object_or_404(Story.objects.published(), slug=slug)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if form.is_spam:
            return redirect("stories:report-thanks")
        refused = over_limit(request, scope="report", limit=settings.REPORT_RATE_LIMIT)
        if refused:
            return refused
        Report.file(
            story,
            reason=form.cleaned_data["reason"],
            details=form.cleaned_data["details"],
            email=form.cleaned_data["email"],
            reporter_hash=limits.client_key(request),
        )
        return redirect("stories:report-thanks")
    return render(
        request,
        "stories/report.html",
        {"story": story, "form": form, "reports_to_hide": settings.REPORTS_TO_HIDE_STORY},
    )


def report_thanks(request):
    return render(request, "stories/report_thanks.html")
