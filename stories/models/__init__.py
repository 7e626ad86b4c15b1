"""
The archive's domain, a module per concern: who speaks and about what (taxonomy.py), what they
said and how it moves through the workflow (story.py, story_queryset.py), what moderators and
narrators do around it (moderation.py), who is reviewing it (claims.py), its recording and
transcript (recording.py), the SQLite search index's rows (search_entry.py), places made
browsable (places.py), the timeline's events (timeline.py), the facets beside a list of stories
(facets.py), the bilingual glossary search reads (glossary.py), what is kept of a narrator's
one-time secrets (tokens.py), what readers may do with a story and its persistent identifier
(licences.py), erasing a story for good (erasure.py), who signed in to the admin (signin.py),
who stands behind the archive and the requests for data it received (trust.py), what a
moderator chose for the admin (preferences.py), and the one way a row is changed under a lock
(locking.py).

Every name is re-exported here, so migrations, fixtures, tests and the rest of the app keep
importing from ``stories.models``; the app label stays ``stories``.
"""

from .claims import ClaimHeldByAnother, ReviewClaim, held_by_another
from .facets import LanguageCount, facets_of, with_matching_counts
from .glossary import GlossaryTerm
from .index_segments import IndexSegment, IndexSegmentQuerySet, keyword_list
from .licences import (
    Licence,
    LicenceQuerySet,
    LicensedStory,
    identifier_url,
    normalise_identifier,
)
from .locking import LockedChanges, StaleVersion
from .moderation import (
    ConsentBlock,
    ConsentText,
    ModerationEvent,
    Report,
    StoryLink,
    ThemeSuggestion,
    suggestion_key,
)
from .palette import Colour, Mark, Pattern
from .passages import Passage, passages_chosen, passages_of_stories, public_segments
from .places import Place, in_name_order, listed_places, place_key
from .preferences import AdminPreferences
from .quoting import QUOTE_MAX_LENGTH
from .recording import (
    HoldRefused,
    Recording,
    TranscriptSegment,
    Voice,
    forget_files,
    held_recordings_expire_at,
    hold_minutes,
    recordings_storage,
)
from .search_entry import SearchEntry
from .shielding import ShieldedText, ShieldWaiver, WaiverRefused
from .signin import SignInRecord
from .story import EARLIEST_YEAR, InvalidTransition, NotReadyToPublish, Story
from .story_queryset import StoryQuerySet
from .taxonomy import (
    BilingualNameMixin,
    Perspective,
    PerspectiveOnTheme,
    PerspectiveQuerySet,
    QuestionPrompt,
    TaggedTheme,
    Theme,
    ThemeQuerySet,
    in_local_order,
    theme_perspective_counts,
)
from .timeline import TimelineEvent
from .tokens import hash_submission_id, hash_withdrawal_token
from .translations import OTHER_LANGUAGE, TRANSLATED_FROM
from .trust import ArchiveStatement, DataRequest, DataRequestQuerySet

__all__ = [
    "AdminPreferences",
    "ArchiveStatement",
    "DataRequest",
    "DataRequestQuerySet",
    "BilingualNameMixin",
    "ClaimHeldByAnother",
    "ConsentBlock",
    "ConsentText",
    "EARLIEST_YEAR",
    "GlossaryTerm",
    "HoldRefused",
    "IndexSegment",
    "Licence",
    "LicenceQuerySet",
    "LicensedStory",
    "identifier_url",
    "normalise_identifier",
    "IndexSegmentQuerySet",
    "InvalidTransition",
    "NotReadyToPublish",
    "OTHER_LANGUAGE",
    "Place",
    "LanguageCount",
    "LockedChanges",
    "ModerationEvent",
    "Colour",
    "Mark",
    "Passage",
    "Pattern",
    "Perspective",
    "PerspectiveOnTheme",
    "PerspectiveQuerySet",
    "QUOTE_MAX_LENGTH",
    "QuestionPrompt",
    "Recording",
    "Report",
    "ReviewClaim",
    "SearchEntry",
    "StaleVersion",
    "ShieldedText",
    "SignInRecord",
    "ShieldWaiver",
    "Story",
    "StoryLink",
    "StoryQuerySet",
    "TaggedTheme",
    "Theme",
    "ThemeQuerySet",
    "ThemeSuggestion",
    "TimelineEvent",
    "TRANSLATED_FROM",
    "TranscriptSegment",
    "Voice",
    "WaiverRefused",
    "facets_of",
    "forget_files",
    "hash_submission_id",
    "held_by_another",
    "hash_withdrawal_token",
    "held_recordings_expire_at",
    "hold_minutes",
    "in_name_order",
    "keyword_list",
    "in_local_order",
    "listed_places",
    "passages_chosen",
    "passages_of_stories",
    "place_key",
    "public_segments",
    "recordings_storage",
    "suggestion_key",
    "theme_perspective_counts",
    "with_matching_counts",
]
