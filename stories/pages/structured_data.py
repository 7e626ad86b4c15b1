"""
Schema.org JSON-LD for the pages for people: a story, a perspective, a theme.

Each function returns a plain dict that the page's template writes as a
``<script type="application/ld+json">`` data block (``json_ld`` in
``templatetags/archive_tags.py``, which escapes it). Built only from what the
view already read through ``Story.objects.published()``, and only from public
fields: the narrator's name when they gave it publicly ("Anonymous" otherwise,
as every road says), the recording only when readers may hear it. Why these
types: docs/reuse.md, "Structured data (Schema.org JSON-LD)".
"""

from django.urls import reverse
from django.utils.translation import gettext

from ..opendata import records

CONTEXT = "https://schema.org"
# What Dublin Core's type says of every story (records.ORAL_HISTORY): Article has no
# narrower type for a testimony, so its genre names it.
GENRE = records.ORAL_HISTORY


def publisher(base_url):
    """The archive, as the publisher of every story: the name citations and Dublin Core give."""
    return {"@type": "Organization", "name": str(records.ARCHIVE_NAME), "url": base_url + "/"}


def _collection(item, base_url):
    """A perspective or theme as the collection page a story belongs to: its name and address."""
    return {
        "@type": "CollectionPage",
        "name": item.local_name,
        "url": base_url + item.get_absolute_url(),
    }


def _author(story):
    """The narrator as readers see them: the public name, or "Anonymous"; the descriptor
    ("nurse, Boyle Heights") is public and shown with either."""
    author = {"@type": "Person", "name": str(story.display_name)}
    if story.narrator_descriptor:
        author["description"] = story.narrator_descriptor
    return author


def _audio(story, transcript, base_url):
    """The recording readers may hear, or None: cleared, its voice not kept private."""
    recording = records.PublicRecording.of(story)  # None unless story.public_recording
    if recording is None:
        return None
    audio = {
        "@type": "AudioObject",
        "name": story.title,
        "contentUrl": base_url + recording.path,
        "encodingFormat": recording.mime_type,
        "duration": recording.iso_duration,
        "contentSize": str(recording.size),
        "inLanguage": story.language,
    }
    if transcript:
        audio["transcript"] = "\n\n".join(paragraph.text for paragraph in transcript)
    return audio


def _transcript_file(story, base_url):
    """The transcript to download, public wherever it is shown, a voice kept private included."""
    return {
        "@type": "MediaObject",
        "name": gettext("Transcript"),
        "contentUrl": base_url + reverse("story-transcript-text", args=[story.pk]),
        "encodingFormat": "text/plain",
        "inLanguage": story.language,
    }


def _translation(story, base_url):
    """The archive's written translation of the story, said to be the archive's, or None."""
    if not story.has_written_translation:
        return None
    translation = {
        "@type": "Article",
        "inLanguage": story.translation_language,
        "translator": publisher(base_url),
    }
    # Only the archive's words, never the original's title labelled as the other language.
    if story.title_translation:
        translation["name"] = story.title_translation
    if story.summary_translation:
        translation["description"] = story.summary_translation
    return translation


def for_story(story, *, base_url, transcript=()):
    """The story page's ``Article``: ``story`` from ``published()`` with its perspective,
    recording, licence and themes read; ``transcript`` the paragraphs the page shows
    (read only where the recording is cleared)."""
    url = base_url + story.get_absolute_url()
    permalink = base_url + records.permalink_path(story.pk)
    data = {
        "@context": CONTEXT,
        "@type": "Article",
        "@id": url,
        "url": url,
        "mainEntityOfPage": url,
        "name": story.title,
        "headline": story.title,
        "genre": GENRE,
        "inLanguage": story.language,
        "datePublished": story.published_at.isoformat(),
        "dateModified": max(story.updated_at, story.published_at).isoformat(),
        "author": _author(story),
        "publisher": publisher(base_url),
        "license": story.licence.url,
        "usageInfo": base_url + reverse("stories:open-data") + "#reuse",
        "isAccessibleForFree": True,
        "isPartOf": [
            _collection(story.perspective, base_url),
            *(_collection(theme, base_url) for theme in story.local_theme_list),
        ],
        "keywords": [theme.local_name for theme in story.local_theme_list],
        "sameAs": [permalink, *([story.persistent_url] if story.persistent_url else [])],
    }
    if story.persistent_url:
        data["identifier"] = story.persistent_url
    if story.summary:
        data["description"] = story.summary
    if story.place:
        # The place as the narrator named it, and no finer: never coordinates or an address.
        data["contentLocation"] = {"@type": "Place", "name": story.place}
    if story.year_happened:
        data["temporalCoverage"] = str(story.year_happened)
    audio = _audio(story, transcript, base_url)
    if audio:
        data["audio"] = audio
    if transcript:
        data["associatedMedia"] = _transcript_file(story, base_url)
    translation = _translation(story, base_url)
    if translation:
        data["workTranslation"] = translation
    return data


def for_collection(item, parts, *, base_url, language):
    """A perspective's or theme's page as a ``CollectionPage``: its name, description and
    address in the page's ``language``, and the stories the page lists, as ``parts``:
    (title, path) pairs."""
    url = base_url + item.get_absolute_url()
    data = {
        "@context": CONTEXT,
        "@type": "CollectionPage",
        "@id": url,
        "url": url,
        "name": item.local_name,
        "inLanguage": language,
        "publisher": publisher(base_url),
        "hasPart": [
            {"@type": "Article", "name": name, "url": base_url + path} for name, path in parts
        ],
    }
    if item.local_description:
        data["description"] = item.local_description
    return data


def listed_once(stories):
    """``stories``, (id, title, path) triples, as (title, path) without repeats, in the order
    first met (a theme page lists a story in its perspective's column and again as its
    quoted voice or for its passages)."""
    seen = set()
    unique = []
    for pk, title, path in stories:
        if pk not in seen:
            seen.add(pk)
            unique.append((title, path))
    return unique
