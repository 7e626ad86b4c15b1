"""
Every place each accepted format keeps tags in, emptied in place (recordings/audio.py decides
what a file is, and takes or refuses it; this module only strips).

A stripper raises ``Unreadable`` when the file does not follow the format it claims, and
``NotSound`` when it holds a track of another kind than sound. MP4's boxes are in
recordings/mp4.py, WebM's remux in recordings/webm.py.
"""

import os
import struct
import tempfile

from mutagen.apev2 import delete as delete_apev2_tag
from mutagen.id3 import delete as delete_id3_tags
from mutagen.ogg import OggPage

# A copy is written and read in pieces this size: uploads can be tens of megabytes.
_BLOCK_SIZE = 1024 * 1024

# Enough bytes for an MP3 (4) or ADTS (7) frame header.
FRAME_HEADER_READ = 7
# As many frames in a row as mutagen wants before it believes an ADTS stream.
_FEWEST_FRAMES = 3

# Enough for any real file; a file that keeps yielding tags to strip is not one.
MOST_TAGS_TO_STRIP = 16


class Unreadable(Exception):
    """The file claims a format it then does not follow."""


class NotSound(Exception):
    """The file holds a track that is not sound (video, text, timed metadata)."""


def remove_if_present(path):
    try:
        os.remove(path)
    except FileNotFoundError:
        pass


# MP3 and AAC: ID3v2 before the frames, APEv2 and ID3v1 after them


def strip_mpeg_tags(path, *, frame_length, stream_fields):
    """Remove ID3v2 (however many are stacked), APEv2 and ID3v1 tags; keep only whole frames.

    MP3 and ADTS streams are bare frames with nothing to say where the audio
    ends, and tag formats come and go (Lyrics3, an ID3v2 tag appended at the
    end, a tag cut in half by a truncated upload, which no tag reader finds).
    So after the tags mutagen knows are deleted, the file is cut after the
    last whole frame of the run that starts it: whatever followed is not audio.
    """
    for _attempt in range(MOST_TAGS_TO_STRIP):
        size_before = os.path.getsize(path)
        delete_id3_tags(path)
        delete_apev2_tag(path)
        if os.path.getsize(path) == size_before:
            break
    else:
        raise Unreadable("tags without end")
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
        header = recording.read(FRAME_HEADER_READ)
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
        raise Unreadable("no run of frames at the start")
    return offset


# Ogg Opus and Vorbis: the comment header


def strip_ogg_comments(path, *, opens_as):
    _require_one_ogg_stream(path)
    recording = opens_as(path)
    # Opus keeps any binary data that follows the comments through a delete;
    # nothing says what it holds, so it goes too.
    if getattr(recording.tags, "_pad_data", b""):
        recording.tags._pad_data = b""
    # The vendor string, which a delete keeps, names the software that wrote the file
    # ("Lavf58.76.100", a phone's recorder app): it goes too, as it may in any Ogg file.
    recording.tags.vendor = ""
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
        raise Unreadable("more than one Ogg stream")


# WAV: only the chunks that make the audio

# fmt describes the samples, data holds them, fact counts them for compressed
# formats. LIST/INFO (artist, comment, software), id3, bext (originator and
# description), iXML and the rest are metadata.
_WAVE_AUDIO_CHUNKS = (b"fmt ", b"fact", b"data")


def keep_only_wave_audio_chunks(path):
    """Rewrite the RIFF file with its fmt, fact and data chunks only, in their order."""
    with open(path, "rb") as source:
        kept = wave_audio_chunks(source)
        directory = os.path.dirname(path)
        rewritten = tempfile.NamedTemporaryFile(dir=directory, suffix=".upload", delete=False)
        try:
            with rewritten:
                _write_riff_wave(source, kept, rewritten)
            os.replace(rewritten.name, path)
        except BaseException:
            remove_if_present(rewritten.name)
            raise


def wave_audio_chunks(source):
    """(kind, payload offset, payload size) of the audio chunks, after checking every chunk fits."""
    file_size = source.seek(0, os.SEEK_END)
    source.seek(0)
    riff, riff_size, wave = struct.unpack("<4sI4s", source.read(12))
    if riff != b"RIFF" or wave != b"WAVE":
        raise Unreadable("not RIFF/WAVE")
    # Bytes after the RIFF chunk are not part of the file, whatever they are.
    end = min(8 + riff_size, file_size)
    kept = []
    position = 12
    while end - position >= 8:
        source.seek(position)
        kind, size = struct.unpack("<4sI", source.read(8))
        payload_end = position + 8 + size
        if payload_end > file_size:
            raise Unreadable("chunk runs past the end of the file")
        if kind in _WAVE_AUDIO_CHUNKS:
            if any(kept_kind == kind for kept_kind, _start, _size in kept):
                raise Unreadable("chunk repeated")
            kept.append((kind, position + 8, size))
        # Odd-sized chunks are followed by a pad byte (which the last may lack).
        position = payload_end + (size & 1)
    kinds = [kind for kind, _start, _size in kept]
    if b"fmt " not in kinds or b"data" not in kinds or kinds.index(b"fmt ") > kinds.index(b"data"):
        raise Unreadable("no fmt chunk before a data chunk")
    return kept


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
                raise Unreadable("chunk cut short")
            target.write(block)
            left -= len(block)
        if size & 1:
            target.write(b"\x00")  # a fresh pad byte: the old one could be anything
