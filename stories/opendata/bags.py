"""
Archival packages: the published collection, or one published story, as a BagIt bag
(RFC 8493), written with the Library of Congress ``bagit`` library for a library that
takes the archive in deposit (``manage.py export_bag``; docs/deploy.md, "Archival packages").

Everything in a bag is what the archive's public roads give: each story's public record
(the API's, ``records.PublicRecord``), its Dublin Core (OAI-PMH's), its text, its licence,
and where they are public the recording as stored, its transcript, the archive's translation
of it and its index, through the same builders as ``/transcripts/<id>.vtt`` and
``/recordings/<id>/chapters.vtt``. Stories come from ``Story.objects.published()``; a
recording's file enters only where readers may hear it (cleared, voice not kept private).

The payload, under ``data/``::

    README.txt                      what follows, for whoever opens the bag
    collection.json                 the archive, its licences, the export's date and version,
                                    and every story in the bag with its folder and files
    stories/<id>-<slug>/            one folder per story (the slug folded to ASCII)
        record.json                 the API's record (/api/v1/stories/<id>/)
        dublin_core.xml             its oai_dc record, as OAI-PMH gives it
        story.txt                   title, narrator line, where and when, then the text
        story.translation.txt       the archive's translation of it, labelled, if any
        licence.txt                 the story's licence: name, address, what readers may do
        recording.<ext>             the recording as stored, where readers may hear it
        transcript.vtt, .txt        the transcript, where it is public
        transcript.translation.vtt, .txt   the archive's translation of the transcript
        chapters.vtt                the recording's index as chapters

Stories are written one at a time, files streamed; nothing holds the whole archive.
"""

import datetime
import importlib.metadata
import json
import shutil
import tomllib
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import bagit
from django.conf import settings
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import override

from ..models import (
    ArchiveStatement,
    IndexSegment,
    Licence,
    Recording,
    Story,
    TranscriptSegment,
    recordings_storage,
)
from . import api, oai, records

CHECKSUMS = ("sha256", "sha512")
STORIES_FOLDER = "stories"
# A story's folder: "<id>-<slug>", the slug cut here (paths stay short on every file system).
FOLDER_SLUG_LENGTH = 60
CHUNK = 1024 * 1024  # bytes copied at a time from a recording

README = """\
An archival package (BagIt) of {archive}.

Every file under data/ is public on the archive's own site: nothing private about a
narrator is in this bag. The manifests list each file with its SHA-256 and SHA-512
checksums; validate the bag with `bagit.py --validate <bag>`.

collection.json    the archive, its licences, when this bag was made and by which version
                   of the software, and every story in it: its folder and its files
stories/<id>-<slug>/, one folder per story:
  record.json                  the story's public record, as the archive's API gives it
  dublin_core.xml              its Dublin Core record (oai_dc), as OAI-PMH gives it
  story.txt                    title, narrator, where and when, then the text
  story.translation.txt        the archive's translation of the story, where there is one
                               (the archive's words, not the narrator's)
  licence.txt                  what readers may do with the story: its licence
  recording.<ext>              the recording, where its narrator published it and a
                               moderator cleared it
  transcript.vtt, .txt         the transcript of a cleared recording (also where the narrator
                               kept their voice private: then only the transcript is here)
  transcript.translation.vtt, .txt   the archive's translation of the transcript
  chapters.vtt                 the recording's index, each segment's title from its start

A story withdrawn by its narrator is no longer in the archive's next bag: a depositing
library keeps only the latest bag it received.
"""


class ExportRefused(Exception):
    """A bag the archive will not write: the reason, for an administrator."""


@dataclass
class BagSummary:
    path: Path
    stories: int = 0
    recordings: int = 0
    files: int = 0  # payload files


def app_version():
    """The version of Perspectives making the bag: the installed package's, or pyproject's."""
    try:
        return importlib.metadata.version("perspectives")
    except importlib.metadata.PackageNotFoundError:
        pyproject = Path(settings.BASE_DIR) / "pyproject.toml"
        try:
            return tomllib.loads(pyproject.read_text())["project"]["version"]
        except (OSError, KeyError, tomllib.TOMLDecodeError):
            return "unknown"


def archive_name():
    with override("en"):
        return str(records.ARCHIVE_NAME)


def stories_to_export(story_id=None):
    """The published stories a bag holds (one, given ``story_id``), with their public fields,
    index and translations read ahead, in the order of their ids."""
    stories = Story.objects.published()
    if story_id is not None:
        stories = stories.filter(pk=story_id)
    return records.with_index_and_translations(stories).order_by("pk")


def export_bag(directory, *, story_id=None, now=None):
    """Write a bag of the published collection (or of the published story ``story_id``) into
    ``directory``, which must be empty or not exist yet. Returns a ``BagSummary``.

    Raises ``ExportRefused`` (a story not published, a directory not empty) before anything
    is written. Should writing fail half-way, what was written goes, and the error is raised.
    """
    directory = Path(directory).absolute()
    if story_id is not None and not Story.objects.published().filter(pk=story_id).exists():
        raise ExportRefused(f"No published story has the id {story_id}.")
    if directory.exists() and not directory.is_dir():
        raise ExportRefused(f"{directory} is a file, not a directory.")
    created = not directory.exists()
    if not created and any(directory.iterdir()):
        raise ExportRefused(f"{directory} is not empty: a bag is written into an empty directory.")
    now = now or timezone.now()
    directory.mkdir(parents=True, exist_ok=True)
    try:
        summary = write_payload(directory, story_id=story_id, now=now)
        bagit.make_bag(
            str(directory),
            bag_info=bag_info(summary, story_id=story_id, now=now),
            checksums=list(CHECKSUMS),
        )
    except BaseException:
        if created:
            shutil.rmtree(directory, ignore_errors=True)
        else:
            for child in directory.iterdir():
                if child.is_dir():
                    shutil.rmtree(child)
                else:
                    child.unlink()
        raise
    return summary


def write_payload(directory, *, story_id, now):
    """The payload's files, written at the top of ``directory``: ``bagit.make_bag`` moves
    them under ``data/``."""
    summary = BagSummary(path=directory)
    base = settings.SITE_URL
    licences = {licence.pk: licence for licence in Licence.objects.all()}
    (directory / "README.txt").write_text(README.format(archive=archive_name()), encoding="utf-8")
    summary.files += 1
    with open(directory / "collection.json", "w", encoding="utf-8") as collection:
        # Written as the stories are: the list of stories is never held whole.
        head = collection_head(licences.values(), story_id=story_id, now=now)
        opening = json.dumps(head, ensure_ascii=False, indent=2).removesuffix("\n}")
        collection.write(opening + ',\n  "stories": [')
        for story in stories_to_export(story_id).iterator(chunk_size=100):
            entry = write_story(directory, story, licences[story.licence_id], base)
            summary.files += len(entry["files"])
            summary.stories += 1
            summary.recordings += bool(entry["recording"])
            separator = "\n" if summary.stories == 1 else ",\n"
            collection.write(separator + indented(json.dumps(entry, ensure_ascii=False, indent=2)))
        collection.write(f'\n  ],\n  "count": {summary.stories}\n}}\n')
    summary.files += 1
    return summary


def indented(text, by="    "):
    return "\n".join(by + line for line in text.splitlines())


def collection_head(licences, *, story_id, now):
    statement = ArchiveStatement.current()
    return {
        "archive": {
            "name": archive_name(),
            "url": settings.SITE_URL + "/",
            "contact_email": statement.contact_email or None,
        },
        "scope": "story" if story_id is not None else "collection",
        "exported_at": now.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z"),
        "app_version": app_version(),
        "licences": [licence_fields(licence) for licence in licences],
    }


def licence_fields(licence):
    return {
        "code": licence.code,
        "name": licence.name,
        "name_es": licence.name_es,
        "short_name": licence.short_name,
        "short_name_es": licence.short_name_es,
        "url": licence.url,
        "summary": licence.summary,
        "summary_es": licence.summary_es,
        "allows_republishing": licence.allows_republishing,
    }


def story_folder(story):
    """``stories/<id>-<slug>``, the slug folded to ASCII (``mi-tia-y-el-consulado``): file
    names that every file system and every tool of a receiving library reads alike."""
    slug = slugify(story.slug or "")
    if len(slug) > FOLDER_SLUG_LENGTH:  # cut between words
        slug = slug[: FOLDER_SLUG_LENGTH + 1].rsplit("-", 1)[0]
    return f"{STORIES_FOLDER}/{story.pk}-{slug}" if slug else f"{STORIES_FOLDER}/{story.pk}"


def write_story(directory, story, licence, base):
    """Write one story's folder; its entry in collection.json."""
    record = records.PublicRecord.of(story)
    folder = story_folder(story)
    target = directory / folder
    target.mkdir(parents=True)
    written = []

    def write(name, text):
        (target / name).write_text(text, encoding="utf-8", newline="\n")
        written.append(f"{folder}/{name}")

    document = api.story_document(record, base)
    write("record.json", json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    write("dublin_core.xml", dublin_core_xml(record, base))
    write("story.txt", story_text(story, record, base))
    if record.translation and (record.translation.title or record.translation.text):
        write("story.translation.txt", translation_text(record))
    write("licence.txt", licence_text(licence, story.language))
    recording_name = ""
    if record.recording:
        recording_name = copy_recording(story, target)
        written.append(f"{folder}/{recording_name}")
    if story.cleared_recording is not None and story.transcript.exists():
        # As /transcripts/<id>.vtt: the last cue ends with the recording only where it is heard.
        heard = record.recording.duration if record.recording else None
        write("transcript.vtt", TranscriptSegment.as_webvtt(story, duration=heard))
        write("transcript.txt", TranscriptSegment.as_text(story))
        if record.translation and record.translation.transcript:
            write(
                "transcript.translation.vtt",
                TranscriptSegment.as_webvtt(story, duration=heard, translated=True),
            )
            write("transcript.translation.txt", TranscriptSegment.as_text(story, translated=True))
    if record.segments:
        heard = record.recording.duration if record.recording else None
        index = IndexSegment.objects.of_stories(
            Story.objects.published().with_cleared_recording().filter(pk=story.pk)
        )
        write("chapters.vtt", index.as_webvtt(duration=heard))
    return {
        "id": record.id,
        "title": record.title,
        "language": record.language,
        "published_at": record.published_at.isoformat(),
        "permalink": base + record.permalink_path,
        "persistent_identifier": story.persistent_identifier or None,
        "licence": licence.code,
        "folder": folder + "/",
        "recording": recording_name or None,
        "files": sorted(written),
    }


def copy_recording(story, target):
    """Copy the story's recording, as stored, into ``target``; its file name there.

    Read only for a published story whose recording readers may hear: the same gate as
    ``/recordings/<id>/``. Named by its type alone: the name it is stored under is private.
    """
    heard = Story.objects.published().with_public_recording().filter(pk=story.pk)
    recording = Recording.objects.filter(story__in=heard).only("stored_as", "mime_type").get()
    name = f"recording.{recording.extension}"
    try:
        source = recordings_storage().open(recording.stored_as, "rb")
    except FileNotFoundError:
        raise ExportRefused(
            f"The recording of story {story.pk} is missing from its storage: restore it "
            "(docs/deploy.md, 'Backups and restore') before making a bag."
        ) from None
    with source, open(target / name, "wb") as copy:
        shutil.copyfileobj(source, copy, CHUNK)
    return name


def dublin_core_xml(record, base):
    """The record's oai_dc element, as OAI-PMH writes it, as a document of its own."""
    holder = ET.Element("holder")
    oai.write_dublin_core(holder, record, base)
    ET.indent(holder[0])
    return ET.tostring(holder[0], encoding="unicode", xml_declaration=True) + "\n"


def story_text(story, record, base):
    told_by = record.creator + (
        f", {record.narrator_descriptor}" if record.narrator_descriptor else ""
    )
    lines = [
        record.title,
        "",
        f"Told by {told_by}",
        f"Perspective: {record.perspective_name}",
    ]
    if record.themes:
        lines.append("Themes: " + ", ".join(name for _slug, name in record.themes))
    lines += [
        f"Where and when: {', '.join(record.coverage)}",
        f"Language: {record.language}",
        f"Published: {record.published_on.isoformat()}",
        f"Permanent address: {base + record.permalink_path}",
    ]
    if story.persistent_identifier:
        lines.append(
            f"Persistent identifier: {story.persistent_identifier} ({story.persistent_url})"
        )
    if record.content_note:
        lines.append(f"Content note: {record.content_note}")
    lines.append("")
    if record.summary:
        lines += [record.summary, ""]
    lines.append(record.body.strip() or "Told in a recording: its words are in transcript.txt.")
    return "\n".join(lines) + "\n"


def translation_text(record):
    translation = record.translation
    parts = [
        f"{translation.label} — not the narrator's own words ({translation.language}).",
        "",
        translation.title,
        "",
        *([translation.summary, ""] if translation.summary else []),
        translation.text,
    ]
    return "\n".join(parts).strip() + "\n"


def licence_text(licence, language):
    """The licence in the story's language, then in English if that is another."""
    blocks = []
    for lang in dict.fromkeys([language, "en"]):
        name = f"{licence.short_name_in(lang)}: {licence.name_in(lang)}"
        block = f"{name}\n{licence.summary_in(lang)}"
        if block not in blocks:  # no Spanish written: the English once
            blocks.append(block)
    return "\n\n".join([*blocks, licence.url]) + "\n"


def bag_info(summary, *, story_id, now):
    """bag-info.txt's fields (RFC 8493, 2.2.2); bagit adds Payload-Oxum."""
    stamp = now.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    name = archive_name()
    statement = ArchiveStatement.current()
    if story_id is None:
        description = (
            f"The published collection of {name}: {summary.stories} stories, "
            f"{summary.recordings} recordings, each story's public record (JSON, Dublin "
            "Core), text, licence, and where public its recording, transcript, translation "
            "and index (WebVTT and text). data/README.txt describes the layout."
        )
        identifier = f"{settings.OAI_REPOSITORY_IDENTIFIER}:collection:{stamp}"
    else:
        story = Story.objects.published().only("pk", "persistent_identifier").get(pk=story_id)
        description = (
            f"One published story of {name}, with its public record (JSON, Dublin Core), "
            "text, licence, and where public its recording, transcript, translation and "
            "index. data/README.txt describes the layout."
        )
        identifier = story.persistent_identifier or (
            settings.SITE_URL + records.permalink_path(story.pk)
        )
    info = {
        "Source-Organization": name,
        "External-Description": description,
        "External-Identifier": identifier,
        "Bagging-Date": timezone.localdate(now).isoformat(),
        "Bag-Count": "1 of 1",
        "Bag-Software-Agent": (
            f"Perspectives {app_version()} (manage.py export_bag), bagit.py {bagit.VERSION}"
        ),
    }
    if statement.contact_email:
        info["Contact-Email"] = statement.contact_email
    return info
