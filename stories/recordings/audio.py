"""
Recordings are taken by what they contain, and kept without their tags.

A narrator's voice recording carries more than the voice. Phones and recording
apps write tags into the file: an artist or title that is the narrator's name,
the place it was recorded (a street name, or GPS coordinates), the phone's make
and model, a comment. For a narrator who may be undocumented, any of these can
say who and where they are. So nothing uploaded is kept as it came:

- The type is decided by the file's bytes, never by its name or the browser's
  content type (both are the sender's to choose), and only the few formats a
  browser can play are taken.
- Every place each format keeps tags in is emptied before the file is stored,
  and the stripped file must still read as the same kind of audio, with a
  length, or it is refused.
- The uploaded file's name is never read: it can be the narrator's name too.

The work is done on a temporary copy, which is removed when the caller is done
with it, refused or not.
"""

import functools
import math
import os
import struct
import tempfile
from collections.abc import Callable
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

from django.core.files import File
from django.utils.translation import gettext_lazy as _
from mutagen import MutagenError
from mutagen.aac import AAC
from mutagen.apev2 import delete as delete_apev2_tag
from mutagen.id3 import delete as delete_id3_tags
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4
from mutagen.ogg import OggPage
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis
from mutagen.wave import WAVE

# What the archive serves each kind as, and the extension it stores it under.
ACCEPTED_TYPES = {
    "audio/mpeg": "mp3",
    "audio/mp4": "m4a",
    "audio/aac": "aac",
    "audio/ogg": "ogg",
    "audio/wav": "wav",
}

NOT_A_RECORDING = _(
    "This file is not a recording we can take. Send an MP3, M4A, AAC, OGG/Opus or WAV file."
)
UNREADABLE_RECORDING = _("This recording is empty or could not be read.")

# A copy is written and read in pieces this size: uploads can be tens of megabytes.
_BLOCK_SIZE = 1024 * 1024

# Enough bytes for an MP3 (4) or ADTS (7) frame header.
_FRAME_HEADER_READ = 7
# As many frames in a row as mutagen wants before it believes an ADTS stream.
_FEWEST_FRAMES = 3

# Enough for any real file; a file that keeps yielding tags to strip is not one.
_MOST_TAGS_TO_STRIP = 16


class RecordingRefused(Exception):
    """The upload is not a recording the archive takes; ``message`` tells the narrator why."""

    def __init__(self, message=NOT_A_RECORDING):
        super().__init__(message)
        self.message = message

    def __str__(self):
        return str(self.message)


class _Unreadable(Exception):
    """The file claims a format it then does not follow."""


# What mutagen raises on malformed input besides its own MutagenError: its parsers
# unpack, index and assert on whatever bytes they are given.
_READ_ERRORS = (
    MutagenError,
    _Unreadable,
    struct.error,
    EOFError,
    IndexError,
    KeyError,
    ValueError,
    AssertionError,
    ZeroDivisionError,
    OverflowError,
)


@dataclass(frozen=True)
class CheckedRecording:
    """A stripped recording, ready to be stored: ``file`` is open at its start."""

    file: File
    mime_type: str
    extension: str
    duration: float
    size: int


@contextmanager
def prepared_recording(uploaded_file):
    """Check ``uploaded_file`` by its content and strip its tags; yield a ``CheckedRecording``.

    Raises ``RecordingRefused`` for anything that is not a recording the archive
    takes. The temporary copy is removed on leaving the ``with`` block, however
    it is left.
    """
    with ExitStack() as cleanup:
        path = _temporary_copy(uploaded_file, cleanup)
        recording_format, duration = _checked_and_stripped(path)
        stripped = open(path, "rb")  # closed by the ExitStack, before the file is removed
        cleanup.callback(stripped.close)
        extension = ACCEPTED_TYPES[recording_format.mime_type]
        yield CheckedRecording(
            # A name of our own: the uploaded one can be the narrator's.
            file=File(stripped, name=f"recording.{extension}"),
            mime_type=recording_format.mime_type,
            extension=extension,
            duration=duration,
            size=os.path.getsize(path),
        )


def _temporary_copy(uploaded_file, cleanup):
    # The suffix means nothing to mutagen, which would otherwise give weight to
    # an extension: the sender's name for the file must not pick its type.
    copy = tempfile.NamedTemporaryFile(suffix=".upload", delete=False)
    cleanup.callback(_remove_if_present, copy.name)
    with copy:
        for chunk in uploaded_file.chunks():
            copy.write(chunk)
    return copy.name


def _remove_if_present(path):
    try:
        os.remove(path)
    except FileNotFoundError:
        pass


def _checked_and_stripped(path):
    recording_format = _format_of(path)
    if recording_format is None:
        raise RecordingRefused(NOT_A_RECORDING)
    try:
        recording_format.strip(path)
        duration = _confirmed_duration(path, recording_format)
    except _READ_ERRORS as error:
        raise RecordingRefused(UNREADABLE_RECORDING) from error
    return recording_format, duration


def _confirmed_duration(path, recording_format):
    """The stripped file must still be the same kind of audio, with a length."""
    if _format_of(path) is not recording_format:
        raise _Unreadable("stripping changed what the file is")
    recording = recording_format.opens_as(path)
    duration = float(recording_format.duration_of(path, recording))
    if not (math.isfinite(duration) and duration > 0):
        raise _Unreadable("no length")
    return duration


# Telling formats apart by their first bytes


@dataclass(frozen=True)
class _Format:
    mime_type: str
    opens_as: type
    strip: Callable[[str], None]
    duration_of: Callable[[str, object], float] = lambda path, recording: recording.info.length


def _format_of(path):
    """The accepted format the file's first bytes announce, or None."""
    with open(path, "rb") as recording:
        head = recording.read(64)
        if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
            return _WAVE
        if head[4:8] == b"ftyp":
            return _MP4
        if head[:4] == b"OggS":
            # The first page of an Ogg stream holds only its codec's identification header.
            if b"OpusHead" in head:
                return _OGG_OPUS
            if b"\x01vorbis" in head:
                return _OGG_VORBIS
            return None
        # MP3 and ADTS AAC have no magic number: they may open with ID3 tags, and
        # then a frame sync must follow at once.
        recording.seek(_end_of_leading_id3v2_tags(recording))
        return _mpeg_format_of_frame_header(recording.read(_FRAME_HEADER_READ))


def _end_of_leading_id3v2_tags(recording):
    offset = 0
    for _attempt in range(_MOST_TAGS_TO_STRIP):
        recording.seek(offset)
        header = recording.read(10)
        if len(header) < 10 or header[:3] != b"ID3":
            break
        size = _syncsafe(header[6:10])
        if size is None:
            break
        has_footer = header[5] & 0x10
        offset += 10 + size + (10 if has_footer else 0)
    return offset


def _syncsafe(four_bytes):
    """ID3v2 sizes use seven bits a byte; a byte with its top bit set means no valid size."""
    if len(four_bytes) != 4 or any(byte & 0x80 for byte in four_bytes):
        return None
    size = 0
    for byte in four_bytes:
        size = (size << 7) | byte
    return size


def _mpeg_format_of_frame_header(header):
    if _mp3_frame_length(header) is not None:
        return _MP3
    if _adts_frame_length(header) is not None:
        return _AAC_ADTS
    return None


# Kilobits a second by bitrate index, for MPEG-1 and for MPEG-2 and 2.5 (Layer III).
_MP3_BITRATES = {
    True: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    False: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
# Hertz by sample rate index, for each version's bits (MPEG-1, MPEG-2, MPEG-2.5).
_MP3_SAMPLE_RATES = {
    0b11: (44100, 48000, 32000),
    0b10: (22050, 24000, 16000),
    0b00: (11025, 12000, 8000),
}


def _mp3_frame_length(header):
    """The length of the MPEG Layer III frame ``header`` starts, or None if it starts none.

    Layers I and II (MP1, MP2) are not taken: browsers do not reliably play them.
    """
    if len(header) < 4 or header[0] != 0xFF or header[1] & 0xE0 != 0xE0:
        return None
    version_bits = (header[1] >> 3) & 0b11
    layer_bits = (header[1] >> 1) & 0b11
    bitrate_index = header[2] >> 4
    sample_rate_index = (header[2] >> 2) & 0b11
    padding = (header[2] >> 1) & 1
    if (
        version_bits == 0b01  # reserved
        or layer_bits != 0b01  # Layer III
        or bitrate_index in (0b0000, 0b1111)  # free format, or invalid
        or sample_rate_index == 0b11  # reserved
    ):
        return None
    mpeg1 = version_bits == 0b11
    bitrate = _MP3_BITRATES[mpeg1][bitrate_index] * 1000
    sample_rate = _MP3_SAMPLE_RATES[version_bits][sample_rate_index]
    return (144 if mpeg1 else 72) * bitrate // sample_rate + padding


def _mp3_stream_fields(header):
    # Version, layer and sample rate stay the same from frame to frame; the bitrate may not.
    return header[1] & 0xFE, header[2] & 0x0C


def _adts_frame_length(header):
    """The length of the ADTS frame ``header`` starts, or None if it starts none."""
    # Twelve sync bits, then a layer field that MPEG audio never leaves at 00.
    if len(header) < 7 or header[0] != 0xFF or header[1] & 0xF6 != 0xF0:
        return None
    sample_rate_index = (header[2] >> 2) & 0b1111
    frame_length = ((header[3] & 0b11) << 11) | (header[4] << 3) | (header[5] >> 5)
    if sample_rate_index > 12 or frame_length < 7:
        return None
    return frame_length


def _adts_stream_fields(header):
    # ADTS's fixed header: the same in every frame of a stream.
    return header[1], header[2], header[3] >> 4


# MP3 and AAC: ID3v2 before the frames, APEv2 and ID3v1 after them


def _strip_mpeg_tags(path, *, frame_length, stream_fields):
    """Remove ID3v2 (however many are stacked), APEv2 and ID3v1 tags; keep only whole frames.

    MP3 and ADTS streams are bare frames with nothing to say where the audio
    ends, and tag formats come and go (Lyrics3, an ID3v2 tag appended at the
    end, a tag cut in half by a truncated upload, which no tag reader finds).
    So after the tags mutagen knows are deleted, the file is cut after the
    last whole frame of the run that starts it: whatever followed is not audio.
    """
    for _attempt in range(_MOST_TAGS_TO_STRIP):
        size_before = os.path.getsize(path)
        delete_id3_tags(path)
        delete_apev2_tag(path)
        if os.path.getsize(path) == size_before:
            break
    else:
        raise _Unreadable("tags without end")
    with open(path, "r+b") as recording:
        end_of_frames = _end_of_frame_run(recording, frame_length, stream_fields)
        recording.truncate(end_of_frames)


def _end_of_frame_run(recording, frame_length, stream_fields):
    """Where the run of whole frames that starts the file ends.

    mutagen is more lenient: it settles for a couple of frames found anywhere in
    the first megabyte, so a text file with a stray frame sync in it can pass.
    """
    file_size = recording.seek(0, os.SEEK_END)
    offset = 0
    frames = 0
    first_fields = None
    while True:
        recording.seek(offset)
        header = recording.read(_FRAME_HEADER_READ)
        length = frame_length(header)
        if length is None or offset + length > file_size:
            break
        fields = stream_fields(header)
        if first_fields is None:
            first_fields = fields
        elif fields != first_fields:
            break
        offset += length
        frames += 1
    if frames < _FEWEST_FRAMES:
        raise _Unreadable("no run of frames at the start")
    return offset


# Ogg Opus and Vorbis: the comment header


def _strip_ogg_comments(path, *, opens_as):
    _require_one_ogg_stream(path)
    recording = opens_as(path)
    # Opus keeps any binary data that follows the comments through a delete;
    # nothing says what it holds, so it goes too.
    if getattr(recording.tags, "_pad_data", b""):
        recording.tags._pad_data = b""
    recording.delete()


def _require_one_ogg_stream(path):
    """mutagen strips the comments of the first logical stream only.

    A second stream, multiplexed or chained after the first, would keep its own
    comment header, so a file with more than one is refused; so is a file that
    does not end on a whole page (a truncated one, or one with bytes appended).
    """
    serials = set()
    stream_starts = 0
    with open(path, "rb") as recording:
        file_size = recording.seek(0, os.SEEK_END)
        recording.seek(0)
        while recording.tell() < file_size:
            page = OggPage(recording)
            serials.add(page.serial)
            stream_starts += bool(page.first)
    if len(serials) != 1 or stream_starts != 1:
        raise _Unreadable("more than one Ogg stream")


# MP4 and M4A: the boxes that hold user data

# The boxes that playback needs, at the top level and at each level of moov
# that is searched; every other box found there is blanked. Among those blanked:
# udta (iTunes ilst tags, ©xyz and loci locations, device names), meta
# (QuickTime keys such as com.apple.quicktime.location.ISO6709), uuid (XMP,
# vendor data), and free and skip, whose payload can be a tag a tag editor left
# behind. A box of a kind not listed is blanked too, whatever it holds.
_MP4_TOP_LEVEL = None
_MP4_KEPT = {
    _MP4_TOP_LEVEL: {
        b"ftyp",
        b"moov",
        b"mdat",
        b"moof",
        b"mfra",
        b"sidx",
        b"ssix",
        b"styp",
        b"prft",
        b"pdin",
    },
    b"moov": {b"mvhd", b"trak", b"mvex", b"iods"},
    b"trak": {b"tkhd", b"edts", b"mdia", b"tref"},
    b"mdia": {b"mdhd", b"hdlr", b"minf"},
    # A QuickTime minf has a hdlr of its own, for its data reference.
    b"minf": {b"smhd", b"dinf", b"stbl", b"hdlr"},
}


def _blank_mp4_user_data(path):
    """Overwrite every box playback does not need with an empty ``free`` box of its size.

    Boxes are blanked in place rather than removed, so no size or chunk offset
    changes and the audio is left exactly as it was.

    The boxes are walked here rather than with mutagen.mp4.Atoms: Atoms reads
    every ``meta`` as a full box, and a QuickTime ``meta`` (as iPhones write,
    with no version field) throws it off, after which it silently stops
    walking the rest of ``moov``; boxes it never saw would keep their data.
    """
    with open(path, "r+b") as recording:
        file_size = recording.seek(0, os.SEEK_END)
        _blank_unneeded_boxes(recording, _MP4_TOP_LEVEL, 0, file_size)


def _blank_unneeded_boxes(recording, parent_kind, start, end):
    top_level = parent_kind is _MP4_TOP_LEVEL
    for box in _mp4_boxes(recording, start, end, top_level=top_level):
        if box.kind not in _MP4_KEPT[parent_kind]:
            _blank_mp4_box(recording, box)
        elif box.kind in _MP4_KEPT:
            _blank_unneeded_boxes(recording, box.kind, box.payload_start, box.end)
        elif box.kind == b"hdlr" and parent_kind == b"mdia":
            _require_sound_track(recording, box)


def _require_sound_track(recording, handler_box):
    # A video track, or a timed-metadata or text track, carries its data in
    # mdat samples, where no blanking of boxes reaches: only audio is taken.
    recording.seek(handler_box.payload_start + 8)  # past version, flags and pre_defined
    if recording.read(4) != b"soun":
        raise RecordingRefused(NOT_A_RECORDING)


@dataclass(frozen=True)
class _Mp4Box:
    kind: bytes
    start: int
    header_size: int
    end: int

    @property
    def payload_start(self):
        return self.start + self.header_size


def _mp4_boxes(recording, start, end, *, top_level):
    """The boxes between ``start`` and ``end``; any that does not fit there is an error."""
    position = start
    while position < end:
        if end - position < 8:
            raise _Unreadable("bytes left over after the last box")
        recording.seek(position)
        size, kind = struct.unpack(">I4s", recording.read(8))
        header_size = 8
        if size == 1:
            # A 64-bit size follows the type.
            largesize = recording.read(8)
            if len(largesize) < 8:
                raise _Unreadable("truncated box header")
            (size,) = struct.unpack(">Q", largesize)
            header_size = 16
        elif size == 0 and top_level:
            size = end - position  # the last box, running to the end of the file
        if size < header_size or position + size > end:
            raise _Unreadable("box overruns its container")
        yield _Mp4Box(kind, position, header_size, position + size)
        position += size


def _blank_mp4_box(recording, box):
    recording.seek(box.start + 4)
    recording.write(b"free")
    recording.seek(box.payload_start)
    _write_zeros(recording, box.end - box.payload_start)


def _write_zeros(recording, count):
    zeros = bytes(min(count, _BLOCK_SIZE))
    while count > 0:
        written = min(count, len(zeros))
        recording.write(zeros[:written])
        count -= written


# WAV: only the chunks that make the audio

# fmt describes the samples, data holds them, fact counts them for compressed
# formats. LIST/INFO (artist, comment, software), id3, bext (originator and
# description), iXML and the rest are metadata.
_WAVE_AUDIO_CHUNKS = (b"fmt ", b"fact", b"data")


def _keep_only_wave_audio_chunks(path):
    """Rewrite the RIFF file with its fmt, fact and data chunks only, in their order."""
    with open(path, "rb") as source:
        kept = _wave_audio_chunks(source)
        directory = os.path.dirname(path)
        rewritten = tempfile.NamedTemporaryFile(dir=directory, suffix=".upload", delete=False)
        try:
            with rewritten:
                _write_riff_wave(source, kept, rewritten)
            os.replace(rewritten.name, path)
        except BaseException:
            _remove_if_present(rewritten.name)
            raise


def _wave_audio_chunks(source):
    """(kind, payload offset, payload size) of the audio chunks, after checking every chunk fits."""
    file_size = source.seek(0, os.SEEK_END)
    source.seek(0)
    riff, riff_size, wave = struct.unpack("<4sI4s", source.read(12))
    if riff != b"RIFF" or wave != b"WAVE":
        raise _Unreadable("not RIFF/WAVE")
    # Bytes after the RIFF chunk are not part of the file, whatever they are.
    end = min(8 + riff_size, file_size)
    kept = []
    position = 12
    while end - position >= 8:
        source.seek(position)
        kind, size = struct.unpack("<4sI", source.read(8))
        payload_end = position + 8 + size
        if payload_end > file_size:
            raise _Unreadable("chunk runs past the end of the file")
        if kind in _WAVE_AUDIO_CHUNKS:
            if any(kept_kind == kind for kept_kind, _start, _size in kept):
                raise _Unreadable("chunk repeated")
            kept.append((kind, position + 8, size))
        # Odd-sized chunks are followed by a pad byte (which the last may lack).
        position = payload_end + (size & 1)
    kinds = [kind for kind, _start, _size in kept]
    if b"fmt " not in kinds or b"data" not in kinds or kinds.index(b"fmt ") > kinds.index(b"data"):
        raise _Unreadable("no fmt chunk before a data chunk")
    return kept


# PCM, IEEE float, and WAVE_FORMAT_EXTENSIBLE (PCM or float in every file met in practice).
_WAVE_UNCOMPRESSED_FORMATS = {0x0001, 0x0003, 0xFFFE}


def _wave_duration(path, recording):
    # mutagen counts one sample per block. In a compressed WAV (ADPCM, GSM, ...)
    # a block holds many: there the fact chunk gives the number of samples.
    info = recording.info
    if info.audio_format in _WAVE_UNCOMPRESSED_FORMATS:
        return info.length
    with open(path, "rb") as stripped:
        for kind, start, size in _wave_audio_chunks(stripped):
            if kind == b"fact" and size >= 4 and info.sample_rate > 0:
                stripped.seek(start)
                (samples,) = struct.unpack("<I", stripped.read(4))
                return samples / info.sample_rate
    raise _Unreadable("a compressed WAV without a sample count")


def _write_riff_wave(source, chunks, target):
    riff_size = 4 + sum(8 + size + (size & 1) for _kind, _start, size in chunks)
    target.write(struct.pack("<4sI4s", b"RIFF", riff_size, b"WAVE"))
    for kind, start, size in chunks:
        target.write(struct.pack("<4sI", kind, size))
        source.seek(start)
        left = size
        while left > 0:
            block = source.read(min(left, _BLOCK_SIZE))
            if not block:
                raise _Unreadable("chunk cut short")
            target.write(block)
            left -= len(block)
        if size & 1:
            target.write(b"\x00")  # a fresh pad byte: the old one could be anything


_MP3 = _Format(
    "audio/mpeg",
    MP3,
    functools.partial(
        _strip_mpeg_tags, frame_length=_mp3_frame_length, stream_fields=_mp3_stream_fields
    ),
)
_AAC_ADTS = _Format(
    "audio/aac",
    AAC,
    functools.partial(
        _strip_mpeg_tags, frame_length=_adts_frame_length, stream_fields=_adts_stream_fields
    ),
)
_MP4 = _Format("audio/mp4", MP4, _blank_mp4_user_data)
_OGG_OPUS = _Format("audio/ogg", OggOpus, functools.partial(_strip_ogg_comments, opens_as=OggOpus))
_OGG_VORBIS = _Format(
    "audio/ogg", OggVorbis, functools.partial(_strip_ogg_comments, opens_as=OggVorbis)
)
_WAVE = _Format("audio/wav", WAVE, _keep_only_wave_audio_chunks, _wave_duration)
