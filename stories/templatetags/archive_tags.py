from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language, get_language_info

register = template.Library()


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
        url = translate_url(path, code)
        if url == path:
            url = "/" if code == settings.LANGUAGE_CODE else f"/{code}/"
        info = get_language_info(code)
        links.append({"code": code, "name": info["name_local"], "url": url})
    return links


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
