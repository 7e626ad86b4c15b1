"""Guards of the pages for people: limits that answer the 429 page, and pages no cache keeps."""

import functools

from django.conf import settings
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

from ..safety import limits


def private(view):
    """A page never stored by a cache, whose address never leaves the site in a referrer.

    "same-origin" rather than "no-referrer": with no referrer at all, browsers
    send "Origin: null" with the page's own forms, which Django's CSRF check
    rightly refuses.
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        response["Referrer-Policy"] = "same-origin"
        return response

    return wrapper


def over_limit(request, *, scope, limit, period=None):
    """Count this request; the 429 page if the client has used up ``limit`` this period."""
    period = period or settings.SHARE_RATE_PERIOD
    verdict = limits.hit(request, scope=scope, limit=limit, period=period)
    return None if verdict.allowed else rate_limited(request, verdict)


def limit_posts(*, scope, limit_setting, period_setting):
    """A view whose POSTs each client may make ``limit_setting`` times per ``period_setting``.

    Every POST counts, successful or not: staff sign in a few times a day, and
    someone guessing is stopped after a handful of tries per client address,
    across every process and host.
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method == "POST":
                refused = over_limit(
                    request,
                    scope=scope,
                    limit=getattr(settings, limit_setting),
                    period=getattr(settings, period_setting),
                )
                if refused:
                    return refused
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


# The admin's password sign-in, and the second factor's code (six digits are guessable).
limit_sign_ins = limit_posts(
    scope="admin-login",
    limit_setting="ADMIN_LOGIN_RATE_LIMIT",
    period_setting="ADMIN_LOGIN_RATE_PERIOD",
)
limit_code_attempts = limit_posts(
    scope="admin-code",
    limit_setting="ADMIN_CODE_RATE_LIMIT",
    period_setting="ADMIN_CODE_RATE_PERIOD",
)


def rate_limited(request, verdict):
    minutes = max(1, round(verdict.retry_after / 60))
    response = render(
        request,
        "429.html",
        {"retry_after_minutes": minutes},
        status=429,
    )
    response["Retry-After"] = str(verdict.retry_after)
    return response
