"""
Fragments: the parts of pages that show one story (its card, its page's body),
kept in the shared cache under that story's own stamp, so that they outlive
the archive's generation.

The page cache (store.py) throws every page away when anything readers can
see changes: on a busy day each approval makes every page cold again. A
story's card, though, is the same HTML until that story changes, whatever
happens to the others. So:

- Each story has a stamp, a timestamp kept in the cache and renewed by the
  receivers (stories/pagecache/receivers.py) whenever the story or one of its
  rows (recording, transcript, index, themes, links, events) changes, seen by
  readers or not, and again once the change is committed, as the generation is.
- The curated rows a fragment shows beside its story (perspectives, themes,
  licences) share one stamp: renaming a theme renews every fragment.
- A fragment is kept with the two stamps it was made under and served only
  while both are still current. Made from rows a change was replacing, it is
  kept under a stamp that is already old, and never served.
- Its key names the release (templates, translations, code and static files,
  ``release()``), the fragment's kind and whatever else it varies on (the
  language, the card's variant), and the story.
- A page reads the stamps and fragments of all its stories in one round trip
  (``kept_per_story``) and makes only the missing ones.
- Within one generation of the archive a stamp a page can show does not change:
  every change readers can see renews its stories' stamps before the
  generation, and a change they cannot see is to a story no page shows. So a
  process copies each stamp it reads into its memory for the generation it read
  it in (``StampsCopied``), and reads from the shared cache only the stamps it
  has not seen in this generation, and the fragments. A copy lasts no longer
  than ``COUNTS_CACHE_SECONDS``, as the counts copied per generation do, which
  bounds what a stamp renewed without its generation (a cache write that
  failed, a stamp evicted) can serve; 0 copies nothing.
- Which stories a page lists is never kept here: a page asks
  ``Story.objects.published()``, or reads what it asked once in this generation
  of the archive (stories/pages/paging.py), so a withdrawn story's card is
  simply not asked for.

``FRAGMENT_CACHE_SECONDS`` bounds how long a fragment is kept; 0 turns
fragments off, and every one is made for every page, as before.
"""

import functools
import hashlib
import logging
import time
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.db import transaction

from .store import cache, failure_contained, generation_of_this_request

CURATION_KEY = "fragments:curation"
# The most stamps a process copies in one generation: past it, it starts its copy afresh.
MOST_STAMPS_COPIED = 20_000

logger = logging.getLogger(__name__)

# What a fragment is made with besides its rows: a change to any of these is a new release.
RELEASE_SUFFIXES = {".html", ".txt", ".mo", ".py"}


@functools.cache
def release():
    """A short digest of the templates, the translations and the app's code, and the static
    files' names: a deploy that changes what a fragment would look like keys them all afresh."""
    base = Path(settings.BASE_DIR)
    digest = hashlib.blake2b(digest_size=5)
    for root in (base / "templates", base / "locale", Path(__file__).resolve().parent.parent):
        for path in sorted(root.rglob("*")):
            if path.suffix in RELEASE_SUFFIXES:
                digest.update(str(path.relative_to(base)).encode())
                digest.update(path.read_bytes())
    # Fingerprinted static files (ManifestStaticFilesStorage): an icon's address is in the HTML.
    digest.update(repr(sorted(getattr(staticfiles_storage, "hashed_files", {}).items())).encode())
    return digest.hexdigest()


def stamp_key(story_id):
    return f"fragments:story:{story_id}"


def fragment_key(kind, vary, story_id):
    return f"fragment:{kind}:{release()}:{':'.join(vary)}:{story_id}"


def enabled():
    return settings.FRAGMENT_CACHE_SECONDS > 0


def renew_stamps(story_ids):
    """The fragments of ``story_ids`` are out of date from now on."""
    if story_ids:
        _write_stamps({stamp_key(pk): time.time_ns() for pk in story_ids})


def renew_curation():
    """Every fragment is out of date from now on: a curated row they all may show changed."""
    _write_stamps({CURATION_KEY: time.time_ns()})


def _write_stamps(stamps):
    # With fragments off nothing is kept that a stamp would have to outdate.
    if not enabled():
        return
    # As bump_generation(): a cache that cannot be written never stops the change.
    try:
        with failure_contained():
            # A stamp lives as long as the fragments it keys: one lost is taken afresh.
            cache.set_many(stamps, timeout=settings.FRAGMENT_CACHE_SECONDS)
    except Exception as error:  # whatever the cache backend raises
        logger.warning("Could not renew fragment stamps: %s", type(error).__name__)


def stories_changed(story_ids, using):
    """For the receivers: ``story_ids``' fragments are out of date, now and once committed."""
    story_ids = list(story_ids)
    renew_stamps(story_ids)
    # Again after the commit: a fragment made meanwhile from the old rows would
    # otherwise be kept under the stamp read during the change.
    transaction.on_commit(lambda: renew_stamps(story_ids), using=using)


def curation_changed(using):
    renew_curation()
    transaction.on_commit(renew_curation, using=using)


def kept_per_story(kind, story_ids, make, *, vary=()):
    """{story id: value} of the fragment ``kind`` for each of ``story_ids``.

    Those kept under their story's current stamp (and the current curation
    stamp) are read in one round trip; ``make(missing_ids)`` returns
    ``{story id: value}`` for the others (a story it leaves out is left out),
    which are then kept. ``vary``: the strings the fragment varies on besides
    its story (the language, a variant), or a function that returns them, asked
    only when fragments are on.
    """
    story_ids = list(story_ids)
    if not enabled() or not story_ids:
        return make(story_ids)
    vary = vary() if callable(vary) else vary
    keys = {pk: fragment_key(kind, vary, pk) for pk in story_ids}
    try:
        with failure_contained():
            copied = StampsCopied.of_this_generation()
            known = copied.stamps  # this dict: another thread may start a new one meanwhile
            unseen = [pk for pk in story_ids if pk not in known]
            asked = [*keys.values(), *map(stamp_key, unseen)]
            if copied.curation is None:
                asked.append(CURATION_KEY)
            found = cache.get_many(asked)
            curation = copied.curation or found.get(CURATION_KEY) or _first_stamp(CURATION_KEY)
            stamps = {pk: known[pk] for pk in story_ids if pk in known}
            for pk in unseen:
                stamps[pk] = found.get(stamp_key(pk)) or _first_stamp(stamp_key(pk))
            copied.keep(curation, {pk: stamps[pk] for pk in unseen})
    except Exception as error:  # whatever the cache backend raises
        logger.warning("Could not read fragments: %s", type(error).__name__)
        return make(story_ids)
    values, missing = {}, []
    for pk in story_ids:
        stored = found.get(keys[pk])
        if stored and stored[0] == (stamps[pk], curation):
            values[pk] = stored[1]
        else:
            missing.append(pk)
    if missing:
        made = make(missing)
        values.update(made)
        keep = {
            keys[pk]: ((stamps[pk], curation), value)
            for pk, value in made.items()
            if stamps[pk] is not None and curation is not None
        }
        try:
            with failure_contained():
                cache.set_many(keep, timeout=settings.FRAGMENT_CACHE_SECONDS)
        except Exception as error:  # whatever the cache backend raises
            logger.warning("Could not keep fragments: %s", type(error).__name__)
    return values


class StampsCopied:
    """The stamps this process read in one generation of the archive, which are current
    as long as it is (see the module's docstring)."""

    latest = None

    def __init__(self, generation, until):
        self.generation = generation
        self.until = until
        self.stamps = {}
        self.curation = None

    @classmethod
    def of_this_generation(cls):
        """This generation's copy: an empty one if the last was of another, or too old."""
        lifetime = settings.COUNTS_CACHE_SECONDS
        if lifetime <= 0:
            return cls(None, 0)  # copies nothing that a later page would read
        current = generation_of_this_request()
        copied = cls.latest
        if copied is None or copied.generation != current or time.monotonic() > copied.until:
            # Replaced whole, never cleared: a thread reading the last one meanwhile keeps it.
            copied = cls.latest = cls(current, time.monotonic() + lifetime)
        return copied

    def keep(self, curation, stamps):
        """Copies what was read; None (another request took the stamp meanwhile) is not."""
        if self.generation is None:
            return
        if len(self.stamps) >= MOST_STAMPS_COPIED:
            self.stamps = {}
        self.curation = self.curation or curation
        self.stamps.update((pk, stamp) for pk, stamp in stamps.items() if stamp is not None)


def _first_stamp(key):
    """A stamp for ``key``, which the cache lost or never had, or None if another was set meanwhile.

    ``add`` never replaces one a change has just set; what is made under a
    stamp that was not ours is then not kept (None), rather than kept under
    one a change may have renewed.
    """
    stamp = time.time_ns()
    return stamp if cache.add(key, stamp, timeout=settings.FRAGMENT_CACHE_SECONDS) else None
