"""
The search index follows the rows it is built from: a story's own fields and
translations, its themes, those themes' names, and its cleared recording's
transcript and index (documents.py says what is indexed). Transcripts and
indexes are replaced in bulk, and a recording cleared or held back, by code
that sends ``stories_changed``; a paragraph or segment edited, redacted or
deleted on its own, and a recording deleted, are heard here.

Connected per sender by ``StoriesConfig.ready()``. Every receiver reindexes
in the transaction that changed the rows, as it runs, so the index commits or
rolls back with them and a search never disagrees with the committed rows.
Nothing else in the code keeps the index current (``rebuild_search_index``
builds it again from nothing).

Rows a fixture loads (``raw``) are skipped: loaddata saves them one by one,
before the rows they point to may exist, and whoever loads them rebuilds the
index once at the end (``load_sample_archive`` does; the README says so).
"""

from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save, pre_delete

from ..models import IndexSegment, Recording, Story, TaggedTheme, Theme, TranscriptSegment
from ..signals import cascaded_from, stories_changed
from . import index


def story_saved(sender, instance, using, raw=False, **kwargs):
    if not raw:
        index.reindex(instance)


def story_deleted(sender, instance, using, **kwargs):
    index.forget([instance.pk], using=using)


def story_retagged(sender, instance, using, origin=None, raw=False, **kwargs):
    """A theme given to or taken from a story (taggit saves and deletes these rows one by one)."""
    if raw or cascaded_from(origin, sender, Story, Theme):
        return
    index.reindex(Story.objects.using(using).filter(pk=instance.content_object_id))


def theme_saved(sender, instance, using, raw=False, **kwargs):
    """Stories are found by their themes' names: only a renamed theme's stories, in one pass.

    A description edited changes nothing indexed; reindexing a theme's 20,000
    stories for it cost some 14 s per save.
    """
    if instance.names_changed and not raw:
        index.reindex(Story.objects.using(using).filter(themes=instance))


def theme_about_to_be_deleted(sender, instance, using, **kwargs):
    # Its stories are known only while its tags exist.
    instance.stories_losing_it = list(
        Story.objects.using(using).filter(themes=instance).values_list("pk", flat=True)
    )


def theme_deleted(sender, instance, using, **kwargs):
    index.reindex(Story.objects.using(using).filter(pk__in=instance.stories_losing_it))


def recording_deleted(sender, instance, using, origin=None, **kwargs):
    """Its transcript and index stay with the story, but are no longer searched."""
    if instance.story_id is None or cascaded_from(origin, sender, Story):
        return
    index.reindex(Story.objects.using(using).filter(pk=instance.story_id))


def passage_saved(sender, instance, using, raw=False, **kwargs):
    """A transcript paragraph or index segment written on its own (an editor, a redaction)."""
    if not raw:
        index.reindex(Story.objects.using(using).filter(pk=instance.story_id))


def passage_deleted(sender, instance, using, origin=None, **kwargs):
    """One deleted on its own; whoever deletes them in bulk sends ``stories_changed``
    once (``replace_transcript``, ``replace_index``), and a story's go with it."""
    if isinstance(origin, QuerySet) or cascaded_from(origin, sender, Story):
        return
    passage_saved(sender, instance, using)


def stories_written_in_bulk(sender, stories, **kwargs):
    index.reindex(stories)


def connect():
    post_save.connect(story_saved, sender=Story, dispatch_uid="search-story-saved")
    post_delete.connect(story_deleted, sender=Story, dispatch_uid="search-story-deleted")
    for signal in (post_save, post_delete):
        signal.connect(story_retagged, sender=TaggedTheme, dispatch_uid=f"search-retagged-{signal}")
    post_save.connect(theme_saved, sender=Theme, dispatch_uid="search-theme-saved")
    pre_delete.connect(theme_about_to_be_deleted, sender=Theme, dispatch_uid="search-theme-going")
    post_delete.connect(theme_deleted, sender=Theme, dispatch_uid="search-theme-deleted")
    for model in (TranscriptSegment, IndexSegment):
        post_save.connect(
            passage_saved, sender=model, dispatch_uid=f"search-{model.__name__}-saved"
        )
        post_delete.connect(
            passage_deleted, sender=model, dispatch_uid=f"search-{model.__name__}-deleted"
        )
    post_delete.connect(recording_deleted, sender=Recording, dispatch_uid="search-recording-gone")
    stories_changed.connect(stories_written_in_bulk, dispatch_uid="search-bulk")
