from django.views.generic import DetailView

from common.views import FilteredListView

from .filters import EventFilter
from .models import Event

UPCOMING_ON_THE_LIST = 12


class EventListView(FilteredListView):
    """Past events, paginated, under the upcoming ones (which are few and come first)."""

    filterset_class = EventFilter

    def get_base_queryset(self):
        return Event.objects.past().prefetch_related("topics")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        upcoming = Event.objects.upcoming().prefetch_related("topics")
        context["upcoming"] = EventFilter(
            self.request.GET or None, queryset=upcoming, request=self.request
        ).qs[:UPCOMING_ON_THE_LIST]
        return context


class EventDetailView(DetailView):
    queryset = Event.objects.select_related("round").prefetch_related(
        "topics", "organizations", "speakers__fellow"
    )
