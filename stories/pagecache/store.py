"""
The page cache: whole public pages, kept in the shared cache, thrown away all
at once whenever anything in the archive changes.

- Only the pages ``cache_public_page`` marks (stories/pages/urls.py) are kept, by
  ``PageCacheMiddleware``: read-only public pages. Forms, the thank-you and
  withdrawal pages, errors, ``/healthz`` and the admin never are.
- Every page is stored with the archive's generation: a value that changes
  whenever a row that readers can see is saved or deleted (the receivers in
  ``stories/pagecache/receivers.py``; ``readers_can_see`` says which), and a page is
  served only while it is still current, so an approval, a return to review,
  a withdrawal, a redaction, a retagging or a theme merge (and whatever later
  features change) reaches every page at once, with no list of pages to keep.
  A change to a story nobody sees or saw keeps every page. A page rendered while the generation
  changed is stored with the old one and never served. The generation and
  the page are read in one round trip.
- The generation is a timestamp, not a counter: if the cache ever loses it, a
  new one is taken, and no old page can come back.
- Keys are the full address (language prefix, query string). Only the answer
  is kept (status 200, its headers and content), not a pickled response
  object; the middleware outside the page cache adds the rest on every answer.
- A short lifetime (``PAGE_CACHE_SECONDS``) bounds what an embargo release,
  which changes no row, waits for.
- Readers with a session (moderators, a narrator who just sent a story) are
  never served from the cache and never fill it.
- Browsers are told to revalidate every time (``max-age=0``); the ETag, kept
  with the page, lets ConditionalGetMiddleware turn that into a 304.
"""

import contextlib
import contextvars
import functools
import hashlib
import logging
import time

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router, transaction
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.cache import patch_cache_control, set_response_etag
from django.utils.connection import ConnectionProxy

GENERATION_KEY = "pages:generation"
# The longest a request waits for another that is making a value kept per generation, and
# so the longest a claim to make it lasts if its request never lets go.
MAKING_SECONDS = 5

# The "pages" cache (settings.CACHES), apart from the rate-limit counts.
cache = ConnectionProxy(caches, "pages")
# What is kept once a generation, copied into this process's memory (settings.CACHES).
process_copies = ConnectionProxy(caches, "generation-copies")


class RequestReads:
    """The generation a request read first, which the rest of it uses: one read a page,
    however many of its parts are kept per generation."""

    generation = None


# Set by PageCacheMiddleware for each request; None outside one (commands, a shell).
this_request = contextvars.ContextVar("this_request", default=None)

logger = logging.getLogger(__name__)


def generation():
    current = cache.get(GENERATION_KEY)
    if current is None:
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        current = cache.get(GENERATION_KEY)
    return current


def failure_contained():
    """A block whose cache failure leaves the caller's database transaction usable.

    The database cache writes through the same connection as the change that
    called it; on PostgreSQL one failed statement (no cache table yet while
    migrations run) would abort the whole transaction, so inside one it runs
    in a savepoint of its own. Redis needs none.
    """
    if isinstance(caches["pages"], DatabaseCache):
        alias = router.db_for_write(caches["pages"].cache_model_class)
        if connections[alias].in_atomic_block:
            return transaction.atomic(using=alias)
    return contextlib.nullcontext()


def bump_generation():
    """Every cached page is out of date from now on.

    A cache that cannot be written (Redis down; no cache table yet while
    migrations run) must not stop a moderator's change: pages then catch up
    within PAGE_CACHE_SECONDS, and the failure is logged.
    """
    try:
        with failure_contained():
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


def renew(using):
    """For the receivers in pagecache/receivers.py: a change readers can see is being made."""
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
    While the cache cannot be reached, every value is made afresh.
    """
    try:
        with failure_contained():
            found = cache.get_many([GENERATION_KEY, key])
            current = found.get(GENERATION_KEY) or generation()
    except Exception as error:  # whatever the cache backend raises
        logger.warning("Could not read the page cache: %s", type(error).__name__)
        return make()[0]
    reads = this_request.get()
    if reads is not None:
        reads.generation = current
    stored = found.get(key)
    if stored and stored[0] == current:
        return stored[1]
    value, keep = make()
    if keep:
        try:
            with failure_contained():
                cache.set(key, (current, value), timeout)
        except Exception as error:  # whatever the cache backend raises
            logger.warning("Could not write the page cache: %s", type(error).__name__)
    return value


def digest(words):
    """What a reader wrote or made up (a slug, a query string) as part of a key: short, and
    whatever its length or characters."""
    return hashlib.blake2b(words.encode(), digest_size=12).hexdigest()


def counted_once_per_generation(name, count, *, keep_none=True):
    """``count()``, worked out once per generation of the archive (COUNTS_CACHE_SECONDS).

    For what pages count over the whole archive (stories per perspective and
    per theme, the years) and the parts they keep per generation: hundreds of
    milliseconds at 100,000 stories, the same answer until something changes.

    Kept in the shared cache with the generation it was made in, and copied
    into the process: a page reads the generation once (``generation_of_this_request``),
    and then each value from memory, where it is current. A copy from an older
    generation is never served, as in the shared cache.

    After a change, the many readers who ask for a value at once do not all make it: the
    first takes a short claim in the shared cache and makes it, the others wait for it
    (``made_by_another``).

    ``keep_none=False``: a None (nothing found at an address readers can make up) is worked
    out again each time, so that made-up addresses fill no cache.
    """
    if settings.COUNTS_CACHE_SECONDS <= 0:
        return count()
    key = f"counts:{name}"
    claim = None
    try:
        with failure_contained():
            current = generation_of_this_request()
            copied = process_copies.get(key)
            if copied and copied[0] == current:
                return copied[1]
            stored = cache.get(key)
            if not (stored and stored[0] == current):
                wanted = f"making:{key}:{current}"
                if cache.add(wanted, True, timeout=MAKING_SECONDS):
                    claim = wanted
                else:
                    stored = made_by_another(key, wanted, current)
    except Exception as error:  # whatever the cache backend raises
        logger.warning("Could not read the page cache: %s", type(error).__name__)
        return count()
    if stored and stored[0] == current:
        process_copies.set(key, stored, settings.COUNTS_CACHE_SECONDS)
        return stored[1]
    try:
        made = (current, count())
        if made[1] is None and not keep_none:
            return None
        process_copies.set(key, made, settings.COUNTS_CACHE_SECONDS)
        try:
            with failure_contained():
                cache.set(key, made, settings.COUNTS_CACHE_SECONDS)
        except Exception as error:  # whatever the cache backend raises
            logger.warning("Could not write the page cache: %s", type(error).__name__)
        return made[1]
    finally:
        # Once the value is kept (or could not be made): the others read it, or make it.
        if claim:
            _let_go(claim)


def made_by_another(key, claim, current):
    """What another request is making under ``key`` for the generation ``current``, once it
    has kept it; None if it gave up (an error, nothing to keep) or took too long.

    Asked at growing intervals, sleeping between: a waiting request costs no CPU, where
    making the value again would cost the many readers of a busy moment as much as the
    first (docs/performance.md, "Readers while a moderator approves").
    """
    deadline = time.monotonic() + MAKING_SECONDS
    pause = 0.005
    while time.monotonic() < deadline:
        time.sleep(pause)
        found = cache.get_many([key, claim])
        stored = found.get(key)
        if stored and stored[0] == current:
            return stored
        if claim not in found:
            return None
        pause = min(pause * 2, 0.1)
    return None


def _let_go(claim):
    try:
        with failure_contained():
            cache.delete(claim)
    except Exception as error:  # whatever the cache backend raises
        logger.warning("Could not write the page cache: %s", type(error).__name__)


def generation_of_this_request():
    """The generation, read once a request (and on every call outside one)."""
    reads = this_request.get()
    if reads is not None and reads.generation is not None:
        return reads.generation
    current = cache.get(GENERATION_KEY) or generation()
    if reads is not None:
        reads.generation = current
    return current


def cache_public_page(view):
    """Puts a view's pages on the allowlist that ``PageCacheMiddleware`` keeps."""

    @functools.wraps(view)
    def public_page(request, *args, **kwargs):
        return view(request, *args, **kwargs)

    public_page.page_cache = True
    return public_page


def public_page_match(request):
    """The address's URL match if it leads to a view on the allowlist, else None.

    Asked before LocaleMiddleware has run, so the address is resolved in the
    language its prefix names. Costs some 50 µs; it spares every other
    address (forms, the admin, ``/healthz``, unknown addresses) a cache read.
    """
    language = translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
    with translation.override(language):
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
    return match if getattr(match.func, "page_cache", False) else None


class PageCacheMiddleware:
    """Serves a kept page before the rest of the middleware runs, and keeps new ones.

    It sits outside the middleware that adds a page's own headers (CSP,
    X-Frame-Options, Content-Language), so a page is kept with them, and a
    reader served from the cache skips sessions, languages, CSRF and the
    views altogether; the middleware outside it (security headers, conditional
    GET, the request log) runs on every answer. Pages are kept only as they
    were made: status 200, no cookies set.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reading = this_request.set(RequestReads())
        try:
            return self.serve(request)
        finally:
            this_request.reset(reading)

    def serve(self, request):
        match = applies_to(request) and public_page_match(request)
        if not match:
            return self.get_response(request)
        made = []

        def make():
            response = self.get_response(request)
            made.append(response)
            keep = response.status_code == 200 and not response.cookies
            if keep:
                patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
                # Worked out once here, rather than by ConditionalGetMiddleware on every answer.
                set_response_etag(response)
            return (list(response.headers.items()), response.content), keep

        headers, content = current_or_new(page_key(request), make, settings.PAGE_CACHE_SECONDS)
        if made:
            return made[0]  # as it was made, cookies and all
        # For the request log, which names the route of every answer.
        request.resolver_match = match
        response = HttpResponse(content)
        for name, value in headers:
            response[name] = value
        return response
