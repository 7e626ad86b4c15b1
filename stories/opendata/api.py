"""
The read-only JSON API, /api/v1/ (docs/api.md).

Built with Django itself: six GET endpoints (the root and the OpenAPI
description among them) without accounts or writes need forms to check
parameters, the paginator, JsonResponse and the conditional-GET middleware,
all of which Django has; a framework would bring serializers, authentication
and a browsable API that nothing here uses. Every story comes from
``opendata`` (``Story.objects.published()``, public fields only).
"""

import functools

from django import forms
from django.core.paginator import InvalidPage, Paginator
from django.http import Http404, JsonResponse
from django.urls import reverse
from django.utils.http import urlencode

from ..models import Perspective, Story, Theme, theme_perspective_counts
from ..search import results
from ..search.text import has_terms
from . import openapi_schemas, records
from .citations import citations

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


class StoryQueryForm(forms.Form):
    """The parameters of /api/v1/stories/; anything else is refused, so a typo is not ignored."""

    q = forms.CharField(required=False, max_length=500)
    perspective = forms.ModelChoiceField(
        queryset=Perspective.objects.all(), to_field_name="slug", required=False
    )
    theme = forms.ModelChoiceField(
        queryset=Theme.objects.all(), to_field_name="slug", required=False
    )
    language = forms.ChoiceField(choices=Story.Language.choices, required=False)
    year = forms.IntegerField(required=False, min_value=1900, max_value=2100)
    # Judged by the paginator, as the site's pages are: whatever names no page is a 404.
    page = forms.Field(required=False)
    page_size = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE_SIZE)
    # The parameters whose value is one of a list, or a number: never given empty.
    CHOSEN = ("perspective", "theme", "language", "year", "page_size")

    def __init__(self, data):
        super().__init__(data)
        self.unknown = sorted(set(data) - set(self.fields))
        self.repeated = sorted(name for name in data if len(data.getlist(name)) > 1)
        # A choice or a number given empty ("?language=") is a mistake the description refuses.
        self.empty = sorted(name for name in self.CHOSEN if name in data and not data[name])

    def clean(self):
        for name in self.unknown:
            self.add_error(None, f"Unknown parameter: {name}.")
        for name in self.repeated:
            self.add_error(None, f"Give {name} once.")
        for name in self.empty:
            self.add_error(None, f"Give {name} a value, or leave it out.")
        return super().clean()

    def stories(self):
        stories = Story.objects.published()
        data = self.cleaned_data
        if data["perspective"]:
            stories = stories.filter(perspective=data["perspective"])
        if data["theme"]:
            stories = stories.carrying_any_theme_of([data["theme"].pk])
        if data["language"]:
            stories = stories.filter(language=data["language"])
        if data["year"]:
            stories = stories.filter(year_happened=data["year"])
        return stories

    def paginator(self, page_size):
        """Newest first, or, given words to search for, best first (results.RankedPaginator)."""
        stories, query = self.stories(), self.cleaned_data["q"]
        if has_terms(query):
            return results.RankedPaginator(stories, page_size, query=query, read=public_in_order)
        return Paginator(
            records.with_public_fields(stories).order_by("-published_at", "-pk"), page_size
        )


def public_in_order(ids):
    return results.in_order(records.with_public_fields(Story.objects.published()), ids)


def error(status, message, **details):
    return JsonResponse({"error": {"status": status, "message": message, **details}}, status=status)


def api_view(view):
    """A missing object answers in JSON (machine_urls gives the methods, CORS and dates)."""

    @functools.wraps(view)
    def answer(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Http404:
            return error(404, "Not found.")

    return answer


def recording_json(base, recording):
    if recording is None:
        return None
    return {
        "url": base + recording.path,
        "type": recording.mime_type,
        "duration": recording.duration,
        "size": recording.size,
    }


def story_summary(base, record, *, whole=False):
    """A story as the API's lists give it; ``base``, the site's address (``base_url``)."""
    return {
        **records.story_fields(record, base, whole=whole),
        "permalink": base + record.permalink_path,
        "api_url": base + reverse("api-story", args=[record.id]),
        "perspective": {"slug": record.perspective, "name": record.perspective_name},
        "themes": [{"slug": slug, "name": name} for slug, name in record.themes],
        "published_at": record.published_at.isoformat(),
        "updated_at": record.updated_at.isoformat(),
        "recording": recording_json(base, record.recording),
        "licence": records.licence_fields(record.licence),
    }


def story_document(record, base):
    """One story as /api/v1/stories/<id>/ gives it, from a record made by
    ``with_index_and_translations()``; the archival packages (``bags``) hold the same."""
    dublin_core = {}
    for element, value in record.dublin_core(base):
        dublin_core.setdefault(element, []).append(value)
    return {
        **story_summary(base, record, whole=True),
        "translation": records.translation_fields(record),
        "segments": records.segments_fields(record, base),
        "chapters": base + record.chapters_path if record.chapters_path else None,
        "languages": list(record.languages),
        "dublin_core": dublin_core,
        "citations": {citation.style: citation.text for citation in citations(record, base)},
        "citation_files": {
            extension: base + reverse("story-citation", args=[record.id, extension])
            for extension in ("bib", "ris")
        },
    }


@api_view
def root(request):
    return JsonResponse(
        {
            "stories": records.absolute_url(request, reverse("api-stories")),
            "perspectives": records.absolute_url(request, reverse("api-perspectives")),
            "themes": records.absolute_url(request, reverse("api-themes")),
            "openapi": records.absolute_url(request, reverse("api-openapi")),
            "documentation": "docs/api.md in the project's repository",
        }
    )


@api_view
def stories(request):
    form = StoryQueryForm(request.GET)
    if not form.is_valid():
        return error(
            400,
            "Bad parameters.",
            fields={name: errors for name, errors in form.errors.items() if name != "__all__"},
            problems=form.non_field_errors(),
        )
    page_size = form.cleaned_data["page_size"] or DEFAULT_PAGE_SIZE
    paginator = form.paginator(page_size)
    try:
        page = paginator.page(form.cleaned_data["page"] or 1)
    except InvalidPage:
        return error(404, "No such page.", pages=paginator.num_pages)

    def page_url(number):
        query = {key: value for key, value in request.GET.items() if key != "page"}
        return records.absolute_url(
            request, f"{reverse('api-stories')}?{urlencode({**query, 'page': number})}"
        )

    return JsonResponse(
        {
            "count": paginator.count,
            "page": page.number,
            "pages": paginator.num_pages,
            "next": page_url(page.next_page_number()) if page.has_next() else None,
            "previous": page_url(page.previous_page_number()) if page.has_previous() else None,
            "results": [
                story_summary(records.base_url(request), records.PublicRecord.of(story))
                for story in page
            ],
        }
    )


@api_view
def story(request, story_id):
    found = records.with_index_and_translations(Story.objects.published()).filter(pk=story_id)
    found = found.first()
    if found is None:
        raise Http404
    record = records.PublicRecord.of(found)
    return JsonResponse(story_document(record, records.base_url(request)))


@api_view
def perspectives(request):
    return JsonResponse(
        {
            "results": [
                {
                    "slug": perspective.slug,
                    "name": perspective.name,
                    "name_es": perspective.name_es,
                    "description": perspective.description,
                    "description_es": perspective.description_es,
                    "stories": perspective.published_count,
                    "url": records.absolute_url(request, perspective.get_absolute_url()),
                }
                for perspective in Perspective.objects.with_published_counts()
            ]
        }
    )


@api_view
def themes(request):
    by_pair = theme_perspective_counts()
    perspective_slugs = dict(Perspective.objects.values_list("pk", "slug"))
    return JsonResponse(
        {
            "results": [
                {
                    "slug": theme.slug,
                    "name": theme.name,
                    "name_es": theme.name_es,
                    "description": theme.description,
                    "description_es": theme.description_es,
                    "stories": theme.published_count,
                    "stories_by_perspective": {
                        slug: by_pair.get((theme.pk, pk), 0)
                        for pk, slug in perspective_slugs.items()
                    },
                    "url": records.absolute_url(request, theme.get_absolute_url()),
                }
                for theme in Theme.objects.with_published_counts()
            ]
        }
    )


def not_found(request, rest):
    return error(404, "No such endpoint. See /api/v1/.")


def openapi_description():
    """The API described in OpenAPI 3.1, kept beside the code it describes (tests compare them).

    The perspectives and themes a list can be narrowed to are this archive's own: the
    description names them, so that a client (Schemathesis, in the tests) knows which values
    are accepted and which get the 400.
    """
    perspective_slugs = list(Perspective.objects.values_list("slug", flat=True))
    theme_slugs = list(Theme.objects.values_list("slug", flat=True))

    def parameter(name, description, schema):
        return {"name": name, "in": "query", "required": False, "description": description,
                "schema": schema}  # fmt: skip

    error_response = {
        "description": "An error, as JSON.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }

    answer_headers = {
        name: {"description": description, "required": True, "schema": {"type": "string"}}
        for name, description in (
            ("ETag", "Sent back in If-None-Match, it gets a 304 while nothing has changed."),
            ("Last-Modified", "When anything public last changed."),
            ("Access-Control-Allow-Origin", "Always *: scripts on any site may read the API."),
        )
    }

    def answers(schema, *errors):
        return {
            "200": {
                "description": "OK.",
                "headers": answer_headers,
                "content": {
                    "application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}
                },
            },
            "304": {"description": "Not modified: the If-None-Match or If-Modified-Since holds."},
            **{str(status): error_response for status in errors},
        }

    summary_properties = {
        "id": {"type": "integer"},
        "url": {"type": "string", "format": "uri"},
        "permalink": {"type": "string", "format": "uri"},
        "api_url": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "summary": {"type": "string"},
        "quote": {
            "type": "string",
            "description": "One sentence of the story, chosen by a moderator, or empty.",
        },
        "creator": {"type": "string", "description": "The name shown, or Anonymous."},
        "narrator_descriptor": {"type": "string"},
        "perspective": {"$ref": "#/components/schemas/Named"},
        "themes": {"type": "array", "items": {"$ref": "#/components/schemas/Named"}},
        "language": {"type": "string", "enum": ["en", "es"]},
        "place": {"type": "string"},
        "year_happened": {"type": ["integer", "null"]},
        "published_at": {"type": "string", "format": "date-time"},
        "updated_at": {"type": "string", "format": "date-time"},
        "recording": {
            "oneOf": [{"$ref": "#/components/schemas/Recording"}, {"type": "null"}],
            "description": (
                "The story's recording, once a moderator has listened to it; never a voice "
                "its narrator kept private."
            ),
        },
        **openapi_schemas.STORY_LICENCE_PROPERTIES,
    }
    category_properties = {
        "slug": {"type": "string"},
        "name": {"type": "string"},
        "name_es": {"type": "string"},
        "description": {"type": "string"},
        "description_es": {"type": "string"},
        "stories": {"type": "integer", "description": "Published stories."},
        "url": {"type": "string", "format": "uri"},
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Perspectives API",
            "version": "1",
            "description": (
                "Read-only JSON for the published stories of Perspectives, an oral-history "
                "archive of Los Angeles as a sanctuary city. Only published stories and "
                "their public fields are ever returned."
            ),
        },
        "paths": {
            "/api/v1/": {
                "get": {"summary": "Links to the endpoints.", "responses": answers("Root")}
            },
            "/api/v1/stories/": {
                "get": {
                    "summary": "Published stories, newest first, or ranked when q is given.",
                    "parameters": [
                        parameter(
                            "q",
                            "Words to search for (English and Spanish).",
                            {"type": "string", "maxLength": 500},
                        ),
                        parameter(
                            "perspective",
                            "A perspective's slug.",
                            {"type": "string", "enum": perspective_slugs},
                        ),
                        parameter(
                            "theme", "A theme's slug.", {"type": "string", "enum": theme_slugs}
                        ),
                        parameter(
                            "language",
                            "The story's language.",
                            {"type": "string", "enum": ["en", "es"]},
                        ),
                        parameter(
                            "year",
                            "The year it happened.",
                            {"type": "integer", "minimum": 1900, "maximum": 2100},
                        ),
                        parameter("page", "From 1.", {"type": "integer", "minimum": 1}),
                        parameter(
                            "page_size",
                            "Stories a page (default 20).",
                            {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
                        ),
                    ],  # fmt: skip
                    "responses": answers("StoryPage", 400, 404),
                }
            },
            "/api/v1/stories/{id}/": {
                "get": {
                    "summary": "One published story, with its text and Dublin Core.",
                    "parameters": [
                        {
                            "name": "id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer", "minimum": 1},
                        }
                    ],  # fmt: skip
                    "responses": answers("Story", 404),
                }
            },
            "/api/v1/perspectives/": {
                "get": {
                    "summary": "Every perspective, with its number of published stories.",
                    "responses": answers("Perspectives"),
                }
            },
            "/api/v1/themes/": {
                "get": {
                    "summary": "Every theme, with its published stories, per perspective too.",
                    "responses": answers("Themes"),
                }
            },
            "/api/v1/openapi.json": {
                "get": {"summary": "This description.", "responses": answers("OpenAPI")}
            },
        },
        "components": {
            "schemas": {
                "Root": {
                    "type": "object",
                    "properties": {
                        "stories": {"type": "string", "format": "uri"},
                        "perspectives": {"type": "string", "format": "uri"},
                        "themes": {"type": "string", "format": "uri"},
                        "openapi": {"type": "string", "format": "uri"},
                        "documentation": {"type": "string"},
                    },
                },
                "OpenAPI": {"type": "object", "description": "An OpenAPI 3.1 description."},
                "Named": {
                    "type": "object",
                    "properties": {"slug": {"type": "string"}, "name": {"type": "string"}},
                },
                "StorySummary": {"type": "object", "properties": summary_properties},
                "Recording": {
                    "type": "object",
                    "properties": {
                        "url": {
                            "type": "string",
                            "format": "uri",
                            "description": "Answers HTTP range requests.",
                        },
                        "type": {"type": "string", "description": "Its media type."},
                        "duration": {"type": "number", "description": "Seconds."},
                        "size": {"type": "integer", "description": "Bytes."},
                    },
                },
                "Story": {
                    "type": "object",
                    "properties": {
                        **summary_properties,
                        "text": {"type": "string"},
                        "content_note": {"type": "string"},
                        **openapi_schemas.STORY_INDEX_PROPERTIES,
                        "dublin_core": {
                            "type": "object",
                            "additionalProperties": {"type": "array", "items": {"type": "string"}},
                        },
                        "citations": {
                            "type": "object",
                            "additionalProperties": {"type": "string"},
                        },
                        "citation_files": {
                            "type": "object",
                            "additionalProperties": {"type": "string", "format": "uri"},
                        },
                    },
                },
                **openapi_schemas.INDEX_SCHEMAS,
                **openapi_schemas.LICENCE_SCHEMAS,
                "StoryPage": {
                    "type": "object",
                    "properties": {
                        "count": {"type": "integer"},
                        "page": {"type": "integer"},
                        "pages": {"type": "integer"},
                        "next": {"type": ["string", "null"], "format": "uri"},
                        "previous": {"type": ["string", "null"], "format": "uri"},
                        "results": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/StorySummary"},
                        },
                    },
                },
                "Perspectives": {
                    "type": "object",
                    "properties": {
                        "results": {
                            "type": "array",
                            "items": {"type": "object", "properties": category_properties},
                        }
                    },
                },
                "Themes": {
                    "type": "object",
                    "properties": {
                        "results": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    **category_properties,
                                    "stories_by_perspective": {
                                        "type": "object",
                                        "additionalProperties": {"type": "integer"},
                                    },
                                },
                            },
                        }
                    },
                },
                "Error": {
                    "type": "object",
                    "properties": {
                        "error": {
                            "type": "object",
                            "properties": {
                                "status": {"type": "integer"},
                                "message": {"type": "string"},
                            },
                        }
                    },
                },
            }
        },
    }


@api_view
def openapi(request):
    return JsonResponse(openapi_description())
