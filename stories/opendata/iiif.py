"""
IIIF Presentation 3 (docs/reuse.md, "IIIF manifests"): a manifest for every visible story whose
recording readers may hear, and collections of them per theme and per perspective, so that a
testimony opens in a IIIF audio viewer (and can be annotated there) on any site.

Built with iiif-prezi3, whose models check each document against Presentation 3 as it is made.
A manifest says only what the story's public record says: the recording as its guarded road
(``/recordings/<id>/``, never its file), the transcript and the index only of a recording a
moderator cleared, and never anything of a voice its narrator kept private (no manifest at all:
the recording is what a manifest is for). Everything else is the same 404. The collections
are in iiif_collections.py.
"""

import bisect
import functools

import iiif_prezi3 as iiif
from django.http import Http404, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..models import (
    TRANSLATED_FROM,
    Story,
    TranscriptSegment,
    public_segments,
)
from . import records
from .oai import oai_identifier

CONTEXT = "http://iiif.io/api/presentation/3/context.json"
# The media type Presentation 3 asks servers to answer with ("Responses").
CONTENT_TYPE = f'application/ld+json;profile="{CONTEXT}"'
LANGUAGES = ("en", "es")
# How long a cue lasts when nothing ends it (as in the WebVTT tracks, recordings/transcripts.py).
LAST_CUE_SECONDS = 5

LICENCE_FIELDS = tuple(
    f"licence__{name}"
    for name in ("id", "name", "name_es", "short_name", "short_name_es", "summary", "summary_es")
) + ("licence__url",)

ATTRIBUTION = _("Attribution")
NARRATOR = _("Narrator")
PERSPECTIVE = _("Perspective")
THEMES = _("Themes")
PLACE = _("Place")
YEAR = pgettext_lazy("the year a story happened", "Year")
LANGUAGE = _("Language")
TRANSLATED_INTO = _("%(language)s (translated by the archive)")
PERSISTENT_IDENTIFIER = _("Persistent identifier")
LICENCE = _("Licence")
TRANSCRIPT = _("Transcript")
CAPTIONS = _("Captions (WebVTT)")
INDEX = _("Index of the recording")
API_RECORD = _("The story's record in the archive's API (JSON)")
DUBLIN_CORE = _("The story's Dublin Core record (OAI-PMH)")
TRANSCRIPT_TEXT = _("The transcript as plain text")
CREDIT = _("Told by %(narrator)s. %(archive)s.")


def in_language(language, text, **values):
    """``text`` (a translatable string) in ``language``, with ``values`` put in."""
    with translation.override(language):
        return str(text) % values if values else str(text)


def both(text, **values):
    """A language map of a translatable string, in each of the archive's languages."""
    return {language: [in_language(language, text, **values)] for language in LANGUAGES}


def named(name, name_es):
    """A language map of a curated name (a theme's, a perspective's): Spanish where written."""
    return {"en": [name], "es": [name_es or name]}


def told(original, language, translation_text="", translation_language=""):
    """The narrator's words in their language, and the archive's translation beside them."""
    words = {language: [original]}
    if translation_text:
        words[translation_language] = [translation_text]
    return words


def seconds(value):
    """A time for a media fragment: seconds to the millisecond, no trailing zeros."""
    return format(round(value, 3), "f").rstrip("0").rstrip(".") or "0"


def spans(starts, duration):
    """(start, end) of each of ``starts`` (seconds, in order): to the next later start, the last
    to the end of the recording, as the WebVTT tracks time them."""
    result = []
    for start in starts:
        later = bisect.bisect_right(starts, start)
        end = starts[later] if later < len(starts) else duration
        result.append((start, end if end > start else start + LAST_CUE_SECONDS))
    return result


# --- What a manifest is made from ---


def heard_stories():
    """Visible stories whose recording readers may hear: the only ones IIIF describes."""
    return Story.objects.published().with_public_recording()


def manifest_story(story_id):
    """The story of ``/iiif/<id>/manifest.json`` with its public fields and licence, or 404."""
    story = (
        records.with_public_fields(heard_stories().filter(pk=story_id))
        .select_related("licence")
        .only(*records.PUBLIC_STORY_FIELDS, *LICENCE_FIELDS)
        .first()
    )
    if story is None:
        raise Http404
    return story


class Addresses:
    """The absolute addresses a story's manifest names."""

    def __init__(self, base, story):
        self.base = base
        self.story = story
        self.manifest = base + reverse("iiif-manifest", kwargs={"story_id": story.pk})
        self.root = self.manifest.removesuffix("manifest.json")
        self.canvas = self.root + "canvas/1"

    def at(self, start, end):
        return f"{self.canvas}#t={seconds(start)},{seconds(end)}"

    def road(self, name):
        return self.base + reverse(name, kwargs={"story_id": self.story.pk})

    def page(self, language):
        with translation.override(language):
            return self.base + self.story.get_absolute_url()


def archive_agent(base):
    """The archive, as the provider of every manifest and collection."""
    home = {language: base + reverse_in(language, "stories:home") for language in LANGUAGES}
    return iiif.Provider(
        id=base + reverse_in("en", "stories:about"),
        label=both(records.ARCHIVE_NAME),
        homepage=[
            iiif.Homepage(
                id=home[language],
                type="Text",
                label=both(records.ARCHIVE_NAME),
                format="text/html",
                language=[language],
            )
            for language in LANGUAGES
        ],
    )


def reverse_in(language, name, **kwargs):
    with translation.override(language):
        return reverse(name, kwargs=kwargs or None)


# --- The manifest ---


def manifest(story, transcript, index, base):
    """The IIIF manifest of ``story`` (from ``manifest_story``): an iiif_prezi3 ``Manifest``.

    ``transcript``: its TranscriptSegments; ``index``: its public IndexSegments.
    """
    at = Addresses(base, story)
    recording = story.public_recording
    duration = recording.duration
    other = story.translation_language
    return iiif.Manifest(
        id=at.manifest,
        label=told(story.title, story.language, story.title_translation, other),
        summary=summary(story),
        metadata=metadata(story),
        requiredStatement=required_statement(story, at),
        rights=story.licence.url,
        provider=[archive_agent(base)],
        homepage=[
            iiif.Homepage(
                id=at.page(language),
                type="Text",
                label=told(story.title, story.language, story.title_translation, other),
                format="text/html",
                language=[language],
            )
            for language in LANGUAGES
        ],
        seeAlso=[
            iiif.LinkedResource(
                id=base + reverse("api-story", kwargs={"story_id": story.pk}),
                type="Dataset",
                label=both(API_RECORD),
                format="application/json",
            ),
            iiif.LinkedResource(
                id=base
                + reverse("oai")
                + "?verb=GetRecord&metadataPrefix=oai_dc&identifier="
                + oai_identifier(story.pk),
                type="Dataset",
                label=both(DUBLIN_CORE),
                format="text/xml",
                profile="http://www.openarchives.org/OAI/2.0/oai_dc/",
            ),
        ],
        rendering=[
            iiif.LinkedResource(
                id=at.road("story-transcript-text"),
                type="Text",
                label=both(TRANSCRIPT_TEXT),
                format="text/plain",
            )
        ]
        if transcript
        else None,
        partOf=[
            iiif.Class(
                id=collection_address(base, "perspective", story.perspective.slug),
                type="Collection",
            ),
            *(
                iiif.Class(id=collection_address(base, "theme", theme.slug), type="Collection")
                for theme in story.theme_list
            ),
        ],  # fmt: skip
        items=[
            iiif.Canvas(
                id=at.canvas,
                label=told(story.title, story.language, story.title_translation, other),
                duration=float(duration),
                items=[
                    iiif.AnnotationPage(
                        id=at.root + "page/audio",
                        items=[
                            iiif.Annotation(
                                id=at.root + "annotation/audio",
                                motivation="painting",
                                body=iiif.AnnotationBody(
                                    id=base + recording.get_absolute_url(),
                                    type="Sound",
                                    format=recording.mime_type,
                                    duration=float(duration),
                                ),
                                target=at.canvas,
                            )
                        ],
                    )
                ],
                annotations=annotation_pages(story, transcript, at, duration) or None,
            )
        ],
        structures=structures(story, index, at, duration) or None,
    )


def summary(story):
    """The story's summary in its language; the archive's translation beside it, labelled."""
    words = {story.language: [story.summary]} if story.summary else {}
    if story.summary_translation:
        other = story.translation_language
        label = in_language(other, TRANSLATED_FROM.get(story.language, TRANSLATED_FROM["en"]))
        words[other] = [story.summary_translation, label]
    return words or None


def narrator_line(story, language):
    with translation.override(language):
        name = str(story.display_name)
    return f"{name}, {story.narrator_descriptor}" if story.narrator_descriptor else name


def languages(story, language, translated):
    """ "Spanish", or "Spanish; English (translated by the archive)", in ``language``."""
    with translation.override(language):
        told_in = str(Story.Language(story.language).label)
        if not translated:
            return told_in
        other = str(Story.Language(story.translation_language).label)
        return f"{told_in}; {TRANSLATED_INTO % {'language': other}}"


def metadata(story):
    perspective = story.perspective
    themes = story.theme_list
    entries = [
        (NARRATOR, {story.language: [narrator_line(story, story.language)]}),
        (PERSPECTIVE, named(perspective.name, perspective.name_es)),
    ]
    if themes:
        entries.append(
            (
                THEMES,
                {
                    "en": [", ".join(theme.name for theme in themes)],
                    "es": [", ".join(theme.name_es or theme.name for theme in themes)],
                },
            )
        )
    if story.place:
        entries.append((PLACE, {"none": [f"{story.place}, Los Angeles"]}))
    if story.year_happened:
        entries.append((YEAR, {"none": [str(story.year_happened)]}))
    translated = story.has_written_translation or getattr(story, "has_translated_recording", False)
    entries.append(
        (LANGUAGE, {language: [languages(story, language, translated)] for language in LANGUAGES})
    )
    if story.persistent_identifier:
        entries.append(
            (
                PERSISTENT_IDENTIFIER,
                {"none": [story.persistent_identifier, story.persistent_url]},
            )
        )
    licence = story.licence
    entries.append((LICENCE, {language: [licence.name_in(language)] for language in LANGUAGES}))
    return [iiif.KeyValueString(label=both(label), value=value) for label, value in entries]


def required_statement(story, at):
    """What a reuser must show: who told the story, the archive, the licence in plain words."""
    licence = story.licence
    value = {}
    for language in LANGUAGES:
        credit = in_language(
            language,
            CREDIT,
            narrator=narrator_line(story, language),
            archive=in_language(language, records.ARCHIVE_NAME),
        )
        terms = f"{licence.short_name_in(language)}: {licence.summary_in(language)} {licence.url}"
        value[language] = [credit, terms]
    return iiif.KeyValueString(label=both(ATTRIBUTION), value=value)


def annotation_pages(story, transcript, at, duration):
    """The transcript as supplementing annotations, each paragraph on its time: in the
    story's language, then the archive's translation; and the two caption tracks."""
    if not transcript:
        return []
    times = spans([paragraph.seconds for paragraph in transcript], duration)
    other = story.translation_language
    translated_from = TRANSLATED_FROM.get(story.language, TRANSLATED_FROM["en"])

    def page(name, label, language, texts):
        return iiif.AnnotationPage(
            id=f"{at.root}annotations/{name}",
            label=label,
            items=[
                iiif.Annotation(
                    id=f"{at.root}annotations/{name}/{number}",
                    motivation="supplementing",
                    body=iiif.TextualBody(value=text, language=language, format="text/plain"),
                    target=at.at(start, end),
                )
                for number, (text, (start, end)) in enumerate(zip(texts, times, strict=True), 1)
                if text
            ],
        )

    pages = [
        page("transcript", both(TRANSCRIPT), story.language, [p.text for p in transcript]),
    ]
    translations = [paragraph.text_translation for paragraph in transcript]
    if any(translations):
        pages.append(page("translation", both(translated_from), other, translations))
    tracks = [("story-captions", story.language, TRANSCRIPT)]
    if any(translations):
        tracks.append(("story-captions-translation", other, translated_from))
    pages.append(
        iiif.AnnotationPage(
            id=f"{at.root}annotations/captions",
            label=both(CAPTIONS),
            items=[
                iiif.Annotation(
                    id=f"{at.root}annotations/captions/{number}",
                    motivation="supplementing",
                    body=iiif.AnnotationBody(
                        id=at.road(road),
                        type="Text",
                        format="text/vtt",
                        language=language,
                        label=both(label),
                    ),
                    target=at.canvas,
                )
                for number, (road, language, label) in enumerate(tracks, 1)
            ],
        )
    )
    return pages


def structures(story, index, at, duration):
    """The recording's index as one range of ranges, each segment on its time."""
    if not index:
        return []
    times = spans([segment.seconds for segment in index], duration)
    other = story.translation_language
    return [
        iiif.Range(
            id=f"{at.root}range/index",
            label=both(INDEX),
            items=[
                iiif.Range(
                    id=f"{at.root}range/{number}",
                    label=told(segment.title, story.language, segment.title_translation, other),
                    items=[iiif.CanvasRef(id=at.at(start, end), type="Canvas")],
                )
                for number, (segment, (start, end)) in enumerate(zip(index, times, strict=True), 1)
            ],
        )
    ]


def collection_address(base, kind, slug):
    return base + reverse(f"iiif-{kind}-collection", kwargs={"slug": slug})


# --- The roads (routed in opendata/urls.py) ---


def answer(document):
    return HttpResponse(document.json(), content_type=CONTENT_TYPE)


def iiif_view(view):
    """A missing story or collection answers the one 404, in JSON."""

    def road(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Http404:
            return JsonResponse({"error": {"status": 404, "message": "Not found."}}, status=404)

    return functools.wraps(view)(road)


@iiif_view
def manifest_view(request, story_id):
    """``/iiif/<id>/manifest.json``: a heard story's manifest."""
    story = manifest_story(story_id)
    transcript = list(
        TranscriptSegment.objects.filter(story=story.pk).only(
            "pk", "story_id", "start", "text", "text_translation"
        )
    )
    index = list(
        public_segments()
        .filter(story=story.pk)
        .only("pk", "story_id", "start", "title", "title_translation")
    )
    return answer(manifest(story, transcript, index, records.base_url(request)))
