"""
The share form's steps, and the draft that carries a story from one to the next.

A story is told in a few short steps, each one page that fits a phone, in the
order a narrator thinks of it: the story itself (recorded or written) first,
then a title for it, where they stand, how they appear, the last details, and
a check before sending.
Every step is a plain form: it works without JavaScript, and Back keeps
everything.

What is typed waits in a draft in the narrator's session, on the server: never
in a cookie, an address or a log. The draft is erased when the story is sent,
when the narrator starts again, and DRAFT_HOURS after it was begun, whichever
comes first; the session itself ends when the browser closes. The decision and
its reasons are in docs/privacy.md ("A story in progress").
"""

import dataclasses
import secrets
import time

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

RECORD, WRITE = "record", "write"

# The session key of the draft: {"submission", "telling", "reached", "begun", "data"}.
DRAFT_SESSION_KEY = "share_draft"
# A draft older than this is gone: a shared phone picked up the next day shows a new form.
DRAFT_HOURS = 24


@dataclasses.dataclass(frozen=True)
class Step:
    slug: str  # its address, /share/<slug>/
    title: str
    fields: tuple  # the ShareForm fields it asks for, in order

    @property
    def number(self):
        return STEPS.index(self) + 1


STORY = Step("story", _("Your story"), ("recording", "remove_recording", "body", "website"))
ABOUT_STORY = Step(
    "about-your-story",
    _("About your story"),
    ("title", "language", "summary", "content_note"),
)
STANDING = Step(
    "where-you-stand",
    _("Where you stand"),
    ("perspective", "themes", "suggested_theme"),
)
ABOUT_YOU = Step(
    "about-you",
    _("About you"),
    ("appear", "narrator_name", "narrator_descriptor", "place", "year_happened", "voice"),
)
DETAILS = Step(
    "details",
    _("Last details"),
    (
        "show_from",
        "embargo_date",
        "contact_email",
        "notify_decision",
        "may_contact",
    ),
)
CHECK = Step("check", _("Check and send"), ("licence", "consent", "consent_version"))
STEPS = (STORY, ABOUT_STORY, STANDING, ABOUT_YOU, DETAILS, CHECK)
STEPS_BY_SLUG = {step.slug: step for step in STEPS}

# Actions, not answers: what they do happens when the step is posted, and the
# draft never keeps them (a "remove this recording" ticked once must not
# remove the next one).
NOT_KEPT = {"recording", "remove_recording"}


class Draft:
    """A story in progress, in the session. ``data`` is what ShareForm is bound to."""

    def __init__(self, session, stored):
        self.session = session
        self.stored = stored

    @classmethod
    def of(cls, request):
        """The session's draft, or None: none was begun, or it is older than DRAFT_HOURS."""
        stored = request.session.get(DRAFT_SESSION_KEY)
        if stored and time.time() - stored["begun"] > DRAFT_HOURS * 3600:
            del request.session[DRAFT_SESSION_KEY]
            stored = None
        return cls(request.session, stored) if stored else None

    @classmethod
    def begin(cls, request, telling):
        stored = {
            "submission": secrets.token_urlsafe(24),
            "telling": telling,
            "reached": 0,
            "begun": time.time(),
            "data": {},
        }
        request.session[DRAFT_SESSION_KEY] = stored
        # A story in progress ends with the browser, like the private link's session.
        request.session.set_expiry(0)
        return cls(request.session, stored)

    @staticmethod
    def forget(request):
        request.session.pop(DRAFT_SESSION_KEY, None)

    def _changed(self):
        self.session.modified = True

    @property
    def submission_id(self):
        return self.stored["submission"]

    @property
    def telling(self):
        return self.stored["telling"]

    @telling.setter
    def telling(self, value):
        self.stored["telling"] = value
        self._changed()

    @property
    def reached(self):
        """The steps done, in order: a step after them cannot be opened yet."""
        return self.stored["reached"]

    def may_open(self, step):
        return step.number <= self.reached + 1

    def first_to_do(self):
        return STEPS[min(self.reached, len(STEPS) - 1)]

    def done(self, step):
        self.stored["reached"] = max(self.reached, step.number)
        self._changed()

    def keep(self, posted, names):
        """Keep the posted answers to ``names``: an answer left out is an empty one
        (an unticked box, a cleared text), as it would be on one long form."""
        for name in names:
            if name not in NOT_KEPT:
                self.stored["data"][name] = posted.getlist(name)
        self._changed()

    def answered(self, name):
        """Whether the narrator has given an answer to ``name`` (an empty one counts)."""
        return name in self.stored["data"]

    def keep_values(self, values):
        """Keep answers made on the server ("Remove it for me")."""
        for name, value in values.items():
            self.stored["data"][name] = [value]
        self._changed()

    def form_data(self):
        """Everything answered so far, as the one long form would post it."""
        data = QueryDict(mutable=True)
        for name, values in self.stored["data"].items():
            data.setlist(name, values)
        data["submission_id"] = self.submission_id
        return data

    def initial(self):
        """What a step shows when it is opened again: the answers kept, as a form's initial."""
        initial = {
            name: values if name == "themes" else values[0]
            for name, values in self.stored["data"].items()
            if values
        }
        initial["submission_id"] = self.submission_id
        return initial

    def take_lost_notice(self):
        """Whether this draft was begun again from a step whose earlier answers were gone (once)."""
        lost = self.stored.pop("earlier_lost", False)
        self._changed()
        return lost

    def mark_earlier_lost(self):
        self.stored["earlier_lost"] = True
        self._changed()
