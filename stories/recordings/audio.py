"""
Recordings are taken by what they contain, and kept without their tags.

A narrator's voice recording carries more than the voice. Phones and recording
apps write tags into the file: an artist or title that is the narrator's name,
the place it was recorded (a street name, or GPS coordinates), the phone's make
and model, a comment. For a narrator who may be undocumented, any of these can
say who and where they are. So nothing uploaded is kept as it came:

- The type is decided by the file's bytes, never by its name or the browser's
  content type (both are the sender's to choose), and only the few formats a
  browser can play are taken, with WebM, which browsers record in: it is kept
  as Ogg Opus, the same sound in a container mutagen reads (recordings/webm.py).
- Every place each format keeps tags in is emptied before the file is stored,
  and the stripped file must still read as the same kind of audio, with a
  length, or it is refused.
- The uploaded file's name is never read: it can be the narrator's name too.
- A recording longer than RECORDING_MAX_SECONDS is refused.

The work is done on a temporary copy, which is removed when the caller is done
with it, refused or not. This module tells the formats apart and takes or refuses
a file; recordings/audio_tags.py empties each format's tags, recordings/mp4.py MP4's.
"""

import functools
import math
import os
import struct
import tempfile
from collections.abc import Callable
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.files import File
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from mutagen import MutagenError
from mutagen.aac import AAC
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis
from mutagen.wave import WAVE

from .audio_tags import (
    FRAME_HEADER_READ,
    MOST_TAGS_TO_STRIP,
    NotSound,
    Unreadable,
    keep_only_wave_audio_chunks,
    remove_if_present,
    strip_mpeg_tags,
    strip_ogg_comments,
    wave_audio_chunks,
)
from .mp4 import blank_mp4_user_data, fragments_duration
from .webm import is_webm, remux_webm_to_ogg_opus

# What the archive serves each kind as, and the extension it stores it under.
ACCEPTED_TYPES = {
    "audio/mpeg": "mp3",
    "audio/mp4": "m4a",
    "audio/aac": "aac",
    "audio/ogg": "ogg",
    "audio/wav": "wav",
}

NOT_A_RECORDING = _(
    "This file is not a recording we can take. Send an MP3, M4A, AAC, OGG/Opus, WebM or WAV file."
)
UNREADABLE_RECORDING = _("This recording is empty or could not be read.")


def too_long_message():
    """What a narrator is told of a recording over RECORDING_MAX_SECONDS, in their language."""
    minutes = max(1, settings.RECORDING_MAX_SECONDS // 60)
    return ngettext(
        "This recording is longer than %(minutes)d minute, the most we can take. Send a "
        "shorter recording, or split your story in two and send each part as its own story.",
        "This recording is longer than %(minutes)d minutes, the most we can take. Send a "
        "shorter recording, or split your story in two and send each part as its own story.",
        minutes,
    ) % {"minutes": minutes}


class RecordingRefused(Exception):
    """The upload is not a recording the archive takes; ``message`` tells the narrator why.

    ``code`` names the reason for a form ("not_audio", or "too_long").
    """

    def __init__(self, message=NOT_A_RECORDING, code="not_audio"):
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self):
        return str(self.message)


# What mutagen raises on malformed input besides its own MutagenError: its parsers
# unpack, index and assert on whatever bytes they are given.
_READ_ERRORS = (
    MutagenError,
    Unreadable,
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
    cleanup.callback(remove_if_present, copy.name)
    with copy:
        for chunk in uploaded_file.chunks():
            copy.write(chunk)
    return copy.name


def _checked_and_stripped(path):
    recording_format = _format_of(path)
    if recording_format is None:
        raise RecordingRefused(NOT_A_RECORDING)
    try:
        recording_format.strip(path)
        duration = _confirmed_duration(path, recording_format)
    except NotSound as error:
        raise RecordingRefused(NOT_A_RECORDING) from error
    except _READ_ERRORS as error:
        raise RecordingRefused(UNREADABLE_RECORDING) from error
    if duration > settings.RECORDING_MAX_SECONDS:
        raise RecordingRefused(too_long_message(), code="too_long")
    return recording_format.becomes or recording_format, duration


def _confirmed_duration(path, recording_format):
    """The stripped file must still be the same kind of audio (or what it became), with a length."""
    if _format_of(path) is not (recording_format.becomes or recording_format):
        raise Unreadable("stripping changed what the file is")
    recording = recording_format.opens_as(path)
    duration = float(recording_format.duration_of(path, recording))
    if not (math.isfinite(duration) and duration > 0):
        raise Unreadable("no length")
    return duration


# Telling formats apart by their first bytes


@dataclass(frozen=True)
class _Format:
    mime_type: str
    opens_as: type
    strip: Callable[[str], None]
    duration_of: Callable[[str, object], float] = lambda path, recording: recording.info.length
    # What the file is once stripped, if not what it was (a WebM becomes Ogg Opus).
    becomes: "_Format | None" = None


def _format_of(path):
    """The accepted format the file's first bytes announce, or None."""
    with open(path, "rb") as recording:
        head = recording.read(64)
        if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
            return _WAVE
        if head[4:8] == b"ftyp":
            return _MP4
        if is_webm(head):
            return _WEBM
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
        return _mpeg_format_of_frame_header(recording.read(FRAME_HEADER_READ))


def _end_of_leading_id3v2_tags(recording):
    offset = 0
    for _attempt in range(MOST_TAGS_TO_STRIP):
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


# A compressed WAV's length

# PCM, IEEE float, and WAVE_FORMAT_EXTENSIBLE (PCM or float in every file met in practice).
_WAVE_UNCOMPRESSED_FORMATS = {0x0001, 0x0003, 0xFFFE}


def _wave_duration(path, recording):
    # mutagen counts one sample per block. In a compressed WAV (ADPCM, GSM, ...)
    # a block holds many: there the fact chunk gives the number of samples.
    info = recording.info
    if info.audio_format in _WAVE_UNCOMPRESSED_FORMATS:
        return info.length
    with open(path, "rb") as stripped:
        for kind, start, size in wave_audio_chunks(stripped):
            if kind == b"fact" and size >= 4 and info.sample_rate > 0:
                stripped.seek(start)
                (samples,) = struct.unpack("<I", stripped.read(4))
                return samples / info.sample_rate
    raise Unreadable("a compressed WAV without a sample count")


# The accepted formats: how each is opened, stripped and measured

_MP3 = _Format(
    "audio/mpeg",
    MP3,
    functools.partial(
        strip_mpeg_tags, frame_length=_mp3_frame_length, stream_fields=_mp3_stream_fields
    ),
)
_AAC_ADTS = _Format(
    "audio/aac",
    AAC,
    functools.partial(
        strip_mpeg_tags, frame_length=_adts_frame_length, stream_fields=_adts_stream_fields
    ),
)
_MP4 = _Format(
    "audio/mp4",
    MP4,
    blank_mp4_user_data,
    # A fragmented MP4 (Safari's) has no samples, and no length, in its moov.
    lambda path, recording: recording.info.length + fragments_duration(path),
)
_OGG_OPUS = _Format("audio/ogg", OggOpus, functools.partial(strip_ogg_comments, opens_as=OggOpus))


def _remux_and_strip_webm(path):
    remux_webm_to_ogg_opus(path)
    _OGG_OPUS.strip(path)


_WEBM = _Format("audio/ogg", OggOpus, _remux_and_strip_webm, becomes=_OGG_OPUS)
_OGG_VORBIS = _Format(
    "audio/ogg", OggVorbis, functools.partial(strip_ogg_comments, opens_as=OggVorbis)
)
_WAVE = _Format("audio/wav", WAVE, keep_only_wave_audio_chunks, _wave_duration)
