"""Archival packages (``manage.py export_bag``, stories/opendata/bags.py): BagIt bags of the
published collection or of one story, validated with the Library of Congress ``bagit`` library,
holding what the public roads give and nothing else."""

import datetime
import hashlib
import io
import json
from pathlib import Path

import bagit
import pytest
from django.core.management import CommandError, call_command
from lxml import etree

from stories.models import (
    ArchiveStatement,
    Recording,
    Story,
    TranscriptSegment,
    recordings_storage,
)

from ..test_leak import archive  # noqa: F401 (the leak test's archive: a story in every state)

pytestmark = pytest.mark.django_db

OAI_DC_SCHEMA = etree.XMLSchema(
    etree.parse(str(Path(__file__).parent.parent / "data" / "oai" / "oai_dc.xsd"))
)
PRIVATE_VOICE = "three-buses-to-the-legal-clinic"  # story 32: cleared, voice kept private
ROOKIE = "i-was-a-rookie-the-year-special-order-40-came-down"  # story 2, an ARK, a recording
SPANISH = "la-mañana-que-se-llevaron-a-mi-compañero-de-obra"  # story 21, translated, a DOI


@pytest.fixture
def sample_archive(settings):
    settings.SITE_URL = "http://testserver"
    call_command("load_sample_archive", verbosity=0)


def export(path, *arguments):
    call_command("export_bag", str(path), *arguments, stdout=io.StringIO())
    return bagit.Bag(str(path))


def payload(path):
    """Every payload file of the bag at ``path``, relative to it, as the manifests name them."""
    return {
        str(file.relative_to(path)) for file in (Path(path) / "data").rglob("*") if file.is_file()
    }


def folder_of(path, story):
    folders = list((Path(path) / "data" / "stories").glob(f"{story.pk}-*"))
    assert len(folders) == 1, story
    return folders[0]


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def stored_bytes(story):
    with recordings_storage().open(story.recording.stored_as, "rb") as stored:
        return stored.read()


def test_the_collection_bag_validates_and_lists_every_file(sample_archive, tmp_path):
    bag = export(tmp_path / "bag")
    bag.validate()
    assert bag.is_valid()
    assert sorted(bag.algorithms) == ["sha256", "sha512"]
    files = payload(tmp_path / "bag")
    assert set(bag.payload_entries()) == files
    assert all(set(hashes) == {"sha256", "sha512"} for hashes in bag.entries.values())
    # The tag files are checked too (bag-info.txt among them).
    for tag_file in ("bagit.txt", "bag-info.txt", "manifest-sha256.txt", "manifest-sha512.txt"):
        assert tag_file in bag.entries
    total = sum((tmp_path / "bag" / name).stat().st_size for name in files)
    assert bag.info["Payload-Oxum"] == f"{total}.{len(files)}"
    assert bag.info["Source-Organization"].startswith("Perspectives")
    assert bag.info["Contact-Email"] == ArchiveStatement.current().contact_email
    assert bag.info["Bag-Count"] == "1 of 1"
    assert "38 stories" in bag.info["External-Description"]
    assert bag.info["External-Identifier"].startswith("perspectives.example.org:collection:")
    assert len(bag.info["Bagging-Date"]) == 10


def test_a_tampered_bag_fails_validation(sample_archive, tmp_path):
    export(tmp_path / "bag")
    story_file = next((tmp_path / "bag" / "data" / "stories").glob("*/story.txt"))
    story_file.write_text(story_file.read_text().replace("Told by", "Told  by"))
    with pytest.raises(bagit.BagValidationError, match="validation failed"):
        bagit.Bag(str(tmp_path / "bag")).validate()
    # A file added, or taken away, is found too.
    export(tmp_path / "other")
    (tmp_path / "other" / "data" / "extra.txt").write_text("not in the manifest")
    assert not bagit.Bag(str(tmp_path / "other")).is_valid()
    (tmp_path / "other" / "data" / "extra.txt").unlink()
    assert bagit.Bag(str(tmp_path / "other")).is_valid()
    (tmp_path / "other" / "data" / "README.txt").unlink()
    assert not bagit.Bag(str(tmp_path / "other")).is_valid()


def test_only_published_stories_are_in_the_bag(sample_archive, tmp_path):
    export(tmp_path / "bag")
    folders = {
        int(folder.name.split("-")[0])
        for folder in (tmp_path / "bag" / "data" / "stories").iterdir()
    }
    published = set(Story.objects.published().values_list("pk", flat=True))
    assert folders == published
    hidden = Story.objects.exclude(pk__in=published)
    assert hidden.exists() and not folders & set(hidden.values_list("pk", flat=True))
    collection = json.loads((tmp_path / "bag" / "data" / "collection.json").read_text())
    assert collection["count"] == len(published) == len(collection["stories"])
    assert {entry["id"] for entry in collection["stories"]} == published
    assert collection["scope"] == "collection" and collection["app_version"]
    assert collection["archive"]["url"] == "http://testserver/"
    # Every file a story entry names is in the bag, and every story file is in an entry.
    named = {f"data/{name}" for entry in collection["stories"] for name in entry["files"]}
    assert named == {name for name in payload(tmp_path / "bag") if "/stories/" in f"/{name}"}


def test_every_story_carries_its_licence(sample_archive, tmp_path):
    export(tmp_path / "bag")
    collection = json.loads((tmp_path / "bag" / "data" / "collection.json").read_text())
    assert {licence["code"] for licence in collection["licences"]} == {
        "cc-by-nc-nd-4.0",
        "all-rights-reserved",
    }
    entries = {entry["id"]: entry for entry in collection["stories"]}
    for story in Story.objects.published().select_related("licence"):
        licence = story.licence
        assert entries[story.pk]["licence"] == licence.code
        text = (folder_of(tmp_path / "bag", story) / "licence.txt").read_text()
        assert licence.url in text and licence.summary in text and licence.name in text
        if story.language == "es":
            assert licence.summary_es in text
            assert text.index(licence.summary_es) < text.index(licence.summary)
    # The sample archive holds every story whose id leaves 3 after 4 under all rights reserved.
    assert entries[3]["licence"] == "all-rights-reserved"


def test_a_record_is_the_apis_and_dublin_core_is_oai_pmhs(sample_archive, tmp_path, client):
    export(tmp_path / "bag")
    spanish = Story.objects.get(slug=SPANISH)
    folder = folder_of(tmp_path / "bag", spanish)
    record = json.loads((folder / "record.json").read_text())
    assert record == client.get(f"/api/v1/stories/{spanish.pk}/").json()
    dublin_core = etree.parse(str(folder / "dublin_core.xml"))
    OAI_DC_SCHEMA.assertValid(dublin_core)
    oai = etree.fromstring(
        client.get(
            "/oai/",
            {
                "verb": "GetRecord",
                "metadataPrefix": "oai_dc",
                "identifier": f"oai:perspectives.example.org:story/{spanish.pk}",
            },
        ).content
    )
    dc = "{http://purl.org/dc/elements/1.1/}"
    from_oai = [(e.tag, e.text) for e in oai.iter() if e.tag.startswith(dc)]
    assert [(e.tag, e.text) for e in dublin_core.iter() if e.tag.startswith(dc)] == from_oai
    text = (folder / "story.txt").read_text()
    assert text.startswith(spanish.title + "\n")
    assert "Told by Anonymous, " in text and spanish.body in text
    assert "doi:10.5072/perspectives.21" in text
    translation = (folder / "story.translation.txt").read_text()
    assert translation.startswith("Translated by the archive from Spanish")
    assert spanish.body_translation in translation


def test_heard_recordings_come_as_stored_with_their_transcripts(sample_archive, tmp_path, client):
    export(tmp_path / "bag")
    spanish = Story.objects.get(slug=SPANISH)
    folder = folder_of(tmp_path / "bag", spanish)
    audio = folder / f"recording.{spanish.recording.extension}"
    assert audio.read_bytes() == stored_bytes(spanish)
    for name, road in (
        ("transcript.vtt", f"/transcripts/{spanish.pk}.vtt"),
        ("transcript.txt", f"/transcripts/{spanish.pk}.txt"),
        ("transcript.translation.vtt", f"/transcripts/{spanish.pk}.translation.vtt"),
        ("transcript.translation.txt", f"/transcripts/{spanish.pk}.translation.txt"),
        ("chapters.vtt", f"/recordings/{spanish.pk}/chapters.vtt"),
    ):
        assert (folder / name).read_bytes() == client.get(road).content, name
    collection = json.loads((tmp_path / "bag" / "data" / "collection.json").read_text())
    entry = next(entry for entry in collection["stories"] if entry["id"] == spanish.pk)
    assert entry["recording"] == audio.name
    assert entry["persistent_identifier"] == "doi:10.5072/perspectives.21"


def test_no_file_of_a_voice_kept_private_or_an_uncleared_one(sample_archive, tmp_path, client):
    private = Story.objects.get(slug=PRIVATE_VOICE)
    assert private.keeps_voice_private and private.recording.is_cleared
    uncleared = Story.objects.published().filter(
        recording__isnull=False, recording__cleared_at=None
    )
    uncleared = uncleared.get()
    # Transcribed already, as a moderator may do before clearing it.
    TranscriptSegment.objects.create(
        story=uncleared, start=datetime.timedelta(0), text="Zqunclearedwords"
    )
    export(tmp_path / "bag")
    private_folder = folder_of(tmp_path / "bag", private)
    assert not list(private_folder.glob("recording.*"))
    # What it said is public, as on /transcripts/: its transcript, and its index.
    assert (private_folder / "transcript.txt").read_bytes() == (
        client.get(f"/transcripts/{private.pk}.txt").content
    )
    assert (private_folder / "chapters.vtt").exists()
    uncleared_folder = folder_of(tmp_path / "bag", uncleared)
    assert sorted(path.name for path in uncleared_folder.iterdir()) == [
        "dublin_core.xml",
        "licence.txt",
        "record.json",
        "story.txt",
    ]
    # Neither audio is anywhere in the bag, by its bytes or by the name it is stored under.
    kept_back = {sha256(stored_bytes(private)), sha256(stored_bytes(uncleared))}
    every_file = [path for path in (tmp_path / "bag").rglob("*") if path.is_file()]
    assert not kept_back & {sha256(path.read_bytes()) for path in every_file}
    assert not any(b"Zqunclearedwords" in path.read_bytes() for path in every_file)
    for recording in (private.recording, uncleared.recording):
        assert not any(
            recording.stored_as in str(path) or recording.stored_as.encode() in path.read_bytes()
            for path in every_file
        )
    heard = Recording.objects.filter(story__in=Story.objects.published().with_public_recording())
    assert len(list((tmp_path / "bag" / "data").rglob("recording.*"))) == heard.count() > 0


def test_one_story_is_a_bag_of_its_own(sample_archive, tmp_path):
    rookie = Story.objects.get(slug=ROOKIE)
    bag = export(tmp_path / "bag", "--story", str(rookie.pk))
    bag.validate()
    folders = list((tmp_path / "bag" / "data" / "stories").iterdir())
    assert [folder.name for folder in folders] == [f"{rookie.pk}-{rookie.slug}"]
    assert bag.info["External-Identifier"] == "ark:/99999/fk4perspectives2"
    assert (folders[0] / "recording.wav").exists() and (folders[0] / "chapters.vtt").exists()
    collection = json.loads((tmp_path / "bag" / "data" / "collection.json").read_text())
    assert collection["scope"] == "story" and collection["count"] == 1
    # Without a persistent identifier, the permanent address names the bag.
    plain = Story.objects.published().filter(persistent_identifier="").first()
    bag = export(tmp_path / "plain", "--story", str(plain.pk))
    assert bag.info["External-Identifier"] == f"http://testserver/s/{plain.pk}/"


def test_a_hidden_or_unknown_story_writes_nothing(sample_archive, tmp_path):
    hidden = Story.objects.exclude(pk__in=Story.objects.published()).first()
    for story_id in (hidden.pk, 999_999):
        with pytest.raises(CommandError, match=f"No published story has the id {story_id}"):
            export(tmp_path / "bag", "--story", str(story_id))
        assert not (tmp_path / "bag").exists()


def test_a_bag_is_written_only_into_an_empty_directory(sample_archive, tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine")
    with pytest.raises(CommandError, match="is not empty"):
        export(tmp_path / "full")
    assert [path.name for path in (tmp_path / "full").iterdir()] == ["keep.txt"]
    (tmp_path / "empty").mkdir()
    assert export(tmp_path / "empty").is_valid()


def test_a_bag_that_cannot_be_finished_is_taken_away(sample_archive, tmp_path):
    rookie = Story.objects.get(slug=ROOKIE)
    recordings_storage().delete(rookie.recording.stored_as)  # a restore without its recordings
    with pytest.raises(CommandError, match=f"recording of story {rookie.pk} is missing"):
        export(tmp_path / "bag")
    assert not (tmp_path / "bag").exists()
    (tmp_path / "empty").mkdir()
    with pytest.raises(CommandError):
        export(tmp_path / "empty")
    assert (tmp_path / "empty").exists() and not list((tmp_path / "empty").iterdir())


def test_nothing_private_is_in_the_bag(archive, tmp_path, settings):  # noqa: F811
    """As the leak test does for every road: no hidden story, no secret field, no voice kept
    private, in any file of the bag, nor in any file's name."""
    settings.SITE_URL = "http://testserver"
    bag = export(tmp_path / "bag")
    bag.validate()
    every_file = [path for path in (tmp_path / "bag").rglob("*") if path.is_file()]
    for path in every_file:
        text = path.read_bytes().decode(errors="replace")
        name = str(path.relative_to(tmp_path / "bag"))
        for secret in archive["forbidden"]:
            assert secret not in text, f"{secret!r} is in {name}"
            assert secret not in name, f"{secret!r} names {name}"
    # The checks above would pass on an empty bag: the visible stories are in it.
    visible, voice_private = archive["visible"], archive["voice private"]
    visible_folder = folder_of(tmp_path / "bag", visible)
    assert (visible_folder / "recording.wav").read_bytes() == stored_bytes(visible)
    assert "Zqpublicindextranscripttranslation" in (
        (visible_folder / "transcript.translation.txt").read_text()
    )
    private_folder = folder_of(tmp_path / "bag", voice_private)
    assert "Zqvoiceprivate words" in (private_folder / "transcript.txt").read_text()
    assert not list(private_folder.glob("recording.*"))
    # (Every recording here is the same generated file: which folders hold one is what tells.)
    assert [path.parent for path in (tmp_path / "bag").rglob("recording.*")] == [visible_folder]
    assert f"/recordings/{voice_private.pk}/" not in (private_folder / "record.json").read_text()
