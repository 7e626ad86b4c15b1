"""
How every road for machines answers any HTTP method, which other sites' scripts may read it
(docs/api.md, "Methods and other sites"), and what its Last-Modified says. One rule, given to
each road in opendata/urls.py:

- The methods a road serves reach its view: GET and HEAD (OAI-PMH adds POST).
- OPTIONS is answered 204 with ``Allow``: what a browser's CORS preflight asks before a
  script on another site sends ``If-None-Match``.
- Any other method is answered 405 with ``Allow`` and an error in the road's own format (JSON
  on the JSON roads). The roads change nothing, so CSRF guards nothing on them; without the
  exemption a POST meets CSRF's 403 page, which tells a client nothing it can use.
- A road open to other sites (``cross_origin``) carries ``Access-Control-Allow-Origin: *`` on
  every answer. What it serves is public and the same for everyone, and no credentials are
  asked for or allowed. ``CrossOriginMiddleware`` adds the headers, outside the page cache
  (which serves kept answers before any view runs) and outside ConditionalGetMiddleware (whose
  304 keeps only a few of the answer's headers: without this one, a browser hides the 304
  from the script as a network error).
- A road whose answers the page cache keeps is dated by the archive's last public change
  (``dated_by_archive_change``), which its Last-Modified says.
"""

import functools

from django.http import HttpResponse
from django.utils.http import http_date
from django.views.decorators.csrf import csrf_exempt

from . import records

SERVED = ("GET", "HEAD")
# The request headers the roads read that CORS does not let a script send unasked: the
# conditional requests that the answers' ETag and Last-Modified are for.
READ_HEADERS = "If-None-Match, If-Modified-Since"
# Headers of the answers beyond those CORS lets a script read anyway (Last-Modified is one).
SHOWN_HEADERS = "ETag, Allow"
# How long a browser may keep a preflight's answer (Firefox's longest; Chromium keeps 2 hours).
PREFLIGHT_SECONDS = 86_400


def text_error(status, message):
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


def machine_road(*, serves=SERVED, errors=text_error, cross_origin=True):
    """A view decorator: the road serves ``serves``, answers OPTIONS, refuses the rest.

    ``errors(status, message)`` makes the road's refusal, in its own format.
    """
    allow = ", ".join([*serves, "OPTIONS"])

    def decorate(view):
        @functools.wraps(view)
        def road(request, *args, **kwargs):
            if request.method in serves:
                return view(request, *args, **kwargs)
            if request.method == "OPTIONS":
                response = HttpResponse(status=204)
                del response["Content-Type"]
            else:
                response = errors(405, f"{request.method} is not served here; use {allow}.")
            response["Allow"] = allow
            return response

        # Read by CrossOriginMiddleware from the view the address resolves to.
        road.allowed_methods = allow
        road.cross_origin = cross_origin
        return csrf_exempt(road)

    return decorate


def dated_by_archive_change(view):
    """Last-Modified is when anything public last changed (``records.archive_changed_at``).

    Not the newest date among what is listed now: when the newest item leaves
    (withdrawn, returned to review), that date goes back, and a client asking
    If-Modified-Since would keep the item it should lose.
    """

    @functools.wraps(view)
    def dated(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 200:
            response["Last-Modified"] = http_date(records.archive_changed_at().timestamp())
        return response

    return dated


class CrossOriginMiddleware:
    """CORS headers on every answer of a road open to other sites: 304s and kept pages too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        road = getattr(getattr(request, "resolver_match", None), "func", None)
        if getattr(road, "cross_origin", False):
            response["Access-Control-Allow-Origin"] = "*"
            response["Access-Control-Expose-Headers"] = SHOWN_HEADERS
            if request.method == "OPTIONS":
                response["Access-Control-Allow-Methods"] = road.allowed_methods
                response["Access-Control-Allow-Headers"] = READ_HEADERS
                response["Access-Control-Max-Age"] = str(PREFLIGHT_SECONDS)
        return response
