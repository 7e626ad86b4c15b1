"""Browsing by place: the places readers can browse, and a place's published stories."""

from django.conf import settings
from django.http import Http404
from django.views.generic import ListView, TemplateView

from ..models import in_name_order, listed_places
from .browse import StoryCardsMixin
from .filters import SortForm


class PlaceListView(TemplateView):
    """Every place named by at least PLACE_MIN_STORIES published stories, with its count."""

    template_name = "stories/place_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            places=in_name_order(listed_places().values()),
            place_min_stories=settings.PLACE_MIN_STORIES,
            **kwargs,
        )


class PlaceDetailView(StoryCardsMixin, ListView):
    """A place's published stories; a place under the threshold is as unknown as any other."""

    template_name = "stories/place_detail.html"
    # Every card here names this place: as text, not a link to the page it is on.
    card_variant = "place"

    def get_queryset(self):
        self.place = listed_places().get(self.kwargs["slug"])
        if self.place is None:
            raise Http404
        self.sort_form = SortForm(self.request.GET)
        return self.deferred(
            lambda: self.sort_form.order(self.published_stories().in_place(self.place))
        )

    def list_name(self):
        return f"place-{self.place.key}-stories"

    def get_paginator(self, queryset, *args, **kwargs):
        paginator = super().get_paginator(queryset, *args, **kwargs)
        # Counted with the places, once per generation: no second count.
        paginator.count = self.place.count
        return paginator

    def get_context_data(self, **kwargs):
        return super().get_context_data(place=self.place, sort_form=self.sort_form, **kwargs)
