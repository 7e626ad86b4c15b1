"""
Uploaded recordings: taken by their content, and kept without the tags that
could name the narrator, the place or the phone (stories/recordings/audio.py).

Every tagged input carries the same fictional narrator, "Maria Lopez", recorded
in "Boyle Heights" at 34.05,-118.24; after stripping, none of it may be left.
The OGG, M4A and AAC inputs are tiny files in tests/data/audio/ (see the
README there); the WAV and MP3 inputs are built here.
"""

import io
import math
import random
import struct
import wave
from pathlib import Path

import pytest
from django.core.files import File
from django.core.files.uploadedfile import (
    InMemoryUploadedFile,
    SimpleUploadedFile,
    TemporaryUploadedFile,
)
from mutagen.apev2 import APEv2
from mutagen.id3 import ID3, TPE1, TXXX
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis
from mutagen.wave import WAVE

from stories.recordings.audio import (
    ACCEPTED_TYPES,
    NOT_A_RECORDING,
    UNREADABLE_RECORDING,
    RecordingRefused,
    prepared_recording,
)

# Each test watches a temporary directory of its own (tests/recordings/conftest.py).
pytestmark = pytest.mark.usefixtures("temporary_directory")

FIXTURES = Path(__file__).parents[1] / "data" / "audio"

# What the tagged inputs say about the narrator, as it would appear in the bytes.
IDENTIFYING = (b"Maria", b"Lopez", b"Boyle", b"34.05", b"118.24")

# One MPEG-1 Layer III frame: 128 kbit/s, 44.1 kHz, joint stereo, 417 bytes;
# its silent payload is all zeros. 40 of them are about a second.
MP3_FRAME = b"\xff\xfb\x90\x64" + bytes(417 - 4)
MP3_FRAMES = MP3_FRAME * 40


def upload(data, name="recording.bin", content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def prepared(data):
    """What ``prepared_recording`` makes of ``data``: its fields, and the stripped bytes."""
    with prepared_recording(upload(data)) as checked:
        stripped = checked.file.read()
        assert checked.size == len(stripped)
        return checked, stripped


def refusal(data):
    with pytest.raises(RecordingRefused) as refused:
        prepared(data)
    return refused.value


def identifying_left_in(data):
    return [word for word in IDENTIFYING if word in data]


def fixture(name):
    return (FIXTURES / name).read_bytes()


# WAV, built with the standard library


def tone_wav(frames=8000, sample_width=2, rate=8000):
    """A mono 440 Hz tone written by the standard library's wave module."""
    if sample_width == 1:
        samples = bytes(
            128 + round(100 * math.sin(2 * math.pi * 440 * n / rate)) for n in range(frames)
        )
    else:
        samples = b"".join(
            struct.pack("<h", round(8000 * math.sin(2 * math.pi * 440 * n / rate)))
            for n in range(frames)
        )
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(sample_width)
        writer.setframerate(rate)
        writer.writeframes(samples)
    return buffer.getvalue()


def riff_chunk(kind, payload):
    return struct.pack("<4sI", kind, len(payload)) + payload + b"\x00" * (len(payload) % 2)


def riff_wave(*chunks):
    body = b"WAVE" + b"".join(chunks)
    return struct.pack("<4sI", b"RIFF", len(body)) + body


def riff_chunks(data, *, last_pad_byte_missing=False):
    """(kind, payload) of each chunk of a RIFF/WAVE file, checking the RIFF size and padding.

    The standard library's wave module leaves out the pad byte after odd-sized
    data; the file it writes is read with ``last_pad_byte_missing``.
    """
    riff, size, form = struct.unpack("<4sI4s", data[:12])
    assert (riff, form, size) == (b"RIFF", b"WAVE", len(data) - 8)
    if last_pad_byte_missing and len(data) % 2:
        data += b"\x00"
    chunks = []
    position = 12
    while position < len(data):
        kind, size = struct.unpack("<4sI", data[position : position + 8])
        chunks.append((kind, data[position + 8 : position + 8 + size]))
        position += 8 + size + size % 2
    assert position == len(data)
    return chunks


def info_list(**fields):
    """A LIST/INFO chunk, as recorders and editors write for artist, comment and the like."""
    items = b"".join(
        riff_chunk(key.encode(), value.encode() + b"\x00") for key, value in fields.items()
    )
    return riff_chunk(b"LIST", b"INFO" + items)


def with_id3_chunk(data, tmp_path):
    """``data`` with an ID3 tag added by mutagen, as some editors write into WAV files."""
    path = tmp_path / "id3.wav"
    path.write_bytes(data)
    recording = WAVE(path)
    recording.add_tags()
    recording.tags.add(TPE1(encoding=3, text=["Maria Lopez"]))
    recording.save()
    return path.read_bytes()


def tagged_wav(tmp_path):
    plain = tone_wav()
    (fmt, fmt_payload), (data, data_payload) = riff_chunks(plain)
    tagged = riff_wave(
        riff_chunk(fmt, fmt_payload),
        riff_chunk(data, data_payload),
        info_list(IART="Maria Lopez", ICMT="Boyle Heights"),
    )
    return with_id3_chunk(tagged, tmp_path)


def wav_frames(data):
    with wave.open(io.BytesIO(data), "rb") as reader:
        return reader.getparams(), reader.readframes(reader.getnframes())


def test_a_wav_keeps_its_audio_and_loses_its_info_and_id3_chunks(tmp_path):
    original = tagged_wav(tmp_path)
    assert b"Maria" in original and b"Boyle" in original and b"id3 " in original

    checked, stripped = prepared(original)

    assert (checked.mime_type, checked.extension) == ("audio/wav", "wav")
    assert checked.duration == pytest.approx(1.0)
    assert identifying_left_in(stripped) == []
    assert [kind for kind, _payload in riff_chunks(stripped)] == [b"fmt ", b"data"]
    assert wav_frames(stripped) == wav_frames(tone_wav())


def test_wav_chunks_of_odd_size_keep_their_pad_byte():
    # 8-bit mono with an odd number of frames: the data chunk is odd-sized, and so
    # is a chunk before it, which the stripped file must step over correctly.
    plain = tone_wav(frames=8001, sample_width=1)
    (fmt, fmt_payload), (data, data_payload) = riff_chunks(plain, last_pad_byte_missing=True)
    assert len(data_payload) % 2 == 1
    original = riff_wave(
        riff_chunk(fmt, fmt_payload),
        riff_chunk(b"bext", b"Maria Lopez"),
        riff_chunk(data, data_payload),
        info_list(ICMT="Boyle Heights"),
    )

    checked, stripped = prepared(original)

    assert riff_chunks(stripped) == [(fmt, fmt_payload), (data, data_payload)]
    assert len(stripped) % 2 == 0
    assert identifying_left_in(stripped) == []
    assert checked.duration == pytest.approx(8001 / 8000)
    assert wav_frames(stripped) == wav_frames(plain)


def ima_adpcm_wav(samples, *, fact=True):
    """A compressed (IMA ADPCM) WAV of silence: 256-byte blocks of 505 samples each, 8 kHz mono."""
    blocks = math.ceil(samples / 505)
    fmt = struct.pack("<HHIIHHHH", 0x0011, 1, 8000, 8000 * 256 // 505, 256, 4, 2, 505)
    fact_chunk = riff_chunk(b"fact", struct.pack("<I", samples)) if fact else b""
    return riff_wave(
        riff_chunk(b"fmt ", fmt),
        fact_chunk,
        riff_chunk(b"data", bytes(256 * blocks)),
        info_list(IART="Maria Lopez"),
    )


def test_a_compressed_wav_keeps_its_fact_chunk_and_is_timed_by_it():
    checked, stripped = prepared(ima_adpcm_wav(samples=16000))

    assert [kind for kind, _payload in riff_chunks(stripped)] == [b"fmt ", b"fact", b"data"]
    assert checked.duration == pytest.approx(2.0)
    assert identifying_left_in(stripped) == []


def test_bytes_after_the_riff_chunk_are_dropped():
    original = tone_wav() + b"Maria Lopez, Boyle Heights"

    _checked, stripped = prepared(original)

    assert stripped == tone_wav()


# MP3, built frame by frame


# An ID3v1 tag: title, artist, album, year, comment, genre, in 128 bytes.
ID3V1_TAG = (
    b"TAG"
    + b"My story".ljust(30, b"\x00")
    + b"Maria Lopez".ljust(30, b"\x00")
    + bytes(30)
    + b"2024"
    + b"Boyle Heights".ljust(30, b"\x00")
    + b"\xff"
)


def with_apev2_and_id3v1_tags(path, **apev2_items):
    """The tags that follow the audio, in the order taggers leave them: APEv2, then ID3v1."""
    ape = APEv2()
    ape.update(apev2_items)
    ape.save(path)
    path.write_bytes(path.read_bytes() + ID3V1_TAG)


def tagged_mp3(tmp_path):
    """Silent MP3 frames with ID3v2, APEv2 and ID3v1 tags, as taggers and phones write them."""
    path = tmp_path / "tagged.mp3"
    path.write_bytes(MP3_FRAMES)
    with_apev2_and_id3v1_tags(path, Artist="Maria Lopez")
    id3 = ID3()
    id3.add(TPE1(encoding=3, text=["Maria Lopez"]))
    id3.add(TXXX(encoding=3, desc="GPS", text=["34.05,-118.24"]))
    id3.save(path)
    return path.read_bytes()


def test_an_mp3_keeps_its_frames_and_loses_id3v2_apev2_and_id3v1(tmp_path):
    original = tagged_mp3(tmp_path)
    assert original.startswith(b"ID3") and b"APETAGEX" in original
    assert original[-128:].startswith(b"TAG")

    checked, stripped = prepared(original)

    assert (checked.mime_type, checked.extension) == ("audio/mpeg", "mp3")
    assert checked.duration == pytest.approx(1.04, abs=0.01)
    assert identifying_left_in(stripped) == []
    assert stripped == MP3_FRAMES
    assert MP3(io.BytesIO(stripped)).tags is None


def test_stacked_id3v2_tags_all_go(tmp_path):
    tagged = tagged_mp3(tmp_path)
    first_tag = tagged[: tagged.index(MP3_FRAME)]
    path = tmp_path / "second.mp3"
    path.write_bytes(MP3_FRAMES)
    second = ID3()
    second.add(TPE1(encoding=3, text=["Boyle Heights"]))
    second.save(path)
    stacked = first_tag + path.read_bytes()

    _checked, stripped = prepared(stacked)

    assert stripped == MP3_FRAMES


def test_whatever_follows_the_last_whole_mp3_frame_goes():
    # Neither mutagen nor any tag reader finds a tag cut in half, or one it does
    # not know: the bytes after the frames are dropped, whatever they are.
    half_an_ape_tag = b"APETAGEX\xd0\x07\x00\x00Artist\x00Maria Lopez"
    lyrics3 = b"LYRICSBEGININD00002" + b"10EAR00011Maria LopezLYRICS200"

    for trailer in (half_an_ape_tag, lyrics3, MP3_FRAME[:200], b"Boyle Heights"):
        _checked, stripped = prepared(MP3_FRAMES + trailer)
        assert stripped == MP3_FRAMES


# AAC (ADTS), OGG and M4A, from the fixtures


def syncsafe(four_bytes):
    """An ID3v2 size: seven bits a byte."""
    return sum((byte & 0x7F) << (7 * (3 - index)) for index, byte in enumerate(four_bytes))


def test_an_adts_aac_loses_its_id3v2_apev2_and_id3v1_tags(tmp_path):
    original = fixture("tagged.aac")
    assert original.startswith(b"ID3")
    frames = original[10 + syncsafe(original[6:10]) :]
    assert frames[:2] == b"\xff\xf1"
    path = tmp_path / "tagged.aac"
    path.write_bytes(original)
    with_apev2_and_id3v1_tags(path, Comment="Boyle Heights")
    tagged = path.read_bytes()
    assert b"APETAGEX" in tagged and tagged[-128:].startswith(b"TAG")

    checked, stripped = prepared(tagged)

    assert (checked.mime_type, checked.extension) == ("audio/aac", "aac")
    assert checked.duration == pytest.approx(1.0, abs=0.15)
    assert identifying_left_in(stripped) == []
    assert stripped == frames


@pytest.mark.parametrize(
    ("name", "opens_as"), [("tagged.opus", OggOpus), ("tagged.ogg", OggVorbis)]
)
def test_ogg_comments_go(name, opens_as):
    original = fixture(name)
    assert b"Maria" in original and b"Boyle" in original and b"34.05" in original

    checked, stripped = prepared(original)

    assert (checked.mime_type, checked.extension) == ("audio/ogg", "ogg")
    assert checked.duration == pytest.approx(1.0, abs=0.05)
    assert identifying_left_in(stripped) == []
    reopened = opens_as(io.BytesIO(stripped))
    assert len(reopened.tags) == 0
    assert reopened.info.length == pytest.approx(checked.duration)


def test_data_kept_after_opus_comments_goes_too(tmp_path):
    # Opus lets binary data follow the comments (when its first byte's low bit
    # is set); mutagen keeps it through a delete, and it could hold anything.
    path = tmp_path / "padded.opus"
    path.write_bytes(fixture("tagged.opus"))
    recording = OggOpus(path)
    recording.tags.clear()
    recording.tags._pad_data = b"\x01Maria Lopez, Boyle Heights"
    recording.save()
    assert b"Maria" in path.read_bytes()

    _checked, stripped = prepared(path.read_bytes())

    assert identifying_left_in(stripped) == []


def mp4_boxes(data, start=0, end=None):
    """{kind: (start, header size, end)} of the boxes between ``start`` and ``end``."""
    end = len(data) if end is None else end
    boxes = {}
    while start < end:
        size, kind = struct.unpack(">I4s", data[start : start + 8])
        header = 8
        if size == 1:
            (size,) = struct.unpack(">Q", data[start + 8 : start + 16])
            header = 16
        boxes.setdefault(kind, (start, header, start + size))
        start += size
    return boxes


def box(kind, payload):
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def grown(data, enclosing, by):
    """``data`` with the 32-bit sizes of the boxes starting at ``enclosing`` grown ``by`` bytes."""
    data = bytearray(data)
    for start in enclosing:
        (size,) = struct.unpack(">I", data[start : start + 4])
        data[start : start + 4] = struct.pack(">I", size + by)
    return bytes(data)


def with_box_inserted(data, enclosing, at, inserted):
    """``data`` with ``inserted`` at ``at``, inside the boxes starting at ``enclosing``."""
    return grown(data[:at] + inserted + data[at:], enclosing, len(inserted))


def assert_mp4_audio_untouched(original, stripped):
    assert len(stripped) == len(original)
    start, header, end = mp4_boxes(original)[b"mdat"]
    assert stripped[start:end] == original[start:end]


@pytest.mark.parametrize("name", ["tagged.m4a", "tagged-quicktime.m4a"])
def test_m4a_user_data_is_blanked(name):
    original = fixture(name)
    assert b"Maria" in original and b"Boyle" in original and b"34.05" in original

    checked, stripped = prepared(original)

    assert (checked.mime_type, checked.extension) == ("audio/mp4", "m4a")
    assert checked.duration == pytest.approx(1.0, abs=0.1)
    assert identifying_left_in(stripped) == []
    for kind in (b"udta", b"meta", b"ilst", b"loci", b"\xa9xyz", b"\xa9ART"):
        assert kind not in stripped
    assert_mp4_audio_untouched(original, stripped)
    reopened = MP4(io.BytesIO(stripped))
    assert not reopened.tags
    assert reopened.info.length == pytest.approx(checked.duration)


def iphone_style_m4a():
    """tagged.m4a with the boxes an iPhone adds, and mutagen's Atoms would miss.

    A QuickTime ``meta`` box (no version field) holding a location key, placed
    first in moov, ahead of the track; a ``udta`` in the track; and the movie's
    ``udta`` with a 64-bit size. The mdat comes before moov, so growing moov
    moves no audio and no chunk offset needs changing.
    """
    data = fixture("tagged.m4a")
    top = mp4_boxes(data)
    moov_start, moov_header, moov_end = top[b"moov"]
    assert top[b"mdat"][0] < moov_start

    movie = mp4_boxes(data, moov_start + moov_header, moov_end)
    udta_start, _header, udta_end = movie[b"udta"]
    sixty_four_bit_header = struct.pack(">I4sQ", 1, b"udta", udta_end - udta_start + 8)
    data = data[:udta_start] + sixty_four_bit_header + data[udta_start + 8 :]
    data = grown(data, [moov_start], 8)

    trak_start, _header, trak_end = movie[b"trak"]
    track_udta = box(b"udta", box(b"name", b"Maria Lopez's phone"))
    data = with_box_inserted(data, [moov_start, trak_start], trak_end, track_udta)

    quicktime_meta = box(
        b"meta",
        box(b"hdlr", bytes(8) + b"mdta" + bytes(12))
        + box(b"keys", bytes(8) + box(b"mdta", b"com.apple.quicktime.location.ISO6709"))
        + box(b"ilst", box(b"\x00\x00\x00\x01", box(b"data", bytes(8) + b"+34.0522-118.2437/"))),
    )
    mvhd_end = movie[b"mvhd"][2]
    return with_box_inserted(data, [moov_start], mvhd_end, quicktime_meta)


def test_an_iphone_style_m4a_loses_every_user_data_box():
    original = iphone_style_m4a()
    assert original.count(b"Maria") == 2 and original.count(b"34.0522") == 2

    checked, stripped = prepared(original)

    assert checked.mime_type == "audio/mp4"
    assert identifying_left_in(stripped) == []
    assert b"com.apple.quicktime" not in stripped
    assert_mp4_audio_untouched(original, stripped)
    assert not MP4(io.BytesIO(stripped)).tags


def test_unknown_and_free_boxes_are_blanked():
    # A box of a kind no player needs is blanked, whatever its name; so is the
    # payload of a free box, where a tag editor may have left an old tag.
    data = fixture("tagged.m4a")
    for kind in (b"free", b"Xtra", b"uuid"):
        data += box(kind, b"Maria Lopez, Boyle Heights")

    _checked, stripped = prepared(data)

    assert identifying_left_in(stripped) == []
    assert_mp4_audio_untouched(data, stripped)


def test_an_mp4_with_a_video_track_is_refused():
    sound_handler = b"hdlr" + bytes(8) + b"soun"
    original = fixture("tagged.m4a")
    assert original.count(sound_handler) == 1
    video = original.replace(sound_handler, b"hdlr" + bytes(8) + b"vide")

    assert str(refusal(video)) == str(NOT_A_RECORDING)


# What is refused


REFUSED = {
    # Not audio at all, whatever the name or the content type said.
    "text": (b"hello this is not audio" * 100, NOT_A_RECORDING),
    "png": (b"\x89PNG\r\n\x1a\n" + box(b"IHDR", bytes(13)) + bytes(100), NOT_A_RECORDING),
    "pdf": (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", NOT_A_RECORDING),
    "empty": (b"", NOT_A_RECORDING),
    "random": (random.Random(20240611).randbytes(10 * 1024), NOT_A_RECORDING),
    "flac": (b"fLaC\x00\x00\x00\x22" + bytes(200), NOT_A_RECORDING),
    "speex in ogg": (
        b"OggS\x00\x02" + bytes(22) + b"\x01Speex   " + bytes(80),
        NOT_A_RECORDING,
    ),
    "mp2": (b"\xff\xfd\x90\x64" + bytes(413), NOT_A_RECORDING),
    "id3 then text": (b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"hello" * 100, NOT_A_RECORDING),
    # Recognised by their first bytes, but empty, cut short or not what they claim.
    "frame sync then text": (MP3_FRAME[:4] + b"hello" * 100, UNREADABLE_RECORDING),
    "two mp3 frames": (MP3_FRAME * 2, UNREADABLE_RECORDING),
    "wav header only": (tone_wav()[:44], UNREADABLE_RECORDING),
    "wav without samples": (tone_wav(frames=0), UNREADABLE_RECORDING),
    "wav cut short": (tone_wav()[:4000], UNREADABLE_RECORDING),
    "wav with no fmt": (riff_wave(riff_chunk(b"data", bytes(100))), UNREADABLE_RECORDING),
    "compressed wav without fact": (ima_adpcm_wav(505, fact=False), UNREADABLE_RECORDING),
    "ftyp only": (box(b"ftyp", b"M4A \x00\x00\x02\x00M4A isom"), UNREADABLE_RECORDING),
    "m4a, first 100 bytes": (fixture("tagged.m4a")[:100], UNREADABLE_RECORDING),
    "m4a, cut short": (fixture("tagged.m4a")[:-10], UNREADABLE_RECORDING),
    "opus, cut in a page": (fixture("tagged.opus")[:-10], UNREADABLE_RECORDING),
    # A second stream would keep its own comments.
    "opus, chained": (fixture("tagged.opus") * 2, UNREADABLE_RECORDING),
    "opus, bytes appended": (fixture("tagged.opus") + b"Maria", UNREADABLE_RECORDING),
    # Nothing but the start of an ID3 tag is left: nothing says what would follow.
    "aac, cut in its tag": (fixture("tagged.aac")[:100], NOT_A_RECORDING),
}


@pytest.mark.parametrize(("data", "message"), REFUSED.values(), ids=REFUSED.keys())
def test_refused(data, message):
    refused = refusal(data)

    assert refused.message == message
    assert str(refused) == str(message)


def test_a_text_file_named_mp3_is_refused_whatever_the_browser_says():
    text = SimpleUploadedFile("story.mp3", b"hello this is not audio" * 100, "audio/mpeg")

    with pytest.raises(RecordingRefused) as refused, prepared_recording(text):
        pass

    assert str(refused.value) == str(NOT_A_RECORDING)


def test_a_recording_is_taken_whatever_it_is_called(caplog):
    named = SimpleUploadedFile("Maria Lopez - Boyle Heights.txt", tone_wav(), "text/plain")

    with prepared_recording(named) as checked:
        assert checked.mime_type == "audio/wav"
        assert checked.file.name == "recording.wav"

    assert "Maria" not in caplog.text


# Every input type a view may pass


def in_memory_upload(data):
    return InMemoryUploadedFile(
        io.BytesIO(data), "recording", "any name", "audio/wav", len(data), None
    )


def temporary_upload(data):
    uploaded = TemporaryUploadedFile("any name", "audio/wav", len(data), None)
    uploaded.write(data)
    uploaded.seek(0)
    return uploaded


@pytest.mark.parametrize(
    "wrap",
    [in_memory_upload, temporary_upload, lambda data: File(io.BytesIO(data))],
    ids=["InMemoryUploadedFile", "TemporaryUploadedFile", "File"],
)
def test_every_kind_of_django_file_is_read(wrap):
    uploaded = wrap(tone_wav())
    with uploaded, prepared_recording(uploaded) as checked:
        assert checked.mime_type == "audio/wav"
        assert checked.file.tell() == 0
        assert wav_frames(checked.file.read()) == wav_frames(tone_wav())


def test_the_upload_is_read_in_chunks_never_whole():
    reads = []

    class CountedReads(File):
        def read(self, size=-1):
            reads.append(size)
            return super().read(size)

    uploaded = CountedReads(io.BytesIO(tone_wav()))
    uploaded.DEFAULT_CHUNK_SIZE = 1000

    with prepared_recording(uploaded) as checked:
        assert checked.mime_type == "audio/wav"

    assert len(reads) > 1 and set(reads) == {1000}


def test_accepted_types_name_one_extension_each():
    assert ACCEPTED_TYPES == {
        "audio/mpeg": "mp3",
        "audio/mp4": "m4a",
        "audio/aac": "aac",
        "audio/ogg": "ogg",
        "audio/wav": "wav",
    }


# The temporary copy


def test_the_temporary_copy_is_removed_after_the_with_block(temporary_directory, tmp_path):
    for data in (tagged_wav(tmp_path), fixture("tagged.m4a"), MP3_FRAMES):
        with prepared_recording(upload(data)) as checked:
            path = Path(checked.file.file.name)
            assert path.parent == temporary_directory
            assert path.suffix == ".upload"
            assert path.exists()
        assert not path.exists()
        assert checked.file.closed
        assert list(temporary_directory.iterdir()) == []


def test_the_temporary_copy_is_removed_when_refused(temporary_directory):
    video = fixture("tagged.m4a").replace(b"soun", b"vide")
    # Refused before stripping, while stripping, and after a WAV was rewritten.
    for data in (b"hello" * 100, fixture("tagged.m4a")[:100], video, tone_wav(frames=0)):
        with pytest.raises(RecordingRefused):
            prepared(data)
        assert list(temporary_directory.iterdir()) == []


def test_the_temporary_copy_is_removed_when_the_caller_fails(temporary_directory):
    with pytest.raises(KeyError), prepared_recording(upload(tone_wav())):
        raise KeyError("the storage failed")

    assert list(temporary_directory.iterdir()) == []


# Malformed input: refused, never an unhandled error


def tagged_inputs(tmp_path):
    return {
        "wav": tagged_wav(tmp_path),
        "mp3": tagged_mp3(tmp_path),
        "iphone-style m4a": iphone_style_m4a(),
        **{path.name: path.read_bytes() for path in sorted(FIXTURES.glob("tagged*"))},
        # As browsers record: WebM/Opus (Chromium's MediaRecorder), fragmented MP4/AAC.
        "chromium.webm": fixture("chromium.webm"),
        "safari-style.mp4": fixture("safari-style.mp4"),
    }


def test_cut_short_anywhere_it_is_refused_or_stripped(tmp_path):
    randomly = random.Random(7)
    for name, data in tagged_inputs(tmp_path).items():
        for end in sorted(randomly.sample(range(len(data)), 40)):
            try:
                _checked, stripped = prepared(data[:end])
            except RecordingRefused:
                continue
            assert identifying_left_in(stripped) == [], (name, end)


def test_damaged_anywhere_it_is_refused_or_taken(tmp_path):
    randomly = random.Random(11)
    for data in tagged_inputs(tmp_path).values():
        for _damage in range(40):
            damaged = bytearray(data)
            for _byte in range(randomly.choice((1, 1, 4, 32))):
                damaged[randomly.randrange(len(damaged))] = randomly.randrange(256)
            try:
                prepared(bytes(damaged))
            except RecordingRefused:
                pass
