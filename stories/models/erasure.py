"""
Erasing a story for good (manage.py purge_private_data): its text and its narrator's
private details leave every row that held them, as the privacy table says, and the
trail of what was done stays.
"""

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from ..safety import privacy
from .recording import Recording


class ErasedStory:
    """Story's part of this module."""

    def erase(self):
        """Erase the story's text and private details for good; its events remain.

        For stories withdrawn or rejected long enough ago (manage.py
        purge_private_data). What goes from which row is the privacy table
        (stories/safety/privacy.py, each field's ``erasure``):
        the text leaves the row, the search index, the notes of its events, its
        reports, its theme suggestion and the admin's change log. The slug of a
        story readers saw and its narrator withdrew stays, so that address still
        answers 410 Gone rather than 404; any other story's slug goes with its title.
        """
        # Locked and read again: a moderator may have reopened a rejected
        # story since the purge listed it, and that story is not erased.
        with self.locked() as story:
            if story.status not in (self.Status.WITHDRAWN, self.Status.REJECTED):
                return False
            gone = story.status == self.Status.WITHDRAWN and story.was_once_visible
            suggestion = story.theme_suggestion
            for field, value in privacy.erased_values(type(story), gone=gone).items():
                setattr(story, field, value)
            story.erased_at = timezone.now()
            story.save()
            if suggestion is not None:
                suggestion.forget_a_narrator()
            story.themes.clear()
            Recording.objects.filter(story=story).delete()
            story.transcript.all().delete()
            story.index_segments.all().delete()
            for related in (story.events, story.reports, story.waivers):
                related.update(**privacy.erased_values(related.model))
            LogEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(type(story)), object_id=str(self.pk)
            ).update(object_repr=f"story {self.pk} (erased)", change_message="")
        return True
