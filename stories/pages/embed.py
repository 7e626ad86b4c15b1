"""
A story's embed page, ``/embed/<id>/`` (``/es/embed/<id>/`` in Spanish): the card another
site shows in an ``<iframe>``, the address the oEmbed road (``stories/opendata/oembed.py``)
hands out. A page for people, so under the language prefixes like every other; by the
story's number, not its slug, because an iframe pasted into someone's page lasts as long as
the permanent address ``/s/<id>/`` does, and a slug changes when a title is redacted.

It is the one page of the site that any other site may frame: it alone sends
``frame-ancestors *`` and no X-Frame-Options (docs/reuse.md, "Embedding a story"). It has
no form, no session and no script, and its links open the archive in a new tab.
"""

from csp.decorators import csp_replace
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.clickjacking import xframe_options_exempt

from ..models import Story

# Any site may show the card; every other page keeps frame-ancestors 'none' and DENY.
FRAMED_ANYWHERE = {"frame-ancestors": ["*"]}


@xframe_options_exempt
@csp_replace(FRAMED_ANYWHERE)
def story_embed(request, story_id):
    story = (
        Story.objects.published()
        .for_listing()
        .select_related("licence")
        .filter(pk=story_id)
        .first()
    )
    if story is not None:
        recording = story.public_recording
        context = {
            "story": story,
            "recording": recording,
            "captions": bool(recording) and story.transcript.exists(),
        }
        return render(request, "stories/story_embed.html", context)
    # A card already on someone's page says the story was withdrawn, inside their page.
    if Story.objects.withdrawn_after_publication().filter(pk=story_id).exists():
        return render(request, "stories/story_embed.html", {"withdrawn": True}, status=410)
    raise Http404
