from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.http import HttpResponse
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


class EventCalendarView(DetailView):
    """The event as an iCalendar file, for "Add to calendar"."""

    queryset = Event.objects.all()

    def render_to_response(self, context, **response_kwargs):
        event = self.object
        vevent = icalendar.Event()
        vevent.add("uid", f"event-{event.pk}@{urlsplit(settings.SITE_URL).hostname}")
        vevent.add("dtstamp", event.updated_at)
        # UTC times: every calendar converts them to its reader's zone.
        vevent.add("dtstart", event.starts_at)
        vevent.add("dtend", event.ends_at)
        vevent.add("summary", event.title)
        vevent.add("description", event.summary)
        place = ", ".join(part for part in (event.venue, event.city) if part)
        vevent.add("location", place or event.online_url)
        vevent.add("url", self.request.build_absolute_uri(event.get_absolute_url()))
        calendar = icalendar.Calendar()
        calendar.add("prodid", "-//EU-China NGO Twinning//Events//EN")
        calendar.add("version", "2.0")
        calendar.add_component(vevent)
        response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{event.slug}.ics"'
        return response
