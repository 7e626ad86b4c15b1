"""
The identity shield: finds the details in a story that could identify someone.

Many narrators here are undocumented. A phone number, an A-number, a street
address or the name a narrator asked us to keep private, left in a published
story, could put them or their family in danger. ``scan()`` finds such details
so that the narrator, and then a moderator, can see them (``highlight()``) and
take them out (``redact()``) before anything is public. It only flags; a person
decides. So it leans towards flagging: a false alarm costs a moderator a
glance, a miss can cost a family far more. What would bury the real findings
in noise (years, prices, ages, statute numbers, a street named without a house
number, a date that is not a birth date) is kept out, and the tests hold it out.

- ``scan(text, names=...)``: the findings in one text, sorted, never overlapping.
- ``scan_fields(values, names=...)``: the findings in the fields a narrator writes.
- ``redact(text, findings)`` and ``highlight(text, findings)``: act on the
  findings of one text; ``remove(text, finding)`` puts a placeholder naming
  its kind in its place ("[phone number removed]"), for narrators.

Detection is one table, ``PATTERNS``, plus the names a narrator gave. Every
pattern runs on a folded copy of the text (accents dropped one character at a
time, so "número", "numero" and a decomposed "número" read alike) and offsets
are mapped back, so a finding's ``text`` is always exactly what the narrator
wrote. Where a keyword is what makes a number worth flagging ("case number",
"born", "placas"), the finding covers the detail and not the keyword: a
redacted story still reads "case number [redacted]".

Python's ``re`` backtracks, and narrators paste anything: every repetition in
these patterns is bounded, so the work done at each position of the text is
bounded too, and a scan takes time linear in the length of the text.
"""

import dataclasses
import functools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import privacy

# The fields of a story a narrator writes in their own words, as the privacy
# table marks them shielded, in the order findings are listed. Not the contact
# email or the narrator's name: those are private by design and never shown.
SHIELDED_FIELDS = privacy.named("Story", lambda field: field.shielded)

# The order is the order the findings are listed in to narrators and moderators.
KINDS = {
    "name": _("Your name"),
    "email": _("Email address"),
    "phone": _("Phone number"),
    "street_address": _("Street address"),
    "date_of_birth": _("Date of birth"),
    "ssn": _("Social Security number"),
    "a_number": _("Alien registration number (A-number)"),
    "case_number": _("Case or booking number"),
    "licence_plate": _("Licence plate"),
}

# The kinds a story may not be published with, unless a moderator redacts or
# waives each (Story.unresolved_findings): each can lead someone to a narrator,
# their family or their immigration file. A licence plate is left out: in
# these stories it is nearly always a police car's or a van's seen at a raid,
# rarely the narrator's own, and it is still flagged and listed for a look.
# The narrator's name is only looked for when they chose to stay anonymous.
HIGH_RISK = frozenset(
    {
        "a_number",
        "ssn",
        "phone",
        "email",
        "street_address",
        "date_of_birth",
        "name",
        "case_number",
    }
)

# The kinds as moderators (and the public figures) name them: "Your name" is
# how the narrator reads their own.
KINDS_FOR_MODERATORS = {**KINDS, "name": _("The narrator's own name")}

REDACTED = "[redacted]"

# What "Remove it for me" on the share form's review step puts in place of a
# detail, one per kind of KINDS, in the language the story is written in. Each
# is its own message, not "[%(kind)s removed]": in Spanish the word for
# "removed" agrees with the kind ("número quitado", "dirección quitada").
PLACEHOLDERS = {
    "name": _("[name removed]"),
    "email": _("[email address removed]"),
    "phone": _("[phone number removed]"),
    "street_address": _("[street address removed]"),
    "date_of_birth": _("[date of birth removed]"),
    "ssn": _("[Social Security number removed]"),
    "a_number": _("[A-number removed]"),
    "case_number": _("[case number removed]"),
    "licence_plate": _("[licence plate removed]"),
}

# Left out when a name is flagged word by word: alone they are just words.
NAME_PARTICLES = frozenset({"de", "del", "la", "los", "las", "y", "van", "von", "da", "di", "the"})
# Shorter parts ("Li", "Bo") would flag too many ordinary words to be useful alone.
MIN_NAME_PART = 3


@dataclass(frozen=True)
class Finding:
    kind: str  # a key of KINDS
    field: str  # the field it was found in; "" for bare text
    start: int  # offsets into the text scanned, as given (not folded)
    end: int
    text: str  # exactly as in the text scanned

    @property
    def label(self):
        return KINDS[self.kind]

    @property
    def is_high_risk(self):
        return self.kind in HIGH_RISK

    @property
    def key(self):
        """Names this finding in a form (a moderator's tick box) without its value."""
        return f"{self.field}:{self.start}:{self.end}"


class Rule(NamedTuple):
    kind: str
    regex: re.Pattern
    # Checks what the regex cannot say well (an SSN's reserved ranges), given
    # the matched text as folded.
    valid: Callable[[str], bool] | None = None


# --- Pieces of the patterns. They run on folded text: no accents to allow for.

# Between a keyword and its detail: punctuation and spaces, never a full stop,
# so "born in Mexico. On March 14, 2017 the raid came" is two sentences.
_SEP = r"[\s:#,;(\-–—]{1,4}"
# The words that may come between a keyword and its detail: letters only, so
# the gap cannot swallow the detail itself.
_GAP_WORD = r"[^\W\d_]{1,25}"


def _after(keyword, words):
    """What may come before a detail: ``keyword``, up to ``words`` words, separators."""
    # Lazy: the detail nearest the keyword, so "placas ABC-123-D" is not read
    # as the word "ABC" followed by the plate "123-D".
    return f"(?:{keyword})(?:{_SEP}{_GAP_WORD}){{0,{words}}}?{_SEP}"


_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
_MONTH = r"(?:0?[1-9]|1[0-2])"
_YEAR = r"(?:1[89]\d\d|20\d\d)"
_MONTH_NAME = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november"
    r"|december|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre"
    r"|octubre|noviembre|diciembre|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec"
    r"|ene|abr|ago|dic)\b\.?"
)
_ORDINAL = r"(?:st|nd|rd|th|o|º)?"
_FULL_DATE = (
    # 3/14/1985, 14/03/1985, 14.03.85: either order, as narrators of both countries write.
    rf"(?:{_DAY}[/.-]{_DAY}[/.-](?:{_YEAR}|\d\d)"
    rf"|{_YEAR}[/.-]{_MONTH}[/.-]{_DAY}"
    rf"|{_MONTH_NAME}\s{{1,3}}{_DAY}{_ORDINAL},?\s{{1,3}}{_YEAR}"
    # 14 March 1985, the 14th of March, 1985, 14 de marzo de 1985, 14 marzo del 1985
    rf"|{_DAY}{_ORDINAL}\s{{1,3}}(?:(?:de|of)\s{{1,3}})?{_MONTH_NAME},?\s{{1,3}}"
    rf"(?:del?\s{{1,3}})?{_YEAR}"
    r")(?!\d)"
)
_BIRTH_KEYWORD = (
    r"\b(?:born|birth(?:day|date)?|cumpleanos"
    r"|nac(?:i|io|ido|ida|idos|idas|imos|ieron|imiento))\b"
    r"|\bd\.?o\.?b\b\.?"
)

_SSN_KEYWORD = r"\b(?:ssn|s\.s\.n|social\s{1,3}security|seguro\s{1,3}social)\b\.?"

# 8 or 9 digits, grouped or not: older A-numbers have 8 digits, newer ones 9.
_A_DIGITS = r"\d{2,3}[ -]?\d{3}[ -]?\d{3}(?![\w-]|\s\d)"
_A_KEYWORD = (
    r"\b(?:alien\s{1,3}(?:registration\s{1,3})?(?:number|no\b\.?|(?=\s{0,3}#))"
    r"|numero\s{1,3}(?:de\s{1,3})?(?:registro\s{1,3}de\s{1,3})?extranjero"
    r"|numero\s{1,3}a\b"
    r"|a-(?:number|num|no)\b\.?"
    # A capital A: "a number of us" is English.
    r"|(?-i:A)\s?(?:number|num|no)\b\.?)"
)

_CASE_KEYWORD = (
    r"\b(?:(?:case|booking|inmate|docket|citation)\s{0,3}(?:number|num\b\.?|no\b\.?|(?=#))"
    r"|docket|expediente|causa\s{1,3}penal"
    r"|numero\s{1,3}de\s{1,3}(?:caso|reserva|expediente|causa|recluso))"
)
# An identifier with at least one digit ("in case no one came" is not a case
# number) and at least four characters ("case #2" says little).
_IDENTIFIER = r"(?=[\w/-]{0,30}\d)[^\W_](?:\w|[/-](?=\w)){3,30}(?!\w)"

_PLATE_KEYWORD = (
    r"\b(?:(?:licen[cs]e\s{1,3})?plates?|placas?)\b(?:\s{1,3}(?:number|numero|no\b\.?))?"
)
# "ABC 123", "ABC-123-D", "6TRJ244". Each form looks ahead for a digit, so that
# "plate is 6TRJ244" reads on past "is" rather than stopping there. Written
# with a space, the letters must be capitals: "a plate of 12 tortillas".
_PLATE = (
    r"(?=[A-Z]{0,3}\d|[A-Z0-9]{1,4} [A-Z]{0,3}\d)(?-i:[A-Z0-9]{1,4} [A-Z0-9]{1,4})(?![\w-])"
    r"|(?=[a-z-]{0,9}\d)[a-z0-9]{1,8}(?:-[a-z0-9]{1,8}){0,2}(?![\w-])"
)

# Words that end a street name before it gets to a street type: without them
# "3 kids at the Main Street", "40 years Dr. Ramos" or "la calle donde vivimos
# 20" would be addresses. De, del, la, los, las, el stay out: they begin street
# names (De Longpre Ave, La Brea Ave, Calle de la Paz).
_NOT_A_STREET_NAME = (
    r"(?:a|an|and|at|by|for|from|in|into|near|of|off|on|or|past|the|to|with|was|were|is"
    r"|are|had|has|have|i|we|you|he|she|they|it|my|our|your|his|her|their|that|this"
    r"|which|where|when|but|so|then|after|before|until|al|con|por|para|en|sin|como|pero"
    r"|porque|que|donde|cuando|hasta|desde|entre|hacia|sobre|era|fue|es|hay|un|una|mi"
    r"|mis|su|sus|tu|se|me|te|le|lo|nos|o|y|years?|months?|weeks?|days?|hours?|minutes?"
    r"|times?|miles?|blocks?|kids|children|people|dollars|anos|meses|semanas|dias|horas"
    r"|minutos|veces|cuadras|ninos|hijos|personas|pesos|dolares)\b"
)
# After a Spanish house number, these make it a count: "la calle Juárez 20 años".
_COUNTED = (
    r"(?:anos?|meses|semanas|dias|horas|minutos|veces|personas|pesos|dolares|years?"
    r"|months?|days?|hours?|minutes?|people|dollars)\b"
)
_STREET_WORD = rf"(?!{_NOT_A_STREET_NAME})(?:[^\W\d_][\w'’.-]{{0,24}}|\d{{1,3}}(?:st|nd|rd|th)\b)"
_CALLE_WORD = rf"(?!{_NOT_A_STREET_NAME})(?:[^\W\d_][\w'’.-]{{0,24}}|\d{{1,2}}(?!\d))"
_STREET_TYPE = (
    r"(?:(?:street|avenue|boulevard|road|drive|lane|way|place|court|parkway|highway|terrace"
    r"|circle|trail|alley|plaza)\b"
    # An abbreviation takes its full stop, even one that also ends the sentence.
    r"|(?:st|ave?|blvd|rd|dr|ln|pl|ct|pkwy|hwy|ter|cir|trl|aly)\b\.?)"
)
_TIPO_DE_CALLE = (
    r"\b(?:calle|avenida|av|avda|blvd|bulevar|boulevard|calzada|calz|callejon|privada|priv"
    r"|camino|paseo|andador|cerrada|circuito|prolongacion|prol)\b\.?"
)
# "Apt 4B", "#12", "depto. 3": a letter alone or anything with a digit.
_UNIT = (
    r"(?:,?\s{1,3}(?:(?:apt|apartment|apartamento|unit|suite|ste|departamento|depto|dpto"
    r"|interior|int)\b\.?\s{0,2}#?|#)\s{0,2}(?=[a-z]?\d|[a-z](?!\w))[a-z0-9]{1,5}(?!\w))?"
)


def _valid_ssn(value):
    """Never issued: area 000, 666 or 900-999, group 00, serial 0000."""
    digits = re.sub(r"\D", "", value)
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    return area not in ("000", "666") and area[0] != "9" and group != "00" and serial != "0000"


def _plate_like(value):
    """2 to 8 letters and digits, at least one digit; digits alone only from four on.

    "A plate of 12 tortillas" is lunch, not a plate; "placa 4521" is worth a look.
    """
    characters = re.sub(r"[\s-]", "", value)
    has_letter = any(c.isalpha() for c in characters)
    return 2 <= len(characters) <= 8 and (has_letter or len(characters) >= 4)


def _rule(kind, pattern, valid=None):
    return Rule(kind, re.compile(pattern, re.IGNORECASE), valid)


PATTERNS = (
    # The apostrophe is for the O'Briens, whose addresses have one.
    _rule(
        "email",
        r"(?<![\w.+'-])[\w.+'-]{1,64}@(?:[^\W_][\w-]{0,62}\.){1,8}[^\W\d_]{2,24}(?![\w-])",
    ),
    # North American numbers: area code and exchange never start with 0 or 1,
    # which keeps "1,234,567,890" and runs of digits out.
    _rule(
        "phone",
        r"(?<![\w+])(?<!\d[.,-])"
        r"(?:\+?1[ .-]?)?(?:\([2-9]\d{2}\) ?|[2-9]\d{2}[ .-]?)[2-9]\d{2}[ .-]?\d{4}"
        r"(?!\w|[.,-]\d)",
    ),
    # Mexican numbers: 2-digit area codes (CDMX, Guadalajara, Monterrey) with
    # 8-digit numbers, 3-digit ones with 7; +52 1 and 044/045 for mobiles.
    _rule(
        "phone",
        r"(?<![\w+])(?<!\d[.,-])"
        r"(?:\+52[ .-]?(?:1[ .-]?)?|0(?:44|45)[ .-]?)?"
        r"(?:(?:\([2-9]\d\) ?|[2-9]\d[ .-]?)\d{4}[ .-]?\d{4}"
        r"|(?:\([2-9]\d{2}\) ?|[2-9]\d{2}[ .-]?)\d{3}[ .-]?\d{4})"
        r"(?!\w|[.,-]\d)",
    ),
    # 1234 E. Cesar Chavez Ave: the house number is what makes a street an
    # address ("on Cesar Chavez Avenue" is a place anyone can name).
    _rule(
        "street_address",
        rf"(?<![\w.,$/#:-])\d{{1,6}}(?:\s{{1,3}}{_STREET_WORD}){{1,4}}\s{{1,3}}{_STREET_TYPE}"
        + _UNIT,
    ),
    # Calle Juárez 123, Av. Reforma #45, calle 5 de Mayo número 20. A name
    # cannot end in a particle ("de 1990" is a year, not a house number).
    _rule(
        "street_address",
        rf"{_TIPO_DE_CALLE}(?:\s{{1,3}}{_CALLE_WORD}){{1,5}}"
        r"(?<!\bde)(?<!\bdel)(?<!\bel)(?<!\bla)(?<!\blas)(?<!\blos)"
        r"[\s,]{1,4}(?:(?:numero|num|no)\b\.?\s{0,2}|n\.?º\s{0,2})?#?\s{0,2}"
        rf"\d{{1,5}}[a-z]?(?!\w|[.,:/]\d)(?!\s{{1,3}}{_COUNTED})" + _UNIT,
    ),
    # A date is only a birth date when the text says so; "On March 14, 2017
    # the raid came" is history, and history is what the archive is for.
    _rule("date_of_birth", _after(_BIRTH_KEYWORD, 5) + rf"(?P<value>{_FULL_DATE})"),
    # Grouped the same way throughout; nine bare digits are flagged only after a keyword.
    _rule(
        "ssn",
        r"(?<![\w-])(?<!\d[ .,])\d{3}([ -])\d{2}\1\d{4}(?![\w-]|[ .,]\d)",
        _valid_ssn,
    ),
    _rule(
        "ssn",
        _after(_SSN_KEYWORD, 3) + r"(?P<value>\d{3}[ -]?\d{2}[ -]?\d{4})(?![\w-]|\s\d)",
        _valid_ssn,
    ),
    # A bare A-number needs a capital A, or a lowercase a with nothing but # or
    # - before the digits: "a 12345678 dollar budget" is an article and a number.
    _rule("a_number", r"(?<![\w#-])(?:(?-i:A)[ #-]{0,2}|a[#-]?)" + _A_DIGITS),
    _rule("a_number", _after(_A_KEYWORD, 3) + rf"(?P<value>(?:a[ #-]{{0,2}})?{_A_DIGITS})"),
    _rule(
        "case_number",
        _CASE_KEYWORD
        + rf"(?:[\s:#.]{{0,4}}(?:is|was|es|era)\b)?[\s:#.]{{1,4}}(?P<value>{_IDENTIFIER})",
    ),
    # California's plates since 1980: a digit, three letters, three digits.
    _rule("licence_plate", r"(?<![\w-])[1-9][a-z]{3}\d{3}(?![\w-])"),
    _rule("licence_plate", _after(_PLATE_KEYWORD, 3) + rf"(?P<value>{_PLATE})", _plate_like),
)


def _fold(text):
    """``text`` without accents, and for each of its characters, where it came from.

    Folded one character at a time (NFD, combining marks dropped), so offsets
    can be mapped back whether the text came composed (NFC) or decomposed (NFD).
    """
    characters, origin = [], []
    for position, character in enumerate(text):
        for piece in unicodedata.normalize("NFD", character):
            if not unicodedata.combining(piece):
                characters.append(piece)
                origin.append(position)
    return "".join(characters), origin


def _original_span(origin, length, start, end):
    # A match that ends on a letter takes the accents that were dropped after it.
    following = origin[end] if end < len(origin) else length
    return origin[start], max(origin[end - 1] + 1, following)


def _name_words(name):
    return re.findall(r"[^\W\d_]+", _fold(name)[0])


@functools.lru_cache(maxsize=256)
def _name_rules(names):
    """Rules for the names a narrator asked to keep private: each whole, and their parts."""
    literals = set()
    for name in names:
        words = _name_words(name)
        if not words:
            continue
        # "María-Elena", "María Elena", "O'Connor" and "O’Connor" are one name.
        literals.add(r"[\s'’.-]{1,3}".join(re.escape(word) for word in words))
        literals.update(
            re.escape(word)
            for word in words
            if len(word) >= MIN_NAME_PART and word.casefold() not in NAME_PARTICLES
        )
    # One regex each: the longest match at a position must win, and an
    # alternation would stop at its first alternative that matches.
    return tuple(_rule("name", rf"(?<!\w){literal}(?!\w)") for literal in sorted(literals))


def _clean_names(names):
    if isinstance(names, str):
        names = (names,)
    return tuple(sorted({name.strip() for name in names if isinstance(name, str) and name.strip()}))


def scan(text, *, field="", names=()):
    """The identifying details in ``text``, by start, never overlapping.

    ``names`` are names the narrator asked to keep private, their own typed
    while choosing to stay anonymous, say. Where matches overlap, the one that
    starts first wins, then the longest.
    """
    if not text:
        return []
    folded, origin = _fold(text)
    found = []
    for rule in (*PATTERNS, *_name_rules(_clean_names(names))):
        has_value = "value" in rule.regex.groupindex
        for match in rule.regex.finditer(folded):
            start, end = match.span("value") if has_value else match.span()
            if start == end or (rule.valid and not rule.valid(folded[start:end])):
                continue
            start, end = _original_span(origin, len(text), start, end)
            found.append(Finding(rule.kind, field, start, end, text[start:end]))
    return _resolve(found)


def _resolve(findings):
    order = {kind: index for index, kind in enumerate(KINDS)}
    findings.sort(key=lambda f: (f.start, f.start - f.end, order[f.kind]))
    kept = []
    for finding in findings:
        if not kept or finding.start >= kept[-1].end:
            kept.append(finding)
    return kept


def scan_fields(values, *, names=()):
    """The findings in every shielded field of ``values`` (a dict of field name to text)."""
    findings = []
    for field in SHIELDED_FIELDS:
        value = values.get(field)
        if isinstance(value, str):
            findings.extend(scan(value, field=field, names=names))
    return findings


def _spans(text, findings):
    """(start, end, finding) for ``findings`` in ``text``, in order, overlaps merged.

    A finding whose text is not at its offsets was found in some other text
    (another field, or this one before an edit): redacting by its offsets would
    cut the wrong words and leave the detail in place, so it is an error.
    """
    spans = []
    for finding in sorted(findings, key=lambda f: (f.start, f.start - f.end)):
        if not 0 <= finding.start < finding.end <= len(text) or (
            text[finding.start : finding.end] != finding.text
        ):
            raise ValueError(f"{finding!r} was not found in this text.")
        if spans and finding.start < spans[-1][1]:
            previous = spans[-1]
            spans[-1] = (previous[0], max(previous[1], finding.end), previous[2])
        else:
            spans.append((finding.start, finding.end, finding))
    return spans


def redact(text, findings, *, placeholder=lambda finding: REDACTED):
    """``text`` with each finding replaced by REDACTED (or ``placeholder(finding)``), and
    nothing else changed."""
    # Right to left: each replacement changes the length of the text after it,
    # never before it, so the offsets still to come stay true.
    for start, end, finding in reversed(_spans(text, findings)):
        text = text[:start] + str(placeholder(finding)) + text[end:]
    return text


def remove(text, finding):
    """``text`` with ``finding`` replaced by its kind's placeholder ("[phone number removed]"),
    in the active language."""
    return redact(text, [finding], placeholder=lambda found: PLACEHOLDERS[found.kind])


def sent_anyway(kinds):
    """What moderators read of a story sent with findings left in it: their number and kinds.

    ``kinds`` is ``Story.sent_with_findings``: the kinds of the findings, never their values.
    """
    if not kinds:
        return ""
    labels = ", ".join(str(label) for kind, label in KINDS_FOR_MODERATORS.items() if kind in kinds)
    return ngettext(
        "Sent anyway, %(count)d finding (%(kinds)s)",
        "Sent anyway, %(count)d findings (%(kinds)s)",
        len(kinds),
    ) % {"count": len(kinds), "kinds": labels}


def highlight(text, findings, *, classes=lambda finding: "finding") -> SafeString:
    """``text`` as HTML, escaped, each finding in a ``<mark>`` titled with its kind.

    ``classes(finding)`` gives each mark its class ("finding waived", say).
    """
    pieces, position = [], 0
    for start, end, finding in _spans(text, findings):
        pieces.append(escape(text[position:start]))
        pieces.append(
            f'<mark class="{escape(classes(finding))}" title="{escape(str(finding.label))}">'
            f"{escape(text[start:end])}</mark>"
        )
        position = end
    pieces.append(escape(text[position:]))
    return mark_safe("".join(pieces))


def excerpt(text, finding, width=60):
    """``finding`` marked in the text around it, "…" where the text goes on: safe HTML."""
    start, end = max(0, finding.start - width), min(len(text), finding.end + width)
    moved = dataclasses.replace(finding, start=finding.start - start, end=finding.end - start)
    return format_html(
        "{}{}{}",
        "… " if start else "",
        highlight(text[start:end], [moved]),
        " …" if end < len(text) else "",
    )
