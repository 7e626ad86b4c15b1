"""
A story's page: what it shows of the story itself, kept with the story; what
it shows of other stories, and which story its address names, kept once a
generation of the archive.

Most of the page is the story's own: its text or recording and transcript,
its details, sharing and citing, and in the head its title, link preview and
structured data. Those parts (``PARTS``, plus the title and description) are
rendered once per story, language and address of the site (their links are
absolute) and kept as one fragment under the story's stamp
(stories/pagecache/fragments.py): a change to the story or to one of its rows
renews them; an approval elsewhere in the archive does not. What the page
shows of other stories (the stories in conversation with it, the other
perspectives on its themes) changes as those are approved or withdrawn: it is
kept once a generation of the archive, and made again (two short queries, and
the cards kept per story) after any change readers can see.
"""

import hashlib

from django.http import Http404
from django.shortcuts import render
from django.template.defaultfilters import truncatewords
from django.template.loader import render_to_string
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language
from django.views.generic import TemplateView

from ..models import IndexSegment, Story, listed_places
from ..opendata import records
from ..opendata.citations import citations
from ..opendata.oembed import discovery_url
from ..pagecache import fragments
from ..pagecache.store import counted_once_per_generation, digest
from ..recordings import transcripts
from . import sharing, story_cards, structured_data

# The templates of the story's own parts, each kept as rendered.
PARTS = {
    "social": "stories/story_page/social.html",
    "head": "stories/story_page/head.html",
    "story": "stories/story_page/story.html",
    "cite": "stories/story_page/cite.html",
}


class StoryDetailView(TemplateView):
    template_name = "stories/story_detail.html"

    def get(self, request, *args, slug, **kwargs):
        # Only what finds its parts and the other stories (the rest is kept with them), found
        # once a generation as the lists that lead here are (pages/paging.py). The slug is the
        # reader's: hashed, and an unknown one is not kept.
        found = counted_once_per_generation(
            f"story:{digest(slug)}",
            lambda: (
                Story.objects.published().filter(slug=slug).values_list("pk", "perspective").first()
            ),
            keep_none=False,
        )
        # As .only("pk", "perspective") would load it: any other field is read if asked for.
        self.story = found and Story.from_db(Story.objects.db, ["id", "perspective_id"], found)
        if self.story is None:
            if Story.objects.withdrawn_after_publication().filter(slug=slug).exists():
                return render(request, "stories/story_withdrawn.html", status=410)
            raise Http404
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        story = self.story
        base_url = records.base_url(self.request)
        # Read once for the page (its parts and the cards), if anything is rendered.
        self.places = SimpleLazyObject(listed_places)
        kept = fragments.kept_per_story(
            "story-page",
            [story.pk],
            self.render_parts,
            # Their links are absolute, and name a place's page only if it has one.
            vary=lambda: (
                get_language(),
                hashlib.blake2b(base_url.encode(), digest_size=6).hexdigest(),
                story_cards.places_linked(),
            ),
        )
        if story.pk not in kept:  # withdrawn between the two reads
            raise Http404
        return super().get_context_data(
            page=kept[story.pk],
            story_id=story.pk,
            # Read only when the part that shows them is rendered again.
            other_perspectives=SimpleLazyObject(
                lambda: story_cards.cards(story.other_perspectives(), places=self.places)
            ),
            in_conversation=SimpleLazyObject(story.stories_in_conversation),
            **kwargs,
        )

    def render_parts(self, story_ids):
        """{id: the parts of its page} for the story, if it is still published."""
        story = (
            Story.objects.published()
            .for_listing()
            .with_themes()
            .select_related("licence")
            .filter(pk__in=story_ids)
            .first()
        )
        if story is None:
            return {}
        context = {**own_context(story, self.request), "listed_places": self.places}
        parts = {
            name: render_to_string(template, context, request=self.request)
            for name, template in PARTS.items()
        }
        description = story.summary or truncatewords(story.body, 30) or story.title
        return {story.pk: {"title": story.title, "description": description, **parts}}


def own_context(story, request):
    """What the story's own parts show: ``story`` read through ``published()`` with its
    perspective, recording, themes and licence."""
    record = records.PublicRecord.of(story)
    base_url = records.base_url(request)
    permalink = base_url + record.permalink_path
    # A transcript is the recording's: shown once a moderator cleared it, beside
    # the player, or alone where the narrator kept the voice private.
    transcript = list(story.transcript.all()) if story.cleared_recording else []
    # The archive's translation comes first where it is in the page's language; the
    # narrator's words stay one click away (docs/languages.md, "Translations").
    reads_translation = story.translation_language == get_language()
    text_views = ["translation", "original"]
    if not reads_translation:
        text_views.reverse()
    return {
        "story": story,
        "transcript": transcript,
        "chapters": chapters(story),
        "reads_translation": reads_translation,
        "text_views": text_views if story.body and story.body_translation else [],
        "captions_translated": any(segment.text_translation for segment in transcript),
        # Written and spoken the same: Listen and Read are two views of one story.
        "listen_or_read": bool(story.public_recording and transcript)
        and transcripts.same_words(story.body, (segment.text for segment in transcript)),
        "permalink": permalink,
        "share_links": sharing.share_links(title=story.title, permalink=permalink),
        "citations": citations(record, base_url),
        "structured_data": structured_data.for_story(
            story, base_url=base_url, transcript=transcript
        ),
        # oEmbed's discovery link: the card of this page, in this page's language.
        "oembed_url": discovery_url(request, base_url + story.get_absolute_url()),
    }


def chapters(story):
    """The recording's index, public with its transcript (docs/listening.md, "The
    recording's index"): read through the published stories, as every public road is."""
    if not story.cleared_recording:
        return []
    heard = Story.objects.published().with_cleared_recording().filter(pk=story.pk)
    return list(IndexSegment.objects.of_stories(heard).with_themes())
