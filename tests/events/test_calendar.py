"""An event as an iCalendar file."""

import icalendar
import pytest
from django.urls import reverse

from tests.html import has_link

pytestmark = pytest.mark.django_db


def calendar_of(client, event):
    response = client.get(reverse("events:calendar", kwargs={"slug": event.slug}))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert f'filename="{event.slug}.ics"' in response["Content-Disposition"]
    return icalendar.Calendar.from_ical(response.content)


def test_calendar_file_has_the_event_title_and_exact_times(client, upcoming_event):
    calendar = calendar_of(client, upcoming_event)

    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["SUMMARY"]) == upcoming_event.title
    assert vevent.decoded("DTSTART") == upcoming_event.starts_at
    assert vevent.decoded("DTEND") == upcoming_event.ends_at
    assert upcoming_event.get_absolute_url() in str(vevent["URL"])


def test_unknown_event_calendar_is_404(client, db):
    response = client.get(reverse("events:calendar", kwargs={"slug": "nope"}))

    assert response.status_code == 404


def test_upcoming_event_page_offers_the_calendar_file(client, upcoming_event, past_event):
    calendar_url = reverse("events:calendar", kwargs={"slug": upcoming_event.slug})
    assert has_link(client.get(upcoming_event.get_absolute_url()), calendar_url)
    past_url = reverse("events:calendar", kwargs={"slug": past_event.slug})
    assert not has_link(client.get(past_event.get_absolute_url()), past_url)
