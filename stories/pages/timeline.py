"""The timeline: the years stories happened, with the curated events of those years."""

from dataclasses import dataclass, field

from django.views.generic import TemplateView

from ..models import Story, TimelineEvent
from ..pagecache.store import counted_once_per_generation


@dataclass
class TimelineYear:
    year: int
    story_count: int = 0
    events: list = field(default_factory=list)


def timeline_years(story_counts, events):
    """A TimelineYear for each year with a story or an event, earliest first."""
    years = {year: TimelineYear(year, count) for year, count in story_counts.items()}
    for event in events:
        years.setdefault(event.year, TimelineYear(event.year)).events.append(event)
    return [years[year] for year in sorted(years)]


class TimelineView(TemplateView):
    template_name = "stories/timeline.html"

    def get_context_data(self, **kwargs):
        counts = counted_once_per_generation(
            "stories-by-year", lambda: Story.objects.published().counts_by_year()
        )
        years = timeline_years(counts, TimelineEvent.objects.all())
        return super().get_context_data(years=years, story_total=sum(counts.values()), **kwargs)
