"""
A published story cited: in Chicago, APA and MLA style for the story page and the API, and as
BibTeX and RIS files for reference managers (``/s/<id>/cite.bib``, ``cite.ris``), all made
from a ``PublicRecord`` (opendata/records.py).
"""

from dataclasses import dataclass

from django.utils import translation

from .records import ARCHIVE_NAME

MONTHS = (
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December",
)  # fmt: skip
MLA_MONTHS = (
    "Jan.", "Feb.", "Mar.", "Apr.", "May", "June", "July",
    "Aug.", "Sept.", "Oct.", "Nov.", "Dec.",
)  # fmt: skip


@dataclass(frozen=True)
class Citation:
    style: str
    text: str


def citations(record, base_url):
    """The record cited in Chicago, APA and MLA style, as plain text (templates escape it).

    In English, as the three styles are written, whatever the page's language.
    """
    url = base_url + record.permalink_path
    # The persistent identifier first, as an address (https://doi.org/…, https://n2t.net/ark:/…),
    # where each style puts a DOI; the archive's own lasting address after it.
    pid = record.persistent_url
    with translation.override("en"):
        archive = str(ARCHIVE_NAME)
    day = record.published_on
    chicago_date = f"{MONTHS[day.month - 1]} {day.day}, {day.year}"
    return [
        Citation(
            "Chicago",
            f"{record.creator}. “{record.title}.” {archive}, {chicago_date}. "
            f"{f'{pid}. ' if pid else ''}{url}.",
        ),
        Citation(
            "APA",
            f"{record.creator}. ({day.year}, {MONTHS[day.month - 1]} {day.day}). "
            f"{record.title} [Oral history]. {archive}. {f'{pid} ' if pid else ''}{url}",
        ),
        Citation(
            "MLA",
            f"{record.creator}. “{record.title}.” {archive}, "
            f"{day.day} {MLA_MONTHS[day.month - 1]} {day.year}, {f'{pid}, ' if pid else ''}{url}.",
        ),
    ]


# LaTeX reads these as commands or markup: escaped, a title such as "Rent & Raids"
# or "100% of us" is typeset as written instead of breaking the reader's document.
LATEX_SPECIALS = {
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def bibtex(record, base_url):
    """A BibTeX ``@misc`` entry; braces and backslashes in the text cannot break out of a field.

    BibTeX counts braces without regard to backslashes, so an escaped brace
    would still end a field: braces become parentheses and backslashes go.
    """

    def cleaned(text):
        return str(text).replace("\\", "").replace("{", "(").replace("}", ")")

    def value(text):
        return "{" + "".join(LATEX_SPECIALS.get(c, c) for c in cleaned(text)) + "}"

    day = record.published_on
    fields = [
        ("title", value(record.title)),
        # Double braces: a name, not "Last, First" for BibTeX to split.
        ("author", "{" + value(record.creator) + "}"),
        ("year", value(day.year)),
        ("month", value(MONTHS[day.month - 1][:3].lower())),
        ("howpublished", value(str(ARCHIVE_NAME))),
        ("note", value("Oral history")),
        ("language", value(record.language)),
        # Read by \url, which takes the address as it is written.
        ("url", "{" + cleaned(base_url + record.permalink_path) + "}"),
        *(
            (("doi", "{" + cleaned(record.persistent_identifier.removeprefix("doi:")) + "}"),)
            if record.persistent_identifier.startswith("doi:")
            else ()
        ),
        # An ARK has no field of its own: biblatex's eprint, which it links through N2T's
        # address as given here.
        *(
            (("eprinttype", "{ark}"), ("eprint", "{" + cleaned(record.persistent_url) + "}"))
            if record.persistent_identifier.startswith("ark:")
            else ()
        ),
    ]
    body = ",\n".join(f"  {name} = {text}" for name, text in fields)
    return f"@misc{{perspectives{record.id},\n{body}\n}}\n"


def ris(record, base_url):
    """An RIS record (type GEN); a line break inside a value cannot start a new tag."""

    def line(tag, text):
        return f"{tag}  - {' '.join(str(text).split())}"

    day = record.published_on
    lines = [
        line("TY", "GEN"),
        line("TI", record.title),
        line("AU", record.creator),
        line("PY", day.year),
        line("DA", day.strftime("%Y/%m/%d")),
        line("PB", str(ARCHIVE_NAME)),
        line("LA", record.language),
        *(line("KW", name) for _slug, name in record.themes),
        line("UR", base_url + record.permalink_path),
        *persistent_lines(record, line),
        # Not in the RIS specification, yet read as the item's rights by Zotero and others.
        line("CR", record.licence.statement),
        line("ER", ""),
    ]
    return "\r\n".join(lines).rstrip() + "\r\n"


def persistent_lines(record, line):
    """RIS's DO for a DOI (the bare DOI, as the tag takes it); an ARK is a second UR, N2T's."""
    identifier = record.persistent_identifier
    if identifier.startswith("doi:"):
        return [line("DO", identifier.removeprefix("doi:"))]
    if identifier.startswith("ark:"):
        return [line("UR", record.persistent_url)]
    return []
