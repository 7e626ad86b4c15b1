"""
Where a story meets others on its page: the stories a moderator linked to it,
and the other perspectives on its themes. A mixin of ``Story`` (story.py).
"""

from django.db.models import Q

from .taxonomy import Perspective, TaggedTheme


class StoryConversation:
    def stories_in_conversation(self):
        """The published stories a moderator linked to this one, as ``(relation, story)``.

        The relation is worded from this story's side: a story that answers
        this one is "A response", one this story answers is "Responds to".
        """
        links = (
            # The links' model, through this story's relation to it: moderation.py imports Story.
            self.links_out.model.objects.public()
            .filter(Q(from_story=self) | Q(to_story=self))
            .select_related("from_story__perspective", "to_story__perspective")
            .defer(*(f"{side}__{field}" for side in ("from_story", "to_story")
                     for field in ("body", *self.SEARCH_VECTORS)))
            .order_by("relation", "pk")
        )  # fmt: skip
        return [
            (link.OUTGOING[link.relation], link.to_story)
            if link.from_story_id == self.pk
            else (link.INCOMING[link.relation], link.from_story)
            for link in links
        ]

    def other_perspectives(self):
        """The ids of the newest published story of each other perspective sharing a theme
        with this one, in the perspectives' display order: one query."""
        others = Perspective.objects.exclude(pk=self.perspective_id).values("pk")
        newest = (
            self.__class__.objects.published()
            .carrying_any_theme_of(TaggedTheme.objects.filter(content_object=self).values("tag"))
            .newest_ids_per_perspective(1, others)
        )
        return [ids[0] for ids in newest.values() if ids]
