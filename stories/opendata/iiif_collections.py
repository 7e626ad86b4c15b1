"""
IIIF collections (docs/reuse.md, "IIIF manifests"): the manifests of the heard stories of a theme
(``/iiif/themes/<slug>/collection.json``) and of a perspective
(``/iiif/perspectives/<slug>/collection.json``), and the collection of those that hold any
(``/iiif/collection.json``). A theme or perspective without a heard story is no collection: 404.
"""

import iiif_prezi3 as iiif
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ..models import Perspective, TaggedTheme, Theme
from . import records
from .iiif import (
    answer,
    archive_agent,
    both,
    collection_address,
    heard_stories,
    iiif_view,
    in_language,
    named,
    told,
)

RECORDED_STORIES = _("Recorded stories of the archive")
RECORDED_STORIES_SUMMARY = _(
    "The stories whose recordings readers may hear, by theme and by perspective."
)
ON_THEME = _("Recorded stories on %(theme)s")
OF_PERSPECTIVE = _("Recorded stories: %(perspective)s")


def manifest_refs(stories, base):
    return [
        iiif.ManifestRef(
            id=base + reverse("iiif-manifest", kwargs={"story_id": story.pk}),
            type="Manifest",
            label=told(
                story.title, story.language, story.title_translation, story.translation_language
            ),
        )  # fmt: skip
        for story in stories.order_by("-published_at", "-pk").only(
            "pk", "title", "title_translation", "language"
        )
    ]


def collection(address, label, summary, items, base):
    return iiif.Collection(
        id=address,
        label=label,
        summary=summary or None,
        provider=[archive_agent(base)],
        items=items,
    )


def described(description, description_es):
    words = {}
    if description:
        words["en"] = [description]
    if description_es or description:
        words["es"] = [description_es or description]
    return words


def theme_collection_of(theme, base):
    """The manifests of the theme's heard stories, or None without any."""
    items = manifest_refs(heard_stories().carrying_any_theme_of([theme.pk]), base)
    if not items:
        return None
    return collection(
        collection_address(base, "theme", theme.slug),
        {
            "en": [in_language("en", ON_THEME, theme=theme.name)],
            "es": [in_language("es", ON_THEME, theme=theme.name_es or theme.name)],
        },
        described(theme.description, theme.description_es),
        items,
        base,
    )


def perspective_collection_of(perspective, base):
    items = manifest_refs(heard_stories().filter(perspective=perspective), base)
    if not items:
        return None
    return collection(
        collection_address(base, "perspective", perspective.slug),
        {
            "en": [in_language("en", OF_PERSPECTIVE, perspective=perspective.name)],
            "es": [
                in_language(
                    "es", OF_PERSPECTIVE, perspective=perspective.name_es or perspective.name
                )
            ],
        },
        described(perspective.description, perspective.description_es),
        items,
        base,
    )


def top_collection(base):
    """The collections of themes and perspectives that hold a heard story."""
    heard = heard_stories().order_by().values("pk")
    perspectives = Perspective.objects.filter(
        Exists(heard_stories().filter(perspective=OuterRef("pk")))
    )
    themes = Theme.objects.filter(
        Exists(TaggedTheme.objects.filter(tag=OuterRef("pk"), content_object__in=heard))
    )
    items = [
        *(
            iiif.CollectionRef(
                id=collection_address(base, "perspective", perspective.slug),
                type="Collection",
                label=named(perspective.name, perspective.name_es),
            )
            for perspective in perspectives.only("slug", "name", "name_es")
        ),
        *(
            iiif.CollectionRef(
                id=collection_address(base, "theme", theme.slug),
                type="Collection",
                label=named(theme.name, theme.name_es),
            )
            for theme in themes.only("slug", "name", "name_es")
        ),
    ]
    return collection(
        base + reverse("iiif-collection"),
        both(RECORDED_STORIES),
        both(RECORDED_STORIES_SUMMARY),
        items,
        base,
    )


# --- The roads (routed in opendata/urls.py) ---


@iiif_view
def theme_collection(request, slug):
    theme = get_object_or_404(Theme, slug=slug)
    found = theme_collection_of(theme, records.base_url(request))
    if found is None:
        raise Http404
    return answer(found)


@iiif_view
def perspective_collection(request, slug):
    perspective = get_object_or_404(Perspective, slug=slug)
    found = perspective_collection_of(perspective, records.base_url(request))
    if found is None:
        raise Http404
    return answer(found)


@iiif_view
def collections(request):
    return answer(top_collection(records.base_url(request)))
