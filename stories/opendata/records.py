"""
What the archive gives to machines: the one mapping from a published story to
the record that feeds, the API, OAI-PMH, exports and citations are built from.
(The sitemap needs only addresses and dates: it reads slugs from
``Story.objects.published()``.)

``PublicRecord.of(story)`` copies the public fields and nothing else, and the
stories come from ``public_stories()``, which starts at
``Story.objects.published()`` and loads only those fields: a private field is
neither read from the database nor reachable from a record.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.db.models import Exists, Max, OuterRef, Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from ..models import (
    TRANSLATED_FROM,
    IndexSegment,
    Licence,
    Recording,
    Story,
    Theme,
    TranscriptSegment,
    public_segments,
)
from ..pagecache.store import generation
from ..safety import privacy

# The story columns a record is made from: the public fields of the privacy
# table. Everything else (contact email, notes, hashes, consent...) stays in the
# row; the narrator's typed name, loaded, is shown only when not anonymous.
PUBLIC_STORY_FIELDS = (
    *privacy.public_columns(Story),
    "perspective__slug",
    "perspective__name",
    "perspective__name_es",
    # A recording is public as its guarded address, its type and length, once cleared.
    *(f"recording__{column}" for column in privacy.public_columns(Recording)),
    # The narrator's licence, in both languages, and whether it lets a reader republish.
    *(f"licence__{column}" for column in privacy.public_columns(Licence)),
)

DCMI_TYPE = "Text"
ORAL_HISTORY = "Oral history"
ARCHIVE_NAME = _("Perspectives: an oral-history archive of Los Angeles as a sanctuary city")
RIGHTS = _(
    "Each story is its narrator's own, published with their consent under the licence they "
    "chose, which each story's record gives. To do more than its licence allows, ask the "
    "archive: see How to ask to republish on the Data page."
)


# What XML 1.0 cannot carry (control characters other than tab and line breaks,
# lone surrogates): a story holding one must not break a feed or OAI-PMH.
NOT_IN_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text):
    return NOT_IN_XML.sub("", text)


def base_url(request):
    """The site's address as the reader reached it ("https://example.org").

    Every absolute link the site writes starts with it: feeds, API, OAI-PMH,
    citations, exports, story pages, the withdrawal link.

    Behind the trusted proxy the scheme is the one the reader used
    (``SECURE_PROXY_SSL_HEADER``) and the host the one they asked for.
    """
    return f"{request.scheme}://{request.get_host()}"


def absolute_url(request, path):
    return base_url(request) + path


def with_public_fields(stories):
    """``stories`` (narrowed from ``Story.objects.published()``) with only public fields loaded.

    Each is annotated with whether it has an index (``has_index``) and a translated index or
    transcript (``has_translated_recording``): public once its recording is cleared
    (``PublicRecord.of`` checks that), they give its record the chapters track and the
    translation's language without reading them.
    """
    index = IndexSegment.objects.filter(story=OuterRef("pk"))
    translated_index = index.exclude(title_translation="", synopsis_translation="")
    translated_transcript = TranscriptSegment.objects.filter(story=OuterRef("pk")).exclude(
        text_translation=""
    )
    return (
        stories.select_related("perspective", "recording", "licence")
        .with_themes()
        .only(*PUBLIC_STORY_FIELDS)
        .annotate(
            has_index=Exists(index),
            has_translated_recording=Exists(translated_index) | Exists(translated_transcript),
        )
    )


def with_index_and_translations(stories):
    """``with_public_fields(stories)``, each with its public index and translated transcript.

    Read ahead in three queries whatever the number of stories, and only where the
    transcript is public: of published stories whose recording a moderator cleared
    (``public_segments()``). ``PublicRecord.of`` gives them as ``segments`` and
    ``translation.transcript``.
    """
    transcribed = Story.objects.published().with_cleared_recording().order_by().values("pk")
    return with_public_fields(stories).prefetch_related(
        Prefetch(
            "index_segments",
            queryset=public_segments().prefetch_related(
                Prefetch("themes", queryset=Theme.objects.only("pk", "slug"))
            ),
            to_attr="public_index",
        ),
        Prefetch(
            "transcript",
            queryset=TranscriptSegment.objects.filter(story__in=transcribed)
            .exclude(text_translation="")
            .only("pk", "story_id", "start", "text_translation"),
            to_attr="public_transcript_translation",
        ),
    )


def public_stories():
    """Published stories with only their public fields loaded, newest first."""
    return with_public_fields(Story.objects.published()).order_by("-published_at", "-pk")


def archive_changed_at():
    """When what is public last changed: the page cache's generation, or a publication since.

    Every save renews the generation; an embargo lifting saves nothing, so the
    newest publication time counts too. Answers' Last-Modified.
    """
    newest = Story.objects.published().aggregate(newest=Max("published_at"))["newest"]
    try:
        changed = datetime.datetime.fromtimestamp(generation() / 1e9, tz=datetime.UTC)
    except Exception:  # the cache is away: say "now", which is never too early
        changed = timezone.now()
    return max(changed, newest) if newest else changed


@dataclass(frozen=True)
class PublicRecording:
    """A story's cleared recording, as machines see it: never its file, only its guarded road."""

    path: str  # /recordings/<story id>/, which checks the story and the clearance each time
    mime_type: str
    duration: float  # seconds
    size: int  # bytes

    @classmethod
    def of(cls, story):
        recording = story.public_recording
        if recording is None:
            return None
        return cls(
            path=recording.get_absolute_url(),
            mime_type=recording.mime_type,
            duration=round(recording.duration, 3),
            size=recording.size,
        )

    @property
    def iso_duration(self):
        """The length in ISO 8601 (``PT1M5S``), as Dublin Core's extent is written."""
        minutes, seconds = divmod(round(self.duration), 60)
        return f"PT{minutes}M{seconds}S" if minutes else f"PT{seconds}S"


@dataclass(frozen=True)
class PublicLicence:
    """What a reader may do with a story: the licence its narrator chose, in both languages.

    Every road gives the same one: its code, names, address (a Creative Commons licence or a
    RightsStatements.org statement) and whether it lets a reader republish without asking.
    """

    code: str
    name: str
    name_es: str
    short_name: str
    short_name_es: str
    url: str
    allows_republishing: bool

    @classmethod
    def of(cls, licence):
        return cls(
            code=licence.code,
            name=licence.name,
            name_es=licence.name_in("es"),
            short_name=licence.short_name,
            short_name_es=licence.short_name_in("es"),
            url=licence.url,
            allows_republishing=licence.allows_republishing,
        )

    @property
    def is_creative_commons(self):
        return self.url.startswith(("https://creativecommons.org/", "http://creativecommons.org/"))

    @property
    def statement(self):
        """``CC BY-NC-ND 4.0 (https://creativecommons.org/licenses/by-nc-nd/4.0/)``."""
        return f"{self.short_name} ({self.url})"


def republish_path():
    """The Data page's "How to ask to republish", in English as every machine road is."""
    with override("en"):
        return reverse("stories:open-data") + "#ask-to-republish"


TRANSLATED_BY = "archive"


def translation_label(language):
    """What a translation from ``language`` is, in English: records are written in English."""
    with override("en"):
        return str(TRANSLATED_FROM.get(language, TRANSLATED_FROM["en"]))


@dataclass(frozen=True)
class PublicSegment:
    """One segment of a recording's index, as machines see it; its translation apart."""

    start: float  # seconds
    clock: str
    path: str  # the story page at this moment, /stories/<slug>/#t=49.500
    title: str
    synopsis: str
    keywords: tuple
    themes: tuple  # slugs
    translation: (
        dict | None
    )  # {"title", "synopsis", "keywords"}, in the record's translation_language

    @classmethod
    def of(cls, segment, story):
        segment.story = story  # for its address, without a query
        translated = segment.has_translation or segment.keywords_translation
        return cls(
            start=round(segment.seconds, 3),
            clock=segment.clock,
            path=segment.get_absolute_url(),
            title=xml_safe(segment.title),
            synopsis=xml_safe(segment.synopsis),
            keywords=tuple(xml_safe(word) for word in segment.keyword_list),
            themes=tuple(theme.slug for theme in segment.themes.all()),
            translation={
                "title": xml_safe(segment.title_translation),
                "synopsis": xml_safe(segment.synopsis_translation),
                "keywords": [xml_safe(word) for word in segment.keyword_translation_list],
            }
            if translated
            else None,
        )


@dataclass(frozen=True)
class PublicTranslation:
    """The archive's translation of a story into the other language: never the narrator's words.

    Its title, text and summary (public with the story) and, where the transcript is
    public, the translated transcript paragraphs as ``(start seconds, text)`` pairs.
    """

    language: str
    label: str  # "Translated by the archive from Spanish"
    title: str
    summary: str
    text: str
    transcript: tuple = ()
    translated_by: str = TRANSLATED_BY

    @classmethod
    def of(cls, story, transcript=()):
        translation = cls(
            language=story.translation_language,
            label=translation_label(story.language),
            title=xml_safe(story.title_translation),
            summary=xml_safe(story.summary_translation),
            text=xml_safe(story.body_translation),
            transcript=tuple(
                (round(paragraph.start.total_seconds(), 3), xml_safe(paragraph.text_translation))
                for paragraph in transcript
            ),
        )
        return translation if story.has_written_translation or translation.transcript else None


@dataclass(frozen=True)
class PublicRecord:
    """A published story as machines see it; built only from public fields."""

    id: int
    title: str
    summary: str
    body: str
    quote: str  # one sentence of the body or transcript, chosen by a moderator, or ""
    creator: str  # the name shown with the story, or "Anonymous"
    narrator_descriptor: str
    language: str
    place: str
    year_happened: int | None
    content_note: str
    published_at: datetime.datetime
    updated_at: datetime.datetime
    perspective: str  # its slug
    perspective_name: str
    themes: tuple = field(default=())  # (slug, name) pairs
    path: str = ""  # the story page, /stories/<slug>/
    permalink_path: str = ""  # /s/<id>/, which lasts if the title (and slug) is redacted
    recording: PublicRecording | None = None
    # The chapters track (/recordings/<id>/chapters.vtt) of a heard recording's index, or "".
    chapters_path: str = ""
    # The languages there is something in: the story's, then its translation's if any.
    languages: tuple = ()
    translation_language: str = ""  # the one the story was not told in
    # Read only from ``with_index_and_translations()``: empty for a record made otherwise.
    segments: tuple = ()
    translation: PublicTranslation | None = None
    licence: PublicLicence | None = None
    # An ARK or a DOI minted outside the project ("ark:/99999/x", "doi:10.5072/x"), and the
    # address that resolves it (N2T, doi.org); "" both, for a story without one.
    persistent_identifier: str = ""
    persistent_url: str = ""

    @classmethod
    def of(cls, story):
        """The record of ``story``, from ``with_public_fields()`` (the story page's record,
        read otherwise for its citations, has no chapters link nor translation's language)."""
        recording_public = story.cleared_recording is not None
        translation = PublicTranslation.of(
            story, getattr(story, "public_transcript_translation", ())
        )
        translated = story.has_written_translation or (
            recording_public and getattr(story, "has_translated_recording", False)
        )
        return cls(
            id=story.pk,
            title=xml_safe(story.title),
            summary=xml_safe(story.summary),
            body=xml_safe(story.body),
            quote=xml_safe(story.quote),
            creator=xml_safe(str(story.display_name)),
            narrator_descriptor=xml_safe(story.narrator_descriptor),
            language=story.language,
            place=xml_safe(story.place),
            year_happened=story.year_happened,
            content_note=xml_safe(story.content_note),
            published_at=story.published_at,
            updated_at=story.updated_at,
            perspective=story.perspective.slug,
            perspective_name=story.perspective.name,
            themes=tuple((theme.slug, theme.name) for theme in story.theme_list),
            path=story.get_absolute_url(),
            permalink_path=permalink_path(story.pk),
            recording=PublicRecording.of(story),
            # Linked for a recording readers hear: a voice kept private has no player to
            # chapter, and no address under /recordings/ is ever written for it.
            chapters_path=chapters_path(story.pk)
            if story.public_recording and getattr(story, "has_index", False)
            else "",
            languages=(story.language, *((story.translation_language,) if translated else ())),
            translation_language=story.translation_language,
            segments=tuple(
                PublicSegment.of(segment, story) for segment in getattr(story, "public_index", ())
            ),
            translation=translation,
            licence=PublicLicence.of(story.licence),
            persistent_identifier=story.persistent_identifier,
            persistent_url=story.persistent_url,
        )

    @property
    def published_on(self):
        """The day of publication where the archive is (its time zone), as the page shows it."""
        return timezone.localtime(self.published_at).date()

    @property
    def coverage(self):
        """Where and when: ``["Boyle Heights, Los Angeles", "2017"]``, whichever are known."""
        where = f"{self.place}, Los Angeles" if self.place else "Los Angeles"
        return [where, *([str(self.year_happened)] if self.year_happened else [])]

    def dublin_core(self, base_url):
        """The record in Dublin Core: ``[(element, value), ...]``, repeatable elements repeated."""
        elements = [
            ("title", self.title),
            ("creator", self.creator),
            *(("subject", name) for _slug, name in self.themes),
            ("subject", self.perspective_name),
            ("description", self.summary or self.body[:300]),
            ("publisher", str(ARCHIVE_NAME)),
            ("date", self.published_on.isoformat()),
            ("type", DCMI_TYPE),
            *((("type", "Sound"),) if self.recording else ()),
            ("type", ORAL_HISTORY),
            ("format", "text/html"),
            *(
                (
                    ("format", self.recording.mime_type),
                    ("format", self.recording.iso_duration),
                    ("relation", base_url + self.recording.path),
                )
                if self.recording
                else ()
            ),
            *((("relation", base_url + self.chapters_path),) if self.chapters_path else ()),
            *((("relation", base_url + iiif_manifest_path(self.id)),) if self.recording else ()),
            *(("language", language) for language in self.languages or (self.language,)),
            *(("coverage", value) for value in self.coverage),
            # The licence's address alone (what a harvester matches, as rightsstatements.org
            # asks), then its name for people.
            ("rights", self.licence.url),
            ("rights", self.licence.name),
            ("identifier", base_url + self.permalink_path),
            # The persistent identifier, as the address that resolves it.
            ("identifier", self.persistent_url),
        ]
        return [(element, value) for element, value in elements if value]


def chapters_path(story_id):
    return reverse("story-chapters", kwargs={"story_id": story_id})


def iiif_manifest_path(story_id):
    """The IIIF manifest of a heard recording (opendata/iiif.py)."""
    return reverse("iiif-manifest", kwargs={"story_id": story_id})


def permalink_path(story_id):
    return reverse("story-permalink", kwargs={"story_id": story_id})


def segments_fields(record, base_url):
    """The record's index for JSON (the API's story, the JSON export): in the story's
    language, each segment's translation apart and labelled with its language."""
    return [
        {
            "start": segment.start,
            "clock": segment.clock,
            "url": base_url + segment.path,
            "language": record.language,
            "title": segment.title,
            "synopsis": segment.synopsis,
            "keywords": list(segment.keywords),
            "themes": list(segment.themes),
            "translation": {
                "language": record.translation_language,
                "translated_by": TRANSLATED_BY,
                **segment.translation,
            }
            if segment.translation
            else None,
        }
        for segment in record.segments
    ]


def translation_fields(record):
    """The archive's translation of the story for JSON, or None: never mixed with its fields."""
    translation = record.translation
    if translation is None:
        return None
    return {
        "language": translation.language,
        "translated_by": translation.translated_by,
        "label": translation.label,
        "title": translation.title,
        "summary": translation.summary,
        "text": translation.text,
        "transcript": [{"start": start, "text": text} for start, text in translation.transcript],
    }


def story_fields(record, base_url, *, whole=False):
    """The fields of a story that the API and the export give alike, by the same names.

    ``whole`` adds the text and the content note (the API's lists leave them out).
    What each road adds is shaped by its format: the API nests the perspective
    and themes with the slugs it filters by, and gives its own links; the
    export's perspective, themes and recording are flat, a CSV's columns.
    """
    fields = {
        "id": record.id,
        "url": base_url + record.path,
        "title": record.title,
        "summary": record.summary,
        "quote": record.quote,
        "creator": record.creator,
        "narrator_descriptor": record.narrator_descriptor,
        "language": record.language,
        "place": record.place,
        "year_happened": record.year_happened,
        # null without one, as every address the API and the JSON export have no value for.
        "persistent_identifier": record.persistent_identifier or None,
        "persistent_url": record.persistent_url or None,
    }
    if whole:
        fields.update(text=record.body, content_note=record.content_note)
    return fields


def licence_fields(licence):
    """The licence for JSON (the API): its names in English, as a record's names are."""
    return {
        "code": licence.code,
        "name": licence.name,
        "short_name": licence.short_name,
        "url": licence.url,
        "allows_republishing": licence.allows_republishing,
    }
