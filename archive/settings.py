"""
Settings for Perspectives, read from environment variables.

Every variable has a development default, so a fresh clone runs with no
configuration at all; docs/architecture.md lists them. Production sets
DJANGO_DEBUG=0, a real DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, DATABASE_URL
and REDIS_URL.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name, default):
    value = os.environ.get(name)
    return default if value in (None, "") else int(value)


def env_list(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)

DEVELOPMENT_SECRET_KEY = "django-insecure-perspectives-development-key-never-use-in-production"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", DEVELOPMENT_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEVELOPMENT_SECRET_KEY:
    raise ImproperlyConfigured(
        "DJANGO_DEBUG is off but DJANGO_SECRET_KEY is the development key. "
        "Set DJANGO_SECRET_KEY to a long random value."
    )

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])

# --- HTTPS and security headers ---------------------------------------------
# Production (DEBUG off) is served over HTTPS unless DJANGO_HTTPS=0 says
# otherwise, as `make run` does for a local demo on plain HTTP.
HTTPS = env_bool("DJANGO_HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
# Load balancers ask over plain HTTP, inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31_536_000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
# Defaults of SecurityMiddleware, stated: nosniff, same-origin referrers and
# opener; X_FRAME_OPTIONS is "DENY" by default too.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Scripts and styles only from our own static files, and nothing inline: a
# cached page can never carry a stale nonce because there are none.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        # Recordings, from the guarded view on this site; blob: for a narrator listening back
        # to what the recorder (static/js/recorder.js) just made, which never left the page.
        "media-src": [SELF, "blob:"],
        "form-action": [SELF],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "object-src": [NONE],
    }
}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "taggit",
    "csp",
    # Two-factor sign-in for staff (stories/signin/): codes from an authenticator app, and
    # recovery codes for the day the phone is lost.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # ... and passkeys, kept and checked by django-otp-webauthn (py_webauthn).
    "django_otp_webauthn",
    "stories",
]

MIDDLEWARE = [
    "archive.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # CORS for the roads for machines, on 304s and kept pages too (stories/opendata/roads.py).
    "stories.opendata.roads.CrossOriginMiddleware",
    # ETags for every answer, and 304 for a browser that already has the page.
    "django.middleware.http.ConditionalGetMiddleware",
    # Kept pages are served from here, with the headers the middleware below
    # added when they were made (stories/pagecache/store.py).
    "stories.pagecache.store.PageCacheMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The admin's language, the moderator's (stories/admin/language.py); public pages untouched.
    "stories.admin.language.AdminLanguageMiddleware",
    # Whether the session passed the second factor (request.user.is_verified()), then the
    # admin's door: enrolment, the code and the idle time (stories/signin/middleware.py).
    "django_otp.middleware.OTPMiddleware",
    "stories.signin.middleware.StaffSignInMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "archive.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "archive.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                # The places readers can browse, read only by a page that links one.
                "stories.pages.context.listed_places",
            ],
        },
    },
]

WSGI_APPLICATION = "archive.wsgi.application"

# SQLite under the project unless DATABASE_URL says otherwise.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers and the one writer work at once; IMMEDIATE takes the
        # write lock at BEGIN, so concurrent writers wait (busy timeout) instead
        # of failing halfway through a transaction.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # A file, not memory: concurrency tests need WAL and the busy timeout too.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "test-db.sqlite3")}

# Rate-limit counts must be shared by every worker process: Redis in
# production, the database otherwise (created by `manage.py createcachetable`).
REDIS_URL = os.environ.get("REDIS_URL", "")
# Pages and counts (stories/pagecache/store.py) live apart from the rate-limit
# counts: a flood of distinct addresses can then only push out other pages.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "archive.cache.SharedClientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "perspectives",
        },
        "pages": {
            "BACKEND": "archive.cache.SharedClientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "perspectives-pages",
        },
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "perspectives_cache",
            # Culling would drop rate-limit counts and let a flood through;
            # expired rows are replaced in place, so the table stays small.
            "OPTIONS": {"MAX_ENTRIES": 1_000_000},
        },
        "pages": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "perspectives_pages",
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        },
    }

# What every page repeats, the same for a language until the next release (the
# head's links, the header, the footer: templates/base.html), rendered once a
# process and kept in its memory.
CACHES["frame"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "frame",
    "TIMEOUT": None,
}
# What pages keep once a generation (counts, menus, listings: stories/pagecache/store.py),
# copied into each process's memory, served only while the shared generation is theirs.
CACHES["generation-copies"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "generation-copies",
    "OPTIONS": {"MAX_ENTRIES": 2000},
}

# How long a public page stays in the page cache (stories/pagecache/store.py). Any
# change to the archive empties it at once; this bounds only what time alone
# changes (an embargo lifting) or what a bulk update() changed. 0 turns it off.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 60)
# The same for the counts pages make over the whole archive (stories per
# perspective and theme, the years), kept apart so that they serve pages the
# page cache does not hold (a filtered list, a reader with a session).
COUNTS_CACHE_SECONDS = env_int("COUNTS_CACHE_SECONDS", 60)
# How long a story's card or page body stays kept under the story's own stamp
# (stories/pagecache/fragments.py): any change to the story renews the stamp at
# once, so this only bounds the memory of stories nobody reads. 0 turns them off.
FRAGMENT_CACHE_SECONDS = env_int("FRAGMENT_CACHE_SECONDS", 86400)

# A place (Story.place, folded) gets a page and a link only once this many
# published stories name it: a place with one story points at its narrator
# (docs/architecture.md, "Places and the timeline").
PLACE_MIN_STORIES = env_int("PLACE_MIN_STORIES", 3)

# Django's sign-in; the signed-in user comes with the admin's language they chose.
AUTHENTICATION_BACKENDS = ["stories.admin.backends.ModeratorBackend"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("es", _("Spanish")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "America/Los_Angeles"

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    # Narrators' recordings: private files, served only by a view that checks
    # the story and the moderator's clearance (never a MEDIA_URL). A directory
    # outside the static and media roots by default; object storage through
    # django-storages in production (docs/deploy.md).
    "recordings": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": os.environ.get("RECORDINGS_ROOT", str(BASE_DIR / "recordings")),
            "base_url": None,
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    },
}

# The largest recording a narrator or a moderator may upload, in bytes (50 MB by
# default). Apart from DATA_UPLOAD_MAX_MEMORY_SIZE below, which limits the
# form's other fields and never counts files; stories.recordings.uploads stops reading a
# file as soon as it passes this size.
RECORDING_MAX_BYTES = env_int("RECORDING_MAX_BYTES", 50 * 1000 * 1000)
# The longest recording a narrator or a moderator may send, in seconds (30 minutes by
# default): longer, it is refused with a message that names the limit in minutes.
RECORDING_MAX_SECONDS = env_int("RECORDING_MAX_SECONDS", 30 * 60)
FILE_UPLOAD_HANDLERS = [
    "stories.recordings.uploads.SizeLimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Behind nginx, recordings can be handed to it to send (with its own support for
# range requests): the internal location that maps onto the recordings
# directory, e.g. "/_recordings/" (docs/deploy.md). Empty: Django sends them.
RECORDINGS_ACCEL_REDIRECT = os.environ.get("RECORDINGS_ACCEL_REDIRECT", "")

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A story body is at most 20,000 characters; 1 MiB leaves room for the other
# fields and URL-encoding while refusing absurd bodies with a 400.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200
# A form takes a recording and, in the admin, a transcript file: a few files at most.
DATA_UPLOAD_MAX_NUMBER_FILES = 5

TAGGIT_CASE_INSENSITIVE = True

LOGIN_URL = "admin:login"

# --- Perspectives -----------------------------------------------------------

# How many stories one submitter may send per hour.
SHARE_RATE_LIMIT = env_int("SHARE_RATE_LIMIT", 5)
SHARE_RATE_PERIOD = env_int("SHARE_RATE_PERIOD", 3600)
# Wrong withdrawal links one client may try per SHARE_RATE_PERIOD.
WITHDRAW_RATE_LIMIT = env_int("WITHDRAW_RATE_LIMIT", 20)
# Recordings one client may upload to the share form per SHARE_RATE_PERIOD:
# each is checked and held on the server before the story is sent.
RECORDING_UPLOAD_RATE_LIMIT = env_int("RECORDING_UPLOAD_RATE_LIMIT", 10)
# How long a recording sent with a share form is held for that form, in
# seconds; then it is deleted, and the narrator asked for it again.
RECORDING_HOLD_SECONDS = env_int("RECORDING_HOLD_SECONDS", 3600)
# The bytes of recordings held for share forms not yet sent, per client (by
# default two of the largest) and in all: the disk an anonymous client can fill
# without ever sending a story.
RECORDING_HOLD_BYTES_PER_CLIENT = env_int(
    "RECORDING_HOLD_BYTES_PER_CLIENT", 2 * RECORDING_MAX_BYTES
)
RECORDING_HOLD_BYTES_TOTAL = env_int("RECORDING_HOLD_BYTES_TOTAL", 2 * 1000 * 1000 * 1000)
# Reports one client may send per SHARE_RATE_PERIOD.
REPORT_RATE_LIMIT = env_int("REPORT_RATE_LIMIT", 10)
# Distinct readers whose open "personal information exposed" reports take a
# story off the site and back to review, before any moderator has looked.
REPORTS_TO_HIDE_STORY = env_int("REPORTS_TO_HIDE_STORY", 3)
# How long opening a story's review claims it for its moderator, in minutes: the
# desk shows who is reviewing it, and sends the others to other stories meanwhile.
REVIEW_CLAIM_MINUTES = env_int("REVIEW_CLAIM_MINUTES", 30)
# How soon narrators are told a moderator reads their story, in days: the thank-you
# page, the private page and the email say it, and the desk marks stories waiting longer.
PROMISED_REVIEW_DAYS = env_int("PROMISED_REVIEW_DAYS", 7)
# A story with a waived identity-shield finding, or a recording readers will
# hear, needs the approvals of two different moderators (docs/moderation.md).
TWO_MODERATORS_FOR_RISKY_STORIES = env_bool("TWO_MODERATORS_FOR_RISKY_STORIES", False)

# How many reverse proxies in front of the site append to X-Forwarded-For.
# 0 (the default) trusts only REMOTE_ADDR, which a client cannot forge.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT:
    # Only behind our own proxies may this header say the request came over HTTPS.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Admin sign-in attempts one client may make per period, on the same limiter.
ADMIN_LOGIN_RATE_LIMIT = env_int("ADMIN_LOGIN_RATE_LIMIT", 10)
ADMIN_LOGIN_RATE_PERIOD = env_int("ADMIN_LOGIN_RATE_PERIOD", 900)

# --- Who can sign in (stories/signin/, docs/moderation.md) -------------------
# "required": every staff account needs a second factor (a code from an authenticator
# app, or a recovery code) before any admin page, and is taken to enrolment until it
# has one. "offered": a staff account may enrol, and once enrolled is asked for a code;
# one without a device gets in with its password, so `make run` stays easy to try.
# Empty (the default) follows HTTPS: required when the site is served over HTTPS, that
# is in production, offered otherwise; read at each request (stories/signin/middleware.py).
STAFF_TWO_FACTOR = os.environ.get("STAFF_TWO_FACTOR", "")
if STAFF_TWO_FACTOR not in {"", "required", "offered"}:
    raise ImproperlyConfigured('STAFF_TWO_FACTOR must be "required", "offered" or empty.')
# The name authenticator apps show beside the account.
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Perspectives")
# Codes one client may try per period (six digits are guessable at speed); django-otp
# also slows each device down after every wrong code.
ADMIN_CODE_RATE_LIMIT = env_int("ADMIN_CODE_RATE_LIMIT", 10)
ADMIN_CODE_RATE_PERIOD = env_int("ADMIN_CODE_RATE_PERIOD", 900)
# A staff session unused for this long ends: the next admin page asks to sign in again.
STAFF_IDLE_MINUTES = env_int("STAFF_IDLE_MINUTES", 30)
# How long the records of sign-ins, failures and enrolments are kept (purge_private_data).
SIGN_IN_RECORD_RETENTION_DAYS = env_int("SIGN_IN_RECORD_RETENTION_DAYS", 90)

# Email carries two things, only to a narrator who gave an address: their
# private link, and, if they asked, the news that a moderator decided, with the
# story's address, which starts with SITE_URL (written outside any request,
# perhaps by the daily purge). Development prints messages to the console; with DEBUG off they go
# to a real SMTP server, configured by these variables (docs/deploy.md).
EMAIL_BACKEND = (
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get(
    "DJANGO_DEFAULT_FROM_EMAIL", "Perspectives <no-reply@localhost>"
)
SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000").rstrip("/")

# Passkeys, a second factor beside the authenticator app (stories/signin/passkeys.py). A
# passkey belongs to the site's domain (the relying party's id) and answers only pages from
# the allowed origins; both follow SITE_URL. Changing the id makes every passkey useless:
# moderators would add theirs again. Browsers allow passkeys over HTTPS, and on localhost.
OTP_WEBAUTHN_RP_ID = os.environ.get("OTP_WEBAUTHN_RP_ID", urlsplit(SITE_URL).hostname)
# The name a browser shows when it asks to create or use a passkey.
OTP_WEBAUTHN_RP_NAME = os.environ.get("OTP_WEBAUTHN_RP_NAME", OTP_TOTP_ISSUER)
OTP_WEBAUTHN_ALLOWED_ORIGINS = env_list(
    "OTP_WEBAUTHN_ALLOWED_ORIGINS",
    ["{0.scheme}://{0.netloc}".format(urlsplit(SITE_URL))],
)
# The password always comes first: a passkey is only ever the second factor.
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False

# How long a withdrawn story's text is kept, in case the narrator withdrew it by
# mistake, and how long a rejected story's text is kept for reconsideration;
# then manage.py purge_private_data erases it (docs/privacy.md).
WITHDRAWN_TEXT_GRACE_DAYS = env_int("WITHDRAWN_TEXT_GRACE_DAYS", 30)
REJECTED_TEXT_RETENTION_DAYS = env_int("REJECTED_TEXT_RETENTION_DAYS", 90)
# OAI-PMH (/oai/, stories/opendata/oai.py): the repository's name in its identifiers
# (oai:<this>:story/<id>, a domain the archive controls; it must never change),
# the address harvesters may write to, records a page, and how long a
# resumption token stays valid.
OAI_REPOSITORY_IDENTIFIER = os.environ.get("OAI_REPOSITORY_IDENTIFIER", "perspectives.example.org")
OAI_ADMIN_EMAIL = os.environ.get("OAI_ADMIN_EMAIL", "archive@perspectives.example.org")
OAI_PAGE_SIZE = env_int("OAI_PAGE_SIZE", 100)
OAI_TOKEN_SECONDS = env_int("OAI_TOKEN_SECONDS", 24 * 3600)

# How long a resolved report keeps its details, the reporter's email and hash.
RESOLVED_REPORT_RETENTION_DAYS = env_int("RESOLVED_REPORT_RETENTION_DAYS", 30)

# One JSON object per line on standard output, for whatever collects the
# logs. Requests are logged by archive.middleware.RequestLogMiddleware: route,
# status, duration and request id, never the address asked for (it can hold a
# withdrawal link or a search) and nothing a narrator typed.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "archive.logging.JSONFormatter"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["stdout"], "level": "WARNING"},
    "loggers": {
        "perspectives.requests": {
            "handlers": ["stdout"],
            "level": os.environ.get("DJANGO_REQUEST_LOG_LEVEL", "INFO"),
            "propagate": False,
        },
        # Django's own "Not Found: <path>" lines would repeat addresses; our
        # request log already has every answer, by route.
        "django.request": {"handlers": ["stdout"], "level": "ERROR", "propagate": False},
    },
}
