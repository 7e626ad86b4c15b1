"""
Recordings as browsers make them (stories/recordings/webm.py, mp4.py): WebM/Opus from
Chrome, Firefox and Android, kept as Ogg Opus; fragmented MP4/AAC from Safari and iOS, kept
as M4A; both without anything that says who, where or when; and the length limit.

The inputs are in tests/data/audio/ (its README says how they were made): a recording made by
headless Chromium's MediaRecorder from its fake microphone, and a fragmented MP4 written as
Safari writes it, tagged with the fictional narrator and a made-up creation time.
"""

import io
import random
import struct

import av
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from mutagen.mp4 import MP4
from mutagen.oggopus import OggOpus

from stories.models import Recording, Story
from stories.recordings.audio import NOT_A_RECORDING, RecordingRefused, prepared_recording

from ..factories import post_share, share_data
from .test_audio import (
    IDENTIFYING,
    MP3_FRAME,
    box,
    fixture,
    identifying_left_in,
    mp4_boxes,
    prepared,
    refusal,
    upload,
)

# Each test watches a temporary directory of its own (tests/recordings/conftest.py).
pytestmark = pytest.mark.usefixtures("temporary_directory")


# A made-up creation time, 2026-11-05 14:30:00 UTC, in seconds since 1904 as MP4 counts.
PLANTED_TIME = struct.pack(">I", 0xE7124368)


def decoded(data):
    """What a player hears: (seconds, samples as bytes) of the first audio stream."""
    with av.open(io.BytesIO(data)) as container:
        frames = list(container.decode(audio=0))
    samples = b"".join(bytes(frame.planes[0]) for frame in frames)
    rate = frames[0].sample_rate
    return sum(frame.samples for frame in frames) / rate, samples


def webm(streams, *, metadata=None, seconds=1.0):
    """A WebM written by PyAV with the given streams ("opus", "vp8"), tagged as asked."""
    output = io.BytesIO()
    with av.open(output, "w", format="webm") as container:
        container.metadata.update(metadata or {})
        encoders = []
        for kind in streams:
            if kind == "vp8":
                stream = container.add_stream("libvpx", rate=10)
                stream.width, stream.height, stream.pix_fmt = 32, 32, "yuv420p"
            else:
                stream = container.add_stream("libopus", rate=48000, layout="mono")
            stream.metadata["title"] = "Maria Lopez phone"
            encoders.append(stream)
        for stream in encoders:
            for frame in frames_for(stream, seconds):
                for packet in stream.encode(frame):
                    container.mux(packet)
            for packet in stream.encode(None):
                container.mux(packet)
    return output.getvalue()


def frames_for(stream, seconds):
    """Silent frames for ``stream``: black video, or silence in the encoder's own sample format."""
    if stream.type == "video":
        for index in range(int(seconds * 10)):
            frame = av.VideoFrame(32, 32, "yuv420p")
            for plane in frame.planes:
                plane.update(bytes(plane.buffer_size))
            frame.pts = index
            yield frame
        return
    size = stream.codec_context.frame_size or 960
    for index in range(int(seconds * 48000) // size):
        frame = av.AudioFrame(format=stream.codec_context.format.name, layout="mono", samples=size)
        for plane in frame.planes:
            plane.update(bytes(plane.buffer_size))
        frame.sample_rate = 48000
        frame.pts = index * size
        yield frame


def tagged_webm():
    """The Chromium recording, remuxed by PyAV into a WebM that carries the fictional tags."""
    output = io.BytesIO()
    with av.open(io.BytesIO(fixture("chromium.webm"))) as source:
        with av.open(output, "w", format="webm") as target:
            target.metadata.update(
                {
                    "title": "Maria Lopez",
                    "comment": "Recorded in Boyle Heights",
                    "location": "+34.0522-118.2437/",
                }
            )
            copy = target.add_stream_from_template(source.streams.audio[0])
            copy.metadata["title"] = "Maria Lopez phone"
            for packet in source.demux(source.streams.audio[0]):
                if packet.dts is not None:
                    packet.stream = copy
                    target.mux(packet)
    return output.getvalue()


# WebM/Opus, as Chrome, Firefox and Android record it


def test_a_webm_recorded_by_chromium_is_kept_as_ogg_opus_of_the_same_sound():
    original = fixture("chromium.webm")
    assert original.startswith(b"\x1a\x45\xdf\xa3") and b"Chrome" in original

    checked, stripped = prepared(original)

    assert (checked.mime_type, checked.extension) == ("audio/ogg", "ogg")
    assert checked.file.name == "recording.ogg"
    assert stripped.startswith(b"OggS")
    length, samples = decoded(original)
    assert checked.duration == pytest.approx(length, abs=0.1)
    assert decoded(stripped) == (pytest.approx(length, abs=0.1), samples)
    reopened = OggOpus(io.BytesIO(stripped))
    assert len(reopened.tags) == 0 and reopened.tags.vendor == ""
    # Not the browser that wrote it, nor the software that copied it.
    for name in (b"Chrome", b"Lavf", b"ffmpeg", b"encoder"):
        assert name not in stripped


def test_a_tagged_webm_keeps_none_of_its_tags():
    original = tagged_webm()
    assert identifying_left_in(original) == list(IDENTIFYING)

    checked, stripped = prepared(original)

    assert checked.mime_type == "audio/ogg"
    assert identifying_left_in(stripped) == []
    assert b"Lavf" not in stripped
    assert checked.duration == pytest.approx(decoded(original)[0], abs=0.1)


def test_a_webm_made_by_other_software_is_taken_too():
    checked, _stripped = prepared(webm(["opus"], seconds=2.0))

    assert checked.duration == pytest.approx(2.0, abs=0.1)


@pytest.mark.parametrize(
    "streams",
    [["opus", "vp8"], ["vp8"], [], ["opus", "opus"]],
    ids=["with video", "video only", "nothing", "two tracks"],
)
def test_a_webm_that_is_not_one_opus_track_is_refused(streams):
    assert str(refusal(webm(streams))) == str(NOT_A_RECORDING)


def test_a_webm_of_another_codec_is_refused():
    flac = fixture("chromium.webm").replace(b"A_OPUS", b"A_FLAC")

    assert str(refusal(flac)) == str(NOT_A_RECORDING)


def test_a_webm_refused_leaves_no_temporary_file(temporary_directory):
    for data in (webm(["opus", "vp8"]), fixture("chromium.webm")[:60]):
        with pytest.raises(RecordingRefused):
            prepared(data)
        assert list(temporary_directory.iterdir()) == []


def test_an_opus_header_with_bytes_after_it_is_refused():
    original = fixture("chromium.webm")
    # The track's CodecPrivate: its EBML ID, a one-byte size (0x80 | 19), the OpusHead.
    at = original.index(b"\x63\xa2\x93OpusHead")
    head = original[at + 3 : at + 3 + 19]
    padded = original[:at] + b"\x63\xa2\x97" + head + b"Mari" + original[at + 3 + 19 :]
    # The track entry and the segment grow by four bytes; the segment's size is unknown
    # (MediaRecorder streams), so only the track entry and the tracks element need it.
    tracks = padded.index(b"\x16\x54\xae\x6b")
    entry = padded.index(b"\xae", tracks + 5)
    padded = bytearray(padded)
    for size_at in (tracks + 4, entry + 1):
        assert padded[size_at] & 0x80  # one-byte sizes, as Chromium writes them
        padded[size_at] += 4

    assert refusal(bytes(padded)).code == "not_audio"


# Fragmented MP4/AAC, as Safari and iOS record it


def dated_boxes(data):
    """{kind: the bytes of its creation and modification times} for mvhd, tkhd and mdhd."""
    moov = mp4_boxes(data)[b"moov"]
    movie = mp4_boxes(data, moov[0] + moov[1], moov[2])
    trak = movie[b"trak"]
    track = mp4_boxes(data, trak[0] + trak[1], trak[2])
    mdia = track[b"mdia"]
    media = mp4_boxes(data, mdia[0] + mdia[1], mdia[2])
    return {
        kind: data[start + header + 4 : start + header + 12]
        for kind, (start, header, _end) in (
            (b"mvhd", movie[b"mvhd"]),
            (b"tkhd", track[b"tkhd"]),
            (b"mdhd", media[b"mdhd"]),
        )
    }


def fragment_timing(data):
    """Every mfhd (sequence number) and tfdt (decode time) box, as bytes."""
    return [
        data[start : start + 40]
        for start in range(len(data))
        if data[start + 4 : start + 8] in (b"mfhd", b"tfdt")
    ]


def test_a_fragmented_mp4_is_kept_with_its_length_and_without_tags_or_dates():
    original = fixture("safari-style.mp4")
    assert b"moof" in original and b"mvex" in original
    assert identifying_left_in(original) == [b"Maria", b"Lopez", b"Boyle"]
    assert b"loci" in original  # the location, as numbers
    assert set(dated_boxes(original).values()) == {PLANTED_TIME * 2}
    assert MP4(io.BytesIO(original)).info.length == 0  # the moov has no samples

    checked, stripped = prepared(original)

    assert (checked.mime_type, checked.extension) == ("audio/mp4", "m4a")
    assert identifying_left_in(stripped) == []
    for kind in (b"udta", b"meta", b"loci", b"\xa9too", b"Lavf"):
        assert kind not in stripped
    assert set(dated_boxes(stripped).values()) == {bytes(8)}
    # The fragments' timing is not when it was recorded: it stays.
    assert fragment_timing(stripped) == fragment_timing(original)
    length, samples = decoded(original)
    assert checked.duration == pytest.approx(length, abs=0.1)
    assert decoded(stripped) == (pytest.approx(length, abs=0.1), samples)
    assert len(stripped) == len(original)


def test_a_plain_m4a_loses_its_creation_times_too():
    original = bytearray(fixture("tagged.m4a"))
    for kind in (b"mvhd", b"tkhd", b"mdhd"):
        at = original.index(kind) + 4 + 4  # past the type, the version and the flags
        original[at : at + 8] = PLANTED_TIME * 2
    original = bytes(original)
    assert set(dated_boxes(original).values()) == {PLANTED_TIME * 2}

    _checked, stripped = prepared(original)

    assert set(dated_boxes(stripped).values()) == {bytes(8)}


def test_the_wall_clock_time_of_a_fragment_is_blanked():
    # prft: the time a fragment was made, by the recording device's clock.
    producer_time = box(b"prft", bytes(4) + struct.pack(">IQI", 1, 0xE71243680000, 0))
    original = fixture("safari-style.mp4") + producer_time

    _checked, stripped = prepared(original)

    assert b"prft" not in stripped
    assert stripped.endswith(box(b"free", bytes(len(producer_time) - 8)))


def test_a_fragment_run_longer_than_its_box_is_unreadable():
    original = fixture("safari-style.mp4")
    at = original.index(b"trun") + 8  # the sample count
    damaged = original[:at] + struct.pack(">I", 1_000_000) + original[at + 4 :]

    assert refusal(damaged).code == "not_audio"


# The length limit


def mp3_of(seconds):
    # mutagen times these frames by their size and bitrate: 417 bytes at 128 kbit/s.
    return MP3_FRAME * round(seconds * 128_000 / 8 / 417)


def test_a_recording_over_the_length_limit_is_refused_with_the_limit_in_minutes(settings):
    settings.RECORDING_MAX_SECONDS = 60

    refused = refusal(mp3_of(61))

    assert refused.code == "too_long"
    assert str(refused.message) == (
        "This recording is longer than 1 minute, the most we can take. Send a shorter "
        "recording, or split your story in two and send each part as its own story."
    )
    checked, _stripped = prepared(mp3_of(59))
    assert checked.duration == pytest.approx(59, abs=0.1)


def test_the_length_limit_is_said_in_the_narrators_language(settings):
    settings.RECORDING_MAX_SECONDS = 120

    with translation.override("es"):
        with pytest.raises(RecordingRefused) as refused:
            with prepared_recording(upload(mp3_of(125))):
                pass

    assert "2 minutos" in str(refused.value.message)
    assert "grabación" in str(refused.value.message)


def test_the_default_limit_is_thirty_minutes(settings):
    assert settings.RECORDING_MAX_SECONDS == 1800


# Damaged on the way: refused, or kept clean


def test_a_tagged_webm_cut_short_or_damaged_is_refused_or_kept_clean():
    original = tagged_webm()
    randomly = random.Random(21)
    cut = [original[:end] for end in sorted(randomly.sample(range(len(original)), 40))]
    damaged = []
    for _damage in range(40):
        data = bytearray(original)
        for _byte in range(randomly.choice((1, 1, 4, 32))):
            data[randomly.randrange(len(data))] = randomly.randrange(256)
        damaged.append(bytes(data))
    for data in cut + damaged:
        try:
            _checked, stripped = prepared(data)
        except RecordingRefused:
            continue
        assert identifying_left_in(stripped) == []
        assert b"Chrome" not in stripped and b"Lavf" not in stripped


# Through the share form


@pytest.mark.django_db
def test_a_browser_recording_sent_with_a_story_is_kept_as_ogg(client):
    webm_upload = SimpleUploadedFile("blob", fixture("chromium.webm"), content_type="audio/webm")

    response = post_share(client, {**share_data(), "recording": webm_upload})

    assert response.status_code == 302
    recording = Story.objects.get().recording
    assert recording.mime_type == "audio/ogg"
    assert recording.stored_as.endswith(".ogg")
    assert recording.duration == pytest.approx(3.0, abs=0.1)
    with recording.open() as stored:
        assert stored.read(4) == b"OggS"


@pytest.mark.django_db
def test_a_recording_over_the_length_limit_is_refused_and_the_form_kept(client, settings):
    settings.RECORDING_MAX_SECONDS = 2
    webm_upload = SimpleUploadedFile("blob", fixture("chromium.webm"), content_type="audio/webm")

    response = post_share(client, {**share_data(), "recording": webm_upload}, prefix="/es")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Esta grabación dura más de 1 minuto" in html
    assert share_data()["body"].split(".")[0] in html
    assert not Story.objects.exists()
    assert not Recording.objects.exists()
