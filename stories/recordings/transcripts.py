"""
Time-coded transcripts of recordings, read from and written as WebVTT.

Nobody types a transcript here: they come out of outside tools (speech
recognisers, subtitle editors, a volunteer's word processor), and a moderator
uploads or pastes one in the admin. parse_webvtt() therefore reads what such
tools really write -- a byte-order mark, Windows line ends, SRT's commas in
times, cue settings, styling and voice tags -- and refuses, with a message that
names the line, what would otherwise go wrong unnoticed: a cue a player would
silently drop, text that belongs to no cue, times out of order. What it keeps
is plain text. Tags go, and with them the speaker names of ``<v Name>`` tags,
which no moderator has checked the way they check a narrator's own name.

The stored cues are served to the audio player as captions, a ``<track>``
element's WebVTT file, which to_webvtt() writes: whatever a transcript's text
says, it cannot end a cue or open a tag there.

Both follow https://www.w3.org/TR/webvtt1/, forgiving where that is harmless
and strict where a mistake would change what listeners see.
"""

import bisect
import datetime
import html
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# A long interview runs to a few thousand cues; the limits keep a pasted
# mistake (a whole book, a binary file) from being parsed, stored and served.
MAX_CUES = 5_000
MAX_CHARACTERS = 500_000
MAX_CUE_LENGTH = 5_000

# Few messages, each to be translated: several mistakes share one.
NOT_WEBVTT = _("A WebVTT transcript starts with the line “WEBVTT”.")
BAD_TIMING = _("Line %(line)d: times must look like “00:01:02.500 --> 00:01:05.000”.")
ENDS_BEFORE_START = _("Line %(line)d: the cue ends before it starts.")
OUT_OF_ORDER = _("Line %(line)d: cues must be in time order.")
OUTSIDE_CUE = _("Line %(line)d: this text is in no cue (a blank line ends a cue’s text).")
BAD_CLOCK = _("Type a time as minutes and seconds (1:05) or hours, minutes and seconds (1:02:03).")
NO_CUES = _("The transcript has no cues with a time and text.")
TOO_LONG = _("The transcript is too long: at most %(cues)d cues and %(characters)d characters.")
CUE_TOO_LONG = _("Line %(line)d: the cue’s text is too long: at most %(characters)d characters.")

# ASCII digits only ("\d" would take other scripts' digits). Hours come only
# with a second colon, so "12:34.000" is minutes and seconds, as in the spec.
_TIMESTAMP = r"(?:([0-9]+):)?([0-9]{2}):([0-9]{2})[.,]([0-9]{3})"
# The settings after the end time (align:start position:10% ...) place a
# caption on a screen; an audio player has none, so they are read past.
_TIMING_LINE = re.compile(rf"[ \t]*{_TIMESTAMP}[ \t]*-->[ \t]*{_TIMESTAMP}(?:[ \t].*)?")
# A timing line mistyped ("00:01.000 -> 00:02.000", "0:01 - 0:02"), as
# opposed to text that happens to start with a time ("12:30, we met").
_TIME_LIKE = re.compile(r"[ \t]*[0-9]+:[0-9].*[0-9]:[0-9]")
_SKIPPED_BLOCK = re.compile(r"(?:NOTE|STYLE|REGION)(?:[ \t]|$)")
# A tag as the spec's tokenizer reads one: from "<" and a letter (or "/" and a
# letter) to ">" or, unclosed, to the end of the text, so that "<v Maria" with
# its ">" forgotten still takes the name with it. Timestamp tags
# (<00:00:05.000>) need their ">": "I was <5" is text, not a tag.
_TAG = re.compile(r"<(?:/?[A-Za-z][^>]*>?|[0-9][0-9:.]*>)")
# Control characters are invisible, and a NUL would be stored in the
# database; tab and line feed are the only ones text needs.
# A word, for comparing a written story with its transcript (same_words).
_WORD = re.compile(r"\w+")
# A time as clock() writes it, typed by a moderator: "1:05", "12:05", "1:02:03".
_CLOCK = re.compile(r"(?:([0-9]{1,3}):([0-9]{2})|([0-9]{1,4})):([0-9]{2})")
# Paragraphs of a pasted transcript: separated by a blank line (or one of spaces).
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

# How long the last cue lasts when nothing says where the recording ends.
_LAST_CUE_MS = 5_000
_LATEST_MS = datetime.timedelta.max // datetime.timedelta(milliseconds=1)


@dataclass(frozen=True)
class Cue:
    start: datetime.timedelta
    # None: until the next cue starts (or the recording ends).
    end: datetime.timedelta | None
    # Plain text: tags removed, entities resolved, lines joined by "\n".
    text: str


def parse_webvtt(text: str) -> list[Cue]:
    """The cues of a WebVTT file, in time order; ValidationError names what is wrong."""
    if len(text) > MAX_CHARACTERS:
        raise _too_long()
    lines = _clean(text.removeprefix("\ufeff")).split("\n")
    if not (lines[0] == "WEBVTT" or lines[0].startswith(("WEBVTT ", "WEBVTT\t"))):
        raise ValidationError(NOT_WEBVTT, code="not_webvtt")
    cues = []
    previous_start = None
    for first, block in _blocks(lines):
        if "-->" in block[0]:
            at = 0
        elif len(block) > 1 and "-->" in block[1]:
            at = 1  # after the cue's identifier
        else:
            _check_not_a_cue(first, block)
            continue
        line = first + at
        start, end = _timing(block[at], line)
        if end <= start:
            raise _line_error(ENDS_BEFORE_START, "ends_before_start", line)
        if previous_start is not None and start < previous_start:
            raise _line_error(OUT_OF_ORDER, "out_of_order", line)
        previous_start = start
        cue_text = _cue_text(block[at + 1 :])
        if not cue_text:
            continue  # an empty cue is valid WebVTT, and shows nothing
        if len(cue_text) > MAX_CUE_LENGTH:
            raise _line_error(CUE_TOO_LONG, "cue_too_long", line, characters=MAX_CUE_LENGTH)
        cues.append(Cue(start, end, cue_text))
        if len(cues) > MAX_CUES:
            raise _too_long()
    if not cues:
        raise ValidationError(NO_CUES, code="no_cues")
    return cues


def to_webvtt(cues: Iterable[Cue], *, duration: float | None = None, note: str = "") -> str:
    """A WebVTT file of ``cues`` for a ``<track>``; ``duration`` (seconds) ends the last one.

    ``note``: a line said at the top of the file (a NOTE block), which players do not show.

    A cue without an end lasts until a later cue starts, the last one until
    ``duration``. One that would then end before it starts (no duration, or
    one too short) lasts 5 seconds; so does one whose own end is not after
    its start, which players would drop.
    """
    prepared = []
    for cue in cues:
        lines = _escaped_lines(cue.text)
        if lines:  # a cue of nothing but blank lines would show nothing
            end = None if cue.end is None else _milliseconds(cue.end)
            prepared.append((_milliseconds(cue.start), end, lines))
    # Players expect cues in time order; the file would be invalid otherwise.
    prepared.sort(key=lambda cue: cue[0])
    starts = [start for start, _end, _lines in prepared]
    recording_end = None
    # Not a number, negative, or past what a timedelta (so parse_webvtt()) holds: no duration.
    if duration is not None and 0 <= duration * 1000 <= _LATEST_MS:
        recording_end = math.floor(duration * 1000)
    blocks = []
    for start, end, lines in prepared:
        if end is None:
            # Not the next cue's start if that is the same as this one's.
            later = bisect.bisect_right(starts, start)
            end = starts[later] if later < len(starts) else recording_end
        if end is None or end <= start:
            end = start + _LAST_CUE_MS
        blocks.append(f"{_timestamp(start)} --> {_timestamp(end)}\n" + "\n".join(lines) + "\n")
    heading = f"NOTE {' '.join(note.split())}\n\n" if note and "-->" not in note else ""
    return "WEBVTT\n\n" + heading + "\n".join(blocks)


def clock(td: datetime.timedelta) -> str:
    """A time for people: "1:05" under an hour, "1:02:03" from an hour on."""
    seconds = max(td // datetime.timedelta(seconds=1), 0)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{seconds:02d}"
    return f"{minutes}:{seconds:02d}"


def moment(td: datetime.timedelta) -> str:
    """A time as a media fragment ("t=65.000"), after a recording's or a story page's address."""
    return f"t={td.total_seconds():.3f}"


def parse_clock(text: str) -> datetime.timedelta:
    """The time ``text`` says, typed as clock() writes it; ValidationError otherwise."""
    match = _CLOCK.fullmatch(text.strip())
    if match is None:
        raise ValidationError(BAD_CLOCK, code="bad_clock")
    hours, minutes_after_hours, minutes, seconds = match.groups()
    minutes = int(minutes_after_hours or minutes)
    if int(seconds) > 59 or (hours is not None and minutes > 59):
        raise ValidationError(BAD_CLOCK, code="bad_clock")
    return datetime.timedelta(hours=int(hours or 0), minutes=minutes, seconds=int(seconds))


def paragraphs(text: str) -> list[str]:
    """The paragraphs of a transcript typed or pasted as plain text, blank lines between them."""
    return [part.strip() for part in _PARAGRAPH_BREAK.split(_clean(text)) if part.strip()]


def to_text(cues: Iterable[Cue]) -> str:
    """A transcript as plain text for a reader to download: each paragraph after its time."""
    return "\n\n".join(f"[{clock(cue.start)}]\n{cue.text}" for cue in cues) + "\n"


def same_words(written: str, spoken: Iterable[str]) -> bool:
    """Whether a story's written text and its transcript say the same words.

    Compared after folding case, spacing and punctuation, so that a transcript
    cut into paragraphs at other places, or typed with other quotes, still counts.
    """
    words = _WORD.findall(written.casefold())
    return bool(words) and words == _WORD.findall(" ".join(spoken).casefold())


def _clean(text):
    """``text`` with line feeds for its line ends, and no other control character but tab."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _blocks(lines):
    """The blocks after the header, as (number of their first line, their lines).

    As in the spec's parser, a block ends at a blank line, or where a line
    with "-->" comes that cannot be its timing line (its first or second
    line, and the first with "-->"): that line starts the next block, so a
    file with no blank lines between cues still reads as one cue each. A line
    of spaces counts as blank: the spec would make the next cue's identifier
    part of this cue's text.
    """
    block, first = [], 0
    in_header = True  # "WEBVTT" and the lines up to the first blank line
    for number, line in enumerate(lines[1:], start=2):
        blank = not line.strip()
        arrow = "-->" in line
        if in_header:
            if not (blank or arrow):
                continue  # "Kind: captions" and the like, which tools write
            in_header = False
        if blank or (arrow and block and (len(block) > 1 or "-->" in block[0])):
            if block:
                yield first, block
            block = []
            if blank:
                continue
        if not block:
            first = number
        block.append(line)
    if block:
        yield first, block


def _check_not_a_cue(first, block):
    """Pass over comments, styles and regions; refuse anything else without a timing line.

    The spec ignores such a block, but a player would then never show its
    text: it is nearly always a cue whose time was mistyped, or the rest of
    a cue's text after a blank line.
    """
    if _SKIPPED_BLOCK.match(block[0]):
        return
    for offset, line in enumerate(block[:2]):
        if _TIME_LIKE.match(line):
            raise _line_error(BAD_TIMING, "bad_timing", first + offset)
    raise _line_error(OUTSIDE_CUE, "outside_cue", first)


def _timing(line, number):
    match = _TIMING_LINE.fullmatch(line)
    start = match and _time(*match.group(1, 2, 3, 4))
    end = match and _time(*match.group(5, 6, 7, 8))
    if start is None or end is None:
        raise _line_error(BAD_TIMING, "bad_timing", number)
    return start, end


def _time(hours, minutes, seconds, milliseconds):
    # int() refuses strings of thousands of digits, and timedelta overflows
    # past some 24 billion hours: no recording is that long.
    if int(minutes) > 59 or int(seconds) > 59 or len((hours or "").lstrip("0")) > 11:
        return None
    try:
        return datetime.timedelta(
            hours=int(hours or 0),
            minutes=int(minutes),
            seconds=int(seconds),
            milliseconds=int(milliseconds),
        )
    except OverflowError:
        return None


def _cue_text(lines):
    # Tags first: "&lt;b&gt;" is the text "<b>", not a tag. Entities may
    # stand for line ends and control characters, so cleaning comes after.
    text = _clean(html.unescape(_TAG.sub("", "\n".join(lines))))
    return "\n".join(line.strip() for line in text.split("\n") if line.strip())


def _escaped_lines(text):
    # With ">" escaped no line can hold "-->"; with "<" and "&" escaped
    # none can open a tag or stand for anything but itself. Blank lines
    # would end the cue and are left out; lines are stripped as parse_webvtt()
    # strips them, so a file written here reads back to the same text.
    text = _clean(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return [line.strip() for line in text.split("\n") if line.strip()]


def _milliseconds(td):
    # WebVTT times stop at milliseconds: rounded down, and never before the recording starts.
    return max(td // datetime.timedelta(milliseconds=1), 0)


def _timestamp(milliseconds):
    hours, milliseconds = divmod(milliseconds, 3_600_000)
    minutes, milliseconds = divmod(milliseconds, 60_000)
    seconds, milliseconds = divmod(milliseconds, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{milliseconds:03d}"


def _line_error(message, code, line, **params):
    return ValidationError(message, code=code, params={"line": line, **params})


def _too_long():
    return ValidationError(
        TOO_LONG, code="too_long", params={"cues": MAX_CUES, "characters": MAX_CHARACTERS}
    )
