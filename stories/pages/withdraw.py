"""Withdrawing a story: the narrator's private link, the confirmation page and the page after."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers

from ..models import InvalidTransition, Story, hash_withdrawal_token
from .guards import over_limit, private

# The hashes of the withdrawal links opened in this session, the latest last
# (docs/privacy.md): a few, for a narrator with several stories.
WITHDRAWAL_LINKS_SESSION_KEY = "withdrawal_links"
WITHDRAWAL_LINKS_KEPT = 5
WITHDREW_SESSION_KEY = "withdrew_story"


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
