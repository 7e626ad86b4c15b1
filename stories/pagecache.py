"""
The page cache: whole public pages, kept in the shared cache, thrown away all
at once whenever anything in the archive changes.

- Only the pages ``cache_public_page`` wraps (stories/urls.py) are cached:
  read-only public pages. Forms, the thank-you and withdrawal pages, errors,
  ``/healthz`` and the admin never are.
- Every page is stored with the archive's generation: a value that changes
  whenever any model of the archive is saved or deleted (the signals connected
  in ``apps.py``), and a page is served only while it is still current, so an
  approval, a return to review, a withdrawal, a redaction, a retagging or a
  theme merge (and whatever later features change) reaches every page at
  once, with no list of pages to keep. A page rendered while the generation
  changed is stored with the old one and never served. The generation and
  the page are read in one round trip.
- The generation is a timestamp, not a counter: if the cache ever loses it, a
  new one is taken, and no old page can come back.
- Keys are the full address (language prefix, query string). Only the view's
  own answer is kept (status 200, its headers and content), not a pickled
  response object; the middleware adds the rest on every answer.
- A short lifetime (``PAGE_CACHE_SECONDS``) bounds what an embargo release, a
  change made by a bulk ``update()`` (which sends no signal), waits for.
- Readers with a session (moderators, a narrator who just sent a story) are
  never served from the cache and never fill it.
- Browsers are told to revalidate every time (``max-age=0``); the ETag that
  ConditionalGetMiddleware adds turns that into a 304.
"""

import functools
import hashlib
import logging
import time

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import transaction
from django.http import HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.connection import ConnectionProxy

GENERATION_KEY = "pages:generation"

# The "pages" cache (settings.CACHES), apart from the rate-limit counts.
cache = ConnectionProxy(caches, "pages")

logger = logging.getLogger(__name__)


def generation():
    current = cache.get(GENERATION_KEY)
    if current is None:
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        current = cache.get(GENERATION_KEY)
    return current


def bump_generation():
    """Every cached page is out of date from now on.

    A cache that cannot be written (Redis down; no cache table yet while
    migrations run) must not stop a moderator's change: pages then catch up
    within PAGE_CACHE_SECONDS, and the failure is logged.
    """
    try:
        cache.set(GENERATION_KEY, time.time_ns(), timeout=None)
    except Exception as error:  # whatever the cache backend raises
        logger.warning("Could not renew the page cache generation: %s", type(error).__name__)


def forget_everything():
    """Drop every kept page and count (the daily purge_private_data calls it).

    A page can hold text that has since been erased, or a reader's search
    words. Redis deletes expired keys itself; the database cache keeps an
    expired row until that very key is read again, so its table is emptied.
    """
    if isinstance(caches["pages"], DatabaseCache):
        cache.clear()
    bump_generation()


def archive_changed(sender, using=None, **kwargs):
    if sender._meta.app_label not in {"stories", "taggit"}:
        return
    bump_generation()
    # Again once the change is committed: a page rendered meanwhile from the
    # old rows would otherwise be stored under the new generation.
    transaction.on_commit(bump_generation, using=using)


def applies_to(request):
    # Sessions (moderators; a narrator between the form and the thank-you page)
    # and flash messages make a page someone's own: never served from, or kept in, the cache.
    return (
        settings.PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


def page_key(request):
    """The page's key: its full address, language prefix and query string included.

    For the readers the cache serves (no session, no messages) a page varies
    on nothing else: the language is in the address, whatever the browser asks.
    """
    address = request.build_absolute_uri().encode()
    return "page:" + hashlib.sha256(address).hexdigest()


def current_or_new(key, make, timeout):
    """What is stored under ``key`` if it was made in this generation, else ``make()``'s.

    One round trip reads the generation and the value, stored with the
    generation it was made in. ``make`` returns ``(value, keep)``; a value is
    kept for ``timeout`` seconds only if ``keep``, under the generation read
    before it was made: made from rows a change was replacing, it is never used.
    """
    found = cache.get_many([GENERATION_KEY, key])
    current = found.get(GENERATION_KEY) or generation()
    stored = found.get(key)
    if stored and stored[0] == current:
        return stored[1]
    value, keep = make()
    if keep:
        cache.set(key, (current, value), timeout)
    return value


def counted_once_per_generation(name, count):
    """``count()``, worked out once per generation of the archive (COUNTS_CACHE_SECONDS).

    For what pages count over the whole archive (stories per perspective and
    per theme, the years): hundreds of milliseconds at 100,000 stories, the
    same answer until something changes.
    """
    if settings.COUNTS_CACHE_SECONDS <= 0:
        return count()
    return current_or_new(f"counts:{name}", lambda: (count(), True), settings.COUNTS_CACHE_SECONDS)


def cache_public_page(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not applies_to(request):
            return view(request, *args, **kwargs)

        rendered = []

        def render():
            response = view(request, *args, **kwargs)
            if hasattr(response, "render"):
                response.render()
            rendered.append(response)
            keep = response.status_code == 200 and not response.cookies
            return (list(response.headers.items()), response.content), keep

        headers, content = current_or_new(page_key(request), render, settings.PAGE_CACHE_SECONDS)
        if rendered:
            response = rendered[0]  # as the view made it, cookies and all
        else:
            response = HttpResponse(content)
            for name, value in headers:
                response[name] = value
        patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
        return response

    return wrapper
