"""
The page cache and the fragments follow every row a public page can show
(stories/pagecache/store.py, stories/pagecache/fragments.py).

Connected per sender by ``StoriesConfig.ready()``: to each model of the
archive but the private ones, and to ``stories_changed`` for bulk writes.
Models of other apps (sessions, users, the admin's log) have no receiver, so
Django can still delete their rows without loading them one by one. A change
renews the generation only if ``readers_can_see`` it. Nothing else in the code
renews it (the daily purge empties the cache: ``pagecache.forget_everything``).

Fragments are kept per story: any change to a story or to one of its rows
renews that story's stamp, whether readers see it or not (a stamp costs one
cache write, and needs no question about visibility); a change to a curated
row they show beside it (``CURATED_MODELS``) renews them all.
"""

from django.apps import apps
from django.db.models.signals import m2m_changed, post_delete, post_save

from ..models import (
    IndexSegment,
    Licence,
    Perspective,
    Report,
    ReviewClaim,
    SearchEntry,
    Story,
    TaggedTheme,
    Theme,
    ThemeSuggestion,
)
from ..signals import cascaded_from, stories_changed
from . import fragments
from .store import renew

# Rows no public page shows: a flood of reports, or a moderator opening a review,
# must not empty the cache each time.
PRIVATE_MODELS = {Report, ReviewClaim, ThemeSuggestion, SearchEntry}

# Rows that belong to stories, by the fields that name them: readers see them
# only with a visible story.
STORY_KEYS = {
    "recording": ("story_id",),
    "transcriptsegment": ("story_id",),
    # A segment of a recording's index: a passage on the theme pages of its themes.
    "indexsegment": ("story_id",),
    "moderationevent": ("story_id",),
    "taggedtheme": ("content_object_id",),
    "storylink": ("from_story_id", "to_story_id"),
}


# Rows that every fragment may show beside its own story's: a perspective's name and
# colour, a theme's names, a licence's terms.
CURATED_MODELS = {Perspective, Theme, Licence}


def archive_changed(sender, using=None, origin=None, **kwargs):
    if cascaded_from(origin, sender, Story, Theme):
        return  # the deleted story's or theme's own receiver judged it
    renew_fragments(sender, using=using, **kwargs)
    if readers_can_see(sender, using=using, **kwargs):
        renew(using)


def renew_fragments(sender, instance=None, using=None, **kwargs):
    """The fragments a change can alter: its story's, or every one for a curated row."""
    if isinstance(instance, Story):
        fragments.stories_changed([instance.pk], using)
    elif (name := instance._meta.model_name) in STORY_KEYS:  # or a passage given themes
        fragments.stories_changed(
            [getattr(instance, key) for key in STORY_KEYS[name] if getattr(instance, key)], using
        )
    elif "pk_set" in kwargs and kwargs["pk_set"] is not None:
        # A theme's side of m2m_changed: the stories, or the passages, it was given or taken from.
        fragments.stories_changed(stories_retagged(sender, kwargs["pk_set"], using), using)
    elif sender in CURATED_MODELS or "pk_set" in kwargs:  # or a theme cleared of its stories
        fragments.curation_changed(using)


def stories_retagged(sender, pk_set, using):
    """The ids of the stories whose themes (``TaggedTheme``) or whose passages' themes (the
    segments ``pk_set``) changed, from a theme's side of m2m_changed."""
    if sender is TaggedTheme:
        return pk_set
    return (
        IndexSegment.objects.using(using).filter(pk__in=pk_set).values_list("story_id", flat=True)
    )


def readers_can_see(sender, instance=None, using=None, **kwargs):
    """Whether a change can alter what a reader sees: only then does the generation move.

    A story readers neither see nor saw (pending, rejected, approved under an
    embargo, withdrawn before its date) changes no public page, and neither
    do its themes, recording, transcript, events or links: otherwise a
    steady flow of submissions, a narrator withdrawing a story still under
    review, or a flood of spam, would empty the cache every time and leave
    every reader on an uncached page. The story itself is asked whether it is
    visible after the change or was before it (``Story.is_or_was_visible``),
    so a return to review or a withdrawal still empties the cache; a row of a
    story, whether the story is visible now. An embargo lifting saves
    nothing: pages wait at most ``PAGE_CACHE_SECONDS`` for it. The
    moderation figures of /about/moderation/ count pending stories and
    events; they may then be as late. Curated rows (perspectives, themes,
    consent texts) always count.
    """
    if isinstance(instance, Story):  # saved, deleted, or retagged (m2m_changed)
        return instance.is_or_was_visible
    name = sender._meta.model_name
    if name in STORY_KEYS and "pk_set" not in kwargs:  # not a theme's side of m2m_changed
        ids = [getattr(instance, key) for key in STORY_KEYS[name]]
        return Story.objects.using(using).filter(pk__in=ids).published().exists()
    return True


def stories_written_in_bulk(sender, stories, **kwargs):
    """A bulk write to ``stories``' rows, judged as the row receivers judge a story's rows."""
    fragments.stories_changed(stories.values_list("pk", flat=True), stories.db)
    if stories.published().exists():
        renew(stories.db)


def connect():
    for model in apps.get_app_config("stories").get_models():
        if model not in PRIVATE_MODELS:
            for signal in (post_save, post_delete):
                signal.connect(
                    archive_changed, sender=model, dispatch_uid=f"pages-{signal}-{model}"
                )
    m2m_changed.connect(archive_changed, sender=TaggedTheme, dispatch_uid="pages-retagged")
    m2m_changed.connect(
        archive_changed, sender=IndexSegment.themes.through, dispatch_uid="pages-passages-retagged"
    )
    stories_changed.connect(stories_written_in_bulk, dispatch_uid="pages-bulk")
