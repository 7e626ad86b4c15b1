"""
MP4 and M4A (and QuickTime): what identifies is blanked in place, and a fragmented file's
length is read from its fragments (recordings/audio.py decides what a file is).

Phones write tags into boxes of their own (``udta``, ``meta``, ``uuid``), and every MP4 dates
its movie, its tracks and their media (``mvhd``, ``tkhd``, ``mdhd``) to the second it was
recorded. Safari and iOS record fragmented MP4, as a live stream is written: an ``moov`` with
no samples (and no length) first, then ``moof``/``mdat`` pieces, each saying how long its
samples last.

Nothing is moved: a box is overwritten with a ``free`` box of zeros of its size, a date with
zeros, so no size or offset changes and the audio is left exactly as it was. The boxes are
walked here rather than with mutagen.mp4.Atoms: Atoms reads every ``meta`` as a full box, and a
QuickTime ``meta`` (as iPhones write, with no version field) throws it off, after which it
silently stops walking the rest of ``moov``; boxes it never saw would keep their data.
"""

import os
import struct
from collections import defaultdict
from dataclasses import dataclass

from .audio_tags import NotSound, Unreadable

# Zeros are written in pieces of at most this size.
_BLOCK_SIZE = 1024 * 1024

# The boxes that playback needs, at the top level and at each level that is searched; every
# other box found there is blanked. Among those blanked: udta (iTunes ilst tags, ©xyz and loci
# locations, device names), meta (QuickTime keys such as com.apple.quicktime.location.ISO6709),
# uuid (XMP, vendor data), prft (the wall-clock time a fragment was made), and free and skip,
# whose payload can be a tag a tag editor left behind. A box of a kind not listed is blanked
# too, whatever it holds.
_TOP_LEVEL = None
_KEPT = {
    _TOP_LEVEL: {
        b"ftyp",
        b"moov",
        b"mdat",
        b"moof",
        b"mfra",
        b"sidx",
        b"ssix",
        b"styp",
        b"pdin",
    },
    b"moov": {b"mvhd", b"trak", b"mvex", b"iods"},
    b"trak": {b"tkhd", b"edts", b"mdia", b"tref"},
    b"mdia": {b"mdhd", b"hdlr", b"minf"},
    # A QuickTime minf has a hdlr of its own, for its data reference.
    b"minf": {b"smhd", b"dinf", b"stbl", b"hdlr"},
    # A fragmented file: the fragments' defaults, then each fragment's header and track runs.
    b"mvex": {b"mehd", b"trex"},
    b"moof": {b"mfhd", b"traf"},
    b"traf": {b"tfhd", b"tfdt", b"trun", b"sbgp", b"sgpd", b"subs", b"sdtp"},
}

# Boxes that open with a creation and a modification time, after their version and flags:
# 32 bits each in version 0, 64 in version 1. The fragments' times (mfhd's sequence, tfdt's
# decode time) count from the start of the recording and say nothing of when it was made.
_DATED = {b"mvhd", b"tkhd", b"mdhd"}


def blank_mp4_user_data(path):
    """Blank every box playback does not need, and zero the creation and modification times."""
    with open(path, "r+b") as recording:
        file_size = recording.seek(0, os.SEEK_END)
        _blank_unneeded_boxes(recording, _TOP_LEVEL, 0, file_size)


def _blank_unneeded_boxes(recording, parent_kind, start, end):
    top_level = parent_kind is _TOP_LEVEL
    for box in _boxes(recording, start, end, top_level=top_level):
        if box.kind not in _KEPT[parent_kind]:
            _blank_box(recording, box)
        elif box.kind in _KEPT:
            _blank_unneeded_boxes(recording, box.kind, box.payload_start, box.end)
        elif box.kind in _DATED:
            _zero_times(recording, box)
        elif box.kind == b"hdlr" and parent_kind == b"mdia":
            _require_sound_track(recording, box)


def _require_sound_track(recording, handler_box):
    # A video track, or a timed-metadata or text track, carries its data in
    # mdat samples, where no blanking of boxes reaches: only audio is taken.
    recording.seek(handler_box.payload_start + 8)  # past version, flags and pre_defined
    if recording.read(4) != b"soun":
        raise NotSound


def _zero_times(recording, box):
    version = _version(recording, box)
    recording.seek(box.payload_start + 4)
    _write_zeros(recording, _times_size(version, box))


def _version(recording, box):
    recording.seek(box.payload_start)
    version = recording.read(1)
    if version not in (b"\x00", b"\x01"):
        raise Unreadable("a box of an unknown version")
    return version[0]


def _times_size(version, box):
    """The bytes of the creation and modification times, checked to fit in ``box``."""
    size = 16 if version == 1 else 8
    if box.end - box.payload_start < 4 + size + 4:
        raise Unreadable("a box too short for its times")
    return size


@dataclass(frozen=True)
class _Box:
    kind: bytes
    start: int
    header_size: int
    end: int

    @property
    def payload_start(self):
        return self.start + self.header_size


def _boxes(recording, start, end, *, top_level=False):
    """The boxes between ``start`` and ``end``; any that does not fit there is an error."""
    position = start
    while position < end:
        if end - position < 8:
            raise Unreadable("bytes left over after the last box")
        recording.seek(position)
        size, kind = struct.unpack(">I4s", recording.read(8))
        header_size = 8
        if size == 1:
            # A 64-bit size follows the type.
            largesize = recording.read(8)
            if len(largesize) < 8:
                raise Unreadable("truncated box header")
            (size,) = struct.unpack(">Q", largesize)
            header_size = 16
        elif size == 0 and top_level:
            size = end - position  # the last box, running to the end of the file
        if size < header_size or position + size > end:
            raise Unreadable("box overruns its container")
        yield _Box(kind, position, header_size, position + size)
        position += size


def _children(recording, box, kind):
    return (child for child in _boxes(recording, box.payload_start, box.end) if child.kind == kind)


def _blank_box(recording, box):
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


# The length of a fragmented file


def fragments_duration(path):
    """Seconds of audio in the file's fragments (0 for a file with none): its longest track's.

    An ``moov`` gives each track's timescale (``mdhd``) and the fragments' default sample
    duration (``trex``); each fragment's track runs (``trun``) list their samples' durations,
    or count samples of the default duration (``tfhd``'s, else ``trex``'s).
    """
    timescales, default_durations = {}, {}
    ticks = defaultdict(int)
    with open(path, "rb") as recording:
        file_size = recording.seek(0, os.SEEK_END)
        for box in _boxes(recording, 0, file_size, top_level=True):
            if box.kind == b"moov":
                _read_tracks(recording, box, timescales, default_durations)
            elif box.kind == b"moof":
                for traf in _children(recording, box, b"traf"):
                    track, fragment_ticks = _track_fragment_ticks(
                        recording, traf, default_durations
                    )
                    ticks[track] += fragment_ticks
    if not ticks.keys() <= timescales.keys():
        raise Unreadable("a fragment of a track the movie does not have")
    return max((ticks[track] / timescales[track] for track in ticks), default=0.0)


def _read_tracks(recording, moov, timescales, default_durations):
    for trak in _children(recording, moov, b"trak"):
        (track,) = _fields_after_times(recording, _only_child(recording, trak, b"tkhd"), ">I")
        mdia = _only_child(recording, trak, b"mdia")
        (timescale,) = _fields_after_times(recording, _only_child(recording, mdia, b"mdhd"), ">I")
        if timescale == 0:
            raise Unreadable("a track without a timescale")
        timescales[track] = timescale
    for mvex in _children(recording, moov, b"mvex"):
        for trex in _children(recording, mvex, b"trex"):
            track, _description, duration = _fields(recording, trex, 4, ">III")
            default_durations[track] = duration


def _track_fragment_ticks(recording, traf, default_durations):
    tfhd = _only_child(recording, traf, b"tfhd")
    flags, track = _fields(recording, tfhd, 0, ">II")
    flags &= 0xFFFFFF
    # base-data-offset (8 bytes) and sample-description-index (4) come before the duration.
    offset = 8 + (8 if flags & 0x01 else 0) + (4 if flags & 0x02 else 0)
    if flags & 0x08:
        (default_duration,) = _fields(recording, tfhd, offset, ">I")
    else:
        default_duration = default_durations.get(track, 0)
    ticks = sum(
        _track_run_ticks(recording, trun, default_duration)
        for trun in _children(recording, traf, b"trun")
    )
    return track, ticks


def _track_run_ticks(recording, trun, default_duration):
    flags, count = _fields(recording, trun, 0, ">II")
    flags &= 0xFFFFFF
    # data-offset and first-sample-flags come before the samples, if present.
    table = 8 + (4 if flags & 0x001 else 0) + (4 if flags & 0x004 else 0)
    # Each sample: duration, size, flags, composition time offset, each 4 bytes if present.
    fields = [flags & bit for bit in (0x100, 0x200, 0x400, 0x800)]
    sample_size = 4 * sum(1 for present in fields if present)
    if trun.payload_start + table + count * sample_size > trun.end:
        raise Unreadable("a track run longer than its box")
    if not fields[0]:
        return count * default_duration
    recording.seek(trun.payload_start + table)
    samples = recording.read(count * sample_size)
    return sum(sample[0] for sample in struct.iter_unpack(f">{sample_size // 4}I", samples))


def _only_child(recording, box, kind):
    found = list(_children(recording, box, kind))
    if len(found) != 1:
        raise Unreadable(f"not one {kind!r} box")
    return found[0]


def _fields_after_times(recording, box, layout):
    """The fields that follow a dated box's version, flags and times (a track ID, a timescale)."""
    size = _times_size(_version(recording, box), box)
    return _fields(recording, box, 4 + size, layout)


def _fields(recording, box, offset, layout):
    size = struct.calcsize(layout)
    if box.payload_start + offset + size > box.end:
        raise Unreadable("a box too short for its fields")
    recording.seek(box.payload_start + offset)
    return struct.unpack(layout, recording.read(size))
