"""
The notes the archive itself writes into a story's history, and how they are shown.

They are stored in English, as written (the audit trail is not rewritten when a catalogue
changes, and the open data and backups read one language), and shown in the language of
whoever reads the history: each is marked with ``gettext_noop`` where it is written, so the
catalogue holds it, and ``shown_note()`` looks it up. A note a moderator typed is shown as
typed (docs/moderation.md, "The admin's language").
"""

import re

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext, gettext_noop

from ..safety import shield

# Notes with a part that varies: written with these, read back with the patterns below.
REDACTED_NOTE = gettext_noop("Redacted: %(details)s")
RETURNED_BY_REPORTS = gettext_noop(
    "Returned to review by the system: %(count)d readers reported personal information exposed."
)
WAIVED_NOTE = gettext_noop("Waived: %(detail)s. Reason: %(reason)s")
# A moderator's own note may follow it, as typed.
FIRST_APPROVAL_NOTE = gettext_noop("First approval: a second moderator's approval publishes it.")
TOOK_OVER_NOTE = gettext_noop("Took over the review from %(moderator)s")

_REDACTED = re.compile(r"Redacted: (?P<details>.+)")
_REDACTED_DETAIL = re.compile(r"(?P<kind>\w+) in (?P<field>\w+)")
_RETURNED_BY_REPORTS = re.compile(
    r"Returned to review by the system: (?P<count>\d+) readers reported personal information"
    r" exposed\."
)

_WAIVED = re.compile(r"Waived: (?P<detail>\w+ in \w+)\. Reason: (?P<reason>.*)", re.DOTALL)
_TOOK_OVER = re.compile(r"Took over the review from (?P<moderator>.+)", re.DOTALL)


def _where(field):
    """A story field's label ("body" → "text"); "transcript" for the transcript's paragraphs,
    "recording's index" for its index segments."""
    if field == "transcript":
        return gettext("transcript")
    if field == "segment":
        return gettext("recording's index")
    try:
        return str(apps.get_model("stories", "Story")._meta.get_field(field).verbose_name)
    except FieldDoesNotExist:
        return field


def _redacted_detail(detail):
    match = _REDACTED_DETAIL.fullmatch(detail)
    if match is None or match["kind"] not in shield.KINDS:
        return detail
    return gettext("%(kind)s in %(field)s") % {
        "kind": shield.KINDS[match["kind"]],
        "field": _where(match["field"]),
    }


def shown_note(note):
    """``note`` in the active language if the archive wrote it; as it is otherwise."""
    if not note:
        return note
    if match := _REDACTED.fullmatch(note):
        details = ", ".join(_redacted_detail(d) for d in match["details"].split(", "))
        return gettext(REDACTED_NOTE) % {"details": details}
    if match := _RETURNED_BY_REPORTS.fullmatch(note):
        return gettext(RETURNED_BY_REPORTS) % {"count": int(match["count"])}
    if match := _WAIVED.fullmatch(note):
        return gettext(WAIVED_NOTE) % {
            "detail": _redacted_detail(match["detail"]),
            "reason": match["reason"],
        }
    if note.startswith(FIRST_APPROVAL_NOTE):
        return gettext(FIRST_APPROVAL_NOTE) + note[len(FIRST_APPROVAL_NOTE) :]
    if match := _TOOK_OVER.fullmatch(note):
        return gettext(TOOK_OVER_NOTE) % {"moderator": match["moderator"]}
    return gettext(note)
