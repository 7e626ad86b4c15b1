"""
The moderation figures that /about/moderation/ publishes: counts only, per
perspective, never a title or anything a narrator or moderator wrote.
"""

import datetime
import statistics
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import ModerationEvent, Perspective, ShieldWaiver, Story
from ..pagecache.store import counted_once_per_generation
from ..safety import shield

# The window of the median time to decision.
DECISION_WINDOW_DAYS = 90


@dataclass
class Figures:
    perspective: Perspective | None = None
    received: int = 0
    published: int = 0
    pending: int = 0
    rejected: int = 0
    withdrawn: int = 0
    reason_counts: Counter = field(default_factory=Counter)
    # Days from submission to each story's first decision within the window.
    days_to_decision: list = field(default_factory=list)

    @property
    def rejection_reasons(self):
        """Rejection decisions by reason, as ``(label, count)``, the most frequent first."""
        return [
            (label, self.reason_counts[reason])
            for reason, label in _reason_labels(self.reason_counts)
        ]

    @property
    def median_days_to_decision(self):
        if not self.days_to_decision:
            return None
        return round(statistics.median(self.days_to_decision), 1)


def waivers_and_overdue():
    """``(waived, overdue)``: the findings moderators chose to publish, as ``(kind's label,
    count)`` in the shield's order, and the stories waiting longer than the promised review
    time. Counts only, never which story; two queries, once per generation."""
    counts = counted_once_per_generation("moderation-waivers", _waivers_and_overdue)
    waived = [
        (label, counts["waived"][kind])
        for kind, label in shield.KINDS_FOR_MODERATORS.items()
        if counts["waived"].get(kind)
    ]
    return waived, counts["overdue"]


def _waivers_and_overdue():
    return {
        "waived": dict(ShieldWaiver.objects.values_list("kind").annotate(n=Count("pk")).order_by()),
        "overdue": Story.objects.overdue().count(),
    }


def reasons_by_perspective(rows, total):
    """The declines' reasons as a grid, most frequent first: ``(label, [count per row], total)``."""
    return [
        (label, [row.reason_counts.get(reason, 0) for row in rows], total.reason_counts[reason])
        for reason, label in _reason_labels(total.reason_counts)
    ]


def _reason_labels(reason_counts):
    labels = dict(ModerationEvent.RejectionReason.choices)
    return [
        (reason, labels.get(reason, _("No reason recorded")))
        for reason, _count in reason_counts.most_common()
    ]


def figures():
    """``(rows, total)``: a ``Figures`` for each perspective, and one for the whole archive.

    Five queries, whatever the size of the archive; the counts are worked out
    once per generation, like the other archive-wide counts.
    """
    counts = counted_once_per_generation("moderation-figures", _counts)
    rows = []
    total = Figures()
    for perspective in Perspective.objects.all():
        row = Figures(perspective=perspective, **counts.get(perspective.pk, {}))
        rows.append(row)
        for name in ("received", "published", "pending", "rejected", "withdrawn"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
        total.reason_counts.update(row.reason_counts)
        total.days_to_decision.extend(row.days_to_decision)
    return rows, total


def _counts():
    """Per perspective id, the values of its ``Figures``: plain data, kept in the cache."""
    by_perspective = {}

    def of(perspective_id):
        return by_perspective.setdefault(
            perspective_id, {"received": 0, "reason_counts": Counter(), "days_to_decision": []}
        )

    statuses = Story.objects.values_list("perspective_id", "status").annotate(n=Count("pk"))
    for perspective_id, status, count in statuses.order_by():
        values = of(perspective_id)
        values["received"] += count
        if status in (Story.Status.PENDING, Story.Status.REJECTED, Story.Status.WITHDRAWN):
            values[status] = count

    published = Story.objects.published().values_list("perspective_id").annotate(n=Count("pk"))
    for perspective_id, count in published.order_by():
        of(perspective_id)["published"] = count

    rejections = (
        ModerationEvent.objects.filter(
            from_status=Story.Status.PENDING, to_status=Story.Status.REJECTED
        )  # rejections, not lines written of a rejected story (a correction asked)
        .values_list("story__perspective_id", "reason")
        .annotate(n=Count("pk"))
    )
    for perspective_id, reason, count in rejections.order_by():
        of(perspective_id)["reason_counts"][reason] = count

    since = timezone.now() - datetime.timedelta(days=DECISION_WINDOW_DAYS)
    decisions = ModerationEvent.objects.filter(
        from_status=Story.Status.PENDING,
        to_status__in=[Story.Status.APPROVED, Story.Status.REJECTED],
    )
    earlier = decisions.filter(story=OuterRef("story"), created_at__lt=OuterRef("created_at"))
    first_decisions = (
        decisions.filter(created_at__gte=since)
        .filter(~Exists(earlier))
        .values_list("story__perspective_id", "story__submitted_at", "created_at")
    )
    for perspective_id, submitted_at, decided_at in first_decisions:
        days = (decided_at - submitted_at).total_seconds() / 86400
        of(perspective_id)["days_to_decision"].append(days)
    return by_perspective
