"""
The page cache: whole public pages, kept in the shared cache, thrown away all
at once whenever anything in the archive changes.

- Only the pages ``cache_public_page`` wraps (stories/urls.py) are cached:
  read-only public pages. Forms, the thank-you and withdrawal pages, errors,
  ``/healthz`` and the admin never are.
- Every key carries the archive's generation: a value that changes whenever
  any model of the archive is saved or deleted (the signals connected in
  ``apps.py``), so an approval, a return to review, a withdrawal, a redaction,
  a retagging or a theme merge (and whatever later features change) reaches
  every page at once, with no list of pages to keep. A page rendered while the
  generation changed is stored under the old one and never served again.
- The generation is a timestamp, not a counter: if the cache ever loses it, a
  new one is taken, and no old page can come back.
- Keys carry the full address (language prefix, query string) and the headers
  the page varies on, through Django's own ``get_cache_key``/``learn_cache_key``.
- A short lifetime (``PAGE_CACHE_SECONDS``) bounds what an embargo release, a
  change made by a bulk ``update()`` (which sends no signal), waits for.
- Readers with a session (moderators, a narrator who just sent a story) are
  never served from the cache and never fill it.
- Browsers are told to revalidate every time (``max-age=0``); the ETag that
  ConditionalGetMiddleware adds turns that into a 304.
"""

import functools
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.cache import get_cache_key, learn_cache_key, patch_cache_control

GENERATION_KEY = "pages:generation"

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


def archive_changed(sender, using=None, **kwargs):
    if sender._meta.app_label not in {"stories", "taggit"}:
        return
    bump_generation()
    # Again once the change is committed: a page rendered meanwhile from the
    # old rows would otherwise be stored under the new generation.
    transaction.on_commit(bump_generation, using=using)


def applies_to(request):
    return (
        settings.PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
    )


def cache_public_page(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not applies_to(request):
            return view(request, *args, **kwargs)
        prefix = f"page.{generation()}"
        key = get_cache_key(request, prefix, "GET", cache=cache)
        response = cache.get(key) if key else None
        if response is None:
            response = view(request, *args, **kwargs)
            if hasattr(response, "render"):
                response.render()
            if response.status_code == 200 and not response.cookies:
                timeout = settings.PAGE_CACHE_SECONDS
                cache.set(
                    learn_cache_key(request, response, timeout, prefix, cache), response, timeout
                )
        patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
        return response

    return wrapper
