"""Withdrawing a story from its private page: the confirmation, then the withdrawal.

The story is found through the private links opened in this session
(``my_story.py``): never by a token in the address.
"""

from django.conf import settings
from django.shortcuts import redirect, render
from django.utils.translation import gettext_noop

from ..models import InvalidTransition, Story
from .guards import private
from .my_story import link_does_not_work, opened_links, story_named_in_post, story_of_latest_link


@private
def withdraw(request):
    """Confirm, then withdraw, the story of the latest link opened. A bad link says nothing more.

    The form names the story it showed, so a page left open in another tab
    withdraws that story, not the one of a link opened since. Afterwards the
    private page says "withdrawn": the link works until the story is erased.
    """
    if request.method == "POST":
        story = story_named_in_post(request, Story.objects.withdrawable_with(opened_links(request)))
    else:
        story = story_of_latest_link(request)
        if story is not None and story.status not in (Story.Status.PENDING, Story.Status.APPROVED):
            return redirect("stories:my-story")  # declined or withdrawn: nothing to confirm
    if story is None:
        return link_does_not_work(request)
    if request.method == "POST":
        try:
            story.withdraw(note=gettext_noop("Withdrawn by the narrator with their private link"))
        except InvalidTransition:  # a second click, withdrawn a moment ago
            return render(request, "stories/withdraw_invalid.html", status=404)
        return redirect("stories:my-story")
    return render(
        request,
        "stories/withdraw_confirm.html",
        {"story": story, "grace_days": settings.WITHDRAWN_TEXT_GRACE_DAYS},
    )
