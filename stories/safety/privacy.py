"""
The privacy table: for every field that can hold a narrator's words, or a hash
or date about them, who may see it and what erasing the story does with it.

``TABLE`` holds one ``Field`` for every concrete field of every model holding
narrator words or hashes (``NARRATOR_MODELS``), and for the text fields of the
curated models. Everything that decides about a field reads it here:

- the public mapping (``stories.opendata.records.PUBLIC_STORY_FIELDS``) copies the
  public fields of a story and of its recording, and nothing else;
- the identity shield (``stories.safety.shield.SHIELDED_FIELDS``) checks the shielded ones;
- the admin shows read-only every field moderators may not edit (``read_only``);
- ``Story.erase()`` empties the ``Erased`` ones (``erased_values``);
- tests/test_leak.py looks for the value of every secret field (``secret_fields``)
  on every page, feed and export.

tests/safety/test_privacy_table.py fails on any field of those models missing from
the table, and on any of those lists not taking exactly the table's set.

The table is keyed by model name, not by class, so that the models and the
shield (which the models use) can both read it.
"""

from dataclasses import dataclass

# Who may see a field.
# Readers, once the row is public (its story visible, its recording cleared).
PUBLIC = "public"
# Readers when the narrator gave their name to show; moderators only when anonymous.
PUBLIC_UNLESS_ANONYMOUS = "public unless anonymous"
# Moderators only, in the admin; never on a page, feed, export or API answer.
PRIVATE = "private"
# The archive's own bookkeeping (states, dates, flags, indexes): moderators see
# it; readers see only what it decides (whether a story is listed, what its address answers).
WORKFLOW = "workflow"


@dataclass(frozen=True)
class Erased:
    """Emptied (to ``empty``) when a story is erased; the row stays."""

    empty: object = ""
    # The slug alone: a withdrawn story readers saw still answers 410 at its address.
    kept_for_410: bool = False


@dataclass(frozen=True)
class Deleted:
    """Goes with the story's text, row and all."""

    how: str


@dataclass(frozen=True)
class Kept:
    """Kept when a story is erased: it holds nothing of the narrator's."""

    why: str


@dataclass(frozen=True)
class Field:
    visibility: str  # PUBLIC, PUBLIC_UNLESS_ANONYMOUS, PRIVATE or WORKFLOW
    erasure: Erased | Deleted | Kept
    # Read by the identity shield: the narrator's own words, before anyone can see them.
    shielded: bool = False
    # A moderator may change it in the admin (to correct or redact); the rest is read-only there.
    edited_by_moderators: bool = False
    # Kept only as a one-way code (a hash) of the value, never the value: what it was cannot be
    # read back from it, so it cannot be handed over (the requests page says so).
    hashed: bool = False


NUMBER = Kept("the row's number")
STATE = Kept("the workflow's state")
DATE = Kept("a date")
FLAG = Kept("a yes or no")
LANGUAGE = Kept("a language code")
CURATED = Kept("curated by moderators, about no narrator")
CURATED_NAMES = ("name", "name_es", "slug", "description", "description_es")
WITH_RECORDING = Deleted("with the recording")


def _text(**extra):
    """A narrator's public text: emptied at erasure, shielded, open to a moderator's redaction."""
    return Field(PUBLIC, Erased(**extra), shielded=True, edited_by_moderators=True)


TABLE = {
    "Story": {
        # The shielded fields in the order the shield lists its findings.
        "id": Field(PUBLIC, NUMBER),
        "title": _text(),
        "slug": Field(PUBLIC, Erased(None, kept_for_410=True)),
        "summary": _text(),
        # Written by a moderator from the narrator's words, in the other language: erased and
        # shielded with them; pages label it as the archive's translation.
        "summary_translation": _text(),
        # The same for the title and text, entered by a moderator or a volunteer translator.
        "title_translation": _text(),
        "body_translation": _text(),
        # One sentence of the body or transcript, chosen by a moderator (models/quoting.py).
        "quote": _text(),
        "body": _text(),
        "narrator_name": Field(PUBLIC_UNLESS_ANONYMOUS, Erased(), edited_by_moderators=True),
        "is_anonymous": Field(PUBLIC, FLAG, edited_by_moderators=True),
        "narrator_descriptor": _text(),
        "perspective": Field(PUBLIC, CURATED, edited_by_moderators=True),
        "language": Field(PUBLIC, LANGUAGE, edited_by_moderators=True),
        "place": _text(),
        "year_happened": Field(PUBLIC, Erased(None), edited_by_moderators=True),
        "content_note": _text(),
        "published_at": Field(PUBLIC, DATE),
        "updated_at": Field(PUBLIC, DATE),
        # Never shown: the narrator's suggestion is reworded and decided by moderators.
        "suggested_theme": Field(PRIVATE, Erased(), shielded=True),
        "theme_suggestion": Field(PRIVATE, Erased(None)),
        "contact_email": Field(PRIVATE, Erased()),
        "may_contact": Field(PRIVATE, FLAG),
        "notify_decision": Field(PRIVATE, FLAG),
        # Set while a decision notice waits to be sent (stories/models/notices.py).
        "decision_notice_due": Field(WORKFLOW, Erased(None)),
        "consent": Field(PRIVATE, Kept("which consent text, the same for every narrator")),
        "consent_language": Field(PRIVATE, LANGUAGE),
        "consent_given_at": Field(PRIVATE, DATE),
        # Given with the consent. Public, as what it decides is: a story whose
        # transcript shows without a player says it; the public record reads it.
        "voice": Field(PUBLIC, Kept("one of Story.Voice: the narrator's choice, no words")),
        # Chosen with the consent too, and shown with the story: what readers may do with it.
        "licence": Field(PUBLIC, Kept("one of the archive's licences: the narrator's choice")),
        # Minted outside the project (an ARK, a DOI) for the public story: it names no one.
        "persistent_identifier": Field(
            PUBLIC, Kept("an identifier minted for the story, no words"), edited_by_moderators=True
        ),
        "submission_hash": Field(PRIVATE, Erased(None), hashed=True),
        "withdrawal_token_hash": Field(PRIVATE, Erased(), hashed=True),
        "submitter_hash": Field(PRIVATE, Erased(), hashed=True),
        "moderator_notes": Field(PRIVATE, Erased(), edited_by_moderators=True),
        # The first of two approvals (TWO_MODERATORS_FOR_RISKY_STORIES), until the status changes.
        "first_approved_by": Field(PRIVATE, Kept("which moderator approved first")),
        "first_approved_at": Field(PRIVATE, DATE),
        # The kinds of findings a narrator sent anyway ("phone"), for moderators: never a value.
        "sent_with_findings": Field(PRIVATE, Kept("kinds of detail, never the details")),
        "featured": Field(WORKFLOW, FLAG),
        "is_sample": Field(WORKFLOW, FLAG, edited_by_moderators=True),
        "embargo_until": Field(WORKFLOW, DATE, edited_by_moderators=True),
        # PostgreSQL's search index, made from the public text of approved stories.
        "search_vector": Field(WORKFLOW, Erased(None)),
        # The same, with the transcript (matched, never ranked), and from the archive's
        # translations, in the other language's configuration.
        "said_vector": Field(WORKFLOW, Erased(None)),
        "translation_vector": Field(WORKFLOW, Erased(None)),
        "status": Field(WORKFLOW, STATE),
        "submitted_at": Field(WORKFLOW, DATE),
        "withdrawn_at": Field(WORKFLOW, DATE),
        "first_visible_at": Field(WORKFLOW, DATE),
        "erased_at": Field(WORKFLOW, DATE),
        "version": Field(WORKFLOW, Kept("a count of saves")),
    },
    "ModerationEvent": {
        # Free text a moderator typed, which can quote the story; who did
        # what and when, and a rejection's reason, are the audit trail.
        "id": Field(WORKFLOW, NUMBER),
        "story": Field(WORKFLOW, NUMBER),
        "actor": Field(PRIVATE, Kept("which moderator acted")),
        "from_status": Field(WORKFLOW, STATE),
        "to_status": Field(WORKFLOW, STATE),
        "reason": Field(WORKFLOW, Kept("one of RejectionReason")),
        "note": Field(PRIVATE, Erased()),
        # What the moderator wrote for the narrator alone, and what the narrator
        # asked of moderators: private both ways, and erased with the story's words.
        "note_to_narrator": Field(PRIVATE, Erased()),
        "narrator_message": Field(PRIVATE, Erased()),
        "created_at": Field(WORKFLOW, DATE),
    },
    "ShieldWaiver": {
        # A moderator's decision to publish one finding of the shield: its kind and
        # field are counted on /about/moderation/; the finding itself only as a keyed
        # hash, and the reason (which can describe the detail) goes with the story's words.
        "id": Field(WORKFLOW, NUMBER),
        "story": Field(WORKFLOW, NUMBER),
        "kind": Field(WORKFLOW, Kept("one of shield.KINDS")),
        "field": Field(WORKFLOW, Kept("a field's name")),
        "fingerprint": Field(PRIVATE, Erased(), hashed=True),
        "reason": Field(PRIVATE, Erased()),
        "waived_by": Field(PRIVATE, Kept("which moderator waived it")),
        "waived_at": Field(WORKFLOW, DATE),
    },
    "Report": {
        # A report can quote the story or say who the narrator is.
        "id": Field(PRIVATE, NUMBER),
        "story": Field(PRIVATE, NUMBER),
        "reason": Field(PRIVATE, Kept("one of Report.Reason")),
        "details": Field(PRIVATE, Erased()),
        "email": Field(PRIVATE, Erased()),
        "reporter_hash": Field(PRIVATE, Erased(), hashed=True),
        "created_at": Field(PRIVATE, DATE),
        "resolved_at": Field(PRIVATE, DATE),
        "resolved_by": Field(PRIVATE, Kept("which moderator resolved it")),
        "resolution": Field(PRIVATE, Kept("one of Report.Resolution")),
    },
    "ThemeSuggestion": {
        "id": Field(PRIVATE, NUMBER),
        "name": Field(
            PRIVATE,
            Deleted("with the last story asking for it; reworded by the next one till then"),
        ),
        "key": Field(PRIVATE, Deleted("with the last story asking for it")),
        "decision": Field(PRIVATE, Kept("one of ThemeSuggestion.Decision")),
        "theme": Field(PRIVATE, CURATED),
        "decided_by": Field(PRIVATE, Kept("which moderator decided")),
        "decided_at": Field(PRIVATE, DATE),
        "created_at": Field(PRIVATE, DATE),
    },
    "Recording": {
        # Public as its guarded address (/recordings/<story id>/), type and length, once
        # cleared, unless its narrator kept the voice private (Story.voice): then never.
        "id": Field(PUBLIC, WITH_RECORDING),
        "story": Field(PUBLIC, WITH_RECORDING),
        "stored_as": Field(PRIVATE, Deleted("at withdrawal, or with the text, file and all")),
        "mime_type": Field(PUBLIC, WITH_RECORDING),
        "duration": Field(PUBLIC, WITH_RECORDING),
        "size": Field(PUBLIC, WITH_RECORDING),
        "cleared_at": Field(PUBLIC, WITH_RECORDING),
        "cleared_by": Field(PRIVATE, WITH_RECORDING),
        "created_at": Field(WORKFLOW, WITH_RECORDING),
        # Set only while the recording is held for a share form; emptied when its story is sent.
        "held_by": Field(
            PRIVATE,
            Deleted("with the recording; empty once it belongs to a story"),
            hashed=True,
        ),
    },
    "TranscriptSegment": {
        # Public with a cleared recording (even a voice kept private: then it is
        # all readers have of it); shielded through Story.shielded_texts().
        "id": Field(PUBLIC, Deleted("with the text")),
        "story": Field(PUBLIC, Deleted("with the text")),
        "start": Field(PUBLIC, Deleted("with the text"), edited_by_moderators=True),
        "text": Field(PUBLIC, Deleted("with the text"), shielded=True, edited_by_moderators=True),
        "text_translation": Field(
            PUBLIC, Deleted("with the text"), shielded=True, edited_by_moderators=True
        ),
    },
    "IndexSegment": {
        # The recording's index, written by moderators from the narrator's words: public with
        # its transcript (a cleared recording), shielded through Story.shielded_texts().
        "id": Field(PUBLIC, Deleted("with the text")),
        "story": Field(PUBLIC, Deleted("with the text")),
        "start": Field(PUBLIC, Deleted("with the text"), edited_by_moderators=True),
        **dict.fromkeys(
            (
                "title",
                "synopsis",
                "keywords",
                "title_translation",
                "synopsis_translation",
                "keywords_translation",
            ),
            Field(PUBLIC, Deleted("with the text"), shielded=True, edited_by_moderators=True),
        ),
        # Its themes (a many-to-many, not a column) are curated names, public with it.
    },
    "SearchEntry": {
        "story": Field(WORKFLOW, Deleted("the story leaves the search index")),
        "document": Field(WORKFLOW, Deleted("the story leaves the search index")),
    },
    # The other models hold no narrator's words: only their text fields are here.
    "StoryLink": {"relation": Field(PUBLIC, Kept("one of StoryLink.Relation"))},
    # Their colour, mark and pattern: choices from a fixed palette (models/palette.py).
    "Perspective": dict.fromkeys((*CURATED_NAMES, "colour", "mark"), Field(PUBLIC, CURATED)),
    "Theme": dict.fromkeys((*CURATED_NAMES, "pattern"), Field(PUBLIC, CURATED)),
    "ConsentText": dict.fromkeys(
        ("version", "text_en", "text_es", "summary_en", "summary_es"), Field(PUBLIC, CURATED)
    ),
    "QuestionPrompt": dict.fromkeys(("text", "text_es"), Field(PUBLIC, CURATED)),
    "Licence": dict.fromkeys(
        (
            *("code", "name", "name_es", "short_name", "short_name_es", "summary", "summary_es"),
            *("url", "allows_republishing"),
        ),
        Field(PUBLIC, CURATED),
    ),
    # The About page and the requests policy, written by administrators for every reader.
    "ArchiveStatement": dict.fromkeys(
        (
            "who_runs",
            "who_runs_es",
            "contact_email",
            "contact",
            "contact_es",
            "press",
            "press_es",
            "funders",
            "funders_es",
            "requests_policy",
            "requests_policy_es",
        ),
        Field(PUBLIC, CURATED),
    ),
    # A request for data: readers see counts per year, requester and outcome, never a row;
    # the notes can name a story or a narrator, and stay with administrators.
    "DataRequest": {
        "received_on": Field(WORKFLOW, DATE),
        "requester": Field(WORKFLOW, Kept("one of DataRequest.Requester")),
        "outcome": Field(WORKFLOW, Kept("one of DataRequest.Outcome")),
        "notes": Field(PRIVATE, Kept("the administrators' record of a request, not a story's")),
    },
    # Staff signing in, never a narrator: administrators read it, purge_private_data deletes it
    # after SIGN_IN_RECORD_RETENTION_DAYS (docs/privacy.md, "Staff sign-ins").
    "SignInRecord": {
        "at": Field(WORKFLOW, DATE),
        "kind": Field(WORKFLOW, Kept("one of SignInRecord.Kind")),
        "client": Field(PRIVATE, Kept("a staff sign-in's, not a story's"), hashed=True),
    },
    "TimelineEvent": dict.fromkeys(
        ("title", "title_es", "description", "description_es", "link"), Field(PUBLIC, CURATED)
    ),
    "GlossaryTerm": dict.fromkeys(("english", "spanish"), Field(PUBLIC, CURATED)),
    # A moderator's choice for their own admin: about no narrator, shown to no reader.
    "AdminPreferences": {"language": Field(PRIVATE, LANGUAGE)},
}

# The models every concrete field of which is in the table.
NARRATOR_MODELS = (
    "Story",
    "ModerationEvent",
    "ShieldWaiver",
    "Report",
    "ThemeSuggestion",
    "Recording",
    "TranscriptSegment",
    "IndexSegment",
    "SearchEntry",
)


def fields_of(model):
    """{field name: Field} for ``model`` (a class, or its name)."""
    return TABLE[model if isinstance(model, str) else model.__name__]


def named(model, wanted):
    """The names of ``model``'s fields whose Field ``wanted(field)`` is true, in table order."""
    return tuple(name for name, field in fields_of(model).items() if wanted(field))


def public_columns(model):
    """The columns of ``model`` a public record may be made from (a link by its ``_id``)."""
    return tuple(
        model._meta.get_field(name).attname
        for name in named(
            model, lambda field: field.visibility in (PUBLIC, PUBLIC_UNLESS_ANONYMOUS)
        )
    )


def secret_fields(model):
    """The text fields of ``model`` that only moderators may see and that hold a
    narrator's words or a hash about them: no page, feed or export may hold their values."""
    return tuple(
        name
        for name in named(
            model, lambda field: field.visibility == PRIVATE and not isinstance(field.erasure, Kept)
        )
        if not model._meta.get_field(name).is_relation
    )


def read_only(model, shown):
    """Of the field names ``shown`` in the admin, those of ``model`` moderators may not edit."""
    table = fields_of(model)
    return tuple(name for name in shown if name in table and not table[name].edited_by_moderators)


def erased_values(model, *, gone=False):
    """{field: the value it takes} for the fields of ``model`` that erasing a story empties.

    ``gone``: the story answers 410 (withdrawn after readers saw it), at the slug it keeps.
    """
    return {
        name: field.erasure.empty
        for name, field in fields_of(model).items()
        if isinstance(field.erasure, Erased) and not (gone and field.erasure.kept_for_410)
    }
