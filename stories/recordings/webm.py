"""
WebM with Opus, as browsers' MediaRecorder writes it (Chrome, Firefox, Android), remuxed to Ogg
Opus (recordings/audio.py decides what a file is, then strips the Ogg file as any other).

mutagen, which reads and strips every other format, does not read WebM (Matroska). So the
Opus packets are copied as they are, neither decoded nor encoded again (nothing of the sound is
lost, and little time: docs/performance.md), from the WebM into a new Ogg file, with PyAV
(FFmpeg's libraries, carried in its wheel). Nothing of the WebM's container comes along: not
its tags (a title, the application that wrote it), chapters, attachments, nor the track's name
or language. The Ogg file is written with no metadata at all and FFmpeg's "bitexact" flag, so
it does not even name the FFmpeg version that wrote it.

A WebM must hold one track, of Opus: video, a second track (of any kind) or another codec is
not a recording the archive takes (``NotSound``).
"""

import os
import tempfile

import av

from .audio_tags import NotSound, Unreadable, remove_if_present

# Every EBML file (Matroska, WebM) opens with these four bytes; its header then names the
# document type. MediaRecorder writes "webm" with a one-byte size (0x84: four bytes).
EBML_MAGIC = b"\x1a\x45\xdf\xa3"
_WEBM_DOC_TYPE = b"\x42\x82\x84webm"

# An Opus identification header ("OpusHead"): 19 bytes, then for any channel mapping family
# but 0 a stream count, a coupled count and one byte per channel.
_OPUS_HEAD = b"OpusHead"
_OPUS_HEAD_SIZE = 19


def is_webm(head):
    """Whether ``head``, a file's first bytes, opens an EBML header whose document type is webm."""
    return head.startswith(EBML_MAGIC) and _WEBM_DOC_TYPE in head


def remux_webm_to_ogg_opus(path):
    """Replace the WebM at ``path`` with an Ogg Opus file of the same Opus packets."""
    remuxed = tempfile.NamedTemporaryFile(dir=os.path.dirname(path), suffix=".upload", delete=False)
    try:
        with remuxed, open(path, "rb") as source:
            _copy_opus_packets(source, remuxed)
        os.replace(remuxed.name, path)
    except BaseException:
        remove_if_present(remuxed.name)
        raise


def _copy_opus_packets(source, target):
    try:
        # File objects rather than paths: FFmpeg then reads and writes through Python, and no
        # name is ever taken for one of its protocols.
        with av.open(source, "r", format="matroska") as webm:
            sound = _the_opus_track(webm)
            with av.open(target, "w", format="ogg", options={"fflags": "+bitexact"}) as ogg:
                _copy_packets(webm, sound, ogg)
    except av.FFmpegError as error:
        raise Unreadable("FFmpeg could not read or write it") from error


def _the_opus_track(webm):
    streams = list(webm.streams)
    if len(streams) != 1 or streams[0].type != "audio" or streams[0].codec_context.name != "opus":
        raise NotSound
    head = streams[0].codec_context.extradata or b""
    # What follows a whole OpusHead is not Opus's, and would be copied into the Ogg file as is.
    if len(head) < _OPUS_HEAD_SIZE or not head.startswith(_OPUS_HEAD):
        raise Unreadable("no Opus identification header")
    channels, mapping_family = head[9], head[18]
    size = _OPUS_HEAD_SIZE if mapping_family == 0 else _OPUS_HEAD_SIZE + 2 + channels
    if len(head) != size:
        raise Unreadable("an Opus identification header of the wrong size")
    return streams[0]


def _copy_packets(webm, sound, ogg):
    copy = ogg.add_stream_from_template(sound)
    copy.metadata.clear()
    start = None
    for packet in webm.demux(sound):
        if packet.dts is None and packet.size == 0:
            continue  # the demuxer's last, empty packet
        if packet.pts is None or packet.dts is None:
            raise Unreadable("a packet without a time")
        # The Ogg file starts at zero, wherever the WebM's clock started.
        if start is None:
            start = packet.pts
        packet.pts -= start
        packet.dts -= start
        packet.stream = copy
        ogg.mux(packet)
    if start is None:
        raise Unreadable("no sound")
