"""
Transcripts in WebVTT (stories/recordings/transcripts.py): what outside tools write is read,
what would mislead listeners is refused with the line it is on, and what is
served as captions is always a valid file.

No database: these are pure functions.
"""

import datetime
import os

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.functional import Promise
from hypothesis import given, settings
from hypothesis import strategies as st

from stories.recordings import transcripts
from stories.recordings.transcripts import Cue, clock, parse_webvtt, to_webvtt

# The pure functions are fast: more examples than the form tests' 40.
EXAMPLES = settings(
    max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", 300)),
    deadline=None,
    database=None,  # nothing written into the working tree
)


def t(seconds):
    return datetime.timedelta(seconds=seconds)


def refusal(text):
    """The one ValidationError parse_webvtt() raises for ``text``."""
    with pytest.raises(ValidationError) as caught:
        parse_webvtt(text)
    error = caught.value
    assert len(error.messages) == 1
    return error


REALISTIC = (
    "\ufeffWEBVTT - Interview with Maria, recorded 2025-03-14\r\n"
    "Kind: captions\r\n"
    "Language: es\r\n"
    "\r\n"
    "NOTE exported by a subtitle editor;\r\n"
    "checked by nobody yet\r\n"
    "\r\n"
    "STYLE\r\n"
    "::cue { color: yellow }\r\n"
    "\r\n"
    "intro\r\n"
    "00:00:01.000 --> 00:00:04.500 align:start position:10%\r\n"
    "<v Maria>When the city said it would not ask,</v>\r\n"
    "<i>my mother</i> went to the clinic.\r\n"
    "\r\n"
    "2\r\n"
    "00:00:04.500 --> 00:00:09.000 line:0 size:80%\r\n"
    "<v.loud Maria Lopez>Tom &amp; Jerry&nbsp;&lt;3 &#233;&#x1F600;\r\n"
    "   <c.yellow>with spaces</c>   \r\n"
    "\r\n"
    "00:00:09.000 --> 00:00:12.250\r\n"
    "<lang en>Karaoke</lang> <00:00:10.000>word <b>by</b> <u>word</u>"
    " <ruby>漢<rt>kan</rt></ruby>\r\n"
    "\r\n"
    "NOTE a comment between cues\r\n"
    "\r\n"
    "00:00:12.250 --> 00:00:15.000\r\n"
    "&lrm;the end&rlm;\r\n"
)


def test_a_realistic_file():
    assert parse_webvtt(REALISTIC) == [
        Cue(t(1), t(4.5), "When the city said it would not ask,\nmy mother went to the clinic."),
        Cue(t(4.5), t(9), "Tom & Jerry\xa0<3 é😀\nwith spaces"),
        Cue(t(9), t(12.25), "Karaoke word by word 漢kan"),
        Cue(t(12.25), t(15), "\u200ethe end\u200f"),
    ]


def test_no_speaker_name_survives():
    text = "WEBVTT\n\n00:01.000 --> 00:02.000\n<v Maria Lopez>Hello</v>\n<v Maria Lopez\n"
    assert parse_webvtt(text) == [Cue(t(1), t(2), "Hello")]


def test_old_mac_line_ends_and_tab_after_header():
    text = "WEBVTT\tfrom an old tool\r\r00:01.000 --> 00:02.000\rHello\r"
    assert parse_webvtt(text) == [Cue(t(1), t(2), "Hello")]


def test_hours_form():
    text = (
        "WEBVTT\n\n"
        "1:02:03.004 --> 01:02:05.000\nOne hour in\n\n"
        "123:00:00.000 --> 123:00:01.999\nA very long recording\n"
    )
    assert parse_webvtt(text) == [
        Cue(
            datetime.timedelta(hours=1, minutes=2, seconds=3, milliseconds=4),
            datetime.timedelta(hours=1, minutes=2, seconds=5),
            "One hour in",
        ),
        Cue(
            datetime.timedelta(hours=123),
            datetime.timedelta(hours=123, seconds=1, milliseconds=999),
            "A very long recording",
        ),
    ]


def test_comma_decimals_as_in_srt():
    text = "WEBVTT\n\n1\n00:00:01,500 --> 00:00:02,250\nPasted from an SRT file\n"
    assert parse_webvtt(text) == [Cue(t(1.5), t(2.25), "Pasted from an SRT file")]


def test_no_spaces_around_the_arrow():
    assert parse_webvtt("WEBVTT\n\n00:01.000-->00:02.000\nHi") == [Cue(t(1), t(2), "Hi")]


def test_cues_without_blank_lines_between_them():
    text = "WEBVTT\n00:01.000 --> 00:02.000\nFirst\n00:02.000 --> 00:03.000\nSecond\n"
    assert parse_webvtt(text) == [Cue(t(1), t(2), "First"), Cue(t(2), t(3), "Second")]


def test_blank_lines_of_spaces_separate_cues():
    text = "WEBVTT\n\n1\n00:01.000 --> 00:02.000\nFirst\n   \n2\n00:02.000 --> 00:03.000\nSecond"
    assert parse_webvtt(text) == [Cue(t(1), t(2), "First"), Cue(t(2), t(3), "Second")]


def test_cues_without_text_are_skipped():
    text = (
        "WEBVTT\n\n"
        "00:01.000 --> 00:02.000\n\n"
        "00:02.000 --> 00:03.000\n<v Maria></v>\n  &#32;  \n\n"
        "00:03.000 --> 00:04.000\nSaid\n"
    )
    assert parse_webvtt(text) == [Cue(t(3), t(4), "Said")]


def test_cues_may_start_together():
    text = "WEBVTT\n\n00:01.000 --> 00:03.000\nOne\n\n00:01.000 --> 00:02.000\nTwo\n"
    assert [cue.text for cue in parse_webvtt(text)] == ["One", "Two"]


def test_control_characters_are_stripped():
    text = "WEBVTT\n\n00:01.000 --> 00:02.000\nHel\x00lo\x07\x1b[31m\x85 &#1;there\tyou\n"
    assert parse_webvtt(text) == [Cue(t(1), t(2), "Hello[31m there\tyou")]


def test_entities_that_stand_for_line_ends_make_lines():
    text = "WEBVTT\n\n00:01.000 --> 00:02.000\none&#13;&#10;&#10;two\n"
    assert parse_webvtt(text) == [Cue(t(1), t(2), "one\ntwo")]


def test_a_lone_less_than_sign_is_text():
    text = "WEBVTT\n\n00:01.000 --> 00:02.000\nI was <5 and she was 3 > 2\n"
    assert parse_webvtt(text) == [Cue(t(1), t(2), "I was <5 and she was 3 > 2")]


def test_escaped_tags_are_text():
    text = "WEBVTT\n\n00:01.000 --> 00:02.000\n&lt;script&gt;alert(1)&lt;/script&gt; --&gt;\n"
    assert parse_webvtt(text) == [Cue(t(1), t(2), "<script>alert(1)</script> -->")]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n\n",
        "WEBVT",
        "webvtt\n\n00:01.000 --> 00:02.000\nHi",
        "WEBVTTX\n\n00:01.000 --> 00:02.000\nHi",
        " WEBVTT\n\n00:01.000 --> 00:02.000\nHi",
        "1\n00:00:01,000 --> 00:00:02,000\nAn SRT file\n",
    ],
)
def test_the_header_is_required(text):
    error = refusal(text)
    assert error.code == "not_webvtt"
    assert error.messages == ["A WebVTT transcript starts with the line “WEBVTT”."]


@pytest.mark.parametrize(
    "timing",
    [
        "00:01.5 --> 00:02.000",
        "00:01.0000 --> 00:02.000",
        "0:01.000 --> 0:02.000",
        "00:60.000 --> 01:02.000",
        "60:00.000 --> 61:00.000",
        "01:60:00.000 --> 02:00:00.000",
        "00:01.000 --> ",
        "00:01.000 --> 00:02.000x",
        "00:01:000 --> 00:02:000",
        "00:01.000 —> 00:02.000",
        "00:01.000 - 00:02.000",
        "00:01.٠٠٠ --> 00:02.000",
        # Past what a timedelta holds, and past what int() reads.
        "99999999999:00:00.000 --> 99999999999:00:01.000",
        "00:00.000 --> " + "1" * 5_000 + ":00:00.000",
        "--> 00:02.000",
    ],
)
def test_bad_timing_names_its_line(timing):
    error = refusal(f"WEBVTT\n\n00:00.000 --> 00:00.500\nFine\n\n7\n{timing}\nText\n")
    assert error.code == "bad_timing"
    assert error.params["line"] == 7
    assert error.messages == ["Line 7: times must look like “00:01:02.500 --> 00:01:05.000”."]


@pytest.mark.parametrize("end", ["00:02.000", "00:01.999"])
def test_a_cue_ending_before_it_starts(end):
    error = refusal(f"WEBVTT\n\n00:01.000 --> 00:02.000\nFine\n\n00:02.000 --> {end}\nText\n")
    assert error.code == "ends_before_start"
    assert error.params["line"] == 6
    assert error.messages == ["Line 6: the cue ends before it starts."]


def test_cues_out_of_order():
    error = refusal(
        "WEBVTT\n\n"
        "00:05.000 --> 00:06.000\nLater\n\n"
        "NOTE comments count as lines\n\n"
        "id\n00:04.999 --> 00:07.000\nEarlier\n"
    )
    assert error.code == "out_of_order"
    assert error.params["line"] == 9
    assert error.messages == ["Line 9: cues must be in time order."]


@pytest.mark.parametrize(
    ("text", "line"),
    [
        # A blank line in a cue's text: the rest would never be shown.
        ("WEBVTT\n\n00:01.000 --> 00:02.000\nFirst part\n\nsecond part\n", 6),
        # An identifier and text, but the timing line forgotten.
        ("WEBVTT\n\n00:01.000 --> 00:02.000\nFine\n\n2\nNo time here\n", 6),
        # Text that starts with a time of day is still text.
        ("WEBVTT\n\n00:01.000 --> 00:02.000\nFine\n\n12:30, we met\n", 6),
    ],
)
def test_text_outside_any_cue(text, line):
    error = refusal(text)
    assert error.code == "outside_cue"
    assert error.params["line"] == line
    assert error.messages == [
        f"Line {line}: this text is in no cue (a blank line ends a cue’s text)."
    ]


@pytest.mark.parametrize(
    "text",
    [
        "WEBVTT",
        "WEBVTT\n\n",
        "WEBVTT\nKind: captions\n",
        "WEBVTT\n\nNOTE only a note\n\nSTYLE\n::cue {}\n\nREGION\nid:fred\n",
        "WEBVTT\n\n00:01.000 --> 00:02.000\n\n00:03.000 --> 00:04.000\n<b></b>\n",
    ],
)
def test_no_cues(text):
    error = refusal(text)
    assert error.code == "no_cues"
    assert error.messages == ["The transcript has no cues with a time and text."]


def test_too_many_characters():
    text = "WEBVTT\n\n00:01.000 --> 00:02.000\n" + "a" * 500_000
    error = refusal(text)
    assert error.code == "too_long"
    assert error.messages == [
        "The transcript is too long: at most 5000 cues and 500000 characters."
    ]


def test_too_many_cues():
    def cues(count):
        return "".join(
            f"{i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d}.000 --> 10:00:00.000\n.\n\n"
            for i in range(count)
        )

    assert len(parse_webvtt("WEBVTT\n\n" + cues(5_000))) == 5_000
    error = refusal("WEBVTT\n\n" + cues(5_001))
    assert error.code == "too_long"
    assert error.messages == [
        "The transcript is too long: at most 5000 cues and 500000 characters."
    ]


def test_a_cue_too_long():
    fine = "WEBVTT\n\n00:01.000 --> 00:02.000\n" + "a" * 2_500 + "\n" + "b" * 2_499
    assert len(parse_webvtt(fine)[0].text) == 5_000
    error = refusal(f"WEBVTT\n\n00:00.000 --> 00:01.000\nFine\n\n{fine[8:]}b\n")
    assert error.code == "cue_too_long"
    assert error.params["line"] == 6
    assert error.messages == ["Line 6: the cue’s text is too long: at most 5000 characters."]


def test_messages_are_translatable():
    error = refusal("WEBVTT\n\n00:02.000 --> 00:01.000\nText\n")
    # Lazy: translated into the language of the page that shows it, not the import's.
    assert isinstance(error.message, Promise)
    with translation.override("es"):
        assert error.messages == [str(error.message % error.params)]


def test_round_trip():
    cues = parse_webvtt(REALISTIC)
    assert parse_webvtt(to_webvtt(cues)) == cues


def test_written_file():
    cues = [
        Cue(t(1), t(2.5), "Hello"),
        Cue(datetime.timedelta(hours=1, milliseconds=7), None, "two\nlines"),
    ]
    assert to_webvtt(cues, duration=3601) == (
        "WEBVTT\n\n"
        "00:00:01.000 --> 00:00:02.500\nHello\n\n"
        "01:00:00.007 --> 01:00:01.000\ntwo\nlines\n"
    )


def test_written_text_is_escaped():
    cues = [
        Cue(t(1), t(2), "a --> b"),
        Cue(t(2), t(3), "<script>alert(1)</script>"),
        Cue(t(3), t(4), "Tom & Jerry &amp; &lt;"),
        Cue(t(4), t(5), "first\n\n  \nsecond\r\n\r\nthird"),
        Cue(t(5), t(6), "00:07.000 --> 00:08.000\nNOTE"),
    ]
    written = to_webvtt(cues)
    assert written == (
        "WEBVTT\n\n"
        "00:00:01.000 --> 00:00:02.000\na --&gt; b\n\n"
        "00:00:02.000 --> 00:00:03.000\n&lt;script&gt;alert(1)&lt;/script&gt;\n\n"
        "00:00:03.000 --> 00:00:04.000\nTom &amp; Jerry &amp;amp; &amp;lt;\n\n"
        "00:00:04.000 --> 00:00:05.000\nfirst\nsecond\nthird\n\n"
        "00:00:05.000 --> 00:00:06.000\n00:07.000 --&gt; 00:08.000\nNOTE\n"
    )
    assert [cue.text for cue in parse_webvtt(written)] == [
        "a --> b",
        "<script>alert(1)</script>",
        "Tom & Jerry &amp; &lt;",
        "first\nsecond\nthird",
        "00:07.000 --> 00:08.000\nNOTE",
    ]


def test_open_ends():
    cues = [
        Cue(t(1), None, "until the next start"),
        Cue(t(4), None, "starts with another, so until the one after"),
        Cue(t(4), t(5), "explicit"),
        Cue(t(9), None, "last"),
    ]
    ends = [cue.end for cue in parse_webvtt(to_webvtt(cues))]
    assert ends == [t(4), t(9), t(5), t(14)]
    assert parse_webvtt(to_webvtt(cues, duration=20.25))[-1].end == t(20.25)
    # A recording shorter than its transcript, or no duration to be had.
    assert parse_webvtt(to_webvtt(cues, duration=8))[-1].end == t(14)
    assert parse_webvtt(to_webvtt(cues, duration=float("nan")))[-1].end == t(14)


def test_written_cues_are_always_valid():
    cues = [
        Cue(t(3), t(3), "ends as it starts"),
        Cue(t(1), t(0.5), "ends before it starts, and out of order"),
        Cue(t(-2), None, "starts before the recording"),
        Cue(t(7), None, "\n  \n"),
    ]
    assert parse_webvtt(to_webvtt(cues)) == [
        Cue(t(0), t(1), "starts before the recording"),
        Cue(t(1), t(6), "ends before it starts, and out of order"),
        Cue(t(3), t(8), "ends as it starts"),
    ]


def test_no_cues_written():
    assert to_webvtt([]) == "WEBVTT\n\n"


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (0, "0:00"),
        (0.999, "0:00"),
        (59.999, "0:59"),
        (65.9, "1:05"),
        (600, "10:00"),
        (3599.999, "59:59"),
        (3600, "1:00:00"),
        (3723, "1:02:03"),
        (36_000 * 10, "100:00:00"),
        (-1, "0:00"),
    ],
)
def test_clock(seconds, shown):
    assert clock(t(seconds)) == shown


# -- Generated input ---------------------------------------------------------------------


def check_cues(cues):
    """What every parse must give: cues a player can show, in order."""
    assert isinstance(cues, list) and cues
    previous = datetime.timedelta(0)
    for cue in cues:
        assert isinstance(cue, Cue)
        assert cue.start >= previous >= datetime.timedelta(0)
        assert cue.end is None or cue.end > cue.start
        assert cue.text and cue.text == cue.text.strip()
        assert all(line.strip() == line and line for line in cue.text.split("\n"))
        assert not any(ch < " " and ch not in "\t\n" for ch in cue.text)
        previous = cue.start


def parses_or_refuses(text):
    try:
        cues = parse_webvtt(text)
    except ValidationError as error:
        assert len(error.messages) == 1
        return None
    check_cues(cues)
    return cues


@EXAMPLES
@given(st.text())
def test_any_text(text):
    parses_or_refuses(text)


timestamps = st.from_regex(r"([0-9]{1,3}:)?[0-9]{2}:[0-9]{2}[.,][0-9]{3}", fullmatch=True)
timing_lines = st.builds(
    lambda start, end, cue_settings: f"{start} --> {end}{cue_settings}",
    timestamps,
    timestamps,
    st.sampled_from(["", " align:start position:10%", "\t", "x"]),
)
lines = st.one_of(
    timing_lines,
    st.sampled_from(
        ["", " ", "-->", "NOTE", "STYLE", "1", "<v Maria>", "&amp;", "&#10;", "\x00", "\r"]
    ),
    st.text(alphabet="0123456789:.,-> \t\r\nabv<>&#;/\x00\ufeff", max_size=30),
    st.text(max_size=20),
)


@EXAMPLES
@given(st.lists(lines, max_size=25), st.sampled_from(["\n", "\r\n", "\r"]))
def test_generated_files(lines, line_end):
    parses_or_refuses("WEBVTT\n\n" + line_end.join(lines))


plain_lines = st.text(
    alphabet=st.characters(exclude_categories=["Cs", "Cc"]), min_size=1, max_size=40
).filter(lambda line: line.strip() == line and line)


@st.composite
def valid_cues(draw):
    count = draw(st.integers(min_value=1, max_value=15))
    starts = sorted(draw(st.lists(st.integers(0, 10**10), min_size=count, max_size=count)))
    cues = []
    for start in starts:
        length = draw(st.integers(1, 10**7))
        text = "\n".join(draw(st.lists(plain_lines, min_size=1, max_size=4)))
        cues.append(
            Cue(
                datetime.timedelta(milliseconds=start),
                datetime.timedelta(milliseconds=start + length),
                text,
            )
        )
    return cues


@EXAMPLES
@given(valid_cues())
def test_generated_round_trip(cues):
    assert parse_webvtt(to_webvtt(cues)) == cues


@st.composite
def nearly_valid_files(draw):
    """A valid file with a few generated lines slipped in: as likely to parse as not."""
    file_lines = to_webvtt(draw(valid_cues())).split("\n")
    for _ in range(draw(st.integers(0, 3))):
        file_lines.insert(draw(st.integers(1, len(file_lines))), draw(lines))
    return draw(st.sampled_from(["\n", "\r\n", "\r"])).join(file_lines)


@EXAMPLES
@given(nearly_valid_files())
def test_nearly_valid_files(text):
    parses_or_refuses(text)


@EXAMPLES
@given(
    st.lists(
        st.builds(
            Cue,
            st.timedeltas(min_value=t(-10), max_value=t(10**6)),
            st.none() | st.timedeltas(min_value=t(-10), max_value=t(10**6)),
            st.text(max_size=60),
        ),
        max_size=10,
    ),
    st.none() | st.floats(allow_nan=True, allow_infinity=True),
)
def test_whatever_is_written_is_valid(cues, duration):
    written = to_webvtt(cues, duration=duration)
    assert written.startswith("WEBVTT\n\n")
    body = written.removeprefix("WEBVTT\n\n")
    for block in body.split("\n\n") if body else []:
        _timing, *text = block.removesuffix("\n").split("\n")
        assert text and all(line.strip() for line in text)
        assert not any("-->" in line or "<" in line for line in text)
    shown = [cue for cue in cues if transcripts._escaped_lines(cue.text)]
    if shown:
        parsed = parse_webvtt(written)
        check_cues(parsed)
        assert len(parsed) == len(shown)
    else:
        assert written == "WEBVTT\n\n"
