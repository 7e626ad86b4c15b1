"""Site-wide middleware: a request log and a friendly answer when the database is down."""

import logging
import re
import time
import uuid

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader

logger = logging.getLogger("perspectives.requests")

# A request id a trusted proxy may pass on; anything else is replaced.
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class RequestLogMiddleware:
    """One line per request: id, method, route, status, duration.

    The route is the URL pattern ("stories/<uslug:slug>/"), never the address
    asked for: an address can hold a withdrawal link or a reader's search.
    The id is also sent back as X-Request-ID, so a reader's report of an
    error can be found in the log.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        incoming = request.headers.get("X-Request-ID", "")
        trusted = settings.TRUSTED_PROXY_COUNT and REQUEST_ID.fullmatch(incoming)
        request.id = incoming if trusted else uuid.uuid4().hex
        response = self.get_response(request)
        response["X-Request-ID"] = request.id
        match = getattr(request, "resolver_match", None)
        logger.info(
            {
                "event": "request",
                "request_id": request.id,
                "method": request.method,
                "route": match.route if match else None,
                "view": match.view_name if match else None,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            }
        )
        return response


class DatabaseUnavailableMiddleware:
    """A database that does not answer gets a 503 page, not a traceback.

    The page is rendered as Django renders its 500 page, without the request:
    context processors would reach for the session and the user, which live in
    the database that is down.
    """

    RETRY_AFTER_SECONDS = 30

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error(
            {
                "event": "database_unavailable",
                "request_id": getattr(request, "id", None),
                "error": type(exception).__name__,
            },
            # The traceback tells an outage from a missing migration.
            exc_info=exception,
        )
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = str(self.RETRY_AFTER_SECONDS)
        return response
