"""
Public pages. Every story a reader can reach comes from
``Story.objects.published()``; the views only choose, order and page.
"""

import dataclasses
import functools
import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.views.generic import DetailView, ListView, TemplateView

from .. import search
from ..models import (
    ConsentText,
    InvalidTransition,
    ModerationEvent,
    Perspective,
    Recording,
    Report,
    Story,
    Theme,
    facets_of,
    hash_withdrawal_token,
    hold_minutes,
    theme_perspective_counts,
)
from ..opendata import records
from ..pagecache.store import counted_once_per_generation
from ..safety import limits, shield
from ..services import AlreadySubmitted, email_withdrawal_link, submit_story, was_submitted
from . import transparency
from .forms import ReportForm, SearchForm, ShareForm, StoryFilterForm

logger = logging.getLogger(__name__)

STORIES_PER_PAGE = 20
STORIES_PER_COLUMN = 3


class PublishedStoriesMixin:
    """Lists of stories start from the public gateway, with what cards need prefetched."""

    paginate_by = STORIES_PER_PAGE

    def published_stories(self):
        return Story.objects.published().for_listing()

    def count_name(self):
        """A name to keep this list's length under per generation, or None to count each time."""
        return None

    def get_paginator(self, queryset, *args, **kwargs):
        paginator = super().get_paginator(queryset, *args, **kwargs)
        name = self.count_name()
        if name:
            # Counting every published story took 20 ms a page at 100,000 stories.
            paginator.count = counted_once_per_generation(name, queryset.count)
        return paginator

    def filters_from_request(self, form_class):
        """The page's filter form, bound to the query string, offering the years stories have."""
        years = counted_once_per_generation(
            "years", lambda: list(Story.objects.published().years_happened())
        )
        return form_class(self.request.GET, years=years)


class HomeView(PublishedStoriesMixin, TemplateView):
    template_name = "stories/home.html"

    def get_context_data(self, **kwargs):
        stories = self.published_stories()
        return super().get_context_data(
            featured_stories=stories.filter(featured=True)[:6],
            recent_stories=stories.filter(featured=False)[:6],
            perspectives=Perspective.objects.with_published_counts(),
            themes=Theme.objects.with_published_counts(),
            **kwargs,
        )


class StoryListView(PublishedStoriesMixin, ListView):
    template_name = "stories/story_list.html"
    context_object_name = "stories"

    def get_queryset(self):
        self.filter_form = self.filters_from_request(StoryFilterForm)
        # No distinct(): a story carries a theme at most once (unique_story_theme), so the theme
        # filter's join cannot repeat a story (DISTINCT over whole rows took
        # 0.5 s at 100,000 stories).
        return self.filter_form.filter(self.published_stories())

    def count_name(self):
        chosen = self.filter_form.cleaned_data
        return "stories-listed:" + ":".join(
            str(getattr(chosen.get(name), "pk", chosen.get(name)) or "")
            for name in self.filter_form.fields
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            filter_form=self.filter_form,
            is_filtered=any(self.filter_form.cleaned_data.values()),
            **kwargs,
        )


class SearchView(PublishedStoriesMixin, ListView):
    """Full-text search with the browse page's filters, ranked, with facet counts."""

    template_name = "stories/search.html"
    context_object_name = "stories"

    def get_queryset(self):
        self.search_form = self.filters_from_request(SearchForm)
        stories = self.search_form.filter(Story.objects.published())
        self.query = self.search_form.cleaned_data.get("q", "")
        return stories

    def get_paginator(self, queryset, *args, **kwargs):
        if self.query:
            # The facets come with the page, from one reading of the matches (search.find).
            return search.RankedPaginator(
                queryset,
                *args,
                query=self.query,
                read=functools.partial(search.with_snippets, query=self.query),
                facets=True,
                **kwargs,
            )
        paginator = super().get_paginator(queryset.for_listing(), *args, **kwargs)
        self.facets = self.facets_named(
            queryset.counts_by_perspective_and_language(), Theme.objects.counts_among(queryset)
        )
        # The facets have counted the stories already; counting them again would
        # be one more pass over every one.
        paginator.count = self.facets["total"]
        return paginator

    def facets_named(self, pairs, theme_counts):
        form = self.search_form
        return facets_of(pairs, theme_counts, form.perspectives, form.themes)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.query:
            findings = context["paginator"].findings
            self.facets = self.facets_named(findings.pairs, findings.themes)
        context.update(
            search_form=self.search_form,
            query=self.query,
            selected={name: self.request.GET.get(name, "") for name in self.search_form.LOOKUPS},
            facets=self.facets,
        )
        return context


class StoryDetailView(DetailView):
    template_name = "stories/story_detail.html"
    context_object_name = "story"

    def get_object(self, queryset=None):
        slug = self.kwargs["slug"]
        story = Story.objects.published().for_listing().filter(slug=slug).first()
        if story is None:
            raise Http404
        return story

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            if Story.objects.withdrawn_after_publication().filter(slug=kwargs["slug"]).exists():
                return render(request, "stories/story_withdrawn.html", status=410)
            raise

    def get_context_data(self, **kwargs):
        record = records.PublicRecord.of(self.object)
        base_url = records.base_url(self.request)
        heard = self.object.public_recording is not None
        return super().get_context_data(
            # A transcript is the recording's: shown (and searched for) with it only.
            transcript=list(self.object.transcript.all()) if heard else [],
            other_perspectives=self.object.other_perspectives(),
            in_conversation=self.object.stories_in_conversation(),
            permalink=base_url + record.permalink_path,
            citations=records.citations(record, base_url),
            **kwargs,
        )


class PerspectiveListView(ListView):
    template_name = "stories/perspective_list.html"
    context_object_name = "perspectives"

    def get_queryset(self):
        return Perspective.objects.with_published_counts()


class PerspectiveDetailView(PublishedStoriesMixin, ListView):
    template_name = "stories/perspective_detail.html"
    context_object_name = "stories"

    def get_queryset(self):
        self.perspective = get_object_or_404(Perspective, slug=self.kwargs["slug"])
        return self.published_stories().filter(perspective=self.perspective)

    def count_name(self):
        return f"perspective-{self.perspective.pk}-stories"

    def get_context_data(self, **kwargs):
        return super().get_context_data(perspective=self.perspective, **kwargs)


class ThemeListView(TemplateView):
    template_name = "stories/theme_list.html"

    def get_context_data(self, **kwargs):
        perspectives = list(Perspective.objects.all())
        themes = list(Theme.objects.with_published_counts())
        counts = theme_perspective_counts()
        grid = [
            (theme, [(p, counts.get((theme.pk, p.pk), 0)) for p in perspectives])
            for theme in themes
        ]
        return super().get_context_data(
            themes=themes, perspectives=perspectives, grid=grid, **kwargs
        )


class ThemeDetailView(TemplateView):
    template_name = "stories/theme_detail.html"

    def get_context_data(self, **kwargs):
        theme = get_object_or_404(Theme, slug=self.kwargs["slug"])
        columns = theme.stories_by_perspective(
            Perspective.objects.all(), per_perspective=STORIES_PER_COLUMN
        )
        return super().get_context_data(theme=theme, columns=columns, **kwargs)


# The session key that carries a new story's withdrawal token to the thank-you
# page: never in a URL, where a cache, a log or a referrer could keep it.
WITHDRAWAL_TOKEN_SESSION_KEY = "withdrawal_token"
# The hashes of the withdrawal links opened in this session, the latest last
# (docs/privacy.md): a few, for a narrator with several stories.
WITHDRAWAL_LINKS_SESSION_KEY = "withdrawal_links"
WITHDRAWAL_LINKS_KEPT = 5
WITHDREW_SESSION_KEY = "withdrew_story"


def private(view):
    """A page never stored by a cache, whose address never leaves the site in a referrer.

    "same-origin" rather than "no-referrer": with no referrer at all, browsers
    send "Origin: null" with the page's own forms, which Django's CSRF check
    rightly refuses.
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        response["Referrer-Policy"] = "same-origin"
        return response

    return wrapper


@private
def share(request):
    """The submission form (``share_form``), and what a narrator sees if saving fails.

    A post that meets a database that does not answer, at any point, gets a
    page saying the story was not saved that shows back what they typed (from
    the post itself: the form needs the database to render), rendered without
    the request, as the 503 page is. It is never a bare 500.
    """
    try:
        return share_form(request)
    except (OperationalError, InterfaceError):
        if request.method != "POST":
            raise  # nothing typed to keep: the 503 page
        logger.exception("A story could not be saved: the database did not answer.")
        return story_not_saved(request.POST)


# What the not-saved page shows back: the narrator's words (not their email or name).
KEPT_WHEN_NOT_SAVED = ("title", "summary", "body", "content_note", "narrator_descriptor", "place")


def story_not_saved(posted):
    fields = ShareForm.base_fields
    typed = [
        (capfirst(fields[name].label), posted[name], 14 if name == "body" else 3)
        for name in KEPT_WHEN_NOT_SAVED
        if posted.get(name, "").strip()
    ]
    response = HttpResponse(
        loader.get_template("stories/share_not_saved.html").render({"typed": typed}), status=503
    )
    response["Retry-After"] = "30"
    return response


def share_form(request):
    """The submission form; then, if the identity shield finds anything, a review step.

    The review is the same form again, every field kept, with the findings
    listed above it: the narrator edits and checks again, or sends anyway.
    A recording sent with the form is held on the server meanwhile, for this
    session and this form only, and never asked for again. A sent story is
    followed by a redirect to the thank-you page, so a reload never submits twice.
    """
    consent = ConsentText.objects.current()
    held, lost = held_recording(request)
    form = ShareForm(
        request.POST or None,
        request.FILES or None,
        consent=consent,
        held_recording=held,
        held_recording_lost=lost,
        may_upload=may_upload_recording(request),
        sender=limits.client_key(request),
    )
    findings = []
    if request.method == "POST":
        valid = form.is_valid()
        hold_recording(request, form)
        if valid:
            if form.is_spam:
                return redirect("stories:share-thanks")
            findings = form.shield_findings()
            if not findings or "send_anyway" in request.POST:
                return send_story(request, form, consent)
    return render(
        request,
        "stories/share.html",
        {
            "form": form,
            "consent": consent,
            "consent_blocks": consent.blocks(get_language()),
            "findings": [shown_in_context(form, finding) for finding in findings],
        },
        status=recording_refused_status(form),
    )


# A form sent back for its recording alone, over a limit: the status says which
# kind of limit (this client's, or the whole archive's); the page is the form,
# everything typed kept, the error beside the recording field.
RECORDING_REFUSED_STATUS = {"rate_limited": 429, "held_by_client": 429, "held_in_all": 503}


def recording_refused_status(form):
    for code, status in RECORDING_REFUSED_STATUS.items():
        if form.has_error("recording", code):
            return status
    return 200


# The session key under which a recording waits for the form it was sent with.
HELD_RECORDING_SESSION_KEY = "held_recording"


def may_upload_recording(request):
    """Whether this client may send one more recording (each is checked and kept at once).

    Counted only when a recording comes with the post; over the limit, the
    form refuses the recording alone and keeps everything typed.
    """
    if request.method != "POST" or not request.FILES.get("recording"):
        return True
    period = settings.SHARE_RATE_PERIOD
    limit = settings.RECORDING_UPLOAD_RATE_LIMIT
    return limits.hit(request, scope="recording", limit=limit, period=period).allowed


def held_recording(request):
    """The recording held for the form this POST comes from, or None; and whether it was lost.

    Tied to the form's one-time submission id as well as the session: on a
    shared computer, the next person to open the form never finds the last
    one's recording. One held past RECORDING_HOLD_SECONDS is lost: deleted,
    or about to be.
    """
    held = request.session.get(HELD_RECORDING_SESSION_KEY)
    if request.method != "POST" or not held:
        return None, False
    if held["submission"] != request.POST.get("submission_id"):
        return None, False
    recording = Recording.objects.held().filter(pk=held["id"]).first()
    return recording, recording is None


def hold_recording(request, form):
    recording = form.settle_recording()
    if recording is None:
        request.session.pop(HELD_RECORDING_SESSION_KEY, None)
    else:
        request.session[HELD_RECORDING_SESSION_KEY] = {
            "id": recording.pk,
            "submission": request.POST.get("submission_id"),
        }


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


@dataclasses.dataclass
class FindingInContext:
    finding: shield.Finding
    field: object  # the bound form field it was found in
    excerpt: str  # safe HTML: the text around it, escaped, the finding marked


def shown_in_context(form, finding):
    """A finding with some of the text around it, so the narrator sees where it is."""
    return FindingInContext(
        finding=finding,
        field=form[finding.field],
        excerpt=shield.excerpt(form.cleaned_data[finding.field], finding),
    )


def withdrawal_address(request, token):
    return records.absolute_url(request, reverse("stories:withdraw", args=[token]))


def send_story(request, form, consent):
    submission_id = form.cleaned_data["submission_id"]
    if was_submitted(submission_id):
        # The same form again (a double click, a reload): one story, the same page.
        return redirect("stories:share-thanks")
    refused = over_limit(request, scope="share", limit=settings.SHARE_RATE_LIMIT)
    if refused:
        return refused
    language = get_language()
    try:
        story, token = submit_story(
            fields=form.story_fields(),
            themes=form.cleaned_data["themes"],
            recording=form.held_recording,
            submitter_hash=limits.client_key(request),
            consent=consent,
            consent_language=language,
            submission_id=submission_id,
        )
    except AlreadySubmitted:  # sent twice at the same instant: the other one made it
        return redirect("stories:share-thanks")
    request.session.pop(HELD_RECORDING_SESSION_KEY, None)
    request.session[WITHDRAWAL_TOKEN_SESSION_KEY] = token
    if story.contact_email:
        link = withdrawal_address(request, token)
        email_withdrawal_link(story, link, language)
    return redirect("stories:share-thanks")


@private
def share_thanks(request):
    # Shown once: a reload, a back button or a shared screen later finds no link.
    token = request.session.pop(WITHDRAWAL_TOKEN_SESSION_KEY, None)
    link = withdrawal_address(request, token) if token else None
    return render(request, "stories/share_thanks.html", {"withdrawal_link": link})


def withdrawal_link(request, token):
    """The narrator's private link, used once as an address.

    Its token moves into the session, as the hash the database keeps, and the
    browser goes on to /withdraw/: no later request, referrer or log line
    carries it. Every token gets this same answer, right, used or wrong; the
    page it leads to tells them apart, and counts the wrong ones.
    """
    opened = hash_withdrawal_token(token)
    earlier = [
        link for link in request.session.get(WITHDRAWAL_LINKS_SESSION_KEY, []) if link != opened
    ]
    request.session[WITHDRAWAL_LINKS_SESSION_KEY] = [*earlier, opened][-WITHDRAWAL_LINKS_KEPT:]
    # Forgotten when the browser closes: the next person at a shared computer
    # must not find the confirmation page waiting at /withdraw/.
    request.session.set_expiry(0)
    response = redirect("stories:withdraw-confirm")
    add_never_cache_headers(response)
    # Nor does the address that sent the narrator here (a webmail's) go any further.
    response["Referrer-Policy"] = "no-referrer"
    return response


@private
def withdraw(request):
    """Confirm, then withdraw, the story of the latest link opened. A bad link says nothing more.

    The form names the story it showed, so a page left open in another tab
    withdraws that story, not the one of a link opened since.
    """
    links = request.session.get(WITHDRAWAL_LINKS_SESSION_KEY, [])
    if request.method == "POST":
        chosen = request.POST.get("story")
        stories = Story.objects.withdrawable_with(links)
        story = next((candidate for candidate in stories if str(candidate.pk) == chosen), None)
    else:
        story = Story.objects.withdrawable_with(links[-1:]).first()
    if story is None:
        refused = over_limit(request, scope="withdraw", limit=settings.WITHDRAW_RATE_LIMIT)
        return refused or render(request, "stories/withdraw_invalid.html", status=404)
    if request.method == "POST":
        used = story.withdrawal_token_hash
        try:
            story.withdraw(note="Withdrawn by the narrator with their private link")
        except InvalidTransition:  # a second click, withdrawn a moment ago
            return render(request, "stories/withdraw_invalid.html", status=404)
        request.session[WITHDRAWAL_LINKS_SESSION_KEY] = [link for link in links if link != used]
        request.session[WITHDREW_SESSION_KEY] = True
        return redirect("stories:withdraw-done")
    return render(
        request,
        "stories/withdraw_confirm.html",
        {"story": story, "grace_days": settings.WITHDRAWN_TEXT_GRACE_DAYS},
    )


@private
def withdraw_done(request):
    if not request.session.pop(WITHDREW_SESSION_KEY, False):
        raise Http404
    return render(
        request, "stories/withdraw_done.html", {"grace_days": settings.WITHDRAWN_TEXT_GRACE_DAYS}
    )


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


def over_limit(request, *, scope, limit, period=None):
    """Count this request; the 429 page if the client has used up ``limit`` this period."""
    period = period or settings.SHARE_RATE_PERIOD
    verdict = limits.hit(request, scope=scope, limit=limit, period=period)
    return None if verdict.allowed else rate_limited(request, verdict)


def limit_sign_ins(login_view):
    """The admin's sign-in, with each client's attempts counted by the shared limiter.

    Every POST counts, successful or not: moderators sign in a few times a
    day, and someone guessing passwords is stopped after a handful of tries
    per client address, across every process and host.
    """

    @functools.wraps(login_view)
    def wrapper(request, *args, **kwargs):
        if request.method == "POST":
            refused = over_limit(
                request,
                scope="admin-login",
                limit=settings.ADMIN_LOGIN_RATE_LIMIT,
                period=settings.ADMIN_LOGIN_RATE_PERIOD,
            )
            if refused:
                return refused
        return login_view(request, *args, **kwargs)

    return wrapper


def rate_limited(request, verdict):
    minutes = max(1, round(verdict.retry_after / 60))
    response = render(
        request,
        "429.html",
        {"retry_after_minutes": minutes},
        status=429,
    )
    response["Retry-After"] = str(verdict.retry_after)
    return response
