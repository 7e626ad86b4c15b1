import functools
import json
from urllib.parse import urlsplit

from django import template
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.serializers.json import DjangoJSONEncoder
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse, translate_url
from django.utils import translation
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import (
    get_language,
    get_language_info,
    gettext,
    gettext_noop,
    ngettext,
)

register = template.Library()


@register.filter
def whole_days_since(moment, now):
    """Whole days from ``moment`` to ``now``: "Overdue by 3 days" counts no hours."""
    return (now - moment).days


@register.simple_tag
def promised_review_time():
    """How soon narrators are told a moderator reads their story, as words: "a week", "10 days".

    In weeks when PROMISED_REVIEW_DAYS is a whole number of them: narrators were
    told "a week", and "within 7 days" reads like a deadline (docs/moderation.md).
    The singular names no number ("a week"), which English and Spanish allow:
    their singular form is for one alone.
    """
    days = settings.PROMISED_REVIEW_DAYS
    if days and days % 7 == 0:
        weeks = days // 7
        return ngettext("a week", "%(count)d weeks", weeks) % {"count": weeks}
    return ngettext("a day", "%(count)d days", days) % {"count": days}


@register.simple_tag(takes_context=True)
def other_languages(context):
    """Links to this same page in the site's other languages, query string kept.

    A plain link rather than Django's set_language form, so every page stays
    cacheable and the choice is visible in the address.
    """
    request = context.get("request")
    current = get_language()
    # One leading slash: "//host/..." (or "/\\host/...", which browsers read
    # alike) names another site, and translate_url would keep that host.
    path = "/" + request.get_full_path().lstrip("/\\") if request else "/"
    links = []
    for code, _name in settings.LANGUAGES:
        if code == current:
            continue
        url = in_language(request, path, code)
        if url == path:
            url = "/" if code == settings.LANGUAGE_CODE else f"/{code}/"
        info = get_language_info(code)
        links.append({"code": code, "name": info["name_local"], "url": url})
    return links


def in_language(request, path, code):
    """``path`` in the language ``code``, as Django's translate_url gives it, from the URL the
    request was resolved to: translate_url resolves the path again (0.4 ms of a 4 ms page)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return translate_url(path, code)
    name = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
    route = (code, name, tuple(match.args), tuple(sorted(match.kwargs.items())))
    try:
        url = _reversed_once_in(*route)
    except TypeError:  # a route's own extra arguments (the sitemaps' dict) make no key
        url = _reversed_in(*route)
    if url is None:
        return path
    query = urlsplit(path).query
    return f"{url}?{query}" if query else url


def _reversed_in(code, name, args, kwargs):
    """The route ``name``'s address for these arguments in the language ``code``, or None."""
    with translation.override(code):
        try:
            return reverse(name, args=args, kwargs=dict(kwargs))
        except NoReverseMatch:
            return None


# The same until the next release, and every page asks for one (some 30 µs each).
_reversed_once_in = functools.lru_cache(maxsize=1024)(_reversed_in)


@register.simple_tag(takes_context=True)
def query_url(context, name, value):
    """The current page's query string with ``name`` set to ``value``, back on page one.

    An empty value removes the parameter: ``{% query_url "theme" "" %}``.
    """
    query = context["request"].GET.copy()
    query.pop("page", None)
    if value in ("", None):
        query.pop(name, None)
    else:
        query[name] = value
    return f"?{query.urlencode()}"


# Images for link previews (Open Graph), drawn by `manage.py draw_social_images`: one per
# perspective and theme, and the site's own for anything drawn after (docs/listening.md).
SOCIAL_IMAGES = "img/social"


@register.simple_tag(takes_context=True)
def social_image(context, kind="", slug=""):
    """The absolute address of the preview image for a perspective or theme, or the site's."""
    return _absolute(context, _social_image_path(kind, slug))


@functools.lru_cache(maxsize=256)
def _social_image_path(kind, slug):
    """The address of the image drawn for ``kind`` and ``slug``, or of the site's: found once
    a process, as images and their fingerprinted names come with a release (a page asks twice,
    and each lookup in the static files' manifest took some 20 µs)."""
    name = f"{SOCIAL_IMAGES}/{kind}-{slug}.png"
    if not (kind and slug and finders.find(name)):
        name = f"{SOCIAL_IMAGES}/site.png"
    return static(name)


@register.simple_tag(takes_context=True)
def absolute_page_url(context):
    """This page's absolute address (one leading slash: see other_languages)."""
    request = context.get("request")
    return _absolute(context, "/" + request.path.lstrip("/\\")) if request else ""


# The site's own preview: its name and what it is (also every page's description, base.html).
SITE_DESCRIPTION = gettext_noop(
    "An oral-history archive: Los Angeles as a sanctuary city, told in their own words by "
    "everyone who lived it."
)
# Open Graph's locale for a story's language: the archive's Spanish is Mexico's.
OPEN_GRAPH_LOCALES = {"es": "es_MX", "en": "en_US"}


@register.simple_tag(takes_context=True)
def social_meta(
    context,
    *,
    title="",
    description="",
    url="",
    kind="website",
    language="",
    image_kind="",
    image_slug="",
):
    """Link previews: Open Graph (read by WhatsApp, Bluesky, Mastodon...) and Twitter's card
    tags (X). Site-wide by default; a page passes its own ``title``, ``description``,
    ``url`` (absolute), ``kind`` ("article"), ``language`` (the content's) and the drawn
    image of a perspective or theme (``image_kind``, ``image_slug``: docs/listening.md).

    Written here rather than by a template: every page has it, and eighteen tags
    through the template engine cost a quarter of a millisecond.
    """
    site_name = gettext("Perspectives")
    values = (
        site_name,
        kind,
        title or site_name,
        description or gettext(SITE_DESCRIPTION),
        url or absolute_page_url(context),
        OPEN_GRAPH_LOCALES.get(language or get_language(), "en_US"),
        social_image(context, image_kind, image_slug),
        gettext("Perspectives: an oral-history archive. A pattern of shapes, no people."),
    )
    # Escaped before they are looked up, so a value is never taken for one already escaped.
    return _meta_tags(*map(conditional_escape, values))


@functools.lru_cache(maxsize=256)
def _meta_tags(site_name, kind, title, description, url, locale, picture, picture_alt):
    """The tags for these values, all escaped already: the same few are asked for by every
    page of a kind, and writing them took a twentieth of a page's time."""
    tags = [
        ("property", "og:site_name", site_name),
        ("property", "og:type", kind),
        ("property", "og:title", title),
        ("property", "og:description", description),
        ("property", "og:url", url),
        ("property", "og:locale", locale),
        ("property", "og:image", picture),
        ("property", "og:image:width", "1200"),
        ("property", "og:image:height", "630"),
        ("property", "og:image:alt", picture_alt),
        ("name", "twitter:card", "summary_large_image"),
        ("name", "twitter:title", title),
        ("name", "twitter:description", description),
        ("name", "twitter:image", picture),
    ]
    return format_html_join("\n  ", '<meta {}="{}" content="{}">', tags)


def _absolute(context, url):
    request = context.get("request")
    if url.startswith(("http://", "https://")) or request is None:
        return url
    return f"{request.scheme}://{request.get_host()}{url}"


# What could end the data block or start markup inside it, written as JSON escapes: a
# title of "</script><script>..." stays a string (as Django's json_script escapes).
# Replaced one by one: str.translate with a table took 0.2 ms on a theme page's 4 kB.
JSON_IN_HTML = {"<": "\\u003C", ">": "\\u003E", "&": "\\u0026"}


@register.simple_tag
def json_ld(data, image=""):
    """``data`` (a dict from stories/pages/structured_data.py) as a JSON-LD data block.

    ``<script type="application/ld+json">`` is data, never run: the Content
    Security Policy's script-src does not apply to it, so it needs no nonce.
    ``image``, when given, is the page's preview image (``social_image``).
    """
    if image:
        data = {**data, "image": image}
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    for character, escaped in JSON_IN_HTML.items():
        text = text.replace(character, escaped)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))
