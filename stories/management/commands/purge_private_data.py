"""
Erase what the archive promised to keep only for a while (docs/privacy.md).

Meant for cron, once a day:

    python manage.py purge_private_data

- the text and private details of stories withdrawn more than
  WITHDRAWN_TEXT_GRACE_DAYS ago, and of stories rejected more than
  REJECTED_TEXT_RETENTION_DAYS ago (Story.erase(), as the privacy table
  in stories/safety/privacy.py says: the row, the search index, event notes, reports,
  the theme suggestion, the admin's change log); their events remain;
- submitters' keyed address hashes once the rate-limit window has passed;
- the details, email and address hash of reports resolved more than
  RESOLVED_REPORT_RETENTION_DAYS ago (the reason and the resolution remain);
- recordings held for a share form that was never sent, RECORDING_HOLD_SECONDS on
  (an hour by default; Recording.hold also drops them as it holds another);
- expired sessions, which may have carried a private link's token;
- sign-in records older than SIGN_IN_RECORD_RETENTION_DAYS (who signed in, and the
  keyed hash of the network they came from);

and before all that, it sends again the decision notices that could not go
when a moderator decided (stories/models/notices.py): a notice is due until it
goes, for NOTICE_RETRY_DAYS, and the address it needs is kept until then.
- every cached page and count (``store.forget_everything``): a page may
  hold erased text or a reader's search words.

It also refreshes the statistics that search plans rely on
(``stories.search.index.optimize``), as a daily job is where such upkeep belongs.
"""

import datetime
from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from stories.models import (
    Recording,
    Report,
    SignInRecord,
    Story,
    held_recordings_expire_at,
)
from stories.models.notices import send_due_notices
from stories.pagecache import store
from stories.search import index as search_index


class Command(BaseCommand):
    help = (
        "Erase withdrawn and rejected stories' text after their grace period, "
        "old submitter hashes and expired sessions."
    )

    def handle(self, *args, **options):
        notices = send_due_notices(Story.objects.all())
        erased = sum(story.erase() for story in Story.objects.due_for_erasure().iterator())
        window_start = timezone.now() - datetime.timedelta(seconds=settings.SHARE_RATE_PERIOD)
        hashes = (
            Story.objects.filter(submitted_at__lt=window_start)
            .exclude(submitter_hash="")
            .update(submitter_hash="")
        )
        resolved_before = timezone.now() - datetime.timedelta(
            days=settings.RESOLVED_REPORT_RETENTION_DAYS
        )
        reports = (
            Report.objects.filter(resolved_at__lte=resolved_before)
            .exclude(details="", email="", reporter_hash="")
            .update(details="", email="", reporter_hash="")
        )
        held, _by_model = Recording.objects.held_since_before(held_recordings_expire_at()).delete()
        sign_ins, _by_model = SignInRecord.objects.past_retention().delete()
        # What Django's clearsessions does, for whichever session engine is configured.
        import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
        # Cached pages may still hold what was just erased.
        store.forget_everything()
        search_index.optimize()
        self.stdout.write(
            f"Erased the text of {erased} stories, {hashes} submitter hashes and the "
            f"details of {reports} resolved reports, {held} recordings held for forms never "
            f"sent, {sign_ins} old sign-in records; {notices} waiting decision notices settled; "
            "expired sessions cleared."
        )
