"""
The identity shield (stories/safety/shield.py): what it flags in English and Spanish,
what it leaves alone, and how findings are redacted and shown. No database:
it is all text.
"""

import random
import unicodedata

import pytest
from django.utils import translation

from stories.safety import shield
from stories.safety.shield import (
    KINDS,
    REDACTED,
    SHIELDED_FIELDS,
    Finding,
    highlight,
    redact,
    scan,
    scan_fields,
)


def found(text, **kwargs):
    return [(finding.kind, finding.text) for finding in scan(text, **kwargs)]


def nfd(text):
    return unicodedata.normalize("NFD", text)


TRUE_POSITIVES = [
    # email
    ("email", "Write to maria.lopez@example.com if you can", "maria.lopez@example.com"),
    ("email", "Mi correo: jose_perez+archivo@correo.com.mx.", "jose_perez+archivo@correo.com.mx"),
    ("email", "EMAIL ME AT ROSA.G@GMAIL.COM", "ROSA.G@GMAIL.COM"),
    ("email", "escríbeme a josé.núñez@correo.mx", "josé.núñez@correo.mx"),
    # phone, United States
    ("phone", "call (213) 555-0142 after six", "(213) 555-0142"),
    ("phone", "213-555-0142", "213-555-0142"),
    ("phone", "my number is 213.555.0142.", "213.555.0142"),
    ("phone", "213 555 0142", "213 555 0142"),
    ("phone", "text +1 213 555 0142", "+1 213 555 0142"),
    ("phone", "1-213-555-0142", "1-213-555-0142"),
    ("phone", "2135550142", "2135550142"),
    # phone, Mexico
    ("phone", "mi mamá: +52 55 1234 5678", "+52 55 1234 5678"),
    ("phone", "+52 1 33 1234 5678", "+52 1 33 1234 5678"),
    ("phone", "llámame al 55 1234 5678", "55 1234 5678"),
    ("phone", "33-1234-5678", "33-1234-5678"),
    ("phone", "celular 044 55 1234 5678", "044 55 1234 5678"),
    # street addresses
    (
        "street_address",
        "We lived at 1234 E. Cesar Chavez Ave in Boyle Heights",
        "1234 E. Cesar Chavez Ave",
    ),
    ("street_address", "456 South Main Street, Apt 4B", "456 South Main Street, Apt 4B"),
    ("street_address", "the shop at 78 W 3rd St. closed", "78 W 3rd St."),
    ("street_address", "the office at 1200 wilshire blvd", "1200 wilshire blvd"),
    ("street_address", "Vivíamos en Calle Juárez 123, colonia Centro", "Calle Juárez 123"),
    ("street_address", "en Av. Reforma #45", "Av. Reforma #45"),
    ("street_address", "Avenida Insurgentes Sur 1602", "Avenida Insurgentes Sur 1602"),
    ("street_address", "en la calle 5 de Mayo número 20", "calle 5 de Mayo número 20"),
    (
        "street_address",
        "calle de la Paz 12 departamento 3",
        "calle de la Paz 12 departamento 3",
    ),
    # dates of birth: the span is the date, not the keyword
    ("date_of_birth", "I was born on March 14, 1985 in Puebla", "March 14, 1985"),
    ("date_of_birth", "DOB: 03/14/1985", "03/14/1985"),
    ("date_of_birth", "D.O.B. 1985-03-14", "1985-03-14"),
    ("date_of_birth", "date of birth 14th of March, 1985", "14th of March, 1985"),
    ("date_of_birth", "I was born in Los Angeles on 3/14/1985", "3/14/1985"),
    ("date_of_birth", "Nací el 14 de marzo de 1985 en Oaxaca", "14 de marzo de 1985"),
    ("date_of_birth", "Fecha de nacimiento: 14/03/1985", "14/03/1985"),
    ("date_of_birth", "mi cumpleaños es el 14 marzo 1985", "14 marzo 1985"),
    ("date_of_birth", "mi hija nació el 2 de enero del 2010", "2 de enero del 2010"),
    # Social Security numbers
    ("ssn", "SSN 123-45-6789", "123-45-6789"),
    ("ssn", "his number was 123 45 6789", "123 45 6789"),
    ("ssn", "my social security number is 123456789", "123456789"),
    ("ssn", "S.S.N.: 123456789", "123456789"),
    ("ssn", "mi número de seguro social es 123-45-6789", "123-45-6789"),
    ("ssn", "seguro social 123 45 6789", "123 45 6789"),
    # A-numbers
    ("a_number", "A12345678", "A12345678"),
    ("a_number", "my number was A123456789.", "A123456789"),
    ("a_number", "A-123-456-789", "A-123-456-789"),
    ("a_number", "A 123 456 789", "A 123 456 789"),
    ("a_number", "A#123456789", "A#123456789"),
    ("a_number", "written a123456789 on the form", "a123456789"),
    ("a_number", "my A-number is 123456789", "123456789"),
    ("a_number", "alien registration number 12345678", "12345678"),
    ("a_number", "Alien number: 123-456-789", "123-456-789"),
    ("a_number", "mi número de extranjero: 123 456 789", "123 456 789"),
    ("a_number", "el número A es 123456789", "123456789"),
    # case and booking numbers: the span is the identifier, not the keyword
    ("case_number", "case number 2019-CR-001234", "2019-CR-001234"),
    ("case_number", "Case No. BA123456 was dismissed", "BA123456"),
    ("case_number", "case #A-99-123", "A-99-123"),
    ("case_number", "booking number 1234567", "1234567"),
    ("case_number", "booking #: 5553311", "5553311"),
    ("case_number", "the docket 19-cv-01234.", "19-cv-01234"),
    ("case_number", "the case number is 2019-CR-1", "2019-CR-1"),
    ("case_number", "número de caso 2345/2019", "2345/2019"),
    ("case_number", "el expediente 123/2020 sigue abierto", "123/2020"),
    ("case_number", "número de reserva 889977", "889977"),
    # licence plates
    ("licence_plate", "7ABC123", "7ABC123"),
    ("licence_plate", "a white van, 8xyz456, parked outside", "8xyz456"),
    ("licence_plate", "plate 6TRJ244", "6TRJ244"),
    ("licence_plate", "license plate number is 6TRJ244", "6TRJ244"),
    ("licence_plate", "plate ABC 123", "ABC 123"),
    ("licence_plate", "placas ABC-123-D", "ABC-123-D"),
    ("licence_plate", "las placas del carro eran JKL 4567", "JKL 4567"),
    ("licence_plate", "la placa 4521 del policía", "4521"),
]


@pytest.mark.parametrize(("kind", "text", "expected"), TRUE_POSITIVES)
def test_identifying_details_are_found(kind, text, expected):
    findings = scan(text)
    assert [(f.kind, f.text) for f in findings] == [(kind, expected)]
    (finding,) = findings
    assert finding.start == text.index(expected)
    assert finding.end == finding.start + len(expected)
    assert finding.field == ""


def test_every_kind_has_at_least_three_examples():
    counts = dict.fromkeys(KINDS, 0)
    for kind, _text, _expected in TRUE_POSITIVES:
        counts[kind] += 1
    # Names need names=; they have their own tests below.
    del counts["name"]
    assert min(counts.values()) >= 3


NEAR_MISSES = [
    "My brother was deported in 2017.",
    "We lived there from 1994 to 2001.",
    "Things were different in the 1990s.",
    "The rent was $1,200 a month.",
    "The ticket cost $45.99.",
    "Pagaba 1.500 pesos por semana.",
    "The city spent $3 million on it.",
    "More than 12,000 people marched.",
    "She had lived here 40 years.",
    "I have 3 kids.",
    "We were 100% sure.",
    "It was 100 percent legal.",
    "Special Order 40 kept the police out of it.",
    "Proposition 187 passed in 1994.",
    "SB 54 made California a sanctuary state.",
    "Section 287(g) agreements ended.",
    "They came at 10:30 a.m. on a Tuesday.",
    "I was 17 when I crossed.",
    "On March 14, 2017 the raid came.",
    "El 14 de marzo de 2017 llegó la redada.",
    "I was born in Mexico. On March 14, 2017 the raid came.",
    "My birthday is March 14.",
    "I was born in 1985.",
    "The ZIP code was 90033.",
    "We marched on Cesar Chavez Avenue.",
    "Vivíamos en la calle Juárez.",
    "Viví en la calle Juárez 20 años.",
    "We drove up Highway 101.",
    "They took Route 66 east.",
    "After 40 years Dr. Ramos retired.",
    "3 kids at the Main Street school.",
    "We had a 12345678 dollar budget.",
    "It was 1,234,567,890 in total.",
    "Just in case no one came.",
    "Case #2 was mine.",
    "A plate of 12 tortillas.",
    "Her son is 8 and her daughter 12.",
    "Invalid on purpose: 000-12-3456, 666-12-3456, 900-12-3456, 123-00-4567, 123-45-0000.",
]


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_near_misses_are_not_flagged(text):
    assert scan(text) == []


def test_a_lowercase_article_before_digits_is_not_an_a_number_but_a_keyword_makes_it_one():
    assert scan("a 12345678 dollar budget") == []
    assert found("a12345678") == [("a_number", "a12345678")]
    assert found("A 12345678") == [("a_number", "A 12345678")]
    assert found("A-number: a 12345678") == [("a_number", "a 12345678")]


def test_a_full_date_is_a_date_of_birth_only_after_a_birth_keyword():
    assert scan("March 14, 1985") == []
    assert found("born March 14, 1985") == [("date_of_birth", "March 14, 1985")]
    assert found("nacimiento: 14/03/1985") == [("date_of_birth", "14/03/1985")]


def test_keyword_details_are_found_in_decomposed_text():
    text = nfd("nací el 14 de marzo de 1985; número de caso 2345/2019")
    assert found(text) == [
        ("date_of_birth", "14 de marzo de 1985"),
        ("case_number", "2345/2019"),
    ]


def test_findings_know_their_label():
    finding = Finding("phone", "body", 0, 12, "213-555-0142")
    with translation.override("en"):
        assert str(finding.label) == "Phone number"
    assert finding.label is KINDS["phone"]


def test_kinds_are_listed_in_display_order():
    assert list(KINDS) == [
        "name",
        "email",
        "phone",
        "street_address",
        "date_of_birth",
        "ssn",
        "a_number",
        "case_number",
        "licence_plate",
    ]


# --- Names the narrator asked to keep private


def test_names_match_whatever_the_case_and_accents():
    text = "Me llamo MARÍA LÓPEZ y mi hermana es maria lopez."
    assert found(text, names=["Maria Lopez"]) == [
        ("name", "MARÍA LÓPEZ"),
        ("name", "maria lopez"),
    ]
    assert found("Maria Lopez", names=["MARÍA LÓPEZ"]) == [("name", "Maria Lopez")]


@pytest.mark.parametrize("form", ["NFC", "NFD"])
def test_name_offsets_are_offsets_into_the_original_text(form):
    text = unicodedata.normalize(form, "Soy María Elena Gómez; la señora Gómez llegó tarde.")
    full = unicodedata.normalize(form, "María Elena Gómez")
    surname = unicodedata.normalize(form, "Gómez")
    findings = scan(text, names=["Maria Elena Gomez"])
    assert [(f.start, f.end) for f in findings] == [
        (4, 4 + len(full)),
        (text.rindex(surname), text.rindex(surname) + len(surname)),
    ]
    assert [f.text for f in findings] == [full, surname]
    assert all(text[f.start : f.end] == f.text for f in findings)


def test_the_parts_of_a_name_are_flagged_alone_but_not_its_particles():
    text = "José de la Cruz llegó. De la casa de los Cruz salió José."
    assert found(text, names=["José de la Cruz"]) == [
        ("name", "José de la Cruz"),
        ("name", "Cruz"),
        ("name", "José"),
    ]


def test_short_name_parts_are_flagged_only_within_the_full_name():
    assert found("Li said that Wei came; Li Wei stayed.", names=["Li Wei"]) == [
        ("name", "Wei"),
        ("name", "Li Wei"),
    ]


def test_names_match_whole_words_only():
    assert found("Mariana and Ana came", names=["Ana"]) == [("name", "Ana")]


def test_hyphens_and_apostrophes_in_names_are_flexible():
    assert found("Mary Jane O’Connor wrote", names=["Mary-Jane O'Connor"]) == [
        ("name", "Mary Jane O’Connor")
    ]


@pytest.mark.parametrize("names", [(), [""], ["   ", "\n"], [None], "  "])
def test_blank_names_are_ignored(names):
    assert scan("de la Cruz y los demás", names=names) == []


def test_a_single_name_given_as_a_string_is_one_name():
    assert found("Rosa vino sola", names="Rosa") == [("name", "Rosa")]


# --- scan_fields


def test_scan_fields_reports_fields_in_order_and_skips_the_rest():
    values = {
        "body": "Write to me at rosa@example.com",
        "title": "Call 213-555-0142",
        "contact_email": "private@example.com",
        "narrator_name": "Rosa, 213-555-0199",
        "place": None,
        "summary": 2135550142,
        "content_note": "",
    }
    findings = scan_fields(values)
    assert [(f.field, f.kind, f.text, f.start) for f in findings] == [
        ("title", "phone", "213-555-0142", 5),
        ("body", "email", "rosa@example.com", 15),
    ]


def test_scan_fields_looks_for_names_in_every_field():
    values = dict.fromkeys(SHIELDED_FIELDS, "Firmado: Rosa Gómez")
    findings = scan_fields(values, names=["Rosa Gomez"])
    assert [(f.field, f.text) for f in findings] == [
        (field, "Rosa Gómez") for field in SHIELDED_FIELDS
    ]


# --- Overlapping matches


def test_where_matches_start_together_the_longest_wins():
    # The name is inside the email address; the address is the longer match.
    assert found("escribe a maria.lopez@example.com", names=["Maria"]) == [
        ("email", "maria.lopez@example.com")
    ]


def test_where_matches_overlap_the_earliest_start_wins():
    # The name "Rosa Calle" starts before the address "Calle Juárez 123" it runs into.
    assert found("Rosa Calle Juárez 123", names=["Rosa Calle"]) == [("name", "Rosa Calle")]


def test_two_rules_for_the_same_detail_make_one_finding():
    # The keyword rule and the bare rule both match this SSN.
    assert found("SSN 123-45-6789") == [("ssn", "123-45-6789")]


def test_spans_never_overlap():
    text = (
        "Soy María Gómez, nací el 14/03/1985, vivo en Calle Juárez 123 y mi teléfono es "
        "55 1234 5678. Email maria.gomez@example.com, A-number A123456789, "
        "SSN 123-45-6789, case number 2019-CR-001234, plate 7ABC123."
    )
    findings = scan(text, names=["María Gómez"])
    assert [f.kind for f in findings] == [
        "name",
        "date_of_birth",
        "street_address",
        "phone",
        "email",
        "a_number",
        "ssn",
        "case_number",
        "licence_plate",
    ]
    for before, after in zip(findings, findings[1:], strict=False):
        assert before.end <= after.start


# --- redact


def test_redact_replaces_exactly_the_spans():
    text = "Call me at 213-555-0142 or write to rosa@example.com; 1200 Wilshire Blvd, Apt 3 <b>"
    expected = "Call me at [redacted] or write to [redacted]; [redacted] <b>"
    assert redact(text, scan(text)) == expected


def test_an_abbreviated_street_type_takes_its_full_stop():
    assert found("I live at 1200 Wilshire Blvd.") == [("street_address", "1200 Wilshire Blvd.")]
    assert found("I live at 1200 Wilshire Boulevard.") == [
        ("street_address", "1200 Wilshire Boulevard")
    ]


def test_redact_takes_findings_in_any_order():
    text = "Booking number 1234567; DOB: 03/14/1985; plate 6TRJ244; rest untouched."
    findings = scan(text)
    assert len(findings) == 3
    expected = "Booking number [redacted]; DOB: [redacted]; plate [redacted]; rest untouched."
    assert redact(text, findings) == expected
    assert redact(text, list(reversed(findings))) == expected
    assert REDACTED == "[redacted]"


def test_redact_leaves_decomposed_text_as_it_was():
    text = nfd("Me llamo María López, ñ y acentos intactos.")
    redacted = redact(text, scan(text, names=["Maria Lopez"]))
    assert redacted == nfd("Me llamo [redacted], ñ y acentos intactos.")


def test_redact_with_no_findings_returns_the_text():
    assert redact("Nada que ver <b>aquí</b>.", []) == "Nada que ver <b>aquí</b>."


def test_findings_from_another_text_are_refused():
    findings = scan("Call 213-555-0142")
    with pytest.raises(ValueError):
        redact("A different text altogether", findings)
    with pytest.raises(ValueError):
        highlight("A different text altogether", findings)


# --- highlight


def test_highlight_escapes_narrator_html():
    text = "<script>alert(1)</script> call 213-555-0142"
    with translation.override("en"):
        html = highlight(text, scan(text))
    assert html == (
        "&lt;script&gt;alert(1)&lt;/script&gt; call "
        '<mark class="finding" title="Phone number">213-555-0142</mark>'
    )
    assert "<script>" not in html
    assert html.count("<mark") == 1


def test_highlight_escapes_the_matched_text_and_the_label(monkeypatch):
    monkeypatch.setitem(shield.KINDS, "email", 'E"mail <b>')
    text = "o'brien@example.com & more"
    assert highlight(text, scan(text)) == (
        '<mark class="finding" title="E&quot;mail &lt;b&gt;">o&#x27;brien@example.com</mark>'
        " &amp; more"
    )


def test_highlight_marks_several_findings():
    text = "Rosa: +52 55 1234 5678 <i>y</i> expediente 123/2020"
    with translation.override("en"):
        html = highlight(text, scan(text, names=["Rosa"]))
    assert html == (
        '<mark class="finding" title="Your name">Rosa</mark>: '
        '<mark class="finding" title="Phone number">+52 55 1234 5678</mark> '
        "&lt;i&gt;y&lt;/i&gt; expediente "
        '<mark class="finding" title="Case or booking number">123/2020</mark>'
    )


# --- Hostile input


def _hostile_texts():
    rng = random.Random(20_000)
    pieces = [
        "1", "2", "9", "0", "-", " ", ".", "/", "#", "@", "(", ")", "+", ",", ":",
        "A", "a", "x", "born ", "plate ", "case number ", "calle ", "SSN ", "A-number ",
        "St ", "de ", "María ",
    ]  # fmt: skip
    mixed = "".join(rng.choice(pieces) for _ in range(20_000))[:20_000]
    return {
        "digits": "1" * 20_000,
        "digits and dashes": "12-" * 6_667,
        "digits and spaces": "12 " * 6_667,
        "letters before an at sign": "a" * 19_999 + "@",
        "dotted letters": "a." * 10_000,
        "capital A and digits": "A1-" * 6_667,
        "birth keywords": "born " * 4_000,
        "a keyword and endless words": "born " + "ab " * 6_665,
        "a street type and endless particles": "calle " + "5 de " * 3_998,
        "a house number and endless names": "1 " + "Main " * 3_999,
        "a plate keyword and endless dashes": "plate " + "A-" * 9_997,
        "a case keyword and endless dashes": "case number " + "1-" * 9_994,
        "mixed": mixed,
    }


@pytest.mark.parametrize("name", list(_hostile_texts()))
def test_hostile_input_is_scanned_in_linear_time(name):
    # Nothing is timed: a pattern that backtracked catastrophically would hang here.
    text = _hostile_texts()[name]
    assert len(text) >= 19_990
    findings = scan(text, names=["María Gómez"])
    assert all(text[f.start : f.end] == f.text for f in findings)
    assert all(a.end <= b.start for a, b in zip(findings, findings[1:], strict=False))
