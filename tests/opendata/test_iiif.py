"""IIIF Presentation 3 (docs/reuse.md, "IIIF manifests"): every served document is read back
into iiif-prezi3's Presentation 3 models, on the sample archive and on stories in every state;
hidden, uncleared and voice-private recordings never appear."""

import json

import iiif_prezi3 as iiif
import pytest
from django.core.management import call_command

from stories.models import IndexSegment, Recording, Story, Theme
from stories.opendata.iiif import seconds, spans

from ..factories import give_recording, make_published

pytestmark = pytest.mark.django_db

CONTEXT = "http://iiif.io/api/presentation/3/context.json"
CONTENT_TYPE = f'application/ld+json;profile="{CONTEXT}"'
BASE = "http://testserver"
SPANISH = "la-mañana-que-se-llevaron-a-mi-compañero-de-obra"  # story 21: translated, a DOI
PRIVATE_VOICE = "three-buses-to-the-legal-clinic"


@pytest.fixture
def sample_archive(settings):
    settings.PAGE_CACHE_SECONDS = settings.COUNTS_CACHE_SECONDS = 0
    call_command("load_sample_archive", verbosity=0)


def served(client, path):
    """The document at ``path``, checked as IIIF serves it: its type, CORS, its context."""
    response = client.get(path)
    assert response.status_code == 200, path
    assert response["Content-Type"] == CONTENT_TYPE
    assert response["Access-Control-Allow-Origin"] == "*"
    document = json.loads(response.content)
    assert document["@context"] == CONTEXT
    return document


def manifest_of(client, story):
    document = served(client, f"/iiif/{story.pk}/manifest.json")
    # The Presentation 3 model reads it back whole: an invalid manifest raises here.
    model = iiif.Manifest.model_validate(document)
    assert str(model.id) == document["id"] == f"{BASE}/iiif/{story.pk}/manifest.json"
    return document


def not_found(client, path):
    response = client.get(path)
    assert response.status_code == 404, path
    assert response.json() == {"error": {"status": 404, "message": "Not found."}}
    assert response["Access-Control-Allow-Origin"] == "*"


def times(target):
    """``(start, end)`` of a target ``…/canvas/1#t=12.5,30``."""
    start, end = target.split("#t=")[1].split(",")
    return float(start), float(end)


def iiif_documents(client):
    """The text of every IIIF document reachable from the top collection."""
    to_visit, seen = ["/iiif/collection.json"], set()
    while to_visit:
        path = to_visit.pop()
        if path in seen:
            continue
        seen.add(path)
        text = served(client, path) and client.get(path).content.decode()
        yield text
        document = json.loads(text)
        to_visit += [item["id"].removeprefix(BASE) for item in document.get("items", [])
                     if item["type"] in ("Collection", "Manifest")]  # fmt: skip


def heard():
    return Story.objects.published().with_public_recording()


def test_every_heard_recording_of_the_sample_archive_has_a_valid_manifest(client, sample_archive):
    stories = list(heard())
    assert len(stories) >= 3
    for story in stories:
        document = manifest_of(client, story)
        recording = story.recording
        (canvas,) = document["items"]
        assert canvas["duration"] == recording.duration
        (painting,) = canvas["items"][0]["items"]
        assert painting["motivation"] == "painting" and painting["target"] == canvas["id"]
        assert painting["body"] == {
            "id": f"{BASE}/recordings/{story.pk}/",
            "type": "Sound",
            "format": recording.mime_type,
            "duration": recording.duration,
        }
        # The licence, the same one the story page states.
        assert document["rights"] == story.licence.url
        statement = document["requiredStatement"]
        assert set(statement["label"]) == set(statement["value"]) == {"en", "es"}
        assert story.licence.short_name_in("es") in " ".join(statement["value"]["es"])
        assert document["label"][story.language] == [story.title]
        assert {"en", "es"} <= {key for entry in document["metadata"] for key in entry["label"]}
        assert document["homepage"][0]["id"] == BASE + story.get_absolute_url()
        assert document["seeAlso"][0]["id"] == f"{BASE}/api/v1/stories/{story.pk}/"
        assert document["provider"][0]["type"] == "Agent"

        # Every cue of the transcript, on its time, in the story's language.
        cues = list(story.transcript.all())
        pages = {page["id"].rsplit("/", 1)[1]: page for page in canvas.get("annotations", [])}
        if cues:
            items = pages["transcript"]["items"]
            assert [item["body"]["value"] for item in items] == [cue.text for cue in cues]
            assert all(item["motivation"] == "supplementing" for item in items)
            assert all(item["body"]["language"] == story.language for item in items)
            spans = [times(item["target"]) for item in items]
            assert [start for start, _end in spans] == [cue.seconds for cue in cues]
            assert [end for _start, end in spans[:-1]] == [cue.seconds for cue in cues[1:]]
            assert spans[-1][1] == round(recording.duration, 3)
            captions = pages["captions"]["items"][0]["body"]
            assert captions["id"] == f"{BASE}/recordings/{story.pk}/captions.vtt"
            assert captions["format"] == "text/vtt"
            assert client.get(captions["id"]).status_code == 200
        else:
            assert not pages

        # The index as ranges: one a segment, on its time, with its title.
        segments = list(IndexSegment.objects.filter(story=story))
        if segments:
            (index,) = document["structures"]
            assert [r["label"][story.language] for r in index["items"]] == [
                [s.title] for s in segments
            ]
            starts = [times(r["items"][0]["id"])[0] for r in index["items"]]
            assert starts == [s.seconds for s in segments]
            assert all(r["items"][0]["type"] == "Canvas" for r in index["items"])
        else:
            assert "structures" not in document


def test_a_translated_story_is_labelled_in_both_languages(client, sample_archive):
    story = Story.objects.get(slug=SPANISH)
    document = manifest_of(client, story)
    assert document["label"] == {"es": [story.title], "en": [story.title_translation]}
    # The translated summary says whose words it is.
    assert document["summary"]["en"] == [
        story.summary_translation,
        "Translated by the archive from Spanish",
    ]
    pages = {page["id"].rsplit("/", 1)[1]: page for page in document["items"][0]["annotations"]}
    assert pages["translation"]["label"]["en"] == ["Translated by the archive from Spanish"]
    translated = [cue for cue in story.transcript.all() if cue.text_translation]
    items = pages["translation"]["items"]
    assert [item["body"]["value"] for item in items] == [c.text_translation for c in translated]
    assert {item["body"]["language"] for item in items} == {"en"}
    tracks = {item["body"]["language"]: item["body"]["id"] for item in pages["captions"]["items"]}
    assert tracks["en"] == f"{BASE}/recordings/{story.pk}/captions.translation.vtt"
    last = document["structures"][0]["items"][-1]
    assert last["label"] == {
        "es": ["Lo que yo llamaría santuario"],
        "en": ["What I would call sanctuary"],
    }
    identifier = next(
        entry for entry in document["metadata"] if entry["label"]["en"] == ["Persistent identifier"]
    )
    assert identifier["value"]["none"][0] == "doi:10.5072/perspectives.21"
    languages = next(e for e in document["metadata"] if e["label"]["en"] == ["Language"])
    assert languages["value"] == {
        "en": ["Spanish; English (translated by the archive)"],
        "es": ["Español; Inglés (traducción del archivo)"],
    }
    assert next(entry for entry in document["metadata"] if entry["label"]["en"] == ["Narrator"])[
        "label"
    ]["es"] == ["Narrador/a"]


def test_only_heard_recordings_have_a_manifest(client, sample_archive):
    heard_ids = set(heard().values_list("pk", flat=True))
    recorded = Story.objects.exclude(recording=None)
    # The sample has a voice kept private, and recordings of stories not (or no longer) public.
    assert recorded.exclude(pk__in=heard_ids).exists()
    assert Story.objects.get(slug=PRIVATE_VOICE).pk not in heard_ids
    for story in Story.objects.exclude(pk__in=heard_ids):
        not_found(client, f"/iiif/{story.pk}/manifest.json")
    not_found(client, "/iiif/999999/manifest.json")


def test_collections_list_exactly_the_heard_stories(client, sample_archive):
    top = served(client, "/iiif/collection.json")
    iiif.Collection.model_validate(top)
    heard_ids = set(heard().values_list("pk", flat=True))
    listed = {}
    for reference in top["items"]:
        assert reference["type"] == "Collection"
        path = reference["id"].removeprefix(BASE)
        collection = served(client, path)
        iiif.Collection.model_validate(collection)
        assert set(collection["label"]) == {"en", "es"}
        manifests = {item["id"] for item in collection["items"]}
        assert all(item["type"] == "Manifest" for item in collection["items"])
        listed[path] = manifests
    every = set().union(*listed.values())
    assert every == {f"{BASE}/iiif/{pk}/manifest.json" for pk in heard_ids}
    # A theme with no heard story is no collection, and is not listed.
    for theme in Theme.objects.all():
        path = f"/iiif/themes/{theme.slug}/collection.json"
        expected = {
            f"{BASE}/iiif/{pk}/manifest.json"
            for pk in heard().filter(themes=theme).values_list("pk", flat=True)
        }
        if expected:
            assert listed[path] == expected
        else:
            assert path not in listed
            not_found(client, path)
    not_found(client, "/iiif/perspectives/no-such-one/collection.json")


def test_hidden_uncleared_and_private_voices_appear_nowhere(client, every_state_archive):
    states = every_state_archive
    visible = states["visible"]
    give_recording(visible, cleared=True, transcript=[(0, "Heard"), (2.5, "Said later")])
    uncleared = make_published(title="Uncleared", themes=["public-safety"], perspective="critics")
    give_recording(uncleared, cleared=False, transcript=[(0, "zquncleared words")])
    private = make_published(title="Private voice", themes=["public-safety"], perspective="critics")
    give_recording(private, cleared=True, transcript=[(0, "zqprivatevoice words")])
    private.keep_voice_private()
    hidden = [story for state, story in states.items() if state != "visible"]
    for story in hidden:
        give_recording(story, cleared=True, transcript=[(0, "zqhidden words")])
    no_recording = make_published(title="Written only", perspective="critics")

    document = manifest_of(client, visible)
    assert [a["body"]["value"] for a in document["items"][0]["annotations"][0]["items"]] == [
        "Heard",
        "Said later",
    ]
    for story in [*hidden, uncleared, private, no_recording]:
        not_found(client, f"/iiif/{story.pk}/manifest.json")
    # The collections hold the visible story alone, and nothing of the others.
    for text in iiif_documents(client):
        assert "zq" not in text
        for story in [*hidden, uncleared, private, no_recording]:
            assert f"/iiif/{story.pk}/" not in text and f"/recordings/{story.pk}/" not in text
    theme = served(client, "/iiif/themes/public-safety/collection.json")
    assert [item["id"] for item in theme["items"]] == [f"{BASE}/iiif/{visible.pk}/manifest.json"]


def test_a_story_that_leaves_takes_its_manifest_with_it_at_once(client, page_cache):
    story = make_published(title="Soon gone", themes=["legal-aid"])
    give_recording(story, cleared=True, transcript=[(0, "Words")])
    path = f"/iiif/{story.pk}/manifest.json"
    first = client.get(path)
    assert first.status_code == 200 and first["Last-Modified"]
    assert client.get(path).content == first.content  # kept by the page cache
    story.withdraw()
    # As the API: 404 for every story that is not visible, once seen or not.
    not_found(client, path)
    not_found(client, "/iiif/themes/legal-aid/collection.json")


def test_clearing_taken_back_or_a_voice_made_private_removes_the_manifest(client, page_cache):
    story = make_published(title="Heard for now", perspective="critics")
    recording = give_recording(story, cleared=True)
    path = f"/iiif/{story.pk}/manifest.json"
    assert client.get(path).status_code == 200
    assert client.get("/iiif/perspectives/critics/collection.json").status_code == 200
    Recording.objects.get(pk=recording.pk).set_cleared(False, by=None)
    not_found(client, path)
    not_found(client, "/iiif/perspectives/critics/collection.json")
    Recording.objects.get(pk=recording.pk).set_cleared(True, by=None)
    assert client.get(path).status_code == 200
    Story.objects.get(pk=story.pk).keep_voice_private()
    not_found(client, path)


def test_the_roads_answer_a_cors_preflight_and_refuse_writes(client, sample_archive):
    story = heard().first()
    path = f"/iiif/{story.pk}/manifest.json"
    preflight = client.options(path)
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == "*"
    refused = client.post(path)
    assert refused.status_code == 405 and refused["Allow"] == "GET, HEAD, OPTIONS"


def test_a_paragraph_lasts_until_the_next_later_one_and_the_last_until_the_end():
    # Two paragraphs at one time both last until the next later start, as in the captions.
    assert spans([0, 12, 12, 23.5], 30) == [(0, 12), (12, 23.5), (12, 23.5), (23.5, 30)]
    # One past the recording's end (a mistake) still ends after it starts.
    assert spans([0, 40], 30) == [(0, 40), (40, 45)]
    assert [seconds(value) for value in (0, 12.5, 7200.123456)] == ["0", "12.5", "7200.123"]
